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
        for i in 0..3 {
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

/// No finding on a clean tree: with no rule file, with the maintainer's,
/// and with the one `reftree init` writes for it.
fn clean_three_ways(dir: &Path, rules: &str) {
    assert_eq!(check(dir, None), Vec::<String>::new(), "no rule file");
    assert_eq!(
        check(dir, Some(rules)),
        Vec::<String>::new(),
        "the maintainer's rule file"
    );
    let inferred = reftree::init(dir).expect("init");
    assert_eq!(
        check(dir, Some(&inferred)),
        Vec::<String>::new(),
        "init's rule file:\n{inferred}"
    );
}

#[test]
fn a_clean_data_dictionary_gives_no_finding_with_no_rules_its_rules_or_inits() {
    clean_three_ways(dictionary().path(), DICTIONARY_RULES);
}

/// Each drift, alone, on a fresh tree: exactly one finding, of `rule`, in
/// `file`, with the maintainer's rule file and with the one `reftree init`
/// wrote for the clean tree.
fn drift_gives(rule: &str, file: &str, change: impl Fn(&Path)) {
    drift_in(dictionary(), DICTIONARY_RULES, rule, file, change);
}

fn drift_in(dir: tempfile::TempDir, rules: &str, rule: &str, file: &str, change: impl Fn(&Path)) {
    let inferred = reftree::init(dir.path()).expect("init");
    change(dir.path());
    for (whose, rules) in [("the maintainer's", rules), ("init's", &inferred)] {
        let found = check(dir.path(), Some(rules));
        assert_eq!(
            found.len(),
            1,
            "{rule} with {whose} rules: {found:#?}\n{rules}"
        );
        assert!(
            found[0].starts_with(file) && found[0].contains(rule),
            "{rule} with {whose} rules: {found:#?}"
        );
    }
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

/// A component catalogue under `docs/` (as MkDocs keeps it): one page per
/// component with YAML front matter (`type: library` or `app`, `endpoints:
/// N` or `functions: N` about the section of that name), a `| **Status** |`
/// attribute table, `## Dependencies` on libraries, and on each library a
/// `## Used by` list of the apps that depend on it, cut at `LIMIT_USED_BY`
/// rows with this generator's own wording, "_(N not listed)_". Libraries
/// depend on libraries too, but a library's `Used by` lists only apps: a
/// one-way link by design, scoped by the front matter's `type`. The index
/// leads into its lists with a sentence that gives their length.
struct Catalogue {
    libraries: usize,
    apps: usize,
}

const LIMIT_USED_BY: usize = 4;

impl Catalogue {
    fn name(&self, i: usize) -> String {
        if i < self.libraries {
            format!("lib-{i:02}")
        } else {
            format!("app-{i:02}")
        }
    }

    fn is_library(&self, i: usize) -> bool {
        i < self.libraries
    }

    /// The libraries component `i` depends on.
    fn dependencies(&self, i: usize) -> Vec<usize> {
        if self.is_library(i) {
            // Libraries form a chain: lib-00 -> lib-01 -> ...
            (i + 1 < self.libraries)
                .then_some(i + 1)
                .into_iter()
                .collect()
        } else {
            // Every app uses lib-00; even apps lib-01 too, odd ones one of
            // lib-02..: the `Used by` of lib-00 and lib-01 are cut short,
            // the others are not.
            let other = if i.is_multiple_of(2) {
                1
            } else {
                2 + (i / 2) % (self.libraries - 2)
            };
            vec![0, other]
        }
    }

    /// The apps that depend on library `l`.
    fn used_by(&self, l: usize) -> Vec<usize> {
        (self.libraries..self.libraries + self.apps)
            .filter(|&a| self.dependencies(a).contains(&l))
            .collect()
    }

    fn write(&self, root: &Path) {
        let dir = root.join("docs").join("components");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(root.join("mkdocs.yml"), "site_name: Catalogue\n").expect("mkdocs.yml");
        let all = self.libraries + self.apps;
        for i in 0..all {
            let (kind, section, unit) = if self.is_library(i) {
                ("library", "Functions", "functions")
            } else {
                ("app", "Endpoints", "endpoints")
            };
            let n = 1 + i % 4;
            let mut p = String::new();
            let _ = writeln!(
                p,
                "---\ntitle: {}\ntype: {kind}\n{unit}: {n}\ntags: [catalogue, {kind}]\n---\n",
                self.name(i)
            );
            let _ = writeln!(p, "# {}\n", self.name(i));
            let status = if i % 5 == 4 { "deprecated" } else { "active" };
            let _ = writeln!(
                p,
                "| Attribute | Value |\n|---|---|\n| **Status** | {status} |\n"
            );
            let _ = writeln!(p, "## {section}\n");
            p.push_str("| Name | Since |\n|---|---|\n");
            for k in 0..n {
                let _ = writeln!(p, "| `{unit}_{k}` | 1.{k} |");
            }
            let _ = writeln!(p, "\n## Dependencies\n");
            for d in self.dependencies(i) {
                let _ = writeln!(p, "- [{}]({}.md)", self.name(d), self.name(d));
            }
            if self.is_library(i) {
                let users = self.used_by(i);
                let _ = writeln!(p, "\n## Used by\n");
                for a in users.iter().take(LIMIT_USED_BY) {
                    let _ = writeln!(p, "- [{}]({}.md)", self.name(*a), self.name(*a));
                }
                if users.len() > LIMIT_USED_BY {
                    let _ = writeln!(p, "\n_({} not listed)_", users.len() - LIMIT_USED_BY);
                }
            }
            std::fs::write(dir.join(format!("{}.md", self.name(i))), p).expect("write page");
        }
        let mut index = String::from("# Component catalogue\n\n");
        let _ = writeln!(index, "The catalogue holds {} libraries:\n", self.libraries);
        for l in 0..self.libraries {
            let _ = writeln!(
                index,
                "- [{}](components/{}.md)",
                self.name(l),
                self.name(l)
            );
        }
        let _ = writeln!(index, "\nAnd these {} apps:\n", self.apps);
        index.push_str("| App | Status |\n|---|---|\n");
        for a in self.libraries..all {
            let status = if a % 5 == 4 { "deprecated" } else { "active" };
            let _ = writeln!(
                index,
                "| [{}](components/{}.md) | {status} |",
                self.name(a),
                self.name(a)
            );
        }
        std::fs::write(root.join("docs").join("index.md"), index).expect("write index");
    }
}

/// The rule file a maintainer of the catalogue would write.
const CATALOGUE_RULES: &str = r#"version = 1
cut-lists = ['^_\((\d+) not listed\)_']

[kinds]
component = "docs/components/*.md"
index = "docs/index.md"

[[counts]]
form = "front-matter"
kind = "component"

[[counts]]
form = "lead-in"
kind = "index"

[[relations]]
from = { kind = "component", section = "Dependencies", where = { type = ["app"] } }
to = { kind = "component", section = "Used by" }
both-ways = true

[[orphans]]
kind = "component"
index = "docs/index.md"
"#;

fn catalogue() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    Catalogue {
        libraries: 5,
        apps: 16,
    }
    .write(dir.path());
    dir
}

#[test]
fn a_clean_catalogue_gives_no_finding_with_no_rules_its_rules_or_inits() {
    clean_three_ways(catalogue().path(), CATALOGUE_RULES);
}

/// Each drift, alone, on a fresh catalogue: exactly one finding, of `rule`,
/// in `file`, with the maintainer's rules and with init's.
fn catalogue_drift_gives(rule: &str, file: &str, change: impl Fn(&Path)) {
    drift_in(catalogue(), CATALOGUE_RULES, rule, file, change);
}

#[test]
fn init_finds_what_the_catalogue_holds() {
    let dir = catalogue();
    let inferred = reftree::init(dir.path()).expect("init");
    common::assert_holds(
        &inferred,
        &[
            "component = \"docs/components/*.md\"",
            "cut-lists = ['^[ \\t]*_\\(([0-9][0-9,]*) not listed\\)_[ \\t\\r]*$']",
            "form = \"front-matter\"",
            "form = \"lead-in\"",
            "from = { kind = \"component\", section = \"Dependencies\", where = { \"type\" = [\"app\"] } }",
            "index = \"docs/index.md\"",
            "not checked: truncated, not drift",
        ],
    );
}

#[test]
fn init_finds_what_the_dictionary_holds() {
    let dir = dictionary();
    let inferred = reftree::init(dir.path()).expect("init");
    common::assert_holds(
        &inferred,
        &[
            "table = \"tables/*.md\"",
            "form = \"label\"",
            "form = \"hub-list\"\nunit = \"inbound\"\ntarget-kind = \"table\"\ntarget-section = \"Referenced by\"",
            "from = { kind = \"table\", section = \"Joins out\" }\nto = { kind = \"table\", section = \"Referenced by\" }\nboth-ways = true",
            "6 more to pages whose list is cut short",
        ],
    );
}

#[test]
fn a_front_matter_count_off_is_found_alone() {
    catalogue_drift_gives("count-mismatch", "docs/components/app-06.md:4", |root| {
        edit(
            root,
            "docs/components/app-06.md",
            "endpoints: 3",
            "endpoints: 4",
        );
    });
}

#[test]
fn a_lead_in_count_off_is_found_alone() {
    catalogue_drift_gives("count-mismatch", "docs/index.md:3", |root| {
        edit(
            root,
            "docs/index.md",
            "holds 5 libraries",
            "holds 6 libraries",
        );
    });
}

#[test]
fn a_missing_back_edge_to_an_app_is_found_alone() {
    // lib-02's `Used by` is not cut short: drop app-13 from it (it stays an
    // app that depends on lib-02).
    catalogue_drift_gives("missing-backref", "docs/components/app-13.md", |root| {
        edit(
            root,
            "docs/components/lib-02.md",
            "- [app-13](app-13.md)\n",
            "",
        );
    });
}

#[test]
fn a_library_listing_a_library_needs_no_back_edge() {
    // Libraries depend on libraries; `Used by` lists apps only. Scoped by
    // the front matter's `type`: no finding. Unscoped, every one is reported.
    let dir = catalogue();
    let unscoped = CATALOGUE_RULES.replace(", where = { type = [\"app\"] }", "");
    let found = check(dir.path(), Some(&unscoped));
    // lib-01 -> lib-02 -> lib-03 -> lib-04 (lib-01's own list is cut short).
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found.iter().all(|f| f.contains("missing-backref")),
        "{found:#?}"
    );
}

