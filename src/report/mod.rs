//! Output formats. Line and column are computed here, from byte spans.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;
pub mod summary;

use crate::Outcome;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Short,
    Json,
    Sarif,
    Github,
}

/// `s` with control characters (a newline or an escape sequence in a file
/// name, say) written as escapes: one finding stays one line, and a name
/// cannot drive the terminal or forge a line of output.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    // A control character is a byte below 0x20, 0x7F, or (U+0080-U+009F)
    // 0xC2 and another byte: the bytes are looked at first, the characters
    // only when one of those is there (messages are mostly ASCII).
    let maybe = |b: &u8| *b < 0x20 || *b == 0x7f || *b == 0xc2;
    if !s.as_bytes().iter().any(maybe) || !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How findings' paths are shown. Findings hold paths relative to the
/// root; a user reads them from the current folder, GitHub and code
/// scanning from the repository top, so each format prepends the root's
/// place as seen from there.
#[derive(Clone, Debug)]
pub struct Paths<'a> {
    /// The checked root, to read pages for the human format.
    pub root: &'a Path,
    /// The root from the current folder (`""`, `docs/`, `../docs/`), for
    /// `human` and `short`.
    pub from_cwd: String,
    /// The root from the repository top, for `github` and SARIF.
    pub from_top: String,
    /// The repository top (the root outside a repository): SARIF's base.
    pub top: PathBuf,
}

impl<'a> Paths<'a> {
    /// Paths shown as findings hold them: relative to the root.
    pub fn from_root(root: &'a Path) -> Paths<'a> {
        Paths {
            root,
            from_cwd: String::new(),
            from_top: String::new(),
            top: root.to_path_buf(),
        }
    }

    /// Paths for a user in `cwd`, in the repository that holds `root`
    /// (both canonical).
    pub fn new(root: &'a Path, cwd: &Path) -> Paths<'a> {
        let top = crate::default_root(root);
        Paths {
            root,
            from_cwd: relative(cwd, root),
            from_top: relative(&top, root),
            top,
        }
    }
}

/// The way from folder `from` to folder `to` (both absolute), `/`-separated
/// and ending in `/`, or `""` when they are the same.
fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = String::new();
    for _ in common..a.len() {
        out.push_str("../");
    }
    for c in &b[common..] {
        out.push_str(&c.as_os_str().to_string_lossy());
        out.push('/');
    }
    out
}

/// Write every finding of `outcome` in `format`.
pub fn write(
    out: &mut dyn Write,
    outcome: &Outcome,
    paths: &Paths<'_>,
    format: Format,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(out, outcome, paths, color),
        Format::Short => short::write(out, outcome, &paths.from_cwd),
        Format::Json => json::write(out, outcome),
        Format::Sarif => sarif::write(out, outcome, paths),
        Format::Github => github::write(out, outcome, &paths.from_top),
    }
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn control_characters_are_escaped_and_nothing_else() {
        use super::escape_controls as esc;
        assert!(matches!(
            esc("tables/a b.md"),
            std::borrow::Cow::Borrowed(_)
        ));
        // U+00A9 starts with the byte 0xC2 of the C1 controls, and is kept.
        assert!(matches!(esc("© 2026, déjà"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(esc("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(esc("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(esc("next\u{85}line ©"), "next\\u{85}line ©");
        assert_eq!(esc("del\u{7f}"), "del\\u{7f}");
    }

    #[test]
    fn the_way_between_two_folders() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(r("/repo", "/repo"), "");
        assert_eq!(r("/repo", "/repo/Solutions Docs"), "Solutions Docs/");
        assert_eq!(
            r("/repo/Solutions Docs/asim", "/repo/Solutions Docs"),
            "../"
        );
        assert_eq!(r("/repo/tools", "/repo/docs/a"), "../docs/a/");
    }
}
