//! `malformed-escape`: a `%` not followed by two hex digits, or escapes
//! that decode to invalid UTF-8.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::{Target, bad_percent};

pub(crate) const RULE: Rule = Rule {
    id: "malformed-escape",
    summary: "a `%` in a link is not followed by two hex digits, or escapes decode to invalid UTF-8",
    doc: include_str!("../../rules/malformed-escape.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let path = &link.written()[link.path_range()];
        if link.target == Target::InvalidUtf8 {
            out.push(
                ctx.diag(
                    link.location(&page.path, link.path_range()),
                    "not UTF-8",
                    format!("the escapes in `{path}` decode to bytes that are not UTF-8"),
                )
                .with_help("percent-encode the UTF-8 bytes of each character (`é` is `%C3%A9`)"),
            );
        } else if let Some(at) = bad_percent(path) {
            // The `%` and the one hex digit after it, if any: both ASCII, so
            // the span never ends inside a character (`%✅`, `%1ü`).
            let digits = path.as_bytes()[at + 1..]
                .iter()
                .take(2)
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            let end = at + 1 + digits;
            // A `%` that names a file on disk is reported by `unencoded-percent`.
            if matches!(link.target, Target::UnescapedPercent { .. }) {
                continue;
            }
            out.push(
                ctx.diag(
                    link.location(&page.path, at..end),
                    "not an escape",
                    format!("`%` in `{path}` is not followed by two hex digits"),
                )
                .with_help("write a literal `%` as `%25`")
                .with_fix(format!("%25{}", &path[at + 1..end]), true),
            );
        }
    }
}
