//! A tree in the shape of sentinel-ninja, consistent by construction: the
//! preset must find nothing in it. Then one defect of each kind of the
//! rule file is put in, and each must be found, alone.

mod common;

use common::write;

use reftree::config::Config;
use std::fmt::Write;
use std::path::Path;

/// A table, the solutions using it, the connectors filling it, the content items using it.
type Table = (&'static str, Vec<usize>, Vec<usize>, Vec<usize>);

struct Tree {
    tables: Vec<Table>,
    solutions: Vec<&'static str>,
    connectors: Vec<(&'static str, usize)>, // (name, solution)
    content: Vec<(&'static str, usize)>,    // (name, solution)
}

fn sample() -> Tree {
    Tree {
        tables: vec![
            ("syslog", vec![0, 1], vec![0], vec![0, 1]),
            ("securityevent", vec![1], vec![1], vec![2]),
            ("heartbeat", vec![0], vec![0, 1], vec![0, 3]),
            ("unused", vec![], vec![], vec![]),
        ],
        solutions: vec!["linux", "windows"],
        connectors: vec![("syslogama", 0), ("winevents", 1)],
        content: vec![("rule-a", 0), ("rule-b", 0), ("rule-c", 1), ("query-d", 0)],
    }
}

fn generate(root: &Path, t: &Tree) {
    let mut index = String::from("# Tables Index\n\n");
    let _ = writeln!(
        index,
        "**{} tables** documented.\n\n## All\n\n| Table | Solutions |\n|---|---|",
        t.tables.len()
    );
    for (name, sols, cons, items) in &t.tables {
        let _ = writeln!(index, "| [{name}](tables/{name}.md) | {} |", sols.len());
        let mut p = format!("# {name}\n\n## Solutions ({})\n\n", sols.len());
        for &s in sols {
            let _ = writeln!(p, "- [{0}](../solutions/{0}.md)", t.solutions[s]);
        }
        let _ = write!(p, "\n## Connectors ({})\n\n", cons.len());
        for &c in cons {
            let _ = writeln!(p, "- [{0}](../connectors/{0}.md)", t.connectors[c].0);
        }
        let _ = write!(
            p,
            "\n## Content Items Using This Table ({})\n\n### Analytic Rules ({})\n\n",
            items.len(),
            items.len()
        );
        for &k in items {
            let _ = writeln!(p, "- [{0}](../content/{0}.md)", t.content[k].0);
        }
        p.push_str("\n---\n\n**Browse:**\n\n- [Back to Tables Index](../tables-index.md)\n");
        write(root, &format!("tables/{name}.md"), &p);
    }
    write(root, "tables-index.md", &index);

    let mut sindex = format!(
        "# Solutions Index\n\n**{} solutions** listed.\n\n## All\n\n",
        t.solutions.len()
    );
    for (s, name) in t.solutions.iter().enumerate() {
        let _ = writeln!(sindex, "- [{name}](solutions/{name}.md)");
        let tables: Vec<&str> = t
            .tables
            .iter()
            .filter(|x| x.1.contains(&s))
            .map(|x| x.0)
            .collect();
        let cons: Vec<&str> = t
            .connectors
            .iter()
            .filter(|c| c.1 == s)
            .map(|c| c.0)
            .collect();
        let items: Vec<&str> = t.content.iter().filter(|c| c.1 == s).map(|c| c.0).collect();
        let mut p = format!(
            "# {name}\n\n## Data Connectors\n\nThis solution provides **{} data connector(s)**:\n\n",
            cons.len()
        );
        for c in &cons {
            let _ = writeln!(p, "- [{c}](../connectors/{c}.md)");
        }
        let _ = write!(
            p,
            "\n## Tables Used\n\nThis solution queries **{} table(s)**:\n\n| Table | Used By |\n|---|---|\n",
            tables.len()
        );
        for x in &tables {
            let _ = writeln!(p, "| [`{x}`](../tables/{x}.md) | Analytics |");
        }
        let _ = write!(
            p,
            "\n## Content Items\n\nThis solution includes **{} content item(s)**:\n\n| Content Type | Count |\n|---|---|\n| Analytic Rules | {} |\n\n### Analytic Rules\n\n| Name | Severity |\n|---|---|\n",
            items.len(),
            items.len()
        );
        for k in &items {
            let _ = writeln!(p, "| [{k}](../content/{k}.md) | High |");
        }
        write(root, &format!("solutions/{name}.md"), &p);
    }
    write(root, "solutions-index.md", &sindex);

    let mut cindex = format!(
        "# Connectors Index\n\n**{} connectors** listed.\n\n## All\n\n",
        t.connectors.len()
    );
    for (c, (name, s)) in t.connectors.iter().enumerate() {
        let _ = writeln!(cindex, "- [{name}](connectors/{name}.md)");
        let mut p = format!(
            "# {name}\n\n| Attribute | Value |\n|---|---|\n| **Used in Solutions** | [{0}](../solutions/{0}.md) |\n\n## Tables Ingested\n\n",
            t.solutions[*s]
        );
        for x in t.tables.iter().filter(|x| x.2.contains(&c)) {
            let _ = writeln!(p, "- [{0}](../tables/{0}.md)", x.0);
        }
        write(root, &format!("connectors/{name}.md"), &p);
    }
    write(root, "connectors-index.md", &cindex);

    let mut rules = String::from("# Analytic Rules\n\n");
    for (k, (name, s)) in t.content.iter().enumerate() {
        let _ = writeln!(rules, "- [{name}](content/{name}.md)");
        let mut p = format!(
            "# {name}\n\n| Attribute | Value |\n|---|---|\n| **Type** | Analytic Rule |\n| **Solution** | [{0}](../solutions/{0}.md) |\n\n## Tables Used\n\n| Table |\n|---|\n",
            t.solutions[*s]
        );
        for x in t.tables.iter().filter(|x| x.3.contains(&k)) {
            let _ = writeln!(p, "| [`{0}`](../tables/{0}.md) |", x.0);
        }
        write(root, &format!("content/{name}.md"), &p);
    }
    write(root, "analytic-rules.md", &rules);
}

fn check(root: &Path) -> Vec<String> {
    let config = Config::load(Some("sentinel-ninja"), None).expect("the preset loads");
    common::findings(root, config)
}

#[test]
fn a_consistent_tree_gives_no_finding_with_the_preset() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), &sample());
    let found = check(dir.path());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn each_kind_of_drift_is_found_alone() {
    // A solution forgets a table it uses: one missing back-reference.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut t = sample();
    t.tables[1].1.push(0); // securityevent says linux uses it...
    generate(dir.path(), &t);
    // ...so rewrite linux's page without securityevent while its count stays right.
    let linux = dir.path().join("solutions/linux.md");
    let text = std::fs::read_to_string(&linux).expect("read");
    let text = text
        .replace(
            "| [`securityevent`](../tables/securityevent.md) | Analytics |\n",
            "",
        )
        .replace("**3 table(s)**", "**2 table(s)**");
    std::fs::write(&linux, text).expect("write");
    let found = check(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("tables/securityevent.md:6 missing-backref"),
        "{found:#?}"
    );

    // A content item dropped from its index page: one orphan-page.
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), &sample());
    let rules = dir.path().join("analytic-rules.md");
    let text = std::fs::read_to_string(&rules)
        .expect("read")
        .replace("- [rule-b](content/rule-b.md)\n", "");
    std::fs::write(&rules, text).expect("write");
    let found = check(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("content/rule-b.md:1 orphan-page"),
        "{found:#?}"
    );

    // A playbook lists a table that does not list it back: one-way by
    // design (the preset's relation holds rules and queries), no finding.
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), &sample());
    let rule = dir.path().join("content/rule-a.md");
    let text = std::fs::read_to_string(&rule).expect("read");
    let playbook = text
        .replace("# rule-a", "# playbook-e")
        .replace("Analytic Rule", "Playbook")
        .replace("| **Solution** | [linux](../solutions/linux.md) |\n", "")
        .replace(
            "| Table |\n|---|\n",
            "| Table |\n|---|\n| [`securityevent`](../tables/securityevent.md) |\n",
        );
    std::fs::write(dir.path().join("content/playbook-e.md"), playbook).expect("write");
    let rules = dir.path().join("analytic-rules.md");
    let mut list = std::fs::read_to_string(&rules).expect("read");
    list.push_str("- [playbook-e](content/playbook-e.md)\n");
    std::fs::write(&rules, list).expect("write");
    let found = check(dir.path());
    assert!(found.is_empty(), "{found:#?}");
    // The same page as an analytic rule is drift: each of its tables
    // (copied from rule-a, and securityevent) misses it.
    let text = std::fs::read_to_string(dir.path().join("content/playbook-e.md")).expect("read");
    std::fs::write(
        dir.path().join("content/playbook-e.md"),
        text.replace("| Playbook |", "| Analytic Rule |"),
    )
    .expect("write");
    let found = check(dir.path());
    assert!(
        !found.is_empty()
            && found
                .iter()
                .all(|f| f.starts_with("content/playbook-e.md") && f.contains("missing-backref"))
            && found
                .iter()
                .any(|f| f.contains("`tables/securityevent.md`")),
        "{found:#?}"
    );

    // A count drifts: one count-mismatch on the number.
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), &sample());
    let syslog = dir.path().join("tables/syslog.md");
    let text = std::fs::read_to_string(&syslog)
        .expect("read")
        .replace("## Solutions (2)", "## Solutions (3)");
    std::fs::write(&syslog, text).expect("write");
    let found = check(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("tables/syslog.md:3 count-mismatch"),
        "{found:#?}"
    );
}

#[test]
fn init_infers_kinds_relations_and_index_pages_that_hold_on_the_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A bigger consistent tree, so each relation has enough links to infer.
    let mut t = sample();
    t.solutions.extend(["mac", "bsd", "aix"]);
    t.connectors
        .extend([("macagent", 2), ("bsdagent", 3), ("aixagent", 4)]);
    t.content
        .extend([("rule-e", 2), ("rule-f", 3), ("rule-g", 4)]);
    for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        t.tables
            .push((name, vec![0, 2, 3, 4], vec![0, 2, 3, 4], vec![0, 4, 5, 6]));
    }
    generate(dir.path(), &t);
    let text = reftree::init(dir.path()).expect("init");
    common::assert_holds(
        &text,
        &[
            "table = \"tables/*.md\"",
            "from = { kind = \"connector\", section = \"Tables Ingested\" }",
            "to = { kind = \"table\", section = \"Connectors\" }",
            "index = \"tables-index.md\"",
        ],
    );
    let config = Config::load(None, Some(("reftree.toml", &text)))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    config.validate().expect("valid");
    let outcome = reftree::check(&reftree::Options {
        root: dir.path().to_path_buf(),
        config,
        ..reftree::Options::default()
    })
    .expect("check");
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
}
