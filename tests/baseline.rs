//! Adopting reftree on a tree with old findings: `--write-baseline`
//! records them, `--baseline` reports only new ones, matched by rule, file
//! and subject (so lines may move), and lists the entries that are gone.

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).expect("write");
}

/// Exit code, stdout, stderr.
fn reftree(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_reftree"))
        .current_dir(dir)
        .arg("check")
        .args(["--format", "short"])
        .args(args)
        .output()
        .expect("reftree runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_baseline_hides_old_findings_wherever_their_lines_move() {
    let tree = tempfile::tempdir().expect("tempdir");
    let t = tree.path();
    let base = tempfile::tempdir().expect("tempdir");
    let file = base.path().join("reftree-baseline.json");
    let file = file.to_str().expect("utf-8 path");
    write(t, "guide.md", "# Guide\n\n## Install\n");
    write(
        t,
        "index.md",
        "# Index\n\n- [Setup](setup.md)\n- [Setup again](setup.md)\n- [Old](guide.md#old)\n",
    );

    // Recorded: nothing reported, exit 0.
    let (code, out, err) = reftree(t, &["--write-baseline", file]);
    assert_eq!((code, out.as_str()), (Some(0), ""), "{err}");
    assert!(err.contains("wrote 3 finding(s) to the baseline"), "{err}");

    // Checked against it: nothing new.
    let (code, out, err) = reftree(t, &["--baseline", file]);
    assert_eq!((code, out.as_str()), (Some(0), ""), "{err}");
    assert!(err.contains("left out 3 finding(s)"), "{err}");

    // Lines shifted by a new paragraph, and one new defect: exactly it.
    write(
        t,
        "index.md",
        "# Index\n\nA new paragraph\nover two lines.\n\n- [Setup](setup.md)\n- [Setup again](setup.md)\n- [Old](guide.md#old)\n- [New](guide.md#new)\n",
    );
    let (code, out, _) = reftree(t, &["--baseline", file]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "index.md:9:18: error[broken-fragment] fragment `#new` not found in `guide.md`\n"
    );

    // A third copy of a link the baseline holds twice is new.
    write(
        t,
        "index.md",
        "# Index\n\n- [Setup](setup.md)\n- [Setup again](setup.md)\n- [Old](guide.md#old)\n- [Setup, third](setup.md)\n",
    );
    let (code, out, _) = reftree(t, &["--baseline", file]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "index.md:6:18: error[broken-link] link target `setup.md` does not exist\n"
    );

    // Old findings fixed: the entries that are gone are listed.
    write(t, "index.md", "# Index\n\n- [Setup](setup.md)\n");
    let (code, out, err) = reftree(t, &["--baseline", file]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    assert!(
        err.contains("2 finding(s) of the baseline no longer occur")
            && err.contains("index.md: [broken-fragment] fragment `#old` not found in `guide.md`")
            && err.contains("index.md: [broken-link] link target `setup.md` does not exist"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_baseline_is_refused_with_exit_2() {
    let tree = tempfile::tempdir().expect("tempdir");
    write(tree.path(), "index.md", "# Index\n");
    let bad = tree.path().join("bad.json");
    std::fs::write(&bad, "{\"findings\": 3}").expect("write");
    let (code, _, err) = reftree(tree.path(), &["--baseline", bad.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not a reftree baseline"), "{err}");
}
