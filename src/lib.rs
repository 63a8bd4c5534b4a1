//! reftree: a linter and consistency checker for Markdown reference trees.
//!
//! The pipeline: [`walk`] the root, [`parse`] every page, build the
//! [`index`] (links resolved once), run the [`rules`], then [`report`].
//! The library never prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod cache;
pub mod config;
pub mod diag;
pub mod dialect;
pub mod error;
pub mod fix;
pub mod git;
pub mod hash;
pub mod index;
pub mod init;
pub mod parse;
pub mod replay;
pub mod report;
pub mod rewalk;
pub mod rules;
pub mod schema;
pub mod suppress;
pub mod walk;

use diag::{Diagnostic, Severity};
pub use error::Error;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to check and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The folder links resolve against. Everything under it is indexed.
    pub root: PathBuf,
    /// Files or folders whose findings are reported (all when empty), with
    /// the findings elsewhere that are about them.
    pub paths: Vec<PathBuf>,
    /// Report what changed since a git revision (`--changed-since`).
    pub since: Option<Since>,
    /// Report only findings that are not in this baseline (its name, for
    /// the summary, and its findings).
    pub baseline: Option<(String, baseline::Baseline)>,
    /// Globs of pages left out of checking (still link targets).
    pub exclude: Vec<String>,
    /// Per-rule severity overrides; `None` turns a rule off.
    pub severities: HashMap<String, Option<Severity>>,
    /// Pages larger than this are not parsed (0: the default, 32 MiB).
    pub max_page_bytes: u64,
    /// The rule file in force (kinds, counts, relations, index pages).
    pub config: config::Config,
    /// Hash every page as it is read (`Outcome::fingerprints`), so that a
    /// fix is written only to a file that has not changed since.
    pub fingerprints: bool,
    /// Counters a caller can watch to show progress.
    pub progress: Option<std::sync::Arc<Progress>>,
    /// The dialect to check as (`--dialect`); else the rule file's, else
    /// the one the root says (`.obsidian/`, `mkdocs.yml`...).
    pub dialect: Option<dialect::Dialect>,
    /// Where to keep parsed pages between runs ([`cache`]).
    pub cache: CacheUse,
    /// The process ends once this check's findings are printed (the command
    /// line without `--fix`): the index is left to the system, which takes
    /// the process's memory back whole, instead of being freed allocation by
    /// allocation on a thread that competes with the printing (12 ms of a
    /// 300 ms run on the newest shared tree). Not under `--changed-since`,
    /// whose work tree's index is freed while the revision's tree is read,
    /// so that the two are not held at once.
    pub exit_after: bool,
    /// Pages whose bytes are these, not the file's: what `--diff` checks
    /// after the fixes it shows, as `--fix` would after writing them.
    pub overlay: HashMap<String, Vec<u8>>,
    /// The process is the command line's own, not a host's: a run over a
    /// large tree may change how the process's memory is mapped
    /// ([`no_huge_pages_for_large_trees`]).
    pub own_process: bool,
}

/// A tree of this many files or more is large: see
/// [`no_huge_pages_for_large_trees`].
pub const LARGE_TREE: usize = 16_384;

/// Turn transparent huge pages off for this process when the tree is
/// large (Linux). Where the system makes them for every mapping
/// (`/sys/kernel/mm/transparent_hugepage/enabled` = `always`), each 2 MB
/// region the allocator touches is zeroed whole on its first fault, and
/// again after it is given back: at 40,000 and 100,000 pages a run took
/// 10-16% longer at the median with them, its kernel time varying from 0.5
/// to 1.4 s (100k); at 20,000 as long or longer; under 11,000 pages they
/// saved up to 16% (BENCHMARKS.md, session 20). A run that reads back a
/// run cache asks first, with the file count that cache holds: reading it
/// back is the run's first large allocation (session 21). A failure (an
/// older kernel) costs only speed.
pub fn no_huge_pages_for_large_trees(files: usize) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if files >= LARGE_TREE {
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = files;
}

/// Whether a run reads and writes the page cache, and where.
#[derive(Clone, Debug, Default)]
pub enum CacheUse {
    /// No cache (the library's default; `--no-cache`).
    #[default]
    Off,
    /// In the git directory of the repository holding the root, if any.
    DefaultPlace,
    /// In this folder.
    In(PathBuf),
}

/// `--changed-since REV`: by default the findings that are not in the
/// tree at REV (read from git); with `all_findings`, every finding in the
/// files changed since REV and the findings elsewhere about them.
#[derive(Clone, Debug, Default)]
pub struct Since {
    pub rev: String,
    pub all_findings: bool,
}

/// How far a run is: pages read and parsed out of the pages found.
#[derive(Debug, Default)]
pub struct Progress {
    pub pages_total: std::sync::atomic::AtomicUsize,
    pub pages_done: std::sync::atomic::AtomicUsize,
}