#[test]
fn a_page_dropped_from_the_catalogue_is_found_alone() {
    catalogue_drift_gives("orphan-page", "docs/components/app-09.md", |root| {
        edit(
            root,
            "docs/index.md",
            "| [app-09](components/app-09.md) | deprecated |\n",
            "",
        );
        edit(root, "docs/index.md", "these 16 apps", "these 15 apps");
    });
}

#[test]
fn malformed_front_matter_is_found_alone() {
    // The flow list is never closed: the YAML ends on the closing `---` line.
    catalogue_drift_gives(
        "malformed-front-matter",
        "docs/components/app-07.md:6",
        |root| {
            edit(
                root,
                "docs/components/app-07.md",
                "tags: [catalogue, app]",
                "tags: [catalogue, app",
            );
        },
    );
}

#[test]
#[ignore = "writes the catalogue to REFTREE_SHAPE_DIR, to look at"]
fn write_catalogue() {
    let dir = std::env::var("REFTREE_SHAPE_DIR").expect("REFTREE_SHAPE_DIR");
    Catalogue {
        libraries: 5,
        apps: 16,
    }
    .write(Path::new(&dir));
}

#[test]
#[ignore = "writes the data dictionary to REFTREE_SHAPE_DIR, to look at"]
fn write_dictionary() {
    let dir = std::env::var("REFTREE_SHAPE_DIR").expect("REFTREE_SHAPE_DIR");
    Dictionary { tables: 12 }.write(Path::new(&dir));
}

