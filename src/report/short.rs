//! `--format short`: `path:line:col: severity[rule-id] message`, one per line.

use super::escape_controls as esc;
use crate::Outcome;
use std::io::{self, Write};

/// `prefix`: the root as seen from the current folder.
pub fn write(out: &mut dyn Write, outcome: &Outcome, prefix: &str) -> io::Result<()> {
    for d in &outcome.diagnostics {
        let l = &d.location;
        writeln!(
            out,
            "{}{}:{}:{}: {}[{}] {}",
            esc(prefix),
            esc(&l.path),
            l.start.line,
            l.start.col,
            d.severity,
            d.rule,
            esc(&d.message)
        )?;
    }
    Ok(())
}
