//! A generated Obsidian vault (`.obsidian/` at the root) written with every
//! wiki-link form Obsidian reads: clean, it gives no finding; each drift
//! injected alone gives exactly its finding.

mod common;

use reftree::config::Config;
use std::fmt::Write;
use std::path::Path;

/// A data dictionary as a vault: `tables/Table NN.md` notes with aliases in
/// front matter, `## Foreign keys (outbound)` and `## Referenced by
/// (inbound)` sections of wiki links, block ids; a `Home` note linking with
/// every form (path, name, alias after the pipe, heading, nested heading,
/// same-note heading, block, embeds of a note and an image).
pub struct Vault {
    pub notes: usize,
    /// How many tables each note refers to (2 in the tests; more gives the
    /// link density of the shared trees, for benchmarks).
    pub fanout: usize,
}

impl Vault {
    fn name(i: usize) -> String {
        format!("Table {i:02}")
    }

    /// The tables note `i` refers to.
    fn refs(&self, i: usize) -> Vec<usize> {
        // Steps 1, 7, 13, 19...
        let mut r: Vec<usize> = (0..self.fanout)
            .map(|k| (i + if k == 0 { 1 } else { 6 * k + 1 }) % self.notes)
            .collect();
        r.retain(|&t| t != i);
        r.dedup();
        r
    }

    pub fn write(&self, root: &Path) {
        std::fs::create_dir_all(root.join(".obsidian")).expect("mkdir");
        std::fs::write(root.join(".obsidian/app.json"), "{}").expect("app.json");
        std::fs::create_dir_all(root.join("tables")).expect("mkdir");
        std::fs::create_dir_all(root.join("attachments")).expect("mkdir");
        std::fs::write(root.join("attachments/schema.png"), b"PNG").expect("png");
        let mut inbounds = vec![Vec::new(); self.notes];
        for j in 0..self.notes {
            for t in self.refs(j) {
                if inbounds[t].last() != Some(&j) {
                    inbounds[t].push(j);
                }
            }
        }
        for (i, inbound) in inbounds.iter().enumerate() {
            let mut p = String::new();
            let _ = writeln!(
                p,
                "---\naliases: [T{i:02}, Table number {i}]\ntags: [table]\n---\n"
            );
            let _ = writeln!(p, "# {}\n", Self::name(i));
            let _ = writeln!(p, "Holds rows about entity {i}. ^summary-{i}\n");
            let refs = self.refs(i);
            let _ = writeln!(p, "## Foreign keys (outbound)\n");
            for t in &refs {
                let _ = writeln!(p, "- [[{}]] via `T{t:02}_ID`", Self::name(*t));
            }
            let _ = writeln!(p, "\n## Referenced by (inbound)\n");
            for j in inbound {
                let _ = writeln!(p, "- [[tables/{}|{}]]", Self::name(*j), Self::name(*j));
            }
            let _ = writeln!(
                p,
                "\n### Notes\n\nSee [[#Foreign keys (outbound)]] and [[{}#Referenced by (inbound)]].",
                Self::name(refs[0])
            );
            std::fs::write(root.join("tables").join(format!("{}.md", Self::name(i))), p)
                .expect("write note");
        }
        let mut home = String::from("# Home\n\n");
        let _ = writeln!(home, "![[schema.png]]\n");
        for i in 0..self.notes {
            let n = Self::name(i);
            let _ = writeln!(
                home,
                "- [[{n}]] · [[tables/{n}]] · [[{}|short]] · [[{n}#Foreign keys (outbound)#]] · [[{n}#^summary-{i}]]",
                n.to_lowercase()
            );
        }
        let _ = writeln!(
            home,
            "\n![[{}#Notes]]\n\n## Index\n\n[[#Index]] [Markdown link](tables/{}.md)",
            Self::name(0),
            Self::name(0).replace(' ', "%20")
        );
        std::fs::write(root.join("Home.md"), home).expect("write home");
    }
}

fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    Vault {
        notes: 24,
        fanout: 2,
    }
    .write(dir.path());
    dir
}

