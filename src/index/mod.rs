//! The whole tree as data: every file, every page's facts, every link
//! resolved once. Rules read this and nothing else.
//!
//! Where no rule reads a page's lists and tables but the rules of that
//! page alone (no rule file with count forms, relations or orphans; not a
//! vault), those rules run as each page is read ([`PageChecks`]), and the
//! page keeps only what rules across pages read ([`Page::keep_shared`]):
//! what the run holds at 100,000 pages went from 5 KB a page to under 2.

mod keys;
mod prefetch;
pub mod resolve;
pub mod sections;
pub mod wiki;

use crate::diag::{Diagnostic, Location, Pos, Severity};
use crate::hash::{FastMap, FastSet};
use crate::parse::{self, LinkKind, PageFacts, RawLink};
use crate::walk::{self, Walked};
use rayon::prelude::*;
use resolve::Target;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Pages larger than this are not parsed by default (links into them are still resolved).
pub const MAX_PAGE_BYTES: u64 = 32 * 1024 * 1024;

type PathMap<V> = FastMap<Box<str>, V>;

/// Maps keyed by a path's (or a destination's) [`path_key`]: the key sits
/// in the table itself, where a `Box<str>` key sent every probe to the
/// heap (at 100k pages, path lookups were 15% of a check, mostly cache
/// misses on the key strings), and no key string is allocated.
type KeyMap<V> = FastMap<u128, V>;

/// A path's identity in [`KeyMap`]s: its XXH3-128 hash. Two of the paths
/// of one tree (or of the destinations of one folder) would have to
/// collide in 128 bits to be confused: about 10^-26 for a million paths.
fn path_key(path: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(path.as_bytes())
}

/// The value [`Entries`]' path table gives a folder.
const DIR: u32 = u32::MAX;

/// Every path under the root, for exact and case-insensitive lookups.
#[derive(Default)]
pub struct Entries {
    /// A path's [`path_key`] -> its file's id, or [`DIR`] for a folder.
    exact: keys::KeyTable,
    /// A path's lowercase form (its [`path_key`]) -> the first file or
    /// folder with it: a file's id, or `files.len()` plus a folder's
    /// index in `dirs`. Names are not copied: they are the tree's.
    folded: keys::KeyTable,
    files: std::sync::Arc<Vec<String>>,
    dirs: Vec<String>,
    /// Symlinked folders inside the root: link path -> real folder.
    aliases: Vec<(String, String)>,
    /// Tells this tree's resolution cache from another run's.
    run: u64,
    /// How `/path` links resolve in the dialect checked.
    pub absolute: crate::dialect::Absolute,
    /// `x.html` reaches the page `x.md` (mdBook).
    pub html_pages: bool,
    /// The dialect, for the pages it reads links in otherwise
    /// ([`crate::dialect::Dialect::is_body_template`]).
    dialect: crate::dialect::Dialect,
    /// The folders sites are built from, innermost first.
    sites: Vec<SiteFolder>,
}

/// A folder a site is built from ([`crate::dialect::Dialect::sites`]), and
/// the reference labels that the pages appended to each of its pages define.
struct SiteFolder {
    dir: String,
    /// The files appended to each of its pages (MkDocs' snippets `auto_append`).
    appended: Vec<String>,
    labels: FastSet<String>,
    autorefs: crate::dialect::mkdocs::Autorefs,
    snippet_bases: Vec<String>,
    directory_urls: bool,
    macros: bool,
    /// An MkDocs site (from an `mkdocs.yml`): links it does not rewrite
    /// are URLs of the built site.
    mkdocs: bool,
}

impl SiteFolder {
    /// The sites of the tree at `root`, the appended pages read for their labels.
    fn all(root: &Path, wants: &parse::Wants, walked: &Walked) -> Vec<SiteFolder> {
        let sites = wants
            .dialect
            .sites(root, &walked.files, &walked.dirs, &wants.sites);
        sites
            .into_iter()
            .map(|site| SiteFolder {
                labels: site
                    .appended
                    .iter()
                    .filter_map(|f| std::fs::read_to_string(root.join(f)).ok())
                    .flat_map(|text| parse::defined_labels(&text))
                    .collect(),
                appended: site.appended.clone(),
                autorefs: site.autorefs,
                snippet_bases: site.snippet_bases,
                directory_urls: site.directory_urls,
                macros: site.macros,
                mkdocs: wants.dialect == crate::dialect::Dialect::Mkdocs,
                dir: site.dir,
            })
            .collect()
    }
}

/// Resolutions by folder and destination, per thread: most links of a
/// generated tree repeat from page to page of a folder (navigation bars).
/// Each with [`needs_text`] of the destination.
type ResolveCache = (u64, PathMap<KeyMap<(Target, bool)>>);

thread_local! {
    static RESOLVED: std::cell::RefCell<ResolveCache> = std::cell::RefCell::new((0, PathMap::default()));
}

/// Empty each thread's [`RESOLVED`] once the pages are read: at 100,000
/// pages it holds 13 MB that nothing reads again.
fn forget_resolutions() {
    let forget = || RESOLVED.with_borrow_mut(|c| *c = ResolveCache::default());
    rayon::broadcast(|_| forget());
    forget();
}

