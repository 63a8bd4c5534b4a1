//! What a rule file says about the tree, evaluated on the index: which pages
//! are of which kind, and which links make up one side of a relation.

pub mod counts;

use crate::config::{Config, Names, Side};
use crate::index::resolve::Target;
use crate::index::sections::Section;
use crate::index::{Index, Link, Page};
use crate::parse::blocks::{ContainerKind, key_of, normalize};

/// What the rule file says, evaluated on the tree: what the schema's
/// helpers read.
pub struct Model<'a> {
    pub config: &'a Config,
    pub kinds: &'a Kinds,
}

/// Pages by kind and kinds by page. A page's kinds come from its path
/// alone, so they are known for every page file of the walk, loaded or not
/// (a partial run loads only some pages: [`crate::replay`]).
#[derive(Debug, Default)]
pub struct Kinds {
    /// For each kind of the config (same order): indices of its loaded pages.
    pub pages: Vec<Vec<usize>>,
    /// For each kind: how many page files of the walk are of it, loaded or not.
    pub files: Vec<usize>,
    /// The distinct sets of kinds a page has (the first is the empty set).
    sets: Vec<Vec<u16>>,
    /// For each file: its set in `sets` (0 for a file that is not a page).
    of_file: Vec<u32>,
    /// For each loaded page: its set in `sets`.
    of_page: Vec<u32>,
}

impl Kinds {
    pub fn build(index: &Index, config: &Config) -> Kinds {
        use rayon::prelude::*;
        let mut kinds = Kinds {
            pages: vec![Vec::new(); config.kinds.len()],
            files: vec![0; config.kinds.len()],
            sets: vec![Vec::new()],
            of_file: vec![0; index.files.len()],
            of_page: vec![0; index.pages.len()],
        };
        if config.kinds.is_empty() {
            return kinds;
        }
        // Each glob's own regex (so it matches exactly what it does), tried
        // on a page only when the page's path starts with the glob's
        // literal start (`tables/` of `tables/*.md`): two or three per page,
        // where a set of all of them took 0.5 µs a page.
        // `None` if a glob's regex would not compile: then each kind's own
        // sets (checked when the rule file was read) match instead.
        let globs: Option<Vec<(&str, regex::bytes::Regex, u16, bool)>> = config
            .kinds
            .iter()
            .enumerate()
            .flat_map(|(i, kind)| kind.each.iter().map(move |g| (i, g)))
            .map(|(i, (glob, negated))| {
                let text = glob.glob();
                let literal = &text[..text.find(['*', '?', '[', '{', '\\']).unwrap_or(text.len())];
                let re = regex::bytes::Regex::new(glob.regex()).ok()?;
                Some((literal, re, i as u16, *negated))
            })
            .collect();
        let kinds_of = |path: &str| -> Vec<u16> {
            let Some(globs) = &globs else {
                let kinds = config.kinds.iter().enumerate();
                return kinds
                    .filter(|(_, k)| k.matches(path))
                    .map(|(i, _)| i as u16)
                    .collect();
            };
            let hits: Vec<(u16, bool)> = globs
                .iter()
                .filter(|(literal, re, ..)| {
                    path.starts_with(literal) && re.is_match(path.as_bytes())
                })
                .map(|&(_, _, kind, negated)| (kind, negated))
                .collect();
            let mut kinds: Vec<u16> = hits
                .iter()
                .filter(|&&(k, negated)| !negated && !hits.contains(&(k, true)))
                .map(|&(k, _)| k)
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            kinds
        };
        // Every page file's kinds (a page not loaded has them too).
        let found: Vec<(u32, Vec<u16>)> = (0..index.files.len() as u32)
            .into_par_iter()
            .filter(|&f| index.is_page_file(f))
            .map(|f| (f, kinds_of(&index.files[f as usize])))
            .filter(|(_, k)| !k.is_empty())
            .collect();
        let mut ids: crate::hash::FastMap<Vec<u16>, u32> = Default::default();
        for (f, set) in found {
            for &k in &set {
                kinds.files[k as usize] += 1;
            }
            let id = match ids.get(&set) {
                Some(&id) => id,
                None => {
                    let id = kinds.sets.len() as u32;
                    kinds.sets.push(set.clone());
                    ids.insert(set, id);
                    id
                }
            };
            kinds.of_file[f as usize] = id;
        }
        for (p, page) in index.pages.iter().enumerate() {
            let id = kinds.of_file[page.file as usize];
            kinds.of_page[p] = id;
            for &k in &kinds.sets[id as usize] {
                kinds.pages[k as usize].push(p);
            }
        }
        kinds
    }

