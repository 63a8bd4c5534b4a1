//! CLI transcripts (trycmd): exit codes, formats, PATH subsets, bad input.
//! `TRYCMD=overwrite cargo test --test cli` rewrites the expected output.

#[test]
fn transcripts() {
    // The transcripts show a first run's summary: no page cache.
    trycmd::TestCases::new()
        .env("REFTREE_NO_CACHE", "1")
        .case("tests/cmd/*.toml")
        .case("README.md");
}

/// A FIFO named like a page cannot be read as one: the run reports it, goes
/// on, and exits 2. (Built at run time: git cannot store a FIFO.)
#[test]
fn a_page_that_cannot_be_read_is_reported_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("index.md"), "# Index\n\n[gone](gone.md)\n").expect("write");
    let fifo = dir.path().join("pipe.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available here: skipping the unreadable-file case");
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reftree"))
        .args(["check", "--format", "short", "--root"])
        .arg(dir.path())
        .output()
        .expect("run reftree");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "stdout: {stdout}");
    assert!(
        stdout.contains("pipe.md:1:1: error[unreadable-file] `pipe.md` is not a regular file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("index.md:3:8: error[broken-link]"),
        "the rest is still checked: {stdout}"
    );
}
