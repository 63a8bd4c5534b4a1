//! The page cache (issue 13): a second run reads only the pages that
//! changed, finds exactly what a run without the cache finds, and survives
//! a damaged, foreign or missing cache file. Through the real binary.

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::write;

/// A tree of 40 pages that link to each other by name and heading, with
/// two broken links among them.
fn write_tree(root: &Path) {
    let mut index = String::from("# Index\n\n## Pages (40)\n\n");
    for i in 0..40 {
        index.push_str(&format!("- [Page {i}](pages/p{i}.md#details)\n"));
        let next = (i + 1) % 40;
        let page = format!(
            "# Page {i}\n\n[Back](../index.md)\n\n## Details\n\n- [Next](p{next}.md#details)\n- [Other](p{next}.md#summary)\n\n## Summary\n\nText.\n"
        );
        write(root, &format!("pages/p{i}.md"), &page);
    }
    index.push_str("\n[gone](pages/gone.md)\n");
    write(root, "index.md", &index);
    write(
        root,
        "pages/p7.md",
        "# Page 7\n\n## Details\n\n- [Next](p8.md#nowhere)\n",
    );
}

/// The tree (dated an hour back unless `fresh`) and an empty cache folder.
fn fixture(fresh: bool) -> (tempfile::TempDir, tempfile::TempDir) {
    let tree = tempfile::tempdir().expect("tempdir");
    write_tree(tree.path());
    if !fresh {
        common::age(tree.path());
    }
    (tree, tempfile::tempdir().expect("tempdir"))
}

/// `git init` at `root`; false (saying so) where git is missing.
fn git_init(root: &Path) -> bool {
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .status();
    let ok = git.is_ok_and(|s| s.success());
    if !ok {
        eprintln!("git is not available here: skipping");
    }
    ok
}

fn reftree(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(root)
        .arg("check")
        .arg("--root")
        .arg(root)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env_remove("REFTREE_NO_CACHE")
        .output()
        .expect("run reftree")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a cached run reused: pages whose findings were the last run's
/// (the run cache), pages whose facts were read from the page cache.
#[derive(Debug, PartialEq, Eq)]
struct Reused {
    as_last: usize,
    read: usize,
}

/// The findings of a run with the cache in `cache`, checked against a
/// run without it; and what it reused, from its summary.
fn cached_run(root: &Path, cache: &Path) -> Reused {
    let dir = cache.to_str().expect("UTF-8 temp path");
    let with = reftree(root, &["--format", "json", "--cache-dir", dir]);
    let without = reftree(root, &["--format", "json", "--no-cache"]);
    assert_eq!(
        String::from_utf8_lossy(&with.stdout),
        String::from_utf8_lossy(&without.stdout),
        "{}",
        stderr(&with)
    );
    assert_eq!(with.status.code(), without.status.code());
    assert!(
        !stderr(&without).contains("page cache") && !stderr(&without).contains("last run"),
        "{}",
        stderr(&without)
    );
    let err = stderr(&with);
    let count = |what: &str| -> usize {
        match err.split_once(what) {
            Some((before, _)) => before
                .rsplit(['(', ' '])
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a count"),
            None => 0,
        }
    };
    Reused {
        as_last: count(" as in the last run"),
        read: count(" read from the page cache"),
    }
}

/// A cached run without the last run's findings (the run cache removed
/// first): what it read from the page cache.
fn page_cache_run(root: &Path, cache: &Path) -> usize {
    forget_the_last_run(cache);
    let reused = cached_run(root, cache);
    assert_eq!(reused.as_last, 0);
    reused.read
}

/// Remove the run cache from `cache`.
fn forget_the_last_run(cache: &Path) {
    for e in std::fs::read_dir(cache).expect("the cache folder") {
        let p = e.expect("entry").path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("run-"))
        {
            std::fs::remove_file(p).expect("rm");
        }
    }
}

/// Date `page` (under `root`) an hour back: its stamp is trusted.
fn date_back(root: &Path, page: &str) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(root.join(page))
        .and_then(|f| f.set_modified(then))
        .expect("set mtime");
}

