//! `count-mismatch`: a declared count differs from the items listed.

use super::{Ctx, Rule};
use crate::config::{BoldCounts, CountForm};
use crate::diag::{Diagnostic, Location, Related, Severity};
use crate::index::resolve::Target;
use crate::index::sections::Section;
use crate::index::{Index, Page};
use crate::parse::DeclaredCount;
use crate::parse::blocks::{ContainerKind, normalize};
use crate::schema::{Kinds, sections_named};
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
    let headings: Vec<Diagnostic> = (0..index.pages.len())
        .into_par_iter()
        .filter(|&p| index.pages[p].reported)
        .flat_map_iter(|p| {
            let page = &index.pages[p];
            let units = heading_units(ctx, p);
            let mut found = Vec::new();
            // Each section's subsections, found once (a scan of every
            // section per section was quadratic: minutes for 20,000 headings).
            let mut children: Vec<Vec<u32>> = vec![Vec::new(); page.sections.len()];
            for (i, s) in page.sections.iter().enumerate() {
                if let Some(parent) = s.parent {
                    children[parent as usize].push(i as u32);
                }
            }
            for (i, sec) in page.sections.iter().enumerate() {
                if let Some(count) = heading_count(page, sec, &units) {
                    check_heading(page, sec, &children[i], count, &units, ctx, &mut found);
                }
            }
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
        .flat_map_iter(|(form, _)| claims(index, ctx, form))
        .filter(|c| c.declared != c.found && c.page.reported)
        .map(|c| {
            // An empty list, or a page with a list cut short, may be what
            // is wrong: the count is not certainly the thing to change.
            let certain = c.certain && c.found != 0 && c.page.facts.cut_lists.is_empty();
            let d = ctx
                .diag(c.at, format!("declares {}", c.declared), c.message)
                .with_help(c.help)
                .with_fix(c.found.to_string(), certain);
            match c.related {
                Some(r) => d.with_related(r),
                None => d,
            }
        })
        .collect();
    out.extend(others);
}

/// The units whose heading counts are checked on page `p`: none (`(N)`),
/// plus those of the rule file's heading forms for the page's kinds.
pub(crate) fn heading_units(ctx: &Ctx, p: usize) -> Vec<String> {
    let mut units = vec![String::new()];
    for (form, _) in &ctx.config.counts {
        if let CountForm::Heading { kind, unit, .. } = form
            && kind.as_ref().is_none_or(|k| ctx.kinds.is(ctx.config, p, k))
        {
            units.push(normalize(unit));
        }
    }
    units
}

/// A heading (level 2 or deeper; a page title's `(1)` is part of a name)
/// ending in `(N)` or `(N unit)` for one of `units`.
pub(crate) fn heading_count<'a>(
    page: &'a Page,
    sec: &Section,
    units: &[String],
) -> Option<&'a DeclaredCount> {
    let h = &page.facts.headings[sec.heading as usize];
    h.count
        .as_ref()
        .filter(|c| sec.level >= 2 && units.iter().any(|u| *u == normalize(&c.unit)))
}

/// A declared count found by a rule-file form, right or wrong.
pub(crate) struct Claim<'a> {
    page: &'a Page,
    at: Location,
    declared: u64,
    found: u64,
    message: String,
    help: String,
    certain: bool,
    related: Option<Related>,
}

impl<'a> Claim<'a> {
    /// A claim that holds: counted (by the vacuity guard), never reported,
    /// so no message is written for it.
    fn kept(page: &'a Page, at: Location, found: u64) -> Self {
        Claim {
            page,
            at,
            declared: found,
            found,
            message: String::new(),
            help: String::new(),
            certain: true,
            related: None,
        }
    }
}

/// How many declared counts a form finds (the vacuity guard's question).
pub(crate) fn occurrences(index: &Index, ctx: &Ctx, form: &CountForm) -> usize {
    match form {
        CountForm::Heading { kind, unit, .. } => pages_of(index, ctx, kind)
            .iter()
            .map(|&p| {
                let page = &index.pages[p];
                let units = [normalize(unit)];
                page.sections
                    .iter()
                    .filter(|s| heading_count(page, s, &units).is_some())
                    .count()
            })
            .sum(),
        _ => claims(index, ctx, form).len(),
    }
}

/// The pages of `kind` (all pages without one), in page order.
fn pages_of<'a>(
    index: &Index,
    ctx: &'a Ctx,
    kind: &Option<String>,
) -> std::borrow::Cow<'a, [usize]> {
    match kind {
        Some(k) => ctx.kinds.named(ctx.config, k).into(),
        None => (0..index.pages.len()).collect::<Vec<_>>().into(),
    }
}

/// The innermost section holding byte `offset`.
fn section_at(page: &Page, offset: u32) -> Option<(usize, &Section)> {
    page.sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.bytes.contains(&offset))
        .max_by_key(|(_, s)| s.level)
}

/// Items of the subsections of section `s`.
fn subsection_items(page: &Page, s: usize) -> u64 {
    page.sections
        .iter()
        .filter(|c| c.parent == Some(s as u32))
        .map(|c| c.items.len() as u64)
        .sum()
}

