//! Relations: pairs of sections (or attribute rows) whose links are listed
//! back in nearly all cases that can be checked. A link whose page lists
//! back in a list cut short is not counted either way (it cannot be
//! confirmed); a direction that holds only for pages with some values of
//! an attribute (a front matter key, or a two-column table's row) is
//! declared with a `where` filter when it holds for those values and
//! almost never for the others.

use crate::index::resolve::Target;
use crate::index::{Index, Page};
use crate::parse::blocks::{ContainerKind, normalize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A relation needs this many links that can be checked, listed back at
/// least this often.
pub const MIN_LINKS: usize = 10;
pub const MIN_MUTUAL: f64 = 0.9;

/// Where a page lists another: a section (by title) or an attribute row.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Section(String),
    Row(String),
}

impl Side {
    pub fn toml(&self, kind: &str, filters: &[Filter]) -> String {
        let filters = filters_toml(filters);
        match self {
            Side::Section(s) => {
                format!(
                    "{{ kind = {}, section = {}{filters} }}",
                    super::quote(kind),
                    super::quote(s)
                )
            }
            Side::Row(r) => format!(
                "{{ kind = {}, row = {}{filters} }}",
                super::quote(kind),
                super::quote(r)
            ),
        }
    }
}

/// `, where = { A = [..] }, where-not = { B = [..] }`.
fn filters_toml(filters: &[Filter]) -> String {
    let map = |negated: bool| {
        let entries: Vec<String> = filters
            .iter()
            .filter(|f| f.negated == negated)
            .map(|f| {
                let values: Vec<String> = f.values.iter().map(|v| super::quote(v)).collect();
                format!("{} = [{}]", super::quote(&f.attribute), values.join(", "))
            })
            .collect();
        entries.join(", ")
    };
    let mut out = String::new();
    for (negated, key) in [(false, "where"), (true, "where-not")] {
        let m = map(negated);
        if !m.is_empty() {
            out.push_str(&format!(", {key} = {{ {m} }}"));
        }
    }
    out
}

/// `where = { type = ["app"] }`, or `where-not`.
#[derive(Clone, Debug)]
pub struct Filter {
    pub attribute: String,
    pub values: Vec<String>,
    pub negated: bool,
}

/// A direction: pages of kind `from` list pages of kind `to` in `side`;
/// `back` is where those pages most often list them back.
#[derive(Clone, Debug)]
pub struct Direction {
    pub from: usize,
    pub side: Side,
    pub to: usize,
    pub back: Side,
    /// Each link (a lists b), and whether b lists a back (`None`: b's list
    /// is cut short, so it cannot be told).
    pub links: Vec<(usize, usize, Option<bool>)>,
    /// Notes in the rows of links not listed back (`dependency`): marks
    /// that may exempt a row.
    pub notes: Vec<(usize, usize, Vec<Box<str>>)>,
}

/// Listed back, checked, and cut, over links whose listing page passes `keep`.
pub fn tally(
    links: &[(usize, usize, Option<bool>)],
    keep: impl Fn(usize, usize) -> bool,
) -> (usize, usize, usize) {
    let (mut mutual, mut checked, mut cut) = (0, 0, 0);
    for &(a, b, o) in links.iter().filter(|(a, b, _)| keep(*a, *b)) {
        let _ = (a, b);
        match o {
            Some(m) => {
                checked += 1;
                mutual += usize::from(m);
            }
            None => cut += 1,
        }
    }
    (mutual, checked, cut)
}

/// Per page: its linked items' sides, its sides cut short, its attributes.
pub struct PageSides {
    pub links: Vec<(Side, usize)>,
    pub cut: HashSet<Side>,
    pub attributes: Vec<(String, String)>,
}

/// The first two cells of a table row, read from the page's text, without
/// markup (`**Type**`, `[X](x.md)` -> `X`).
fn cells(text: &str, offset: u32, end: u32) -> Option<(String, String)> {
    let row = text.get(offset as usize..end as usize)?;
    let mut parts = row.trim().trim_start_matches('|').split('|');
    let clean = |c: &str| {
        let c = c.trim().trim_matches(['*', '_', '`']).trim();
        let c = match (c.strip_prefix('['), c.find("](")) {
            (Some(_), Some(close)) => &c[1..close],
            _ => c,
        };
        c.trim().to_string()
    };
    let name = clean(parts.next()?);
    let value = clean(parts.next()?);
    (!name.is_empty() && name.len() <= 60 && value.len() <= 60).then_some((name, value))
}

