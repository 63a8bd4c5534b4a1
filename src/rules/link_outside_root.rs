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
        if link.target != Target::Outside {
            continue;
        }
        let path = &link.written()[link.path_range()];
        let location = link.location(&page.path, link.path_range());
        out.push(match index.entries.site_holding(&page.path) {
            Some(site) if ctx.dialect == crate::dialect::Dialect::Obsidian => ctx
                .diag(
                    location,
                    "leaves the vault",
                    format!(
                        "link {} leads outside `{site}`, the vault it is in; it was not checked",
                        code(path)
                    ),
                )
                .with_help(
                    "a vault opens on its own: link to a note inside it, or to the published URL",
                ),
            Some(site) => ctx
                .diag(
                    location,
                    "leaves the site",
                    format!(
                        "link {} leads outside `{site}`, the folder the site is built from; it was not checked",
                        code(path)
                    ),
                )
                .with_help(
                    "the built site has no page there: link to a page inside the folder, or to the published URL",
                ),
            None => ctx
                .diag(
                    location,
                    "leaves the root",
                    format!(
                        "link {} leads outside the checked root; it was not checked",
                        code(path)
                    ),
                )
                .with_help("pass a wider `--root` to check it, or link to a page inside the tree"),
        });
    }
}
