//! Which files exist under the root (every one is a link target) and which
//! pages are checked. Sorted and deterministic. Nothing outside the root is read.

use crate::diag::{Diagnostic, FILE_START, Severity};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::Gitignore;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the walk found.
#[derive(Clone, Debug, Default)]
pub struct Walked {
    /// Every file under the root, relative, `/`-separated, sorted.
    pub files: Vec<String>,
    /// For each file: a regular file (not a pipe, socket or device), safe to read.
    pub regular: Vec<bool>,
    /// Every directory under the root (the root itself is `""`).
    pub dirs: Vec<String>,
    /// For each file: is it a page (Markdown) that is checked (not excluded or ignored)?
    pub checked: Vec<bool>,
    /// Symlinks to folders inside the root: the link's path and the real
    /// folder's (root-relative). A link through one resolves in the real folder.
    pub aliases: Vec<(String, String)>,
    /// Symlink loops, unreadable folders and the like.
    pub problems: Vec<Diagnostic>,
    /// Some input could not be read (exit code 2).
    pub unreadable: bool,
    /// What the walk read, stamped before it was read, when asked
    /// ([`walk_stamped`]): what a later run compares to reuse the walk.
    pub stamps: Option<WalkStamps>,
}

/// The stamps of what a walk read: each folder's (in the order of
/// [`Walked::dirs`]), taken before the folder was listed, and each
/// `.gitignore`'s, taken before it was read; whether it met a symlink
/// (which names what may change elsewhere).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WalkStamps {
    pub dirs: Vec<Option<crate::cache::Stamp>>,
    pub gitignores: Vec<(String, Option<crate::cache::Stamp>)>,
    pub symlinks: bool,
}

/// `path` relative to `base`, `/`-separated (`""` when they are the same),
/// if it is under `base`: how paths inside the root are written everywhere.
pub fn relative(path: &Path, base: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// Is this file a Markdown page?
pub fn is_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let ends_with = |suffix: &[u8]| {
        name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    ends_with(b".md") || ends_with(b".markdown")
}

/// Build the exclude matcher. Patterns without `/` match a file or folder name
/// anywhere; patterns with `/` match the path from the root.
pub fn exclude_set(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        let glob = if p.contains('/') {
            p.to_string()
        } else {
            format!("**/{p}")
        };
        b.add(GlobBuilder::new(&glob).literal_separator(true).build()?);
    }
    b.build()
}

/// What one folder and the folders under it hold.
#[derive(Default)]
struct Found {
    files: Vec<(String, bool)>,
    /// Each folder, with its stamp when asked.
    dirs: Vec<(String, Option<crate::cache::Stamp>)>,
    symlinks: bool,
    /// Folders (relative) that hold a `.gitignore`.
    gitignores: Vec<String>,
    aliases: Vec<(String, String)>,
    problems: Vec<Diagnostic>,
}

impl Found {
    fn cannot_read(&mut self, path: &str, err: &std::io::Error) {
        self.unreadable(
            path,
            format!("cannot read `{path}`: {err}"),
            "fix the permissions, or exclude the path with `--exclude`",
        );
    }

    /// An `unreadable-file` finding about `path`.
    fn unreadable(&mut self, path: &str, message: String, help: &str) {
        self.problems.push(Diagnostic::input(
            "unreadable-file",
            Severity::Error,
            path,
            FILE_START,
            message,
            help,
        ));
    }

    fn merge(&mut self, other: Found) {
        self.files.extend(other.files);
        self.dirs.extend(other.dirs);
        self.symlinks |= other.symlinks;
        self.gitignores.extend(other.gitignores);
        self.aliases.extend(other.aliases);
        self.problems.extend(other.problems);
    }
}

/// Walk `root` (already canonical).
///
/// Folders are read in parallel, each with one `read_dir` and the entry
/// types it gives (no `stat` per file); paths are built as root-relative
/// strings directly. Symlinks are not followed: one to a file or folder
/// inside the root names it, others are reported.
pub fn walk(root: &Path, exclude: &GlobSet) -> Walked {
    walk_stamped(root, exclude, false)
}

/// [`walk`], and with `stamp` the stamps of what it read ([`Walked::stamps`]).
pub fn walk_stamped(root: &Path, exclude: &GlobSet, stamp: bool) -> Walked {
    let mut found = visit(root, root.to_path_buf(), String::new(), 0, stamp);
    found.files.sort_unstable();
    let mut w = Walked::default();
    (w.files, w.regular) = found.files.into_iter().unzip();
    found.dirs.sort_by(|a, b| a.0.cmp(&b.0));
    let dir_stamps;
    (w.dirs, dir_stamps) = found.dirs.into_iter().unzip();
    found.aliases.sort();
    w.aliases = found.aliases;
    found.gitignores.sort();
    let gitignores: Vec<(String, Option<crate::cache::Stamp>)> = found
        .gitignores
        .iter()
        .map(|dir| {
            let file = child(dir, ".gitignore");
            let stamp = stamp.then(|| stamp_of(&root.join(&file))).flatten();
            (file, stamp)
        })
        .collect();
    let ignores: HashMap<String, Gitignore> = found
        .gitignores
        .into_iter()
        .map(|dir| {
            let (gi, _) = Gitignore::new(root.join(&dir).join(".gitignore"));
            (dir, gi)
        })
        .collect();
    if stamp {
        w.stamps = Some(WalkStamps {
            dirs: dir_stamps,
            gitignores,
            symlinks: found.symlinks,
        });
    }
    w.checked = w
        .files
        .iter()
        .map(|f| is_page(f) && !excluded(f, exclude) && !ignored(root, f, &ignores))
        .collect();
    // What cannot be read under an excluded or ignored path is not the
    // run's business: it is neither reported nor a reason for exit code 2.
    w.problems = found
        .problems
        .into_iter()
        .filter(|d| {
            !excluded(&d.location.path, exclude) && !ignored(root, &d.location.path, &ignores)
        })
        .collect();
    w.unreadable = w.problems.iter().any(|d| d.rule == "unreadable-file");
    w
}