/// The sides, cut sides and attributes of a page.
pub fn page_sides(
    index: &Index,
    page: &Page,
    text: Option<&str>,
    cut_patterns: &[regex::Regex],
    kind_of: &HashMap<usize, usize>,
    p: usize,
) -> PageSides {
    let blocks = &page.facts.blocks;
    let mut side_of: HashMap<u32, Side> = HashMap::new();
    let mut attributes = Vec::new();
    // Attribute tables: two columns headed like one, or above the first
    // section (the page's header); not a schema's `| Column | Type |` rows.
    let first_section = page
        .sections
        .iter()
        .filter(|s| s.level >= 2)
        .map(|s| s.bytes.start)
        .min()
        .unwrap_or(u32::MAX);
    let is_attribute_table = |c: &crate::parse::blocks::Container| {
        let head = normalize(c.header().next().unwrap_or_default());
        c.offset < first_section
            || matches!(head.as_str(), "attribute" | "property" | "field" | "key")
    };
    for (i, item) in blocks.items.iter().enumerate() {
        let c = &blocks.containers[item.container as usize];
        let two = c.kind == ContainerKind::Table && c.columns() == 2;
        let row = if two {
            text.and_then(|t| cells(t, item.offset, item.end))
        } else {
            None
        };
        if let Some((name, value)) = &row
            && !value.is_empty()
            && is_attribute_table(c)
        {
            attributes.push((name.clone(), value.clone()));
        }
        let side = if two && normalize(c.header().next().unwrap_or_default()) == "attribute" {
            row.map(|(name, _)| Side::Row(name))
        } else {
            // The shallowest section (below the title) holding the item.
            page.sections
                .iter()
                .filter(|s| s.level >= 2 && s.bytes.contains(&item.offset))
                .min_by_key(|s| s.level)
                .map(|s| Side::Section(section_title(page, s)))
        };
        if let Some(s) = side {
            side_of.insert(i as u32, s);
        }
    }
    if let Some(fm) = &page.facts.front_matter {
        attributes.extend(
            fm.entries
                .iter()
                .map(|e| (e.key.to_string(), e.value.to_string())),
        );
    }
    let mut cut = HashSet::new();
    for s in page.sections.iter().filter(|s| s.level >= 2) {
        let known = page
            .facts
            .rare
            .cut_lists
            .iter()
            .any(|(r, _)| s.bytes.contains(&r.start));
        let own = text
            .and_then(|t| t.get(s.bytes.start as usize..s.bytes.end as usize))
            .is_some_and(|t| {
                t.lines()
                    .any(|l| cut_patterns.iter().any(|re| re.is_match(l)))
            });
        if known || own {
            cut.insert(Side::Section(section_title(page, s)));
        }
    }
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for l in &page.links {
        let (Some((item, _)), Target::File(f)) = (l.at(), &l.target) else {
            continue;
        };
        let (Some(side), Some(b)) = (side_of.get(&item), index.page_index(*f)) else {
            continue;
        };
        if b != p && kind_of.contains_key(&b) && seen.insert((side.clone(), b)) {
            links.push((side.clone(), b));
        }
    }
    PageSides {
        links,
        cut,
        attributes,
    }
}

fn section_title(page: &Page, s: &crate::index::sections::Section) -> String {
    let h = page.facts.headings[s.heading as usize].text();
    crate::index::sections::title_of(h).trim().to_string()
}

