//! reftree in git workflows: `--changed-since` on a temporary repository,
//! and the real `pre-commit` tool using this repository's hook.

mod common;

use common::write;

use std::path::Path;
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=reftree",
            "-c",
            "user.email=reftree@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn reftree(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("reftree runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const CHANGED_SINCE_HEAD: &[&str] = &[
    "check",
    "--changed-since",
    "HEAD",
    "--format",
    "short",
    "-q",
];

#[test]
fn changed_since_reports_what_the_change_broke_in_unchanged_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "guide.md", "# Guide\n\n## Install\n\nSteps.\n");
    write(
        d,
        "index.md",
        "# Index\n\n- [Install](guide.md#install)\n- [Old](old.md)\n",
    );
    write(d, "old.md", "# Old\n");
    write(
        d,
        "other.md",
        "# Other\n\n[already broken, not this change's doing](missing.md)\n",
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "start"]);

    // The change: a heading renamed, a page deleted, and an edit to a page
    // that already had a broken link (not this change's doing).
    write(d, "guide.md", "# Guide\n\n## Installing\n\nSteps.\n");
    git(d, &["rm", "-q", "old.md"]);
    write(
        d,
        "other.md",
        "# Other\n\nA new first paragraph.\n\n[already broken, not this change's doing](missing.md)\n",
    );

    let (code, out) = reftree(d, CHANGED_SINCE_HEAD);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        out,
        "index.md:3:22: error[broken-fragment] fragment `#install` not found in `guide.md`\n\
         index.md:4:9: error[broken-link] link target `old.md` does not exist\n"
    );
    // Without the restriction, the old finding is there too, on its new line.
    let (_, all) = reftree(d, &["check", "--format", "short", "-q"]);
    assert!(all.contains("other.md:5:"), "{all}");
    // --all-findings: every finding in the changed files and about them.
    let mut args = CHANGED_SINCE_HEAD.to_vec();
    args.push("--all-findings");
    let (code, touched) = reftree(d, &args);
    assert_eq!(code, Some(1));
    assert_eq!(touched.lines().count(), 3, "{touched}");
    assert!(touched.contains("other.md:5:"), "{touched}");

    // Nothing changed since the last commit: nothing to report.
    git(d, &["commit", "-q", "-am", "change"]);
    let (code, out) = reftree(d, CHANGED_SINCE_HEAD);
    assert_eq!((code, out.as_str()), (Some(0), ""));
}

/// `pre-commit` from PyPI (`.ci/run` installs it); where it is absent, say so.
fn pre_commit() -> Option<String> {
    let exe = std::env::var("REFTREE_PRE_COMMIT").unwrap_or_else(|_| "pre-commit".into());
    match Command::new(&exe).arg("--version").output() {
        Ok(o) if o.status.success() => Some(exe),
        _ => {
            eprintln!(
                "SKIPPED: pre-commit is not installed (pip install pre-commit); the hook test did not run"
            );
            None
        }
    }
}