/// Counts for the closing summary.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub files: usize,
    pub pages: usize,
    pub checked_pages: usize,
    pub links: usize,
    pub elapsed: Duration,
    /// The dialect checked as, and why (`--dialect`, the rule file, what
    /// is at the root).
    pub dialect: dialect::Dialect,
    pub dialect_from: String,
    /// `[[wiki]]` links in the checked pages that this dialect does not
    /// check (another would).
    pub unchecked_wiki_links: usize,
    /// Headings ending in `{#id}` that this dialect does not anchor so.
    pub ignored_custom_ids: usize,
    /// Links to GitLab references (`gitlab` only), not checked offline.
    pub gitlab_references: usize,
    /// all-contributors' emoji links (`#code-login`), which lead nowhere by design.
    pub contributor_links: usize,
    /// Links written as template expressions on pages a site's macros
    /// render (`{{ sponsor.url }}`), not checked.
    pub template_links: usize,
    /// `[text][identifier]` links MkDocs' autorefs leaves to mkdocstrings
    /// (API objects, not in the pages), not checked offline.
    pub api_references: usize,
    /// The pages were not in memory (a cold page cache) and were read
    /// ahead, many at a time.
    pub read_ahead: bool,
    /// How long each stage of the last tree's check took (for
    /// `REFTREE_TIMINGS=1` and the benchmarks).
    pub stages: Vec<(&'static str, Duration)>,
}

/// The result of a run: findings sorted by file, offset and rule.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
    /// Some input could not be read (exit code 2).
    pub unreadable: bool,
    /// Texts of rule files that findings may point into (presets are not on disk).
    pub sources: Vec<(String, String)>,
    /// The root, canonical (what paths in findings are relative to).
    pub root: PathBuf,
    /// With `Options::fingerprints`: each parsed page's content hash.
    pub fingerprints: HashMap<String, u64>,
    /// Temporary files an interrupted `--fix` left behind (root-relative).
    pub stale_temporaries: Vec<String>,
    /// The older findings this run's were compared with, if any.
    pub compared: Vec<Compared>,
    /// How the page cache was used, if it was.
    pub cache: Option<cache::Report>,
    /// The run cache, still being written: dropping the outcome waits for it.
    pub saving: replay::Saving,
}

