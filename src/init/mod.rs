//! `reftree init`: look at a tree and write a starter rule file. Page kinds
//! come from folders; cut-list wordings from lines after lists whose number
//! accounts for what the list leaves out; relations from pairs of sections
//! (or attribute rows) whose links are listed back in nearly all cases that
//! can be checked, scoped by an attribute where that makes them hold;
//! count forms from declared counts that agree with what they count; index
//! pages from pages (or a run of paginated pages) that list every page of a
//! kind. Each entry says what it matched. What does not nearly always hold
//! is left out or written as a comment: a file that reports nothing false
//! on a clean tree, rather than a guess.

mod counts;
mod cuts;
mod kinds;
mod relations;

use crate::index::Index;
use relations::MIN_MUTUAL;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

pub use cuts::infer as cut_patterns;

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A TOML literal string for a regex (`'...'`), or a basic string when it
/// holds a `'`.
pub(crate) fn literal(s: &str) -> String {
    if s.contains('\'') || s.contains('\n') {
        format!("\"{}\"", esc(s))
    } else {
        format!("'{s}'")
    }
}

/// Infer a starter rule file for `index`, built with every optional fact
/// and with `cuts` (found by [`cut_patterns`]) as its cut-list wordings.
pub fn infer(index: &Index, cuts: &[cuts::CutPattern]) -> String {
    let kinds = kinds::infer(index);
    let kind_of: HashMap<usize, usize> = kinds
        .iter()
        .enumerate()
        .flat_map(|(k, kind)| kind.pages.iter().map(move |&p| (p, k)))
        .collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Starter rule file written by `reftree init`: review every entry."
    );
    let _ = writeln!(
        out,
        "# Counts in comments are what each entry matched in this tree."
    );
    let _ = writeln!(out, "version = 1");
    if !cuts.is_empty() {
        let _ = writeln!(
            out,
            "\n# Lines that say a list was cut short, in this tree's words:"
        );
        for c in cuts {
            let _ = writeln!(
                out,
                "# `{}` ({} lines, {} confirmed by a count)",
                c.example, c.seen, c.confirmed
            );
        }
        let list: Vec<String> = cuts.iter().map(|c| literal(&c.regex)).collect();
        let _ = writeln!(out, "cut-lists = [{}]", list.join(", "));
    }
    let mut kinds_toml = String::from("[kinds]\n");
    for kind in &kinds {
        let globs: Vec<String> = kind
            .globs
            .iter()
            .map(|g| format!("\"{}\"", esc(g)))
            .collect();
        let value = match &globs[..] {
            [one] => one.clone(),
            _ => format!("[{}]", globs.join(", ")),
        };
        let _ = writeln!(
            kinds_toml,
            "{} = {value}  # {} pages",
            kind.name,
            kind.pages.len()
        );
    }
    let _ = write!(out, "\n{kinds_toml}");

    orphans(index, &kinds, &mut out);
    heading_units(index, &kinds, &mut out);
    let names: Vec<String> = kinds.iter().map(|k| k.name.clone()).collect();
    for p in counts::propose(index, &kinds_toml, &names) {
        let _ = write!(
            out,
            "\n[[counts]]  # {} of {} counts hold\n{}",
            p.holds, p.total, p.body
        );
    }

    let compiled: Vec<regex::Regex> = cuts
        .iter()
        .filter_map(|c| regex::Regex::new(&c.regex).ok())
        .collect();
    let sides: Vec<relations::PageSides> = index
        .pages
        .iter()
        .enumerate()
        .map(|(p, page)| {
            if !kind_of.contains_key(&p) {
                return relations::PageSides {
                    links: Vec::new(),
                    cut: HashSet::new(),
                    attributes: Vec::new(),
                };
            }
            let text = cuts::text_of(index, page);
            relations::page_sides(index, page, text.as_deref(), &compiled, &kind_of, p)
        })
        .collect();
    relations_out(&relations::directions(&kind_of, &sides), &kinds, &mut out);
    out
}