/// The walk of a tree git stores (`--changed-since`): its files, which
/// are regular files, and its folders, as `git::Snapshot` lists them.
pub fn from_listing(
    files: Vec<String>,
    regular: Vec<bool>,
    dirs: Vec<String>,
    exclude: &GlobSet,
) -> Walked {
    let checked = files
        .iter()
        .map(|f| is_page(f) && !excluded(f, exclude))
        .collect();
    Walked {
        files,
        regular,
        dirs,
        checked,
        ..Walked::default()
    }
}

/// Folders this deep or deeper are read one after another from an explicit
/// stack, not by recursion: a pathologically deep tree cannot overflow the
/// stack (the tasks above already keep both cores busy).
const PARALLEL_DEPTH: usize = 4;

/// The folder `dir` (`rel` from the root, `depth` below it) and everything
/// under it.
fn visit(root: &Path, dir: PathBuf, rel: String, depth: usize, stamp: bool) -> Found {
    use rayon::prelude::*;
    let mut found = Found::default();
    let subdirs = read_folder(root, &dir, rel, &mut found, stamp);
    if depth < PARALLEL_DEPTH {
        let below: Vec<Found> = subdirs
            .into_par_iter()
            .map(|(dir, rel)| visit(root, dir, rel, depth + 1, stamp))
            .collect();
        for b in below {
            found.merge(b);
        }
    } else {
        let mut stack = subdirs;
        while let Some((dir, rel)) = stack.pop() {
            stack.extend(read_folder(root, &dir, rel, &mut found, stamp));
        }
    }
    found
}

/// The stamp of a file or folder (not following a symlink).
pub fn stamp_of(path: &Path) -> Option<crate::cache::Stamp> {
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| crate::cache::Stamp::of(&m))
}

/// Read one folder into `found` (stamped first, with `stamp`); returns its
/// subfolders (absolute, relative).
fn read_folder(
    root: &Path,
    dir: &Path,
    rel: String,
    found: &mut Found,
    stamp: bool,
) -> Vec<(PathBuf, String)> {
    let mut subdirs: Vec<(PathBuf, String)> = Vec::new();
    // Taken before the folder is listed: a change after it shows next time.
    let dir_stamp = stamp.then(|| stamp_of(dir)).flatten();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found.cannot_read(&rel, &e);
            found.dirs.push((rel, dir_stamp));
            return subdirs;
        }
    };
    let mut has_gitignore = false;
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.cannot_read(&rel, &e);
                continue;
            }
        };
        let name = entry.file_name();
        // A name that is not UTF-8 cannot be linked to from Markdown, and
        // cannot be checked: said, not skipped silently.
        let Some(name) = name.to_str() else {
            let path = child(&rel, &name.to_string_lossy());
            found.unreadable(
                &path,
                format!("the name of `{path}` is not UTF-8 (shown with U+FFFD); it and anything under it were not checked"),
                "rename it to UTF-8: Markdown links cannot name it as it is",
            );
            continue;
        };
        if name == ".git" || name == crate::cache::OWN_DIR {
            continue;
        }
        let path = child(&rel, name);
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            Err(e) => {
                found.cannot_read(&path, &e);
                continue;
            }
        };
        if ft.is_symlink() {
            found.symlinks = true;
            symlink(root, &entry.path(), path, found);
        } else if ft.is_dir() {
            subdirs.push((entry.path(), path));
        } else {
            has_gitignore |= name == ".gitignore" && ft.is_file();
            found.files.push((path, ft.is_file()));
        }
    }
    if has_gitignore {
        found.gitignores.push(rel.clone());
    }
    found.dirs.push((rel, dir_stamp));
    subdirs
}

/// The root-relative path of `name` in folder `rel`.
fn child(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_string()
    } else {
        format!("{rel}/{name}")
    }
}

