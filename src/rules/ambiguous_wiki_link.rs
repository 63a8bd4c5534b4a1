//! `ambiguous-wiki-link`: a `[[Name]]` that several files of the vault
//! answer to, none in the linking note's folder and none the shallowest.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity, code};
use crate::index::Index;
use crate::index::wiki::{WikiTarget, markdown_links_by_name, reported_links};

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
    // Markdown links too: Obsidian looks their path up by name as well.
    if ctx.dialect.has_wiki_links() {
        for (page, link, target) in markdown_links_by_name(index) {
            let WikiTarget::Ambiguous(files) = target else {
                continue;
            };
            let paths: Vec<&str> = files
                .iter()
                .map(|&f| index.files[f as usize].as_str())
                .collect();
            let written = &link.written()[link.path_range()];
            out.push(
                ctx.diag(
                    link.location(&page.path, link.path_range()),
                    "which one?",
                    format!(
                        "{} is not a path from this note or the vault's folder, and names {} files: `{}`",
                        code(written),
                        paths.len(),
                        paths.join("`, `")
                    ),
                )
                .with_help(format!(
                    "write the path of the file meant, as in `({})` for the first",
                    super::relative_link(page.dir(), paths[0])
                )),
            );
        }
    }
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
