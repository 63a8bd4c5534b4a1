//! The rules keep their promises: ids, doc pages, fixtures, the README table.

use reftree::rules::ALL;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rule_ids_are_unique_and_kebab_case() {
    let mut seen = std::collections::HashSet::new();
    for r in ALL {
        assert!(seen.insert(r.id), "duplicate rule id `{}`", r.id);
        let ok = !r.id.is_empty()
            && r.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !r.id.starts_with('-')
            && !r.id.ends_with('-')
            && !r.id.contains("--");
        assert!(ok, "rule id `{}` is not kebab-case", r.id);
    }
}

#[test]
fn every_rule_has_a_doc_page_with_the_standard_sections() {
    for r in ALL {
        let path = repo().join("rules").join(format!("{}.md", r.id));
        let on_disk =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(on_disk, r.doc, "{}: the embedded doc is stale", r.id);
        assert!(
            r.doc.starts_with(&format!("# {}\n", r.id)),
            "{}: doc must start with `# {}`",
            r.id,
            r.id
        );
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Use instead",
            "## Options",
        ] {
            assert!(
                r.doc.contains(section),
                "rules/{}.md lacks `{section}`",
                r.id
            );
        }
    }
}

#[test]
fn every_rule_has_a_fixture_folder_with_at_least_one_case() {
    for r in ALL {
        let dir = repo().join("fixtures").join(r.id);
        let cases = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("fixtures/{}: {e}", r.id))
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
            .count();
        assert!(cases > 0, "fixtures/{} has no case folder", r.id);
    }
}

/// The rule table in the README, as the code sees it.
pub fn rule_table() -> String {
    let mut t = String::from("| Rule | Default | Fix | What it reports |\n|---|---|---|---|\n");
    for r in ALL {
        let sev = if r.default_enabled {
            r.severity.as_str()
        } else {
            "off"
        };
        let fix = if r.fixable { "yes" } else { "" };
        t.push_str(&format!(
            "| [`{}`](rules/{}.md) | {sev} | {fix} | {} |\n",
            r.id,
            r.id,
            r.summary.replace('|', "\\|")
        ));
    }
    t
}

#[test]
fn readme_rule_table_matches_the_code() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme.find(start).expect("README has <!-- rules:start -->") + start.len();
    let b = readme.find(end).expect("README has <!-- rules:end -->");
    let expected = rule_table();
    if readme[a..b] != expected {
        if std::env::var_os("REFTREE_BLESS").is_some() {
            let updated = format!("{}{expected}{}", &readme[..a], &readme[b..]);
            std::fs::write(&path, updated).expect("write README.md");
        } else {
            panic!(
                "README rule table is stale; rerun with REFTREE_BLESS=1 to regenerate it:\n{expected}"
            );
        }
    }
}

#[test]
fn readme_rule_file_example_is_a_valid_rule_file() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let start = readme
        .find("```toml\nversion = 1")
        .expect("README has a ```toml example")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("closed block");
    let config = reftree::config::Config::load(None, Some(("README.md", &readme[start..end])))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    config.validate().expect("every kind named is declared");
    assert!(!config.relations.is_empty() && !config.counts.is_empty());
}

#[test]
fn every_preset_loads() {
    for (name, _) in reftree::config::PRESETS {
        let config = reftree::config::Config::load(Some(name), None)
            .unwrap_or_else(|e| panic!("{}", e.render()));
        config.validate().expect("every kind named is declared");
    }
}

/// The CI snippets the README shows are the files in `examples/ci/`
/// (which `.ci/run` lints and the pre-commit test uses), and each is YAML
/// that says what the README says matters.
#[test]
fn readme_ci_snippets_are_the_tested_files_and_parse() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    for (file, must) in [
        (
            "github-actions.yml",
            &[
                "fetch-depth: 0",
                "--changed-since",
                "upload-sarif",
                "--format github",
            ][..],
        ),
        ("gitlab-ci.yml", &["GIT_DEPTH: 0", "--changed-since"][..]),
        (
            "pre-commit-config.yaml",
            &["id: reftree-system", "rev: v"][..],
        ),
    ] {
        let text = std::fs::read_to_string(repo().join("examples/ci").join(file)).expect(file);
        assert!(
            readme.contains(&format!("```yaml\n{text}```")),
            "README does not show examples/ci/{file} as it is"
        );
        for m in must {
            assert!(text.contains(m), "{file} lacks `{m}`");
        }
        let docs = yaml_rust2::YamlLoader::load_from_str(&text)
            .unwrap_or_else(|e| panic!("{file} is not YAML: {e}"));
        assert_eq!(docs.len(), 1, "{file}");
        assert!(!docs[0].is_badvalue() && !docs[0].is_null(), "{file}");
    }
    // The tag the snippets pin is this version's.
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        readme.contains(&format!("rev: v{version}")),
        "the snippets pin another version than {version}"
    );
}
