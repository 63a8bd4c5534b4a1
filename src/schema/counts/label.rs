//! `form = "label"`: `**Referenced by:** 4 columns` near a page's top
//! against `## Referenced by (3)` further down: one quantity declared twice.

use super::{Claim, pages_of, quantity_claim};
use crate::config::CountForm;
use crate::index::Index;
use crate::parse::blocks::key_of;
use crate::schema::Model;

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
        for q in &page.facts.blocks.rare.labels {
            if only.is_some_and(|k| k != q.of) {
                continue;
            }
            let said = || format!("the label says {} {}", q.value, q.unit);
            quantity_claim(page, q, section.as_ref(), said, out);
        }
    }
}