#[test]
fn the_pre_commit_hook_blocks_a_broken_link_and_passes_the_fix() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let this_repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rev = String::from_utf8(git(this_repo, &["rev-parse", "HEAD"]).stdout).expect("utf8");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("docs-repo");
    std::fs::create_dir_all(&d).expect("mkdir");
    git(&d, &["init", "-q", "-b", "main"]);
    // The README's snippet, pointed at this repository's HEAD.
    let snippet = std::fs::read_to_string(this_repo.join("examples/ci/pre-commit-config.yaml"))
        .expect("the snippet");
    let config: String = snippet
        .lines()
        .map(|l| match l.trim_start() {
            t if t.starts_with("- repo:") => format!("  - repo: {}", this_repo.display()),
            t if t.starts_with("rev:") => format!("    rev: {}", rev.trim()),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(&d, ".pre-commit-config.yaml", &format!("{config}\n"));
    write(&d, "index.md", "# Index\n\n[Guide](guide.md)\n");
    write(&d, "guide.md", "# Guide\n");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_reftree"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.path().join("pre-commit-home");
    let run = |args: &[&str]| {
        Command::new(&pre_commit)
            .current_dir(&d)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", &home)
            .args(args)
            .output()
            .expect("pre-commit runs")
    };
    // Commit through the hook: whether it passed, and what it said.
    let commit = || {
        let out = Command::new("git")
            .current_dir(&d)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", &home)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(["commit", "-q", "-m", "docs"])
            .output()
            .expect("git commit runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    };
    let installed = run(&["install"]);
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );

    // A broken link: the commit fails, and says why.
    write(&d, "index.md", "# Index\n\n[Guide](guid.md)\n");
    git(&d, &["add", "."]);
    let (passed, said) = commit();
    assert!(!passed, "the commit should fail: {said}");
    assert!(
        said.contains("index.md:3:9: error[broken-link] link target `guid.md` does not exist"),
        "{said}"
    );

    // Fixed: the commit passes.
    write(&d, "index.md", "# Index\n\n[Guide](guide.md)\n");
    git(&d, &["add", "."]);
    let (passed, said) = commit();
    assert!(passed, "the commit should pass: {said}");

    // A linked page deleted: pre-commit passes no deleted path, the hook
    // still sees it, and the commit fails.
    git(&d, &["rm", "-q", "guide.md"]);
    let (passed, said) = commit();
    assert!(!passed, "the deletion should fail: {said}");
    assert!(
        said.contains("index.md:3:9: error[broken-link] link target `guide.md` does not exist"),
        "{said}"
    );
    git(&d, &["reset", "-q", "--hard"]);

    // A linked page renamed: the same.
    git(&d, &["mv", "guide.md", "manual.md"]);
    let (passed, said) = commit();
    assert!(!passed, "the rename should fail: {said}");
    assert!(
        said.contains("index.md:3:9: error[broken-link] link target `guide.md` does not exist"),
        "{said}"
    );
    // Renamed with the link updated: it passes.
    write(&d, "index.md", "# Index\n\n[Guide](manual.md)\n");
    git(&d, &["add", "."]);
    let (passed, said) = commit();
    assert!(passed, "the rename with its link should pass: {said}");
}

#[test]
fn a_renamed_page_keeps_its_old_findings_and_links_to_its_old_name_are_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let long = "Text that makes the page long enough for git to see a rename.\n".repeat(20);
    write(
        d,
        "guide.md",
        &format!("# Guide\n\n{long}\n[not written yet](todo.md)\n"),
    );
    write(d, "index.md", "# Index\n\n[Guide](guide.md)\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "start"]);
    git(d, &["mv", "guide.md", "manual.md"]);

    let (code, out) = reftree(d, CHANGED_SINCE_HEAD);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        out,
        "index.md:3:9: error[broken-link] link target `guide.md` does not exist\n"
    );
}

#[test]
fn the_first_commit_compares_with_an_empty_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "index.md", "# Index\n\n[Guide](guide.md)\n");
    git(d, &["add", "."]);
    let (code, out) = reftree(d, CHANGED_SINCE_HEAD);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        out,
        "index.md:3:9: error[broken-link] link target `guide.md` does not exist\n"
    );
}

#[test]
fn a_revision_that_is_not_there_says_so_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "index.md", "# Index\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "start"]);
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(d)
        .args(["check", "--changed-since", "origin/main"])
        .output()
        .expect("reftree runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--changed-since `origin/main`: not a revision of this repository"),
        "{err}"
    );
}