/// Every direction between kinds' sides with enough links, the back side
/// chosen as the one most often listing back.
pub fn directions(
    index: &crate::index::Index,
    kind_of: &HashMap<usize, usize>,
    sides: &[PageSides],
) -> Vec<Direction> {
    // (kind A, side, kind B) -> links (a, b).
    let mut groups: BTreeMap<(usize, Side, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for (a, s) in sides.iter().enumerate() {
        let Some(&ka) = kind_of.get(&a) else { continue };
        for (side, b) in &s.links {
            groups
                .entry((ka, side.clone(), kind_of[b]))
                .or_default()
                .push((a, *b));
        }
    }
    let lists =
        |b: usize, side: &Side, a: usize| sides[b].links.iter().any(|(s, x)| *x == a && s == side);
    let mut out = Vec::new();
    for ((ka, side, kb), links) in groups {
        if links.len() < MIN_LINKS {
            continue;
        }
        let mut backs: BTreeMap<&Side, usize> = BTreeMap::new();
        for &(a, b) in &links {
            for (s, x) in &sides[b].links {
                if *x == a {
                    *backs.entry(s).or_default() += 1;
                }
            }
        }
        let Some((back, _)) = backs.into_iter().max_by_key(|(_, n)| *n) else {
            continue;
        };
        let back = back.clone();
        let links: Vec<(usize, usize, Option<bool>)> = links
            .into_iter()
            .map(|(a, b)| {
                let o = if lists(b, &back, a) {
                    Some(true)
                } else if sides[b].cut.contains(&back) {
                    None
                } else {
                    Some(false)
                };
                (a, b, o)
            })
            .collect();
        let notes = links
            .iter()
            .filter(|(_, _, o)| o.is_some())
            .map(|&(a, b, _)| (a, b, row_notes(index, a, b, &side)))
            .collect();
        out.push(Direction {
            from: ka,
            side,
            to: kb,
            back,
            links,
            notes,
        });
    }
    out
}

/// The notes (parentheticals) of the rows or items of page `a` in `side`
/// that link to page `b`.
fn row_notes(index: &crate::index::Index, a: usize, b: usize, _side: &Side) -> Vec<Box<str>> {
    let page = &index.pages[a];
    let file = index.pages[b].file;
    let notes = &page.facts.blocks.notes;
    let mut out = Vec::new();
    for l in page
        .links
        .iter()
        .filter(|l| matches!(l.target, Target::File(f) if f == file))
    {
        let Some((item, _)) = l.at() else { continue };
        let from = notes.partition_point(|(i, _)| *i < item);
        out.extend(
            notes[from..]
                .iter()
                .take_while(|(i, _)| *i == item)
                .map(|(_, n)| n.clone()),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// Relation entries, each with the filters of its scope.
pub type Scopes = Vec<Vec<Filter>>;

/// Filters on the pages observed (`obs`: a page, and whether its link was
/// listed back; `None` when that cannot be told) that leave out those never
/// listed back, as one or more scopes (each a relation entry): a category
/// (`where = { Type = [...] }`: values listed back nearly always, the
/// others nearly never), then exceptions (`where-not = { Solution =
/// ["GitHub Only"] }`: values never listed back). A category value that
/// holds only once its own exceptions are out gets a scope of its own
/// (`Type = Workbook` but not `Solution = GitHub Only`). Empty when no
/// attribute does it.
pub fn scope(obs: &[(usize, Option<bool>)], sides: &[PageSides]) -> Scopes {
    let passing = |filters: &[Filter]| {
        obs.iter()
            .filter(|(p, _)| filters.iter().all(|f| f.passes(&sides[*p].attributes)))
            .copied()
            .collect::<Vec<_>>()
    };
    let score = |scopes: &[Vec<Filter>]| {
        let (mut m, mut c) = (0, 0);
        for filters in scopes {
            for (_, o) in passing(filters) {
                if let Some(x) = o {
                    m += usize::from(x);
                    c += 1;
                }
            }
        }
        // What holds, then how much is kept.
        (rate(m, c), c)
    };
    let mut options: Vec<Scopes> = Vec::new();
    // A category, then exceptions among what it keeps.
    if let Some(f) = category(obs, sides, 0.95) {
        let mut filters = vec![f];
        if let Some(e) = exceptions(&passing(&filters), sides, &filters, 0.98) {
            filters.push(e);
        }
        options.push(vec![filters]);
    }
    // Exceptions, then a category among what they keep.
    if let Some(e) = exceptions(obs, sides, &[], 0.0) {
        let mut filters = vec![e];
        if let Some(f) = category(&passing(&filters), sides, 0.95) {
            filters.push(f);
        }
        options.push(vec![filters]);
    }
    // A category with values that hold only once their own exceptions are out.
    if let Some(f) = category(obs, sides, 0.5) {
        let values = by_value(obs, sides, &f.attribute);
        let pure: Vec<String> = values
            .iter()
            .filter(|(v, (m, c))| v.is_some() && rate(*m, *c) >= 0.95)
            .filter_map(|(v, _)| v.map(str::to_string))
            .collect();
        let mut scopes = Vec::new();
        if !pure.is_empty() && !f.negated {
            scopes.push(vec![Filter {
                values: pure.clone(),
                ..f.clone()
            }]);
        }
        for v in f.values.iter().filter(|v| !pure.contains(v) && !f.negated) {
            let only = vec![Filter {
                values: vec![v.clone()],
                ..f.clone()
            }];
            if let Some(e) = exceptions(&passing(&only), sides, &only, 0.95) {
                scopes.push(only.into_iter().chain([e]).collect());
            }
        }
        if !scopes.is_empty() {
            options.push(scopes);
        }
    }
    // The option that holds best (then keeps most); the first of equals:
    // the simplest (a plain category before the rest).
    let unscoped = score(&[Vec::new()]).0;
    let mut best: Option<(Scopes, (f64, usize))> = None;
    for o in options {
        let s = score(&o);
        if s.0 > unscoped && best.as_ref().is_none_or(|(_, b)| s > *b) {
            best = Some((o, s));
        }
    }
    best.map(|(o, _)| o).unwrap_or_default()
}

impl Filter {
    /// Whether a page with these attributes passes the filter.
    pub fn passes(&self, attributes: &[(String, String)]) -> bool {
        let has = attributes
            .iter()
            .any(|(n, v)| *n == self.attribute && self.values.contains(v));
        has != self.negated
    }
}

fn rate(m: usize, c: usize) -> f64 {
    m as f64 / c.max(1) as f64
}

/// Attribute names nearly every observed page has.
fn common_attributes<'a>(
    obs: &[(usize, Option<bool>)],
    sides: &'a [PageSides],
) -> BTreeSet<&'a str> {
    let pages: BTreeSet<usize> = obs.iter().map(|(p, _)| *p).collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for &p in &pages {
        let names: BTreeSet<&str> = sides[p]
            .attributes
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        for n in names {
            *count.entry(n).or_default() += 1;
        }
    }
    count
        .into_iter()
        .filter(|(_, n)| *n as f64 >= 0.9 * pages.len() as f64)
        .map(|(n, _)| n)
        .collect()
}

/// Per value of attribute `name` (none: the page lacks it): (listed back, checked).
fn by_value<'a>(
    obs: &[(usize, Option<bool>)],
    sides: &'a [PageSides],
    name: &str,
) -> BTreeMap<Option<&'a str>, (usize, usize)> {
    let mut out: BTreeMap<Option<&str>, (usize, usize)> = BTreeMap::new();
    for &(p, o) in obs {
        let Some(m) = o else { continue };
        let mut values: Vec<Option<&str>> = sides[p]
            .attributes
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| Some(v.as_str()))
            .collect();
        if values.is_empty() {
            values.push(None);
        }
        for v in values {
            let e = out.entry(v).or_default();
            e.0 += usize::from(m);
            e.1 += 1;
        }
    }
    out
}

