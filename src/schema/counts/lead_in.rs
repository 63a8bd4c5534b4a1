//! `form = "lead-in"`: "The index lists the 25 most-referenced tables:"
//! directly over a list or table: the sentence's one number against the
//! rows under it (plus what a cut-list line after them says is hidden).

use super::{Claim, pages_of};
use crate::config::CountForm;
use crate::diag::{Location, Related};
use crate::index::{Index, Page};
use crate::schema::Model;

pub fn claims<'a>(index: &'a Index, model: &Model, form: &CountForm, out: &mut Vec<Claim<'a>>) {
    let CountForm::LeadIn { kind, pattern, .. } = form else {
        return;
    };
    let pattern = pattern.as_deref().and_then(|p| model.config.regex(p));
    for &p in pages_of(index, model, kind).iter() {
        let page = &index.pages[p];
        for lead in &page.facts.blocks.rare.lead_ins {
            if pattern.as_ref().is_some_and(|re| !re.is_match(&lead.text)) {
                continue;
            }
            let q = &lead.number;
            let at = Location::ascii(&page.path, q.offset, q.pos, q.len);
            let (shown, hidden) = container_items(page, lead.container);
            let found = shown + hidden;
            if found == q.value {
                out.push(Claim::kept(page, at, found));
                continue;
            }
            let container = &page.facts.blocks.containers[lead.container as usize];
            let what = match container.kind {
                crate::parse::blocks::ContainerKind::List => "list",
                crate::parse::blocks::ContainerKind::Table => "table",
            };
            let more = if hidden > 0 {
                format!(" ({shown} shown, {hidden} more)")
            } else {
                String::new()
            };
            let pos = page.facts.pos_at(container.offset);
            out.push(Claim {
                page,
                at,
                declared: q.value,
                found,
                message: format!(
                    "the sentence over this {what} says {} but the {what} has {found}{more}",
                    q.value
                ),
                help: format!("write `{found}`, or list what is missing"),
                // Prose: "the 25 most-referenced" may be meant as a limit.
                certain: false,
                related: Some(Related {
                    location: Location::ascii(&page.path, container.offset, pos, 1),
                    label: format!("{found} item(s) here"),
                }),
                about: None,
            });
        }
    }
}

/// The items of container `c`, and the number a cut-list line among them
/// or right after them (before any other block of items) says are hidden.
fn container_items(page: &Page, c: u32) -> (u64, u64) {
    let blocks = &page.facts.blocks;
    // (Not a slice: a table inside a list item comes before the item.)
    let items: Vec<_> = blocks.items.iter().filter(|it| it.container == c).collect();
    let Some(end) = items.last().map(|it| it.end) else {
        return (0, 0);
    };
    // What comes next: another list or table, or a heading.
    let next_container = blocks
        .containers
        .get(c as usize + 1)
        .map_or(u32::MAX, |n| n.offset);
    let next_heading = page
        .facts
        .headings
        .iter()
        .map(|h| h.bytes.start)
        .find(|&s| s >= end)
        .unwrap_or(u32::MAX);
    let stop = next_container.min(next_heading);
    let (mut hidden, mut cut_items) = (0, 0);
    for (at, n) in &page.facts.rare.cut_lists {
        let is_item = items
            .iter()
            .any(|it| it.offset < at.end && at.start < it.end);
        if is_item || (at.start >= end && at.start < stop) {
            hidden += n;
            cut_items += u64::from(is_item);
        }
    }
    (items.len() as u64 - cut_items, hidden)
}
