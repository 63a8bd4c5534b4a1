//! Helpers shared by the fixture tests.

use reftree::Options;
use std::collections::HashMap;
use std::path::Path;

/// Write `text` to `path` under `dir`, making its folders.
#[allow(dead_code)] // not every test crate writes pages one by one
pub fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Copy the files and folders under `from` into `to` (symlinks are not
/// followed, nor copied).
#[allow(dead_code)] // not every test crate copies trees
pub fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(from).expect("inside");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// Every regular file under `root` (symlinks not followed) and its bytes,
/// by root-relative path, sorted.
#[allow(dead_code)] // not every test crate compares trees
pub fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("inside");
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// Options that run `rule` alone on `root`, with the case's `reftree.toml` if it has one.
#[allow(dead_code)] // not every test crate runs one rule alone
pub fn only(rule: &str, root: &Path) -> Options {
    let config = match std::fs::read_to_string(root.join("reftree.toml")) {
        Ok(text) => reftree::config::Config::load(None, Some(("reftree.toml", &text)))
            .unwrap_or_else(|e| panic!("{}: {}", root.display(), e.render())),
        Err(_) => reftree::config::Config::default(),
    };
    let severities: HashMap<String, Option<reftree::diag::Severity>> = reftree::rules::ALL
        .iter()
        // `unused-suppression` needs the findings of the others to suppress.
        .map(|r| {
            let on = r.id == rule || (rule == "unused-suppression" && r.default_enabled);
            (r.id.to_string(), on.then_some(r.severity))
        })
        .collect();
    Options {
        root: root.to_path_buf(),
        severities,
        max_page_bytes: 4096,
        config,
        ..Options::default()
    }
}

/// `path:line rule message` for each finding of a run over `root` with `config`.
#[allow(dead_code)] // not every test crate lists findings so
pub fn findings(root: &Path, config: reftree::config::Config) -> Vec<String> {
    let outcome = reftree::check(&Options {
        root: root.to_path_buf(),
        config,
        ..Options::default()
    })
    .expect("the run finishes");
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d.location.path, d.location.start.line, d.rule, d.message
            )
        })
        .collect()
}

/// Every file and folder under `root` dated an hour back, as a tree
/// checked out earlier is (the page cache checks a page written just now
/// by its bytes; a walk that read a folder changed just now is not kept).
#[allow(dead_code)] // not every test crate uses the page cache
pub fn age(root: &Path) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in walkdir::WalkDir::new(root) {
        let e = e.expect("walk");
        let f = if e.file_type().is_file() {
            std::fs::File::options().write(true).open(e.path())
        } else if e.file_type().is_dir() {
            // Folders too: a walk that read them is trusted on their stamps.
            std::fs::File::open(e.path())
        } else {
            continue;
        };
        f.expect("open").set_modified(then).expect("set mtime");
    }
}

/// Fail, showing `text`, unless it holds every one of `parts`.
#[allow(dead_code)] // not every test crate checks written rule files
pub fn assert_holds(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "no `{part}` in:\n{text}");
    }
}