/// A category split (see [`scope`]).
fn category(obs: &[(usize, Option<bool>)], sides: &[PageSides], kept_from: f64) -> Option<Filter> {
    let mut best: Option<(Filter, usize)> = None;
    for name in common_attributes(obs, sides) {
        let values = by_value(obs, sides, name);
        // A category: a few values, not numbers (counts, years).
        let numeric = values.keys().flatten().all(|v| {
            v.chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        });
        if values.len() < 2 || values.len() > 12 || numeric {
            continue;
        }
        let (yes, no): (Vec<_>, Vec<_>) = values
            .iter()
            .partition(|(_, (m, c))| rate(*m, *c) >= kept_from);
        if yes.is_empty() || no.iter().any(|(_, (m, c))| rate(*m, *c) > 0.05) {
            continue;
        }
        let kept: usize = yes.iter().map(|(_, (m, _))| *m).sum();
        let left_out: usize = no.iter().map(|(_, (_, c))| *c).sum();
        let all: usize = values.values().map(|(_, c)| c).sum();
        // Enough kept, and enough left out that it is not a few odd pages;
        // what is left out is a named value, not the pages that lack one.
        if kept < MIN_LINKS || left_out < 3.max(all / 1000) || no.iter().all(|(v, _)| v.is_none()) {
            continue;
        }
        // `where` lists the values kept, unless pages without the
        // attribute are kept too: then `where-not` lists the others.
        let absent_kept = yes.iter().any(|(v, _)| v.is_none());
        let (values, negated) = if absent_kept {
            (
                no.iter()
                    .filter_map(|(v, _)| v.map(str::to_string))
                    .collect::<Vec<_>>(),
                true,
            )
        } else {
            (
                yes.iter()
                    .filter_map(|(v, _)| v.map(str::to_string))
                    .collect(),
                false,
            )
        };
        if values.is_empty() {
            continue;
        }
        let f = Filter {
            attribute: name.to_string(),
            values,
            negated,
        };
        // The filter that keeps the most links, then the one with fewest values.
        let better = best.as_ref().is_none_or(|(b, k)| {
            (kept, std::cmp::Reverse(f.values.len())) > (*k, std::cmp::Reverse(b.values.len()))
        });
        if better {
            best = Some((f, kept));
        }
    }
    best.map(|(f, _)| f)
}

