//! Every rule against its fixture trees, one rule at a time.
//!
//! Each fixture page says in its text what must happen: a line holding
//! `bad:` must get at least one finding of the rule, a line holding only
//! `ok:` must get none. The rendered output (short and human) is also
//! pinned as a snapshot, so a change in wording or span shows up as a diff.

use reftree::diag::Diagnostic;
use reftree::report::{self, Format};
use reftree::rules;

mod common;
use common::only;
use std::path::{Path, PathBuf};

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn render(outcome: &reftree::Outcome, root: &Path) -> String {
    let mut short = Vec::new();
    report::write(
        &mut short,
        outcome,
        &report::Paths::from_root(root),
        Format::Short,
        false,
    )
    .expect("render short");
    let mut human = Vec::new();
    report::write(
        &mut human,
        outcome,
        &report::Paths::from_root(root),
        Format::Human,
        false,
    )
    .expect("render human");
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&short),
        String::from_utf8_lossy(&human)
    )
}

/// Lines marked `bad:` must have a finding; lines marked only `ok:` must not.
fn check_marks(root: &Path, diags: &[Diagnostic]) -> Vec<String> {
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walk fixture");
        if !entry.file_type().is_file() || !reftree::walk::is_page(&entry.path().to_string_lossy())
        {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(entry.path()).expect("read fixture");
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let n = i as u32 + 1;
            let hits = diags
                .iter()
                .filter(|d| d.location.path == rel && d.location.start.line == n)
                .count();
            if line.contains("bad:") && hits == 0 {
                problems.push(format!("{rel}:{n}: marked bad but no finding: {line}"));
            }
            if line.contains("ok:") && !line.contains("bad:") && hits > 0 {
                problems.push(format!(
                    "{rel}:{n}: marked ok but {hits} finding(s): {line}"
                ));
            }
        }
    }
    problems
}

#[test]
fn every_fixture_gets_exactly_the_findings_its_text_asks_for() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut problems = Vec::new();
    for rule_dir in sorted_dirs(&root) {
        let rule = rule_dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        assert!(
            rules::by_id(&rule).is_some(),
            "fixtures/{rule}: no rule has this id"
        );
        for case in sorted_dirs(&rule_dir) {
            let name = format!(
                "{rule}__{}",
                case.file_name().expect("name").to_string_lossy()
            );
            let mut outcome = reftree::check(&only(&rule, &case)).expect("check runs");
            if rule == "unused-suppression" {
                // It runs the others (it needs their findings) and is reported alone.
                outcome.diagnostics.retain(|d| d.rule == rule);
            }
            for d in &outcome.diagnostics {
                assert_eq!(d.rule, rule, "{name}: only `{rule}` runs");
            }
            problems.extend(
                check_marks(&case, &outcome.diagnostics)
                    .into_iter()
                    .map(|p| format!("{name}: {p}")),
            );
            insta::assert_snapshot!(name, render(&outcome, &case));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
