//! Sites built from a folder of the tree. Books built with mdBook
//! (`book.toml` at the root): pages are served as `.html`, a folder's
//! README as its `index.html`, headings anchored by mdBook's rules, and a
//! page links only within the book's `src` (links above it go to other
//! sites: reported as leaving, never as broken). MkDocs sites: the pages
//! `pymdownx.snippets` appends to every page define labels for all of them.

mod common;

use common::write;

use std::path::Path;
use std::process::Command;

/// `reftree check ARGS --format short -q` from `dir`: stdout and stderr.
fn short(dir: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir)
        .env("REFTREE_NO_CACHE", "1")
        .arg("check")
        .args(args)
        .args(["--format", "short"])
        .output()
        .expect("reftree runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A small book as mdBook's guide describes one: `.md` and `.html` links,
/// a folder README, a custom heading id, a link to the standard library's
/// site beside the book, and a second book in a folder of its own.
fn book(d: &Path) {
    write(d, "book.toml", "[book]\ntitle = \"A book\"\n");
    write(
        d,
        "src/SUMMARY.md",
        "# Summary\n\n- [Intro](intro.md)\n- [Guide](guide/README.md)\n  - [Setup](guide/setup.md)\n",
    );
    write(
        d,
        "src/intro.md",
        "# Introduction\n\n## `--flags`: what they do\n\n## Usage {#use}\n\n\
         See [setup](guide/setup.html#first-steps), [the guide](guide/index.html),\n\
         [flags](#--flags-what-they-do), [usage](#use), [top](/intro.md#introduction)\n\
         and [`Option`](../std/option/enum.Option.html).\n",
    );
    write(
        d,
        "src/guide/README.md",
        "# Guide\n\nStart with [setup](setup.md).\n",
    );
    write(
        d,
        "src/guide/setup.md",
        "# Setup\n\n## First steps\n\n## 中文標題 CJK title\n\n[back](../intro.html#use), [cjk](#中文標題-cjk-title)\n",
    );
    // An older edition, a book of its own whose pages point to the new one.
    write(d, "old/book.toml", "[book]\n");
    write(
        d,
        "old/src/intro.md",
        "# Moved\n\nNow [here](../intro.html).\n",
    );
}

#[test]
fn a_clean_book_has_no_errors_and_says_it_is_read_as_mdbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    book(d);
    let (out, err) = short(d, &[]);
    assert!(
        err.contains("as mdbook renders them (`book.toml` at the root)"),
        "{err}"
    );
    assert_eq!(
        out,
        "old/src/intro.md:3:12: warning[link-outside-root] link `../intro.html` leads outside `old/src`, the folder the site is built from; it was not checked\n\
         src/intro.md:9:16: warning[link-outside-root] link `../std/option/enum.Option.html` leads outside `src`, the folder the site is built from; it was not checked\n"
    );
}

#[test]
fn drift_in_a_book_is_found_page_heading_and_anchor_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    book(d);
    write(
        d,
        "src/guide/README.md",
        "# Guide\n\n[gone](gone.html), [heading](setup.html#last-steps), [id](../intro.html#usage)\n",
    );
    let (out, _) = short(d, &["-q"]);
    let errors: Vec<&str> = out.lines().filter(|l| l.contains("error[")).collect();
    assert_eq!(
        errors,
        [
            "src/guide/README.md:3:8: error[broken-link] link target `gone.html` does not exist",
            "src/guide/README.md:3:41: error[broken-fragment] fragment `#last-steps` not found in `src/guide/setup.md`",
            "src/guide/README.md:3:73: error[broken-fragment] fragment `#usage` not found in `src/intro.md`",
        ]
    );
}

#[test]
fn the_same_book_read_as_github_pages_reports_its_html_links() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    book(d);
    let (out, _) = short(d, &["--dialect", "github", "-q"]);
    assert!(
        out.contains("error[broken-link] link target `guide/setup.html` does not exist"),
        "{out}"
    );
}

#[test]
fn labels_defined_in_a_page_mkdocs_appends_to_every_page_are_defined() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "mkdocs.yml",
        "site_name: x\nmarkdown_extensions:\n  - pymdownx.snippets:\n      auto_append:\n        - includes/links.md\n",
    );
    write(
        d,
        "includes/links.md",
        "[mkdocs.nav]: https://www.mkdocs.org/user-guide/configuration/#nav\n",
    );
    write(
        d,
        "docs/index.md",
        "# Home\n\nSee [`nav`][MkDocs.Nav] and [the theme][theme].\n",
    );
    let (out, _) = short(d, &["-q"]);
    assert_eq!(
        out,
        "docs/index.md:3:29: error[undefined-reference] reference link `[the theme][theme]` uses label `theme`, which is never defined\n"
    );
}

#[test]
fn custom_ids_under_github_are_counted_with_the_dialects_that_check_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "index.md",
        "# Home\n\n## Usage {#use}\n\n[usage](#use)\n",
    );
    let (out, err) = short(d, &[]);
    assert!(out.contains("`{#use}` is not an anchor"), "{out}");
    assert!(
        err.contains(
            "1 `{#id}` heading anchors not checked: github shows them as text (`--dialect mkdocs` or `--dialect mdbook` checks them)"
        ),
        "{err}"
    );
    let (out, _) = short(d, &["--dialect", "mdbook"]);
    assert_eq!(out, "");
}
