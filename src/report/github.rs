//! `--format github`: GitHub Actions workflow commands, which become
//! annotations on the changed lines of a pull request.

use super::escape_controls as esc;
use crate::Outcome;
use crate::diag::Severity;
use std::io::{self, Write};

/// Escape a command's message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `prefix`: the root as seen from the repository top, which annotations'
/// paths are relative to.
pub fn write(out: &mut dyn Write, outcome: &Outcome, prefix: &str) -> io::Result<()> {
    for d in &outcome.diagnostics {
        let l = &d.location;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = esc(&d.message).into_owned();
        if let Some(h) = &d.help {
            message.push('\n');
            message.push_str(&esc(h));
        }
        for r in d.related.iter().filter(|r| r.location.path != l.path) {
            message.push_str(&format!(
                "\nsee {prefix}{}:{}:{}: {}",
                esc(&r.location.path),
                r.location.start.line,
                r.location.start.col,
                esc(&r.label)
            ));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&esc(&format!("{prefix}{}", l.path))),
            l.start.line,
            l.start.col,
            l.end.line,
            l.end.col,
            property(&format!("reftree {}", d.rule)),
            data(&message)
        )?;
    }
    Ok(())
}