fn cache_file(cache: &Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(cache)
        .expect("the cache folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "bin")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("pages-"))
        })
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_second_run_reads_only_the_pages_that_changed_and_finds_the_same() {
    let (tree, cache) = fixture(false);
    let root = tree.path();
    let none = Reused {
        as_last: 0,
        read: 0,
    };
    assert_eq!(
        cached_run(root, cache.path()),
        none,
        "a first run parses every page"
    );
    // Nothing changed: the last run's findings, no page read.
    let all = Reused {
        as_last: 41,
        read: 0,
    };
    assert_eq!(cached_run(root, cache.path()), all);
    // Page 5 edited (its `Details` heading renamed): it, page 4 and the
    // index, which link to `p5.md#details`, are checked again, with page 5
    // and what page 5 links to (the index's findings about the pages not
    // read are the last run's); the other 38 pages' findings are the last
    // run's.
    write(
        root,
        "pages/p5.md",
        "# Page 5\n\n## Detail\n\n- [Next](p6.md#details)\n",
    );
    date_back(root, "pages/p5.md");
    let partial = cached_run(root, cache.path());
    assert_eq!(partial.as_last, 38, "{partial:?}");
    assert_eq!(cached_run(root, cache.path()), all);

    // A page edited (a heading others link to renamed), one deleted, one
    // added: another set of files, so every page is checked, 39 of the 41
    // read from the page cache.
    write(
        root,
        "pages/p3.md",
        "# Page 3\n\n## Details, renamed\n\n- [Next](p4.md#details)\n",
    );
    std::fs::remove_file(root.join("pages/p9.md")).expect("rm");
    write(
        root,
        "pages/new.md",
        "# New\n\n[Index](../index.md#pages-40)\n[x](p9.md)\n",
    );
    common::age(root);
    assert_eq!(
        cached_run(root, cache.path()),
        Reused {
            as_last: 0,
            read: 39
        }
    );
    assert_eq!(cached_run(root, cache.path()), all);
}

#[test]
fn the_last_walk_is_reused_only_while_no_folder_or_gitignore_it_read_changed() {
    let (tree, cache) = fixture(false);
    let root = &tree.path().canonicalize().expect("canonical");
    let cache = cache.path();
    write(root, ".gitignore", "pages/p3.md\n");
    write(root, "notes/a.md", "# A\n");
    common::age(root);
    let none = reftree::walk::exclude_set(&[]).expect("no excludes");
    let walk = || reftree::walk::walk_stamped(root, &none, true);
    let keep = |walked: &reftree::walk::Walked| {
        let digest = reftree::replay::walk_digest(walked);
        reftree::rewalk::keep(cache, root, 7, walked, digest, std::time::SystemTime::now())
            .expect("kept");
        digest
    };
    let walked = walk();
    let digest = keep(&walked);
    let reused = || reftree::rewalk::reuse(cache, root, 7);
    let (again, again_digest) = reused().expect("nothing changed");
    assert_eq!(
        (&again.files, &again.checked, &again.dirs, again_digest),
        (&walked.files, &walked.checked, &walked.dirs, digest)
    );
    assert!(
        !again.checked[again
            .files
            .iter()
            .position(|f| f == "pages/p3.md")
            .expect("p3")]
    );
    assert!(
        reftree::rewalk::reuse(cache, root, 8).is_none(),
        "another key"
    );
    // A damaged file is not used.
    let file = std::fs::read_dir(cache)
        .expect("cache")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("walk-"))
        })
        .expect("the walk file");
    let whole = std::fs::read(&file).expect("read");
    for at in [0, whole.len() / 2, whole.len() - 1] {
        let mut flipped = whole.clone();
        flipped[at] ^= 0x20;
        std::fs::write(&file, &flipped).expect("write");
        assert!(reused().is_none(), "byte {at} flipped");
        std::fs::write(&file, &whole[..at]).expect("write");
        assert!(reused().is_none(), "cut at {at}");
    }
    std::fs::write(&file, &whole).expect("write");
    assert!(reused().is_some());
    // A page's bytes changed: not its folder.
    write(root, "pages/p1.md", "# Page 1, changed\n");
    date_back(root, "pages/p1.md");
    assert!(reused().is_some());
    // What `.gitignore` ignores changed: its folder did not, the walk did.
    write(root, ".gitignore", "pages/p4.md\n");
    date_back(root, ".gitignore");
    assert!(reused().is_none(), "a .gitignore changed");
    keep(&walk());
    assert!(reused().is_some());
    // A page added, a folder removed: their folders changed.
    write(root, "pages/new.md", "# New\n");
    assert!(reused().is_none(), "a page added");
    common::age(root);
    keep(&walk());
    std::fs::remove_dir_all(root.join("notes")).expect("rm");
    assert!(reused().is_none(), "a folder removed");
    // A folder changed just now: that walk is not kept.
    std::fs::remove_file(&file).expect("rm");
    keep(&walk());
    assert!(reused().is_none(), "kept though the root changed just now");
}

