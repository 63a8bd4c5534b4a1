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

/// `s` escaped for a TOML basic string (`"..."`): a folder, heading or
/// value of a real tree may hold a quote, a backslash or a control character.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `s` as a TOML basic string.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", esc(s))
}

/// `s` as a TOML key: bare when TOML allows it (ASCII letters, digits, `-`
/// and `_`), quoted otherwise (a kind named after a folder `données` or
/// `استيراد الملاحظات`).
fn key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare { s.to_string() } else { quote(s) }
}

/// Text from the tree written into a `#` comment: on one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// A TOML literal string for a regex (`'...'`), or a basic string when it
/// holds a `'`.
pub(crate) fn literal(s: &str) -> String {
    if s.contains('\'') || s.contains('\n') {
        quote(s)
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
                one_line(&c.example),
                c.seen,
                c.confirmed
            );
        }
        let list: Vec<String> = cuts.iter().map(|c| literal(&c.regex)).collect();
        let _ = writeln!(out, "cut-lists = [{}]", list.join(", "));
    }
    let mut kinds_toml = String::from("[kinds]\n");
    for kind in &kinds {
        let globs: Vec<String> = kind.globs.iter().map(|g| quote(g)).collect();
        let value = match &globs[..] {
            [one] => one.clone(),
            _ => format!("[{}]", globs.join(", ")),
        };
        let _ = writeln!(
            kinds_toml,
            "{} = {value}  # {} pages",
            key(&kind.name),
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
    relations_out(
        &relations::directions(index, &kind_of, &sides),
        &sides,
        &kinds,
        &mut out,
    );
    out
}

/// How a relation's links fared, with its scope applied.
struct Outcome {
    mutual: usize,
    checked: usize,
    cut: usize,
}

impl Outcome {
    fn holds(&self) -> bool {
        self.checked >= relations::MIN_LINKS && relations_rate(self) >= MIN_MUTUAL
    }
}

fn relations_rate(o: &Outcome) -> f64 {
    o.mutual as f64 / o.checked.max(1) as f64
}

/// `[[relations]]` entries for each pair of directions (or direction) that
/// holds once scoped: by filters on one side's pages, and by the marks of
/// rows never listed back; comments for those that hold half the time.
fn relations_out(
    dirs: &[relations::Direction],
    sides: &[relations::PageSides],
    kinds: &[kinds::Kind],
    out: &mut String,
) {
    use relations::{Filter, scope};
    let mut done: HashSet<usize> = HashSet::new();
    for i in 0..dirs.len() {
        if !done.insert(i) {
            continue;
        }
        let d = &dirs[i];
        let r = dirs
            .iter()
            .position(|r| r.from == d.to && r.side == d.back && r.to == d.from && r.back == d.side)
            .filter(|j| done.insert(*j))
            .map(|j| &dirs[j]);
        // What each page of either side saw: its links listed back or not.
        let mut obs_a: Vec<(usize, Option<bool>)> =
            d.links.iter().map(|&(a, _, o)| (a, o)).collect();
        let mut obs_b: Vec<(usize, Option<bool>)> =
            d.links.iter().map(|&(_, b, o)| (b, o)).collect();
        if let Some(r) = r {
            obs_a.extend(r.links.iter().map(|&(_, a, o)| (a, o)));
            obs_b.extend(r.links.iter().map(|&(b, _, o)| (b, o)));
        }
        let passing = |obs: &[(usize, Option<bool>)], filters: &[Filter]| {
            let kept = obs
                .iter()
                .filter(|(p, _)| filters.iter().all(|f| f.passes(&sides[*p].attributes)));
            let (m, c) = kept.fold((0, 0), |(m, c), (_, o)| match o {
                Some(x) => (m + usize::from(*x), c + 1),
                None => (m, c),
            });
            m as f64 / c.max(1) as f64
        };
        let raw = passing(&obs_a, &[]);
        let rate_of = |obs: &[(usize, Option<bool>)], scopes: &[Vec<Filter>]| {
            let (mut m, mut c) = (0usize, 0usize);
            for filters in scopes {
                for (p, o) in obs {
                    if let (true, Some(x)) =
                        (filters.iter().all(|f| f.passes(&sides[*p].attributes)), o)
                    {
                        m += usize::from(*x);
                        c += 1;
                    }
                }
            }
            m as f64 / c.max(1) as f64
        };
        // Scopes on the side whose pages they help most (none if neither):
        // each scope is an entry of its own.
        let mut entries: Vec<(Vec<Filter>, Vec<Filter>)> = vec![(Vec::new(), Vec::new())];
        if raw < 0.99 {
            let (sa, sb) = (scope(&obs_a, sides), scope(&obs_b, sides));
            let (ra, rb) = (rate_of(&obs_a, &sa), rate_of(&obs_b, &sb));
            if !sa.is_empty() && ra > raw && ra >= rb {
                entries = sa.into_iter().map(|f| (f, Vec::new())).collect();
            } else if !sb.is_empty() && rb > raw {
                entries = sb.into_iter().map(|f| (Vec::new(), f)).collect();
            }
        }
        for (on_a, on_b) in &entries {
            entry(d, r, on_a, on_b, sides, kinds, out);
        }
    }
}

/// One `[[relations]]` entry (or a comment) for direction `d` and its
/// converse `r`, scoped by filters on either side's pages.
fn entry(
    d: &relations::Direction,
    r: Option<&relations::Direction>,
    on_a: &[relations::Filter],
    on_b: &[relations::Filter],
    sides: &[relations::PageSides],
    kinds: &[kinds::Kind],
    out: &mut String,
) {
    use relations::{Filter, skip_marks, tally};
    {
        let pass =
            |p: usize, filters: &[Filter]| filters.iter().all(|f| f.passes(&sides[p].attributes));
        let in_scope = |a: usize, b: usize| pass(a, on_a) && pass(b, on_b);
        // Rows marked (`(dependency)`) and never listed back create no expectation.
        let mut marks = skip_marks(d, in_scope);
        if let Some(r) = r {
            marks.extend(skip_marks(r, |b, a| in_scope(a, b)));
        }
        marks.sort();
        marks.dedup();
        let unmarked = |dir: &relations::Direction, x: usize, y: usize| {
            !dir.notes.iter().any(|(p, q, n)| {
                *p == x && *q == y && n.iter().any(|n| marks.iter().any(|m| **n == **m))
            })
        };
        let outcome = |(mutual, checked, cut)| Outcome {
            mutual,
            checked,
            cut,
        };
        let fwd = outcome(tally(&d.links, |a, b| in_scope(a, b) && unmarked(d, a, b)));
        let rev = r.map(|r| outcome(tally(&r.links, |b, a| in_scope(a, b) && unmarked(r, b, a))));
        let note = |o: &Outcome| {
            let cut = match o.cut {
                0 => String::new(),
                n => format!(
                    "; {n} more to pages whose list is cut short (not checked: truncated, not drift)"
                ),
            };
            format!("{} of {} links listed back{cut}", o.mutual, o.checked)
        };
        let scope_note = describe_scope(on_a, &kinds[d.from].name)
            + &describe_scope(on_b, &kinds[d.to].name)
            + &match &marks[..] {
                [] => String::new(),
                m => format!(
                    "; rows marked ({}) never are, and create no expectation",
                    m.join(", ")
                ),
            };
        let marks_toml = match &marks[..] {
            [] => String::new(),
            m => {
                let quoted: Vec<String> = m.iter().map(|m| quote(m)).collect();
                format!("skip-marked = [{}]\n", quoted.join(", "))
            }
        };
        let (a_side, b_side) = (
            d.side.toml(&kinds[d.from].name, on_a),
            d.back.toml(&kinds[d.to].name, on_b),
        );
        match (fwd.holds(), rev.as_ref().map(Outcome::holds)) {
            (true, Some(true)) => {
                let rev = rev.as_ref().expect("a converse");
                let _ = write!(
                    out,
                    "\n[[relations]]  # {}{scope_note}; the converse: {}\nfrom = {a_side}\nto = {b_side}\nboth-ways = true\n{marks_toml}",
                    note(&fwd),
                    note(rev)
                );
            }
            (true, _) => {
                let _ = write!(
                    out,
                    "\n[[relations]]  # {}{scope_note}\nfrom = {a_side}\nto = {b_side}\n{marks_toml}",
                    note(&fwd)
                );
            }
            (false, Some(true)) => {
                let rev = rev.as_ref().expect("a converse");
                let _ = write!(
                    out,
                    "\n[[relations]]  # {}{scope_note}\nfrom = {b_side}\nto = {a_side}\n{marks_toml}",
                    note(rev)
                );
            }
            _ => {
                for (o, from, to) in [
                    (Some(&fwd), &a_side, &b_side),
                    (rev.as_ref(), &b_side, &a_side),
                ] {
                    let Some(o) = o else { continue };
                    if o.checked < relations::MIN_LINKS || relations_rate(o) < 0.5 {
                        continue;
                    }
                    let _ = write!(
                        out,
                        "\n# Not declared: only {} (below {:.0}%), and no attribute or mark of the pages tells those listed back from the others: drift, or one-way by design?\n# [[relations]]\n# from = {from}\n# to = {to}\n",
                        note(o),
                        MIN_MUTUAL * 100.0,
                    );
                }
            }
        }
    }
}

/// `; from pages whose `Type` is one of [..]`, for a comment.
fn describe_scope(filters: &[relations::Filter], kind: &str) -> String {
    filters
        .iter()
        .map(|f| {
            format!(
                "; only {kind} pages whose `{}` is {}one of [{}] (the others never list back: one-way by design)",
                f.attribute,
                if f.negated { "not " } else { "" },
                f.values.join(", ")
            )
        })
        .collect()
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
            // A path that reads as a glob (`[draft].md`) is written as one
            // that matches only it.
            let entry = if crate::config::is_glob(path) {
                kinds::glob_escape(path)
            } else {
                path.clone()
            };
            units.push((entry, 1, listed_by(p)));
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
            units.push((glob, selected.len(), listed));
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
        let entries: Vec<String> = chosen.iter().map(|&i| quote(&units[i].0)).collect();
        let index_value = match &entries[..] {
            [one] => one.clone(),
            _ => format!("[{}]", entries.join(", ")),
        };
        let listing = match &chosen[..] {
            [one] => format!("`{}` lists", one_line(&units[*one].0)),
            _ => format!("{} index entries list", chosen.len()),
        };
        let _ = write!(
            out,
            "\n[[orphans]]  # {listing} {} of {} pages\nkind = {}\nindex = {index_value}\n",
            covered.len(),
            members.len(),
            quote(&kind.name),
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
                "\n[[counts]]  # `(N {})` headings: {agree} of {total} agree with their lists\nform = \"heading\"\nkind = {}\nunit = {}\n",
                one_line(unit),
                quote(&kinds[*k].name),
                quote(unit)
            );
        }
    }
}