    /// The kinds of loaded page `page`.
    pub fn of_page(&self, page: usize) -> &[u16] {
        &self.sets[self.of_page[page] as usize]
    }

    /// The kinds of file `file` (none if it is not a page).
    pub fn of_file(&self, file: u32) -> &[u16] {
        self.of_file
            .get(file as usize)
            .map_or(&[], |&id| &self.sets[id as usize])
    }

    /// Loaded pages of the kind named `name`.
    pub fn named<'a>(&'a self, config: &Config, name: &str) -> &'a [usize] {
        config
            .kinds
            .iter()
            .position(|k| k.name == name)
            .map_or(&[], |i| &self.pages[i])
    }

    /// How many page files of the walk are of the kind named `name`, loaded or not.
    pub fn files_named(&self, config: &Config, name: &str) -> usize {
        config
            .kinds
            .iter()
            .position(|k| k.name == name)
            .map_or(0, |i| self.files[i])
    }

    pub fn is(&self, config: &Config, page: usize, name: &str) -> bool {
        Kinds::id(config, name).is_some_and(|id| self.has(page, id))
    }

    /// The number of the kind named `name` (look it up once, outside loops).
    pub fn id(config: &Config, name: &str) -> Option<u16> {
        config
            .kinds
            .iter()
            .position(|k| k.name == name)
            .map(|i| i as u16)
    }

    /// Whether loaded page `page` is of kind number `id`.
    pub fn has(&self, page: usize, id: u16) -> bool {
        self.of_page(page).contains(&id)
    }

    /// Whether file `file` is a page of kind number `id` (loaded or not).
    pub fn file_has(&self, file: u32, id: u16) -> bool {
        self.of_file(file).contains(&id)
    }
}

/// For each loaded page, the rule file's entries that match on it: count
/// forms that find a declared count there (numbered as in the rule file),
/// then relations whose `from` side has a link there (numbered after the
/// count forms). Sorted. What `rule-matches-nothing` asks of the pages a
/// partial run does not check ([`crate::replay::PageRun::matched`]).
pub fn matched_by_page(index: &Index, model: &Model) -> Vec<Vec<u16>> {
    use rayon::prelude::*;
    let config = model.config;
    let relation_pages = |rel: &crate::config::Relation| -> Vec<usize> {
        let from = &rel.from;
        let any = |&p: &usize| matches!(side_links(&index.pages[p], from), Found::Links(l) if !l.is_empty());
        model
            .kinds
            .named(config, &from.kind)
            .iter()
            .copied()
            .filter(any)
            .collect()
    };
    let counts = config
        .counts
        .par_iter()
        .map(|(form, _)| counts::pages_matched(index, model, form));
    let relations = config
        .relations
        .par_iter()
        .map(|(rel, _)| relation_pages(rel));
    let per_entry: Vec<Vec<usize>> = counts.chain(relations).collect();
    let mut out = vec![Vec::new(); index.pages.len()];
    for (e, pages) in per_entry.iter().enumerate() {
        for &p in pages {
            let entries: &mut Vec<u16> = &mut out[p];
            if entries.last() != Some(&(e as u16)) {
                entries.push(e as u16);
            }
        }
    }
    out
}

/// Sections of `page` whose title is one of `names` (normalised), at the
/// shallowest level any of them has: a `### Solutions` deep in another
/// section is not the page's `## Solutions` (subsections are included in
/// their parent's items anyway).
pub fn sections_named<'a>(page: &'a Page, names: &Names) -> Vec<(usize, &'a Section)> {
    let wanted = names.keys();
    let named = || {
        page.sections
            .iter()
            .enumerate()
            .filter(|(_, s)| wanted.contains(&s.key))
    };
    let Some(top) = named().map(|(_, s)| s.level).min() else {
        return Vec::new();
    };
    named().filter(|(_, s)| s.level == top).collect()
}