/// Exceptions (see [`scope`]): values of one attribute whose pages are
/// never listed back, left out when that makes the rest hold nearly always.
fn exceptions(
    obs: &[(usize, Option<bool>)],
    sides: &[PageSides],
    already: &[Filter],
    min_after: f64,
) -> Option<Filter> {
    let (m, c) = obs.iter().fold((0, 0), |(m, c), (_, o)| match o {
        Some(x) => (m + usize::from(*x), c + 1),
        None => (m, c),
    });
    if rate(m, c) >= 0.99 {
        return None;
    }
    let observed_pages = obs
        .iter()
        .map(|(p, _)| *p)
        .collect::<BTreeSet<usize>>()
        .len();
    let mut best: Option<(Filter, f64)> = None;
    for name in common_attributes(obs, sides) {
        if already.iter().any(|f| f.attribute == name) {
            continue;
        }
        let values = by_value(obs, sides, name);
        // A group, not a few odd pages: pages enough (five, and a
        // hundredth of those observed) never listed back, for each value.
        let pages_with = |v: &str| {
            obs.iter()
                .map(|(p, _)| *p)
                .filter(|p| {
                    sides[*p]
                        .attributes
                        .iter()
                        .any(|(n, x)| n == name && x == v)
                })
                .collect::<BTreeSet<usize>>()
                .len()
        };
        let least = 5.max(observed_pages / 100);
        let never: Vec<(&str, (usize, usize))> = values
            .iter()
            .filter_map(|(v, mc)| Some(((*v)?, *mc)))
            .filter(|(v, (vm, vc))| {
                *vc >= 3 && rate(*vm, *vc) <= 0.05 && !is_date(v) && pages_with(v) >= least
            })
            .collect();
        if never.is_empty() || never.len() > 5 {
            continue;
        }
        let (lm, lc) = never
            .iter()
            .fold((0, 0), |(a, b), (_, (vm, vc))| (a + vm, b + vc));
        let after = rate(m - lm, c - lc);
        if after < min_after || after <= rate(m, c) || c - lc < MIN_LINKS {
            continue;
        }
        if best.as_ref().is_none_or(|(_, r)| after > *r) {
            best = Some((
                Filter {
                    attribute: name.to_string(),
                    values: never.iter().map(|(v, _)| v.to_string()).collect(),
                    negated: true,
                },
                after,
            ));
        }
    }
    best.map(|(f, _)| f)
}

/// Marks (`dependency`) whose rows are mostly not listed back while the
/// rows without them nearly always are: `skip-marked`.
pub fn skip_marks(dir: &Direction, keep: impl Fn(usize, usize) -> bool) -> Vec<String> {
    let mut by_mark: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let listed_back = |a: usize, b: usize| {
        dir.links
            .iter()
            .any(|&(x, y, o)| x == a && y == b && o == Some(true))
    };
    let (mut all_m, mut all_c) = (0, 0);
    for (a, b, notes) in dir.notes.iter().filter(|(a, b, _)| keep(*a, *b)) {
        let back = usize::from(listed_back(*a, *b));
        all_m += back;
        all_c += 1;
        for n in notes {
            let e = by_mark.entry(n).or_default();
            e.0 += back;
            e.1 += 1;
        }
    }
    // A mark is a word or two, on at least three rows, mostly not listed
    // back where the rows without it nearly always are.
    by_mark
        .into_iter()
        .filter(|(n, (m, c))| {
            let rest = rate(all_m - m, all_c - c);
            let words = n.split(' ').count() <= 2
                && n.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-');
            *c >= 3 && rate(*m, *c) <= 0.5 && rest >= 0.9 && words
        })
        .map(|(n, _)| n.to_string())
        .collect()
}

/// `2022-11-16`, `Apr 09, 2026`: a date, which says when, not what a page is.
fn is_date(v: &str) -> bool {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b\d{4}-\d{2}-\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
        )
        .expect("valid regex")
    })
    .is_match(v)
}
