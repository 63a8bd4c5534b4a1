//! `--format short`: `path:line:col: severity[rule-id] message`, one per line.

use super::escape_controls as esc;
use crate::Outcome;
use std::fmt::Write as _;
use std::io::{self, Write};

/// `prefix`: the root as seen from the current folder.
pub fn write(out: &mut dyn Write, outcome: &Outcome, prefix: &str) -> io::Result<()> {
    use rayon::prelude::*;
    // Lines made in parallel, a few hundred at a time, and written in order.
    let prefix = esc(prefix);
    let chunks: Vec<String> = outcome
        .diagnostics
        .par_chunks(256)
        .map(|chunk| {
            let mut text = String::new();
            for d in chunk {
                let l = &d.location;
                let _ = writeln!(
                    text,
                    "{prefix}{}:{}:{}: {}[{}] {}",
                    esc(&l.path),
                    l.start.line,
                    l.start.col,
                    d.severity,
                    d.rule,
                    esc(&d.message)
                );
            }
            text
        })
        .collect();
    for text in chunks {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}
