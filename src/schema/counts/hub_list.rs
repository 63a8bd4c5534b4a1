//! `form = "hub-list"`: a list item on an index page that gives a number
//! about the page it links to (`- [ORDERS](tables/orders.md) — 2152
//! inbound`, or the number first) against what that page declares or lists
//! under `target-section`.

use super::{Claim, declared_or_listed, heading_label};
use crate::config::CountForm;
use crate::diag::Location;
use crate::index::Index;
use crate::parse::blocks::normalize;
use crate::schema::{Kinds, Model, sections_named};

pub fn claims<'a>(index: &'a Index, model: &Model, form: &CountForm, out: &mut Vec<Claim<'a>>) {
    let CountForm::HubList {
        kind,
        unit,
        target_kind,
        target_section,
        ..
    } = form
    else {
        return;
    };
    let unit = normalize(unit);
    let target_kind = match target_kind {
        Some(k) => match Kinds::id(model.config, k) {
            Some(id) => Some(id),
            None => return,
        },
        None => None,
    };
    for &p in super::pages_of(index, model, kind).iter() {
        let page = &index.pages[p];
        let blocks = &page.facts.blocks;
        if blocks.rare.quantities.is_empty() {
            continue;
        }
        let files = page.files_by_item();
        for q in blocks.rare.quantities.iter().filter(|q| *q.unit == unit) {
            // The first page the item links to.
            let target = files
                .get(&(q.of as u32))
                .and_then(|fs| fs.iter().copied().find(|&f| index.is_page_file(f)));
            let Some(t) =
                target.filter(|&t| target_kind.is_none_or(|k| model.kinds.file_has(t, k)))
            else {
                continue;
            };
            let at = Location::ascii(&page.path, q.offset, q.pos, q.len);
            // A page a partial run did not load: the claim is counted, and
            // what the last run found about it stands (`replay::merge`).
            let Some(tp) = index.page_by_file(t) else {
                out.push(Claim::kept(page, at, q.value));
                continue;
            };
            let sec = sections_named(tp, target_section).into_iter().next();
            let (found, _) = sec.map_or((0, None), |(_, s)| declared_or_listed(tp, s));
            if found == q.value {
                out.push(Claim::kept(page, at, found));
                continue;
            }
            let names = target_section.as_slice().join("`/`");
            out.push(Claim {
                page,
                at,
                declared: q.value,
                found,
                message: match sec {
                    Some(_) => format!(
                        "says {} {unit} for `{}`, whose `{names}` says {found}",
                        q.value, tp.path
                    ),
                    None => format!(
                        "says {} {unit} for `{}`, which has no `{names}` section",
                        q.value, tp.path
                    ),
                },
                help: format!("write `{found}`, or fix `{}`", tp.path),
                certain: sec.is_some(),
                related: sec.map(|(_, s)| heading_label(tp, s, format!("{found} here"))),
                about: Some(tp.path.clone()),
            });
        }
    }
}