/// A tree whose folders are named in other scripts and with characters that
/// TOML, globs and links each need escaped: `données "x"`, an Arabic name,
/// `it's [draft]` and `back\slash`. Pages of the first two list each other
/// under headings holding a quote and a backslash; an index lists them all.
fn write_odd_names(root: &Path) {
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace(' ', "%20")
            .replace('"', "%22")
            .replace('\\', "%5C")
            .replace('[', "%5B")
            .replace(']', "%5D")
    };
    let (a, b, c, d) = (
        "données \"x\"",
        "استيراد الملاحظات",
        "it's [draft]",
        "back\\slash",
    );
    let n = 8;
    let mut index = String::from("# Index\n");
    for dir in [a, b, c, d] {
        index.push_str(&format!("\n## {}\n\n", dir.replace('\\', "\\\\")));
        for i in 0..n {
            index.push_str(&format!("- [{i}]({}/p{i}.md)\n", enc(dir)));
        }
    }
    common::write(root, "index.md", &index);
    for i in 0..n {
        let (next, prev) = ((i + 1) % n, (i + n - 1) % n);
        common::write(
            root,
            &format!("{a}/p{i}.md"),
            &format!(
                "# A {i}\n\n## See \"also\" \\\\ B (2)\n\n- [B {i}](../{0}/p{i}.md)\n- [B {next}](../{0}/p{next}.md)\n",
                enc(b)
            ),
        );
        common::write(
            root,
            &format!("{b}/p{i}.md"),
            &format!(
                "# B {i}\n\n## مراجع (2)\n\n- [A {prev}](../{0}/p{prev}.md)\n- [A {i}](../{0}/p{i}.md)\n",
                enc(a)
            ),
        );
        for dir in [c, d] {
            common::write(
                root,
                &format!("{dir}/p{i}.md"),
                &format!("# {i}\n\nText.\n"),
            );
        }
    }
}

