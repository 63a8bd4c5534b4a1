//! `form = "label"`: `**Referenced by:** 4 columns` near a page's top
//! against `## Referenced by (3)` further down: one quantity declared twice.

use super::{Claim, count_location, declared_or_listed, heading_label, listed, pages_of};
use crate::config::CountForm;
use crate::diag::{Location, Related};
use crate::index::Index;
use crate::index::sections::title_of;
use crate::parse::blocks::key_of;
use crate::schema::{Model, sections_named};

pub fn claims<'a>(index: &'a Index, model: &Model, form: &CountForm, out: &mut Vec<Claim<'a>>) {
    let CountForm::Label {
        kind,
        label,
        section,
        ..
    } = form
    else {
        return;
    };
    let only = label.as_deref().map(key_of);
    for &p in pages_of(index, model, kind).iter() {
        let page = &index.pages[p];
        for q in &page.facts.blocks.labels {
            if only.is_some_and(|k| k != q.of) {
                continue;
            }
            // The section the rule file names, else the one the label names.
            let sec = match section {
                Some(names) => sections_named(page, names).into_iter().next(),
                None => page
                    .sections
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.key == q.of && s.level >= 2)
                    .min_by_key(|(_, s)| s.level),
            };
            let Some((_, sec)) = sec else {
                continue;
            };
            let at = Location::ascii(&page.path, q.offset, q.pos, q.len);
            let (found, declared) = declared_or_listed(page, sec);
            if found == q.value {
                out.push(Claim::kept(page, at, found));
                continue;
            }
            let title = title_of(&page.facts.headings[sec.heading as usize].text).trim();
            let shown = listed(page, sec);
            let cut = page
                .facts
                .cut_lists
                .iter()
                .any(|(r, _)| sec.bytes.contains(&r.start));
            let (message, related, certain) = match declared {
                Some(c) => (
                    format!(
                        "the label says {} {} but `{title}` declares {}: one quantity declared twice, two values",
                        q.value, q.unit, c.value
                    ),
                    Related {
                        location: count_location(page, c),
                        label: format!("declares {}", c.value),
                    },
                    // The heading's count is confirmed by its list: the label is wrong.
                    shown == c.value && !cut && shown > 0,
                ),
                None => (
                    format!(
                        "the label says {} {} but `{title}` lists {found}",
                        q.value, q.unit
                    ),
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
            });
        }
    }
}
