//! The closing summary: totals, then findings grouped by rule and by their
//! most common subject, so one cause repeated thousands of times reads as one line.

use crate::Outcome;
use crate::diag::Severity;
use crate::dialect::Dialect;
use std::collections::HashMap;
use std::fmt::Write;

/// How many of the most common subjects to show per rule.
const TOP: usize = 3;

pub fn render(outcome: &Outcome) -> String {
    let s = &outcome.stats;
    let mut out = String::new();
    let mut by_rule: Vec<(&str, Vec<&str>)> = Vec::new();
    for d in &outcome.diagnostics {
        let subject = subject(&d.message);
        match by_rule.iter_mut().find(|(r, _)| *r == d.rule) {
            Some((_, v)) => v.push(subject),
            None => by_rule.push((d.rule, vec![subject])),
        }
    }
    by_rule.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (rule, subjects) in &by_rule {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for s in subjects {
            *counts.entry(s).or_default() += 1;
        }
        let mut common: Vec<(&str, usize)> = counts.into_iter().filter(|(_, n)| *n > 1).collect();
        common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let _ = write!(out, "{:>7} {rule}", subjects.len());
        if !common.is_empty() {
            let top: Vec<String> = common
                .iter()
                .take(TOP)
                .map(|(s, n)| format!("{} ×{n}", crate::diag::code(&super::escape_controls(s))))
                .collect();
            let _ = write!(out, "  (most common: {})", top.join(", "));
        }
        out.push('\n');
    }
    // Syntax another dialect would check: never skipped without a word.
    let others = |what: &str, n: usize, checks: fn(Dialect) -> bool| {
        let would: Vec<String> = Dialect::ALL
            .into_iter()
            .filter(|d| checks(*d))
            .map(|d| format!("`--dialect {}`", d.name()))
            .collect();
        format!(
            "{n} {what} not checked: {} shows them as text ({} checks them)\n",
            s.dialect.name(),
            would.join(" or ")
        )
    };
    if s.unchecked_wiki_links > 0 {
        out.push_str(&others(
            "[[wiki]] links",
            s.unchecked_wiki_links,
            Dialect::has_wiki_links,
        ));
    }
    if s.ignored_custom_ids > 0 {
        out.push_str(&others(
            "`{#id}` heading anchors",
            s.ignored_custom_ids,
            Dialect::has_custom_ids,
        ));
    }
    if s.gitlab_references > 0 {
        let _ = writeln!(
            out,
            "{} links are GitLab references (`group/project!123`, `project@0a4cdd86`): GitLab links them to those merge requests, issues and commits, which are not checked offline",
            s.gitlab_references
        );
    }
    // What is counted, not checked, each with its reason.
    for (n, what) in [
        (
            s.contributor_links,
            "links of all-contributors tables (`#code-login`) lead nowhere by design: not checked",
        ),
        (
            s.template_links,
            "links are template expressions (`{{ page.url }}`) that the site's macros fill in when it is built: not checked",
        ),
        (
            s.api_references,
            "`[text][identifier]` links name no heading: MkDocs' autorefs leaves them to mkdocstrings (API objects, not in the pages), which is not checked offline",
        ),
    ] {
        if n > 0 {
            let _ = writeln!(out, "{n} {what}");
        }
    }
    for c in &outcome.compared {
        compared(&mut out, c);
    }
    let mut reused = String::new();
    if let Some(c) = &outcome.cache {
        let file = c.file.display().to_string();
        let file = super::escape_controls(&file);
        if let Some(why) = &c.discarded {
            let _ = writeln!(
                out,
                "the page cache `{file}` was not used ({why}); it is written anew"
            );
        }
        if let Some(e) = &c.error {
            let _ = writeln!(
                out,
                "the page cache was not saved ({e}); the next run parses every page again"
            );
        }
        reused = match (c.replayed, c.hits) {
            (0, 0) => String::new(),
            (0, hits) => format!(" ({hits} read from the page cache)"),
            (r, 0) => format!(" ({r} as in the last run)"),
            (r, hits) => format!(" ({r} as in the last run, {hits} read from the page cache)"),
        };
    }
    let _ = writeln!(
        out,
        "checked {} pages{reused} as {} renders them ({}), {} files indexed, {} links in {:.2}s: {} errors, {} warnings, {} infos",
        s.checked_pages,
        s.dialect.name(),
        s.dialect_from,
        s.files,
        s.links,
        s.elapsed.as_secs_f64(),
        outcome.count(Severity::Error),
        outcome.count(Severity::Warning),
        outcome.count(Severity::Info),
    );
    out
}

/// The first `backticked` part of a message: what the finding is about.
fn subject(message: &str) -> &str {
    crate::diag::first_code(message).unwrap_or(message)
}

/// How many baseline entries that no longer occur are listed one by one.
const GONE_LISTED: usize = 20;

/// A comparison with older findings, in words: how many were old, and
/// which old ones are gone (so a baseline can shrink).
fn compared(out: &mut String, c: &crate::Compared) {
    let (against, listed) = match &c.against {
        crate::Against::Revision(rev) => (format!("the tree at `{rev}`"), false),
        crate::Against::Baseline(name) => (format!("the baseline `{name}`"), true),
    };
    let _ = writeln!(
        out,
        "left out {} finding(s) that {against} already has ({} there in all)",
        c.matched, c.old
    );
    // A baseline's entries that are gone can be dropped from it; a
    // revision's findings that are gone are the change's fixes.
    if c.gone.is_empty() || !listed {
        return;
    }
    let gone: usize = c.gone.iter().map(|(_, n)| n).sum();
    let _ = writeln!(
        out,
        "{gone} finding(s) of the baseline no longer occur (write it again with --write-baseline to drop them):"
    );
    for (k, n) in c.gone.iter().take(GONE_LISTED) {
        let times = if *n > 1 {
            format!(" (x{n})")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {}: [{}] {}{times}",
            super::escape_controls(&k.path),
            k.rule,
            super::escape_controls(&k.message)
        );
    }
    if c.gone.len() > GONE_LISTED {
        let _ = writeln!(out, "  ... and {} more", c.gone.len() - GONE_LISTED);
    }
}