impl Entries {
    fn new(
        files: std::sync::Arc<Vec<String>>,
        dirs: &[String],
        aliases: Vec<(String, String)>,
        absolute: crate::dialect::Absolute,
        html_pages: bool,
        sites: Vec<SiteFolder>,
        dialect: crate::dialect::Dialect,
    ) -> Self {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = files.len() + dirs.len();
        let ids = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f, Some(i as u32)))
            .chain(dirs.iter().map(|d| (d, None)));
        // The two maps side by side: this runs before any page is read.
        let (exact, folded) = rayon::join(
            || {
                keys::KeyTable::new(
                    n,
                    ids.clone().map(|(p, id)| (path_key(p), id.unwrap_or(DIR))),
                )
            },
            || {
                let folded = ids.clone().enumerate();
                keys::KeyTable::new(
                    n,
                    folded.map(|(i, (p, _))| (path_key(&p.to_lowercase()), i as u32)),
                )
            },
        );
        Entries {
            exact,
            folded,
            dirs: dirs.to_vec(),
            files,
            aliases,
            run: RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            absolute,
            html_pages,
            sites,
            dialect,
        }
    }

    /// Run `f` with a resolver for links on pages of folder `dir`: it
    /// remembers `resolve::resolve(dest, dir, self)` per destination, across
    /// the pages of the folder that the thread reads.
    pub fn in_folder<R>(&self, dir: &str, f: impl FnOnce(&mut FolderResolver) -> R) -> R {
        RESOLVED.with_borrow_mut(|(run, cache)| {
            if *run != self.run || cache.len() > 256 {
                cache.clear();
                *run = self.run;
            }
            let by_dest = match cache.get_mut(dir) {
                Some(m) => m,
                None => cache.entry(dir.into()).or_default(),
            };
            f(&mut FolderResolver {
                entries: self,
                dir,
                by_dest,
            })
        })
    }

    /// The file or folder at exactly this root-relative path.
    pub fn exact(&self, path: &str) -> Option<Target> {
        let id = match self.exact.get(path_key(path)) {
            Some(id) => id,
            None => self.through_alias(path)?,
        };
        Some(match id {
            DIR => Target::Dir,
            id => Target::File(id),
        })
    }

    /// `path` through a symlinked folder (`docs-link/page.md` when
    /// `docs-link` -> `docs`): the entry in the real folder. Followed once.
    fn through_alias(&self, path: &str) -> Option<u32> {
        self.aliases.iter().find_map(|(alias, real)| {
            let rest = path.strip_prefix(alias.as_str())?.strip_prefix('/')?;
            let target = if real.is_empty() {
                rest.to_string()
            } else {
                format!("{real}/{rest}")
            };
            self.exact.get(path_key(&target))
        })
    }

    /// The innermost folder a site is built from (MkDocs' `docs_dir`,
    /// mdBook's `src`) that holds `path`: the site publishes nothing outside it.
    pub fn site_holding(&self, path: &str) -> Option<&str> {
        self.site_of(path).map(|site| site.dir.as_str())
    }

    fn site_of(&self, path: &str) -> Option<&SiteFolder> {
        self.site_number(path).map(|i| &self.sites[i])
    }

    /// The folder of site number `n` ([`Entries::site_number`]).
    pub fn site_dir(&self, n: usize) -> &str {
        &self.sites[n].dir
    }

    /// The number of the site (or vault) that holds `path`, innermost;
    /// `None` outside every site ([`Entries::site_dir`] gives its folder).
    pub fn site_number(&self, path: &str) -> Option<usize> {
        self.sites.iter().position(|site| {
            path.strip_prefix(site.dir.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    /// Whether file `path` is appended to every page of a site (MkDocs'
    /// snippets `auto_append`): the labels it defines are every page's.
    pub fn is_appended(&self, path: &str) -> bool {
        self.sites
            .iter()
            .any(|s| s.appended.iter().any(|a| a == path))
    }

    /// Whether a page appended to every page of the site holding `page`
    /// (MkDocs' snippets `auto_append`) defines `label`.
    pub fn appended_defines(&self, page: &str, label: &str) -> bool {
        self.site_of(page)
            .is_some_and(|site| site.labels.contains(&parse::label_key(label)))
    }

    /// Whether the site holding `page` renders its pages as templates
    /// (MkDocs' macros): `{{ sponsor.url }}` is filled in when it is built.
    pub fn macros(&self, page: &str) -> bool {
        self.site_of(page).is_some_and(|s| s.macros)
    }

    /// How the site holding `page` reads a label no page defines.
    pub fn autorefs(&self, page: &str) -> crate::dialect::mkdocs::Autorefs {
        self.site_of(page).map(|s| s.autorefs).unwrap_or_default()
    }

    /// Where the built MkDocs site takes `path` (a relative link's path,
    /// decoded) written on `page`: MkDocs rewrites a link to a file of the
    /// site; any other it leaves as written, a URL the browser resolves
    /// from the page's own URL (`a/b.md` is served at `a/b/`, `a/index.md`
    /// at `a/`). The file served there, if any: `x/` is `x.md`,
    /// `x/index.md` or `x/README.md`; `x.html` is `x.md` (pages not served
    /// as folders); anything else, that file.
    pub fn served(&self, page: &str, path: &str) -> Option<u32> {
        let site = self.site_of(page).filter(|s| s.mkdocs)?;
        // A link to a page MkDocs rewrites or warns about (a page's `.md`
        // is rendered, never served as it is).
        let md = path.len() >= 3 && path.as_bytes()[path.len() - 3..].eq_ignore_ascii_case(b".md");
        if md || path.starts_with('/') || path.contains(':') {
            return None;
        }
        let rel = page
            .strip_prefix(site.dir.as_str())?
            .trim_start_matches('/');
        let stem = rel.strip_suffix(".md").unwrap_or(rel);
        let (parent, name) = stem.rsplit_once('/').unwrap_or(("", stem));
        let index_page = name.eq_ignore_ascii_case("index") || name.eq_ignore_ascii_case("readme");
        let url_dir = if site.directory_urls && !index_page {
            stem
        } else {
            parent
        };
        let joined = wiki::normalize(&format!("{url_dir}/{path}"))?;
        let folder = path.is_empty() || path.ends_with('/') || path.ends_with("/.");
        let mut candidates: Vec<String> = Vec::new();
        if !folder {
            candidates.push(joined.clone());
            if let Some(page) = joined.strip_suffix(".html") {
                match page.strip_suffix("index") {
                    Some(dir) => candidates.push(format!("{dir}index.md")),
                    None => candidates.push(format!("{page}.md")),
                }
            }
        }
        let under = |p: &str| {
            if p.is_empty() {
                String::new()
            } else {
                format!("{p}/")
            }
        };
        candidates.push(format!("{}index.md", under(&joined)));
        candidates.push(format!("{}README.md", under(&joined)));
        if !joined.is_empty() {
            candidates.push(format!("{joined}.md"));
        }
        candidates.into_iter().find_map(|c| {
            let full = if site.dir.is_empty() {
                c
            } else {
                format!("{}/{c}", site.dir)
            };
            match self.exact(&full)? {
                Target::File(f) => Some(f),
                _ => None,
            }
        })
    }

    /// The page a snippet (`--8<-- "file.md"`) on `page` includes: the
    /// file in the first of the site's snippet folders that has it.
    pub fn snippet(&self, page: &str, file: &str) -> Option<u32> {
        let site = self.site_of(page)?;
        site.snippet_bases.iter().find_map(|base| {
            let path = if base.is_empty() {
                file.to_string()
            } else {
                format!("{base}/{file}")
            };
            match self.exact(path.trim_start_matches("./"))? {
                Target::File(f) => Some(f),
                _ => None,
            }
        })
    }

    /// The real path of an entry that matches `path` ignoring letter case.
    pub fn case_insensitive(&self, path: &str) -> Option<Box<str>> {
        let i = self.folded.get(path_key(&path.to_lowercase()))? as usize;
        let name = match self.files.get(i) {
            Some(file) => file,
            None => self.dirs.get(i - self.files.len())?,
        };
        Some(name.as_str().into())
    }

    pub fn contains(&self, path: &str) -> bool {
        self.exact.get(path_key(path)).is_some()
    }
}

/// A link on a page, with what it resolved to.
///
/// Most links in a generated tree are plain and fine (navigation bars,
/// entity rows); those keep only their position and target. The text of the
/// destination is kept for the links a rule may report: not resolving to a
/// file or folder, with a fragment, or with escapes or characters that
/// need them.
#[derive(Clone, Debug)]
pub struct Link {
    pub kind: LinkKind,
    /// Byte offset and length of the written destination.
    pub offset: u32,
    pub len: u32,
    pub pos: Pos,
    pub target: Target,
    /// The list item or table row (index into the page's items; `u32::MAX`
    /// for none) and column: [`Link::at`]. Two fields, not an `Option` of a
    /// pair, which would take 12 bytes where these take 6.
    item: u32,
    col: u16,
    text: Option<Box<LinkText>>,
}

// There is one in every link kept in a list, a table or a finding (1.9
// million at 100k pages): what it costs is memory the run holds.
const _: () = assert!(std::mem::size_of::<Link>() == 48);

#[derive(Clone, Debug)]
struct LinkText {
    dest: Box<str>,
    raw: Option<Box<str>>,
}

/// Resolves the links of pages in one folder (see [`Entries::in_folder`]).
pub struct FolderResolver<'a> {
    entries: &'a Entries,
    dir: &'a str,
    by_dest: &'a mut KeyMap<(Target, bool)>,
}

impl FolderResolver<'_> {
    /// The target of `dest`, and [`needs_text`] of it: both remembered, as
    /// the scan for special bytes costs as much as the lookup.
    fn resolve(&mut self, dest: &str) -> (Target, bool) {
        let key = path_key(dest);
        if let Some(t) = self.by_dest.get(&key) {
            return t.clone();
        }
        let t = (
            resolve::resolve(dest, self.dir, self.entries),
            needs_text(dest, dest),
        );
        if self.by_dest.len() < 4096 {
            self.by_dest.insert(key, t.clone());
        }
        t
    }
}

/// Whether a link keeps its text even when it resolves to a file or
/// folder: it has a fragment, or its path (as `written`) has a byte that
/// must be escaped, or an escape.
fn needs_text(dest: &str, written: &str) -> bool {
    memchr::memchr(b'#', dest.as_bytes()).is_some()
        || written[..path_end(written)]
            .bytes()
            .any(resolve::is_special)
}

/// Where the path of a destination ends: at its `?` or `#`, if any.
fn path_end(dest: &str) -> usize {
    // Both are ASCII: a byte search (not a search by chars) finds them.
    memchr::memchr2(b'?', b'#', dest.as_bytes()).unwrap_or(dest.len())
}

impl Link {
    /// Resolve a parsed link; `written` is its destination as written.
    fn new(raw: RawLink, written: &str, resolver: &mut FolderResolver) -> Link {
        let dest = raw.unescaped.as_deref().unwrap_or(written);
        let (target, dest_needs_text) = resolver.resolve(dest);
        // Remembered for the destination when it is the text as written.
        let needs = match raw.unescaped {
            None => dest_needs_text,
            Some(_) => needs_text(dest, written),
        };
        let keep = !matches!(target, Target::File(_) | Target::Dir) || needs;
        let text = keep.then(|| match raw.unescaped {
            Some(unescaped) => Box::new(LinkText {
                dest: unescaped,
                raw: Some(written.into()),
            }),
            None => Box::new(LinkText {
                dest: written.into(),
                raw: None,
            }),
        });
        Link {
            kind: raw.kind,
            offset: raw.offset,
            len: raw.len,
            pos: raw.pos,
            target,
            item: raw.at.map_or(u32::MAX, |(item, _)| item),
            col: raw.at.map_or(0, |(_, col)| col),
            text,
        }
    }

    /// The list item or table row the link sits in (index into the page's
    /// items) and its column.
    pub fn at(&self) -> Option<(u32, u16)> {
        (self.item != u32::MAX).then_some((self.item, self.col))
    }

    /// Whether the destination's text was kept (see [`Link`]).
    pub fn is_suspect(&self) -> bool {
        self.text.is_some()
    }

    /// The destination as written; empty for a plain link that resolved.
    pub fn written(&self) -> &str {
        self.text
            .as_ref()
            .map_or("", |t| t.raw.as_deref().unwrap_or(&t.dest))
    }

    /// Location of bytes `range` of the written destination.
    pub fn location(&self, page: &str, range: std::ops::Range<usize>) -> Location {
        let w = self.written();
        // Clamp to the text and to character boundaries: a rule's range can
        // never make a span that cuts a character.
        let floor = |i: usize| w.floor_char_boundary(i);
        let (start, end) = (floor(range.start), floor(range.end));
        let range = start..end.max(start);
        let start = self.pos.advance(&w[..range.start]);
        Location::of_text(page, self.offset + range.start as u32, start, &w[range])
    }

    /// Location of the whole destination.
    pub fn whole(&self, page: &str) -> Location {
        if self.text.is_some() {
            return self.location(page, 0..self.written().len());
        }
        // A plain destination: one line, and (for the column) ASCII is the common case.
        Location {
            path: page.to_string(),
            bytes: self.offset..self.offset + self.len,
            start: self.pos,
            end: Pos {
                line: self.pos.line,
                col: self.pos.col + self.len,
            },
        }
    }

    /// Byte range of the path part in the written destination.
    pub fn path_range(&self) -> std::ops::Range<usize> {
        let w = self.written();
        0..path_end(w)
    }

    /// The percent-decoded fragment, if the link has one.
    pub fn fragment(&self) -> Option<std::borrow::Cow<'_, str>> {
        resolve::fragment(&self.text.as_ref()?.dest)
    }

    /// The path part in canonical encoding, when it is written otherwise.
    pub fn canonical_path(&self) -> Option<String> {
        resolve::canonical(&self.written()[self.path_range()])
    }

    /// Byte range of the fragment (after `#`) in the written destination.
    pub fn fragment_range(&self) -> Option<std::ops::Range<usize>> {
        let w = self.written();
        w.find('#').map(|i| i + 1..w.len())
    }
}

