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

/// Locations are relative to the repository top (`%SRCROOT%`, defined in
/// `originalUriBaseIds`), as code scanning reads them.
const BASE: &str = "%SRCROOT%";

fn physical(l: &Location, prefix: &str) -> Value {
    json!({
        "artifactLocation": { "uri": uri(&format!("{prefix}{}", l.path)), "uriBaseId": BASE },
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

/// A fingerprint that follows a finding across commits: its rule, file
/// (from the repository top), message and which copy of identical findings
/// it is, never its line. FNV-1a, so that it is the same on every
/// platform and version.
fn fingerprint(d: &Diagnostic, prefix: &str, copy: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let path = format!("{prefix}{}", d.location.path);
    let copy = copy.to_string();
    for part in [d.rule, path.as_str(), d.message.as_str(), copy.as_str()] {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn result(d: &Diagnostic, rule_index: usize, prefix: &str, copy: usize) -> Value {
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message = format!("{message}\n{h}");
    }
    let mut r = json!({
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [ { "physicalLocation": physical(&d.location, prefix) } ],
        "partialFingerprints": { "reftreeFinding/v1": fingerprint(d, prefix, copy) },
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
                    "physicalLocation": physical(&rel.location, prefix),
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
                    "artifactLocation": { "uri": uri(&format!("{prefix}{}", l.path)), "uriBaseId": BASE },
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

/// The documentation of rule `id`, in the repository.
fn help_uri(id: &str) -> String {
    format!(
        "{}/blob/main/rules/{id}.md",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
    )
}

/// `dir` as a `file://` URI ending in `/`, for `originalUriBaseIds`.
fn folder_uri(dir: &std::path::Path) -> String {
    let mut path = dir.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/'); // a Windows drive: file:///C:/...
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", uri(&path))
}

pub fn write(out: &mut dyn Write, outcome: &Outcome, paths: &super::Paths<'_>) -> io::Result<()> {
    let prefix = paths.from_top.as_str();
    let rules_json: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc, "markdown": r.doc },
                "helpUri": help_uri(r.id),
                "defaultConfiguration": {
                    "level": level(r.severity),
                    "enabled": r.default_enabled,
                },
            })
        })
        .collect();
    let mut copies: std::collections::HashMap<(&str, &str, &str), usize> = Default::default();
    let results: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let i = rules::ALL.iter().position(|r| r.id == d.rule).unwrap_or(0);
            let copy = copies
                .entry((d.rule, &d.location.path, &d.message))
                .or_default();
            *copy += 1;
            result(d, i, prefix, *copy)
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
            "originalUriBaseIds": { BASE: {
                "uri": folder_uri(&paths.top),
                "description": { "text": "the repository top (the checked root outside a repository)" },
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
