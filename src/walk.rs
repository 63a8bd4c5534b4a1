//! Which files exist under the root (every one is a link target) and which
//! pages are checked. Sorted and deterministic. Nothing outside the root is read.

use crate::diag::{Diagnostic, FILE_START, Severity};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::Gitignore;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every file under the root, relative, `/`-separated, sorted.
    pub files: Vec<String>,
    /// For each file: a regular file (not a pipe, socket or device), safe to read.
    pub regular: Vec<bool>,
    /// Every directory under the root (the root itself is `""`).
    pub dirs: Vec<String>,
    /// For each file: is it a page (Markdown) that is checked (not excluded or ignored)?
    pub checked: Vec<bool>,
    /// Symlink loops, unreadable folders and the like.
    pub problems: Vec<Diagnostic>,
    /// Some input could not be read (exit code 2).
    pub unreadable: bool,
}

/// Is this file a Markdown page?
pub fn is_page(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
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

fn rel(root: &Path, path: &Path) -> Option<String> {
    let r = path.strip_prefix(root).ok()?;
    let s = r.to_str()?;
    Some(if std::path::MAIN_SEPARATOR == '/' {
        s.to_string()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    })
}

/// Walk `root` (already canonical).
pub fn walk(root: &Path, exclude: &GlobSet) -> Walked {
    let mut w = Walked::default();
    let mut ignores: HashMap<String, Gitignore> = HashMap::new();
    let mut files: Vec<(String, bool)> = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git");
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().and_then(|p| rel(root, p)).unwrap_or_default();
                w.unreadable = true;
                w.problems.push(Diagnostic::input(
                    "unreadable-file",
                    Severity::Error,
                    &path,
                    FILE_START,
                    format!(
                        "cannot read `{path}`: {}",
                        err.io_error().map_or(err.to_string(), |e| e.to_string())
                    ),
                    "fix the permissions, or exclude the path with `--exclude`",
                ));
                continue;
            }
        };
        let Some(path) = rel(root, entry.path()) else {
            continue;
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            match std::fs::canonicalize(entry.path()) {
                Ok(target) if target.starts_with(root) => match std::fs::metadata(&target) {
                    Ok(m) if m.is_dir() => w.dirs.push(path),
                    Ok(m) => files.push((path, m.is_file())),
                    Err(_) => {}
                },
                Ok(_) => w.problems.push(Diagnostic::input(
                    "symlink-outside-root",
                    Severity::Warning,
                    &path,
                    FILE_START,
                    format!("symlink `{path}` points outside the root; it is not followed"),
                    "links through it are reported as broken; point it inside the tree or pass a wider `--root`",
                )),
                Err(e) if e.raw_os_error() == Some(40) => w.problems.push(Diagnostic::input(
                    "symlink-loop",
                    Severity::Warning,
                    &path,
                    FILE_START,
                    format!("symlink `{path}` is part of a loop; it is not followed"),
                    "remove or repoint the symlink",
                )),
                Err(_) => {} // dangling: the name exists, the file does not
            }
        } else if ft.is_dir() {
            if entry.path().join(".gitignore").is_file() {
                let (gi, _) = Gitignore::new(entry.path().join(".gitignore"));
                ignores.insert(path.clone(), gi);
            }
            w.dirs.push(path);
        } else {
            files.push((path, ft.is_file()));
        }
    }
    files.sort_unstable();
    (w.files, w.regular) = files.into_iter().unzip();
    w.dirs.sort();
    w.checked = w
        .files
        .iter()
        .map(|f| is_page(f) && !excluded(f, exclude) && !ignored(root, f, &ignores))
        .collect();
    w
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
