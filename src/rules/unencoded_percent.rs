//! `unencoded-percent`: a file whose name holds `%XX`, linked without
//! escaping the `%`.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::Target;

pub(crate) const RULE: Rule = Rule {
    id: "unencoded-percent",
    summary: "a file name holds `%`, and the link does not escape it as `%25`",
    doc: include_str!("../../rules/unencoded-percent.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let Target::UnescapedPercent { file } = link.target else {
            continue;
        };
        let path = &link.written()[link.path_range()];
        let fixed = path.replace('%', "%25");
        out.push(
            ctx.diag(
                link.location(&page.path, link.path_range()),
                "`%` not escaped",
                format!(
                    "`{}` has `%` in its name on disk, but link `{path}` reads it as an escape",
                    index.files[file as usize]
                ),
            )
            .with_help(format!(
                "escape each `%` as `%25`: write `{fixed}` (or rename the file)"
            ))
            .with_fix(fixed, true),
        );
    }
}
