//! Output formats. Line and column are computed here, from byte spans.

pub mod human;
pub mod short;
pub mod summary;

use crate::Outcome;
use std::io::{self, Write};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Short,
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
    }
}
