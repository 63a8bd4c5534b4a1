//! The real trees in `../shared/corpus`: the run finishes on both, and
//! known real defects are found. Skipped, saying so, where the corpus is absent.

use reftree::{Options, Outcome};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;

/// Unpack the archives once into target/, or `None` (with a message) when absent.
fn corpus() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let archives = repo.join("../shared/corpus");
        if !archives.join("sentinel-ninja-2026-08-14.tar.gz").is_file() {
            eprintln!("SKIPPED: ../shared/corpus is absent, the corpus tests did not run");
            return None;
        }
        let dest = repo.join("target/corpus");
        std::fs::create_dir_all(&dest).expect("create target/corpus");
        for name in ["sentinel-ninja-2025-12-31", "sentinel-ninja-2026-08-14"] {
            if !dest.join(name).is_dir() {
                let status = std::process::Command::new("tar")
                    .arg("-xzf")
                    .arg(archives.join(format!("{name}.tar.gz")))
                    .arg("-C")
                    .arg(&dest)
                    .status()
                    .expect("run tar");
                assert!(status.success(), "unpacking {name} failed");
            }
        }
        Some(dest)
    })
    .clone()
}

fn check(tree: &str) -> Option<Outcome> {
    let root = corpus()?.join(tree);
    Some(
        reftree::check(&Options {
            root,
            ..Options::default()
        })
        .expect("the run finishes"),
    )
}

fn has(outcome: &Outcome, rule: &str, path: &str, message_part: &str) -> bool {
    outcome
        .diagnostics
        .iter()
        .any(|d| d.rule == rule && d.location.path == path && d.message.contains(message_part))
}

#[test]
fn first_release_tree_raw_hash_and_unescaped_percent_are_found() {
    let Some(o) = check("sentinel-ninja-2025-12-31") else {
        return;
    };
    assert_eq!(o.stats.checked_pages, 7769);
    assert!(!o.unreadable);
    assert!(has(
        &o,
        "unencoded-reserved-char",
        "analytic-rules.md",
        "`analytic-rules-#.md`"
    ));
    // About a hundred `%XX` file names linked without escaping the `%`.
    let percent = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "unencoded-percent")
        .count();
    assert!(
        (90..=150).contains(&percent),
        "unencoded-percent: {percent}"
    );
    // README tables of contents whose targets were truncated away.
    assert!(has(
        &o,
        "broken-fragment",
        "solutions/illusive-active-defense.md",
        "`#Deploy_Playbooks`"
    ));
    // `[#](##)`.
    assert!(has(&o, "broken-fragment", "connectors-index.md", "`##`"));
}

#[test]
fn newest_tree_contents_blocks_miss_the_counted_headings() {
    let Some(o) = check("sentinel-ninja-2026-08-14") else {
        return;
    };
    assert_eq!(o.stats.checked_pages, 10842);
    let solutions = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "broken-fragment" && d.message.starts_with("fragment `#solutions` "))
        .count();
    assert!(
        solutions > 1000,
        "`#solutions` against `## Solutions (N)`: {solutions}"
    );
    let with_help = o
        .diagnostics
        .iter()
        .find(|d| {
            d.rule == "broken-fragment"
                && d.location.path == "tables/snowflakerolesv2-cl.md"
                && d.message.contains("`#solutions`")
        })
        .expect("a known finding");
    assert_eq!(
        with_help.help.as_deref(),
        Some("did you mean `#solutions-1`?")
    );
    // The encoded slash that crashes a peer is a plain broken link here.
    assert!(o.diagnostics.iter().any(|d| {
        d.rule == "broken-link"
            && d.message
                .contains("`..%2FIntel471-ImportMalwareIntelligenceToSentinel`")
    }));
}

