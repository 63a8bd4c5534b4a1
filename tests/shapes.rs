//! Reference trees of shapes reftree was not written for, generated here:
//! each clean version gives no finding (with no rule file, with the rule
//! file its maintainer would write, and with the one `reftree init`
//! writes), and each drift injected alone gives exactly its finding.

mod common;

use reftree::config::Config;
use std::fmt::Write;
use std::path::Path;

/// A data dictionary: one page per database table, with header counts,
/// `## Joins out` edge tables (one page often twice, through two columns),
/// `## Referenced by (N)` cut at `LIMIT` rows with "... and M more", and an
/// index with hub counts.
struct Dictionary {
    tables: usize,
}

const LIMIT: usize = 5;

impl Dictionary {
    fn name(i: usize) -> String {
        format!("TABLE_{i:02}")
    }

    fn file(i: usize) -> String {
        format!("table_{i:02}.md")
    }

    /// The join edges of table `i`: (target, column). Every table joins
    /// the hub (table 0) and its next neighbour twice, through two columns.
    fn joins(&self, i: usize) -> Vec<(usize, String)> {
        let next = (i + 1) % self.tables;
        let mut out = vec![
            (next, format!("T{next:02}_ID")),
            (next, format!("T{next:02}_ALT_ID")),
        ];
        if i != 0 && next != 0 {
            out.push((0, "T00_ID".to_string()));
        }
        out
    }

    /// The edges into table `t`, in table order: (source, column).
    fn inbound(&self, t: usize) -> Vec<(usize, String)> {
        (0..self.tables)
            .flat_map(|i| {
                self.joins(i)
                    .into_iter()
                    .filter(move |(to, _)| *to == t)
                    .map(move |(_, c)| (i, c))
            })
            .collect()
    }

    fn columns(i: usize) -> usize {
        3 + i % 4
    }

    fn write(&self, root: &Path) {
        std::fs::create_dir_all(root.join("tables")).expect("mkdir");
        for i in 0..self.tables {
            let inbound = self.inbound(i);
            let joins = self.joins(i);
            let mut p = String::new();
            let _ = writeln!(p, "# {}\n", Self::name(i));
            let _ = writeln!(p, "**Columns:** {} columns\n", Self::columns(i));
            let _ = writeln!(p, "**Referenced by:** {} columns\n", inbound.len());
            let kind = if i == 0 { "dimension" } else { "fact" };
            let _ = writeln!(
                p,
                "| Attribute | Value |\n|---|---|\n| **Type** | {kind} |\n"
            );
            let _ = writeln!(p, "## Columns ({})\n", Self::columns(i));
            p.push_str("| Column | Type |\n|---|---|\n");
            for c in 0..Self::columns(i) {
                let _ = writeln!(p, "| C{c} | int |");
            }
            let _ = writeln!(p, "\n## Joins out ({})\n", joins.len());
            p.push_str("| Table | Column | Confidence |\n|---|---|---|\n");
            for (to, col) in &joins {
                let _ = writeln!(
                    p,
                    "| [{}]({}) | {col} | high |",
                    Self::name(*to),
                    Self::file(*to)
                );
            }
            let _ = writeln!(p, "\n## Referenced by ({})\n", inbound.len());
            p.push_str("| Table | Column |\n|---|---|\n");
            for (from, col) in inbound.iter().take(LIMIT) {
                let _ = writeln!(
                    p,
                    "| [{}]({}) | {col} |",
                    Self::name(*from),
                    Self::file(*from)
                );
            }
            if inbound.len() > LIMIT {
                let _ = writeln!(p, "\n... and {} more", inbound.len() - LIMIT);
            }
            std::fs::write(root.join("tables").join(Self::file(i)), p).expect("write page");
        }
        let mut index = String::from("# Data dictionary\n\n## Hubs\n\n");
        for i in 0..2 {
            let _ = writeln!(
                index,
                "- [{}](tables/{}) — {} inbound",
                Self::name(i),
                Self::file(i),
                self.inbound(i).len()
            );
        }
        let _ = writeln!(index, "\n## Tables ({})\n", self.tables);
        index.push_str("| Table | Type |\n|---|---|\n");
        for i in 0..self.tables {
            let kind = if i == 0 { "dimension" } else { "fact" };
            let _ = writeln!(
                index,
                "| [{}](tables/{}) | {kind} |",
                Self::name(i),
                Self::file(i)
            );
        }
        std::fs::write(root.join("index.md"), index).expect("write index");
    }
}

/// The rule file a maintainer of the dictionary would write.
const DICTIONARY_RULES: &str = r#"version = 1

[kinds]
table = "tables/*.md"
index = "index.md"

[[counts]]
form = "label"
kind = "table"

[[counts]]
form = "hub-list"
kind = "index"
unit = "inbound"
target-kind = "table"
target-section = "Referenced by"

