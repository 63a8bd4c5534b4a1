//! `missing-backref`: page A lists page B in a relation's section, but B
//! does not list A back in the matching section.

use super::{Ctx, Rule};
use crate::config::Side;
use crate::diag::{Diagnostic, Location, Pos, Related, Severity};
use crate::index::resolve::Target;
use crate::index::{Index, Page};
use crate::schema::{Found, is_marked, sections_named, side_links};
use std::collections::{HashMap, HashSet};

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
            let names = s.to_vec();
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
        && let Some((_, sec)) = sections_named(page, &names.to_vec()).first()
    {
        return super::count_mismatch::heading_label(page, sec, label);
    }
    Related {
        location: Location::ascii(&page.path, 0, Pos { line: 1, col: 1 }, 0),
        label,
    }
}

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (rel, _) in &ctx.config.relations {
        let mut directions = vec![(&rel.from, &rel.to)];
        if rel.both_ways {
            directions.push((&rel.to, &rel.from));
        }
        for (a_side, b_side) in directions {
            // B's side, computed once per B: the files it links to, or None when B lacks the side.
            let mut back: HashMap<usize, Option<HashSet<u32>>> = HashMap::new();
            for &a in ctx.kinds.named(ctx.config, &a_side.kind) {
                let page_a = &index.pages[a];
                if !page_a.reported {
                    continue;
                }
                let Found::Links(links) = side_links(page_a, a_side) else {
                    continue;
                };
                let mut seen = HashSet::new();
                for link in links {
                    let Target::File(file) = link.target else {
                        continue;
                    };
                    let Some(&b) = index.page_of.get(&file) else {
                        continue;
                    };
                    if b == a
                        || !seen.insert(b)
                        || !ctx.kinds.is(ctx.config, b, &b_side.kind)
                        || is_marked(page_a, link, &rel.skip_marked)
                    {
                        continue;
                    }
                    let page_b = &index.pages[b];
                    let lists_a =
                        back.entry(b)
                            .or_insert_with(|| match side_links(page_b, b_side) {
                                Found::Links(l) => Some(
                                    l.iter()
                                        .filter_map(|l| match l.target {
                                            Target::File(f) => Some(f),
                                            _ => None,
                                        })
                                        .collect(),
                                ),
                                Found::Missing => None,
                            });
                    let (missing_side, ok) = match lists_a {
                        Some(files) => (false, files.contains(&page_a.file)),
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
            }
        }
    }
}
