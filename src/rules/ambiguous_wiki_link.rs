//! `ambiguous-wiki-link`: a `[[Name]]` that several files of the vault
//! answer to, none in the linking note's folder and none the shallowest.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity};
use crate::index::Index;
use crate::index::wiki::{WikiTarget, reported_links};

pub(crate) const RULE: Rule = Rule {
    id: "ambiguous-wiki-link",
    summary: "a [[wiki]] link's name matches several files of the vault",
    doc: include_str!("../../rules/ambiguous-wiki-link.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for r in reported_links(index) {
        let WikiTarget::Ambiguous(files) = r.target else {
            continue;
        };
        let (page, w, note) = (r.page, r.link, r.note);
        let paths: Vec<&str> = files
            .iter()
            .map(|&f| index.files[f as usize].as_str())
            .collect();
        let first = paths[0].trim_end_matches(".md");
        out.push(
            ctx.diag(
                Location::of_text(&page.path, w.offset, w.pos, &w.target),
                "which one?",
                format!(
                    "`{note}` names {} files: `{}`",
                    paths.len(),
                    paths.join("`, `")
                ),
            )
            .with_help(format!("write the path, as in `[[{first}]]`")),
        );
    }
}
