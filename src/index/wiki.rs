//! How Obsidian resolves `[[wiki]]` links: a path wins; else a note (or,
//! with an extension, an attachment) of that name anywhere in the vault,
//! letter case aside, preferring the linking note's folder, then the
//! shortest path. Aliases (`aliases:` in front matter) are what Obsidian
//! suggests while typing, not what a bare `[[Alias]]` resolves to.
//! <https://help.obsidian.md/links>, <https://help.obsidian.md/aliases>.

use super::{Index, Page};

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
///
/// Each table is a sorted vector of (key, file), the key a 128-bit hash of
/// the vault and the lowercased name, as [`super::path_key`] keys paths:
/// one allocation per table, where maps of strings to vectors made four
/// per file, on one thread (7.5 ms of a 93 ms run on a 10k-note vault).
pub struct Vault {
    /// Notes by their name without `.md`, lowercased on its own, as a
    /// link's name is (`ΑΣ.md` is `ας`: a capital sigma ends a word there,
    /// not before `.md`).
    by_stem: Table,
    by_name: Table,
    /// A path names one file: of several keys alike (`a/Note` is the note
    /// `a/Note.md` and may be a file `a/Note` too), the last file.
    by_path: Table,
    /// Notes in page order within a key.
    aliases: Table,
}

/// The key of a lowercased name in vault `vault`.
fn key(vault: u32, lower: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128_with_seed(lower.as_bytes(), vault.into())
}

/// Files by key: (key, file) sorted by key, files in the order they were
/// added within a key, and where each key's run starts.
struct Table {
    entries: Vec<(u128, u32)>,
    start: crate::hash::FastMap<u128, u32>,
}

impl Table {
    fn new(mut entries: Vec<(u128, u32)>) -> Table {
        use rayon::slice::ParallelSliceMut as _;
        entries.par_sort_by_key(|e| e.0); // stable
        let mut start = crate::hash::FastMap::default();
        start.reserve(entries.len());
        for (i, e) in entries.iter().enumerate() {
            start.entry(e.0).or_insert(i as u32);
        }
        Table { entries, start }
    }

