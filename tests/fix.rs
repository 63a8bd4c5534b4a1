//! `--fix` on every fixture, one rule at a time: the edits are pinned as a
//! diff, applying them changes only the fixed bytes (CRLF and BOM kept), and
//! a second run has nothing left to fix.

use reftree::fix::{self, Plan};
use std::path::{Path, PathBuf};

mod common;

use common::copy_tree;

fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for r in reftree::rules::ALL.iter().filter(|r| r.fixable) {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(r.id))
            .expect("fixture folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        out.extend(dirs.into_iter().map(|d| (r.id.to_string(), d)));
    }
    out
}

#[test]
fn every_fixable_rule_fixes_its_fixture_exactly_once() {
    for (rule, case) in cases() {
        let name = format!(
            "{rule}__{}",
            case.file_name().expect("name").to_string_lossy()
        );
        let dir = tempfile::tempdir().expect("tempdir");
        copy_tree(&case, dir.path());
        let opts = common::only(&rule, dir.path());

        let before = reftree::check(&opts).expect("check");
        let plan = Plan::new(&before.diagnostics, false);
        let diff = fix::diff(dir.path(), &plan).expect("diff");
        insta::assert_snapshot!(name.clone(), diff);

        // Applying changes exactly the planned bytes.
        let originals: Vec<(String, Vec<u8>)> = plan
            .files
            .keys()
            .map(|p| (p.clone(), std::fs::read(dir.path().join(p)).expect("read")))
            .collect();
        let mut fingerprinted = opts.clone();
        fingerprinted.fingerprints = true;
        let checked = reftree::check(&fingerprinted).expect("check");
        let applied = fix::apply(dir.path(), &plan, &checked.fingerprints);
        assert!(applied.skipped.is_empty(), "{name}: {:?}", applied.skipped);
        for (path, old) in &originals {
            let new = std::fs::read(dir.path().join(path)).expect("read");
            let expected = fix::apply_to(old, &plan.files[path]).expect("applies");
            assert_eq!(new, expected, "{name}: {path}");
            assert_eq!(
                old.starts_with(b"\xEF\xBB\xBF"),
                new.starts_with(b"\xEF\xBB\xBF"),
                "{name}: BOM kept"
            );
            assert_eq!(
                old.windows(2).filter(|w| w == b"\r\n").count(),
                new.windows(2).filter(|w| w == b"\r\n").count(),
                "{name}: CRLF kept"
            );
        }

        // A second run: no certain fix left, and applying again changes nothing.
        let after = reftree::check(&opts).expect("check");
        let again = Plan::new(&after.diagnostics, false);
        assert_eq!(
            again.edit_count(),
            0,
            "{name}: certain fixes left after --fix: {:#?}",
            again.files
        );
    }
}
