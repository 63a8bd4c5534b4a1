//! `form = "summary"`: `| Analytic Rules | 17 |` rows against the
//! subsections they name.

use super::{Claim, heading_label};
use crate::diag::Location;
use crate::index::Page;
use crate::index::sections::Section;
use crate::parse::blocks::ContainerKind;

/// `| Analytic Rules | 17 |` rows of the first table in section `sec`,
/// each against the subsection it names.
pub fn claims<'a>(page: &'a Page, sec: &Section, out: &mut Vec<Claim<'a>>) {
    let blocks = &page.facts.blocks;
    let Some(first) = sec.items.clone().next() else {
        return;
    };
    let table = blocks.items[first as usize].container;
    if blocks.containers[table as usize].kind != ContainerKind::Table {
        return;
    }
    let subsections: Vec<&Section> = page
        .sections
        .iter()
        .filter(|c| {
            c.bytes.start > sec.bytes.start && c.bytes.end <= sec.bytes.end && c.level > sec.level
        })
        .collect();
    let in_section = sec.items.start as usize..sec.items.end as usize;
    for (i, item) in in_section
        .map(|i| (i, &blocks.items[i]))
        .filter(|(_, it)| it.container == table)
    {
        let nums = blocks.nums_of(i);
        let Some(num) = nums.iter().find(|n| n.col >= 1) else {
            continue;
        };
        let target = subsections.iter().find(|c| c.key == item.key());
        let at = Location::ascii(&page.path, num.offset, num.pos, num.len);
        if let Some(c) = target
            && c.items.len() as u64 == num.value
        {
            out.push(Claim::kept(page, at, num.value));
            continue;
        }
        let (found, related, name) = match target {
            Some(c) => (
                c.items.len() as u64,
                Some(heading_label(
                    page,
                    c,
                    format!("{} item(s) here", c.items.len()),
                )),
                page.facts.headings[c.heading as usize].text().to_string(),
            ),
            None => (0, None, "its subsection".to_string()),
        };
        let message = match target {
            Some(_) => format!(
                "summary row says {} for `{name}`, which lists {found}",
                num.value
            ),
            None => format!(
                "summary row says {} but no subsection of `{}` matches the row",
                num.value,
                page.facts.headings[sec.heading as usize].text()
            ),
        };
        out.push(Claim {
            page,
            at,
            declared: num.value,
            found,
            message,
            help: format!("write `{found}`, or list what is missing"),
            certain: target.is_some(),
            related,
            about: None,
        });
    }
}