fn findings(root: &Path) -> Vec<String> {
    common::findings(root, Config::default())
}

fn edit(root: &Path, page: &str, from: &str, to: &str) {
    let path = root.join(page);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{page} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// A vault (`.obsidian/` at its root) of these notes and files.
fn vault_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(dir.path(), ".obsidian/app.json", "{}\n");
    for (path, text) in files {
        common::write(dir.path(), path, text);
    }
    dir
}

#[test]
fn a_clean_vault_gives_no_finding() {
    let dir = vault();
    assert_eq!(findings(dir.path()), Vec::<String>::new());
}

/// One drift on a fresh vault: exactly one finding, of `rule`, at `at`, saying `says`.
fn drift_gives(rule: &str, at: &str, says: &str, change: impl Fn(&Path)) {
    let dir = vault();
    change(dir.path());
    let found = findings(dir.path());
    assert_eq!(found.len(), 1, "{rule}: {found:#?}");
    assert!(
        found[0].starts_with(at) && found[0].contains(rule) && found[0].contains(says),
        "{rule}: {found:#?}"
    );
}

#[test]
fn a_broken_note_is_found_alone() {
    drift_gives("broken-wiki-link", "Home.md:8 ", "`Table 03x`", |root| {
        edit(root, "Home.md", "- [[Table 03]]", "- [[Table 03x]]");
    });
}

#[test]
fn a_broken_heading_is_found_alone() {
    drift_gives(
        "broken-wiki-link",
        "Home.md:8 ",
        "no heading `Foreign keys (outgoing)#`",
        |root| {
            edit(
                root,
                "Home.md",
                "[[Table 03#Foreign keys (outbound)#]]",
                "[[Table 03#Foreign keys (outgoing)#]]",
            );
        },
    );
}

#[test]
fn a_broken_block_id_is_found_alone() {
    drift_gives(
        "broken-wiki-link",
        "Home.md:8 ",
        "no block `^summary-3`",
        |root| {
            edit(root, "tables/Table 03.md", " ^summary-3", "");
        },
    );
}

#[test]
fn an_ambiguous_name_is_found_alone() {
    // A second `Table 03` as shallow as the first: the four links to it by
    // name from the root (Home) cannot tell which; those from `tables/`
    // take the one beside them.
    let dir = vault();
    std::fs::create_dir_all(dir.path().join("archive")).unwrap();
    std::fs::write(dir.path().join("archive/Table 03.md"), "# Old\n").unwrap();
    let found = findings(dir.path());
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|f| f.starts_with("Home.md:8 ambiguous-wiki-link")
                && f.contains("names 2 files: `archive/Table 03.md`, `tables/Table 03.md`")),
        "{found:#?}"
    );
}

#[test]
fn an_alias_only_name_is_found_alone() {
    drift_gives(
        "broken-wiki-link",
        "Home.md:8 ",
        "only an alias of `tables/Table 03.md`",
        |root| {
            edit(root, "Home.md", "- [[Table 03]]", "- [[T03]]");
        },
    );
}

#[test]
#[ignore = "writes a vault of REFTREE_VAULT_NOTES notes (REFTREE_VAULT_FANOUT tables each) to REFTREE_SHAPE_DIR, for benchmarks"]
fn write_vault() {
    let dir = std::env::var("REFTREE_SHAPE_DIR").expect("REFTREE_SHAPE_DIR");
    let number = |var: &str, default: usize| {
        std::env::var(var).map_or(default, |n| n.parse().expect("a number"))
    };
    Vault {
        notes: number("REFTREE_VAULT_NOTES", 1200),
        fanout: number("REFTREE_VAULT_FANOUT", 2),
    }
    .write(Path::new(&dir));
}

/// The rule file a maintainer of the vault would write: the schema rules
/// work over wiki links as over Markdown links.
const VAULT_RULES: &str = r#"version = 1

[kinds]
table = "tables/*.md"

[[relations]]
from = { kind = "table", section = "Foreign keys (outbound)" }
to = { kind = "table", section = "Referenced by (inbound)" }
both-ways = true