#[test]
fn init_writes_a_rule_file_that_loads_whatever_the_folders_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_odd_names(dir.path());
    let inferred = reftree::init(dir.path()).expect("init");
    // Keys TOML cannot take bare are quoted; strings are escaped.
    common::assert_holds(
        &inferred,
        &[
            "\"données-\\\"x\\\"\" = ",
            "\"back\\\\slash\" = \"back\\\\\\\\slash/*.md\"  # 8 pages",
            "\"it's-[draft]\" = \"it's [[]draft[]]/*.md\"  # 8 pages",
            "\"استيراد-الملاحظات\" = ",
            "section = \"See \\\"also\\\" \\\\ B\"",
            "index = \"index.md\"",
        ],
    );
    // It loads, and finds nothing in the clean tree, as no rule file finds nothing.
    assert!(!inferred.contains("index = []"), "{inferred}");
    assert_eq!(
        check(dir.path(), None),
        Vec::<String>::new(),
        "no rule file"
    );
    assert_eq!(
        check(dir.path(), Some(&inferred)),
        Vec::<String>::new(),
        "init's rule file:\n{inferred}"
    );
    // And a back-reference dropped between the two is found through it
    // (with the count above the list now one off).
    edit(
        dir.path(),
        "استيراد الملاحظات/p3.md",
        "- [A 2](../données%20%22x%22/p2.md)\n",
        "",
    );
    let found = check(dir.path(), Some(&inferred));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("données \"x\"/p2.md:6 missing-backref")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("استيراد الملاحظات/p3.md:3 count-mismatch")),
        "{found:#?}"
    );
}
