//! The count forms of the rule file: each finds the counts a page declares
//! and what it lists, as claims that hold or not (`count-mismatch` reports
//! those that do not; `rule-matches-nothing` counts them all).

mod bold;
mod front_matter;
mod hub_list;
mod index_column;
mod label;
mod lead_in;
mod summary;

use super::{Model, sections_named};
use crate::config::CountForm;
use crate::config::Names;
use crate::diag::{Location, Related};
use crate::index::sections::{Section, title_of};
use crate::index::{Index, Page};
use crate::parse::DeclaredCount;
use crate::parse::blocks::{Quantity, normalize};

/// A declared count found by a rule-file form, right or wrong.
pub struct Claim<'a> {
    pub page: &'a Page,
    pub at: Location,
    pub declared: u64,
    pub found: u64,
    pub message: String,
    pub help: String,
    pub certain: bool,
    pub related: Option<Related>,
    /// The other page the claim reads (a row's count about the page it
    /// links to): the finding is about it ([`crate::diag::Diagnostic::about`]).
    pub about: Option<String>,
}

impl<'a> Claim<'a> {
    /// A claim that holds: counted (by the vacuity guard), never reported,
    /// so no message is written for it.
    pub fn kept(page: &'a Page, at: Location, found: u64) -> Self {
        Claim {
            page,
            at,
            declared: found,
            found,
            message: String::new(),
            help: String::new(),
            certain: true,
            related: None,
            about: None,
        }
    }
}

/// The loaded pages on which a form finds a declared count (the vacuity
/// guard's question), each once per count (so perhaps more than once).
pub fn pages_matched(index: &Index, model: &Model, form: &CountForm) -> Vec<usize> {
    match form {
        CountForm::Heading { kind, unit, .. } => {
            let units = [normalize(unit)];
            let has = |&p: &usize| {
                let page = &index.pages[p];
                page.sections
                    .iter()
                    .any(|s| heading_count(page, s, &units).is_some())
            };
            pages_of(index, model, kind)
                .iter()
                .copied()
                .filter(has)
                .collect()
        }
        _ => claims(index, model, form)
            .iter()
            .filter_map(|c| index.page_index(c.page.file))
            .collect(),
    }
}

/// The pages of `kind` (all pages without one), in page order.
pub fn pages_of<'a>(
    index: &Index,
    model: &'a Model,
    kind: &Option<String>,
) -> std::borrow::Cow<'a, [usize]> {
    match kind {
        Some(k) => model.kinds.named(model.config, k).into(),
        None => (0..index.pages.len()).collect::<Vec<_>>().into(),
    }
}

pub fn claims<'a>(index: &'a Index, model: &Model, form: &CountForm) -> Vec<Claim<'a>> {
    let mut out = Vec::new();
    match form {
        CountForm::Heading { .. } => {}
        CountForm::Bold { .. } | CountForm::PageTotal { .. } => {
            bold::claims(index, model, form, &mut out);
        }
        CountForm::Summary { kind, section, .. } => {
            for &p in pages_of(index, model, kind).iter() {
                let page = &index.pages[p];
                for (_, sec) in sections_named(page, section) {
                    summary::claims(page, sec, &mut out);
                }
            }
        }
        CountForm::Label { .. } => label::claims(index, model, form, &mut out),
        CountForm::FrontMatter { .. } => front_matter::claims(index, model, form, &mut out),
        CountForm::LeadIn { .. } => lead_in::claims(index, model, form, &mut out),
        CountForm::HubList { .. } => hub_list::claims(index, model, form, &mut out),
        CountForm::IndexColumn {
            kind,
            column,
            target_kind,
            target_section,
            ..
        } => {
            for &p in model.kinds.named(model.config, kind) {
                index_column::claims(
                    index,
                    model,
                    &index.pages[p],
                    column,
                    target_kind,
                    target_section,
                    &mut out,
                );
            }
        }
    }
    out
}

/// The units whose heading counts are checked on page `p`: none (`(N)`),
/// plus those of the rule file's heading forms for the page's kinds.
pub fn heading_units(model: &Model, p: usize) -> Vec<String> {
    let mut units = vec![String::new()];
    for (form, _) in &model.config.counts {
        if let CountForm::Heading { kind, unit, .. } = form
            && kind
                .as_ref()
                .is_none_or(|k| model.kinds.is(model.config, p, k))
        {
            units.push(normalize(unit));
        }
    }
    units
}

/// A heading (level 2 or deeper; a page title's `(1)` is part of a name)
/// ending in `(N)` or `(N unit)` for one of `units`.
pub fn heading_count<'a>(
    page: &'a Page,
    sec: &Section,
    units: &[String],
) -> Option<&'a DeclaredCount> {
    let h = &page.facts.headings[sec.heading as usize];
    h.count
        .as_deref()
        .filter(|c| sec.level >= 2 && units.iter().any(|u| *u == normalize(&c.unit)))
}

