//! How Obsidian resolves `[[wiki]]` links: a path wins; else a note (or,
//! with an extension, an attachment) of that name anywhere in the vault,
//! letter case aside, preferring the linking note's folder, then the
//! shortest path. Aliases (`aliases:` in front matter) are what Obsidian
//! suggests while typing, not what a bare `[[Alias]]` resolves to.
//! <https://help.obsidian.md/links>, <https://help.obsidian.md/aliases>.

use super::{Index, Page};
use crate::hash::FastMap as HashMap;

/// Where a wiki link's note part leads.
#[derive(Debug, PartialEq, Eq)]
pub enum WikiTarget {
    /// `[[#Heading]]`: the linking note.
    SamePage,
    File(u32),
    /// No file by that path or name.
    Missing,
    /// No file, but the front matter `aliases` of these notes name it.
    AliasOnly(Vec<u32>),
    /// Several files by that name, none preferred: these.
    Ambiguous(Vec<u32>),
}

/// The vault's files by lowercased name: notes by stem (`Note` for
/// `a/Note.md`), every file by its full name (`image.png`), notes by their
/// aliases, and files by their path from the vault's folder. A repository
/// may hold several vaults (a folder with `.obsidian/`, or the rule file's
/// `sites`): each name is looked up among the files of the linking note's
/// vault, the files outside every vault being one more.
pub struct Vault {
    by_stem: HashMap<(u32, String), Vec<u32>>,
    by_name: HashMap<(u32, String), Vec<u32>>,
    by_path: HashMap<(u32, String), u32>,
    aliases: HashMap<(u32, String), Vec<u32>>,
}

/// Where a page's wiki links are resolved from: its vault, its path in
/// the vault, its folder.
#[derive(Clone, Copy)]
pub struct Origin<'a> {
    vault: u32,
    from_path: &'a str,
    dir: &'a str,
}

impl<'a> Origin<'a> {
    pub fn of(index: &Index, page: &'a Page) -> Origin<'a> {
        let (vault, from_path) = in_vault(index, &page.path);
        Origin {
            vault,
            from_path,
            dir: page.dir(),
        }
    }
}

/// The vault holding `path` (`u32::MAX`: none of the sites), and `path`
/// from the vault's folder.
fn in_vault<'p>(index: &Index, path: &'p str) -> (u32, &'p str) {
    match index.entries.site_number(path) {
        Some(n) => {
            let dir = index.entries.site_dir(n);
            let rest = &path[dir.len()..];
            (n as u32, rest.strip_prefix('/').unwrap_or(rest))
        }
        None => (u32::MAX, path),
    }
}

fn is_note(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".md")
}

impl Vault {
    pub fn new(index: &Index) -> Vault {
        let mut v = Vault {
            by_stem: HashMap::default(),
            by_name: HashMap::default(),
            by_path: HashMap::default(),
            aliases: HashMap::default(),
        };
        for (f, full) in index.files.iter().enumerate() {
            let f = f as u32;
            let (vault, path) = in_vault(index, full);
            let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
            if is_note(path) {
                let stem = name[..name.len() - 3].to_string();
                v.by_stem.entry((vault, stem)).or_default().push(f);
                v.by_path
                    .insert((vault, path[..path.len() - 3].to_lowercase()), f);
            }
            v.by_path.insert((vault, path.to_lowercase()), f);
            v.by_name.entry((vault, name)).or_default().push(f);
        }
        for page in &index.pages {
            let Some(fm) = &page.facts.front_matter else {
                continue;
            };
            let vault = in_vault(index, &page.path).0;
            for e in fm
                .entries
                .iter()
                .filter(|e| matches!(&*e.key, "aliases" | "alias"))
            {
                v.aliases
                    .entry((vault, e.value.to_lowercase()))
                    .or_default()
                    .push(page.file);
            }
        }
        v
    }

    /// Resolve the note part of a wiki link written on `from`.
    pub fn resolve(&self, index: &Index, from: &Page, note: &str) -> WikiTarget {
        self.resolve_from(index, &Origin::of(index, from), note)
    }

    /// [`Vault::resolve`] from a page's [`Origin`], found once for all its links.
    pub fn resolve_from(&self, index: &Index, origin: &Origin<'_>, note: &str) -> WikiTarget {
        let note = note.trim();
        if note.is_empty() {
            return WikiTarget::SamePage;
        }
        let lower = note.to_lowercase();
        let Origin {
            vault,
            from_path,
            dir,
        } = *origin;
        // A path: from the vault's folder, or from the linking note's folder.
        if lower.contains('/') {
            let at = |p: Option<String>| p.and_then(|p| self.by_path.get(&(vault, p)).copied());
            let from_dir = from_path.rsplit_once('/').map_or("", |(d, _)| d);
            if let Some(f) = at(normalize(lower.trim_start_matches('/')))
                .or_else(|| at(normalize(&format!("{}/{lower}", from_dir.to_lowercase()))))
            {
                return WikiTarget::File(f);
            }
            // A partial path (`folder/Note` of `a/folder/Note.md`).
            let tail = format!("/{}", lower.trim_start_matches('/'));
            let mut found: Vec<u32> = self
                .by_path
                .iter()
                .filter(|((v, p), _)| *v == vault && p.ends_with(&tail))
                .map(|(_, &f)| f)
                .collect();
            found.sort_unstable();
            found.dedup();
            return self.choose(index, dir, vault, &found, note);
        }
        let key = (vault, lower);
        let found = self
            .by_stem
            .get(&key)
            .or_else(|| self.by_name.get(&key))
            .map_or(&[][..], Vec::as_slice);
        self.choose(index, dir, vault, found, note)
    }