/// Whether the link is marked with one of `marks`: a parenthetical that
/// starts with the mark (`(dependency)`, `(dependency on X)`), right after
/// it or anywhere in its row or list item.
pub fn is_marked(page: &Page, link: &Link, marks: &[String]) -> bool {
    if marks.is_empty() {
        return false;
    }
    // `marks` are normalised when the rule file is read, row notes when the
    // page is parsed.
    let marked = |n: &str| marks.iter().any(|m| n.starts_with(m.as_str()));
    let notes = &page.facts.rare.link_notes;
    let i = notes.partition_point(|(o, _)| *o < link.offset);
    if notes
        .get(i)
        .is_some_and(|(o, n)| *o == link.offset && marked(&normalize(n)))
    {
        return true;
    }
    // Anywhere else in the row or list item the link is in.
    let Some((item, _)) = link.at() else {
        return false;
    };
    let notes = &page.facts.blocks.notes;
    let from = notes.partition_point(|(i, _)| *i < item);
    notes[from..]
        .iter()
        .take_while(|(i, _)| *i == item)
        .any(|(_, n)| marked(n))
}

/// The keys (`key_of`) of the values of the page's attribute `name`: the
/// value cell of a two-column table row named so (`| **Type** | Workbook |`),
/// and the front matter key named so (each item of a list: `tags: [a, b]`).
pub fn attribute<'a>(page: &'a Page, name: &str) -> impl Iterator<Item = u64> + 'a {
    let blocks = &page.facts.blocks;
    let key = key_of(name);
    let row = blocks
        .values
        .iter()
        .find(|(item, _)| blocks.items[*item as usize].key() == key)
        .map(|&(_, value)| value);
    let front = page.facts.front_matter.iter().flat_map(move |fm| {
        fm.entries
            .iter()
            .filter(move |e| key_of(&e.key) == key)
            .map(|e| key_of(&e.value))
    });
    row.into_iter().chain(front)
}

/// Whether the page passes the side's `where` and `where-not` filters.
pub fn on_side(page: &Page, side: &Side) -> bool {
    let has =
        |name: &str, values: &Names| attribute(page, name).any(|v| values.keys().contains(&v));
    side.only.iter().all(|(name, values)| has(name, values))
        && !side.except.iter().any(|(name, values)| has(name, values))
}

/// Whether the side's section on `page` is a list cut short (`... and 159
/// more`): what it does not show cannot be checked.
pub fn side_is_cut(page: &Page, side: &Side) -> bool {
    let Some(names) = &side.section else {
        return false;
    };
    let cut = &page.facts.rare.cut_lists;
    !cut.is_empty()
        && sections_named(page, names)
            .iter()
            .any(|(_, s)| cut.iter().any(|(at, _)| s.bytes.contains(&at.start)))
}

/// Where a side lives on a page.
pub enum Found<'a> {
    /// The side's section(s) or row(s) exist; these are their links.
    Links(Vec<&'a Link>),
    /// The page has no such section or row.
    Missing,
}