/// A vault: a hub note links to every note's heading (one heading
/// missing) and to every note by name; a note names another by an alias.
fn write_vault(root: &Path) {
    std::fs::create_dir_all(root.join(".obsidian")).expect("mkdir");
    let mut hub = String::from("# Hub\n\n");
    for i in 0..12 {
        hub.push_str(&format!("- [[Note {i}#Details]] [[Note {i}]]\n"));
        let next = (i + 1) % 12;
        write(
            root,
            &format!("notes/Note {i}.md"),
            &format!("# Note {i}\n\n## Details\n\n[[Note {next}#Details]] [[Hub]]\n"),
        );
    }
    hub.push_str("- [[Note 3#Nowhere]]\n");
    write(root, "Hub.md", &hub);
    write(
        root,
        "notes/Note 0.md",
        "# Note 0\n\n## Details\n\n[[Note 1#Details]] [[Other name]]\n",
    );
    write(
        root,
        "notes/Note 5.md",
        "---\naliases: [Other name]\n---\n# Note 5\n\n## Details\n\n[[Note 6#Details]]\n",
    );
    common::age(root);
}

#[test]
fn in_a_vault_a_run_after_an_edit_checks_what_reads_the_page_and_finds_the_same() {
    let tree = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_vault(root);
    let all = Reused {
        as_last: 13,
        read: 0,
    };
    cached_run(root, cache.path());
    assert_eq!(cached_run(root, cache.path()), all);
    // Note 7's heading renamed: Note 7, Note 6 and the hub (which link to
    // `Note 7#Details`) are checked again; the hub with only Note 7 read,
    // its findings about the other notes (`Note 3#Nowhere`) kept. Note 7
    // now links to Note 5, which is read too (with its aliases).
    write(
        root,
        "notes/Note 7.md",
        "# Note 7\n\n## Detail\n\n[[Note 8#Details]] [[Note 5#Details]] [[Other name]]\n",
    );
    date_back(root, "notes/Note 7.md");
    let partial = cached_run(root, cache.path());
    assert_eq!(partial.as_last, 10, "{partial:?}");
    assert_eq!(cached_run(root, cache.path()), all);
    // Note 3 gains the heading the hub names: the hub's finding goes.
    write(
        root,
        "notes/Note 3.md",
        "# Note 3\n\n## Details\n\n## Nowhere\n\n[[Note 4#Details]]\n",
    );
    date_back(root, "notes/Note 3.md");
    assert_eq!(cached_run(root, cache.path()).as_last, 10);
    // Note 5's aliases changed: the vault's names with them, so every
    // note is checked (Note 0's `[[Other name]]` names no note now,
    // though Note 0 reads nothing of Note 5).
    write(
        root,
        "notes/Note 5.md",
        "---\naliases: [Another]\n---\n# Note 5\n\n## Details\n\n[[Note 6#Details]]\n",
    );
    date_back(root, "notes/Note 5.md");
    assert_eq!(cached_run(root, cache.path()).as_last, 0);
    assert_eq!(cached_run(root, cache.path()), all);
}

#[test]
fn an_edit_that_keeps_the_size_and_the_mtime_is_still_seen() {
    let (tree, cache) = fixture(false);
    let root = tree.path();
    cached_run(root, cache.path());
    // Same length, same mtime, another target: the change time differs.
    let page = root.join("pages/p1.md");
    let mtime = std::fs::metadata(&page)
        .expect("stat")
        .modified()
        .expect("mtime");
    let text = std::fs::read_to_string(&page).expect("read");
    std::fs::write(&page, text.replace("p2.md#details", "p2.md#detailz")).expect("write");
    let f = std::fs::File::options()
        .write(true)
        .open(&page)
        .expect("open");
    f.set_modified(mtime).expect("set mtime");
    let reused = cached_run(root, cache.path());
    let o = reftree(root, &["--no-cache", "--format", "short"]);
    let short = String::from_utf8_lossy(&o.stdout);
    assert!(short.contains("pages/p1.md:7:"), "{short}");
    // Page 1 checked again, with page 0 and the index that link to it.
    assert_eq!(reused.as_last, 38, "{reused:?}");
}