pub struct Page {
    /// Where each of `facts.wiki_links` leads (same order).
    pub wiki_targets: Vec<wiki::WikiTarget>,
    pub file: u32,
    pub path: String,
    /// The page is checked (not excluded or git-ignored); a PATH-restricted
    /// run filters the findings afterwards.
    pub reported: bool,
    /// `None` when the page could not be parsed (binary, too large): links
    /// into it are not checked for fragments.
    pub parsed: bool,
    pub facts: PageFacts,
    /// Links in lists and tables, and every link a rule may report.
    pub links: Vec<Link>,
    /// The files that the page's other links (fine, outside lists and tables) name.
    pub plain_targets: Vec<u32>,
    /// How many such links name a folder.
    pub plain_dirs: u32,
    /// How many fine links to files the page no longer lists
    /// ([`Page::keep_shared`]).
    plain_dropped: u32,
    /// Once the checks of one page have read its headings
    /// ([`Page::keep_shared`]): their anchors, each ended by a newline (no
    /// anchor holds one), in one allocation; the headings themselves are
    /// then only those whose `{#id}` a rule may report.
    heading_anchors: Option<Box<str>>,
    pub sections: Vec<sections::Section>,
    /// A hash of the bytes read, when the run asked for one (`--fix`):
    /// a fix is written only if the file still hashes the same.
    pub hash: u64,
}

