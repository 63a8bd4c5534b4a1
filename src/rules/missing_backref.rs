//! `missing-backref`: page A lists page B in a relation's section, but B
//! does not list A back in the matching section.

use super::{Ctx, Rule};
use crate::config::Side;
use crate::diag::{Diagnostic, Location, Pos, Related, Severity};
use crate::index::resolve::Target;
use crate::index::{FastSet, Index, Page};
use crate::schema::{Found, is_marked, sections_named, side_links};
use rayon::prelude::*;

pub(crate) const RULE: Rule = Rule {
    id: "missing-backref",
    summary: "page A lists page B in a relation's section, but B does not list A back",
    doc: include_str!("../../rules/missing-backref.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: false,
    check,
};

/// How a side is named in messages: `Solutions`, `Tables Used`/`Tables Reference`, row `Solution`.
pub(crate) fn side_name(side: &Side) -> String {
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

/// Where to point in B: its side's heading, or the top of the page.
fn label_in(page: &Page, side: &Side, label: String) -> Related {
    if let Some(names) = &side.section
        && let Some((_, sec)) = sections_named(page, names).first()
    {
        return super::count_mismatch::heading_label(page, sec, label);
    }
    Related {
        location: Location::ascii(&page.path, 0, Pos { line: 1, col: 1 }, 0),
        label,
    }
}

/// The files page `b` lists in `side` (sorted), or `None` when it has no such side.
fn listed(page: &Page, side: &Side) -> Option<Vec<u32>> {
    match side_links(page, side) {
        Found::Links(l) => {
            let mut files: Vec<u32> = l
                .iter()
                .filter_map(|l| match l.target {
                    Target::File(f) => Some(f),
                    _ => None,
                })
                .collect();
            files.sort_unstable();
            Some(files)
        }
        Found::Missing => None,
    }
}

/// By page: `None` for a page not of B's kind, else what it lists on B's side.
type Back = Vec<Option<Option<Vec<u32>>>>;

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (rel, _) in &ctx.config.relations {
        let mut directions = vec![(&rel.from, &rel.to)];
        if rel.both_ways {
            directions.push((&rel.to, &rel.from));
        }
        for (a_side, b_side) in directions {
            // Each B's side, once, in parallel: the files it lists.
            let lists: Vec<(usize, Option<Vec<u32>>)> = ctx
                .kinds
                .named(ctx.config, &b_side.kind)
                .par_iter()
                .map(|&b| (b, listed(&index.pages[b], b_side)))
                .collect();
            let mut back: Back = vec![None; index.pages.len()];
            for (b, files) in lists {
                back[b] = Some(files);
            }
            let found: Vec<Diagnostic> = ctx
                .kinds
                .named(ctx.config, &a_side.kind)
                .par_iter()
                .flat_map_iter(|&a| check_page(index, ctx, rel, a, a_side, b_side, &back))
                .collect();
            out.extend(found);
        }
    }
}

/// The missing back-references of page `a`'s links on `a_side`.
fn check_page(
    index: &Index,
    ctx: &Ctx,
    rel: &crate::config::Relation,
    a: usize,
    a_side: &Side,
    b_side: &Side,
    back: &Back,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let page_a = &index.pages[a];
    if !page_a.reported {
        return out;
    }
    let Found::Links(links) = side_links(page_a, a_side) else {
        return out;
    };
    let mut seen = FastSet::default();
    for link in links {
        let Target::File(file) = link.target else {
            continue;
        };
        let Some(&b) = index.page_of.get(&file) else {
            continue;
        };
        if b == a || !seen.insert(b) || is_marked(page_a, link, &rel.skip_marked) {
            continue;
        }
        let Some(lists_a) = &back[b] else {
            continue; // not a page of B's kind
        };
        let page_b = &index.pages[b];
        let (missing_side, ok) = match lists_a {
            Some(files) => (false, files.binary_search(&page_a.file).is_ok()),
            None => (true, false),
        };
        if ok {
            continue;
        }
        let (a_name, b_name) = (side_name(a_side), side_name(b_side));
        let message = if missing_side {
            format!(
                "`{}` lists `{}` under {a_name}, but `{}` has no {b_name} to list it back",
                page_a.path, page_b.path, page_b.path
            )
        } else {
            format!(
                "`{}` lists `{}` under {a_name}, but `{}` does not list it back under {b_name}",
                page_a.path, page_b.path, page_b.path
            )
        };
        let back_link = super::relative_link(page_b.dir(), &page_a.path);
        let label = if missing_side {
            format!("no {b_name} here")
        } else {
            format!("`{}` is missing here", page_a.path)
        };
        out.push(
            ctx.diag(link.whole(&page_a.path), "listed here", message)
                .with_about(page_b.path.clone())
                .with_help(format!(
                    "add a link to `{back_link}` under {b_name} in `{}`, or remove this one",
                    page_b.path
                ))
                .with_related(label_in(page_b, b_side, label)),
        );
    }
    out
}