#[test]
fn on_a_shallow_clone_the_error_says_how_to_fetch_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let origin = dir.path().join("origin");
    std::fs::create_dir_all(&origin).expect("mkdir");
    git(&origin, &["init", "-q", "-b", "main"]);
    for text in ["# One\n", "# Two\n"] {
        write(&origin, "index.md", text);
        git(&origin, &["add", "."]);
        git(&origin, &["commit", "-q", "-m", "page"]);
    }
    let url = format!("file://{}", origin.display());
    let clone = dir.path().join("clone");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            clone.to_str().expect("utf-8"),
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(&clone)
        .args(["check", "--changed-since", "HEAD~1"])
        .output()
        .expect("reftree runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("this clone is shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

/// A repository whose tree is in a subfolder, with the rule file at the
/// top saying where: `reftree check` works with no arguments from anywhere
/// in it; GitHub and SARIF paths are from the repository top, `short`
/// paths from the current folder.
#[test]
fn a_tree_in_a_subfolder_is_found_from_the_top_and_shown_from_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "reftree.toml",
        "version = 1\nroot = \"Solutions Docs\"\n",
    );
    write(
        d,
        "README.md",
        "# Repository\n\n[not in the tree](gone.md)\n",
    );
    write(
        d,
        "Solutions Docs/index.md",
        "# Index\n\n[Guide](guid.md)\n",
    );
    write(
        d,
        "Solutions Docs/asim/page.md",
        "# Page\n\n[Up](../index.md)\n",
    );

    let (code, out) = reftree(d, &["check", "--format", "github", "-q"]);
    assert_eq!(code, Some(1));
    assert!(
        out.starts_with("::error file=Solutions Docs/index.md,line=3,col=9,"),
        "{out}"
    );
    assert_eq!(
        out.lines().count(),
        1,
        "the README is outside the tree: {out}"
    );

    let (_, out) = reftree(
        &d.join("Solutions Docs/asim"),
        &["check", "--format", "short", "-q"],
    );
    assert_eq!(
        out,
        "../index.md:3:9: error[broken-link] link target `guid.md` does not exist\n"
    );
    let (_, github) = reftree(
        &d.join("Solutions Docs/asim"),
        &["check", "--format", "github", "-q"],
    );
    assert!(github.contains("file=Solutions Docs/index.md,"), "{github}");

    let (_, sarif) = reftree(
        d,
        &["check", "--root", "Solutions Docs", "--format", "sarif"],
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &sarif["runs"][0];
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "Solutions%20Docs/index.md");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("a base URI");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    assert!(
        run["results"][0]["partialFingerprints"]["reftreeFinding/v1"].is_string(),
        "{run}"
    );
}

#[test]
fn a_rule_file_root_outside_its_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("repo");
    std::fs::create_dir_all(&d).expect("mkdir");
    git(&d, &["init", "-q", "-b", "main"]);
    write(&d, "reftree.toml", "version = 1\nroot = \"../\"\n");
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(&d)
        .arg("check")
        .output()
        .expect("reftree runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("must be a folder under the rule file's folder"),
        "{err}"
    );
}

#[test]
fn vaults_whose_obsidian_folder_git_ignores_are_vaults_at_the_revision_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, ".gitignore", ".obsidian\n");
    // Two vaults with the same note names; `de` already links a note that
    // only `en` has (found as one vault, it would resolve).
    for lang in ["en", "de"] {
        std::fs::create_dir_all(d.join(lang).join(".obsidian")).expect("mkdir");
        write(d, &format!("{lang}/Home.md"), "# Home\n\n[[Setup]]\n");
        write(d, &format!("{lang}/Setup.md"), "# Setup\n");
    }
    write(d, "en/Only English.md", "# Only English\n");
    write(d, "de/Old.md", "# Old\n\n[[Only English]]\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "start"]);
    let (_, all) = reftree(d, &["check", "--format", "short", "-q"]);
    assert_eq!(
        all,
        "de/Old.md:3:3: error[broken-wiki-link] no note or file named `Only English` in the vault\n"
    );
    // An unrelated edit: the old finding is old at the revision too.
    write(d, "en/Setup.md", "# Setup\n\nMore.\n");
    let (code, out) = reftree(d, CHANGED_SINCE_HEAD);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    // A new cross-vault link is new.
    write(d, "de/Home.md", "# Home\n\n[[Setup]] [[Only English]]\n");
    let (code, out) = reftree(d, CHANGED_SINCE_HEAD);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        out,
        "de/Home.md:3:13: error[broken-wiki-link] no note or file named `Only English` in the vault\n"
    );
}
