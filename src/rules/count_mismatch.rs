//! `count-mismatch`: a declared count differs from the items listed.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Related, Severity};
use crate::index::sections::Section;
use crate::index::{Index, Page};
use crate::parse::DeclaredCount;

pub(crate) const RULE: Rule = Rule {
    id: "count-mismatch",
    summary: "a declared count (`## Solutions (29)`, `**18 table(s)**`) differs from the items listed",
    doc: include_str!("../../rules/count-mismatch.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for page in index.pages.iter().filter(|p| p.reported) {
        for (i, sec) in page.sections.iter().enumerate() {
            if let Some(count) = heading_count(page, sec) {
                check_heading(page, i as u32, sec, count, ctx, out);
            }
        }
    }
}

/// The generic form: a heading (level 2 or deeper; a page title's `(1)` is
/// part of a name) ending in `(N)` with no unit.
fn heading_count<'a>(page: &'a Page, sec: &Section) -> Option<&'a DeclaredCount> {
    let h = &page.facts.headings[sec.heading as usize];
    h.count
        .as_ref()
        .filter(|c| sec.level >= 2 && c.unit.is_empty())
}

fn count_location(page: &Page, c: &DeclaredCount) -> Location {
    Location::ascii(&page.path, c.offset, c.pos, c.len)
}

/// A label on the section's heading line.
pub(crate) fn heading_label(page: &Page, sec: &Section, label: String) -> Related {
    let h = &page.facts.headings[sec.heading as usize];
    let line_len = h.bytes.len() as u32;
    let mut location = Location::ascii(&page.path, h.bytes.start, h.pos, line_len);
    location.end = h.pos.advance(&h.text);
    Related { location, label }
}

fn check_heading(
    page: &Page,
    i: u32,
    sec: &Section,
    count: &DeclaredCount,
    ctx: &Ctx,
    out: &mut Vec<Diagnostic>,
) {
    let name = &page.facts.headings[sec.heading as usize].text;
    let children: Vec<(&Section, &DeclaredCount)> = page
        .sections
        .iter()
        .filter(|s| s.parent == Some(i))
        .filter_map(|s| heading_count(page, s).map(|c| (s, c)))
        .collect();
    let declared_sum: u64 = children.iter().map(|(_, c)| c.value).sum();
    if !children.is_empty() && declared_sum != count.value {
        let parts: Vec<String> = children.iter().map(|(_, c)| c.value.to_string()).collect();
        out.push(
            ctx.diag(
                count_location(page, count),
                format!("declares {}", count.value),
                format!(
                    "`{name}` declares {} but its subsections declare {} = {declared_sum}",
                    count.value,
                    parts.join(" + ")
                ),
            )
            .with_help(format!(
                "write `{declared_sum}`, or fix the subsection that is wrong"
            ))
            .with_fix(declared_sum.to_string(), false)
            .with_related(heading_label(page, sec, "this section".into())),
        );
        return;
    }
    let found = sec.items.len() as u64;
    if found != count.value {
        out.push(
            ctx.diag(
                count_location(page, count),
                format!("declares {}", count.value),
                format!("`{name}` declares {} but lists {found}", count.value),
            )
            .with_help(format!(
                "found {found} list item(s) and table row(s) in the section and its subsections; write `{found}` or list what is missing"
            ))
            .with_fix(found.to_string(), true)
            .with_related(heading_label(page, sec, format!("{found} item(s) in this section"))),
        );
    }
}
