//! `--format json`: every finding as data. The schema is versioned
//! (`"version": 1`) and documented in the README; fields are only ever added.

use crate::Outcome;
use crate::diag::{Diagnostic, Location, Severity};
use serde_json::{Value, json};
use std::io::{self, Write};

/// The schema version of `--format json`.
pub const VERSION: u32 = 1;

pub fn location(l: &Location) -> Value {
    json!({
        "file": l.path,
        "span": { "start": l.bytes.start, "end": l.bytes.end },
        "start": { "line": l.start.line, "column": l.start.col },
        "end": { "line": l.end.line, "column": l.end.col },
    })
}

fn diagnostic(d: &Diagnostic) -> Value {
    let mut v = location(&d.location);
    let o = v.as_object_mut().expect("an object");
    o.insert("rule".into(), json!(d.rule));
    o.insert("severity".into(), json!(d.severity.as_str()));
    o.insert("message".into(), json!(d.message));
    o.insert("label".into(), json!(d.label));
    o.insert("help".into(), json!(d.help));
    o.insert(
        "related".into(),
        Value::Array(
            d.related
                .iter()
                .map(|r| {
                    let mut v = location(&r.location);
                    v.as_object_mut()
                        .expect("an object")
                        .insert("label".into(), json!(r.label));
                    v
                })
                .collect(),
        ),
    );
    o.insert(
        "fix".into(),
        match &d.fix {
            Some(f) => json!({ "replacement": f.replacement, "certain": f.certain }),
            None => Value::Null,
        },
    );
    v
}

pub fn write(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let s = &outcome.stats;
    let doc = json!({
        "version": VERSION,
        "tool": { "name": "reftree", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "files": s.files,
            "pages": s.checked_pages,
            "links": s.links,
            "errors": outcome.count(Severity::Error),
            "warnings": outcome.count(Severity::Warning),
            "infos": outcome.count(Severity::Info),
        },
        "diagnostics": outcome.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
