//! `broken-wiki-link`: a `[[wiki]]` link or `![[embed]]` (Obsidian dialect)
//! whose note, heading or block is not in the vault.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity};
use crate::index::Index;
use crate::index::wiki::{Resolved, WikiTarget, fragment_found, page_links};
use rayon::prelude::*;

pub(crate) const RULE: Rule = Rule {
    id: "broken-wiki-link",
    summary: "a [[wiki]] link names a note, heading or block the vault does not have",
    doc: include_str!("../../rules/broken-wiki-link.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let names = std::sync::OnceLock::new();
    // Page by page in parallel: a vault's pages are many and short.
    let found: Vec<Diagnostic> = index
        .pages
        .par_iter()
        .filter(|p| p.reported)
        .flat_map_iter(|page| {
            let mut out = Vec::new();
            for r in page_links(page) {
                check_link(index, ctx, r, &names, &mut out);
            }
            out
        })
        .collect();
    out.extend(found);
}

/// The names wiki links can give the files (see [`linkable_name`]), each
/// with its vault (a repository may hold several), lowercased, and its
/// length in characters: what a missing name is compared with. Gathered
/// the first time a name misses.
struct Names<'a> {
    all: Vec<(Option<usize>, &'a str, Name)>,
    /// [`nearest_note`] by vault and missing name, found once: a missing
    /// note is often linked from many pages.
    nearest: std::sync::Mutex<crate::hash::FastMap<NameIn, Option<&'a str>>>,
}

/// A name in a vault (`None`: outside every vault).
type NameIn = (Option<usize>, String);

/// A name lowercased, and its length in characters.
struct Name {
    lower: String,
    chars: usize,
}

impl<'a> Names<'a> {
    fn new(index: &'a Index) -> Self {
        let all = index
            .files
            .iter()
            .filter_map(|p| {
                let name = linkable_name(p)?;
                let lower = name.to_lowercase();
                let chars = lower.chars().count();
                Some((index.entries.site_number(p), name, Name { lower, chars }))
            })
            .collect();
        Names {
            all,
            nearest: Default::default(),
        }
    }

    /// [`nearest_note`] among the names in the vault holding `page`.
    fn nearest(&self, index: &Index, page: &crate::index::Page, note: &str) -> Option<&'a str> {
        let key = (index.entries.site_number(&page.path), note.to_string());
        if let Some(found) = self.nearest.lock().expect("not poisoned").get(&key) {
            return *found;
        }
        let found = nearest_note(self.in_vault_of(index, page), note);
        self.nearest
            .lock()
            .expect("not poisoned")
            .insert(key, found);
        found
    }

    /// The names in the vault holding `page`.
    fn in_vault_of(
        &self,
        index: &Index,
        page: &crate::index::Page,
    ) -> impl Iterator<Item = (&'a str, &Name)> + '_ {
        let vault = index.entries.site_number(&page.path);
        self.all
            .iter()
            .filter(move |(v, _, _)| *v == vault)
            .map(|(_, name, n)| (*name, n))
    }
}

/// The finding (if any) about one wiki link.
fn check_link<'a>(
    index: &'a Index,
    ctx: &Ctx,
    r: Resolved<'_>,
    names: &std::sync::OnceLock<Names<'a>>,
    out: &mut Vec<Diagnostic>,
) {
    let (page, w, note, fragment) = (r.page, r.link, r.note, r.fragment);
    // Made only for a finding: most links are fine.
    let at = || Location::of_text(&page.path, w.offset, w.pos, &w.target);
    let target = match r.target {
        WikiTarget::SamePage => Some(page),
        WikiTarget::File(f) => index.page_by_file(*f),
        WikiTarget::Ambiguous(_) => return, // ambiguous-wiki-link
        WikiTarget::Missing => {
            let names = names.get_or_init(|| Names::new(index));
            let d = ctx.diag(
                at(),
                "no such note",
                format!("no note or file named `{note}` in the vault"),
            );
            // `[[old/folder/Note]]` where the one note named `Note` is
            // elsewhere: its name alone is what Obsidian resolves, so
            // the fix is certain.
            if let Some(name) = moved_note(names.in_vault_of(index, page), note) {
                let rest = &w.target[note.len()..];
                out.push(
                    d.with_help(format!(
                        "the vault's one note named `{name}` is in another folder: write `[[{name}{rest}]]`"
                    ))
                    .with_fix(format!("{name}{rest}"), true),
                );
                return;
            }
            out.push(match names.nearest(index, page, note) {
                Some(name) => {
                    let rest = &w.target[note.len()..];
                    d.with_help(format!("did you mean `{name}`?"))
                        .with_fix(format!("{name}{rest}"), false)
                }
                None => d.with_help(
                    "create it, or fix the name (Obsidian matches a name in any folder, letter case aside)",
                ),
            });
            return;
        }
        WikiTarget::AliasOnly(notes) => {
            let of = &index.files[notes[0] as usize];
            let stem = of.rsplit('/').next().unwrap_or(of).trim_end_matches(".md");
            out.push(
                ctx.diag(
                    at(),
                    "an alias, not a note",
                    format!(
                        "`{note}` is only an alias of `{of}`: Obsidian does not resolve `[[{note}]]` to it"
                    ),
                )
                .with_help(format!("write `[[{stem}|{note}]]`")),
            );
            return;
        }
    };
    // A fragment on a note: a heading or `^block`; on an attachment
    // (`#page=3` on a PDF): not checked.
    let (Some(fragment), Some(target)) = (fragment, target) else {
        return;
    };
    if !target.parsed || fragment_found(target, fragment) {
        return;
    }
    let what = match fragment.strip_prefix('^') {
        Some(block) => format!("block `^{block}`"),
        None => format!("heading `{fragment}`"),
    };
    let where_ = if std::ptr::eq(target, page) {
        "this note".to_string()
    } else {
        format!("`{}`", target.path)
    };
    let start = w.target.len() - fragment.len();
    let frag_at = Location::of_text(
        &page.path,
        w.offset + start as u32,
        w.pos.advance(&w.target[..start]),
        fragment,
    );
    let d = ctx
        .diag(frag_at, "not in the note", format!("no {what} in {where_}"))
        .with_about(target.path.clone());
    // The heading nearest by text, offered (never certain).
    let nearest = (!fragment.starts_with('^'))
        .then(|| nearest_heading(target, fragment))
        .flatten();
    out.push(match nearest {
        Some(h) => d
            .with_help(format!("did you mean `{h}`?"))
            .with_fix(h.to_string(), false),
        None => d.with_help(match fragment.starts_with('^') {
            true => "add ` ^id` at the end of the paragraph or list item, or fix the id",
            false => "link to a heading the note has (Obsidian matches its text, case and punctuation aside)",
        }),
    });
}

