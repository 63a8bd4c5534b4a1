//! `malformed-front-matter`: YAML front matter that does not parse.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity};
use crate::index::Index;

pub(crate) const RULE: Rule = Rule {
    id: "malformed-front-matter",
    summary: "the page's YAML front matter does not parse",
    doc: include_str!("../../rules/malformed-front-matter.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for page in index.pages.iter().filter(|p| p.reported) {
        let Some(e) = page
            .facts
            .front_matter
            .as_ref()
            .and_then(|f| f.error.as_ref())
        else {
            continue;
        };
        out.push(
            ctx.diag(
                Location::ascii(&page.path, e.offset, e.pos, 1),
                "the YAML stops parsing here",
                format!("front matter is not valid YAML: {}", e.message),
            )
            .with_help(
                "fix the YAML between the `---` lines (quote values that hold `: `, `#`, `[` or `{`); until then its keys are not read",
            ),
        );
    }
}
