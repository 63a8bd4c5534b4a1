//! `broken-link`: a relative link names no file or folder under the root.

use super::{Ctx, Rule, relative_link, reported_links};
use crate::diag::{Diagnostic, Severity, code};
use crate::hash::{FastMap, FastSet};
use crate::index::resolve::{Target, decode};
use crate::index::{Entries, Index};
use crate::parse::LinkKind;
use rayon::prelude::*;
use std::collections::HashMap;

pub(crate) const RULE: Rule = Rule {
    id: "broken-link",
    summary: "a relative link names no file or folder under the root",
    doc: include_str!("../../rules/broken-link.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    // "Did you mean", once per missing path, in parallel.
    let broken: Vec<_> = if ctx.dialect.has_wiki_links() {
        // In a vault, Obsidian resolves a Markdown link's path as it
        // resolves a wiki link's (a name anywhere in the vault): only what
        // that misses. A name several files answer to is
        // `ambiguous-wiki-link`'s.
        use crate::index::wiki::{WikiTarget, markdown_links_by_name};
        markdown_links_by_name(index)
            .filter(|(_, _, t)| !matches!(t, WikiTarget::File(_) | WikiTarget::Ambiguous(_)))
            .map(|(page, link, _)| (page, link))
            .collect()
    } else {
        reported_links(index)
            .filter(|(_, l)| matches!(l.target, Target::Missing { .. }))
            .filter(|(page, l)| !super::served_by_mkdocs(index, page, l))
            .filter(|(page, l)| !super::filled_by_macros(index, page, l.written()))
            .collect()
    };
    if broken.is_empty() {
        return;
    }
    let mut missing: Vec<&str> = broken
        .iter()
        .filter_map(|(_, l)| match &l.target {
            Target::Missing { resolved, .. } => Some(resolved.as_str()),
            _ => None,
        })
        .collect();
    missing.sort_unstable();
    missing.dedup();
    let folders = Folders::new(&index.files, &missing);
    let cache: HashMap<&str, Option<Suggestion>> = missing
        .par_iter()
        .map(|m| (*m, suggest(m, &index.entries, &folders)))
        .collect();
    for (page, link) in broken {
        let Target::Missing {
            resolved,
            encoded_slash,
        } = &link.target
        else {
            continue;
        };
        let written_path = &link.written()[link.path_range()];
        let location = link.location(&page.path, link.path_range());
        let relative_to_page = match page.dir() {
            "" => resolved.to_string(),
            dir => format!("{dir}/{written_path}"),
        };
        let absolute = written_path.starts_with('/');
        let message =
            if !absolute && (relative_to_page == **resolved || written_path == resolved.as_str()) {
                format!("link target {} does not exist", code(written_path))
            } else {
                format!(
                    "link target {} does not exist (resolved to {})",
                    code(written_path),
                    code(resolved)
                )
            };
        let mut d = ctx
            .diag(location, "no such file", message)
            .with_about(resolved.to_string());
        let decoded = decode(written_path).unwrap_or_default();
        let written = link.written();
        let reference = (link.kind != LinkKind::Image && !ctx.dialect.links_references())
            .then(|| crate::dialect::gitlab_reference(written))
            .flatten();
        if super::is_template(written) {
            d = d.with_help(format!(
                "{} is a template expression (Jinja, Liquid, Hugo): a build step fills it in, and as written it names no file; check the built pages, or leave this page out with `--exclude`",
                code(written)
            ));
        } else if let Some(what) = reference {
            d = d.with_help(format!(
                "on GitLab, {} is a reference to a {what} and links to it; {} reads it as a path (`--dialect gitlab` checks the tree as GitLab renders it)",
                code(written),
                ctx.dialect.name()
            ));
        } else if let Some(url) = quoted_url(written) {
            // `("https://…")`: the quotes make the URL a relative path.
            d = d.with_help(format!(
                "the URL starts with a quote, which makes the link a relative path; write it without quotes: `{url}`"
            ));
            if let Some(path) = quoted_url(written_path) {
                d = d.with_fix(path, false);
            }
        } else if decoded.contains("://") {
            let url = decoded.trim_start_matches(['.', '/']);
            d = d.with_help(format!(
                "this is a whole URL percent-encoded into a relative link; write it as `{url}`"
            ));
            d = d.with_fix(url, false);
        } else {
            match cache.get(resolved.as_str()).and_then(Option::as_ref) {
                Some(Suggestion::Near(found)) => {
                    let new = relative_link(page.dir(), found);
                    let slash = if *encoded_slash {
                        "`%2F` is not a path separator in a URL; "
                    } else {
                        ""
                    };
                    d = d.with_help(format!("{slash}did you mean `{new}` (`{found}`)?"));
                    d = d.with_fix(new.clone(), false);
                }
                Some(Suggestion::Elsewhere(found)) => {
                    let new = relative_link(page.dir(), found);
                    d = d.with_help(format!(
                        "a file of that name is in another folder: `{new}` (`{found}`); if it is the page meant, repoint the link by hand (no fix is offered across folders)"
                    ));
                }
                None if *encoded_slash => {
                    d = d.with_help("`%2F` is not a path separator in a URL; write `/`");
                }
                None => {
                    d = d.with_help(
                        "no similar file exists: create the page, or remove or repoint the link",
                    );
                }
            }
        }
        out.push(d);
    }
}

/// The URL inside `"https://…"` or `'https://…'` (the closing quote may be
/// missing), written as a link's destination or its path: a quote is not
/// part of Markdown's link syntax there, so the link is a relative path
/// that starts with a quote.
fn quoted_url(dest: &str) -> Option<&str> {
    let quote = dest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = &dest[1..];
    let inner = inner.strip_suffix(quote).unwrap_or(inner);
    crate::parse::is_external(inner).then_some(inner)
}

/// File names by folder, for "did you mean".
struct Folders<'a> {
    by_dir: FastMap<&'a str, Folder<'a>>,
    by_name: FastMap<String, Vec<&'a str>>,
}

