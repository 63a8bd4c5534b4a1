//! `orphan-page`: a page of a declared kind that its index page does not list.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Pos, Severity};
use crate::index::Index;
use crate::index::resolve::Target;
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
        let index_pages: Vec<&crate::index::Page> = orphan
            .index
            .to_vec()
            .iter()
            .filter_map(|p| match index.entries.exact(p.trim_start_matches("./")) {
                Some(Target::File(f)) => index.page_by_file(f),
                _ => None,
            })
            .collect();
        if index_pages.is_empty() {
            continue; // reported by rule-matches-nothing
        }
        let listed: HashSet<u32> = index_pages.iter().flat_map(|p| p.linked_files()).collect();
        let names: Vec<&str> = index_pages.iter().map(|p| p.path.as_str()).collect();
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
            out.push(
                ctx.diag(
                    location,
                    "not listed",
                    format!(
                        "`{}` is a `{}` page, but `{}` does not list it",
                        page.path,
                        orphan.kind,
                        names.join("`, `")
                    ),
                )
                .with_help(format!(
                    "add it to `{}`, or delete the page if it is stale",
                    names[0]
                )),
            );
        }
    }
}