#[test]
fn pages_written_just_now_are_taken_from_the_cache_only_by_their_bytes() {
    let (tree, cache) = fixture(true);
    let root = tree.path();
    cached_run(root, cache.path());
    // Their records are "racy": each page is read and hashed, and the
    // unchanged ones are still not parsed again.
    assert_eq!(page_cache_run(root, cache.path()), 41);
    write(root, "pages/p2.md", "# Page 2\n\n- [Next](p3.md#nope)\n");
    assert_eq!(page_cache_run(root, cache.path()), 40);
}

#[test]
fn a_damaged_cache_file_is_never_trusted_and_is_written_anew() {
    let (tree, cache) = fixture(false);
    let root = tree.path();
    page_cache_run(root, cache.path());
    let file = cache_file(cache.path());
    let whole = std::fs::read(&file).expect("read the cache");
    let n = whole.len();
    // Cut in the header, in the first record, in the middle, one byte short.
    for cut in [0, 10, 40, n / 2, n - 1] {
        std::fs::write(&file, &whole[..cut]).expect("truncate");
        let reused = page_cache_run(root, cache.path());
        assert!(reused < 41, "cut at {cut}: {reused}");
        assert_eq!(
            page_cache_run(root, cache.path()),
            41,
            "rebuilt after the cut at {cut}"
        );
    }
    // One bit flipped: in the magic, the key, a record's length, a record's
    // body, the last byte.
    for at in [2, 20, 34, 60, n / 2, n - 1] {
        let mut bad = whole.clone();
        bad[at] ^= 0x04;
        std::fs::write(&file, &bad).expect("flip");
        let reused = page_cache_run(root, cache.path());
        assert!(reused < 41, "byte {at} flipped: {reused}");
        assert_eq!(
            page_cache_run(root, cache.path()),
            41,
            "rebuilt after byte {at}"
        );
    }
    // Not a cache at all.
    std::fs::write(&file, "reftree-cache\nbut not really").expect("write");
    forget_the_last_run(cache.path());
    let o = reftree(
        root,
        &["--cache-dir", cache.path().to_str().expect("UTF-8")],
    );
    assert!(
        stderr(&o).contains("was not used (not a reftree cache file)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(page_cache_run(root, cache.path()), 41);
}

#[test]
fn another_dialect_or_rule_file_does_not_use_the_cache() {
    let (tree, cache) = fixture(false);
    let root = tree.path();
    let dir = cache.path().to_str().expect("UTF-8");
    reftree(root, &["--cache-dir", dir]);
    let o = reftree(root, &["--cache-dir", dir, "--dialect", "obsidian"]);
    let err = stderr(&o);
    assert!(
        err.contains(
            "was not used (written by another reftree, or for another rule file or dialect)"
        ),
        "{err}"
    );
    assert!(!err.contains("read from the page cache"), "{err}");
    write(
        root,
        "reftree.toml",
        "version = 1\ncut-lists = ['^\\((\\d+) hidden\\)']\n",
    );
    common::age(root);
    let o = reftree(root, &["--cache-dir", dir, "--dialect", "obsidian"]);
    assert!(stderr(&o).contains("was not used"), "{}", stderr(&o));
}

#[test]
fn in_a_git_repository_the_cache_is_in_the_git_directory_unless_switched_off() {
    let tree = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_tree(root);
    if !git_init(root) {
        return;
    }
    common::age(root);
    let before: Vec<_> = common_files(root);
    let o = reftree(root, &["--no-cache"]);
    assert!(!root.join(".git/reftree").exists(), "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(root)
        .args(["check", "-q"])
        .env("REFTREE_NO_CACHE", "1")
        .output()
        .expect("run");
    assert!(!root.join(".git/reftree").exists(), "{}", stderr(&o));
    reftree(root, &[]);
    let o = reftree(root, &[]);
    assert!(
        stderr(&o).contains("(41 as in the last run)"),
        "{}",
        stderr(&o)
    );
    // The page cache, its list, the last run, the last walk.
    let mut kept: Vec<String> = std::fs::read_dir(root.join(".git/reftree"))
        .expect("made")
        .map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.split_once('-')
                .map(|(a, b)| format!("{a}-*{}", &b[b.rfind('.').unwrap_or(0)..]))
                .unwrap_or(name)
        })
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        ["pages-*.bin", "pages-*.idx", "run-*.bin", "walk-*.bin"]
    );
    // Nothing was written in the work tree.
    assert_eq!(common_files(root), before);
}