/// A file name, lowercased, with a letter histogram for a quick lower bound
/// on the edit distance (most names are far from the one asked for).
struct Name<'a> {
    name: &'a str,
    lower: String,
    hist: Hist,
}

type Hist = [u8; 64];

fn hist(s: &str) -> Hist {
    let mut h = [0u8; 64];
    for b in s.bytes() {
        let slot = &mut h[(b % 64) as usize];
        *slot = slot.saturating_add(1);
    }
    h
}

/// The bag distance of two histograms: never more than the edit distance.
fn bag_distance(a: &Hist, b: &Hist) -> usize {
    // Branch-free saturating differences, which the compiler vectorizes: this
    // runs for every name of the folder of every missing target.
    let more: u32 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.saturating_sub(*y)))
        .sum();
    let less: u32 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u32::from(y.saturating_sub(*x)))
        .sum();
    more.max(less) as usize
}

impl<'a> Folders<'a> {
    /// Only what the suggestions for `missing` look at: the names in their
    /// folders, and the files anywhere with one of their names.
    fn new(files: &'a [String], missing: &[&str]) -> Self {
        let dirs: FastSet<&str> = missing.iter().map(|m| split(m).0).collect();
        let names: FastSet<String> = missing.iter().map(|m| split(m).1.to_lowercase()).collect();
        // Each file whose folder or name is wanted, with which of the two.
        let wanted: Vec<(&str, &str, &str, String, bool, bool)> = files
            .par_iter()
            .filter_map(|f| {
                let (dir, name) = split(f);
                let lower = name.to_lowercase();
                let (in_dir, named) = (dirs.contains(dir), names.contains(&lower));
                (in_dir || named).then_some((f.as_str(), dir, name, lower, in_dir, named))
            })
            .collect();
        let mut by_dir: FastMap<&str, Folder> = FastMap::default();
        let mut by_name: FastMap<String, Vec<&str>> = FastMap::default();
        for (f, dir, name, lower, in_dir, named) in wanted {
            if named {
                by_name.entry(lower.clone()).or_default().push(f);
            }
            if in_dir {
                by_dir.entry(dir).or_default().names.push(Name {
                    name,
                    hist: hist(&lower),
                    lower,
                });
            }
        }
        by_dir.par_iter_mut().for_each(|(_, f)| f.sort());
        Folders { by_dir, by_name }
    }
}

/// The names of one folder, sorted, and their order read backwards.
#[derive(Default)]
struct Folder<'a> {
    names: Vec<Name<'a>>,
    /// Indices into `names`, sorted by the reversed lowercase name.
    by_end: Vec<u32>,
}

/// Folders with more names than this are searched near the name asked for
/// (see [`Folder::candidates`]), not through every name.
const SCAN_ALL: usize = 256;
/// How many sorted neighbours on each side are compared in a large folder.
const NEIGHBOURS: usize = 64;

