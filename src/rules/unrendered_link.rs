//! `unrendered-link`: `[text](dest)` that Markdown did not make a link,
//! because the destination holds a raw space, a backslash or an unbalanced
//! parenthesis.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity, code};
use crate::index::Index;

pub(crate) const RULE: Rule = Rule {
    id: "unrendered-link",
    summary: "text written as a link is not rendered as one (raw space or unbalanced parenthesis)",
    doc: include_str!("../../rules/unrendered-link.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for page in index.pages.iter().filter(|p| p.reported) {
        for u in &page.facts.rare.unrendered {
            // The site's macros fill `{{ sponsor.url }}` in before Markdown reads it.
            if super::filled_by_macros(index, page, &u.dest) {
                continue;
            }
            let fixed = u
                .dest
                .replace(' ', "%20")
                .replace('(', "%28")
                .replace('\\', "/");
            let why = if u.dest.contains(' ') {
                "a raw space"
            } else if u.dest.contains('(') {
                "an unbalanced `(`"
            } else {
                "a backslash"
            };
            out.push(
                ctx.diag(
                    Location::of_text(&page.path, u.offset, u.pos, &u.dest),
                    "not a link",
                    format!(
                        "{} is shown as plain text, not a link: its destination has {why}",
                        code(&u.dest)
                    ),
                )
                .with_help(format!("percent-encode it: write {}", code(&fixed)))
                // What looks like a link written with a raw space may be prose
                // with a stray `](`: a guess, never a certain fix.
                .with_fix(fixed, false),
            );
        }
    }
}
