//! Output formats. Line and column are computed here, from byte spans.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;
pub mod summary;

use crate::Outcome;
use std::io::{self, Write};
use std::path::Path;

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
    if !s.chars().any(char::is_control) {
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

/// Write every finding of `outcome` in `format`.
pub fn write(
    out: &mut dyn Write,
    outcome: &Outcome,
    root: &Path,
    format: Format,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(out, outcome, root, color),
        Format::Short => short::write(out, outcome),
        Format::Json => json::write(out, outcome),
        Format::Sarif => sarif::write(out, outcome),
        Format::Github => github::write(out, outcome),
    }
}