#[test]
fn outside_a_repository_nothing_is_written_unless_asked() {
    let tree = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_tree(root);
    let before = common_files(root);
    let o = reftree(root, &[]);
    assert!(!stderr(&o).contains("page cache"), "{}", stderr(&o));
    assert_eq!(common_files(root), before);
    // Asked for, in the tree: it is not checked as part of it.
    let o = reftree(
        root,
        &["--cache-dir", ".reftree-cache", "--format", "human"],
    );
    assert!(root.join(".reftree-cache").is_dir());
    let o2 = reftree(
        root,
        &["--cache-dir", ".reftree-cache", "--format", "human"],
    );
    assert!(
        stderr(&o2).contains("(41 read from the page cache)"),
        "{}",
        stderr(&o2)
    );
    assert!(stderr(&o).contains("41 files indexed"), "{}", stderr(&o));
    assert!(stderr(&o2).contains("41 files indexed"), "{}", stderr(&o2));
}

#[cfg(unix)]
#[test]
fn a_symlink_in_place_of_the_cache_folder_is_not_followed() {
    let tree = tempfile::tempdir().expect("tempdir");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_tree(root);
    if !git_init(root) {
        return;
    }
    std::os::unix::fs::symlink(elsewhere.path(), root.join(".git/reftree")).expect("symlink");
    let o = reftree(root, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).expect("read").count(),
        0
    );
}

/// Every file under `root` (the git directory left out) and its bytes.
fn common_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("inside");
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

/// A tree whose pages are not in memory (dropped from the page cache) is
/// read ahead, many pages at a time, and checked exactly as when warm.
#[cfg(target_os = "linux")]
#[test]
fn a_tree_not_in_memory_is_read_ahead_and_checked_the_same() {
    let tree = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_tree(root);
    for i in 0..60 {
        write(
            root,
            &format!("more/m{i}.md"),
            &format!("# M{i}\n\n[x](../pages/p{i}.md#details)\n"),
        );
    }
    let warm = reftree::check(&reftree::Options {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .expect("check");
    assert!(!warm.stats.read_ahead);
    // Written to disk, then dropped from memory.
    let pages: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let mut evicted = 0;
    for p in &pages {
        let f = std::fs::File::open(p).expect("open");
        f.sync_all().expect("sync");
        let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed);
        let mut byte = [0u8; 1];
        let mut bufs = [std::io::IoSliceMut::new(&mut byte)];
        let nowait = rustix::io::ReadWriteFlags::NOWAIT;
        if rustix::io::preadv2(&f, &mut bufs, 0, nowait) == Err(rustix::io::Errno::AGAIN) {
            evicted += 1;
        }
    }
    // That probe starts reading the page back: drop them all again.
    std::thread::sleep(std::time::Duration::from_millis(50));
    for p in &pages {
        let f = std::fs::File::open(p).expect("open");
        let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed);
    }
    let cold = reftree::check(&reftree::Options {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .expect("check");
    assert_eq!(cold.diagnostics, warm.diagnostics);
    if evicted * 4 < pages.len() * 3 {
        eprintln!(
            "this file system kept the pages in memory ({evicted} of {} dropped): the read-ahead was not exercised",
            pages.len()
        );
        return;
    }
    assert!(
        cold.stats.read_ahead,
        "{evicted} of {} pages were dropped",
        pages.len()
    );
}

/// `--changed-since` checks the tree at the revision too: its pages that
/// are byte for byte the cached ones are not parsed again, and what is
/// reported is what a run without the cache reports.
#[test]
fn the_tree_at_a_revision_reuses_cached_pages_with_the_same_bytes() {
    let (tree, cache) = fixture(false);
    let root = tree.path();
    if !git_init(root) {
        return;
    }
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(root)
            .status()
            .expect("git");
        assert!(ok.success());
    };
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "tree"]);
    write(
        root,
        "pages/p5.md",
        "# Page 5\n\n## Details\n\n- [Next](p6.md#gone)\n",
    );
    std::fs::remove_file(root.join("pages/p20.md")).expect("rm");
    let dir = cache.path().to_str().expect("UTF-8");
    let args = ["--changed-since", "HEAD", "--format", "json"];
    let without = reftree(root, &[&args[..], &["--no-cache"]].concat());
    for _ in 0..2 {
        let with = reftree(root, &[&args[..], &["--cache-dir", dir]].concat());
        assert_eq!(
            String::from_utf8_lossy(&with.stdout),
            String::from_utf8_lossy(&without.stdout)
        );
        assert_eq!(with.status.code(), without.status.code());
    }
    let short = reftree(
        root,
        &[
            "--changed-since",
            "HEAD",
            "--format",
            "short",
            "--cache-dir",
            dir,
        ],
    );
    let out = String::from_utf8_lossy(&short.stdout);
    assert!(
        out.contains("pages/p5.md:5:") && out.contains("p20.md"),
        "{out}"
    );
}

