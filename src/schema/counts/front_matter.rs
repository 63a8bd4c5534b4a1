//! `form = "front-matter"`: `columns: 12` in a page's YAML front matter
//! against the page's `## Columns` section (or the one the rule file names):
//! its declared count, or the items it lists.

use super::{Claim, pages_of, quantity_claim};
use crate::config::CountForm;
use crate::index::Index;
use crate::parse::blocks::{Quantity, key_of, parse_count};
use crate::schema::Model;

pub fn claims<'a>(index: &'a Index, model: &Model, form: &CountForm, out: &mut Vec<Claim<'a>>) {
    let CountForm::FrontMatter {
        kind, key, section, ..
    } = form
    else {
        return;
    };
    let only = key.as_deref().map(key_name);
    for &p in pages_of(index, model, kind).iter() {
        let page = &index.pages[p];
        let Some(fm) = &page.facts.front_matter else {
            continue;
        };
        for e in &fm.entries {
            let of = key_name(&e.key);
            if only.is_some_and(|k| k != of) {
                continue;
            }
            // Numbers only (`columns: 12`, `rows: "1,024"`): `title: 2024
            // report` is not a count.
            let Some(value) = parse_count(&e.value) else {
                continue;
            };
            let q = Quantity {
                of,
                value,
                unit: "".into(),
                offset: e.offset,
                len: e.len,
                pos: e.pos,
            };
            let said = || format!("the front matter says `{}: {}`", e.key, e.value);
            quantity_claim(page, &q, section.as_ref(), said, out);
        }
    }
}

/// A key as a section name: `referenced_by` and `referenced-by` name the
/// section `Referenced by`.
fn key_name(key: &str) -> u64 {
    key_of(&key.replace(['-', '_'], " "))
}
