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