/// A tree under a rule file: tables and solutions that list each other
/// (a relation), index pages that list them (orphans, an index column, a
/// page total), and a bold count that only one solution has.
const RULES: &str = r#"version = 1
[kinds]
table = "tables/*.md"
solution = "solutions/*.md"
tables-index = "tables-index.md"

[[counts]]
form = "bold"
kind = "solution"
pattern = '^(\d+) table\(s\)$'

[[counts]]
form = "page-total"
kind = "tables-index"
pattern = '^(\d+) tables$'
item-kind = "table"

[[counts]]
form = "index-column"
kind = "tables-index"
column = "Solutions"
target-kind = "table"
target-section = "Solutions"

[[relations]]
from = { kind = "table", section = "Solutions" }
to = { kind = "solution", section = "Tables Used" }
both-ways = true

[[orphans]]
kind = "table"
index = "tables-index.md"
"#;

fn write_schema_tree(root: &Path) {
    write(root, "reftree.toml", RULES);
    let mut index = String::from("# Tables\n\n**6 tables**\n\n| Table | Solutions |\n|---|---|\n");
    for t in 0..6 {
        // Table t is used by solutions t and t + 1 (of 7).
        write(
            root,
            &format!("tables/t{t}.md"),
            &format!(
                "# T{t}\n\n## Solutions (2)\n\n- [S{t}](../solutions/s{t}.md)\n- [S{}](../solutions/s{}.md)\n",
                t + 1,
                t + 1
            ),
        );
        index.push_str(&format!("| [T{t}](tables/t{t}.md) | 2 |\n"));
    }
    write(root, "tables-index.md", &index);
    for s in 0..7usize {
        let mut text = format!("# S{s}\n\n");
        if s == 0 {
            text.push_str("This solution queries **1 table(s)**.\n\n");
        }
        text.push_str("## Tables Used\n\n");
        for t in [s.wrapping_sub(1), s].into_iter().filter(|&t| t < 6) {
            text.push_str(&format!("- [T{t}](../tables/t{t}.md)\n"));
        }
        write(root, &format!("solutions/s{s}.md"), &text);
    }
    common::age(root);
}

