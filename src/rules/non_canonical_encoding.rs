//! `non-canonical-encoding`: a link resolves but is not written in the
//! canonical percent-encoding.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::Target;

pub(crate) const RULE: Rule = Rule {
    id: "non-canonical-encoding",
    summary: "a working link is not in the canonical percent-encoding",
    doc: include_str!("../../rules/non-canonical-encoding.md"),
    severity: Severity::Warning,
    default_enabled: false,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        if !matches!(link.target, Target::File(_) | Target::Dir) {
            continue; // a link that does not work is another rule's finding
        }
        let Some(canonical) = link.canonical_path() else {
            continue;
        };
        let range = link.path_range();
        let path = &link.written()[range.clone()];
        if path.contains('\\') {
            continue; // reported by backslash-in-path
        }
        out.push(
            ctx.diag(
                link.location(&page.path, range),
                "not canonical",
                format!("link `{path}` works but is not in the canonical encoding"),
            )
            .with_help(format!("write `{canonical}`"))
            .with_fix(canonical, true),
        );
    }
}
