//! `double-encoded`: a link that resolves only when decoded twice (`%2528`).

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::{Target, decode};

pub(crate) const RULE: Rule = Rule {
    id: "double-encoded",
    summary: "a link is percent-encoded twice (`%2528` for `(`)",
    doc: include_str!("../../rules/double-encoded.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let Target::DoubleEncoded { file } = link.target else {
            continue;
        };
        let path = &link.written()[link.path_range()];
        let once = decode(path).unwrap_or_default().into_owned();
        out.push(
            ctx.diag(
                link.location(&page.path, link.path_range()),
                "encoded twice",
                format!(
                    "link `{path}` is percent-encoded twice: decoded once it names no file, decoded twice it is `{}`",
                    index.files[file as usize]
                ),
            )
            .with_help(format!("encode once: write `{once}`"))
            .with_fix(once, true),
        );
    }
}