/// The links on `page` that make up `side` (to pages, resolved).
pub fn side_links<'a>(page: &'a Page, side: &Side) -> Found<'a> {
    let items = &page.facts.blocks.items;
    let in_items = |link: &Link, ranges: &[std::ops::Range<u32>]| {
        link.at()
            .is_some_and(|(i, _)| ranges.iter().any(|r| r.contains(&i)))
    };
    let ranges: Vec<std::ops::Range<u32>> = if let Some(names) = &side.section {
        let secs = sections_named(page, names);
        if secs.is_empty() {
            return Found::Missing;
        }
        secs.iter().map(|(_, s)| s.items.clone()).collect()
    } else if let Some(row) = &side.row {
        let key = key_of(row);
        let rows: Vec<std::ops::Range<u32>> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| {
                it.key() == key
                    && page.facts.blocks.containers[it.container as usize].kind
                        == ContainerKind::Table
            })
            .map(|(i, _)| i as u32..i as u32 + 1)
            .collect();
        if rows.is_empty() {
            return Found::Missing;
        }
        rows
    } else {
        return Found::Missing;
    };
    // Links are in page order, so those inside a run of items are one slice
    // of them (found by offset); the runs are in page order too.
    let slice_of = |r: &std::ops::Range<u32>| -> &[Link] {
        if r.is_empty() {
            return &[];
        }
        let (start, end) = (
            items[r.start as usize].offset,
            items[r.end as usize - 1].end,
        );
        let lo = page.links.partition_point(|l| l.offset < start);
        let hi = page.links.partition_point(|l| l.offset < end);
        &page.links[lo..hi.max(lo)]
    };
    // The columns named so, found once per table (not once per link).
    let column = side.column.as_deref().map(key_of);
    let mut named_columns: Option<(u32, Vec<bool>)> = None;
    let mut links = Vec::new();
    for l in ranges.iter().flat_map(slice_of) {
        if !matches!(l.target, Target::File(_)) || !in_items(l, &ranges) {
            continue;
        }
        let Some((item, col)) = l.at() else {
            continue;
        };
        let keep = match (&side.row, column) {
            (Some(_), _) => col >= 1,
            (None, Some(wanted)) => {
                let container = items[item as usize].container;
                if named_columns.as_ref().is_none_or(|(c, _)| *c != container) {
                    let table = &page.facts.blocks.containers[container as usize];
                    let named = table.header().map(|h| key_of(h) == wanted).collect();
                    named_columns = Some((container, named));
                }
                let (_, named) = named_columns.as_ref().expect("set above");
                named.get(col as usize).copied().unwrap_or(false)
            }
            (None, None) => true,
        };
        if keep {
            links.push(l);
        }
    }
    Found::Links(links)
}

/// How a side is named in messages: `Solutions`, `Tables Used`/`Tables Reference`, row `Solution`.
pub fn side_name(side: &Side) -> String {
    match (&side.section, &side.row) {
        (Some(s), _) => {
            let names = s.as_slice();
            let col = side
                .column
                .as_ref()
                .map(|c| format!(" (column `{c}`)"))
                .unwrap_or_default();
            format!("`{}`{col}", names.join("`/`"))
        }
        (None, Some(r)) => format!("row `{r}`"),
        (None, None) => String::new(),
    }
}

/// The index pages an `[[orphans]]` entry names, loaded or not (a partial
/// run loads only some): its paths, and the page files its globs match, in
/// file order (the order of their paths).
pub fn index_page_files(index: &Index, orphan: &crate::config::Orphan) -> Vec<u32> {
    let mut found: Vec<u32> = orphan
        .index
        .to_vec()
        .iter()
        .filter(|p| !crate::config::is_glob(p))
        .filter_map(|p| match index.entries.exact(p.trim_start_matches("./")) {
            Some(Target::File(f)) if index.is_page_file(f) => Some(f),
            _ => None,
        })
        .collect();
    if let Some(globs) = &orphan.index_globs {
        let files = (0..index.files.len() as u32).filter(|&f| index.is_page_file(f));
        found.extend(files.filter(|&f| globs.is_match(&index.files[f as usize])));
    }
    found.sort_unstable_by(|&a, &b| index.files[a as usize].cmp(&index.files[b as usize]));
    found.dedup();
    found
}

/// The index pages an `[[orphans]]` entry names: its paths, and the pages
/// its globs match, in page order.
pub fn index_pages<'a>(index: &'a Index, orphan: &crate::config::Orphan) -> Vec<&'a Page> {
    let mut found: Vec<&Page> = orphan
        .index
        .to_vec()
        .iter()
        .filter(|p| !crate::config::is_glob(p))
        .filter_map(|p| match index.entries.exact(p.trim_start_matches("./")) {
            Some(Target::File(f)) => index.page_by_file(f),
            _ => None,
        })
        .collect();
    if let Some(globs) = &orphan.index_globs {
        found.extend(index.pages.iter().filter(|p| globs.is_match(&p.path)));
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    found
}
