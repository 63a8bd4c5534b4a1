//! MkDocs' heading anchors are Python-Markdown's, not GitHub's: checked
//! against what the real tools made of 500 random heading texts
//! (`tests/golden/mkdocs_anchors.py` wrote the file), and on a site whose
//! `mkdocs.yml` chooses the slugify function.

mod common;

use common::write;
use reftree::parse::slug::{Case, Normalize, pymdownx_slug, python_markdown_slug};
use std::path::Path;
use std::process::Command;

#[test]
fn anchors_are_those_python_markdown_and_pymdownx_make() {
    let golden = include_str!("golden/mkdocs_anchors.jsonl");
    let mut lines = golden.lines();
    let versions = lines.next().expect("a first line");
    assert!(versions.contains("\"markdown\""), "{versions}");
    let mut compared = 0;
    for line in lines {
        let case: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let text = case["text"].as_str().expect("text");
        let want: Vec<&str> = case["anchors"]
            .as_array()
            .expect("anchors")
            .iter()
            .map(|a| a.as_str().expect("a string"))
            .collect();
        let got = [
            python_markdown_slug(text, "-", false),
            python_markdown_slug(text, "-", true),
            python_markdown_slug(text, "_", false),
            pymdownx_slug(text, "-", Case::Lower, Normalize::Nfc),
            pymdownx_slug(text, "-", Case::Keep, Normalize::Nfc),
        ];
        for (i, (got, want)) in got.iter().zip(&want).enumerate() {
            assert_eq!(got, want, "slugify #{i} of {text:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 2500);
}

/// `reftree check --format short -q` in `dir`: stdout.
fn short(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir)
        .args([
            "check",
            "--root",
            ".",
            "--no-cache",
            "--format",
            "short",
            "-q",
        ])
        .output()
        .expect("reftree runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Headings, repeats, `{ id="..." }` and footnotes, linked as an MkDocs
/// site links them: nothing to report; then the same links on GitHub's
/// anchors would be broken, and a real typo is.
const GUIDE: &str = "# Guide

## Sub- and superscripts

## Caret, Mark & Tilde

## Café

## Usage

## Usage

### 9.7.0 <small>November 11, 2025</small> { id=\"9.7.0\" }

### Navigation path { id=navigation-path }

A note.[^1]

[^1]: The note.
";

const INDEX: &str = "# Index

- [a](guide.md#sub-and-superscripts)
- [b](guide.md#caret-mark-tilde)
- [c](guide.md#cafe)
- [d](guide.md#usage_1)
- [e](guide.md#9.7.0)
- [f](guide.md#navigation-path)
- [g](guide.md#fn:1)
- [h](guide.md#fnref:1)
";

#[test]
fn an_mkdocs_site_links_headings_by_python_markdowns_anchors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "mkdocs.yml",
        "site_name: x\nmarkdown_extensions:\n  - attr_list\n  - footnotes\n",
    );
    write(d, "docs/guide.md", GUIDE);
    write(d, "docs/index.md", INDEX);
    assert_eq!(short(d), "");

    // GitHub's anchors for the same headings: the site's links miss.
    std::fs::remove_file(d.join("mkdocs.yml")).expect("removed");
    let github = short(d);
    for fragment in [
        "#sub-and-superscripts",
        "#caret-mark-tilde",
        "#cafe",
        "#usage_1",
        "#fn:1",
    ] {
        assert!(
            github.contains(&format!("`{fragment}`")),
            "{fragment}: {github}"
        );
    }

    // Without `footnotes` in the configuration, footnotes have no anchors.
    write(
        d,
        "mkdocs.yml",
        "site_name: x\nmarkdown_extensions:\n  - attr_list\n",
    );
    let out = short(d);
    assert!(out.contains("fragment `#fn:1` not found"), "{out}");
    assert!(!out.contains("#cafe"), "{out}");
}

#[test]
fn a_toc_slugify_named_in_mkdocs_yml_makes_the_anchors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "mkdocs.yml",
        "site_name: x
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
",
    );
    write(
        d,
        "docs/guide.md",
        "# Guide\n\n## Sub- and superscripts\n\n## Café\n",
    );
    write(
        d,
        "docs/index.md",
        "# Index\n\n[a](guide.md#sub--and-superscripts) [b](guide.md#café) [c](guide.md#cafe)\n",
    );
    assert_eq!(
        short(d),
        "docs/index.md:3:69: error[broken-fragment] fragment `#cafe` not found in `docs/guide.md`\n"
    );
}

/// `reftree check --format short` in `dir`: stdout and stderr.
fn short_and_summary(dir: &Path) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir)
        .args(["check", "--root", ".", "--no-cache", "--format", "short"])
        .output()
        .expect("reftree runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A site with mkdocstrings (which loads autorefs): `[text][label]` with
/// no definition links to the heading anchored `label` anywhere in the
/// site, else to an API object (counted, not checked); `#pkg.mod.Class`
/// on a page that documents `pkg.mod` is that object's anchor; attr_list
/// ids after a paragraph are anchors. Without the plugins, the same labels
/// are undefined.
#[test]
fn autorefs_and_mkdocstrings_link_what_no_page_defines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plugins = "site_name: x\nplugins:\n  - search\n  - mkdocstrings:\n      handlers:\n        python: {}\n";
    write(d, "mkdocs.yml", plugins);
    write(
        d,
        "docs/api.md",
        "# API\n\n::: pkg.models\n    options:\n      show_root_heading: true\n",
    );
    write(
        d,
        "docs/guide.md",
        "# Guide\n\n## Usage\n\n* **After** validators.\n{#after-validator}\n",
    );
    write(
        d,
        "docs/index.md",
        "# Index\n\n[Usage][usage] and [`Model`][pkg.models.Model] and [`str`][] and \
         [after](guide.md#after-validator) and [Model](api.md#pkg.models.Model).\n",
    );
    let (out, err) = short_and_summary(d);
    assert_eq!(out, "");
    assert!(
        err.contains("2 `[text][identifier]` links name no heading: MkDocs' autorefs leaves them to mkdocstrings"),
        "{err}"
    );

    // autorefs alone knows headings, not objects.
    write(d, "mkdocs.yml", "site_name: x\nplugins:\n  - autorefs\n");
    let (out, _) = short_and_summary(d);
    assert!(!out.contains("label `usage`"), "{out}");
    assert!(out.contains("label `pkg.models.Model`"), "{out}");
    assert!(
        out.contains("fragment `#pkg.models.Model` not found"),
        "{out}"
    );

    // Neither: every undefined label is reported.
    write(d, "mkdocs.yml", "site_name: x\n");
    let (out, _) = short_and_summary(d);
    assert!(out.contains("label `usage`"), "{out}");
}

/// pymdownx.snippets puts a file's text in a page (`--8<-- "file.md"`,
/// looked for in `base_path`, else beside `mkdocs.yml`): its headings are
/// the page's anchors. Not when the extension is off.
#[test]
fn a_page_has_the_headings_of_the_files_its_snippets_include() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "mkdocs.yml",
        "site_name: x\nmarkdown_extensions:\n  - pymdownx.snippets\n",
    );
    write(
        d,
        "CONTRIBUTING.md",
        "# Contributing\n\n## Submitting pull requests\n",
    );
    write(d, "docs/contributing.md", "--8<-- \"CONTRIBUTING.md\"\n");
    write(
        d,
        "docs/index.md",
        "# Index\n\n[PRs](contributing.md#submitting-pull-requests) [typo](contributing.md#submiting)\n",
    );
    assert_eq!(
        short(d),
        "docs/index.md:3:72: error[broken-fragment] fragment `#submiting` not found in `docs/contributing.md`\n"
    );
    write(d, "mkdocs.yml", "site_name: x\n");
    assert!(short(d).contains("`#submitting-pull-requests` not found"));
}

/// all-contributors writes each contributor's emoji as a link to an
/// anchor no page has (`#question-login`), on purpose: inside its table
/// those are counted, not reported; the same link elsewhere is broken.
#[test]
fn all_contributors_emoji_links_are_counted_not_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "README.md",
        "# Project\n\n## Contributors\n\n<!-- ALL-CONTRIBUTORS-LIST:START - Do not remove or modify this section -->\n\
         <table><tr><td><a href=\"https://github.com/ann\">Ann</a><br />\
         <a href=\"#question-ann\" title=\"Answering Questions\">💬</a> \
         <a href=\"#userTesting-ann\" title=\"User Testing\">📓</a> \
         <a href=\"#contributors\">up</a> <a href=\"#nope-ann\">?</a></td></tr></table>\n\
         <!-- ALL-CONTRIBUTORS-LIST:END -->\n",
    );
    let (out, err) = short_and_summary(d);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("fragment `#nope-ann` not found"), "{out}");
    assert!(
        err.contains("2 links of all-contributors tables (`#code-login`) lead nowhere by design"),
        "{err}"
    );
    write(
        d,
        "OTHER.md",
        "# Other\n\n<a href=\"#question-ann\">💬</a>\n",
    );
    let (out, _) = short_and_summary(d);
    assert!(
        out.contains("OTHER.md:3:11: error[broken-fragment] fragment `#question-ann`"),
        "{out}"
    );
}

#[test]
fn github_anchors_keep_joiners_and_drop_other_numbers() {
    // An emoji sequence keeps its zero width joiner in GitHub's anchor; a
    // superscript number is dropped; the suggestion says what to type.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "README.md",
        "# Modes\n\n\
         - [Code](#code-mode-%E2%80%8D)\n\
         - [Code, as a generator wrote it](#code-mode-)\n\
         - [Vila](#vila-augmented)\n\
         - [Vila kept](#vila²-augmented)\n\n\
         ## Code Mode 👨\u{200d}💻\n\n\
         ## VILA² Augmented\n",
    );
    assert_eq!(
        short(dir.path()),
        "README.md:4:36: error[broken-fragment] fragment `#code-mode-` not found in this page\n\
         README.md:6:16: error[broken-fragment] fragment `#vila²-augmented` not found in this page\n"
    );
    let human = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir.path())
        .args(["check", "--root", ".", "--no-cache"])
        .output()
        .expect("reftree runs");
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("did you mean `#code-mode-%E2%80%8D`?"),
        "{human}"
    );
}