#[test]
fn fix_on_a_copy_of_the_first_release_leaves_no_certain_fix() {
    let Some(dir) = corpus() else { return };
    let copy = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(dir.join("sentinel-ninja-2025-12-31"))
        .arg(copy.path())
        .status()
        .expect("cp");
    assert!(status.success());
    let root = copy.path().join("sentinel-ninja-2025-12-31");
    let options = || Options {
        root: root.clone(),
        config: reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset"),
        ..Options::default()
    };
    let before = reftree::check(&options()).expect("check");
    let plan = reftree::fix::Plan::new(&before.diagnostics, false);
    // 153 on this tree: the encodings. Counts over an empty list and the
    // `unrendered-link` guesses are unsafe-only (issue 9).
    assert!(
        plan.edit_count() > 140,
        "certain fixes planned: {}",
        plan.edit_count()
    );
    let (after, report) = reftree::fix::fix_tree(&options(), false).expect("fix");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.unsettled, 0);
    assert!(report.edits >= plan.edit_count(), "{} edits", report.edits);
    // One run reached the fixed point: a second one changes nothing.
    let (_, again) = reftree::fix::fix_tree(&options(), false).expect("fix again");
    assert_eq!(
        (again.edits, again.files.len()),
        (0, 0),
        "a second --fix changed files"
    );
    let left: Vec<String> = after
        .diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.certain))
        .map(|d| {
            format!(
                "{}:{} {}",
                d.location.path, d.location.start.line, d.message
            )
        })
        .collect();
    assert!(left.is_empty(), "certain fixes left after --fix: {left:#?}");
    assert!(after.diagnostics.len() < before.diagnostics.len());
    // The fixed encodings now resolve: no unencoded `%` or raw `#` is left.
    for rule in [
        "unencoded-percent",
        "unencoded-reserved-char",
        "non-canonical-encoding",
    ] {
        assert!(
            !after.diagnostics.iter().any(|d| d.rule == rule),
            "{rule} left"
        );
    }
}

/// The preset's findings by rule, on each tree: one-way links the generator
/// writes on purpose are not reported, the orphans of every kind are.
#[test]
fn the_preset_reports_drift_not_one_way_links_by_design() {
    for tree in ["sentinel-ninja-2025-12-31", "sentinel-ninja-2026-08-14"] {
        let Some(root) = corpus().map(|c| c.join(tree)) else {
            return;
        };
        let outcome = reftree::check(&Options {
            root: root.clone(),
            config: reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset"),
            ..Options::default()
        })
        .expect("the run finishes");
        let mut by_rule = std::collections::BTreeMap::new();
        for d in &outcome.diagnostics {
            *by_rule.entry(d.rule).or_insert(0usize) += 1;
        }
        insta::assert_debug_snapshot!(format!("preset_rules_{tree}"), by_rule);
        let backrefs: Vec<&reftree::diag::Diagnostic> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.rule == "missing-backref")
            .collect();
        for d in &backrefs {
            let page = std::fs::read_to_string(root.join(&d.location.path)).expect("read page");
            // Playbooks and summary rules list their tables; table pages never list them.
            for one_way in ["| **Type** | Playbook |", "| **Type** | Summary Rule |"] {
                assert!(
                    !(page.contains(one_way) && d.message.contains("`Tables Used`, but")),
                    "{}: {}",
                    d.location.path,
                    d.message
                );
            }
            // Workbooks taken from GitHub alone have no `Tables Used` section, by design.
            let about = std::fs::read_to_string(root.join(d.about.as_deref().unwrap_or_default()))
                .unwrap_or_default();
            assert!(
                !(d.message.contains("has no `Tables Used`")
                    && about.contains("| **Solution** | GitHub Only |")
                    && about.contains("| **Type** | Workbook |")),
                "{}",
                d.message
            );
        }
        let orphans = |folder: &str| {
            outcome
                .diagnostics
                .iter()
                .filter(|d| d.rule == "orphan-page" && d.location.path.starts_with(folder))
                .count()
        };
        assert!(orphans("content/") > 0, "{tree}: content orphans");
        if tree.ends_with("08-14") {
            assert!(orphans("methods/") > 0, "{tree}: method orphans");
        }
    }
}

