//! `link-outside-root`: a relative link climbs above the checked root.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity, code};
use crate::index::Index;
use crate::index::resolve::Target;

pub(crate) const RULE: Rule = Rule {
    id: "link-outside-root",
    summary: "a relative link climbs above the checked root",
    doc: include_str!("../../rules/link-outside-root.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        if link.target != Target::Outside || super::served_by_mkdocs(index, page, link) {
            continue;
        }
        let path = &link.written()[link.path_range()];
        let location = link.location(&page.path, link.path_range());
        let vault = ctx.dialect == crate::dialect::Dialect::Obsidian;
        // Which folder it leaves, and what to do instead.
        let (label, left, help) = match index.entries.site_holding(&page.path) {
            Some(site) if vault => (
                "leaves the vault",
                format!("`{site}`, the vault it is in"),
                "a vault opens on its own: link to a note inside it, or to the published URL",
            ),
            Some(site) => (
                "leaves the site",
                format!("`{site}`, the folder the site is built from"),
                "the built site has no page there: link to a page inside the folder, or to the published URL",
            ),
            None => (
                "leaves the root",
                "the checked root".to_string(),
                "pass a wider `--root` to check it, or link to a page inside the tree",
            ),
        };
        out.push(
            ctx.diag(
                location,
                label,
                format!(
                    "link {} leads outside {left}; it was not checked",
                    code(path)
                ),
            )
            .with_help(help),
        );
    }
}