[[relations]]
from = { kind = "table", section = "Joins out", column = "Table" }
to = { kind = "table", section = "Referenced by", column = "Table" }
both-ways = true

[[orphans]]
kind = "table"
index = "index.md"
"#;

/// `path:line rule message` for each finding, with `rules` as the rule file.
fn check(root: &Path, rules: Option<&str>) -> Vec<String> {
    let config = Config::load(None, rules.map(|r| ("reftree.toml", r))).expect("rules load");
    common::findings(root, config)
}

fn edit(root: &Path, page: &str, from: &str, to: &str) {
    let path = root.join(page);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{page} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

fn dictionary() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    Dictionary { tables: 12 }.write(dir.path());
    dir
}

#[test]
fn a_clean_data_dictionary_gives_no_finding_with_no_rules_its_rules_or_inits() {
    let dir = dictionary();
    assert_eq!(
        check(dir.path(), None),
        Vec::<String>::new(),
        "no rule file"
    );
    assert_eq!(
        check(dir.path(), Some(DICTIONARY_RULES)),
        Vec::<String>::new(),
        "the maintainer's rule file"
    );
    let inferred = reftree::init(dir.path()).expect("init");
    assert_eq!(
        check(dir.path(), Some(&inferred)),
        Vec::<String>::new(),
        "init's rule file:\n{inferred}"
    );
}

/// Each drift, alone, on a fresh tree: exactly one finding, of `rule`, in `file`.
fn drift_gives(rule: &str, file: &str, change: impl Fn(&Path)) {
    let dir = dictionary();
    change(dir.path());
    let found = check(dir.path(), Some(DICTIONARY_RULES));
    assert_eq!(found.len(), 1, "{rule}: {found:#?}");
    assert!(
        found[0].starts_with(file) && found[0].contains(rule),
        "{rule}: {found:#?}"
    );
}

#[test]
fn a_count_off_is_found_alone() {
    drift_gives("count-mismatch", "tables/table_03.md:", |root| {
        edit(
            root,
            "tables/table_03.md",
            "## Joins out (3)",
            "## Joins out (4)",
        );
    });
}

#[test]
fn a_repeated_row_is_found_alone() {
    // The row twice, and the count raised to match: only the duplicate is wrong.
    drift_gives("duplicate-item", "tables/table_03.md:", |root| {
        edit(
            root,
            "tables/table_03.md",
            "| [TABLE_04](table_04.md) | T04_ID | high |\n",
            "| [TABLE_04](table_04.md) | T04_ID | high |\n| [TABLE_04](table_04.md) |  T04_ID | High |\n",
        );
        edit(
            root,
            "tables/table_03.md",
            "## Joins out (3)",
            "## Joins out (4)",
        );
    });
}

#[test]
fn a_missing_back_edge_is_found_alone() {
    // TABLE_05 forgets that TABLE_04 joins it (both columns), its counts kept true.
    drift_gives("missing-backref", "tables/table_04.md:", |root| {
        let page = "tables/table_05.md";
        edit(root, page, "| [TABLE_04](table_04.md) | T05_ID |\n", "");
        edit(root, page, "| [TABLE_04](table_04.md) | T05_ALT_ID |\n", "");
        edit(root, page, "## Referenced by (2)", "## Referenced by (0)");
        edit(
            root,
            page,
            "**Referenced by:** 2 columns",
            "**Referenced by:** 0 columns",
        );
    });
}

#[test]
fn a_page_dropped_from_its_index_is_found_alone() {
    drift_gives("orphan-page", "tables/table_07.md:", |root| {
        edit(
            root,
            "index.md",
            "| [TABLE_07](tables/table_07.md) | fact |\n",
            "",
        );
        edit(root, "index.md", "## Tables (12)", "## Tables (11)");
    });
}

#[test]
fn a_header_count_off_is_found_alone() {
    drift_gives("count-mismatch", "tables/table_06.md:3", |root| {
        edit(
            root,
            "tables/table_06.md",
            "**Columns:** 5 columns",
            "**Columns:** 6 columns",
        );
    });
}

#[test]
fn a_hub_count_off_is_found_alone() {
    drift_gives("count-mismatch", "index.md:5", |root| {
        edit(root, "index.md", "— 12 inbound", "— 11 inbound");
    });
}

#[test]
fn a_back_edge_hidden_by_a_cut_list_is_not_reported() {
    // The hub shows 5 of its 12 inbound edges: those it does not show are
    // not missing. Without the "... and 7 more" line they are.
    let dir = dictionary();
    edit(dir.path(), "tables/table_00.md", "... and 7 more", "");
    let found = check(dir.path(), Some(DICTIONARY_RULES));
    assert!(
        found
            .iter()
            .any(|f| f.contains("missing-backref") && f.contains("`tables/table_00.md`")),
        "{found:#?}"
    );
}
