//! `unencoded-reserved-char`: a raw `#` or `?` that is part of a file name.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::Target;

pub(crate) const RULE: Rule = Rule {
    id: "unencoded-reserved-char",
    summary: "a raw `#` or `?` in a link is part of the file name and must be percent-encoded",
    doc: include_str!("../../rules/unencoded-reserved-char.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let Target::RawReserved { ch, file } = link.target else {
            continue;
        };
        let w = link.written();
        let Some(at) = w.find(ch) else { continue };
        let escape = if ch == '#' { "%23" } else { "%3F" };
        let (target, after) = (&index.files[file as usize], &w[at + 1..]);
        out.push(
            ctx.diag(
                link.location(&page.path, at..at + 1),
                format!("`{ch}` ends the path here"),
                format!(
                    "raw `{ch}` in link `{w}` cuts the path short: it points to `{}` {} `{after}`, not to `{target}`",
                    &w[..at],
                    if ch == '#' { "with fragment" } else { "with query" },
                ),
            )
            .with_help(format!("percent-encode it: write `{escape}` for `{ch}`"))
            .with_fix(escape, true),
        );
    }
}
