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

/// Pages by kind and kinds by page.
#[derive(Debug, Default)]
pub struct Kinds {
    /// For each kind of the config (same order): indices of its pages.
    pub pages: Vec<Vec<usize>>,
    /// For each page: the kinds it belongs to.
    pub of_page: Vec<Vec<u16>>,
}

impl Kinds {
    pub fn build(index: &Index, config: &Config) -> Kinds {
        use rayon::prelude::*;
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
        let of_page: Vec<Vec<u16>> = index
            .pages
            .par_iter()
            .map(|page| {
                let path = page.path.as_str();
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
            })
            .collect();
        let mut pages = vec![Vec::new(); config.kinds.len()];
        for (p, kinds) in of_page.iter().enumerate() {
            for &k in kinds {
                pages[k as usize].push(p);
            }
        }
        Kinds { pages, of_page }
    }

    /// Pages of the kind named `name`.
    pub fn named<'a>(&'a self, config: &Config, name: &str) -> &'a [usize] {
        config
            .kinds
            .iter()
            .position(|k| k.name == name)
            .map_or(&[], |i| &self.pages[i])
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

    /// Whether page `page` is of kind number `id`.
    pub fn has(&self, page: usize, id: u16) -> bool {
        self.of_page[page].contains(&id)
    }
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
