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
    pub fn toml(&self, kind: &str, filter: Option<&Filter>) -> String {
        let filter = filter.map(Filter::toml).unwrap_or_default();
        match self {
            Side::Section(s) => {
                format!(
                    "{{ kind = \"{kind}\", section = \"{}\"{filter} }}",
                    super::esc(s)
                )
            }
            Side::Row(r) => format!(
                "{{ kind = \"{kind}\", row = \"{}\"{filter} }}",
                super::esc(r)
            ),
        }
    }
}

/// `where = { type = ["app"] }`, or `where-not`.
#[derive(Clone, Debug)]
pub struct Filter {
    pub attribute: String,
    pub values: Vec<String>,
    pub negated: bool,
}

impl Filter {
    fn toml(&self) -> String {
        let values: Vec<String> = self
            .values
            .iter()
            .map(|v| format!("\"{}\"", super::esc(v)))
            .collect();
        format!(
            ", {} = {{ \"{}\" = [{}] }}",
            if self.negated { "where-not" } else { "where" },
            super::esc(&self.attribute),
            values.join(", ")
        )
    }
}

/// A direction found: pages of `from` list pages of `to` in `side`, which
/// list them back in `back`.
#[derive(Clone, Debug)]
pub struct Found {
    pub from: usize,
    pub side: Side,
    pub to: usize,
    pub back: Side,
    /// Links listed back, links that could be checked, links whose page
    /// lists back in a cut list (not checked).
    pub mutual: usize,
    pub checked: usize,
    pub cut: usize,
    pub filter: Option<Filter>,
    /// Checked links the filter leaves out (from pages never listed back).
    pub left_out: usize,
}

impl Found {
    pub fn rate(&self) -> f64 {
        self.mutual as f64 / self.checked.max(1) as f64
    }
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
        let head = normalize(&c.header[0]);
        c.offset < first_section
            || matches!(head.as_str(), "attribute" | "property" | "field" | "key")
    };
    for (i, item) in blocks.items.iter().enumerate() {
        let c = &blocks.containers[item.container as usize];
        let two = c.kind == ContainerKind::Table && c.header.len() == 2;
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
        let side = if two && normalize(&c.header[0]) == "attribute" {
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
        let (Some((item, _)), Target::File(f)) = (l.at, &l.target) else {
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
    let h = &page.facts.headings[s.heading as usize].text;
    crate::index::sections::title_of(h).trim().to_string()
}

/// Every direction between kinds' sides with enough links, the back side
/// chosen as the one most often listing back.
pub fn directions(kind_of: &HashMap<usize, usize>, sides: &[PageSides]) -> Vec<Found> {
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
        // The back side: the one most links are listed back in.
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
        // Each link: listed back, or not (checkable), or hidden by a cut list.
        let outcome = |&(a, b): &(usize, usize)| -> Option<bool> {
            if lists(b, &back, a) {
                Some(true)
            } else if sides[b].cut.contains(&back) {
                None
            } else {
                Some(false)
            }
        };
        let mut found = Found {
            from: ka,
            side: side.clone(),
            to: kb,
            back: back.clone(),
            mutual: 0,
            checked: 0,
            cut: 0,
            filter: None,
            left_out: 0,
        };
        for l in &links {
            match outcome(l) {
                Some(m) => {
                    found.checked += 1;
                    found.mutual += usize::from(m);
                }
                None => found.cut += 1,
            }
        }
        // A direction that is not listed back every time may be one that
        // is, for pages with some values of an attribute, and never for others.
        let before = found.rate();
        if before < 0.99
            && let Some((f, mutual, checked)) = filter(&links, sides, outcome)
            // Worth it: what already held must come to hold nearly always.
            && (before < MIN_MUTUAL || mutual as f64 >= 0.98 * checked as f64)
        {
            found.left_out = found.checked - checked;
            found.filter = Some(f);
            found.mutual = mutual;
            found.checked = checked;
        }
        out.push(found);
    }
    out
}

/// An attribute of the listing pages whose values split the links into
/// those nearly always listed back and those nearly never: the filter that
/// keeps the first (with the counts it keeps).
fn filter(
    links: &[(usize, usize)],
    sides: &[PageSides],
    outcome: impl Fn(&(usize, usize)) -> Option<bool>,
) -> Option<(Filter, usize, usize)> {
    let names: BTreeSet<&str> = links
        .iter()
        .flat_map(|(a, _)| sides[*a].attributes.iter().map(|(n, _)| n.as_str()))
        .collect();
    let listing: BTreeSet<usize> = links.iter().map(|(a, _)| *a).collect();
    let mut best: Option<(Filter, usize, usize)> = None;
    for name in names {
        // A category every listing page has (nearly).
        let having = listing
            .iter()
            .filter(|&&a| sides[a].attributes.iter().any(|(n, _)| n == name))
            .count();
        if (having as f64) < 0.9 * listing.len() as f64 {
            continue;
        }
        // Value (none: the page lacks the attribute) -> (mutual, checked).
        let mut by_value: BTreeMap<Option<&str>, (usize, usize)> = BTreeMap::new();
        for l in links {
            let Some(m) = outcome(l) else { continue };
            let values: Vec<Option<&str>> = {
                let v: Vec<Option<&str>> = sides[l.0]
                    .attributes
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| Some(v.as_str()))
                    .collect();
                if v.is_empty() { vec![None] } else { v }
            };
            for v in values {
                let e = by_value.entry(v).or_default();
                e.0 += usize::from(m);
                e.1 += 1;
            }
        }
        // A category: a few values, not numbers (counts, years).
        let numeric = by_value.keys().flatten().all(|v| {
            v.chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        });
        if by_value.len() < 2 || by_value.len() > 12 || numeric {
            continue;
        }
        let rate = |(m, c): (usize, usize)| m as f64 / c.max(1) as f64;
        let (yes, no): (Vec<_>, Vec<_>) = by_value.iter().partition(|(_, mc)| rate(**mc) >= 0.95);
        if yes.is_empty() || no.iter().any(|(_, mc)| rate(**mc) > 0.05) {
            continue;
        }
        let kept: usize = yes.iter().map(|(_, (m, _))| *m).sum();
        let kept_checked: usize = yes.iter().map(|(_, (_, c))| *c).sum();
        let left_out: usize = no.iter().map(|(_, (_, c))| *c).sum();
        // Enough kept, and enough left out that it is not one odd page.
        if kept < MIN_LINKS || left_out < 3 {
            continue;
        }
        // `where` lists the values kept, unless pages without the
        // attribute are kept too: then `where-not` lists the others.
        let absent_kept = yes.iter().any(|(v, _)| v.is_none());
        let f = if absent_kept {
            Filter {
                attribute: name.to_string(),
                values: no
                    .iter()
                    .filter_map(|(v, _)| v.map(str::to_string))
                    .collect(),
                negated: true,
            }
        } else {
            Filter {
                attribute: name.to_string(),
                values: yes
                    .iter()
                    .filter_map(|(v, _)| v.map(str::to_string))
                    .collect(),
                negated: false,
            }
        };
        if f.values.is_empty() {
            continue;
        }
        // The filter that keeps the most links, then the one with fewest values.
        if best.as_ref().is_none_or(|(b, k, _)| {
            (kept, std::cmp::Reverse(f.values.len())) > (*k, std::cmp::Reverse(b.values.len()))
        }) {
            best = Some((f, kept, kept_checked));
        }
    }
    best
}
