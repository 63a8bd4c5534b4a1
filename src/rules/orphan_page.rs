//! `orphan-page`: a page of a declared kind that its index page does not list.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Pos, Severity};
use crate::index::Index;
use crate::schema::index_page_files;
use std::collections::HashSet;

pub(crate) const RULE: Rule = Rule {
    id: "orphan-page",
    summary: "a page of a declared kind is not listed by its index page",
    doc: include_str!("../../rules/orphan-page.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (orphan, _) in &ctx.config.orphans {
        let index_pages = index_page_files(index, orphan);
        if index_pages.is_empty() {
            continue; // reported by rule-matches-nothing
        }
        let listed: HashSet<u32> = index_pages
            .iter()
            .flat_map(|&f| ctx.elsewhere.index_page_links(index, f))
            .collect();
        let names: Vec<&str> = index_pages
            .iter()
            .map(|&f| index.files[f as usize].as_str())
            .collect();
        // The entries as the rule file writes them (a glob, not its 26 pages).
        let entries = orphan.index.to_vec();
        let mut written = format!("`{}`", entries[..entries.len().min(3)].join("`, `"));
        if entries.len() > 3 {
            written.push_str(&format!(" and {} more entries", entries.len() - 3));
        }
        for &p in ctx.kinds.named(ctx.config, &orphan.kind) {
            let page = &index.pages[p];
            if !page.reported || listed.contains(&page.file) || names.contains(&page.path.as_str())
            {
                continue;
            }
            let location = match page.facts.headings.first() {
                Some(h) => Location::ascii(&page.path, h.bytes.start, h.pos, h.bytes.len() as u32),
                None => Location::ascii(&page.path, 0, Pos { line: 1, col: 1 }, 0),
            };
            let message = match names.as_slice() {
                [one] => format!(
                    "`{}` is a page of kind `{}`, but `{one}` does not list it",
                    page.path, orphan.kind
                ),
                _ => format!(
                    "`{}` is a page of kind `{}`, but none of its {} index pages ({}) lists it",
                    page.path,
                    orphan.kind,
                    names.len(),
                    written
                ),
            };
            out.push(
                ctx.diag(location, "not listed", message)
                .with_help(match names.as_slice() {
                    [one] => format!("add it to `{one}`, or delete the page if it is stale"),
                    _ => "add it to the index page where it belongs, or delete the page if it is stale".to_string(),
                }),
            );
        }
    }
}
