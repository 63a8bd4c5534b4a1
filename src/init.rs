//! `reftree init`: look at a tree and write a starter rule file. Page kinds
//! come from folders; relations from pairs of sections (or attribute rows)
//! whose links are mutual in nearly all cases; count forms from declared
//! counts that agree with the lists they head; index pages from pages that
//! list nearly every page of a kind. Each entry says what it matched.

use crate::index::resolve::Target;
use crate::index::{Index, Page};
use crate::parse::blocks::{ContainerKind, normalize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

/// A relation needs this many links, reciprocated at least this often.
const MIN_LINKS: usize = 10;
const MIN_MUTUAL: f64 = 0.9;

/// Where a page lists another: a section (by title) or an attribute row.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Side {
    Section(String),
    Row(String),
}

impl Side {
    fn toml(&self, kind: &str) -> String {
        match self {
            Side::Section(s) => format!("{{ kind = \"{kind}\", section = \"{}\" }}", esc(s)),
            Side::Row(r) => format!("{{ kind = \"{kind}\", row = \"{}\" }}", esc(r)),
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn singular(folder: &str) -> String {
    let f = folder.to_lowercase().replace([' ', '_'], "-");
    match f.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => f.strip_suffix('s').map_or(f.clone(), str::to_string),
    }
}

/// The first cell of an attribute row, read from the page's text.
fn row_name(text: &str, offset: u32, end: u32) -> Option<String> {
    let row = text.get(offset as usize..end as usize)?;
    let cell = row.trim_start().trim_start_matches('|').split('|').next()?;
    let name = cell.trim().trim_matches(['*', '_', '`']).trim();
    (!name.is_empty() && name.len() <= 60).then(|| name.to_string())
}

/// The side each linked item of a page is in, by item index.
fn sides(root: &std::path::Path, page: &Page) -> HashMap<u32, Side> {
    let blocks = &page.facts.blocks;
    let text = std::fs::read(root.join(&page.path))
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let mut out = HashMap::new();
    for (i, item) in blocks.items.iter().enumerate() {
        let c = &blocks.containers[item.container as usize];
        let attribute = c.kind == ContainerKind::Table
            && c.header.len() == 2
            && normalize(&c.header[0]) == "attribute";
        let side = if attribute {
            text.as_deref()
                .and_then(|t| row_name(t, item.offset, item.end))
                .map(Side::Row)
        } else {
            // The shallowest section (below the title) holding the item.
            page.sections
                .iter()
                .filter(|s| s.level >= 2 && s.bytes.contains(&item.offset))
                .min_by_key(|s| s.level)
                .map(|s| {
                    let h = &page.facts.headings[s.heading as usize].text;
                    Side::Section(crate::index::sections::title_of(h).trim().to_string())
                })
        };
        if let Some(s) = side {
            out.insert(i as u32, s);
        }
    }
    out
}

/// Infer a starter rule file for `index` (built with no rule file).
pub fn infer(index: &Index) -> String {
    let root = &index.root;
    // Kinds: folders with five pages or more; index-like pages left out.
    let mut folders: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (p, page) in index.pages.iter().enumerate() {
        if let Some((folder, _)) = page.path.split_once('/')
            && !folder.starts_with('.')
        {
            folders.entry(folder).or_default().push(p);
        }
    }
    let is_index_name = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        stem == "index" || stem.ends_with("-index") || stem == "readme"
    };
    let mut kinds: Vec<(String, String, Vec<String>, Vec<usize>)> = Vec::new(); // (name, folder, excluded, pages)
    for (folder, pages) in &folders {
        let (excluded, members): (Vec<usize>, Vec<usize>) = pages
            .iter()
            .partition(|&&p| is_index_name(&index.pages[p].path));
        if members.len() < 5 {
            continue;
        }
        let excluded = excluded
            .iter()
            .map(|&p| index.pages[p].path.clone())
            .collect();
        kinds.push((singular(folder), folder.to_string(), excluded, members));
    }
    let kind_of: HashMap<usize, usize> = kinds
        .iter()
        .enumerate()
        .flat_map(|(k, (_, _, _, pages))| pages.iter().map(move |&p| (p, k)))
        .collect();

    // Each page's linked items by side, and the pages they link to.
    let mut links: Vec<Vec<(Side, usize)>> = vec![Vec::new(); index.pages.len()];
    for (_, _, _, pages) in &kinds {
        for &p in pages {
            let page = &index.pages[p];
            let s = sides(root, page);
            let mut seen = HashSet::new();
            for l in &page.links {
                let (Some((item, _)), Target::File(f)) = (l.at, &l.target) else {
                    continue;
                };
                let (Some(side), Some(b)) = (s.get(&item), index.page_index(*f)) else {
                    continue;
                };
                if b != p && kind_of.contains_key(&b) && seen.insert((side.clone(), b)) {
                    links[p].push((side.clone(), b));
                }
            }
        }
    }
    // Relations: (kind A, side) -> (kind B, side B), most often mutual.
    let mut pairs: BTreeMap<(usize, Side, usize), BTreeMap<Side, usize>> = BTreeMap::new();
    let mut totals: BTreeMap<(usize, Side, usize), usize> = BTreeMap::new();
    for (a, list) in links.iter().enumerate() {
        let Some(&ka) = kind_of.get(&a) else { continue };
        for (side, b) in list {
            let kb = kind_of[b];
            let key = (ka, side.clone(), kb);
            *totals.entry(key.clone()).or_default() += 1;
            for (back_side, back) in &links[*b] {
                if *back == a {
                    *pairs
                        .entry(key.clone())
                        .or_default()
                        .entry(back_side.clone())
                        .or_default() += 1;
                }
            }
        }
    }
    let mut relations: Vec<(usize, Side, usize, Side, usize, usize)> = Vec::new();
    let mut near: Vec<(usize, Side, usize, Side, usize, usize)> = Vec::new();
    for (key, total) in &totals {
        let Some(backs) = pairs.get(key) else {
            continue;
        };
        let Some((side_b, n)) = backs.iter().max_by_key(|(_, n)| **n) else {
            continue;
        };
        let rate = (*n as f64) / (*total as f64);
        let entry = (key.0, key.1.clone(), key.2, side_b.clone(), *n, *total);
        if *total >= MIN_LINKS && rate >= MIN_MUTUAL {
            relations.push(entry);
        } else if *total >= MIN_LINKS && rate >= 0.5 {
            near.push(entry);
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Starter rule file written by `reftree init`: review every entry."
    );
    let _ = writeln!(
        out,
        "# Counts in comments are what each entry matched in this tree."
    );
    let _ = writeln!(out, "version = 1\n\n[kinds]");
    for (name, folder, excluded, pages) in &kinds {
        let mut globs = vec![format!("\"{folder}/*.md\"")];
        globs.extend(excluded.iter().map(|e| format!("\"!{e}\"")));
        let value = if globs.len() == 1 {
            globs[0].clone()
        } else {
            format!("[{}]", globs.join(", "))
        };
        let _ = writeln!(out, "{name} = {value}  # {} pages", pages.len());
    }
    // Index pages: a page outside the kind that lists nearly all of it.
    for (name, _, _, pages) in &kinds {
        let members: HashSet<u32> = pages.iter().map(|&p| index.pages[p].file).collect();
        let best = index
            .pages
            .iter()
            .enumerate()
            .filter(|(p, _)| !pages.contains(p))
            .map(|(_, page)| {
                let listed: HashSet<u32> = page
                    .linked_files()
                    .filter(|f| members.contains(f))
                    .collect();
                (listed.len(), page)
            })
            .max_by_key(|(n, page)| (*n, std::cmp::Reverse(page.path.clone())));
        if let Some((n, page)) = best
            && n as f64 >= 0.9 * pages.len() as f64
        {
            let _ = write!(
                out,
                "\n[[orphans]]  # `{}` lists {n} of {} pages\nkind = \"{name}\"\nindex = \"{}\"\n",
                page.path,
                pages.len(),
                esc(&page.path)
            );
        }
    }
    // Heading counts with a unit that agree with their lists.
    let mut units: BTreeMap<(usize, String), (usize, usize)> = BTreeMap::new();
    for (k, (_, _, _, pages)) in kinds.iter().enumerate() {
        for &p in pages {
            let page = &index.pages[p];
            for s in &page.sections {
                let h = &page.facts.headings[s.heading as usize];
                if let Some(c) = h
                    .count
                    .as_ref()
                    .filter(|c| !c.unit.is_empty() && s.level >= 2)
                {
                    let e = units.entry((k, c.unit.to_string())).or_default();
                    e.1 += 1;
                    if c.value == s.items.len() as u64 {
                        e.0 += 1;
                    }
                }
            }
        }
    }
    for ((k, unit), (agree, total)) in &units {
        if *total >= 5 && *agree as f64 >= 0.95 * *total as f64 {
            let _ = write!(
                out,
                "\n[[counts]]  # `(N {unit})` headings: {agree} of {total} agree with their lists\nform = \"heading\"\nkind = \"{}\"\nunit = \"{}\"\n",
                kinds[*k].0,
                esc(unit)
            );
        }
    }
    for (ka, side_a, kb, side_b, n, total) in &relations {
        // Emit a two-way pair once, from its first direction.
        let reverse = relations
            .iter()
            .any(|r| r.0 == *kb && r.1 == *side_b && r.2 == *ka && r.3 == *side_a);
        if reverse && (kb, side_b) < (ka, side_a) {
            continue;
        }
        let _ = write!(
            out,
            "\n[[relations]]  # {n} of {total} links listed back{}\nfrom = {}\nto = {}\n{}",
            if reverse { ", and the converse" } else { "" },
            side_a.toml(&kinds[*ka].0),
            side_b.toml(&kinds[*kb].0),
            if reverse { "both-ways = true\n" } else { "" }
        );
    }
    for (ka, side_a, kb, side_b, n, total) in &near {
        let _ = write!(
            out,
            "\n# Not declared: only {n} of {total} links listed back (below {:.0}%); one-way by design, or drift?\n# [[relations]]\n# from = {}\n# to = {}\n",
            MIN_MUTUAL * 100.0,
            side_a.toml(&kinds[*ka].0),
            side_b.toml(&kinds[*kb].0),
        );
    }
    out
}
