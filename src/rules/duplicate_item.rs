//! `duplicate-item`: the same entry twice in a counted list.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Related, Severity};
use crate::index::{Index, ItemFiles, Page};
use crate::parse::Heading;
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
    if index.checked_page_by_page {
        return; // as each page was read: `super::one_page`
    }
    let found: Vec<Diagnostic> = (0..index.pages.len())
        .into_par_iter()
        .filter(|&p| index.pages[p].reported)
        .flat_map_iter(|p| {
            let units = crate::schema::counts::heading_units(&ctx.model(), p);
            let mut found = Vec::new();
            check_page(&index.files, ctx, &index.pages[p], &units, &mut found);
            found
        })
        .collect();
    out.extend(found);
}

/// Whether items `a` and `b` of `page` are one entry. A row is an edge,
/// not a page: the same page twice with another column (`BILL_TO_ID`,
/// `SHIP_TO_ID`) is two items. Two items are one when every cell's text and
/// every link target are the same; and, outside a counted section (whose
/// items are one list whatever lists or tables hold them), when they are in
/// the same list (a "most used" list over the full one repeats its entries
/// by design).
fn same_entry(page: &Page, targets: &ItemFiles, counted: bool, a: u32, b: u32) -> bool {
    let blocks = &page.facts.blocks;
    let (x, y) = (&blocks.items[a as usize], &blocks.items[b as usize]);
    blocks.whole_of(a) == blocks.whole_of(b)
        && (counted || x.container == y.container)
        && targets.get(&a).unwrap_or_default() == targets.get(&b).unwrap_or_default()
}

/// The finding for item `again`, a repeat of item `first`, under heading `h`.
fn repeated(
    files: &[String],
    ctx: &Ctx,
    page: &Page,
    targets: &ItemFiles,
    h: &Heading,
    first: u32,
    again: u32,
) -> Diagnostic {
    let items = &page.facts.blocks.items;
    let (f, item) = (&items[first as usize], &items[again as usize]);
    let what = match targets.get(&again).and_then(|t| t.first()) {
        Some(file) => format!("a row or item linking to `{}`", files[*file as usize]),
        None => "a row or item".to_string(),
    };
    ctx.diag(
        Location::ascii(&page.path, item.offset, page.facts.pos_at(item.offset), 0),
        "listed again",
        format!(
            "{what} is repeated, identical in every cell, under `{}`",
            h.text()
        ),
    )
    .with_help("remove the repeated entry; a duplicate makes a count look right while it is wrong")
    .with_related(Related {
        location: Location::ascii(&page.path, f.offset, page.facts.pos_at(f.offset), 0),
        label: "first listed here".into(),
    })
}

/// The repeated rows and list items in the sections of `page`, whose
/// heading counts have `units` (`files`: the tree's, by id).
pub(crate) fn check_page(
    files: &[String],
    ctx: &Ctx,
    page: &Page,
    units: &[String],
    out: &mut Vec<Diagnostic>,
) {
    let items = &page.facts.blocks.items;
    // The files each item links to, in order: what the entry names.
    let targets = page.files_by_item();
    // The section's entries by their whole-row hash: only entries whose
    // hash another shares can be repeats (most sections have none).
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for (s, sec) in page.sections.iter().enumerate() {
        let h = &page.facts.headings[sec.heading as usize];
        let counted = crate::schema::counts::heading_count(page, sec, units).is_some();
        // Only the section's own items: subsections are checked on their own.
        let own_end = page
            .sections
            .iter()
            .find(|c| c.parent == Some(s as u32))
            .map_or(sec.items.end, |c| c.items.start);
        entries.clear();
        for i in sec.items.start..own_end.max(sec.items.start) {
            let item = &items[i as usize];
            // Outside counted sections, only rows that link somewhere: a
            // repeated `- TBD` in prose lists is not an entry.
            if !counted && targets.get(&i).unwrap_or_default().is_empty() {
                continue;
            }
            // Nor the steps of a numbered list: "6. Open Settings" may
            // repeat step 1 on purpose.
            if !counted && page.facts.blocks.containers[item.container as usize].ordered {
                continue;
            }
            entries.push((page.facts.blocks.whole_of(i), i));
        }
        // By hash, then in page order within one hash.
        entries.sort_unstable();
        for group in entries.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            // The first item of each identity in the group, in page order.
            let mut firsts: Vec<u32> = Vec::new();
            for &(_, i) in group {
                match firsts
                    .iter()
                    .find(|&&f| same_entry(page, &targets, counted, f, i))
                {
                    None => firsts.push(i),
                    Some(&first) => out.push(repeated(files, ctx, page, &targets, h, first, i)),
                }
            }
        }
    }
}