/// The heading of `page` whose text is nearest the fragment's (by edit
/// distance, at most a third of its length), as written in the note.
fn nearest_heading<'a>(page: &'a crate::index::Page, fragment: &str) -> Option<&'a str> {
    use crate::index::wiki::heading_key;
    let last = fragment.rsplit('#').find(|s| !s.trim().is_empty())?;
    let want = heading_key(last);
    let chars = want.chars().count();
    let limit = (chars / 3).max(2);
    page.facts
        .headings
        .iter()
        .filter_map(|h| {
            // The distance is at least the difference in length.
            let key = heading_key(h.text());
            (key.chars().count().abs_diff(chars) <= limit)
                .then(|| (strsim::levenshtein(&key, &want), h.text()))
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, t)| t)
}

/// For a link by path (`folder/Note`) that leads nowhere: the name of the
/// one note or attachment of the vault (`names`: name, lowercased) with its
/// last segment's name (letter case aside), as written on disk, if there is
/// exactly one.
fn moved_note<'a, 'n>(
    mut names: impl Iterator<Item = (&'a str, &'n Name)>,
    note: &str,
) -> Option<&'a str> {
    let (_, last) = note.trim_end_matches('/').rsplit_once('/')?;
    let want = last.trim().to_lowercase();
    if want.is_empty() {
        return None;
    }
    let mut named = names.by_ref().filter(|(_, n)| n.lower == want);
    match (named.next(), named.next()) {
        (Some((one, _)), None) => Some(one),
        _ => None,
    }
}

/// The note (by its name, without `.md`) or attachment of the vault
/// nearest `name` by edit distance (at most a third of its length, letter
/// case aside) that a wiki link can name.
fn nearest_note<'a, 'n>(
    names: impl Iterator<Item = (&'a str, &'n Name)>,
    name: &str,
) -> Option<&'a str> {
    let want = name.rsplit('/').next().unwrap_or(name).to_lowercase();
    let chars = want.chars().count();
    let limit = (chars / 3).max(1);
    names
        // The distance is at least the difference in length: most names
        // are not compared (a vault of 11,000 files and 2,800 missing
        // names took half a second).
        .filter(|(_, n)| n.chars.abs_diff(chars) <= limit)
        .map(|(n, name)| (strsim::levenshtein(&name.lower, &want), n))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, n)| n)
}

/// The name a wiki link gives the file at `path` (a note without `.md`, an
/// attachment with its extension), if a wiki link can hold it: none of
/// `#|^[]`, the link's own syntax.
fn linkable_name(path: &str) -> Option<&str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let name = file.strip_suffix(".md").unwrap_or(file);
    (!name.contains(['#', '|', '^', '[', ']'])).then_some(name)
}