/// The files each item of a page links to: [`Page::files_by_item`].
#[derive(Debug, Default)]
pub struct ItemFiles {
    files: Vec<u32>,
    /// (item, start, end) into `files`, by item.
    runs: Vec<(u32, u32, u32)>,
}

impl ItemFiles {
    /// `file`, linked from `item`: the current run goes on, or a new one starts.
    fn push(&mut self, item: u32, file: u32) {
        match self.runs.last_mut() {
            Some((i, _, end)) if *i == item => *end += 1,
            _ => {
                let at = self.files.len() as u32;
                self.runs.push((item, at, at + 1));
            }
        }
        self.files.push(file);
    }

    /// The files item `item` links to, in page order.
    pub fn get(&self, item: &u32) -> Option<&[u32]> {
        let i = self.runs.binary_search_by_key(item, |r| r.0).ok()?;
        let (_, start, end) = self.runs[i];
        Some(&self.files[start as usize..end as usize])
    }
}

impl Page {
    /// A page not (yet) read: no facts, no links.
    fn empty(file: u32, path: &str, reported: bool) -> Page {
        Page {
            file,
            path: path.to_string(),
            reported,
            parsed: false,
            facts: PageFacts::default(),
            links: Vec::new(),
            plain_targets: Vec::new(),
            plain_dirs: 0,
            plain_dropped: 0,
            heading_anchors: None,
            sections: Vec::new(),
            wiki_targets: Vec::new(),
            hash: 0,
        }
    }

    /// Drop what only the rules that read one page alone read, once they
    /// have ([`PageChecks`]): the lists, tables and sections; the fine
    /// links, counted only (only the rules of a rule file with relations or
    /// orphans ask where they lead: [`Page::linked_files`]); the line
    /// starts; the headings but for their anchors, and those whose `{#id}`
    /// `broken-fragment` may name.
    fn keep_shared(&mut self) {
        self.sections = Vec::new();
        self.facts.blocks = Default::default();
        // Only findings on list items read where lines start.
        self.facts.line_starts = Default::default();
        let mut anchors = String::new();
        for h in &self.facts.headings {
            // Every dialect's anchors replace spacing (`{#id}`s hold none).
            debug_assert!(
                !h.anchor().contains('\n'),
                "{}: {:?}",
                self.path,
                h.anchor()
            );
            anchors.push_str(h.anchor());
            anchors.push('\n');
        }
        self.heading_anchors = Some(anchors.into_boxed_str());
        self.facts
            .headings
            .retain(|h| parse::attr_list_id(h.text()).is_some());
        self.facts.headings.shrink_to_fit();
        self.plain_dropped += self.plain_targets.len() as u32;
        self.plain_targets = Vec::new();
        let mut kept = Vec::new();
        for mut link in std::mem::take(&mut self.links) {
            match link.target {
                Target::File(_) if !link.is_suspect() => self.plain_dropped += 1,
                Target::Dir if !link.is_suspect() => self.plain_dirs += 1,
                _ => {
                    // Its list item or row is gone.
                    link.item = u32::MAX;
                    kept.push(link);
                }
            }
        }
        kept.shrink_to_fit();
        self.links = kept;
    }

    /// Every file this page links to (with repeats); none of its fine
    /// links once [`Page::keep_shared`] has counted them only.
    pub fn linked_files(&self) -> impl Iterator<Item = u32> + '_ {
        debug_assert!(
            !self.kept_shared(),
            "{}: its link targets were not kept",
            self.path
        );
        let listed = self.links.iter().filter_map(|l| match l.target {
            Target::File(f) => Some(f),
            _ => None,
        });
        listed.chain(self.plain_targets.iter().copied())
    }

    /// The files each list item or table row links to, in page order, by item.
    pub fn files_by_item(&self) -> ItemFiles {
        debug_assert!(
            !self.kept_shared(),
            "{}: its items were not kept",
            self.path
        );
        // Links are in page order, so each item's links are one run of them:
        // two flat vectors, not a map of vectors (one per item, on every page).
        let mut out = ItemFiles::default();
        for l in &self.links {
            if let (Some((i, _)), Target::File(f)) = (l.at(), &l.target) {
                out.push(i, *f);
            }
        }
        if out.runs.windows(2).any(|w| w[0].0 >= w[1].0) {
            // An item whose links are not one run: group them, in page order.
            let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(out.files.len());
            for &(item, start, end) in &out.runs {
                pairs.extend(
                    out.files[start as usize..end as usize]
                        .iter()
                        .map(|&f| (item, f)),
                );
            }
            pairs.sort_by_key(|&(item, _)| item); // stable: page order within an item
            out = ItemFiles::default();
            for (i, f) in pairs {
                out.push(i, f);
            }
        }
        out
    }

    /// Whether [`Page::keep_shared`] dropped what only the checks of one
    /// page read.
    fn kept_shared(&self) -> bool {
        self.heading_anchors.is_some()
    }

    /// How many relative links the page has.
    pub fn link_count(&self) -> usize {
        self.links.len()
            + self.plain_targets.len()
            + self.plain_dirs as usize
            + self.plain_dropped as usize
    }

    /// Every anchor a fragment can name: headings, then HTML `id`/`name`.
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        let kept = self.heading_anchors.as_deref();
        let headings = self.facts.headings.iter().filter(move |_| kept.is_none());
        let headings = headings.map(|h| h.anchor());
        let kept = kept.into_iter().flat_map(|a| a.split_terminator('\n'));
        let html = self.facts.rare.html_anchors.iter().map(String::as_str);
        headings.chain(kept).chain(html)
    }

    pub fn dir(&self) -> &str {
        self.path.rfind('/').map_or("", |i| &self.path[..i])
    }
}

pub struct Index {
    pub root: PathBuf,
    pub files: std::sync::Arc<Vec<String>>,
    pub entries: Entries,
    /// Pages in file order.
    pub pages: Vec<Page>,
    /// File id -> page index (`u32::MAX`: not a page).
    page_of: Vec<u32>,
    /// Pages with suppression comments, in page order (few, often none).
    pub with_suppressions: Vec<usize>,
    /// Findings about the input itself (unreadable, invalid UTF-8, binary...).
    pub input_problems: Vec<Diagnostic>,
    /// The pages were not in memory, and were read ahead ([`prefetch`]).
    pub read_ahead: bool,
    /// Under a dialect with wiki links, the Markdown links of reported
    /// pages whose path names no file, looked up by name as Obsidian looks
    /// them up (page, index in its `links`, where it leads):
    /// [`wiki::markdown_links_by_name`].
    markdown_by_name: Vec<(u32, u32, wiki::WikiTarget)>,
    /// The undefined reference labels of reported pages that MkDocs'
    /// autorefs links (page, index in its `undefined_refs`, how), in order.
    autorefs: Vec<(u32, u32, Autoref)>,
    /// [`PageChecks`] ran on each page as it was read: the pages keep only
    /// what rules across pages read, and the rules that read one page
    /// alone have nothing more to check.
    pub checked_page_by_page: bool,
    /// What the [`PageChecks`] found.
    pub found_by_page: Vec<Diagnostic>,
}

