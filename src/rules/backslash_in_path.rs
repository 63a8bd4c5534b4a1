//! `backslash-in-path`: a link uses `\` as a path separator.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::Target;

pub(crate) const RULE: Rule = Rule {
    id: "backslash-in-path",
    summary: "a link uses `\\` as a path separator",
    doc: include_str!("../../rules/backslash-in-path.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let range = link.path_range();
        let path = &link.written()[range.clone()];
        // Only where the link works once `\` is read as `/` (as browsers do);
        // a link that names nothing is a broken-link.
        if !path.contains('\\') || !matches!(link.target, Target::File(_) | Target::Dir) {
            continue;
        }
        let fixed = path.replace('\\', "/");
        out.push(
            ctx.diag(
                link.location(&page.path, range),
                "backslash",
                format!("link `{path}` uses `\\` as a path separator"),
            )
            .with_help(format!("URLs separate folders with `/`: write `{fixed}`"))
            .with_fix(fixed, true),
        );
    }
}