impl Folder<'_> {
    fn sort(&mut self) {
        self.names.sort_unstable_by(|a, b| a.lower.cmp(&b.lower));
        if self.names.len() > SCAN_ALL {
            let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                let (a, b) = (&self.names[a as usize].lower, &self.names[b as usize].lower);
                a.bytes().rev().cmp(b.bytes().rev())
            });
            self.by_end = order;
        }
    }

    /// The names worth an edit distance to `lower`: all of a small folder;
    /// in a large one, the names that sort next to it forwards or backwards
    /// (a near miss shares a long start or a long end with the name it
    /// misses). Bounded, so 20,000 near misses in a folder of 20,000 files
    /// cost 20,000 x 256 comparisons, not 20,000 x 20,000.
    fn candidates(&self, lower: &str) -> Vec<&Name<'_>> {
        if self.names.len() <= SCAN_ALL {
            return self.names.iter().collect();
        }
        let at = self.names.partition_point(|n| n.lower.as_str() < lower);
        let near = at.saturating_sub(NEIGHBOURS)..(at + NEIGHBOURS).min(self.names.len());
        let mut out: Vec<&Name> = self.names[near].iter().collect();
        let at = self.by_end.partition_point(|&i| {
            self.names[i as usize]
                .lower
                .bytes()
                .rev()
                .lt(lower.bytes().rev())
        });
        let near = at.saturating_sub(NEIGHBOURS)..(at + NEIGHBOURS).min(self.by_end.len());
        out.extend(self.by_end[near].iter().map(|&i| &self.names[i as usize]));
        out
    }
}

fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// What "did you mean" found for a missing path.
#[derive(Debug, PartialEq, Eq)]
enum Suggestion {
    /// In the folder the link names (or the path with `.md` added or
    /// removed, a folder's README): offered as a fix.
    Near(String),
    /// A file of the same name in another folder: likely a page of another
    /// kind (a connector link to a table of the same name), so it is named
    /// in the help, never written by a fix.
    Elsewhere(String),
}

/// The nearest existing path to the missing `resolved`: the same name with
/// `.md` added or removed, a folder's README or index, a close name in the
/// same folder (at most one edit in five characters), the same stem with
/// another extension in the same folder; else the same name in exactly one
/// other folder, which is only named.
fn suggest(resolved: &str, entries: &Entries, folders: &Folders) -> Option<Suggestion> {
    let exists = |p: &str| entries.contains(p).then(|| p.to_string());
    let variants = [
        format!("{resolved}.md"),
        resolved.strip_suffix(".md").unwrap_or("").to_string(),
        format!("{resolved}/README.md"),
        format!("{resolved}/index.md"),
    ];
    for v in variants.iter().filter(|v| !v.is_empty()) {
        if let Some(p) = exists(v) {
            return Some(Suggestion::Near(p));
        }
        if let Some(p) = entries.case_insensitive(v) {
            return Some(Suggestion::Near(p.into()));
        }
    }
    let (dir, name) = split(resolved);
    let lower = name.to_lowercase();
    let in_dir = |n: &str| {
        if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        }
    };
    if let Some(folder) = folders.by_dir.get(dir) {
        // One edit in five characters: `sap.md` is not a near miss of
        // `ssg.md`, `customlogsama.md` is one of `customlogsviaama.md`.
        let limit = (lower.chars().count() / 5).max(1);
        let h = hist(&lower);
        let best = folder
            .candidates(&lower)
            .into_iter()
            .filter(|n| {
                n.lower.len().abs_diff(lower.len()) <= limit && bag_distance(&n.hist, &h) <= limit
            })
            .map(|n| (strsim::levenshtein(&n.lower, &lower), n.name))
            .filter(|(d, _)| *d <= limit)
            .min();
        if let Some((_, n)) = best {
            return Some(Suggestion::Near(in_dir(n)));
        }
        // `logo.svg` for a missing `logo.png`: the one file of that stem.
        // The names are sorted: those that start with `stem.` are together.
        if let Some((stem, _)) = lower.rsplit_once('.').filter(|(s, _)| !s.is_empty()) {
            let prefix = format!("{stem}.");
            let from = folder
                .names
                .partition_point(|n| n.lower.as_str() < prefix.as_str());
            let mut same_stem = folder.names[from..]
                .iter()
                .take_while(|n| n.lower.starts_with(&prefix))
                .filter(|n| n.lower.rsplit_once('.').is_some_and(|(s, _)| s == stem));
            if let (Some(only), None) = (same_stem.next(), same_stem.next()) {
                return Some(Suggestion::Near(in_dir(only.name)));
            }
        }
    }
    match folders.by_name.get(&lower).map(Vec::as_slice) {
        Some([only]) => Some(Suggestion::Elsewhere(only.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_distance_is_a_lower_bound_of_the_edit_distance() {
        for (a, b) in [
            ("kitten", "sitting"),
            ("abc", "cba"),
            ("solutions.md", "solution.md"),
        ] {
            assert!(bag_distance(&hist(a), &hist(b)) <= strsim::levenshtein(a, b));
        }
    }
}
