//! `broken-wiki-link`: a `[[wiki]]` link or `![[embed]]` (Obsidian dialect)
//! whose note, heading or block is not in the vault.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity};
use crate::index::Index;
use crate::index::wiki::{WikiTarget, fragment_found, reported_links};

pub(crate) const RULE: Rule = Rule {
    id: "broken-wiki-link",
    summary: "a [[wiki]] link names a note, heading or block the vault does not have",
    doc: include_str!("../../rules/broken-wiki-link.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for r in reported_links(index) {
        let (page, w, note, fragment) = (r.page, r.link, r.note, r.fragment);
        {
            let at = Location::of_text(&page.path, w.offset, w.pos, &w.target);
            let target = match r.target {
                WikiTarget::SamePage => Some(page),
                WikiTarget::File(f) => index.page_by_file(*f),
                WikiTarget::Ambiguous(_) => continue, // ambiguous-wiki-link
                WikiTarget::Missing => {
                    out.push(
                        ctx.diag(
                            at,
                            "no such note",
                            format!("no note or file named `{note}` in the vault"),
                        )
                        .with_help(
                            "create it, or fix the name (Obsidian matches a name in any folder, letter case aside)",
                        ),
                    );
                    continue;
                }
                WikiTarget::AliasOnly(notes) => {
                    let of = &index.files[notes[0] as usize];
                    let stem = of.rsplit('/').next().unwrap_or(of).trim_end_matches(".md");
                    out.push(
                        ctx.diag(
                            at,
                            "an alias, not a note",
                            format!(
                                "`{note}` is only an alias of `{of}`: Obsidian does not resolve `[[{note}]]` to it"
                            ),
                        )
                        .with_help(format!("write `[[{stem}|{note}]]`")),
                    );
                    continue;
                }
            };
            // A fragment on a note: a heading or `^block`; on an attachment
            // (`#page=3` on a PDF): not checked.
            let (Some(fragment), Some(target)) = (fragment, target) else {
                continue;
            };
            if !target.parsed || fragment_found(target, fragment) {
                continue;
            }
            let what = match fragment.strip_prefix('^') {
                Some(block) => format!("block `^{block}`"),
                None => format!("heading `{fragment}`"),
            };
            let where_ = if std::ptr::eq(target, page) {
                "this note".to_string()
            } else {
                format!("`{}`", target.path)
            };
            let start = w.target.len() - fragment.len();
            let frag_at = Location::of_text(
                &page.path,
                w.offset + start as u32,
                w.pos.advance(&w.target[..start]),
                fragment,
            );
            out.push(
                ctx.diag(frag_at, "not in the note", format!("no {what} in {where_}"))
                    .with_about(target.path.clone())
                    .with_help(match fragment.starts_with('^') {
                        true => "add ` ^id` at the end of the paragraph or list item, or fix the id",
                        false => "link to a heading the note has (Obsidian matches its text, case and punctuation aside)",
                    }),
            );
        }
    }
}