/// Where MkDocs' autorefs takes `[text][label]` whose label no page defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Autoref {
    /// To the heading anchored `label` in the site.
    Heading,
    /// To an API object of that identifier, if mkdocstrings knows one:
    /// not in the pages, not checked offline.
    Object,
}

impl Index {
    /// Where MkDocs' autorefs takes the undefined reference `i` of page
    /// number `page` (`None`: nowhere, or autorefs is off).
    pub fn autoref(&self, page: usize, i: usize) -> Option<Autoref> {
        let key = (page as u32, i as u32);
        let at = self
            .autorefs
            .binary_search_by_key(&key, |(p, r, _)| (*p, *r));
        at.ok().map(|at| self.autorefs[at].2)
    }

    /// The index in `pages` of file `file`, if it is a page.
    pub fn page_index(&self, file: u32) -> Option<usize> {
        match self.page_of.get(file as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            _ => None,
        }
    }

    /// Whether file `file` is a page of the walk, loaded or not (a partial
    /// run loads only some: [`crate::replay`]).
    pub fn is_page_file(&self, file: u32) -> bool {
        self.files
            .get(file as usize)
            .is_some_and(|path| walk::is_page(path))
    }

    /// Whether MkDocs' autorefs may take one of the reference labels of
    /// `page` that no page defines: to a heading anywhere in the site, so
    /// that its findings read every page.
    pub fn asks_autorefs(&self, page: &Page) -> bool {
        page.reported
            && !page.facts.rare.undefined_refs.is_empty()
            && self.entries.autorefs(&page.path) != crate::dialect::mkdocs::Autorefs::Off
    }

    /// The files `page` includes with MkDocs' snippets (`--8<-- "file.md"`),
    /// whose headings are its too.
    pub fn snippet_files<'a>(&'a self, page: &'a Page) -> impl Iterator<Item = u32> + 'a {
        let snippets = page.facts.rare.snippets.iter();
        snippets.filter_map(|file| self.entries.snippet(&page.path, file))
    }

    pub fn page_by_file(&self, file: u32) -> Option<&Page> {
        self.page_index(file).map(|i| &self.pages[i])
    }

    /// The page file that stands for the folder `link` (on `page`) names:
    /// the first of the dialect's folder pages there (its README on
    /// GitHub, `index.md` on MkDocs...: `Dialect::folder_pages`), if any.
    /// Whether it was read or not (a partial run loads only some pages).
    pub fn folder_page(
        &self,
        dialect: crate::dialect::Dialect,
        page: &Page,
        link: &Link,
    ) -> Option<u32> {
        let written = &link.written()[link.path_range()];
        let folder = written.trim_end_matches('/');
        dialect.folder_pages().iter().find_map(|name| {
            let dest = format!("{folder}/{name}");
            match resolve::resolve(&dest, page.dir(), &self.entries) {
                Target::File(id) if walk::is_page(&self.files[id as usize]) => Some(id),
                _ => None,
            }
        })
    }
}

/// Build the index: parse every page (in parallel), resolve every link.
/// `report` says which checked pages' findings are reported.
/// Where pages are read from: the disk under the root, or a tree git
/// stores (`--changed-since`), already read.
/// A page cache, if given, spares reading and parsing unchanged pages.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// The files under the root, but for the pages the map holds.
    Disk(
        Option<&'a crate::cache::Cache>,
        &'a HashMap<String, Vec<u8>>,
        Known<'a>,
    ),
    /// Pages by path; a cached page with the same bytes is not parsed.
    Snapshot(
        &'a HashMap<String, Vec<u8>>,
        Option<&'a crate::cache::Cache>,
    ),
}

/// What a run already knows of the files on disk: every file's stamp
/// (taken once, for the run cache), and which pages to load (the others
/// are left out of the index: a partial run, [`crate::replay`]).
#[derive(Clone, Copy, Default)]
pub struct Known<'a> {
    pub stamps: Option<&'a [Option<crate::cache::Stamp>]>,
    pub only: Option<&'a [bool]>,
    /// The alias keys of the pages not loaded, by file ([`wiki::alias_keys`]):
    /// a vault's table of aliases is the whole vault's.
    pub aliases: &'a [(u128, u32)],
}

/// Every file's stamp, taken in parallel without opening it (`None` where
/// it cannot be taken).
pub fn stamps(root: &Path, files: &[String]) -> Vec<Option<crate::cache::Stamp>> {
    let dir = RootDir::new(root);
    files.par_iter().map(|f| dir.stamp(f)).collect()
}

/// How [`build`] reads the pages.
pub struct Build<'a> {
    /// Pages larger than this are not parsed ([`MAX_PAGE_BYTES`] by default).
    pub max_page_bytes: u64,
    pub progress: Option<&'a crate::Progress>,
    /// Hash each page's bytes ([`Page::hash`]).
    pub fingerprint: bool,
    pub wants: parse::Wants,
    /// Checks of one page alone, run on each page as it is read; the page
    /// then keeps only what rules across pages read ([`Page::keep_shared`]).
    pub page_checks: Option<&'a dyn PageChecks>,
}

/// The rules, or parts of rules, that read one page and nothing else,
/// when no other rule reads the facts only they read (lists, tables,
/// sections): run as each page is read, they spare the run holding those
/// facts for every page until the rules run.
pub trait PageChecks: Sync {
    /// The findings of `page` (reported and parsed); `files` are the tree's, by id.
    fn check(&self, page: &Page, files: &[String], out: &mut Vec<Diagnostic>);
}

/// A page's input problems, and what [`PageChecks`] found on it.
type ProblemsAndFindings = (Vec<Diagnostic>, Vec<Diagnostic>);