/// The innermost section holding byte `offset`.
pub fn section_at(page: &Page, offset: u32) -> Option<(usize, &Section)> {
    page.sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.bytes.contains(&offset))
        .max_by_key(|(_, s)| s.level)
}

/// Items of the subsections of section `s`.
pub fn subsection_items(page: &Page, s: usize) -> u64 {
    page.sections
        .iter()
        .filter(|c| c.parent == Some(s as u32))
        .map(|c| c.items.len() as u64)
        .sum()
}

pub fn count_location(page: &Page, c: &DeclaredCount) -> Location {
    Location::ascii(&page.path, c.offset, c.pos, c.len)
}

/// A label on the section's heading line.
pub fn heading_label(page: &Page, sec: &Section, label: String) -> Related {
    let h = &page.facts.headings[sec.heading as usize];
    let line_len = h.bytes.len() as u32;
    let mut location = Location::ascii(&page.path, h.bytes.start, h.pos, line_len);
    location.end = h.pos.advance(h.text());
    Related { location, label }
}

/// What a section holds: its list items and table rows (those of its
/// subsections included) plus what a cut list says it does not show
/// (`... and 159 more`), the line that says so not counted as an item.
pub fn listed(page: &Page, sec: &Section) -> u64 {
    let (shown, hidden) = shown_and_hidden(page, sec);
    shown + hidden
}

/// The items a section shows, and the number its cut lists say are hidden.
pub fn shown_and_hidden(page: &Page, sec: &Section) -> (u64, u64) {
    let items = &page.facts.blocks.items[sec.items.start as usize..sec.items.end as usize];
    let (mut hidden, mut cut_items) = (0u64, 0u64);
    for (at, n) in &page.facts.rare.cut_lists {
        if sec.bytes.contains(&at.start) {
            hidden += n;
            let is_item = items
                .iter()
                .any(|it| it.offset < at.end && at.start < it.end);
            cut_items += u64::from(is_item);
        }
    }
    (sec.items.len() as u64 - cut_items, hidden)
}

/// What a section says it holds: its heading's count (`(459)`), else what it lists.
pub fn declared_or_listed<'a>(page: &'a Page, sec: &Section) -> (u64, Option<&'a DeclaredCount>) {
    let h = &page.facts.headings[sec.heading as usize];
    match &h.count {
        Some(c) if sec.level >= 2 => (c.value, Some(c)),
        _ => (listed(page, sec), None),
    }
}

/// A number a page states about one of its sections (a bold label's, a
/// front matter key's) against that section: `section` when the rule file
/// names one, else the section named like the quantity (`q.of`). The
/// section's heading count if it has one (two declarations of one
/// quantity), else the items it lists. `said` words the number for the
/// message (`the label says 4 columns`).
pub fn quantity_claim<'a>(
    page: &'a Page,
    q: &Quantity,
    section: Option<&Names>,
    said: impl FnOnce() -> String,
    out: &mut Vec<Claim<'a>>,
) {
    let sec = match section {
        Some(names) => super::sections_named(page, names).into_iter().next(),
        None => page
            .sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.key == q.of && s.level >= 2)
            .min_by_key(|(_, s)| s.level),
    };
    let Some((_, sec)) = sec else {
        return;
    };
    let at = Location::ascii(&page.path, q.offset, q.pos, q.len);
    let (found, declared) = declared_or_listed(page, sec);
    if found == q.value {
        out.push(Claim::kept(page, at, found));
        return;
    }
    let said = said();
    let title = title_of(page.facts.headings[sec.heading as usize].text()).trim();
    let shown = listed(page, sec);
    let cut = page
        .facts
        .rare
        .cut_lists
        .iter()
        .any(|(r, _)| sec.bytes.contains(&r.start));
    let (message, related, certain) = match declared {
        Some(c) => (
            format!(
                "{said} but `{title}` declares {}: one quantity declared twice, two values",
                c.value
            ),
            Related {
                location: count_location(page, c),
                label: format!("declares {}", c.value),
            },
            // The heading's count is confirmed by its list: the first is wrong.
            shown == c.value && !cut && shown > 0,
        ),
        None => (
            format!("{said} but `{title}` lists {found}"),
            heading_label(page, sec, format!("{found} item(s) here")),
            !cut && found > 0,
        ),
    };
    out.push(Claim {
        page,
        at,
        declared: q.value,
        found,
        message,
        help: format!("write `{found}`, or fix `{title}`"),
        certain,
        related: Some(related),
        about: None,
    });
}
