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
    // GitHub shows only the first few annotations of each level per step:
    // say there are more, and where they all are.
    let (errors, warnings) = (
        outcome.count(Severity::Error),
        outcome.count(Severity::Warning),
    );
    if errors > SHOWN_PER_STEP || warnings > SHOWN_PER_STEP {
        writeln!(
            out,
            "::notice title=reftree::{errors} error(s) and {warnings} warning(s); GitHub shows {SHOWN_PER_STEP} annotations of each level per step: every finding is in this step's log (and in SARIF with --format sarif)"
        )?;
    }
    Ok(())
}

/// Annotations of one level that GitHub shows for one step.
const SHOWN_PER_STEP: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, FILE_START};

    fn outcome(errors: usize) -> Outcome {
        Outcome {
            diagnostics: (0..errors)
                .map(|i| {
                    Diagnostic::input(
                        "broken-link",
                        Severity::Error,
                        &format!("p{i}.md"),
                        FILE_START,
                        "m".into(),
                        "h",
                    )
                })
                .collect(),
            ..Outcome::default()
        }
    }

    #[test]
    fn more_findings_than_github_shows_end_with_a_notice_saying_so() {
        let text = |n| {
            let mut out = Vec::new();
            write(&mut out, &outcome(n), "docs/").expect("writes");
            String::from_utf8(out).expect("utf-8")
        };
        let ten = text(10);
        assert!(
            ten.starts_with("::error file=docs/p0.md,line=1,col=1,"),
            "{ten}"
        );
        assert!(!ten.contains("::notice"), "{ten}");
        let eleven = text(11);
        assert_eq!(eleven.lines().count(), 12);
        assert!(
            eleven.lines().last().is_some_and(
                |l| l.starts_with("::notice title=reftree::11 error(s) and 0 warning(s)")
            ),
            "{eleven}"
        );
    }
}
