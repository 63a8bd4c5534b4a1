//! `form = "bold"` (`This solution queries **18 table(s)**`: the table or
//! list that follows, or the subsections) and `form = "page-total"`
//! (`**2148 tables** documented`: the page's rows).

use super::{Claim, pages_of, section_at, subsection_items};
use crate::config::{BoldCounts, CountForm};
use crate::diag::Location;
use crate::index::resolve::Target;
use crate::index::{Index, Page};
use crate::schema::{Kinds, Model};

pub fn claims<'a>(index: &'a Index, model: &Model, form: &CountForm, out: &mut Vec<Claim<'a>>) {
    let (CountForm::Bold { kind, pattern, .. } | CountForm::PageTotal { kind, pattern, .. }) = form
    else {
        return;
    };
    let (counts, plus, after, item_kind) = match form {
        CountForm::Bold {
            counts,
            plus,
            after,
            ..
        } => (Some(*counts), plus.as_deref(), after.as_deref(), None),
        CountForm::PageTotal { item_kind, .. } => (None, None, None, item_kind.as_deref()),
        _ => (None, None, None, None),
    };
    let Some(re) = model.config.regex(pattern) else {
        return;
    };
    let plus = plus.and_then(|p| model.config.regex(p));
    let after = after.and_then(|p| model.config.regex(p));
    for &p in pages_of(index, model, kind).iter() {
        let page = &index.pages[p];
        for strong in &page.facts.blocks.strongs {
            let Some(m) = re.captures(&strong.text).and_then(|c| c.get(1)) else {
                continue;
            };
            if after.as_ref().is_some_and(|a| !a.is_match(&strong.after)) {
                continue;
            }
            let Some(mut declared) = crate::parse::blocks::parse_count(m.as_str()) else {
                continue;
            };
            let extra = plus
                .as_ref()
                .and_then(|re| re.captures(&strong.after))
                .and_then(|c| c.get(1))
                .and_then(|g| crate::parse::blocks::parse_count(g.as_str()));
            declared += extra.unwrap_or(0);
            let at = Location::ascii(
                &page.path,
                strong.offset + m.start() as u32,
                strong.pos.advance(&strong.text[..m.start()]),
                m.len() as u32,
            );
            let (found, what) = match (counts, item_kind) {
                (Some(counts), _) => bold_found(page, strong.offset, counts),
                (None, Some(k)) => (
                    items_linking_to(model, page, k),
                    format!("list items and table rows linking to a `{k}` page"),
                ),
                (None, None) => (
                    page_items(page),
                    "list items and table rows in the page's sections".to_string(),
                ),
            };
            if declared == found {
                out.push(Claim::kept(page, at, found));
                continue;
            }
            out.push(Claim {
                page,
                at,
                declared,
                found,
                message: match extra {
                    Some(e) => format!(
                        "`{}` (plus {e}) declares {declared} but {found} are listed",
                        strong.text
                    ),
                    None => format!(
                        "`{}` declares {declared} but {found} are listed",
                        strong.text
                    ),
                },
                help: format!("found {found} {what}; write `{found}` or list what is missing"),
                certain: extra.is_none(),
                related: None,
                about: None,
            });
        }
    }
}

/// Items a bold count counts, and how to say what they are.
fn bold_found(page: &Page, offset: u32, counts: BoldCounts) -> (u64, String) {
    let blocks = &page.facts.blocks;
    let section = section_at(page, offset);
    let end = section.map_or(u32::MAX, |(_, s)| s.bytes.end);
    match counts {
        BoldCounts::Next => {
            let next = blocks
                .containers
                .iter()
                .position(|c| c.offset > offset && c.offset < end);
            let n = next.map_or(0, |c| {
                blocks
                    .items
                    .iter()
                    .filter(|i| i.container as usize == c)
                    .count()
            });
            (n as u64, "rows in the table or list that follows".into())
        }
        BoldCounts::Subsections => {
            let n = section.map_or(0, |(s, _)| subsection_items(page, s));
            (n, "list items and table rows in the subsections".into())
        }
    }
}

/// Items of the page that link to a page of kind `kind`.
fn items_linking_to(model: &Model, page: &Page, kind: &str) -> u64 {
    let Some(kind) = Kinds::id(model.config, kind) else {
        return 0;
    };
    let mut items: Vec<u32> = page
        .links
        .iter()
        .filter_map(|l| match (l.at(), &l.target) {
            // A page's kind is in its path: known whether it is loaded or not.
            (Some((i, _)), Target::File(f)) => model.kinds.file_has(*f, kind).then_some(i),
            _ => None,
        })
        .collect();
    items.dedup();
    items.len() as u64
}

/// Items in the page's top sections below the title (footers after a closing rule excluded).
fn page_items(page: &Page) -> u64 {
    let top = page
        .sections
        .iter()
        .filter(|s| s.level >= 2)
        .map(|s| s.level)
        .min();
    page.sections
        .iter()
        .filter(|s| Some(s.level) == top)
        .map(|s| s.items.len() as u64)
        .sum()
}
