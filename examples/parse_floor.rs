//! Time pulldown-cmark alone against reftree's parse on every page of a tree,
//! single-threaded: `cargo run --release --example parse_floor -- DIR
//! [ROUNDS] [pulldown|reftree]`. The two sides alternate for ROUNDS rounds
//! (default 5) and the fastest round of each is printed, so that a noisy
//! machine does not decide the ratio; naming one side times only that side
//! (for a profiler).
use std::time::{Duration, Instant};

/// The binary's allocator, so that the parse is timed as reftree runs it
/// (both sides alike: pulldown-cmark allocates too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("a folder");
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("ROUNDS"));
    let only = args.next();
    // Every optional fact (`all`, what the preset asks for and more), or
    // only those a run without a rule file gathers (`REFTREE_WANTS=none`).
    let wants = match std::env::var("REFTREE_WANTS").as_deref() {
        Ok("none") => reftree::parse::Wants::default(),
        _ => reftree::parse::Wants::all(),
    };
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
    let (mut alone, mut ours) = (Duration::MAX, Duration::MAX);
    let (mut events, mut links) = (0usize, 0usize);
    for _ in 0..rounds {
        if only.as_deref() != Some("reftree") {
            let t = Instant::now();
            events = 0;
            for text in &texts {
                events += pulldown_cmark::Parser::new_ext(text, opts)
                    .into_offset_iter()
                    .count();
            }
            alone = alone.min(t.elapsed());
        }
        if only.as_deref() != Some("pulldown") {
            let t = Instant::now();
            links = 0;
            for text in &texts {
                links += reftree::parse::parse_with(text, 0, &wants).links.len();
            }
            ours = ours.min(t.elapsed());
        }
    }
    println!("pulldown-cmark alone: {alone:?} ({events} events)");
    println!("reftree::parse::parse: {ours:?} ({links} links)");
    if alone != Duration::MAX && ours != Duration::MAX {
        let ratio = ours.as_secs_f64() / alone.as_secs_f64();
        println!("ratio: {ratio:.2}x (fastest of {rounds} rounds each)");
    }
}
