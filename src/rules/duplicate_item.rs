//! `duplicate-item`: the same entry twice in a counted list.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Related, Severity};
use crate::hash::FastMap;
use crate::index::Index;
use rayon::prelude::*;

pub(crate) const RULE: Rule = Rule {
    id: "duplicate-item",
    summary: "the same row or list item appears twice in a section",
    doc: include_str!("../../rules/duplicate-item.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let found: Vec<Diagnostic> = (0..index.pages.len())
        .into_par_iter()
        .filter(|&p| index.pages[p].reported)
        .flat_map_iter(|p| check_page(index, ctx, p))
        .collect();
    out.extend(found);
}

/// The repeated rows and list items in the sections of page `p`.
fn check_page(index: &Index, ctx: &Ctx, p: usize) -> Vec<Diagnostic> {
    let page = &index.pages[p];
    let mut out = Vec::new();
    let items = &page.facts.blocks.items;
    // The files each item links to, in order: what the entry names.
    let targets = page.files_by_item();
    let units = crate::schema::counts::heading_units(&ctx.model(), p);
    // Each section's items seen so far (one map, emptied per section).
    let mut seen: FastMap<(u32, &[u32], u64), u32> = FastMap::default();
    for (s, sec) in page.sections.iter().enumerate() {
        let h = &page.facts.headings[sec.heading as usize];
        let counted = crate::schema::counts::heading_count(page, sec, &units).is_some();
        // Only the section's own items: subsections are checked on their own.
        let own_end = page
            .sections
            .iter()
            .find(|c| c.parent == Some(s as u32))
            .map_or(sec.items.end, |c| c.items.start);
        seen.clear();
        for i in sec.items.start..own_end.max(sec.items.start) {
            let item = &items[i as usize];
            // A row is an edge, not a page: the same page twice with another
            // column (`BILL_TO_ID`, `SHIP_TO_ID`) is two items. Two items are
            // one when every cell's text and every link target are the same.
            let linked = targets.get(&i).unwrap_or_default();
            // Outside counted sections, only rows that link somewhere: a
            // repeated `- TBD` in prose lists is not an entry.
            if linked.is_empty() && !counted {
                continue;
            }
            // Nor the steps of a numbered list: "6. Open Settings" may
            // repeat step 1 on purpose.
            if !counted && page.facts.blocks.containers[item.container as usize].ordered {
                continue;
            }
            // A counted section's items are one list whatever lists or tables
            // hold them; elsewhere each list is its own (a "most used" list
            // over the full one repeats its entries by design).
            let list = if counted { u32::MAX } else { item.container };
            let identity = (list, linked, item.whole);
            match seen.get(&identity) {
                None => {
                    seen.insert(identity, i);
                }
                Some(&first) => {
                    let f = &items[first as usize];
                    let what = match targets.get(&i).and_then(|t| t.first()) {
                        Some(file) => {
                            format!("a row or item linking to `{}`", index.files[*file as usize])
                        }
                        None => "a row or item".to_string(),
                    };
                    out.push(
                            ctx.diag(
                                Location::ascii(&page.path, item.offset, page.facts.pos_at(item.offset), 0),
                                "listed again",
                                format!("{what} is repeated, identical in every cell, under `{}`", h.text),
                            )
                            .with_help("remove the repeated entry; a duplicate makes a count look right while it is wrong")
                            .with_related(Related {
                                location: Location::ascii(&page.path, f.offset, page.facts.pos_at(f.offset), 0),
                                label: "first listed here".into(),
                            }),
                        );
                }
            }
        }
    }
    out
}
