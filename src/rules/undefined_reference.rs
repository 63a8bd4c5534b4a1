//! `undefined-reference`: `[text][label]` whose label has no definition.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity, code};
use crate::index::Index;

pub(crate) const RULE: Rule = Rule {
    id: "undefined-reference",
    summary: "a reference-style link uses a label that is never defined",
    doc: include_str!("../../rules/undefined-reference.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for page in index.pages.iter().filter(|p| p.reported) {
        for r in &page.facts.undefined_refs {
            if index.entries.appended_defines(&page.path, &r.label) {
                continue; // defined in a page MkDocs appends to this one
            }
            out.push(
                ctx.diag(
                    Location::of_text(&page.path, r.offset, r.pos, &r.text),
                    "undefined label",
                    format!(
                        "reference link {} uses label {}, which is never defined",
                        code(&r.text),
                        code(&r.label)
                    ),
                )
                .with_help(format!(
                    "add {} on its own line, or use an inline link",
                    code(&format!("[{}]: <url>", r.label))
                )),
            );
        }
    }
}
