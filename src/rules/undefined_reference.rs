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
    use crate::dialect::mkdocs::Autorefs;
    for (p, page) in index.pages.iter().enumerate().filter(|(_, p)| p.reported) {
        for (i, r) in page.facts.rare.undefined_refs.iter().enumerate() {
            if index.autoref(p, i).is_some() {
                continue; // MkDocs' autorefs links it (or leaves it to mkdocstrings)
            }
            if index.entries.appended_defines(&page.path, &r.label) {
                continue; // defined in a page MkDocs appends to this one
            }
            if quoted(&r.label) {
                continue; // `node['gitlab']['port']`: code, not a label
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
                .with_help(match index.entries.autorefs(&page.path) {
                    Autorefs::Off => format!(
                        "add {} on its own line, or use an inline link",
                        code(&format!("[{}]: <url>", r.label))
                    ),
                    _ => format!(
                        "the site's autorefs plugin finds no heading anchored {} either: use a heading's anchor, or define the label",
                        code(r.label.trim().trim_matches('`'))
                    ),
                }),
            );
        }
    }
}

/// A label written as a quoted string (`['port']`, `["port"]`): a key in
/// code written in prose (`node['gitlab']['port']`), which the reader sees
/// as the text it is, not a link whose definition is missing.
fn quoted(label: &str) -> bool {
    let l = label.trim();
    l.len() >= 2
        && ((l.starts_with('\'') && l.ends_with('\'')) || (l.starts_with('"') && l.ends_with('"')))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quoted_label_is_code_not_a_reference() {
        assert!(super::quoted("'db_host'"));
        assert!(super::quoted("\"port\""));
        assert!(!super::quoted("guide"));
        assert!(!super::quoted("'"));
        assert!(!super::quoted("it's"));
    }
}
