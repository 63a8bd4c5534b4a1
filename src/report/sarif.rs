//! `--format sarif`: SARIF 2.1.0, for code scanning. Rules carry their id,
//! summary and documentation; findings in two files carry related locations.

use crate::Outcome;
use crate::diag::{Diagnostic, Location, Severity};
use crate::rules;
use serde_json::{Value, json};
use std::io::{self, Write};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(l: &Location) -> Value {
    json!({
        "artifactLocation": { "uri": uri(&l.path), "uriBaseId": "ROOT" },
        "region": {
            "startLine": l.start.line,
            "startColumn": l.start.col,
            "endLine": l.end.line,
            "endColumn": l.end.col,
            "byteOffset": l.bytes.start,
            "byteLength": l.bytes.end - l.bytes.start,
        }
    })
}

/// A relative URI reference for a root-relative path.
fn uri(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message = format!("{message}\n{h}");
    }
    let mut r = json!({
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [ { "physicalLocation": physical(&d.location) } ],
    });
    let o = r.as_object_mut().expect("an object");
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i,
                    "physicalLocation": physical(&rel.location),
                    "message": { "text": rel.label },
                })
            })
            .collect();
        o.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(f) = &d.fix {
        let l = &d.location;
        o.insert(
            "fixes".into(),
            json!([{
                "description": { "text": if f.certain { "certain fix" } else { "suggested fix (check it)" } },
                "artifactChanges": [{
                    "artifactLocation": { "uri": uri(&l.path), "uriBaseId": "ROOT" },
                    "replacements": [{
                        "deletedRegion": { "byteOffset": l.bytes.start, "byteLength": l.bytes.end - l.bytes.start },
                        "insertedContent": { "text": f.replacement },
                    }],
                }],
            }]),
        );
    }
    r
}

pub fn write(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let rules_json: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc, "markdown": r.doc },
                "defaultConfiguration": {
                    "level": level(r.severity),
                    "enabled": r.default_enabled,
                },
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let i = rules::ALL.iter().position(|r| r.id == d.rule).unwrap_or(0);
            result(d, i)
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "reftree",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/reftree/reftree",
                "rules": rules_json,
            }},
            "originalUriBaseIds": { "ROOT": { "description": { "text": "the checked root" } } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