/// Under a rule file, a run after an edit checks again the pages whose
/// findings read the page (the other side of a relation, the index row
/// about it, the pages an index lists) and finds what a run without the
/// caches finds: a missing back-reference, an orphan, a count in an index
/// row, a count form that now matches nothing.
#[test]
fn under_a_rule_file_a_run_after_an_edit_checks_what_reads_the_page_and_finds_the_same() {
    let tree = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_schema_tree(root);
    let run = || config_run(root, cache.path(), "json");
    let edit = |page: &str, text: &str| {
        write(root, page, text);
        date_back(root, page);
    };
    let (_, clean) = run();
    assert!(clean.contains("\"diagnostics\""), "{clean}");
    assert!(!clean.contains("missing-backref"), "{clean}");
    assert_eq!(
        run().0,
        14,
        "nothing changed: every page as in the last run"
    );
    // S3 no longer lists T3: T3 (which lists S3) is checked again with S3
    // read, and says S3 does not list it back. T2, which S3 still lists,
    // is checked again too; the other pages are not.
    edit(
        "solutions/s3.md",
        "# S3\n\n## Tables Used\n\n- [T2](../tables/t2.md)\n",
    );
    let (as_last, out) = run();
    assert!(
        out.contains("missing-backref") && out.contains("solutions/s3.md"),
        "{out}"
    );
    assert_eq!(as_last, 11, "S3, T2 and T3 checked again");
    // T4 lists a third solution: the index row that says 2 for it is now
    // wrong, found on the index, which is checked again with T4 read.
    edit(
        "tables/t4.md",
        "# T4\n\n## Solutions (3)\n\n- [S4](../solutions/s4.md)\n- [S5](../solutions/s5.md)\n- [S6](../solutions/s6.md)\n",
    );
    let (as_last, out) = run();
    assert!(
        out.contains("`Solutions` says 2 for `tables/t4.md`"),
        "{out}"
    );
    assert!(as_last > 0 && as_last < 14, "{as_last}");
    // The index drops T5's row: T5 is an orphan, and the page total (6
    // tables) is now wrong; every table is checked again (the index is
    // what their `orphan-page` reads), no solution is.
    let mut index = String::from("# Tables\n\n**6 tables**\n\n| Table | Solutions |\n|---|---|\n");
    for t in 0..5 {
        let n = if t == 4 { 3 } else { 2 };
        index.push_str(&format!("| [T{t}](tables/t{t}.md) | {n} |\n"));
    }
    edit("tables-index.md", &index);
    let (as_last, out) = run();
    assert!(
        out.contains("orphan-page") && out.contains("tables/t5.md"),
        "{out}"
    );
    assert_eq!(as_last, 7, "the index and the six tables checked again");
    // The one page with the bold count drops it: the count form matches
    // nothing now, though the run checks S0 and T0 only.
    edit(
        "solutions/s0.md",
        "# S0\n\n## Tables Used\n\n- [T0](../tables/t0.md)\n",
    );
    let (as_last, out) = run();
    assert!(out.contains("rule-matches-nothing"), "{out}");
    assert!(as_last >= 11, "{as_last}");
    // And back: it matches again.
    edit(
        "solutions/s0.md",
        "# S0\n\nThis solution queries **1 table(s)**.\n\n## Tables Used\n\n- [T0](../tables/t0.md)\n",
    );
    let (as_last, out) = run();
    assert!(!out.contains("rule-matches-nothing"), "{out}");
    assert!(as_last >= 11, "{as_last}");
}

/// An MkDocs site: pages, one of which takes a heading in from another
/// file with pymdownx.snippets, and a page its fragments lead to.
fn write_site(root: &Path, plugins: &str) {
    write(
        root,
        "mkdocs.yml",
        &format!("site_name: x\nmarkdown_extensions:\n  - pymdownx.snippets\n{plugins}"),
    );
    write(
        root,
        "docs/index.md",
        "# Home\n\n[Setup](guide.md#setup) and [Install](guide.md#install)\n",
    );
    write(
        root,
        "docs/guide.md",
        "# Guide\n\n--8<-- \"includes/part.md\"\n\n## Install\n\n[Back](#setup)\n",
    );
    write(root, "includes/part.md", "## Setup\n\nText.\n");
    for i in 0..8 {
        write(
            root,
            &format!("docs/p{i}.md"),
            &format!("# Page {i}\n\n[Home](index.md) [Guide](guide.md)\n"),
        );
    }
    common::age(root);
}