[[orphans]]
kind = "table"
index = "Home.md"
"#;

fn findings_with(root: &Path, rules: &str) -> Vec<String> {
    common::findings(
        root,
        Config::load(None, Some(("reftree.toml", rules))).expect("rules load"),
    )
}

#[test]
fn relations_and_orphans_hold_over_wiki_links() {
    let dir = vault();
    assert_eq!(findings_with(dir.path(), VAULT_RULES), Vec::<String>::new());
    // Table 05 forgets one table that refers to it; Home forgets Table 09.
    edit(
        dir.path(),
        "tables/Table 05.md",
        "- [[tables/Table 04|Table 04]]\n",
        "",
    );
    edit(
        dir.path(),
        "Home.md",
        "- [[Table 09]] · [[tables/Table 09]] · [[table 09|short]] · [[Table 09#Foreign keys (outbound)#]] · [[Table 09#^summary-9]]\n",
        "",
    );
    let found = findings_with(dir.path(), VAULT_RULES);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("tables/Table 04.md") && f.contains("missing-backref")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("tables/Table 09.md") && f.contains("orphan-page")),
        "{found:#?}"
    );
}

/// Obsidian's own documented examples (help.obsidian.md, "Internal links":
/// a heading in the same note, a heading in another note, a heading under
/// a heading, a block id) resolve; each one's target changed alone gives
/// exactly one finding.
#[test]
fn obsidians_documented_link_examples_resolve_as_documented() {
    let dir = vault_of(&[
        (
            "Internal links.md",
            "# Internal links\n\n[[#Preview a linked file]]\n\
             [[About Obsidian#Links are first-class citizens]]\n\
             [[Help and support#Questions and advice#Report bugs and request features]]\n\
             [[2023-01-01#^37066d]]\n\n## Preview a linked file\n",
        ),
        (
            "About Obsidian.md",
            "# About Obsidian\n\n## Links are first-class citizens\n",
        ),
        (
            "Help and support.md",
            "# Help and support\n\n## Questions and advice\n\n### Report bugs and request features\n",
        ),
        (
            "2023-01-01.md",
            "# 2023-01-01\n\nA quote of the day. ^37066d\n",
        ),
    ]);
    let d = dir.path();
    assert_eq!(findings(d), Vec::<String>::new());
    for (page, from, to) in [
        (
            "Internal links.md",
            "## Preview a linked file",
            "## Preview",
        ),
        ("About Obsidian.md", "## Links are", "## Notes are"),
        ("Help and support.md", "### Report bugs", "### File bugs"),
        ("2023-01-01.md", "^37066d", "^37066e"),
    ] {
        edit(d, page, from, to);
        let found = findings(d);
        assert_eq!(found.len(), 1, "{page}: {found:#?}");
        assert!(found[0].contains("broken-wiki-link"), "{found:#?}");
        edit(d, page, to, from);
    }
}

/// A wiki link by path, as Obsidian resolves it: from the vault's folder
/// (`[[a/folder/Note]]`), from the linking note's folder (`[[sub/Page]]`),
/// or a partial path, the end of one file's path (`[[folder/Note]]`), letter
/// case aside. A path whose last name is a note elsewhere is broken, with
/// the note's name as the certain fix.
#[test]
fn wiki_links_by_path_resolve_from_the_vault_the_folder_or_a_path_end() {
    let dir = vault_of(&[
        ("a/folder/Note.md", "# Note\n"),
        ("b/Note.md", "# Note\n"),
        ("b/sub/Page.md", "# Page\n"),
        ("img/Chart.PNG", "png"),
        (
            "b/Links.md",
            "# Links\n\n[[a/folder/Note]] [[sub/Page]] [[Folder/note]] [[folder/Chart.png]]\n",
        ),
    ]);
    let d = dir.path();
    let found = findings(d);
    assert_eq!(found.len(), 1, "{found:#?}");
    // `[[folder/Chart.png]]`: no `folder/` holds it.
    assert!(
        found[0].starts_with("b/Links.md:3 broken-wiki-link")
            && found[0].contains("folder/Chart.png"),
        "{found:#?}"
    );
    edit(
        d,
        "b/Links.md",
        " [[folder/Chart.png]]",
        " [[img/chart.png]] [[old/Page]]",
    );
    let found = findings(d);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("b/Links.md:3 broken-wiki-link") && found[0].contains("`old/Page`"),
        "{found:#?}"
    );
    let fixed = std::process::Command::new(env!("CARGO_BIN_EXE_reftree"))
        .args(["check", "--fix", "-q", "--no-cache", "--root", "."])
        .current_dir(d)
        .output()
        .expect("run reftree");
    assert!(fixed.status.success(), "{fixed:?}");
    let text = std::fs::read_to_string(d.join("b/Links.md")).expect("read");
    assert!(text.contains("[[Page]]"), "{text}");
}

