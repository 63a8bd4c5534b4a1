//! The command line: the only file that names clap. Turns flags into [`Options`].

use clap::{Parser, Subcommand, ValueEnum};
use reftree::Options;
use reftree::report::Format;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "reftree",
    version,
    about = "Lint and cross-check Markdown reference trees"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a tree: links, fragments, encodings.
    Check(Box<CheckArgs>),
    /// List the rules.
    Rules,
    /// Look at a tree and write a starter `reftree.toml` at its root.
    Init {
        /// The tree [default: the git work tree's top, else the current folder].
        #[arg(long)]
        root: Option<PathBuf>,
        /// Print the file instead of writing it.
        #[arg(long)]
        print: bool,
        /// Overwrite an existing `reftree.toml`.
        #[arg(long)]
        force: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule id, as `reftree rules` lists them.
        rule: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders whose findings are reported (default: all). The
    /// whole root is indexed either way.
    pub paths: Vec<PathBuf>,
    /// The folder links resolve against [default: the git work tree's top, else the current folder].
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Report only the findings that the changes since this git revision
    /// introduced: the tree at REF is checked too (read from git) and its
    /// findings are left out, matched by rule, file (renames followed) and
    /// subject, not by line.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// With --changed-since: report every finding in the changed files and
    /// every finding elsewhere about them, old ones included.
    #[arg(long, requires = "changed_since")]
    pub all_findings: bool,
    /// Report only the findings that are not in this baseline file (written
    /// by --write-baseline), and list its entries that no longer occur.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings in this file as the baseline, report nothing,
    /// and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "fix", "fix_unsafe", "diff"])]
    pub write_baseline: Option<PathBuf>,
    /// Write the findings to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave pages matching this glob out of checking (repeatable). They still count as link targets.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The rule file [default: `reftree.toml` at the root, if there is one].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Start from a preset shipped with reftree (`sentinel-ninja`), as `extends` does.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Check as this tool renders the tree [default: the rule file's
    /// `dialect`, else `obsidian` with `.obsidian/` at the root, `mkdocs`
    /// with `mkdocs.yml`, `gitlab` with `.gitlab-ci.yml`, else `github`].
    #[arg(long, value_enum)]
    pub dialect: Option<DialectArg>,
    /// Set a rule's severity: `RULE=error|warning|info|off` (repeatable).
    #[arg(long, value_name = "RULE=LEVEL")]
    pub rule: Vec<String>,
    /// Pages larger than this many bytes are not parsed [default: 32 MiB].
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub max_page_bytes: u64,
    /// Apply the fixes that are certain (counts, encodings, letter case), then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Also apply fixes that are likely but not certain (a broken link's one close candidate).
    #[arg(long)]
    pub fix_unsafe: bool,
    /// Print the fixes as a unified diff and write nothing (with `--fix-unsafe`, the likely fixes too).
    #[arg(long)]
    pub diff: bool,
    /// Print no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Neither read nor write the page cache (also `REFTREE_NO_CACHE=1`).
    /// In a git repository, parsed pages are kept in `.git/reftree/` by
    /// default, and a run reads and parses only the pages that changed.
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the page cache in this folder (outside a git repository there
    /// is none otherwise; `.reftree-cache` at the root is never checked).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum DialectArg {
    Github,
    Gitlab,
    Obsidian,
    Mkdocs,
    Mdbook,
}

impl From<DialectArg> for reftree::dialect::Dialect {
    fn from(d: DialectArg) -> Self {
        use reftree::dialect::Dialect;
        match d {
            DialectArg::Github => Dialect::Github,
            DialectArg::Gitlab => Dialect::Gitlab,
            DialectArg::Obsidian => Dialect::Obsidian,
            DialectArg::Mkdocs => Dialect::Mkdocs,
            DialectArg::Mdbook => Dialect::Mdbook,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Human,
    Short,
    Json,
    Sarif,
    Github,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Short => Format::Short,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
        }
    }
}

impl CheckArgs {
    pub fn options(&self) -> Result<Options, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("error: cannot read the current folder: {e}"))?;
        let (root, config) = locate(
            &cwd,
            self.root.as_deref(),
            self.config.as_deref(),
            self.preset.as_deref(),
        )?;
        let mut severities = std::collections::HashMap::new();
        for r in &self.rule {
            let (id, level) = r
                .split_once('=')
                .ok_or_else(|| format!("error: --rule `{r}`: expected RULE=LEVEL"))?;
            let sev = match level {
                "error" => Some(reftree::diag::Severity::Error),
                "warning" => Some(reftree::diag::Severity::Warning),
                "info" => Some(reftree::diag::Severity::Info),
                "off" => None,
                other => {
                    return Err(format!(
                        "--rule `{r}`: unknown level `{other}` (error, warning, info, off)"
                    ));
                }
            };
            severities.insert(id.to_string(), sev);
        }
        let since = self.changed_since.as_ref().map(|rev| reftree::Since {
            rev: rev.clone(),
            all_findings: self.all_findings,
        });
        let baseline = match &self.baseline {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("error: cannot read the baseline `{}`: {e}", path.display())
                })?;
                let b = reftree::baseline::Baseline::parse(&text).map_err(|e| {
                    format!(
                        "error: `{}` is not a reftree baseline: {e} (write one with --write-baseline)",
                        path.display()
                    )
                })?;
                Some((path.display().to_string(), b))
            }
            None => None,
        };
        Ok(Options {
            progress: Some(Default::default()),
            fingerprints: self.writes(),
            since,
            baseline,
            config,
            root,
            paths: self.paths.clone(),
            exclude: self.exclude.clone(),
            severities,
            max_page_bytes: self.max_page_bytes,
            dialect: self.dialect.map(Into::into),
            cache: self.cache(),
            // `--fix` checks again after writing; a plain check ends here.
            exit_after: !self.writes(),
            own_process: true,
            overlay: Default::default(),
        })
    }

    /// Whether this run writes fixes: `--fix` or `--fix-unsafe`, never
    /// beside `--diff` (which shows them, the likely ones too with
    /// `--fix-unsafe`).
    pub fn writes(&self) -> bool {
        (self.fix || self.fix_unsafe) && !self.diff
    }

    fn cache(&self) -> reftree::CacheUse {
        let off = std::env::var_os("REFTREE_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
        match &self.cache_dir {
            _ if self.no_cache => reftree::CacheUse::Off,
            Some(dir) => reftree::CacheUse::In(dir.clone()),
            None if off => reftree::CacheUse::Off,
            None => reftree::CacheUse::DefaultPlace,
        }
    }
}