pub fn build(root: &Path, source: Source<'_>, walked: Walked, how: Build<'_>) -> Index {
    let Build {
        max_page_bytes,
        progress,
        fingerprint,
        wants,
        page_checks,
    } = how;
    let sites = SiteFolder::all(root, &wants, &walked);
    let mut walked = walked;
    // Shared with the entries, which name a file by its id.
    let files = std::sync::Arc::new(std::mem::take(&mut walked.files));
    let entries = Entries::new(
        files.clone(),
        &walked.dirs,
        walked.aliases.clone(),
        wants.dialect.absolute(root),
        wants.dialect.serves_pages_as_html(),
        sites,
        wants.dialect,
    );
    let root_dir = match source {
        Source::Disk(cache, overlay, known) => {
            Files::Disk(RootDir::new(root), cache, overlay, known.stamps)
        }
        Source::Snapshot(pages, cache) => Files::Snapshot(pages, cache),
    };
    let (only, unloaded_aliases) = match source {
        Source::Disk(_, _, known) => (known.only, known.aliases),
        Source::Snapshot(..) => (None, &[][..]),
    };
    // A partial run holds only the pages it loads.
    let page_files: Vec<u32> = (0..files.len() as u32)
        .filter(|&i| walk::is_page(&files[i as usize]))
        .filter(|&i| only.is_none_or(|only| only[i as usize]))
        .collect();
    use std::sync::atomic::Ordering::Relaxed;
    if let Some(p) = progress {
        p.pages_total.store(page_files.len(), Relaxed);
    }
    // Pages not in memory (a cold page cache) are asked of the disk many
    // at a time, ahead of the parsers, which would otherwise wait on one
    // read each.
    let queue = prefetch::Queue::default();
    let mut read_ahead = false;
    let (pages, loaded) = std::thread::scope(|s| {
        if let Files::Disk(dir, _, _, _) = &root_dir
            && prefetch::is_cold(dir, &files, &page_files)
        {
            read_ahead = true;
            prefetch::start(s, dir, &files, &page_files, &queue);
        }
        // Pages and the rest in two vectors filled in parallel (one vector of
        // tuples, moved into pages afterwards, took 2.7 ms of page faults).
        let read: (Vec<Page>, Vec<ProblemsAndFindings>) = page_files
            .par_iter()
            .map(|&file| {
                if let Some(p) = progress {
                    p.pages_done.fetch_add(1, Relaxed);
                }
                let path = &files[file as usize];
                let reported = walked.checked[file as usize];
                let regular = walked.regular[file as usize];
                let (mut page, problems) = load(
                    &root_dir,
                    file,
                    path,
                    reported,
                    regular,
                    &entries,
                    Reading {
                        max_page_bytes,
                        wants: &wants,
                    },
                );
                if fingerprint && page.parsed {
                    page.hash = READ_BUF.with_borrow(|b| content_hash(b.get()));
                }
                let mut found = Vec::new();
                if let Some(checks) = page_checks {
                    if page.reported && page.parsed {
                        checks.check(&page, &files, &mut found);
                    }
                    page.keep_shared();
                }
                (page, (problems, found))
            })
            .unzip();
        queue.done.store(true, Relaxed);
        read
    });
    forget_resolutions();
    let mut input_problems = walked.problems;
    let mut found_by_page = Vec::new();
    for (page, (problems, found)) in pages.iter().zip(loaded) {
        // An excluded page that cannot be read is not reported (nor exit 2).
        if page.reported {
            input_problems.extend(problems);
        }
        found_by_page.extend(found);
    }
    let mut page_of = vec![u32::MAX; files.len()];
    let mut with_suppressions = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        page_of[page.file as usize] = i as u32;
        if !page.facts.rare.suppressions.is_empty() {
            with_suppressions.push(i);
        }
    }
    let mut index = Index {
        root: root.to_path_buf(),
        files,
        entries,
        pages,
        page_of,
        with_suppressions,
        input_problems,
        read_ahead,
        markdown_by_name: Vec::new(),
        autorefs: Vec::new(),
        checked_page_by_page: page_checks.is_some(),
        found_by_page,
    };
    index.autorefs = autorefs(&index);
    // Wiki links, and in a vault the Markdown links whose path names no
    // file, resolve against the whole vault: once every page is read, each
    // page's in parallel, with one set of the vault's name tables.
    let has_wiki = index.pages.iter().any(|p| !p.facts.wiki_links.is_empty());
    let missing = |l: &Link| matches!(l.target, Target::Missing { .. });
    let by_name = wants.dialect.has_wiki_links()
        && index
            .pages
            .iter()
            .any(|p| p.reported && p.links.iter().any(missing));
    if !(has_wiki || by_name) {
        return index;
    }
    let vault = wiki::Vault::new(&index, unloaded_aliases);
    if has_wiki {
        let targets: Vec<Vec<wiki::WikiTarget>> = index
            .pages
            .par_iter()
            .map(|page| {
                let origin = wiki::Origin::of(&index, page);
                page.facts
                    .wiki_links
                    .iter()
                    .map(|w| vault.resolve_from(&index, &origin, wiki::note_of(&w.target)))
                    .collect()
            })
            .collect();
        index
            .pages
            .par_iter_mut()
            .zip(targets)
            .for_each(|(page, t)| {
                // Those that lead to a file are links like any other for the
                // schema rules (relations, orphans, duplicates): in an item, a
                // link of kind `Wiki`; elsewhere, a plain target.
                let mut added = false;
                for (w, target) in page.facts.wiki_links.iter().zip(&t) {
                    let wiki::WikiTarget::File(f) = target else {
                        continue;
                    };
                    match w.at {
                        Some((item, col)) => {
                            page.links.push(Link {
                                kind: LinkKind::Wiki,
                                offset: w.offset,
                                len: w.target.len() as u32,
                                pos: w.pos,
                                target: Target::File(*f),
                                item,
                                col,
                                text: None,
                            });
                            added = true;
                        }
                        None => page.plain_targets.push(*f),
                    }
                }
                if added {
                    page.links.sort_by_key(|l| l.offset);
                }
                page.wiki_targets = t;
            });
    }
    if by_name {
        let found: Vec<Vec<(u32, u32, wiki::WikiTarget)>> = index
            .pages
            .par_iter()
            .enumerate()
            .filter(|(_, page)| page.reported)
            .map(|(p, page)| {
                let looked_up = page.links.iter().enumerate().filter(|(_, l)| missing(l));
                looked_up
                    .map(|(i, link)| {
                        let written = &link.written()[link.path_range()];
                        let decoded =
                            resolve::decode(written).unwrap_or(std::borrow::Cow::Borrowed(written));
                        let target = vault.resolve(&index, page, &decoded);
                        (p as u32, i as u32, target)
                    })
                    .collect()
            })
            .collect();
        index.markdown_by_name = found.into_iter().flatten().collect();
    }
    index
}

/// The undefined labels of reported pages that autorefs links: to a
/// heading anchor of the same site (labels written in backticks too,
/// `` [`x.y`][] ``), else, under mkdocstrings, to an object.
fn autorefs(index: &Index) -> Vec<(u32, u32, Autoref)> {
    use crate::dialect::mkdocs::Autorefs;
    let on = |p: &Page| index.entries.autorefs(&p.path) != Autorefs::Off;
    let asked = |p: &&Page| index.asks_autorefs(p);
    if !index.pages.iter().any(|p| asked(&p)) {
        return Vec::new();
    }
    let site = |p: &Page| index.entries.site_number(&p.path);
    let mut anchors: crate::hash::FastSet<(Option<usize>, &str)> = Default::default();
    for page in index.pages.iter().filter(|p| on(p)) {
        let s = site(page);
        anchors.extend(page.anchors().map(|a| (s, a)));
    }
    let mut found = Vec::new();
    for (p, page) in index.pages.iter().enumerate().filter(|(_, p)| asked(p)) {
        let objects = index.entries.autorefs(&page.path) == Autorefs::Objects;
        for (i, r) in page.facts.rare.undefined_refs.iter().enumerate() {
            let label = r.label.trim().trim_matches('`');
            let how = if anchors.contains(&(site(page), label)) {
                Autoref::Heading
            } else if objects {
                Autoref::Object
            } else {
                continue;
            };
            found.push((p as u32, i as u32, how));
        }
    }
    found
}