/// A symlink at `path`: the file or folder it names if that is inside the
/// root, else a finding (outside the root, or a loop).
fn symlink(root: &Path, link: &Path, path: String, found: &mut Found) {
    match std::fs::canonicalize(link) {
        Ok(target) if target.starts_with(root) => match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                // Followed once, by the resolver: links through it resolve
                // in the real folder, whose pages are checked there.
                let real = relative(&target, root).unwrap_or_default();
                found.aliases.push((path.clone(), real));
                found.dirs.push((path, None));
            }
            Ok(m) => found.files.push((path, m.is_file())),
            Err(_) => {}
        },
        Ok(_) => found.problems.push(Diagnostic::input(
            "symlink-outside-root",
            Severity::Warning,
            &path,
            FILE_START,
            format!("symlink `{path}` points outside the root; it is not followed"),
            "links through it are reported as broken; point it inside the tree or pass a wider `--root`",
        )),
        Err(e) if e.raw_os_error() == Some(40) => found.problems.push(Diagnostic::input(
            "symlink-loop",
            Severity::Warning,
            &path,
            FILE_START,
            format!("symlink `{path}` is part of a loop; it is not followed"),
            "remove or repoint the symlink",
        )),
        Err(_) => {} // dangling: the name exists, the file does not
    }
}

fn excluded(path: &str, set: &GlobSet) -> bool {
    if set.is_empty() {
        return false;
    }
    // The file itself or any folder above it.
    let mut p = path;
    loop {
        if set.is_match(p) {
            return true;
        }
        match p.rfind('/') {
            Some(i) => p = &p[..i],
            None => return false,
        }
    }
}

fn ignored(root: &Path, path: &str, ignores: &HashMap<String, Gitignore>) -> bool {
    if ignores.is_empty() {
        return false;
    }
    let full: PathBuf = root.join(path);
    // Deeper .gitignore files override shallower ones.
    let mut dirs: Vec<&str> = vec![""];
    for (i, c) in path.char_indices() {
        if c == '/' {
            dirs.push(&path[..i]);
        }
    }
    let mut verdict = false;
    for d in dirs {
        if let Some(gi) = ignores.get(d) {
            let m = gi.matched_path_or_any_parents(&full, false);
            if m.is_ignore() {
                verdict = true;
            } else if m.is_whitelist() {
                verdict = false;
            }
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_lists_every_file_sorted_and_checks_only_pages_not_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let write = |p: &str, text: &str| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("index.md", "# Index");
        write("b/z.MD", "# Z");
        write("b/a.md", "# A");
        write("b/deep/x.markdown", "# X");
        write("b/image.png", "");
        write("b/.gitignore", "drafts/\n");
        write("b/drafts/wip.md", "# WIP");
        write(".git/HEAD", "ref: refs/heads/main");
        let w = walk(&root, &exclude_set(&["deep".to_string()]).unwrap());
        assert_eq!(
            w.files,
            [
                "b/.gitignore",
                "b/a.md",
                "b/deep/x.markdown",
                "b/drafts/wip.md",
                "b/image.png",
                "b/z.MD",
                "index.md"
            ]
        );
        // Pages, less the excluded folder and what b/.gitignore ignores.
        let checked: Vec<&str> = w
            .files
            .iter()
            .zip(&w.checked)
            .filter(|(_, c)| **c)
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(checked, ["b/a.md", "b/z.MD", "index.md"]);
        assert_eq!(w.dirs, ["", "b", "b/deep", "b/drafts"]);
        assert!(w.regular.iter().all(|r| *r));
        assert!(w.problems.is_empty() && !w.unreadable);
    }

    #[test]
    fn a_deep_tree_is_walked_to_the_bottom() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let deep = (0..60)
            .map(|i| format!("l{i}"))
            .collect::<Vec<_>>()
            .join("/");
        std::fs::create_dir_all(root.join(&deep)).unwrap();
        std::fs::write(root.join(&deep).join("bottom.md"), "# Bottom").unwrap();
        std::fs::create_dir_all(root.join("l0/side")).unwrap();
        std::fs::write(root.join("l0/side/s.md"), "# S").unwrap();
        let w = walk(&root, &GlobSet::empty());
        assert_eq!(
            w.files,
            [format!("{deep}/bottom.md"), "l0/side/s.md".into()]
        );
        // The root, 60 levels and the side folder.
        assert_eq!(w.dirs.len(), 62);
        assert!(w.problems.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_name_what_they_point_to_inside_the_root_only() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/page.md"), "# Page").unwrap();
        symlink(root.join("docs/page.md"), root.join("alias.md")).unwrap();
        symlink(root.join("docs"), root.join("docs-link")).unwrap();
        symlink(outside.path(), root.join("away")).unwrap();
        symlink(root.join("loop-b"), root.join("loop-a")).unwrap();
        symlink(root.join("loop-a"), root.join("loop-b")).unwrap();
        symlink(root.join("gone.md"), root.join("dangling.md")).unwrap();
        let w = walk(&root, &GlobSet::empty());
        assert_eq!(w.files, ["alias.md", "docs/page.md"]);
        assert_eq!(w.dirs, ["", "docs", "docs-link"]);
        let mut problems: Vec<(&str, &str)> = w
            .problems
            .iter()
            .map(|d| (d.rule, d.location.path.as_str()))
            .collect();
        problems.sort();
        assert_eq!(
            problems,
            [
                ("symlink-loop", "loop-a"),
                ("symlink-loop", "loop-b"),
                ("symlink-outside-root", "away")
            ]
        );
    }
}
