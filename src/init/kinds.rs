//! Page kinds from folders: each folder that holds five pages or more
//! (index-like pages left out) is a kind, named after the folder
//! (`docs/tables/` -> `table`), with globs that select exactly its pages.

use crate::index::Index;
use globset::{Glob, GlobSetBuilder};
use std::collections::BTreeMap;

/// A kind init declares.
pub struct Kind {
    pub name: String,
    /// The globs written for it (`!glob` leaves pages out).
    pub globs: Vec<String>,
    /// Its pages, as the globs select them.
    pub pages: Vec<usize>,
}

/// `tables` -> `table`, `logic-apps` -> `logic-app`, `policies` -> `policy`.
pub fn singular(folder: &str) -> String {
    let f = folder.to_lowercase().replace([' ', '_'], "-");
    if let Some(stem) = f.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if f.ends_with("ss") || f.ends_with("us") {
        return f; // `access`, `status`
    }
    f.strip_suffix('s').map_or(f.clone(), str::to_string)
}

/// `index.md`, `README.md`, `tables-index.md`: a folder's own index page.
pub fn is_index_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    stem == "index" || stem.ends_with("-index") || stem == "readme"
}

/// The kinds of the tree, in folder order.
pub fn infer(index: &Index) -> Vec<Kind> {
    let mut folders: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (p, page) in index.pages.iter().enumerate() {
        let Some((dir, _)) = page.path.rsplit_once('/') else {
            continue; // pages at the root: indexes, not a kind
        };
        if dir.split('/').any(|c| c.starts_with('.')) {
            continue;
        }
        folders.entry(dir).or_default().push(p);
    }
    let chosen: Vec<(&str, Vec<usize>, Vec<usize>)> = folders
        .into_iter()
        .map(|(dir, pages)| {
            let siblings = pages.len();
            let (mut indexes, mut members): (Vec<usize>, Vec<usize>) = pages
                .into_iter()
                .partition(|&p| lists_its_folder(index, p, dir, siblings));
            // The short pages of a paginated index list few pages: a page
            // named like two index pages but for a short part is one too
            // (`analytic-rules-q.md` beside `analytic-rules-a.md`, `-b.md`).
            let mut stems: BTreeMap<String, usize> = BTreeMap::new();
            for &p in &indexes {
                *stems.entry(run_stem(&index.pages[p].path)).or_default() += 1;
            }
            members.retain(|&p| {
                let path = &index.pages[p].path;
                let stem = run_stem(path);
                let part = path[stem.len()..].trim_end_matches(".md");
                let paged = stems.get(&stem).is_some_and(|&n| n >= 2) && part.len() <= 5;
                if paged {
                    indexes.push(p);
                }
                !paged
            });
            (dir, members, indexes)
        })
        .filter(|(_, members, _)| members.len() >= 5)
        .collect();
    let dirs: Vec<&str> = chosen.iter().map(|(d, _, _)| *d).collect();
    let names = kind_names(&dirs);
    chosen
        .iter()
        .zip(names)
        .filter_map(|((dir, members, indexes), name)| {
            let ext = common_extension(index, members);
            let mut globs = vec![format!("{}/*{ext}", glob_escape(dir))];
            // `*` crosses folders: leave out the kinds below this one, and
            // this folder's index pages.
            for other in &dirs {
                if other.len() > dir.len()
                    && other.starts_with(dir)
                    && other.as_bytes()[dir.len()] == b'/'
                {
                    globs.push(format!("!{}/**", glob_escape(other)));
                }
            }
            globs.extend(exclusions(index, indexes, members));
            let pages = selected(index, &globs).filter(|p| !p.is_empty())?;
            Some(Kind { name, globs, pages })
        })
        .collect()
}

/// A name for each folder's kind, from its last folder (`tables` ->
/// `table`), with as many folders before it as it takes to tell apart the
/// names that would clash (`fr-fr-setting`, `ja-jp-setting`; with a tree
/// per language, `en-docs-advanced`, `es-docs-advanced`); a number ends a
/// name that is still not unique (folders that differ only in case).
fn kind_names(dirs: &[&str]) -> Vec<String> {
    let folder = |p: &str| p.to_lowercase().replace([' ', '_'], "-");
    let name = |dir: &str, depth: usize| -> String {
        let parts: Vec<&str> = dir.split('/').collect();
        let from = parts.len() - depth.min(parts.len());
        let mut words: Vec<String> = parts[from..parts.len() - 1]
            .iter()
            .map(|p| folder(p))
            .collect();
        words.push(singular(parts[parts.len() - 1]));
        words.join("-")
    };
    let mut depth = vec![1; dirs.len()];
    let mut names: Vec<String>;
    loop {
        names = dirs.iter().zip(&depth).map(|(d, &k)| name(d, k)).collect();
        let mut deeper = false;
        for i in 0..dirs.len() {
            let clashes = names.iter().filter(|n| **n == names[i]).count() > 1;
            if clashes && depth[i] < dirs[i].split('/').count() {
                depth[i] += 1;
                deeper = true;
            }
        }
        if !deeper {
            break;
        }
    }
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for n in &mut names {
        let k = seen.entry(n.clone()).or_default();
        *k += 1;
        if *k > 1 {
            *n = format!("{n}-{k}");
        }
    }
    names
}