/// `reftree init` on each tree, its file then used to check it: against the
/// preset (written by hand for these trees), the schema findings it makes
/// and the ones both make, per rule (snapshots). On the first release it
/// finds every missing back-reference and orphan the preset finds; on both
/// trees it reports no playbook or GitHub-only workbook asymmetry (it
/// scoped them out itself) and no flood of its own.
#[test]
fn inits_rule_file_finds_what_the_preset_finds() {
    use std::collections::{BTreeMap, BTreeSet};
    const SCHEMA: [&str; 4] = [
        "count-mismatch",
        "duplicate-item",
        "missing-backref",
        "orphan-page",
    ];
    for tree in ["sentinel-ninja-2025-12-31", "sentinel-ninja-2026-08-14"] {
        let Some(root) = corpus().map(|c| c.join(tree)) else {
            return;
        };
        let inferred = reftree::init(&root).expect("init");
        let run = |config: reftree::config::Config| {
            let outcome = reftree::check(&Options {
                root: root.clone(),
                config,
                ..Options::default()
            })
            .expect("the run finishes");
            outcome
                .diagnostics
                .iter()
                .filter(|d| SCHEMA.contains(&d.rule))
                .map(|d| (d.rule, d.location.path.clone(), d.location.start.line))
                .collect::<BTreeSet<_>>()
        };
        let preset =
            run(reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset"));
        let init = run(
            reftree::config::Config::load(None, Some(("reftree.toml", &inferred)))
                .unwrap_or_else(|e| panic!("init's file loads: {}\n{inferred}", e.render())),
        );
        let mut table: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
        for rule in SCHEMA {
            let of = |s: &BTreeSet<(&'static str, String, u32)>| {
                s.iter()
                    .filter(|f| f.0 == rule)
                    .map(|f| (f.1.clone(), f.2))
                    .collect::<BTreeSet<_>>()
            };
            let (p, i) = (of(&preset), of(&init));
            table.insert(rule, (p.len(), i.len(), p.intersection(&i).count()));
        }
        insta::assert_debug_snapshot!(format!("init_vs_preset_{tree}"), table);
        for (rule, (p, i, both)) in &table {
            assert!(
                *i <= p * 3 / 2 + 20,
                "{tree}: {rule}: init {i} against the preset's {p}"
            );
            if tree.ends_with("2025-12-31")
                && (*rule == "missing-backref" || *rule == "orphan-page")
            {
                assert_eq!(both, p, "{tree}: {rule}: init misses some of the preset's");
            }
        }
        // The generator's one-way links, scoped out by init's own filters.
        assert!(
            inferred.contains("where = { \"Type\" = [\"Analytic Rule\", \"Hunting Query\""),
            "{inferred}"
        );
    }
}

/// `--changed-since` on real history: the two releases committed one after
/// the other (and back) under `Solutions Docs/` in a temporary repository.
/// The findings reported are exactly the findings of the newer tree that
/// the older one does not have (as multisets of rule, file and message), no
/// more, no less. git finds no renames between these releases (too many
/// files for its rename detection), so the difference is the plain one.
#[test]
fn changed_since_reports_the_difference_of_two_real_releases() {
    let Some(corpus) = corpus() else {
        return;
    };
    let preset = || reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset");
    let full = |tree: &str| {
        reftree::check(&Options {
            root: corpus.join(tree),
            config: preset(),
            ..Options::default()
        })
        .expect("the run finishes")
    };
    let keys = |o: &Outcome| {
        let mut k: Vec<reftree::baseline::Key> = o
            .diagnostics
            .iter()
            .map(reftree::baseline::Key::of)
            .collect();
        k.sort();
        k
    };
    let releases = ["sentinel-ninja-2025-12-31", "sentinel-ninja-2026-08-14"];
    let findings: Vec<Vec<reftree::baseline::Key>> =
        releases.iter().map(|t| keys(&full(t))).collect();
    for (before, after) in [(0, 1), (1, 0)] {
        let repo = tempfile::tempdir().expect("tempdir");
        let tree = repo.path().join("Solutions Docs");
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(repo.path())
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(["-c", "commit.gpgsign=false"])
                // A commit of ~10k files passes gc's loose-object limit, and
                // the background gc it starts prunes object folders while
                // the next `git add` writes into them (CI failed so).
                .args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"])
                .args(args)
                .output()
                .expect("git runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        git(&["init", "-q", "-b", "main"]);
        for (i, release) in [before, after].into_iter().enumerate() {
            if tree.exists() {
                std::fs::remove_dir_all(&tree).expect("remove the older tree");
            }
            let status = std::process::Command::new("cp")
                .arg("-r")
                .arg(corpus.join(releases[release]))
                .arg(&tree)
                .status()
                .expect("cp runs");
            assert!(status.success());
            git(&["add", "-A"]);
            git(&["commit", "-q", "-m", &format!("release {i}")]);
        }
        let outcome = reftree::check(&Options {
            root: tree.clone(),
            config: preset(),
            since: Some(reftree::Since {
                rev: "HEAD~1".into(),
                all_findings: false,
            }),
            ..Options::default()
        })
        .expect("the run finishes");
        // The multiset difference after - before.
        let mut expected = Vec::new();
        let (old, new) = (&findings[before], &findings[after]);
        let mut i = 0;
        for k in new {
            while i < old.len() && old[i] < *k {
                i += 1;
            }
            if i < old.len() && old[i] == *k {
                i += 1;
            } else {
                expected.push(k.clone());
            }
        }
        let reported = keys(&outcome);
        assert!(!expected.is_empty());
        assert_eq!(
            reported.len(),
            expected.len(),
            "{} -> {}",
            releases[before],
            releases[after]
        );
        assert!(
            reported == expected,
            "the reported findings differ from the difference"
        );
        eprintln!(
            "{} -> {}: {} findings before, {} after, {} new, all reported",
            releases[before],
            releases[after],
            old.len(),
            new.len(),
            expected.len()
        );
    }
}

/// The page cache on real trees: on a copy of each release, a run that
/// writes the cache; then a few pages edited at random (a link repointed,
/// a heading renamed, a row dropped, a page deleted); then a run that reads
/// the cache. Its JSON report is byte for byte that of a run without the
/// cache, and it parsed only the edited pages again.
#[test]
fn a_cached_run_equals_an_uncached_run_after_random_edits() {
    let Some(dir) = corpus() else { return };
    for (seed, tree) in [
        (7u64, "sentinel-ninja-2025-12-31"),
        (11, "sentinel-ninja-2026-08-14"),
    ] {
        let (_copy, root, pages) = aged_copy(&dir, tree);
        let cache = tempfile::tempdir().expect("tempdir");
        let preset = reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset");
        let run = |cache_use| json_run(&root, &preset, cache_use);
        let cached = || reftree::CacheUse::In(cache.path().to_path_buf());
        let (_, first) = run(cached());
        assert_eq!(first.expect("a cache").hits, 0);
        // Five pages edited, one deleted, chosen by a seeded generator.
        let mut next = xorshift(seed);
        let mut edited = std::collections::BTreeSet::new();
        for i in 0..6 {
            let page = &pages[next() % pages.len()];
            if !edited.insert(page.clone()) {
                continue;
            }
            if i == 5 {
                std::fs::remove_file(page).expect("rm");
                continue;
            }
            edit(page, i);
        }
        let (with, report) = run(cached());
        let (without, none) = run(reftree::CacheUse::Off);
        assert!(none.is_none());
        let report = report.expect("a cache");
        assert!(
            with == without,
            "{tree}: the cached run's report differs from the uncached one"
        );
        let pages_now = pages.len() - 1;
        assert_eq!(report.hits + report.misses, pages_now, "{tree}: {report:?}");
        assert!(report.misses <= 5, "{tree}: {report:?}");
        eprintln!(
            "{tree}: {} of {pages_now} pages from the cache, {} parsed, reports identical ({} bytes)",
            report.hits,
            report.misses,
            with.len()
        );
    }
}

/// Edit `page` the `i`th way of three: a link repointed, a heading
/// renamed, a table row dropped.
fn edit(page: &Path, i: usize) {
    let text = std::fs::read_to_string(page).expect("read");
    let edited_text = match i % 3 {
        0 => text.replacen(".md", "-moved.md", 1),
        1 => text.replacen("\n## ", "\n## Renamed ", 1),
        _ => {
            let lines: Vec<&str> = text.lines().collect();
            let drop = lines.iter().position(|l| l.starts_with("| [")).unwrap_or(0);
            let kept: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(n, _)| *n != drop)
                .map(|(_, l)| *l)
                .collect();
            kept.join("\n") + "\n"
        }
    };
    std::fs::write(page, edited_text).expect("write");
}

/// The run cache on real trees: on a copy of each release, checked as a
/// user without a rule file checks it (the newest also as a vault and as
/// an MkDocs site), and with the preset, a run
/// that writes the caches and keeps the walk (files and folders dated
/// back); then
/// three rounds of three pages edited at random (dated back, as a
/// checkout is), each followed by a run that recomputes only those pages
/// and the pages whose findings read them. Its JSON report is byte for
/// byte that of a run without the caches.
#[test]
fn a_partial_run_equals_an_uncached_run_after_random_edits() {
    let Some(dir) = corpus() else { return };
    let fragment_link = regex::Regex::new(r"\]\(([^)#\s]+\.md)#").expect("regex");
    // The newest release also as a vault (`--dialect obsidian`): its
    // Markdown links resolve by name where their path names no file.
    let vault = Some(reftree::dialect::Dialect::Obsidian);
    let mkdocs = Some(reftree::dialect::Dialect::Mkdocs);
    // With the preset too: its kinds, counts, relations and index pages.
    for (seed, tree, dialect, preset) in [
        (5u64, "sentinel-ninja-2025-12-31", None, false),
        (13, "sentinel-ninja-2026-08-14", None, false),
        (21, "sentinel-ninja-2026-08-14", vault, false),
        (89, "sentinel-ninja-2026-08-14", mkdocs, false),
        (34, "sentinel-ninja-2025-12-31", None, true),
        (55, "sentinel-ninja-2026-08-14", None, true),
    ] {
        let (_copy, root, pages) = aged_copy(&dir, tree);
        let cache = tempfile::tempdir().expect("tempdir");
        let mut config = match preset {
            true => reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset"),
            false => reftree::config::Config::default(),
        };
        config.dialect = dialect;
        let run = |cache_use| json_run(&root, &config, cache_use);
        let cached = || reftree::CacheUse::In(cache.path().to_path_buf());
        run(cached());
        let mut next = xorshift(seed);
        // The page that links with a fragment lead to most: its headings
        // renamed in the last round.
        let mut targets: std::collections::HashMap<String, usize> = Default::default();
        let names: std::collections::HashSet<String> = pages
            .iter()
            .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
            .collect();
        for p in &pages {
            let text = std::fs::read_to_string(p).expect("read");
            for c in fragment_link.captures_iter(&text) {
                let name = c[1].rsplit('/').next().unwrap_or_default();
                if !c[1].contains("://") && names.contains(name) {
                    *targets.entry(name.to_string()).or_default() += 1;
                }
            }
        }
        // (The older release links with fragments to no page of its own.)
        let most = targets
            .into_iter()
            .max_by_key(|(name, n)| (*n, name.clone()));
        let hub = most.and_then(|(most, _)| {
            pages
                .iter()
                .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == most))
                .cloned()
        });
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for round in 0..3 {
            if let Some(hub) = hub.as_ref().filter(|_| round == 2) {
                let text = std::fs::read_to_string(hub).expect("read");
                std::fs::write(hub, text.replace("\n## ", "\n## Renamed ")).expect("write");
                let f = std::fs::File::options()
                    .write(true)
                    .open(hub)
                    .expect("open");
                f.set_modified(then).expect("set mtime");
            }
            for i in 0..3 {
                let page = &pages[next() % pages.len()];
                edit(page, i + round);
                let f = std::fs::File::options()
                    .write(true)
                    .open(page)
                    .expect("open");
                f.set_modified(then).expect("set mtime");
            }
            let (with, report) = run(cached());
            let (without, _) = run(reftree::CacheUse::Off);
            assert!(
                with == without,
                "{tree}, round {round}: the partial run's report differs from the uncached one"
            );
            let report = report.expect("a cache");
            assert!(
                report.replayed > 0 && report.replayed < pages.len(),
                "{tree}, round {round}: {report:?}"
            );
            eprintln!(
                "{tree} ({dialect:?}, preset: {preset}), round {round}: {} of {} pages' findings as in the last run, {} read from the page cache, {} parsed; reports identical",
                report.replayed,
                pages.len(),
                report.hits,
                report.misses
            );
        }
    }
}