/// The root and the rule file in force. The rule file: `--config FILE`,
/// else the first `reftree.toml` from `--root` (or the current folder)
/// upward to the top of the git work tree; `--preset` underneath. The
/// root: `--root`, else the rule file's `root = "..."` (relative to its
/// folder), else the folder of a `reftree.toml` found, else the git work
/// tree's top (or the current folder).
fn locate(
    cwd: &std::path::Path,
    root: Option<&std::path::Path>,
    file: Option<&std::path::Path>,
    preset: Option<&str>,
) -> Result<(PathBuf, reftree::config::Config), String> {
    let start = root.unwrap_or(cwd);
    let found = match file {
        Some(_) => None,
        None => rule_file_upward(start)?,
    };
    let path = file.map(|f| f.to_path_buf()).or_else(|| found.clone());
    let text = match &path {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| format!("error: cannot read the rule file `{}`: {e}", p.display()))?,
        ),
        None => None,
    };
    // The file's name as findings show it: relative to the current folder.
    let shown = path.as_ref().map(|p| {
        let abs = p.canonicalize().unwrap_or_else(|_| p.clone());
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        reftree::walk::relative(&abs, &cwd).unwrap_or_else(|| p.display().to_string())
    });
    let loaded = shown.as_deref().zip(text.as_deref());
    let config = reftree::config::Config::load(preset, loaded).map_err(|e| e.render())?;
    let folder = path.as_ref().and_then(|p| p.parent()).map(|d| {
        if d.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            d
        }
    });
    let root = match (root, &config.root, folder) {
        (Some(r), _, _) => r.to_path_buf(),
        (None, Some(r), Some(dir)) => {
            let joined = dir.join(r);
            // A symlink must not take the root out of the rule file's folder.
            let (real, base) = (joined.canonicalize(), dir.canonicalize());
            if let (Ok(real), Ok(base)) = (&real, &base)
                && !real.starts_with(base)
            {
                return Err(format!(
                    "error: the rule file's `root = \"{r}\"` leads to `{}`, outside `{}`",
                    real.display(),
                    base.display()
                ));
            }
            joined
        }
        (None, None, Some(dir)) if found.is_some() => dir.to_path_buf(),
        _ => reftree::default_root(cwd),
    };
    Ok((root, config))
}

/// The first `reftree.toml` from `start` upward to the top of the git work
/// tree that holds it (only `start` outside a work tree).
fn rule_file_upward(start: &std::path::Path) -> Result<Option<PathBuf>, String> {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    let top = reftree::default_root(&start);
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        if let Some(f) = rule_file_at_root(&top, d.join("reftree.toml"))? {
            return Ok(Some(f));
        }
        if d == top {
            break;
        }
        dir = d.parent();
    }
    Ok(None)
}

/// `reftree.toml` at the root, if it is a file inside the root. One that is
/// a symlink out of the root is refused: a pull request could point it at
/// `/proc/self/environ` and have its text echoed into a public CI log.
fn rule_file_at_root(
    root: &std::path::Path,
    found: std::path::PathBuf,
) -> Result<Option<std::path::PathBuf>, String> {
    if std::fs::symlink_metadata(&found).is_err() {
        return Ok(None);
    }
    let Ok(real) = found.canonicalize() else {
        return Ok(None); // a dangling symlink: no rule file
    };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if !real.starts_with(&root) {
        return Err(format!(
            "error: `{}` is a symlink to `{}`, outside the root; it was not read (give it with `--config` if it is meant)",
            found.display(),
            real.display()
        ));
    }
    Ok(real.is_file().then_some(found))
}