fn claims<'a>(index: &'a Index, ctx: &Ctx, form: &CountForm) -> Vec<Claim<'a>> {
    let mut out = Vec::new();
    match form {
        CountForm::Heading { .. } => {}
        CountForm::Bold { kind, pattern, .. } | CountForm::PageTotal { kind, pattern, .. } => {
            let (counts, plus, item_kind) = match form {
                CountForm::Bold { counts, plus, .. } => (Some(*counts), plus.as_deref(), None),
                CountForm::PageTotal { item_kind, .. } => (None, None, item_kind.as_deref()),
                _ => (None, None, None),
            };
            let Some(re) = ctx.config.regex(pattern) else {
                return out;
            };
            let plus = plus.and_then(|p| ctx.config.regex(p));
            for &p in pages_of(index, ctx, kind).iter() {
                let page = &index.pages[p];
                for strong in &page.facts.blocks.strongs {
                    let Some(m) = re.captures(&strong.text).and_then(|c| c.get(1)) else {
                        continue;
                    };
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
                            items_linking_to(index, ctx, page, k),
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
                        help: format!(
                            "found {found} {what}; write `{found}` or list what is missing"
                        ),
                        certain: extra.is_none(),
                        related: None,
                    });
                }
            }
        }
        CountForm::Summary { kind, section, .. } => {
            for &p in pages_of(index, ctx, kind).iter() {
                let page = &index.pages[p];
                for (_, sec) in sections_named(page, section) {
                    summary_claims(page, sec, &mut out);
                }
            }
        }
        CountForm::IndexColumn {
            kind,
            column,
            target_kind,
            target_section,
            ..
        } => {
            for &p in ctx.kinds.named(ctx.config, kind) {
                index_claims(
                    index,
                    ctx,
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
fn items_linking_to(index: &Index, ctx: &Ctx, page: &Page, kind: &str) -> u64 {
    let Some(kind) = Kinds::id(ctx.config, kind) else {
        return 0;
    };
    let mut items: Vec<u32> = page
        .links
        .iter()
        .filter_map(|l| match (l.at, &l.target) {
            (Some((i, _)), Target::File(f)) => {
                let p = index.page_index(*f)?;
                ctx.kinds.has(p, kind).then_some(i)
            }
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

/// `| Analytic Rules | 17 |` rows of the first table in section `sec`,
/// each against the subsection it names.
fn summary_claims<'a>(page: &'a Page, sec: &Section, out: &mut Vec<Claim<'a>>) {
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
    for item in blocks.items[sec.items.start as usize..sec.items.end as usize]
        .iter()
        .filter(|i| i.container == table)
    {
        let nums =
            &blocks.nums[item.num_start as usize..item.num_start as usize + item.num_len as usize];
        let Some(num) = nums.iter().find(|n| n.col >= 1) else {
            continue;
        };
        let target = subsections.iter().find(|c| c.key == item.key);
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
                page.facts.headings[c.heading as usize].text.clone(),
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
                num.value, page.facts.headings[sec.heading as usize].text
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
        });
    }
}

/// An index row's count column against the section of the page it links to.
fn index_claims<'a>(
    index: &'a Index,
    ctx: &Ctx,
    page: &'a Page,
    column: &str,
    target_kind: &str,
    target_section: &crate::config::Names,
    out: &mut Vec<Claim<'a>>,
) {
    let Some(target_kind) = Kinds::id(ctx.config, target_kind) else {
        return;
    };
    let blocks = &page.facts.blocks;
    let want = normalize(column);
    let row_files = page.files_by_item();
    for (c, container) in blocks.containers.iter().enumerate() {
        let Some(col) = container.header.iter().position(|h| normalize(h) == want) else {
            continue;
        };
        for (i, item) in blocks
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.container as usize == c)
        {
            let nums = &blocks.nums
                [item.num_start as usize..item.num_start as usize + item.num_len as usize];
            let Some(num) = nums.iter().find(|n| n.col as usize == col) else {
                continue;
            };
            // The first page the row links to.
            let target = row_files
                .get(&(i as u32))
                .and_then(|files| files.iter().find_map(|&f| index.page_index(f)));
            let Some(t) = target.filter(|&t| ctx.kinds.has(t, target_kind)) else {
                continue;
            };
            let tp = &index.pages[t];
            let secs = sections_named(tp, target_section);
            let found: u64 = secs.iter().map(|(_, s)| s.items.len() as u64).sum();
            let at = Location::ascii(&page.path, num.offset, num.pos, num.len);
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
            });
        }
    }
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
    sec: &Section,
    children: &[u32],
    count: &DeclaredCount,
    units: &[String],
    ctx: &Ctx,
    out: &mut Vec<Diagnostic>,
) {
    let name = &page.facts.headings[sec.heading as usize].text;
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
    let items = &page.facts.blocks.items[sec.items.start as usize..sec.items.end as usize];
    let (mut hidden, mut cut_items) = (0u64, 0u64);
    for (at, n) in &page.facts.cut_lists {
        if (sec.bytes.start..sec.bytes.end).contains(&at.start) {
            hidden += n;
            let is_item = items
                .iter()
                .any(|it| it.offset < at.end && at.start < it.end);
            cut_items += u64::from(is_item);
        }
    }
    let shown = sec.items.len() as u64 - cut_items;
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
