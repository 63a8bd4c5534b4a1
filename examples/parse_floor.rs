//! Time pulldown-cmark alone against reftree's parse on every page of a tree,
//! single-threaded: `cargo run --release --example parse_floor -- DIR`.
use std::time::Instant;

/// The binary's allocator, so that the parse is timed as reftree runs it
/// (both sides alike: pulldown-cmark allocates too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dir = std::env::args().nth(1).expect("a folder");
    let mut texts = Vec::new();
    for e in walkdir::WalkDir::new(&dir) {
        let e = e.expect("walk");
        if e.path().extension().is_some_and(|x| x == "md") {
            texts.push(std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    let opts = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_FOOTNOTES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_TASKLISTS
        | pulldown_cmark::Options::ENABLE_GFM;
    let t = Instant::now();
    let mut n = 0usize;
    for text in &texts {
        n += pulldown_cmark::Parser::new_ext(text, opts)
            .into_offset_iter()
            .count();
    }
    println!("pulldown-cmark alone: {:?} ({n} events)", t.elapsed());
    let t = Instant::now();
    let mut links = 0usize;
    for text in &texts {
        links += reftree::parse::parse(text, 0).links.len();
    }
    println!("reftree::parse::parse: {:?} ({links} links)", t.elapsed());
}
