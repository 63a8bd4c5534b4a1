//! `form = "index-column"`: an index row's count column about the page
//! the row links to.

use super::{Claim, heading_label};
use crate::diag::Location;
use crate::index::{Index, Page};
use crate::parse::blocks::normalize;
use crate::schema::{Kinds, Model, sections_named};

/// An index row's count column against the section of the page it links to.
pub fn claims<'a>(
    index: &'a Index,
    model: &Model,
    page: &'a Page,
    column: &str,
    target_kind: &str,
    target_section: &crate::config::Names,
    out: &mut Vec<Claim<'a>>,
) {
    let Some(target_kind) = Kinds::id(model.config, target_kind) else {
        return;
    };
    let blocks = &page.facts.blocks;
    let want = normalize(column);
    let row_files = page.files_by_item();
    for (c, container) in blocks.containers.iter().enumerate() {
        let Some(col) = container.header().position(|h| normalize(h) == want) else {
            continue;
        };
        for (i, _) in blocks
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.container as usize == c)
        {
            let nums = blocks.nums_of(i);
            let Some(num) = nums.iter().find(|n| n.col as usize == col) else {
                continue;
            };
            // The first page the row links to.
            let target = row_files
                .get(&(i as u32))
                .and_then(|files| files.iter().copied().find(|&f| index.is_page_file(f)));
            let Some(t) = target.filter(|&t| model.kinds.file_has(t, target_kind)) else {
                continue;
            };
            let at = Location::ascii(&page.path, num.offset, num.pos, num.len);
            // A page a partial run did not load: the claim is counted, and
            // what the last run found about it stands (`replay::merge`).
            let Some(tp) = index.page_by_file(t) else {
                out.push(Claim::kept(page, at, num.value));
                continue;
            };
            let secs = sections_named(tp, target_section);
            let found: u64 = secs.iter().map(|(_, s)| s.items.len() as u64).sum();
            if num.value == found {
                out.push(Claim::kept(page, at, found));
                continue;
            }
            let related = secs
                .first()
                .map(|(_, s)| heading_label(tp, s, format!("{found} item(s) here")));
            out.push(Claim {
                page,
                at,
                declared: num.value,
                found,
                message: format!(
                    "`{column}` says {} for `{}`, which lists {found} under `{}`",
                    num.value,
                    tp.path,
                    target_section.as_slice().join("`/`")
                ),
                help: format!("write `{found}`, or fix `{}`", tp.path),
                certain: true,
                related,
                about: Some(tp.path.clone()),
            });
        }
    }
}