/// Whether page `p` of folder `dir` (of `siblings` pages) is the folder's
/// index rather than one of its entities: named so (`index.md`,
/// `tables-index.md`), or linking to many of its siblings (at least ten,
/// and a tenth of them or fifty: one page of a paginated index).
fn lists_its_folder(index: &Index, p: usize, dir: &str, siblings: usize) -> bool {
    let page = &index.pages[p];
    if is_index_name(&page.path) {
        return true;
    }
    let mut files: Vec<u32> = page.linked_files().filter(|&f| f != page.file).collect();
    files.sort_unstable();
    files.dedup();
    let linked = files
        .iter()
        .filter_map(|&f| index.page_by_file(f))
        .filter(|q| q.path.rsplit_once('/').is_some_and(|(d, _)| d == dir))
        .count();
    linked >= 10 && (linked * 10 >= siblings || linked >= 50)
}

/// `!path` for each index page of a folder, a run of them that share a
/// name but for a part (`analytic-rules-a.md`, `-b.md`...) as one glob
/// when it selects no member.
fn exclusions(index: &Index, indexes: &[usize], members: &[usize]) -> Vec<String> {
    let mut runs: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &p in indexes {
        runs.entry(run_stem(&index.pages[p].path))
            .or_default()
            .push(p);
    }
    let mut out = Vec::new();
    for (stem, pages) in runs {
        let glob = format!("{}*.md", glob_escape(&stem));
        let hits_member = Glob::new(&glob)
            .map(|g| g.compile_matcher())
            .is_ok_and(|m| members.iter().any(|&q| m.is_match(&index.pages[q].path)));
        if pages.len() >= 2 && !stem.is_empty() && !hits_member {
            out.push(format!("!{glob}"));
        } else {
            out.extend(
                pages
                    .iter()
                    .map(|&p| format!("!{}", glob_escape(&index.pages[p].path))),
            );
        }
    }
    out
}

/// A path up to the last `-` or `_` of its name (`content/rules-a.md` ->
/// `content/rules-`); the whole path when its name has neither.
pub fn run_stem(path: &str) -> String {
    let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
    match name.rfind(['-', '_']) {
        Some(cut) if dir.is_empty() => name[..=cut].to_string(),
        Some(cut) => format!("{dir}/{}", &name[..=cut]),
        None => path.to_string(),
    }
}

/// `.md` when every member has it, else `` (any name).
fn common_extension(index: &Index, members: &[usize]) -> &'static str {
    if members
        .iter()
        .all(|&p| index.pages[p].path.ends_with(".md"))
    {
        ".md"
    } else {
        ""
    }
}

/// A path as a glob that matches only it.
pub fn glob_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else if c == '\\' {
            // globset reads `\` as an escape (on every platform).
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    out
}

/// The pages the globs select, as the rule file will read them.
pub fn selected(index: &Index, globs: &[String]) -> Option<Vec<usize>> {
    let (mut yes, mut no) = (GlobSetBuilder::new(), GlobSetBuilder::new());
    for g in globs {
        match g.strip_prefix('!') {
            Some(n) => no.add(Glob::new(n).ok()?),
            None => yes.add(Glob::new(g).ok()?),
        };
    }
    let (yes, no) = (yes.build().ok()?, no.build().ok()?);
    Some(
        index
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| yes.is_match(&p.path) && !no.is_match(&p.path))
            .map(|(i, _)| i)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_take_as_many_folders_as_tell_them_apart() {
        let dirs = [
            "tables",
            "doc-locale/fr-fr/settings",
            "doc-locale/ja-jp/settings",
            "docs/en/docs/advanced",
            "docs/es/docs/advanced",
            "docs/en/docs/tutorial",
            "A_b/x",
            "a-b/x",
        ];
        assert_eq!(
            kind_names(&dirs),
            [
                "table",
                "fr-fr-setting",
                "ja-jp-setting",
                "en-docs-advanced",
                "es-docs-advanced",
                "tutorial",
                "a-b-x",
                "a-b-x-2",
            ]
        );
    }

    #[test]
    fn kinds_are_named_after_their_folder() {
        assert_eq!(singular("tables"), "table");
        assert_eq!(singular("Logic_Apps"), "logic-app");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("access"), "access");
        assert_eq!(singular("asim"), "asim");
    }

    #[test]
    fn a_path_escapes_to_a_glob_of_itself() {
        let g = Glob::new(&glob_escape("a[1]/b*.md"))
            .unwrap()
            .compile_matcher();
        assert!(g.is_match("a[1]/b*.md"));
        assert!(!g.is_match("a1/bx.md"));
        let g = Glob::new(&glob_escape("back\\slash/{x}?.md"))
            .unwrap()
            .compile_matcher();
        assert!(g.is_match("back\\slash/{x}?.md"));
        assert!(!g.is_match("backslash/x1.md"));
    }
}