impl Outcome {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// The root to use when none is given: the top of the git work tree that
/// holds `dir`, else `dir` itself.
pub fn default_root(dir: &Path) -> PathBuf {
    let mut d = Some(dir);
    while let Some(p) = d {
        if p.join(".git").exists() {
            return p.to_path_buf();
        }
        d = p.parent();
    }
    dir.to_path_buf()
}

/// Index the tree under `root` (no rule file) and infer a starter rule file.
pub fn init(root: &Path) -> Result<String, Error> {
    let root = root.canonicalize().map_err(|e| Error::BadRoot {
        root: root.to_path_buf(),
        reason: e.to_string(),
    })?;
    let build = |wants: parse::Wants| {
        let walked = walk::walk(&root, &globset::GlobSet::empty());
        index::build(
            &root,
            index::Source::Disk(None, &HashMap::new(), index::Known::default()),
            walked,
            index::Build {
                max_page_bytes: index::MAX_PAGE_BYTES,
                progress: None,
                fingerprint: false,
                wants,
                // init reads every page's lists and tables.
                page_checks: None,
            },
        )
    };
    // Every optional fact: init tries every form.
    let index = build(parse::Wants::all());
    let cuts = init::cut_patterns(&index);
    if cuts.is_empty() {
        return loads(init::infer(&index, &cuts));
    }
    // The tree's own cut-list wordings, read as the rule file will read them.
    let patterns: Vec<String> = cuts.iter().map(|c| init::literal(&c.regex)).collect();
    let text = format!("version = 1\ncut-lists = [{}]\n", patterns.join(", "));
    let wants = config::Config::load(None, Some(("init", &text)))
        .map(|c| c.wants())
        .unwrap_or_else(|_| parse::Wants::all());
    let index = build(parse::Wants {
        cut: wants.cut,
        ..parse::Wants::all()
    });
    loads(init::infer(&index, &cuts))
}

/// The rule file `init` wrote, if `check` can read it: a file that does not
/// load would stop every check, so it is never handed out.
fn loads(text: String) -> Result<String, Error> {
    let bug = |why: String| {
        Error::Config(format!(
            "reftree init wrote a rule file it cannot read (a bug: please report it, with the folder names of the tree):\n{why}"
        ))
    };
    let config =
        config::Config::load(None, Some(("reftree.toml", &text))).map_err(|e| bug(e.render()))?;
    config.validate().map_err(bug)?;
    Ok(text)
}

/// Run every enabled rule over the tree; with `Options::since` or
/// `Options::baseline`, keep the findings that are new.
pub fn check(opts: &Options) -> Result<Outcome, Error> {
    let started = Instant::now();
    let root = opts.root.canonicalize().map_err(|e| Error::BadRoot {
        root: opts.root.clone(),
        reason: e.to_string(),
    })?;
    if !root.is_dir() {
        return Err(Error::BadRoot {
            root: opts.root.clone(),
            reason: "not a folder".into(),
        });
    }
    let dialect = match (opts.dialect, opts.config.dialect) {
        (Some(d), _) => (d, "--dialect".to_string()),
        (None, Some(d)) => (d, "the rule file".to_string()),
        (None, None) => {
            let (d, why) = dialect::Dialect::detect(&root);
            (d, why.to_string())
        }
    };
    // What both trees' checks share, found (and its errors reported) once.
    let active = active_rules(opts)?;
    opts.config.validate().map_err(Error::Config)?;
    let patterns: Vec<String> = opts
        .config
        .exclude
        .iter()
        .chain(&opts.exclude)
        .cloned()
        .collect();
    let exclude = walk::exclude_set(&patterns).map_err(|e| Error::BadGlob {
        pattern: e.glob().unwrap_or_default().to_string(),
        reason: e.kind().to_string(),
    })?;
    let mut paths = reported_prefixes(&root, &opts.paths)?;
    let mut restricted = !paths.is_empty();
    let mut earlier = None;
    if let Some(since) = &opts.since {
        let repo = git::Repo::open(&root)?;
        let commit = repo.commit(&since.rev)?;
        let changes = repo.changes(&commit)?;
        if since.all_findings {
            paths.extend(changes.paths);
            restricted = true;
        } else {
            earlier = Some((repo, commit, changes.renamed));
        }
    }
    let wants = parse::Wants {
        dialect: dialect.0,
        mkdocs: (dialect.0 == dialect::Dialect::Mkdocs).then(|| dialect::mkdocs::markdown(&root)),
        ..opts.config.wants()
    };
    let max = match opts.max_page_bytes {
        0 => index::MAX_PAGE_BYTES,
        n => n,
    };
    // A fix hashes every page it reads, so it reads every page.
    let cache_dir = match &opts.cache {
        _ if opts.fingerprints => None,
        CacheUse::Off => None,
        CacheUse::DefaultPlace => cache::default_dir(&root),
        CacheUse::In(dir) => std::fs::create_dir_all(dir).ok().map(|_| dir.clone()),
    };
    let cache = cache_dir.map(|dir| {
        let key = cache::key(&format!("{wants:?}\n{max}\n{:?}", opts.config.sources));
        (dir, key)
    });
    // The run's findings also depend on the rules in force and the excludes.
    let run = cache.as_ref().map(|(dir, key)| {
        let rules: Vec<(&str, Severity)> = active.iter().map(|(r, s)| (r.id, *s)).collect();
        let key = format!("{key}\n{rules:?}\n{patterns:?}\n{dialect:?}");
        (dir.clone(), xxhash_rust::xxh3::xxh3_128(key.as_bytes()))
    });
    let setup = Setup {
        root: &root,
        active,
        exclude,
        dialect,
        scope: Scope::new(restricted, &paths),
        wants,
        max,
        cache,
        run,
    };
    // The tree at the revision is read from git (one process, mostly
    // waiting on it) while the work tree is checked.
    let (outcome, snapshot) = std::thread::scope(|s| {
        let reading = earlier
            .as_ref()
            .map(|(repo, commit, _)| s.spawn(move || repo.snapshot(commit, walk::is_page)));
        let outcome = check_tree(opts, &setup, Tree::Disk);
        let snapshot = reading.map(|r| r.join().expect("reading the snapshot does not panic"));
        (outcome, snapshot)
    });
    let mut outcome = outcome?;
    if let (Some((_, _, renamed)), Some(snapshot), Some(since)) = (earlier, snapshot, &opts.since) {
        let snapshot = snapshot?;
        let old = check_tree(opts, &setup, Tree::Snapshot(&snapshot))?;
        let old = baseline::Baseline::of(&old.diagnostics, &renamed);
        let against = Against::Revision(since.rev.clone());
        outcome
            .compared
            .push(Compared::of(against, &old, &mut outcome.diagnostics));
    }
    if let Some((name, base)) = &opts.baseline {
        let against = Against::Baseline(name.clone());
        outcome
            .compared
            .push(Compared::of(against, base, &mut outcome.diagnostics));
    }
    outcome.stats.elapsed = started.elapsed();
    Ok(outcome)
}

/// The time each stage of a check took.
struct Stages(Vec<(&'static str, Duration)>, Instant);

impl Stages {
    fn new() -> Stages {
        Stages(Vec::new(), Instant::now())
    }

    /// Stage `name` ends now.
    fn done(&mut self, name: &'static str) {
        let now = Instant::now();
        self.0.push((name, now - self.1));
        self.1 = now;
    }
}

/// What older findings came from.
#[derive(Debug)]
pub enum Against {
    /// The tree at a git revision (`--changed-since`), as given.
    Revision(String),
    /// A baseline file (`--baseline`), as named.
    Baseline(String),
}

/// A comparison with older findings (`--changed-since`, `--baseline`).
#[derive(Debug)]
pub struct Compared {
    pub against: Against,
    /// How many findings that holds.
    pub old: usize,
    /// Findings found in it, not reported.
    pub matched: usize,
    /// Its findings that no longer occur.
    pub gone: Vec<(baseline::Key, usize)>,
}

impl Compared {
    /// Drop from `diagnostics` the findings `old` holds, and say so.
    fn of(against: Against, old: &baseline::Baseline, diagnostics: &mut Vec<Diagnostic>) -> Self {
        let c = old.subtract(diagnostics);
        Compared {
            against,
            old: old.len(),
            matched: c.matched,
            gone: c.gone,
        }
    }
}

/// Where the pages are: on disk, or in a tree git stores.
#[derive(Clone, Copy)]
enum Tree<'a> {
    Disk,
    Snapshot(&'a git::Snapshot),
}

/// What the checks of both trees of a run share.
struct Setup<'a> {
    /// The root, canonical.
    root: &'a Path,
    active: Vec<(&'static rules::Rule, Severity)>,
    exclude: globset::GlobSet,
    /// The dialect, and why.
    dialect: (dialect::Dialect, String),
    /// Whose findings are reported.
    scope: Scope<'a>,
    /// What pages are parsed for, and the size over which they are not.
    wants: parse::Wants,
    max: u64,
    /// The page cache's folder and key, if there is one.
    cache: Option<(PathBuf, String)>,
    /// The run cache's folder and key ([`replay`]), beside the page cache.
    run: Option<(PathBuf, u128)>,
}

/// One check of one tree (the work tree, or the tree at a revision).
fn check_tree(opts: &Options, setup: &Setup<'_>, tree: Tree<'_>) -> Result<Outcome, Error> {
    let started = std::time::SystemTime::now();
    let Setup { exclude, scope, .. } = setup;
    let (dialect, dialect_from) = (setup.dialect.0, setup.dialect.1.clone());
    let root = setup.root.to_path_buf();
    // The tree at a revision (`--changed-since`) has no stamps to record:
    // its pages are only looked up, by their bytes.
    let read_only = matches!(tree, Tree::Snapshot(_));
    // The run cache: the work tree as it is on disk.
    let run_cache = match tree {
        Tree::Disk if opts.overlay.is_empty() => setup.run.as_ref(),
        _ => None,
    };
    let mut stages = Stages::new();
    // The page cache's records are indexed beside the walk, unless the
    // last run's findings may spare it; the last run is read beside it.
    let mut walk_digest = None;
    let (walked, cache, last, stamps) = std::thread::scope(|s| {
        let root = &root;
        let cache = setup
            .cache
            .as_ref()
            .filter(|_| run_cache.is_none())
            .map(|(dir, key)| s.spawn(move || cache::Cache::open(dir, root, key, read_only)));
        // The last run's files are as many as this run's, most likely:
        // reading back a large run is the first large allocation.
        if opts.own_process
            && let Some(files) = run_cache.and_then(|(dir, _)| replay::files_in_last_run(dir, root))
        {
            no_huge_pages_for_large_trees(files);
        }
        let last = run_cache.map(|(dir, key)| s.spawn(move || replay::open(dir, root, *key)));
        let walked = match (tree, run_cache) {
            // The last walk, if no folder it listed changed; else a walk
            // stamped to be kept.
            (Tree::Disk, Some((dir, key))) => match rewalk::reuse(dir, root, *key) {
                Some((walked, digest)) => {
                    walk_digest = Some(digest);
                    walked
                }
                None => walk::walk_stamped(root, exclude, true),
            },
            (Tree::Disk, None) => walk::walk(root, exclude),
            (Tree::Snapshot(s), _) => {
                walk::from_listing(s.files.clone(), s.regular.clone(), s.dirs.clone(), exclude)
            }
        };
        stages.done("walk");
        // Each file's stamp, taken while the last run is read back.
        let stamps = run_cache.map(|_| index::stamps(root, &walked.files));
        stages.done("stamps");
        let cache = cache.map(|c| c.join().expect("opening the cache does not panic"));
        let last = last.and_then(|l| l.join().expect("reading the last run does not panic"));
        stages.done("read back the last run");
        (walked, cache, last, stamps)
    });
    let files = walked.files.len();
    // Every page is checked: a change to one page can break links in another.
    let stale_temporaries: Vec<String> = walked
        .files
        .iter()
        .filter(|f| fix::is_temporary(f))
        .cloned()
        .collect();
    let page_files: Vec<u32> = (0..files as u32)
        .filter(|&f| walk::is_page(&walked.files[f as usize]))
        .collect();
    // The pages whose links the summary counts: checked, and in scope.
    let counted: Vec<bool> = page_files
        .iter()
        .map(|&f| walked.checked[f as usize] && scope.contains(&walked.files[f as usize]))
        .collect();
    let known = stamps.map(|stamps| {
        let digest = match walk_digest {
            Some(digest) => digest,
            None => {
                let digest = replay::walk_digest(&walked);
                if let Some((dir, key)) = run_cache {
                    // Another run's business if it cannot be kept.
                    let _ = rewalk::keep(dir, &root, *key, &walked, digest, started);
                }
                digest
            }
        };
        stages.done("digest");
        (stamps, digest)
    });
    let last = match (last, &known) {
        (Some(run), Some((stamps, digest)))
            if run.walk == *digest
                && run.stamps.len() == stamps.len()
                && run.pages.len() == page_files.len() =>
        {
            Some(run)
        }
        _ => None,
    };
    let changed = match (&last, &known) {
        (Some(run), Some((stamps, _))) => Some(run.changed(stamps)),
        _ => None,
    };
    let mut found = match last {
        Some(run) if changed.as_ref().is_some_and(Vec::is_empty) => {
            let found = Found::replayed(run);
            stages.done("the last run's findings");
            found
        }
        _ => {
            let plan = match (&last, &known, &changed) {
                (Some(run), Some((stamps, _)), Some(changed)) => {
                    replay::Partial::plan(run, stamps, changed, &page_files)
                }
                _ => None,
            };
            let partial = plan.zip(last);
            // A partial run that loads the changed pages (their old records
            // are stale) and a few others parses them from disk: cheaper
            // than opening the page cache.
            let wanted = partial.as_ref().is_none_or(|(p, _)| p.wants_page_cache);
            let cache = cache.or_else(|| {
                let opened = setup
                    .cache
                    .as_ref()
                    .filter(|_| wanted)
                    .map(|(dir, key)| cache::Cache::open(dir, &root, key, read_only));
                stages.done("open the page cache");
                opened
            });
            let source = match tree {
                Tree::Disk => {
                    let stamps = known.as_ref().map(|(s, _)| s.as_slice());
                    index::Source::Disk(
                        cache.as_ref(),
                        &opts.overlay,
                        index::Known {
                            stamps,
                            ..index::Known::default()
                        },
                    )
                }
                Tree::Snapshot(s) => index::Source::Snapshot(&s.pages, cache.as_ref()),
            };
            let mut found = match partial {
                Some((plan, last)) => check_partly(
                    opts,
                    setup,
                    source,
                    walked,
                    (plan, last),
                    &page_files,
                    &mut stages,
                ),
                None => check_all(opts, setup, source, walked, &mut stages),
            };
            stages.done("rules over the pages");
            found.cache = cache.map(|c| match (&found.index, found.partial) {
                // A partial run keeps the records of the pages it did not load.
                (Some(index), true) => {
                    c.finish(page_files.iter().map(|&f| index.files[f as usize].as_str()))
                }
                (Some(index), false) => c.finish(
                    index
                        .pages
                        .iter()
                        .filter(|p| p.parsed)
                        .map(|p| p.path.as_str()),
                ),
                (None, _) => c.finish(std::iter::empty()),
            });
            stages.done("write the page cache");
            if let (Some((dir, key)), Some((stamps, digest))) = (run_cache, known)
                && let Some(pages) = found.pages.take()
            {
                let (kept, kept_from) = std::mem::take(&mut found.kept);
                let run = replay::Run {
                    walk: digest,
                    racy: replay::racy(&stamps, started),
                    stamps,
                    pages,
                    other: std::mem::take(&mut found.other),
                    partial: found.partial_ok,
                    index_links: std::mem::take(&mut found.index_links),
                    raw: replay::Raw::default(),
                };
                match replay::save_behind(dir, &root, *key, &run, &kept, &kept_from) {
                    Ok(saving) => found.saving = saving,
                    Err(e) => {
                        let report = found.cache.get_or_insert_with(cache::Report::default);
                        report.error.get_or_insert(e);
                    }
                }
                stages.done("write the run cache");
                found.stats = run.pages.iter().map(|p| p.stats).collect();
                found.diagnostics = replay::findings_of(run);
            }
            found
        }
    };
    let in_scope = |path: &str| scope.contains(path);
    let mut diagnostics = std::mem::take(&mut found.diagnostics);
    if !scope.all {
        // Findings in the files in scope, and those elsewhere about them.
        diagnostics.retain(|d| {
            in_scope(&d.location.path)
                || d.about.as_deref().is_some_and(in_scope)
                || d.related.iter().any(|r| in_scope(&r.location.path))
        });
    }
    // The last run's findings come sorted, page by page.
    if !diagnostics.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
        diag::sort_findings(&mut diagnostics);
    }
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key());
    stages.done("sort the findings");

    let mut counts = replay::PageStats::default();
    let mut checked_pages = 0;
    for (n, counted) in counted.iter().enumerate() {
        if *counted {
            checked_pages += 1;
            if let Some(s) = found.page_stats(n) {
                counts.add(s);
            }
        }
    }
    let stats = Stats {
        files,
        pages: page_files.len(),
        checked_pages,
        links: counts.links as usize,
        // The whole run's time: `check` sets it.
        elapsed: Duration::ZERO,
        dialect,
        dialect_from,
        unchecked_wiki_links: counts.unchecked_wiki_links as usize,
        ignored_custom_ids: counts.ignored_custom_ids as usize,
        gitlab_references: counts.gitlab_references as usize,
        contributor_links: counts.contributor_links as usize,
        template_links: counts.template_links as usize,
        api_references: counts.api_references as usize,
        stages: stages.0,
        read_ahead: found.read_ahead,
    };
    // Exit code 2 when some input that is checked and reported could not be
    // read: not for an excluded path, a path outside the PATH arguments, or
    // with `--rule unreadable-file=off`.
    let unreadable = diagnostics.iter().any(|d| d.rule == "unreadable-file");
    let fingerprints = match (&found.index, opts.fingerprints) {
        (Some(index), true) => index
            .pages
            .iter()
            .filter(|p| p.parsed)
            .map(|p| (p.path.clone(), p.hash))
            .collect(),
        _ => HashMap::new(),
    };
    // Freeing the index (hundreds of thousands of allocations) takes ~20 ms
    // on the largest tree: not at all when the process is about to end,
    // else beside the printing (or, under `--changed-since`, beside the
    // check of the tree at the revision), not before it.
    if let Some(index) = found.index {
        if opts.exit_after && opts.since.is_none() {
            std::mem::forget(index);
        } else {
            std::thread::spawn(move || drop(index));
        }
    }
    let mut cache = found.cache;
    if let Some(replayed) = found.replayed {
        cache.get_or_insert_with(cache::Report::default).replayed = replayed;
    }
    Ok(Outcome {
        diagnostics,
        stats,
        unreadable,
        sources: opts.config.sources.clone(),
        root,
        fingerprints,
        stale_temporaries,
        compared: Vec::new(),
        cache,
        saving: std::mem::take(&mut found.saving),
    })
}

/// The findings of one tree, before they are narrowed to the PATH
/// arguments and sorted.
#[derive(Default)]
struct Found {
    /// Every finding (suppressions applied), unless `pages` holds them.
    diagnostics: Vec<Diagnostic>,
    /// What each page adds to the summary (by page number), unless `pages`
    /// holds it.
    stats: Vec<replay::PageStats>,
    /// For the run cache: each page's findings, counts and dependencies,
    /// and the findings located elsewhere.
    pages: Option<Vec<replay::PageRun>>,
    other: Vec<Diagnostic>,
    /// A run after this one may be partial.
    partial_ok: bool,
    /// For the run cache: [`replay::Run::index_links`].
    index_links: Vec<(u32, Vec<u32>)>,
    /// The run cache being written.
    saving: replay::Saving,
    /// The pages (by number) whose part of the run cache is the last run's,
    /// as it was read.
    kept: (Vec<bool>, replay::Raw),
    /// Only some pages were loaded ([`replay::Partial`]).
    partial: bool,
    index: Option<index::Index>,
    cache: Option<cache::Report>,
    /// How many pages' findings were the last run's.
    replayed: Option<usize>,
    read_ahead: bool,
}

impl Found {
    /// The last run's findings, as they are.
    fn replayed(run: replay::Run) -> Found {
        let replayed = Some(run.pages.len());
        Found {
            stats: run.pages.iter().map(|p| p.stats).collect(),
            diagnostics: replay::findings_of(run),
            replayed,
            ..Found::default()
        }
    }

