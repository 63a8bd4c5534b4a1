//! `count-mismatch`: a declared count differs from the items listed.

use super::{Ctx, Rule};
use crate::config::CountForm;
use crate::diag::{Diagnostic, Severity};
use crate::index::sections::Section;
use crate::index::{Index, Page};
use crate::parse::DeclaredCount;
use crate::schema::counts::{
    claims, count_location, heading_count, heading_label, heading_units, shown_and_hidden,
};
use rayon::prelude::*;

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
    // Heading counts, unless checked as each page was read (`super::one_page`).
    let headings: Vec<Diagnostic> = (0..index.pages.len())
        .into_par_iter()
        .filter(|&p| index.pages[p].reported && !index.checked_page_by_page)
        .flat_map_iter(|p| {
            let units = heading_units(&ctx.model(), p);
            let mut found = Vec::new();
            check_headings(ctx, &index.pages[p], &units, &mut found);
            found
        })
        .collect();
    out.extend(headings);
    // The other forms (heading forms were checked above, with the generic one).
    let others: Vec<Diagnostic> = ctx
        .config
        .counts
        .par_iter()
        .filter(|(form, _)| !matches!(form, CountForm::Heading { .. }))
        .flat_map_iter(|(form, _)| claims(index, &ctx.model(), form))
        .filter(|c| c.declared != c.found && c.page.reported)
        .map(|c| {
            // An empty list, or a page with a list cut short, may be what
            // is wrong: the count is not certainly the thing to change.
            let certain = c.certain && c.found != 0 && c.page.facts.rare.cut_lists.is_empty();
            let mut d = ctx
                .diag(c.at, format!("declares {}", c.declared), c.message)
                .with_help(c.help)
                .with_fix(c.found.to_string(), certain);
            d.about = c.about;
            match c.related {
                Some(r) => d.with_related(r),
                None => d,
            }
        })
        .collect();
    out.extend(others);
}

/// The heading counts of `page` (`(N)`, and `(N unit)` for one of `units`)
/// against their sections.
pub(crate) fn check_headings(ctx: &Ctx, page: &Page, units: &[String], out: &mut Vec<Diagnostic>) {
    // Each section's subsections, found once (a scan of every section per
    // section was quadratic: minutes for 20,000 headings).
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); page.sections.len()];
    for (i, s) in page.sections.iter().enumerate() {
        if let Some(parent) = s.parent {
            children[parent as usize].push(i as u32);
        }
    }
    for (i, sec) in page.sections.iter().enumerate() {
        if let Some(count) = heading_count(page, sec, units) {
            check_heading(page, sec, &children[i], count, units, ctx, out);
        }
    }
}

fn check_heading(
    page: &Page,
    sec: &Section,
    children: &[u32],
    count: &DeclaredCount,
    units: &[String],
    ctx: &Ctx,
    out: &mut Vec<Diagnostic>,
) {
    let name = page.facts.headings[sec.heading as usize].text();
    let children: Vec<(&Section, &DeclaredCount)> = children
        .iter()
        .map(|&c| &page.sections[c as usize])
        .filter_map(|s| heading_count(page, s, units).map(|c| (s, c)))
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
    // A list cut short (`... and 159 more`) holds the rows shown and the
    // number hidden; the line that says so is not an item itself.
    let (shown, hidden) = shown_and_hidden(page, sec);
    let found = shown + hidden;
    if found != count.value {
        // An empty list or a cut one may be what is wrong, not the count.
        let certain = shown > 0 && hidden == 0;
        // With subsections whose counts add up to this one, the items found
        // (some under subsections without a count) contradict them: no
        // count satisfies both, so none is offered (a fix here and the sum's
        // fix would undo each other on every run).
        let fix = children.is_empty().then(|| found.to_string());
        out.push(
            ctx.diag(
                count_location(page, count),
                format!("declares {}", count.value),
                format!("`{name}` declares {} but lists {found}", count.value),
            )
            .with_help(format!(
                "found {found} list item(s) and table row(s) in the section and its subsections; write `{found}` or list what is missing"
            ))
            .with_fix_if(fix, certain)
            .with_related(heading_label(page, sec, format!("{found} item(s) in this section"))),
        );
    }
}