    /// One of several files by one name: the one in `dir`, else the one
    /// with the shortest path.
    fn choose(
        &self,
        index: &Index,
        dir: &str,
        vault: u32,
        found: &[u32],
        note: &str,
    ) -> WikiTarget {
        match found.len() {
            0 => match self.aliases.get(&(vault, note.to_lowercase())) {
                Some(notes) => WikiTarget::AliasOnly(notes.clone()),
                None => WikiTarget::Missing,
            },
            1 => WikiTarget::File(found[0]),
            _ => {
                let path = |f: &u32| index.files[*f as usize].as_str();
                let folder = |f: &u32| path(f).rsplit_once('/').map_or("", |(d, _)| d);
                let here: Vec<u32> = found.iter().copied().filter(|f| folder(f) == dir).collect();
                if here.len() == 1 {
                    return WikiTarget::File(here[0]);
                }
                let depth = |f: &u32| path(f).matches('/').count();
                let least = found.iter().map(depth).min().unwrap_or(0);
                let shallowest: Vec<u32> = found
                    .iter()
                    .copied()
                    .filter(|f| depth(f) == least)
                    .collect();
                match shallowest[..] {
                    [one] => WikiTarget::File(one),
                    _ => WikiTarget::Ambiguous(found.to_vec()),
                }
            }
        }
    }
}

/// The Markdown links of the reported pages whose path names no file, each
/// with where Obsidian takes it: it resolves a Markdown link's path as it
/// resolves a wiki link's (a name anywhere in the vault). Looked up once,
/// when the index was built; empty outside dialects with wiki links.
pub fn markdown_links_by_name(
    index: &Index,
) -> impl Iterator<Item = (&Page, &super::Link, &WikiTarget)> {
    index.markdown_by_name.iter().map(|(p, l, target)| {
        let page = &index.pages[*p as usize];
        (page, &page.links[*l as usize], target)
    })
}

/// A wiki link of a reported page, with where its note part leads.
pub struct Resolved<'a> {
    pub page: &'a Page,
    pub link: &'a crate::parse::WikiLink,
    /// The note part (before `#`) and the fragment (after it).
    pub note: &'a str,
    pub fragment: Option<&'a str>,
    pub target: &'a WikiTarget,
}

/// The note part of a wiki link's target (before `#`).
pub fn note_of(target: &str) -> &str {
    target.split('#').next().unwrap_or_default()
}

/// Every wiki link of the reported pages, with where it leads (resolved
/// when the index was built).
pub fn reported_links(index: &Index) -> impl Iterator<Item = Resolved<'_>> {
    index
        .pages
        .iter()
        .filter(|p| p.reported)
        .flat_map(page_links)
}

/// The wiki links of one page, with where they lead.
pub fn page_links(page: &Page) -> impl Iterator<Item = Resolved<'_>> {
    page.facts
        .wiki_links
        .iter()
        .zip(&page.wiki_targets)
        .map(move |(link, target)| {
            // A byte search: `split_once` by char cost 3% of a vault's run.
            let t = &*link.target;
            let (note, fragment) = match memchr::memchr(b'#', t.as_bytes()) {
                Some(i) => (&t[..i], Some(&t[i + 1..])),
                None => (t, None),
            };
            Resolved {
                page,
                link,
                note,
                fragment,
                target,
            }
        })
}

/// `a/b/../c` -> `a/c`; `None` above the root.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A heading's text as Obsidian matches it against a link's `#Heading`:
/// letter case, spacing and punctuation aside (`#`, `|`, `^`, `:`, `[`, `]`
/// cannot be written in a link, and Obsidian drops them).
pub fn heading_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether `page` has what the fragment names: `^block-id`, or a heading
/// (the last of `Heading#Sub`), as Obsidian matches them.
pub fn fragment_found(page: &Page, fragment: &str) -> bool {
    if let Some(block) = fragment.strip_prefix('^') {
        return page
            .facts
            .block_ids
            .iter()
            .any(|b| b.eq_ignore_ascii_case(block));
    }
    let last = fragment
        .rsplit('#')
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let want = heading_key(last);
    want.is_empty() || page.facts.headings.iter().any(|h| has_key(&h.text, &want))
}

/// Whether `heading_key(text) == key`, compared as it is made: no string
/// built, and most headings differ at their first letter.
fn has_key(text: &str, key: &str) -> bool {
    let mut want = key.chars();
    let (mut gap, mut started) = (false, false);
    for c in text.chars() {
        if !c.is_alphanumeric() {
            gap = true;
            continue;
        }
        if gap && started && want.next() != Some(' ') {
            return false;
        }
        (gap, started) = (false, true);
        if c.is_ascii() {
            if want.next() != Some(c.to_ascii_lowercase()) {
                return false;
            }
        } else if !c.to_lowercase().all(|l| want.next() == Some(l)) {
            return false;
        }
    }
    want.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_as_obsidian_matches_them() {
        assert_eq!(
            heading_key("Foreign keys (outbound)"),
            "foreign keys outbound"
        );
        assert_eq!(heading_key("  What's   new?"), heading_key("what s new"));
        assert_eq!(heading_key("Café: Über"), "café über");
        assert_eq!(heading_key("#^:"), "");
        assert_eq!(heading_key("  What's   new?"), "what s new");
        assert_eq!(heading_key("ÀB-c"), "àb c");
        for text in [
            "A  b!",
            "Café: Über",
            "  x",
            "",
            "Foreign keys (outbound)",
            "ÀB c",
        ] {
            for key in [
                "a b",
                "café über",
                "x",
                "",
                "foreign keys outbound",
                "àb c",
                "a",
            ] {
                assert_eq!(has_key(text, key), heading_key(text) == key, "{text} {key}");
            }
        }
    }

    #[test]
    fn paths_climb_and_stop_at_the_root() {
        assert_eq!(normalize("a/b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../x"), None);
    }
}
