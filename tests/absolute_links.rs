//! Links to `/path`, as each dialect resolves them: GitHub and GitLab from
//! the repository top (the root may be a folder in it), MkDocs from
//! `docs_dir`. And links to a folder's page (`sub/#part`).

mod common;

use common::write;

use std::path::Path;
use std::process::Command;

/// `reftree check ARGS --format short -q` from `dir`: stdout.
fn short(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "short", "-q"])
        .output()
        .expect("reftree runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn github_reads_a_slash_from_the_repository_top_even_when_the_root_is_a_folder_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).expect("a repository top");
    write(d, "docs/guide.md", "# Guide\n\n## Install\n");
    write(
        d,
        "docs/index.md",
        "# Index\n\n[ok](/docs/guide.md#install)\n[fragment](/docs/guide.md#nope)\n[missing](/docs/gone.md)\n[out of the root](/README.md)\n",
    );
    assert_eq!(
        short(d, &["--root", "docs"]),
        "docs/index.md:4:27: error[broken-fragment] fragment `#nope` not found in `guide.md`\n\
         docs/index.md:5:11: error[broken-link] link target `/docs/gone.md` does not exist (resolved to `gone.md`)\n\
         docs/index.md:6:19: warning[link-outside-root] link `/README.md` leads outside the checked root; it was not checked\n"
    );
    // From the top, the same links are inside the root.
    assert_eq!(
        short(d, &[]),
        "docs/index.md:4:27: error[broken-fragment] fragment `#nope` not found in `docs/guide.md`\n\
         docs/index.md:5:11: error[broken-link] link target `/docs/gone.md` does not exist (resolved to `docs/gone.md`)\n\
         docs/index.md:6:19: error[broken-link] link target `/README.md` does not exist (resolved to `README.md`)\n"
    );
}

#[test]
fn mkdocs_reads_a_slash_from_docs_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "mkdocs.yml", "site_name: x\ndocs_dir: src\n");
    write(d, "src/sub/page.md", "# Page\n\n## Part two\n");
    write(
        d,
        "src/index.md",
        "# Home\n\n[ok](/sub/page.md#part-two)\n[missing](/sub/gone.md)\n",
    );
    assert_eq!(
        short(d, &[]),
        "src/index.md:4:11: error[broken-link] link target `/sub/gone.md` does not exist (resolved to `src/sub/gone.md`)\n"
    );
}

#[test]
fn a_fragment_on_a_folder_link_is_checked_in_the_folder_page_the_dialect_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "guide/README.md", "# Guide\n\n## Intro\n");
    write(d, "guide/index.md", "# Guide index\n\n## Overview\n");
    write(
        d,
        "index.md",
        "# Home\n\n[a](guide/#intro)\n[b](guide/#overview)\n[c](guide#nope)\n",
    );
    // GitHub shows the folder's README.
    assert_eq!(
        short(d, &[]),
        "index.md:4:12: error[broken-fragment] fragment `#overview` not found in `guide/README.md`\n\
         index.md:5:11: error[broken-fragment] fragment `#nope` not found in `guide/README.md`\n"
    );
    // MkDocs makes index.md the folder's page.
    assert_eq!(
        short(d, &["--dialect", "mkdocs"]),
        "index.md:3:12: error[broken-fragment] fragment `#intro` not found in `guide/index.md`\n\
         index.md:5:11: error[broken-fragment] fragment `#nope` not found in `guide/index.md`\n"
    );
}