/// `[[relations]]` entries for the directions that hold (a two-way pair
/// once), and comments for those that hold only half the time.
fn relations_out(found: &[relations::Found], kinds: &[kinds::Kind], out: &mut String) {
    let holds = |f: &relations::Found| f.checked >= relations::MIN_LINKS && f.rate() >= MIN_MUTUAL;
    let kept: Vec<&relations::Found> = found.iter().filter(|f| holds(f)).collect();
    let reverse_of = |f: &relations::Found| {
        kept.iter()
            .copied()
            .find(|r| r.from == f.to && r.side == f.back && r.to == f.from && r.back == f.side)
    };
    let cut_note = |f: &relations::Found| match f.cut {
        0 => String::new(),
        n => format!(
            "; {n} more to pages whose list is cut short (not checked: truncated, not drift)"
        ),
    };
    for f in &kept {
        let reverse = reverse_of(f);
        // A pair once: from the filtered direction if one is, else the first.
        if let Some(r) = reverse {
            let first = match (f.filter.is_some(), r.filter.is_some()) {
                (true, false) => true,
                (false, true) => false,
                _ => (&f.from, &f.side) < (&r.from, &r.side),
            };
            if !first {
                continue;
            }
        }
        let scope = match &f.filter {
            Some(flt) => format!(
                " from pages whose `{}` is {}one of [{}]; the {} links from other pages are never listed back (one-way by design)",
                flt.attribute,
                if flt.negated { "not " } else { "" },
                flt.values.join(", "),
                f.left_out
            ),
            None => String::new(),
        };
        let _ = write!(
            out,
            "\n[[relations]]  # {} of {} links listed back{scope}{}{}\nfrom = {}\nto = {}\n{}",
            f.mutual,
            f.checked,
            cut_note(f),
            if reverse.is_some() {
                ", and the converse"
            } else {
                ""
            },
            f.side.toml(&kinds[f.from].name, f.filter.as_ref()),
            f.back.toml(&kinds[f.to].name, None),
            if reverse.is_some() {
                "both-ways = true\n"
            } else {
                ""
            }
        );
    }
    for f in found
        .iter()
        .filter(|f| !holds(f) && f.checked >= relations::MIN_LINKS && f.rate() >= 0.5)
    {
        // The converse of a kept pair, or of a pair written with a filter.
        if kept
            .iter()
            .any(|k| k.from == f.to && k.side == f.back && k.to == f.from && k.back == f.side)
        {
            continue;
        }
        let _ = write!(
            out,
            "\n# Not declared: only {} of {} links listed back (below {:.0}%){}, and no attribute of the listing pages tells those listed back from the others: drift, or one-way by design?\n# [[relations]]\n# from = {}\n# to = {}\n",
            f.mutual,
            f.checked,
            MIN_MUTUAL * 100.0,
            cut_note(f),
            f.side.toml(&kinds[f.from].name, None),
            f.back.toml(&kinds[f.to].name, None),
        );
    }
}

/// `[[orphans]]` for each kind whose pages the index pages (pages of no
/// kind) list whole, or nearly: the fewest pages and runs of paginated
/// pages (`content/rules-*.md`) that do, added most-listing first.
fn orphans(index: &Index, kinds: &[kinds::Kind], out: &mut String) {
    let in_a_kind: HashSet<usize> = kinds.iter().flat_map(|k| k.pages.iter().copied()).collect();
    for kind in kinds {
        let members: HashSet<u32> = kind.pages.iter().map(|&p| index.pages[p].file).collect();
        let listed_by = |p: usize| -> HashSet<u32> {
            index.pages[p]
                .linked_files()
                .filter(|f| members.contains(f))
                .collect()
        };
        // Units: each index page, and each run of two or more that share a stem.
        let pages: Vec<usize> = (0..index.pages.len())
            .filter(|p| !in_a_kind.contains(p))
            .filter(|&p| !listed_by(p).is_empty())
            .collect();
        let mut units: Vec<(String, usize, HashSet<u32>)> = Vec::new();
        let mut runs: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for &p in &pages {
            let path = &index.pages[p].path;
            units.push((esc(path), 1, listed_by(p)));
            runs.entry(kinds::run_stem(path)).or_default().push(p);
        }
        for (stem, run) in runs.into_iter().filter(|(_, r)| r.len() >= 2) {
            let glob = format!("{}*.md", kinds::glob_escape(&stem));
            let Some(selected) = kinds::selected(index, std::slice::from_ref(&glob)) else {
                continue;
            };
            // The glob must select the run and nothing of a kind.
            if selected.iter().any(|p| in_a_kind.contains(p)) || selected.len() < run.len() {
                continue;
            }
            let listed = selected.iter().flat_map(|&p| listed_by(p)).collect();
            units.push((esc(&glob), selected.len(), listed));
        }
        let mut chosen: Vec<usize> = Vec::new();
        let mut covered: HashSet<u32> = HashSet::new();
        let least = (members.len() / 500).max(2);
        loop {
            let best = units
                .iter()
                .enumerate()
                .filter(|(i, _)| !chosen.contains(i))
                .map(|(i, u)| (u.2.difference(&covered).count(), std::cmp::Reverse(u.1), i))
                .max();
            match best {
                Some((gain, _, i)) if gain >= least || (gain > 0 && chosen.is_empty()) => {
                    covered.extend(units[i].2.iter().copied());
                    chosen.push(i);
                }
                _ => break,
            }
            if covered.len() == members.len() || chosen.len() >= 12 {
                break;
            }
        }
        if (covered.len() as f64) < 0.95 * members.len() as f64 {
            continue;
        }
        let entries: Vec<String> = chosen
            .iter()
            .map(|&i| format!("\"{}\"", units[i].0))
            .collect();
        let index_value = match &entries[..] {
            [one] => one.clone(),
            _ => format!("[{}]", entries.join(", ")),
        };
        let listing = match &chosen[..] {
            [one] => format!("`{}` lists", units[*one].0),
            _ => format!("{} index entries list", chosen.len()),
        };
        let _ = write!(
            out,
            "\n[[orphans]]  # {listing} {} of {} pages\nkind = \"{}\"\nindex = {index_value}\n",
            covered.len(),
            members.len(),
            kind.name,
        );
    }
}

/// Heading counts with a unit that agree with their lists.
fn heading_units(index: &Index, kinds: &[kinds::Kind], out: &mut String) {
    let mut units: std::collections::BTreeMap<(usize, String), (usize, usize)> = Default::default();
    for (k, kind) in kinds.iter().enumerate() {
        for &p in &kind.pages {
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
                kinds[*k].name,
                esc(unit)
            );
        }
    }
}