use crate::diag::FILE_START as START;

/// Where `load` reads a page.
enum Files<'a> {
    /// The root, the page cache, pages whose bytes are given, and every
    /// file's stamp if the run took them.
    Disk(
        RootDir,
        Option<&'a crate::cache::Cache>,
        &'a HashMap<String, Vec<u8>>,
        Option<&'a [Option<crate::cache::Stamp>]>,
    ),
    Snapshot(
        &'a HashMap<String, Vec<u8>>,
        Option<&'a crate::cache::Cache>,
    ),
}

/// The root folder, to open files under it.
struct RootDir {
    path: PathBuf,
    /// A descriptor of the root, to open files relative to it: one path
    /// lookup for the part under the root, not from `/` for every page.
    #[cfg(unix)]
    fd: Option<rustix::fd::OwnedFd>,
}

impl RootDir {
    fn new(path: &Path) -> RootDir {
        RootDir {
            path: path.to_path_buf(),
            #[cfg(unix)]
            fd: rustix::fs::open(
                path,
                rustix::fs::OFlags::RDONLY
                    | rustix::fs::OFlags::DIRECTORY
                    | rustix::fs::OFlags::CLOEXEC,
                rustix::fs::Mode::empty(),
            )
            .ok(),
        }
    }

    /// Open `rel` (root-relative, from the walk) for reading.
    fn open(&self, rel: &str) -> std::io::Result<std::fs::File> {
        #[cfg(unix)]
        if let Some(fd) = &self.fd {
            let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC;
            let file = rustix::fs::openat(fd, rel, flags, rustix::fs::Mode::empty())?;
            return Ok(std::fs::File::from(file));
        }
        std::fs::File::open(self.path.join(rel))
    }

    /// The stamp of `rel`, without opening it (a symlink is followed, as
    /// `open` follows it).
    fn stamp(&self, rel: &str) -> Option<crate::cache::Stamp> {
        #[cfg(unix)]
        if let Some(fd) = &self.fd {
            let st = rustix::fs::statat(fd, rel, rustix::fs::AtFlags::empty()).ok()?;
            return Some(crate::cache::Stamp::of_stat(&st));
        }
        let meta = std::fs::metadata(self.path.join(rel)).ok()?;
        Some(crate::cache::Stamp::of(&meta))
    }
}

thread_local! {
    /// One read buffer per thread: no allocation (or mmap) per page.
    static READ_BUF: std::cell::RefCell<ReadBuf> = const { std::cell::RefCell::new(ReadBuf { bytes: Vec::new(), len: 0 }) };
}

/// The bytes of the last page read on a thread: the first `len` of
/// `bytes`, which keeps the length of the largest page read so far, so
/// that its room is zeroed once, not for every page.
struct ReadBuf {
    bytes: Vec<u8>,
    len: usize,
}

