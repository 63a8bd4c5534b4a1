//! `missing-backref`: page A lists page B in a relation's section, but B
//! does not list A back in the matching section.

use super::{Ctx, Rule};
use crate::config::Side;
use crate::diag::{Diagnostic, Location, Pos, Related, Severity};
use crate::hash::FastSet;
use crate::index::resolve::Target;
use crate::index::{Index, Link, Page};
use crate::schema::{
    Found, is_marked, on_side, sections_named, side_is_cut, side_links, side_name,
};
use rayon::prelude::*;
use std::borrow::Cow;

pub(crate) const RULE: Rule = Rule {
    id: "missing-backref",
    summary: "page A lists page B in a relation's section, but B does not list A back",
    doc: include_str!("../../rules/missing-backref.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: false,
    check,
};

/// Where to point in B: its side's heading, or the top of the page.
fn label_in(page: &Page, side: &Side, label: String) -> Related {
    if let Some(names) = &side.section
        && let Some((_, sec)) = sections_named(page, names).first()
    {
        return crate::schema::counts::heading_label(page, sec, label);
    }
    Related {
        location: Location::ascii(&page.path, 0, Pos { line: 1, col: 1 }, 0),
        label,
    }
}

/// What a page lists on one side: its links there, and the files they name (sorted).
struct Listed<'a> {
    links: Vec<&'a Link>,
    files: Vec<u32>,
    /// The list is cut short: a page it does not show may be in its hidden part.
    cut: bool,
}

/// One side of a relation on the pages of its kind (`Some(None)` for a
/// page without the side), in the kind's page order.
struct SideLists<'a> {
    pages: Cow<'a, [usize]>,
    lists: Vec<Option<Listed<'a>>>,
}

impl<'a> SideLists<'a> {
    /// Each page of the side's kind, once and in parallel (both directions
    /// of a relation use the same two sides).
    fn new(index: &'a Index, ctx: &'a Ctx, side: &Side) -> Self {
        let mut pages: Cow<'a, [usize]> = ctx.kinds.named(ctx.config, &side.kind).into();
        if !(side.only.is_empty() && side.except.is_empty()) {
            let on = |&p: &usize| on_side(&index.pages[p], side);
            pages = pages.iter().copied().filter(on).collect::<Vec<_>>().into();
        }
        let lists = pages
            .par_iter()
            .map(|&p| match side_links(&index.pages[p], side) {
                Found::Links(links) => {
                    let mut files: Vec<u32> = links
                        .iter()
                        .filter_map(|l| match l.target {
                            Target::File(f) => Some(f),
                            _ => None,
                        })
                        .collect();
                    files.sort_unstable();
                    let cut = side_is_cut(&index.pages[p], side);
                    Some(Listed { links, files, cut })
                }
                Found::Missing => None,
            })
            .collect();
        SideLists { pages, lists }
    }

    /// What page `p` lists on this side; `None` if `p` is not of the side's kind.
    fn of(&self, p: usize) -> Option<&Option<Listed<'a>>> {
        self.pages.binary_search(&p).ok().map(|i| &self.lists[i])
    }
}

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let found: Vec<Diagnostic> = ctx
        .config
        .relations
        .par_iter()
        .flat_map_iter(|(rel, _)| check_relation(index, ctx, rel))
        .collect();
    out.extend(found);
}

fn check_relation(index: &Index, ctx: &Ctx, rel: &crate::config::Relation) -> Vec<Diagnostic> {
    let (from, to) = (
        SideLists::new(index, ctx, &rel.from),
        SideLists::new(index, ctx, &rel.to),
    );
    let mut directions = vec![(&rel.from, &from, &rel.to, &to)];
    if rel.both_ways {
        directions.push((&rel.to, &to, &rel.from, &from));
    }
    let mut out = Vec::new();
    for (a_side, a_lists, b_side, b_lists) in directions {
        let found: Vec<Diagnostic> = a_lists
            .pages
            .par_iter()
            .zip(&a_lists.lists)
            .flat_map_iter(|(&a, listed)| match listed {
                Some(listed) => {
                    check_page(index, ctx, rel, a, &listed.links, (a_side, b_side), b_lists)
                }
                None => Vec::new(),
            })
            .collect();
        out.extend(found);
    }
    out
}

/// The missing back-references of page `a`'s links on `a_side`.
fn check_page(
    index: &Index,
    ctx: &Ctx,
    rel: &crate::config::Relation,
    a: usize,
    links: &[&Link],
    (a_side, b_side): (&Side, &Side),
    back: &SideLists,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let page_a = &index.pages[a];
    if !page_a.reported {
        return out;
    }
    let mut seen = FastSet::default();
    for link in links {
        let Target::File(file) = link.target else {
            continue;
        };
        let Some(b) = index.page_index(file) else {
            continue;
        };
        if b == a || !seen.insert(b) || is_marked(page_a, link, &rel.skip_marked) {
            continue;
        }
        let Some(lists_a) = back.of(b) else {
            continue; // not a page of B's kind
        };
        let page_b = &index.pages[b];
        let (missing_side, ok) = match lists_a {
            // Perhaps in the part a cut list does not show: not confirmed, not reported.
            Some(listed) => (
                false,
                listed.cut || listed.files.binary_search(&page_a.file).is_ok(),
            ),
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
