//! `link-outside-root`: a relative link climbs above the checked root.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
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
        out.push(
            ctx.diag(
                link.location(&page.path, link.path_range()),
                "leaves the root",
                format!("link `{path}` leads outside the checked root; it was not checked"),
            )
            .with_help("pass a wider `--root` to check it, or link to a page inside the tree"),
        );
    }
}