    fn page_stats(&self, n: usize) -> Option<&replay::PageStats> {
        match &self.pages {
            Some(pages) => pages.get(n).map(|p| &p.stats),
            None => self.stats.get(n),
        }
    }
}

/// Build the index of `walked` from `source` and run every active rule on
/// it (suppressions applied); and what the rule file makes each page read
/// (for the run cache). `elsewhere`: [`rules::Ctx::elsewhere`].
fn run_rules(
    opts: &Options,
    setup: &Setup<'_>,
    source: index::Source<'_>,
    walked: walk::Walked,
    elsewhere: &replay::Elsewhere,
    stages: &mut Stages,
) -> (index::Index, Vec<Diagnostic>, replay::Reads) {
    let one_page = rules::one_page::OnePage::new(&setup.active, &opts.config, setup.dialect.0);
    if opts.own_process {
        no_huge_pages_for_large_trees(walked.files.len());
    }
    let mut index = index::build(
        setup.root,
        source,
        walked,
        index::Build {
            max_page_bytes: setup.max,
            progress: opts.progress.as_deref(),
            fingerprint: opts.fingerprints,
            wants: setup.wants.clone(),
            page_checks: one_page.as_ref().map(|c| c as &dyn index::PageChecks),
        },
    );
    stages.done("read, parse and resolve");
    let kinds = schema::Kinds::build(&index, &opts.config);
    let by_rule: Vec<Vec<Diagnostic>> = setup
        .active
        .par_iter()
        .map(|(rule, severity)| {
            let ctx = rules::Ctx {
                rule,
                severity: *severity,
                config: &opts.config,
                kinds: &kinds,
                dialect: setup.dialect.0,
                elsewhere,
            };
            let mut out = Vec::new();
            (rule.check)(&index, &ctx, &mut out);
            out
        })
        .collect();
    // Gathered into the largest rule's vector (which may have room for
    // all: it grew by doubling), each other rule's freed as it is moved:
    // tens of thousands of findings, of which a parallel collect held
    // another copy. The order of the rules does not matter: the findings
    // are sorted, and one rule's keep their order.
    let mut by_rule = by_rule;
    by_rule.push(std::mem::take(&mut index.found_by_page));
    let largest = (0..by_rule.len()).max_by_key(|&r| by_rule[r].len());
    let mut diagnostics = largest.map_or_else(Vec::new, |r| by_rule.swap_remove(r));
    diagnostics.reserve_exact(by_rule.iter().map(Vec::len).sum());
    for mut found in by_rule {
        diagnostics.append(&mut found);
    }
    let unused = setup
        .active
        .iter()
        .find(|(r, _)| r.id == "unused-suppression")
        .map(|(_, s)| *s);
    let ignores_elsewhere = elsewhere.matched.get(replay::ignores_from(&opts.config)..);
    let applied = suppress::apply(
        &index,
        &opts.config,
        diagnostics,
        unused,
        ignores_elsewhere.unwrap_or(&[]),
    );
    let mut reads = replay::Reads::new(&index, &opts.config, kinds, setup.run.is_some(), elsewhere);
    reads.add_ignores(&opts.config, applied.ignores_used);
    (index, applied.kept, reads)
}

/// Every page read (from the page cache where it can be), every rule run.
fn check_all(
    opts: &Options,
    setup: &Setup<'_>,
    source: index::Source<'_>,
    walked: walk::Walked,
    stages: &mut Stages,
) -> Found {
    let whole = replay::Elsewhere::default();
    let (index, diagnostics, reads) = run_rules(opts, setup, source, walked, &whole, stages);
    let keep =
        setup.run.is_some() && matches!(source, index::Source::Disk(_, o, _) if o.is_empty());
    let found = if keep {
        // For the run cache: the findings page by page.
        let (pages, other) = by_page(&index, setup.dialect.0, &reads, diagnostics, |_, f| Some(f));
        Found {
            partial_ok: replay::may_be_partial(&index, setup.dialect.0, &other),
            pages: Some(pages),
            other,
            index_links: reads.index_links,
            ..Found::default()
        }
    } else {
        Found {
            stats: (0..index.pages.len())
                .map(|n| page_stats(&index, n))
                .collect(),
            diagnostics,
            ..Found::default()
        }
    };
    Found {
        read_ahead: index.read_ahead,
        index: Some(index),
        ..found
    }
}

/// The pages that changed, those whose findings read them, and what all of
/// these read, loaded; every rule run over them; the findings of the first
/// two kinds taken from this run, the others from the last
/// ([`replay`]).
fn check_partly(
    opts: &Options,
    setup: &Setup<'_>,
    source: index::Source<'_>,
    walked: walk::Walked,
    (plan, mut last): (replay::Partial, replay::Run),
    page_files: &[u32],
    stages: &mut Stages,
) -> Found {
    let index::Source::Disk(cache, overlay, known) = source else {
        return check_all(opts, setup, source, walked, stages);
    };
    let mut load = plan.load.clone();
    // What rules over the whole tree read of the pages not checked again:
    // the rule file's entries that match there (`rule-matches-nothing`
    // counts them with those it checks), and what the index pages of
    // `[[orphans]]` entries link to (`orphan-page`).
    let entries = replay::ignores_from(&opts.config) + opts.config.ignores.len();
    let elsewhere = replay::Elsewhere::of(&mut last, &plan.redo, entries);
    // Checked with every file its findings read: a changed page, and a page
    // with suppressions or that an ignore of the rule file names (whether
    // one is used depends on every finding of the page). Any other page is
    // checked with what changed (`merge`).
    let ignored = |path: &str| opts.config.ignores.iter().any(|ig| ig.paths.is_match(path));
    let checked_whole = |page: &index::Page| {
        plan.is_changed[page.file as usize]
            || !page.facts.rare.suppressions.is_empty()
            || ignored(&page.path)
    };
    let (index, diagnostics, reads) = loop {
        if let Some(c) = cache {
            c.recount();
        }
        // The aliases of the pages not loaded, as the last run found them.
        let unloaded_aliases: Vec<(u128, u32)> = page_files
            .iter()
            .zip(&last.pages)
            .filter(|(f, _)| !load[**f as usize])
            .flat_map(|(&f, p)| p.aliases.iter().map(move |&k| (k, f)))
            .collect();
        let source = index::Source::Disk(
            cache,
            overlay,
            index::Known {
                only: Some(&load),
                aliases: &unloaded_aliases,
                ..known
            },
        );
        let (index, diagnostics, reads) =
            run_rules(opts, setup, source, walked.clone(), &elsewhere, stages);
        // A page checked whole may link to pages the plan did not load;
        // a page loaded may take in others with MkDocs' snippets.
        let mut more = false;
        for page in index.pages.iter().filter(|p| checked_whole(p)) {
            for f in replay::deps_of(&index, setup.dialect.0, page, (&reads, false), &[]) {
                more |= !std::mem::replace(&mut load[f as usize], true);
            }
        }
        for page in index.pages.iter() {
            for f in index.snippet_files(page) {
                more |= !std::mem::replace(&mut load[f as usize], true);
            }
        }
        if !more {
            break (index, diagnostics, reads);
        }
    };
    // A page whose aliases changed changes the vault's name tables, which
    // every page's wiki links read; a page with a label MkDocs' autorefs
    // may take to a heading anywhere reads every page; a page appended to
    // every page (MkDocs' snippets) is read by every page: then every page
    // is checked.
    let reads_every_page = plan.changed.iter().any(|&n| {
        index
            .page_by_file(page_files[n as usize])
            .is_some_and(|page| {
                replay::aliases_of(&index, setup.dialect.0, page) != last.pages[n as usize].aliases
                    || index.asks_autorefs(page)
                    || index.entries.is_appended(&page.path)
            })
    });
    if reads_every_page {
        if let Some(c) = cache {
            c.recount();
        }
        let whole = index::Source::Disk(cache, overlay, known);
        return check_all(opts, setup, whole, walked, stages);
    }
    let not_loaded = |path: &str| match index.entries.exact(path) {
        Some(index::resolve::Target::File(f)) => !load[f as usize],
        _ => false,
    };
    // The pages to redo, with their findings merged with the last run's
    // where they were not checked whole.
    let redo = |i: usize, fresh: Vec<Diagnostic>| {
        let page = &index.pages[i];
        let n = plan.number[page.file as usize] as usize;
        match (plan.redo[n], checked_whole(page)) {
            (false, _) => None,
            (true, true) => Some(fresh),
            (true, false) => Some(replay::merge(fresh, &last.pages[n].findings, not_loaded)),
        }
    };
    let (fresh, fresh_other) = by_page(&index, setup.dialect.0, &reads, diagnostics, redo);
    let mut fresh: Vec<Option<replay::PageRun>> = fresh.into_iter().map(Some).collect();
    let mut kept = vec![false; last.pages.len()];
    let pages = std::mem::take(&mut last.pages)
        .into_iter()
        .enumerate()
        .map(|(n, old)| {
            let loaded = index.page_index(page_files[n]);
            match loaded {
                Some(i) if plan.redo[n] => fresh[i].take().unwrap_or_default(),
                _ => {
                    kept[n] = true;
                    old
                }
            }
        })
        .collect();
    // Off the pages: the walk's findings, as the walk is the same; the rule
    // file's entries that match nothing and its ignores that suppress
    // nothing, counted again.
    let recounted =
        |d: &Diagnostic| matches!(d.rule, "rule-matches-nothing" | "unused-suppression");
    let mut other = std::mem::take(&mut last.other);
    other.retain(|d| !recounted(d));
    other.extend(fresh_other.into_iter().filter(recounted));
    Found {
        partial_ok: replay::may_be_partial(&index, setup.dialect.0, &other),
        pages: Some(pages),
        other,
        index_links: reads.index_links,
        kept: (kept, last.raw),
        partial: true,
        read_ahead: index.read_ahead,
        index: Some(index),
        replayed: Some(plan.redo.iter().filter(|&&r| !r).count()),
        ..Found::default()
    }
}

/// Findings by the page they are in (with the page's counts and what its
/// findings read), for the pages `wanted` keeps (given a page number and
/// the page's findings, the findings to keep, or `None` to leave the page
/// out); and the findings in no page.
fn by_page(
    index: &index::Index,
    dialect: dialect::Dialect,
    reads: &replay::Reads,
    diagnostics: Vec<Diagnostic>,
    wanted: impl Fn(usize, Vec<Diagnostic>) -> Option<Vec<Diagnostic>> + Sync,
) -> (Vec<replay::PageRun>, Vec<Diagnostic>) {
    let number: hash::FastMap<&str, usize> = index
        .pages
        .iter()
        .enumerate()
        .map(|(n, p)| (p.path.as_str(), n))
        .collect();
    let mut findings: Vec<Vec<Diagnostic>> = vec![Vec::new(); index.pages.len()];
    let mut other = Vec::new();
    for d in diagnostics {
        match number.get(d.location.path.as_str()) {
            Some(&n) => findings[n].push(d),
            None => other.push(d),
        }
    }
    let pages = findings
        .into_par_iter()
        .enumerate()
        .map(|(n, findings)| {
            let Some(mut findings) = wanted(n, findings) else {
                return replay::PageRun::default();
            };
            // In the order they are reported (a stable sort: the same
            // findings as the whole run's sort keeps).
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let page = &index.pages[n];
            replay::PageRun {
                deps: replay::deps_of(index, dialect, page, (reads, true), &findings),
                stats: page_stats(index, n),
                aliases: replay::aliases_of(index, dialect, page),
                matched: reads.matched.get(n).cloned().unwrap_or_default(),
                findings,
            }
        })
        .collect();
    (pages, other)
}

/// What page number `n` adds to the summary's counts.
fn page_stats(index: &index::Index, n: usize) -> replay::PageStats {
    let p = &index.pages[n];
    if !p.reported {
        return replay::PageStats::default();
    }
    // Wiki links that lead nowhere are not among the page's links.
    let unresolved = p
        .wiki_targets
        .iter()
        .filter(|t| !matches!(t, index::wiki::WikiTarget::File(_)))
        .count();
    let links = p.link_count()
        + p.facts.external_links as usize
        + p.facts.unchecked.gitlab_references as usize
        + unresolved;
    let contributor_links = if p.facts.unchecked.all_contributors {
        p.links
            .iter()
            .filter(|l| rules::broken_fragment::contributor_key(p, l))
            .count()
    } else {
        0
    };
    let missing = p
        .links
        .iter()
        .filter(|l| matches!(l.target, index::resolve::Target::Missing { .. }))
        .map(|l| l.written());
    let unrendered = p.facts.rare.unrendered.iter().map(|u| u.dest.as_str());
    let template_links = missing
        .chain(unrendered)
        .filter(|written| rules::filled_by_macros(index, p, written))
        .count();
    let api_references = (0..p.facts.rare.undefined_refs.len())
        .filter(|&i| index.autoref(n, i) == Some(index::Autoref::Object))
        .count();
    replay::PageStats {
        links: links as u32,
        unchecked_wiki_links: p.facts.unchecked.wiki_links,
        ignored_custom_ids: p.facts.unchecked.custom_ids,
        gitlab_references: p.facts.unchecked.gitlab_references,
        contributor_links: contributor_links as u32,
        template_links: template_links as u32,
        api_references: api_references as u32,
    }
}

/// The files and folders whose findings are reported. A path is in scope
/// when it or one of its folders is listed: a lookup per `/` in the path,
/// so N paths over P pages cost O(P + N), not O(P x N).
struct Scope<'a> {
    all: bool,
    listed: std::collections::HashSet<&'a str>,
}