/// MkDocs rewrites a link to a file of the site; any other it leaves as
/// written, a URL the browser resolves from the page's own URL (`a/b.md`
/// is served at `a/b/`, `index.md` at the site's top). Those the built
/// site serves are not broken: `getting-started/` on `index.md`,
/// `../../img/x.png` on `guide/setup.md`, raw HTML's `href="guide/setup/"`.
#[test]
fn mkdocs_serves_links_it_leaves_as_urls_from_the_pages_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "mkdocs.yml", "site_name: x\n");
    write(d, "docs/img/x.png", "png");
    write(d, "docs/getting-started.md", "# Start\n");
    write(
        d,
        "docs/guide/setup.md",
        "# Setup\n\n![x](../../img/x.png) ![missing](../../img/y.png) [start](../../getting-started/)\n",
    );
    write(
        d,
        "docs/index.md",
        "# Index\n\n[start](getting-started/) <a href=\"guide/setup/\">setup</a> [gone](gone/) [page](getting-started)\n",
    );
    assert_eq!(
        short(d, &["--root", "."]),
        "docs/guide/setup.md:3:34: warning[link-outside-root] link `../../img/y.png` leads outside `docs`, the folder the site is built from; it was not checked\n\
         docs/index.md:3:67: error[broken-link] link target `gone/` does not exist (resolved to `docs/gone`)\n"
    );
    // Served as `x.html` (use_directory_urls: false), `setup.md` is at
    // `guide/setup.html`: `../../img/x.png` leaves the site.
    write(d, "mkdocs.yml", "site_name: x\nuse_directory_urls: false\n");
    let out = short(d, &["--root", "."]);
    assert!(
        out.contains("link `../../img/x.png` leads outside"),
        "{out}"
    );
}

/// On a site whose pages a macros plugin renders (`plugins: [macros]`, or
/// an extension like FastAPI's `zensical.extensions.macros`, with
/// `mkdocs.yml`'s lists written as mappings), `{{ sponsor.url }}` is
/// filled in when the site is built: counted in the summary, not a
/// broken link. Without macros it is one, and its help says why.
#[test]
fn template_links_on_a_site_with_macros_are_counted_not_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "mkdocs.yml",
        "site_name: x\nmarkdown_extensions:\n  zensical.extensions.macros: null\n",
    );
    write(
        d,
        "docs/index.md",
        "# Index\n\n[sponsor]({{ sponsor.url }}) [logo]({{sponsor.img}}) [gone](gone.md)\n",
    );
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_reftree"))
            .current_dir(d)
            .args(["check", "--root", ".", "--format", "short"])
            .output()
            .expect("reftree runs")
    };
    let out = run();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        stdout,
        "docs/index.md:3:61: error[broken-link] link target `gone.md` does not exist\n"
    );
    assert!(
        stderr.contains("2 links are template expressions"),
        "{stderr}"
    );
    write(d, "mkdocs.yml", "site_name: x\n");
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("link target `{{sponsor.img}}` does not exist"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`{{ sponsor.url }}` is shown as plain text"),
        "{stdout}"
    );
}

#[test]
fn an_issue_or_pull_request_template_reads_a_slash_from_the_forge_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).expect("a repository top");
    write(d, "CONTRIBUTING.md", "# Contributing\n");
    let body =
        "# Checklist\n\n- [guide](/owner/repo/blob/main/CONTRIBUTING.md)\n- [gone](GONE.md)\n";
    // A forge puts these into a new issue's or pull request's text, where
    // `/owner/repo/...` is a page of its site: not checked.
    write(d, ".github/PULL_REQUEST_TEMPLATE.md", body);
    write(d, ".github/ISSUE_TEMPLATE/bug.md", body);
    write(d, ".gitlab/merge_request_templates/default.md", body);
    // Anywhere else the same `/path` is read from the repository top.
    write(d, "docs/guide.md", body);
    let slash = |dialect: &str| -> Vec<String> {
        let out = short(d, &["--dialect", dialect]);
        // Relative links are checked in every page.
        assert_eq!(out.matches("`GONE.md` does not exist").count(), 4, "{out}");
        out.lines()
            .filter(|l| l.contains("`/owner/repo/"))
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        slash("github"),
        [
            ".gitlab/merge_request_templates/default.md",
            "docs/guide.md"
        ]
    );
    assert_eq!(
        slash("gitlab"),
        [
            ".github/ISSUE_TEMPLATE/bug.md",
            ".github/PULL_REQUEST_TEMPLATE.md",
            "docs/guide.md"
        ]
    );
}