/// A copy of release `tree` dated back, as a checkout is (the caches trust
/// old stamps), its folder, and its pages in order.
fn aged_copy(dir: &Path, tree: &str) -> (tempfile::TempDir, PathBuf, Vec<PathBuf>) {
    let copy = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(dir.join(tree))
        .arg(copy.path())
        .status()
        .expect("cp");
    assert!(status.success());
    let root = copy.path().join(tree);
    common::age(&root);
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    (copy, root, pages)
}

/// A check of `root` under `config`: its JSON report and how it used the caches.
fn json_run(
    root: &Path,
    config: &reftree::config::Config,
    cache: reftree::CacheUse,
) -> (Vec<u8>, Option<reftree::cache::Report>) {
    let outcome = reftree::check(&Options {
        root: root.to_path_buf(),
        config: config.clone(),
        cache,
        ..Options::default()
    })
    .expect("the run finishes");
    let mut json = Vec::new();
    reftree::report::write(
        &mut json,
        &outcome,
        &reftree::report::Paths::from_root(root),
        reftree::report::Format::Json,
        false,
    )
    .expect("render");
    (json, outcome.cache)
}

/// A seeded xorshift generator: the same pages edited on every run.
fn xorshift(seed: u64) -> impl FnMut() -> usize {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    }
}