impl<'a> Scope<'a> {
    fn new(restricted: bool, paths: &'a [String]) -> Scope<'a> {
        Scope {
            all: !restricted || paths.iter().any(|p| p.is_empty()),
            listed: paths.iter().map(String::as_str).collect(),
        }
    }

    fn contains(&self, path: &str) -> bool {
        self.all
            || self.listed.contains(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.listed.contains(&path[..i]))
    }
}

fn active_rules(opts: &Options) -> Result<Vec<(&'static rules::Rule, Severity)>, Error> {
    for id in opts.severities.keys() {
        if rules::by_id(id).is_none() {
            return Err(Error::UnknownRule { id: id.clone() });
        }
    }
    // The command line wins over the rule file.
    let mut severities = opts.config.severities.clone();
    severities.extend(opts.severities.clone());
    Ok(rules::ALL
        .iter()
        .filter_map(|r| match severities.get(r.id) {
            Some(Some(s)) => Some((*r, *s)),
            Some(None) => None,
            None => r.default_enabled.then_some((*r, r.severity)),
        })
        .collect())
}

/// PATH arguments as root-relative prefixes.
fn reported_prefixes(root: &Path, paths: &[PathBuf]) -> Result<Vec<String>, Error> {
    paths
        .iter()
        .map(|p| {
            let abs = p.canonicalize().map_err(|e| Error::BadPath {
                path: p.clone(),
                reason: e.to_string(),
            })?;
            walk::relative(&abs, root).ok_or_else(|| Error::BadPath {
                path: p.clone(),
                reason: format!("it is outside the root `{}`", root.display()),
            })
        })
        .collect()
}
