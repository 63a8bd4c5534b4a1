//! `ambiguous-wiki-link`: a `[[Name]]` that several files of the vault
//! answer to, none in the linking note's folder and none the shallowest.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Location, Severity, code};
use crate::index::Index;
use crate::index::wiki::{Resolved, WikiTarget, markdown_links_by_name, page_links};
use rayon::prelude::*;

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
    // A root holding `.obsidian/` is one vault: no hint that its folders are vaults.
    let hint = index.entries.exact(".obsidian").is_none();
    // Markdown links too: Obsidian looks their path up by name as well.
    if ctx.dialect.has_wiki_links() {
        for (page, link, target) in markdown_links_by_name(index) {
            let WikiTarget::Ambiguous(files) = target else {
                continue;
            };
            let paths = paths_of(index, files);
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
                .with_help(vaults_hint(hint, &paths).unwrap_or_else(|| {
                    format!(
                        "write the path of the file meant, as in `({})` for the first",
                        super::relative_link(page.dir(), paths[0])
                    )
                })),
            );
        }
    }
    // Page by page in parallel: a vault opened at the wrong folder has a
    // finding, with a long message, for most of its links.
    let found: Vec<Diagnostic> = index
        .pages
        .par_iter()
        .filter(|p| p.reported)
        .flat_map_iter(|page| page_links(page).filter_map(|r| ambiguous(index, ctx, hint, r)))
        .collect();
    out.extend(found);
}

/// The finding about a wiki link whose name several files answer to.
fn ambiguous(index: &Index, ctx: &Ctx, hint: bool, r: Resolved<'_>) -> Option<Diagnostic> {
    let WikiTarget::Ambiguous(files) = r.target else {
        return None;
    };
    let (page, w, note) = (r.page, r.link, r.note);
    let paths = paths_of(index, files);
    let first = paths[0].trim_end_matches(".md");
    Some(
        ctx.diag(
            Location::of_text(&page.path, w.offset, w.pos, &w.target),
            "which one?",
            format!(
                "`{note}` names {} files: `{}`",
                paths.len(),
                paths.join("`, `")
            ),
        )
        .with_help(
            vaults_hint(hint, &paths)
                .unwrap_or_else(|| format!("write the path, as in `[[{first}]]`")),
        ),
    )
}

/// The paths of the files a name matches.
fn paths_of<'a>(index: &'a Index, files: &[u32]) -> Vec<&'a str> {
    files
        .iter()
        .map(|&f| index.files[f as usize].as_str())
        .collect()
}

/// When each file a name matches is in another folder at the root (`en/`,
/// `de/`...), those folders are likely vaults of their own, which Obsidian
/// opens one at a time: say how to tell reftree so (when `hint`: not when
/// the root is itself a vault).
fn vaults_hint(hint: bool, paths: &[&str]) -> Option<String> {
    if !hint {
        return None;
    }
    let tops: Vec<&str> = paths
        .iter()
        .map(|p| p.split_once('/').map(|(top, _)| top))
        .collect::<Option<_>>()?;
    let mut distinct = tops.clone();
    distinct.sort_unstable();
    distinct.dedup();
    (distinct.len() == tops.len()).then(|| {
        let folders: Vec<String> = tops.iter().map(|t| format!("`{t}/`")).collect();
        format!(
            "each file is in another folder at the root ({}): if each folder is a vault of its own, open it as one (its `.obsidian/` folder) or name the vaults in reftree.toml (`sites = [\"*\"]`); else write the path",
            folders.join(", ")
        )
    })
}