/// `[[a/Note]]` where the vault holds both the note `a/Note.md` and a file
/// `a/Note` (no extension): the note, whose headings are checked, by its
/// path from the vault's folder as by a partial path.
#[test]
fn a_path_names_the_note_before_a_file_without_extension() {
    let dir = vault_of(&[
        ("x/a/Note.md", "# Note\n\n## Kept\n"),
        ("x/a/Note", "not a note\n"),
        ("Links.md", "# Links\n\n[[x/a/Note#Kept]] [[a/Note#Kept]]\n"),
    ]);
    let d = dir.path();
    assert_eq!(findings(d), Vec::<String>::new());
    edit(d, "x/a/Note.md", "## Kept", "## Renamed");
    let found = findings(d);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|f| f.starts_with("Links.md:3 broken-wiki-link") && f.contains("`x/a/Note.md`")),
        "{found:#?}"
    );
}

/// A note whose name ends in a capital sigma (`ΑΣ.md`): a link lowercases
/// `ΑΣ` with a final sigma (`ας`), as Obsidian compares names, and so does
/// the note's name without `.md`: by its name, its full path and a partial
/// one, in either case.
#[test]
fn a_name_ending_in_a_final_sigma_resolves() {
    let dir = vault_of(&[
        ("y/x/ΑΣ.md", "# ΑΣ\n\n## H\n"),
        (
            "Links.md",
            "# Links\n\n[[y/x/ΑΣ#H]] [[x/ΑΣ#H]] [[x/ας#H]] [[ΑΣ#H]] [[ας#H]]\n",
        ),
    ]);
    let d = dir.path();
    assert_eq!(findings(d), Vec::<String>::new());
    edit(d, "y/x/ΑΣ.md", "## H", "## G");
    assert_eq!(findings(d).len(), 5, "{:#?}", findings(d));
}

/// A repository of two vaults, `en/` and `de/`, the same notes in each
/// (as Obsidian's help keeps one vault per language), each with its
/// `.obsidian/` folder unless `marked` is false.
fn two_vaults(marked: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for lang in ["en", "de"] {
        let root = dir.path().join(lang);
        Vault {
            notes: 12,
            fanout: 2,
        }
        .write(&root);
        if !marked {
            std::fs::remove_dir_all(root.join(".obsidian")).expect("rm .obsidian");
        }
    }
    common::write(dir.path(), "en/Only English.md", "# Only English\n");
    common::write(dir.path(), "README.md", "# Help\n\n[English](en/Home.md)\n");
    dir
}

/// Two drifts across the vaults: a wiki link in `de` to a note only `en`
/// has, and a Markdown link from `de` into `en`.
fn cross_vault_drifts(root: &Path) {
    edit(
        root,
        "de/Home.md",
        "# Home\n",
        "# Home\n\n[[Only English]]\n",
    );
    edit(
        root,
        "de/Home.md",
        "## Index\n",
        "## Index\n\n[English](../en/Home.md)\n",
    );
}

