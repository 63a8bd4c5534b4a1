//! `broken-fragment`: a `#fragment` names no heading or anchor in its page.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::resolve::Target;
use crate::index::{Index, Page};
use std::collections::HashSet;

pub(crate) const RULE: Rule = Rule {
    id: "broken-fragment",
    summary: "a `#fragment` names no heading or anchor in the target page",
    doc: include_str!("../../rules/broken-fragment.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let Some(fragment) = link.fragment() else {
            continue;
        };
        let fragment = fragment.as_ref();
        let target: &Page = match link.target {
            Target::SamePage => page,
            Target::File(id) => match index.page_by_file(id) {
                Some(p) => p,
                None => continue, // not Markdown: fragments are not checked
            },
            _ => continue,
        };
        let Some(anchors) = &target.anchors else {
            continue;
        };
        if found(fragment, anchors) {
            continue;
        }
        let Some(range) = link.fragment_range() else {
            continue;
        };
        let written = &link.written()[range.clone()];
        let where_ = if std::ptr::eq(target, page) {
            "this page".to_string()
        } else {
            format!("`{}`", target.path)
        };
        let mut d = ctx.diag(
            link.location(&page.path, range),
            "no such anchor",
            format!("fragment `#{written}` not found in {where_}"),
        );
        match nearest(fragment, anchors) {
            Some(a) => {
                d = d.with_help(format!("did you mean `#{a}`?"));
                d = d.with_fix(a, false);
            }
            None if anchors.is_empty() => {
                d = d.with_help(format!(
                    "{where_} has no headings; link to the page without a fragment"
                ));
            }
            None => {
                d = d.with_help(format!(
                    "no similar anchor; {where_} has {} anchors, GitHub makes them from headings (lowercase, spaces to `-`)",
                    anchors.len()
                ));
            }
        }
        out.push(d);
    }
}

/// GitHub lowercases the fragment when no element has it exactly; `#top`
/// and the empty fragment go to the top of the page.
fn found(fragment: &str, anchors: &HashSet<String>) -> bool {
    fragment.is_empty()
        || fragment.eq_ignore_ascii_case("top")
        || anchors.contains(fragment)
        || anchors.contains(&fragment.to_lowercase())
}

/// An anchor that starts with the fragment and a `-` (`#solutions` for the
/// heading `Solutions (29)`), else the closest by edit distance.
fn nearest<'a>(fragment: &str, anchors: &'a HashSet<String>) -> Option<&'a str> {
    let f = fragment.to_lowercase();
    let prefix = format!("{f}-");
    let mut starts: Vec<&str> = anchors
        .iter()
        .filter(|a| a.starts_with(&prefix))
        .map(String::as_str)
        .collect();
    starts.sort_by_key(|a| (a.len(), *a));
    if let Some(a) = starts.first() {
        return Some(a);
    }
    let limit = (f.chars().count() / 3).max(2);
    anchors
        .iter()
        .map(|a| (strsim::levenshtein(a, &f), a.as_str()))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, a)| a)
}