impl ReadBuf {
    fn get(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn set(&mut self, bytes: &[u8]) {
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.len = bytes.len();
    }

    /// Read at most `size` bytes of `file` (the size fstat gave): one read
    /// for a file of that size, none to probe for the end; a file that
    /// shrank meanwhile is read to its end.
    fn fill(&mut self, file: &mut std::fs::File, size: usize) -> std::io::Result<()> {
        use std::io::Read as _;
        if self.bytes.len() < size {
            self.bytes.resize(size, 0);
        }
        self.len = 0;
        while self.len < size {
            match file.read(&mut self.bytes[self.len..size]) {
                Ok(0) => break,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Read and parse one page. Returns the page and its input findings.
/// How pages are read: the size over which a page is not parsed, and the
/// optional facts to gather.
#[derive(Clone, Copy)]
struct Reading<'a> {
    max_page_bytes: u64,
    wants: &'a parse::Wants,
}

fn load(
    root: &Files<'_>,
    file: u32,
    path: &str,
    reported: bool,
    regular: bool,
    entries: &Entries,
    reading: Reading<'_>,
) -> (Page, Vec<Diagnostic>) {
    let Reading {
        max_page_bytes,
        wants,
    } = reading;
    let mut page = Page::empty(file, path, reported);
    let mut problems = Vec::new();
    if !regular {
        problems.push(Diagnostic::input(
            "unreadable-file",
            Severity::Error,
            path,
            START,
            format!("`{path}` is not a regular file (a pipe, socket or device); it was not read"),
            "replace it with a regular file, or exclude the path with `--exclude`",
        ));
        return (page, problems);
    }
    let unreadable = |e: std::io::Error| {
        Diagnostic::input(
            "unreadable-file",
            Severity::Error,
            path,
            START,
            format!("cannot read `{path}`: {e}"),
            "fix the permissions, or exclude the path with `--exclude`",
        )
    };
    // With a cache, the page's stamp is taken once, without opening it:
    // a page as cached is not read at all.
    let stamped = match root {
        Files::Disk(_, _, overlay, _) if overlay.contains_key(path) => None,
        Files::Disk(_, Some(cache), _, Some(stamps)) => stamps[file as usize].map(|s| (*cache, s)),
        Files::Disk(dir, Some(cache), _, None) => dir.stamp(path).map(|s| (*cache, s)),
        _ => None,
    };
    let entry = stamped.and_then(|(cache, _)| cache.lookup(path));
    if let (Some(e), Some((_, stamp))) = (&entry, stamped)
        && stamp.size <= max_page_bytes
        && e.fresh(&stamp)
        && let Some(body) = e.take()
    {
        page.parsed = true;
        index_cached(&mut page, body, entries);
        return (page, problems);
    }
    let read = READ_BUF.with_borrow_mut(|buf| -> Result<Read<'_>, std::io::Error> {
        let root = match root {
            Files::Disk(_, _, overlay, _) if let Some(bytes) = overlay.get(path) => {
                if bytes.len() as u64 > max_page_bytes {
                    return Ok(Read::TooLarge(bytes.len() as u64));
                }
                buf.set(bytes);
                return Ok(Read::Bytes(None));
            }
            Files::Disk(root, _, _, _) => root,
            Files::Snapshot(pages, cache) => {
                let bytes = pages.get(path).map(Vec::as_slice).unwrap_or_default();
                if bytes.len() as u64 > max_page_bytes {
                    return Ok(Read::TooLarge(bytes.len() as u64));
                }
                if let Some(e) = cache.and_then(|c| c.lookup(path))
                    && e.same_bytes(crate::cache::content_hash(bytes))
                    && let Some(body) = e.take()
                {
                    return Ok(Read::Cached(Box::new(body)));
                }
                buf.set(bytes);
                return Ok(Read::Bytes(None));
            }
        };
        let mut file = root.open(path)?;
        let size = file.metadata()?.len();
        if size > max_page_bytes {
            return Ok(Read::TooLarge(size));
        }
        buf.fill(&mut file, size as usize)?;
        // Unchanged bytes under another stamp (touched, checked out again).
        if let (Some(e), Some((_, stamp))) = (&entry, stamped)
            && e.same_bytes(crate::cache::content_hash(buf.get()))
            && let Some(body) = e.take_restamped(path, stamp)
        {
            return Ok(Read::Cached(Box::new(body)));
        }
        Ok(Read::Bytes(stamped))
    });
    match read {
        Err(e) => {
            problems.push(unreadable(e));
            return (page, problems);
        }
        Ok(Read::Cached(body)) => {
            page.parsed = true;
            index_cached(&mut page, *body, entries);
            return (page, problems);
        }
        Ok(Read::TooLarge(size)) => {
            problems.push(Diagnostic::input(
                "file-too-large",
                Severity::Warning,
                path,
                START,
                format!("`{path}` is {size} bytes, over the {max_page_bytes}-byte limit; it was not parsed"),
                "links into it are still resolved, but its own links and anchors are not checked",
            ));
            return (page, problems);
        }
        Ok(Read::Bytes(cache)) => {
            READ_BUF.with_borrow(|buf| {
                parse_page(&mut page, &mut problems, buf.get(), entries, wants, cache)
            });
        }
    }
    (page, problems)
}

/// Fill `page` from its cached facts.
fn index_cached(page: &mut Page, body: crate::cache::Body, entries: &Entries) {
    let crate::cache::Body { facts, dests, len } = body;
    let mut at = 0;
    index_page(page, facts, len, entries, |raw| {
        let written = &dests[at..at + raw.len as usize];
        at += raw.len as usize;
        written
    });
}

/// What reading a page gave.
enum Read<'a> {
    /// Its bytes, in `READ_BUF`; and the cache to record its facts in.
    Bytes(Option<(&'a crate::cache::Cache, crate::cache::Stamp)>),
    /// Its facts, from the cache.
    Cached(Box<crate::cache::Body>),
    /// Its size, over the limit: it is not read.
    TooLarge(u64),
}

/// A hash of a file's bytes, to tell whether it changed since it was read.
pub fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::hash::FastHasher::default();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish()
}

/// Parse a page's bytes into `page`, noting problems with its content.
fn parse_page(
    page: &mut Page,
    problems: &mut Vec<Diagnostic>,
    bytes: &[u8],
    entries: &Entries,
    wants: &parse::Wants,
    cache: Option<(&crate::cache::Cache, crate::cache::Stamp)>,
) {
    let path = page.path.as_str();
    if bytes.is_empty() || bytes == b"\xEF\xBB\xBF" {
        problems.push(Diagnostic::input(
            "empty-page",
            Severity::Warning,
            path,
            START,
            format!("`{path}` is empty"),
            "write the page or delete it; links into it can name no heading",
        ));
    }
    // A NUL byte in text that is otherwise UTF-8 is a stray byte in a page,
    // which is still checked; with bytes that are not UTF-8 it is binary.
    if memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some()
        && simdutf8::basic::from_utf8(bytes).is_err()
    {
        problems.push(Diagnostic::input(
            "binary-page",
            Severity::Warning,
            path,
            START,
            format!(
                "`{path}` has a Markdown name but binary content (a NUL byte, and bytes that are not UTF-8); it was not parsed"
            ),
            "rename it, or replace it with the Markdown it should hold",
        ));
        return;
    }
    let base = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    // SIMD validation (std's took 2.6 instructions a byte); the slow path
    // below finds the first bad byte when there is one.
    let text = match simdutf8::basic::from_utf8(&bytes[base..]) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            let (fixed, first_bad) = replace_invalid_utf8(&bytes[base..]);
            let pos = crate::parse::Lines::new(&fixed, base as u32).pos(first_bad);
            problems.push(Diagnostic::input(
                "invalid-utf8",
                Severity::Error,
                path,
                ((base + first_bad) as u32, pos),
                format!(
                    "`{path}` is not valid UTF-8 (first bad byte at offset {})",
                    base + first_bad
                ),
                "re-save the file as UTF-8; the rest of the page was still checked",
            ));
            std::borrow::Cow::Owned(fixed)
        }
    };
    let facts = parse::parse_with(&text, base as u32, wants);
    page.parsed = true;
    if let Some((cache, stamp)) = cache
        && problems.is_empty()
    {
        let dests: String = facts
            .links
            .iter()
            .map(|l| l.written(&text, base as u32))
            .collect();
        cache.record(&page.path, stamp, bytes, &facts, &dests);
    }
    index_page(page, facts, bytes.len() as u32, entries, |raw| {
        raw.written(&text, base as u32)
    });
}

/// Fill `page` from its facts: its sections, and its links resolved.
/// `written` gives each link's destination as written, in page order.
fn index_page<'t>(
    page: &mut Page,
    mut facts: PageFacts,
    len: u32,
    entries: &Entries,
    mut written: impl FnMut(&RawLink) -> &'t str,
) {
    page.sections = sections::build(&facts, len);
    let raws = std::mem::take(&mut facts.links);
    page.facts = facts;
    let dir = page.dir().to_string();
    // An issue or pull request template's `/path` links are the forge
    // site's, as external as `https://github.com/path`.
    let site_paths = entries.dialect.is_body_template(&page.path);
    entries.in_folder(&dir, |resolver| {
        for raw in raws {
            let written = written(&raw);
            if site_paths && written.starts_with('/') {
                page.facts.external_links += 1;
                continue;
            }
            let link = Link::new(raw, written, resolver);
            // A fine link outside any list or table (a navigation bar, prose) is
            // kept as its target only: a rule never reports on it.
            match link.target {
                Target::File(f) if !link.is_suspect() && link.at().is_none() => {
                    page.plain_targets.push(f)
                }
                Target::Dir if !link.is_suspect() && link.at().is_none() => page.plain_dirs += 1,
                _ => page.links.push(link),
            }
        }
    });
    page.links.shrink_to_fit();
    page.plain_targets.shrink_to_fit();
}

/// A page's bytes as text with the same byte offsets (invalid bytes replaced).
pub fn text_with_same_offsets(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => replace_invalid_utf8(bytes).0,
    }
}

/// Replace each invalid byte with U+001A (one byte, so offsets stay exact).
fn replace_invalid_utf8(bytes: &[u8]) -> (String, usize) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    let mut first_bad = None;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.extend_from_slice(s.as_bytes());
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.extend_from_slice(&rest[..good]);
                first_bad.get_or_insert(out.len());
                let bad = e.error_len().unwrap_or(rest.len() - good);
                out.extend(std::iter::repeat_n(0x1A, bad));
                rest = &rest[good + bad..];
            }
        }
    }
    let s = String::from_utf8(out).expect("only valid UTF-8 and 0x1A were written");
    (s, first_bad.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_are_replaced_one_for_one() {
        let (s, at) = replace_invalid_utf8(b"ab\xffc\xe2\x82");
        assert_eq!(s.len(), 6);
        assert_eq!(at, 2);
        assert_eq!(&s[..2], "ab");
    }
}