#[test]
fn each_folder_with_obsidian_is_a_vault_of_its_own() {
    let dir = two_vaults(true);
    // Every name is in both vaults: read as one vault, each would be ambiguous.
    assert_eq!(findings(dir.path()), Vec::<String>::new());
    cross_vault_drifts(dir.path());
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("de/Home.md:3 broken-wiki-link")
            && found[0].contains("`Only English`"),
        "{found:#?}"
    );
    assert!(
        found[1].contains("link-outside-root") && found[1].contains("the vault it is in"),
        "{found:#?}"
    );
}

#[test]
fn the_rule_file_names_the_vaults_when_obsidian_folders_are_not_committed() {
    let dir = two_vaults(false);
    let rules = "version = 1\ndialect = \"obsidian\"\nsites = [\"*\"]\n";
    assert_eq!(findings_with(dir.path(), rules), Vec::<String>::new());
    // Without `sites`, the repository is one vault: every name is ambiguous.
    let one = findings_with(dir.path(), "version = 1\ndialect = \"obsidian\"\n");
    assert!(
        one.iter().all(|f| f.contains("ambiguous-wiki-link")) && one.len() >= 50,
        "{one:#?}"
    );
    cross_vault_drifts(dir.path());
    let found = findings_with(dir.path(), rules);
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn a_markdown_link_by_a_name_several_notes_have_is_ambiguous_not_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join(".obsidian")).expect("mkdir");
    common::write(d, "a/Orders.md", "# Orders\n");
    common::write(d, "b/Orders.md", "# Orders\n");
    common::write(d, "c/Unique.md", "# Unique\n");
    common::write(
        d,
        "Home.md",
        "# Home\n\n[x](Orders) [y](Orders.md) [u](Unique) [n](Nothing)\n",
    );
    let found = findings(d);
    assert_eq!(
        found
            .iter()
            .map(|f| f.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>(),
        [
            "Home.md:3 ambiguous-wiki-link",
            "Home.md:3 ambiguous-wiki-link",
            "Home.md:3 broken-link"
        ],
        "{found:#?}"
    );
    assert!(
        found[0].contains("`a/Orders.md`, `b/Orders.md`"),
        "{found:#?}"
    );
    assert!(found[2].contains("`Nothing`"), "{found:#?}");
}

#[test]
fn help_and_fixes_name_notes_of_the_linking_notes_vault_only() {
    let dir = two_vaults(true);
    // `Only English` is in `en` alone: from `de`, neither the certain fix
    // for a moved note nor the near miss may lead there.
    edit(
        dir.path(),
        "de/Home.md",
        "# Home\n",
        "# Home\n\n[[old/Only English]] [[Only Englis]] [[old/Table 01]]\n",
    );
    let outcome = reftree::check(&reftree::Options {
        root: dir.path().to_path_buf(),
        ..reftree::Options::default()
    })
    .expect("check");
    let found: Vec<_> = outcome
        .diagnostics
        .iter()
        .map(|d| (d.message.as_str(), d.help.as_deref(), d.fix.as_ref()))
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    for (message, help, fix) in &found[..2] {
        assert!(message.contains("Only Englis"), "{found:#?}");
        assert!(
            fix.is_none() && !help.unwrap_or("").contains("Only English"),
            "{found:#?}"
        );
    }
    // A note of its own vault is offered, and certain when it is the one by that name.
    let (_, help, fix) = &found[2];
    assert!(help.is_some_and(|h| h.contains("`Table 01`")), "{found:#?}");
    assert!(
        fix.is_some_and(|f| f.certain && f.replacement == "Table 01"),
        "{found:#?}"
    );
}

#[test]
fn a_name_in_each_of_several_root_folders_suggests_they_are_vaults() {
    let dir = two_vaults(false);
    let config = Config::load(
        None,
        Some(("reftree.toml", "version = 1\ndialect = \"obsidian\"\n")),
    )
    .expect("rules load");
    let outcome = reftree::check(&reftree::Options {
        root: dir.path().to_path_buf(),
        config,
        ..reftree::Options::default()
    })
    .expect("check");
    let d = &outcome.diagnostics[0];
    assert_eq!(d.rule, "ambiguous-wiki-link");
    let help = d.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("(`de/`, `en/`)") && help.contains("sites = [\"*\"]"),
        "{help}"
    );
}