/// Under MkDocs, a run after an edit is partial too: an edit to a file a
/// page takes in with snippets checks again that page and the pages whose
/// fragments lead to it. Where autorefs may take a label to a heading
/// anywhere in the site, a run after an edit checks every page.
#[test]
fn on_an_mkdocs_site_a_run_after_an_edit_checks_what_reads_the_page_and_finds_the_same() {
    let tree = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_site(root, "");
    cached_run(root, cache.path());
    assert_eq!(cached_run(root, cache.path()).as_last, 11);
    // The included heading renamed: the included file, the page that
    // includes it and the page whose fragment leads to it (`#setup`) are
    // checked again, and both fragments to it are broken.
    write(root, "includes/part.md", "## Set up\n\nText.\n");
    date_back(root, "includes/part.md");
    let reused = cached_run(root, cache.path());
    assert_eq!(reused.as_last, 8, "{reused:?}");
    let out = reftree(root, &["--format", "short", "--no-cache"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("broken-fragment").count(), 2, "{text}");
    // A page of eight others changed: it alone is checked again.
    write(root, "docs/p3.md", "# Page 3\n\n[Gone](gone.md)\n");
    date_back(root, "docs/p3.md");
    assert_eq!(cached_run(root, cache.path()).as_last, 10);

    // With autorefs, a page's `[label][]` may name a heading on any page.
    let tree = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write_site(root, "plugins:\n  - autorefs\n");
    write(root, "docs/p0.md", "# Page 0\n\nSee [Install][].\n");
    common::age(root);
    cached_run(root, cache.path());
    write(root, "docs/p5.md", "# Page 5\n\n## Other\n");
    date_back(root, "docs/p5.md");
    assert_eq!(cached_run(root, cache.path()).as_last, 0);
}

/// Under a rule file with an `[[ignore]]`, a run after an edit is partial
/// too, and finds when the ignore comes to suppress nothing, though the
/// page that used it is the only one checked again.
#[test]
fn a_partial_run_finds_when_an_ignore_comes_to_suppress_nothing() {
    let tree = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    write(
        root,
        "reftree.toml",
        "version = 1\n[[ignore]]\npaths = [\"docs/a.md\"]\nrules = [\"broken-link\"]\n",
    );
    write(root, "docs/a.md", "# A\n\n[Gone](gone.md) [B](b.md#b)\n");
    for name in ["b", "c", "d", "e"] {
        write(
            root,
            &format!("docs/{name}.md"),
            &format!("# {name}\n\n[A](a.md)\n"),
        );
    }
    common::age(root);
    let run = || config_run(root, cache.path(), "short");
    let (_, out) = run();
    assert!(!out.contains("unused-suppression"), "{out}");
    // Another page changed: the ignore is still used, on a page not checked.
    write(root, "docs/c.md", "# C\n\n[A](a.md) [D](d.md)\n");
    date_back(root, "docs/c.md");
    let (as_last, out) = run();
    assert_eq!(as_last, 4, "{out}");
    assert!(!out.contains("unused-suppression"), "{out}");
    // B's heading renamed: A (whose fragment leads to it, and which the
    // ignore names) is checked again, whole, and still uses the ignore.
    write(root, "docs/b.md", "# Bee\n\n[A](a.md)\n");
    date_back(root, "docs/b.md");
    let (as_last, out) = run();
    assert_eq!(as_last, 3, "{out}");
    assert!(
        out.contains("broken-fragment") && !out.contains("unused-suppression"),
        "{out}"
    );
    // A's broken link fixed: the ignore suppresses nothing now.
    write(root, "docs/a.md", "# A\n\n[B](b.md#b)\n");
    date_back(root, "docs/a.md");
    let (as_last, out) = run();
    assert!(as_last > 0, "{out}");
    assert!(
        out.contains("reftree.toml") && out.contains("unused-suppression"),
        "{out}"
    );
}

/// A run under `reftree.toml` with the cache in `cache`, in `format`,
/// checked against a run without it: how many pages' findings were the
/// last run's, and the report.
fn config_run(root: &Path, cache: &Path, format: &str) -> (usize, String) {
    let dir = cache.to_str().expect("UTF-8 temp path");
    let args = ["--config", "reftree.toml", "--format", format];
    let with = reftree(root, &[&args[..], &["--cache-dir", dir]].concat());
    let without = reftree(root, &[&args[..], &["--no-cache"]].concat());
    let out = String::from_utf8_lossy(&with.stdout).into_owned();
    assert_eq!(
        out,
        String::from_utf8_lossy(&without.stdout),
        "{}",
        stderr(&with)
    );
    let err = stderr(&with);
    let as_last = err
        .split_once(" as in the last run")
        .and_then(|(before, _)| before.rsplit(['(', ' ']).next()?.parse().ok())
        .unwrap_or(0usize);
    (as_last, out)
}
