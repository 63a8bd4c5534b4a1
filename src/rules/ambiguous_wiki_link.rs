//! `ambiguous-wiki-link`: a `[[Name]]` that several files of the vault
//! answer to, none in the linking note's folder and none the shallowest.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity};
use crate::index::Index;
use crate::index::wiki::{Vault, WikiTarget};

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
    if index.pages.iter().all(|p| p.facts.wiki_links.is_empty()) {
        return;
    }
    let vault = Vault::new(index);
    for page in index.pages.iter().filter(|p| p.reported) {
        for w in &page.facts.wiki_links {
            let note = w.target.split('#').next().unwrap_or_default();
            let WikiTarget::Ambiguous(files) = vault.resolve(index, page, note) else {
                continue;
            };
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
}