    /// The files under `key`, in the order they were added.
    fn get(&self, key: u128) -> &[(u128, u32)] {
        let Some(&at) = self.start.get(&key) else {
            return &[];
        };
        let run = &self.entries[at as usize..];
        // Runs are short (one file, mostly): a scan, not a binary search
        // over the rest of the table.
        &run[..run.iter().take_while(|e| e.0 == key).count()]
    }
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

/// The keys of the names a page's front matter `aliases` give it, in the
/// table of aliases.
pub fn alias_keys<'a>(index: &'a Index, page: &'a Page) -> impl Iterator<Item = u128> + 'a {
    let vault = in_vault(index, &page.path).0;
    let entries = page.facts.front_matter.iter().flat_map(|fm| &fm.entries);
    entries
        .filter(|e| matches!(&*e.key, "aliases" | "alias"))
        .map(move |e| key(vault, &e.value.to_lowercase()))
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
    /// The tables of `index`'s files, the aliases of its pages and
    /// `unloaded`: the alias keys ([`alias_keys`]) of pages a partial run
    /// did not load, by file.
    pub fn new(index: &Index, unloaded: &[(u128, u32)]) -> Vault {
        use rayon::prelude::*;
        // Each file's keys, in parallel: by name and by path; a note's by
        // stem and by path without `.md`.
        let keys: Vec<(u128, u128, Option<[u128; 2]>)> = index
            .files
            .par_iter()
            .map(|full| {
                let (vault, path) = in_vault(index, full);
                let lower = path.to_lowercase();
                let name = lower.rsplit('/').next().unwrap_or(&lower);
                let note = is_note(path).then(|| {
                    // Lowercased without `.md`, as a link writes it (a
                    // final sigma lowercases as one before `.md` does not).
                    let bare = path[..path.len() - 3].to_lowercase();
                    let stem = bare.rsplit('/').next().unwrap_or(&bare);
                    [key(vault, stem), key(vault, &bare)]
                });
                (key(vault, name), key(vault, &lower), note)
            })
            .collect();
        let files = || keys.iter().zip(0u32..);
        let notes = || files().filter_map(|(k, f)| Some((k.2?, f)));
        let by_stem: Vec<(u128, u32)> = notes().map(|(n, f)| (n[0], f)).collect();
        let by_name: Vec<(u128, u32)> = files().map(|(k, f)| (k.0, f)).collect();
        // In the order the files were added: a note's path without `.md`,
        // then its path.
        let by_path: Vec<(u128, u32)> = files()
            .flat_map(|(k, f)| k.2.map(|n| (n[1], f)).into_iter().chain([(k.1, f)]))
            .collect();
        let mut aliases: Vec<(u128, u32)> = index
            .pages
            .par_iter()
            .flat_map_iter(|page| alias_keys(index, page).map(|k| (k, page.file)))
            .collect();
        if !unloaded.is_empty() {
            // In file order, as the pages are (a stable sort).
            aliases.extend_from_slice(unloaded);
            aliases.sort_by_key(|a| a.1);
        }
        let ((by_stem, by_name), (by_path, aliases)) = rayon::join(
            || rayon::join(|| Table::new(by_stem), || Table::new(by_name)),
            || rayon::join(|| Table::new(by_path), || Table::new(aliases)),
        );
        Vault {
            by_stem,
            by_name,
            by_path,
            aliases,
        }
    }

    /// The file whose path (from the vault's folder, lowercased) is `lower`.
    fn at_path(&self, vault: u32, lower: &str) -> Option<u32> {
        self.by_path.get(key(vault, lower)).last().map(|e| e.1)
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
            let at = |p: Option<String>| p.and_then(|p| self.at_path(vault, &p));
            let from_dir = from_path.rsplit_once('/').map_or("", |(d, _)| d);
            if let Some(f) = at(normalize(lower.trim_start_matches('/')))
                .or_else(|| at(normalize(&format!("{}/{lower}", from_dir.to_lowercase()))))
            {
                return WikiTarget::File(f);
            }
            // A partial path (`folder/Note` of `a/folder/Note.md`).
            // A path ending in `/name` is a file named `name`, or a note
            // whose stem it is: only those are compared, each by the
            // paths it holds (where a note `a/Note.md` and a file `a/Note`
            // are both `a/Note`, the note).
            let tail = format!("/{}", lower.trim_start_matches('/'));
            let last = key(vault, tail.rsplit('/').next().unwrap_or_default());
            let mut found: Vec<u32> = self
                .by_stem
                .get(last)
                .iter()
                .chain(self.by_name.get(last))
                .map(|e| e.1)
                .filter(|&f| {
                    let path = in_vault(index, &index.files[f as usize]).1;
                    let bare = is_note(path).then(|| path[..path.len() - 3].to_lowercase());
                    [Some(path.to_lowercase()), bare]
                        .into_iter()
                        .flatten()
                        .any(|p| p.ends_with(&tail) && self.at_path(vault, &p) == Some(f))
                })
                .collect();
            found.sort_unstable();
            found.dedup();
            return self.choose(index, dir, vault, &found, note);
        }
        let k = key(vault, &lower);
        let mut found = self.by_stem.get(k);
        if found.is_empty() {
            found = self.by_name.get(k);
        }
        match found {
            [one] => WikiTarget::File(one.1),
            _ => {
                let found: Vec<u32> = found.iter().map(|e| e.1).collect();
                self.choose(index, dir, vault, &found, note)
            }
        }
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
            0 => match self.aliases.get(key(vault, &note.to_lowercase())) {
                [] => WikiTarget::Missing,
                notes => WikiTarget::AliasOnly(notes.iter().map(|e| e.1).collect()),
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
            .rare
            .block_ids
            .iter()
            .any(|b| b.eq_ignore_ascii_case(block));
    }
    let last = fragment
        .rsplit('#')
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let want = heading_key(last);
    want.is_empty() || page.facts.headings.iter().any(|h| has_key(h.text(), &want))
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
