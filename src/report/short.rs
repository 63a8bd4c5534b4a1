//! `--format short`: `path:line:col: severity[rule-id] message`, one per line.

use crate::Outcome;
use std::io::{self, Write};

pub fn write(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    for d in &outcome.diagnostics {
        let l = &d.location;
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            l.path, l.start.line, l.start.col, d.severity, d.rule, d.message
        )?;
    }
    Ok(())
}
