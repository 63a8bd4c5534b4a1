//! Markdown dialects: how a tree's links are written and resolved, and how
//! its headings become anchors. The same Markdown file renders differently
//! on GitHub, GitLab, in an Obsidian vault and on an MkDocs site; reftree
//! checks it as the tool it is written for renders it, and says which.

use std::path::Path;

pub mod mkdocs;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// GitHub's rendering (GFM): `[text](path)` links, GitHub's anchors;
    /// `[[wiki]]` links and `{#id}` are plain text.
    #[default]
    Github,
    /// GitLab's rendering: as GitHub where their rules agree.
    Gitlab,
    /// An Obsidian vault: `[[wiki]]` links and embeds, `^block` ids.
    Obsidian,
    /// An MkDocs site: `{#id}` (attr_list) sets a heading's anchor.
    Mkdocs,
    /// An mdBook book: `{#id}` sets a heading's anchor, a page `x.md` is
    /// served as `x.html` (so `[t](x.html)` links to it), a folder's
    /// `README.md` as its `index.html`.
    Mdbook,
}

impl Dialect {
    pub const ALL: [Dialect; 5] = [
        Dialect::Github,
        Dialect::Gitlab,
        Dialect::Obsidian,
        Dialect::Mkdocs,
        Dialect::Mdbook,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Github => "github",
            Dialect::Gitlab => "gitlab",
            Dialect::Obsidian => "obsidian",
            Dialect::Mkdocs => "mkdocs",
            Dialect::Mdbook => "mdbook",
        }
    }

    /// The tool that renders the tree, by its own name (for messages).
    pub fn tool(self) -> &'static str {
        match self {
            Dialect::Github => "GitHub",
            Dialect::Gitlab => "GitLab",
            Dialect::Obsidian => "Obsidian",
            Dialect::Mkdocs => "MkDocs",
            Dialect::Mdbook => "mdBook",
        }
    }

    /// How the renderer makes a heading's anchor, in a few words (for helps).
    pub fn anchor_rule(self) -> &'static str {
        match self {
            Dialect::Github | Dialect::Obsidian => "lowercase, spaces to `-`",
            Dialect::Gitlab => "lowercase, runs of spaces and hyphens to one `-`",
            Dialect::Mkdocs => {
                "by Python-Markdown's `toc` as `mkdocs.yml` sets it: by default folded to ASCII, lowercase, runs of spaces and hyphens to one `-`, repeats `_1`"
            }
            Dialect::Mdbook => "lowercase, spaces to `-`, `section` when nothing is left",
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Whether `[[wiki]]` links are links in this dialect.
    pub fn has_wiki_links(self) -> bool {
        self == Dialect::Obsidian
    }

    /// Whether a heading's trailing `{#id}` is its anchor.
    pub fn has_custom_ids(self) -> bool {
        matches!(self, Dialect::Mkdocs | Dialect::Mdbook)
    }

    /// Whether a link to `x.html` reaches the page `x.md` (and `index.html`
    /// a folder's `README.md`): the site is built from the Markdown.
    pub fn serves_pages_as_html(self) -> bool {
        self == Dialect::Mdbook
    }

    /// Whether the page at `path` (root-relative) is a template that this
    /// forge puts into the text of a new issue or pull (merge) request:
    /// `.github/ISSUE_TEMPLATE/*.md`, `.github/PULL_REQUEST_TEMPLATE/*.md`,
    /// a `pull_request_template.md` (any case) at the top, in `docs/` or
    /// in `.github/`; GitLab's `.gitlab/issue_templates/*.md` and
    /// `.gitlab/merge_request_templates/*.md`. There, a link to `/path`
    /// is read from the forge's site (`/owner/repo/blob/main/x.md`), not
    /// from the repository.
    pub fn is_body_template(self, path: &str) -> bool {
        // Compared without a lowercase copy: this runs once per page.
        let is = |s: &str, names: &[&str]| names.iter().any(|n| s.eq_ignore_ascii_case(n));
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        let md = name.len() >= 3 && name.as_bytes()[name.len() - 3..].eq_ignore_ascii_case(b".md");
        match self {
            Dialect::Github if md => {
                is(
                    folder,
                    &[".github/issue_template", ".github/pull_request_template"],
                ) || (is(folder, &["", "docs", ".github"])
                    && is(name, &["pull_request_template.md", "issue_template.md"]))
            }
            Dialect::Gitlab if md => is(
                folder,
                &[".gitlab/issue_templates", ".gitlab/merge_request_templates"],
            ),
            _ => false,
        }
    }

    /// Whether a link whose whole destination is a GitLab reference
    /// (`group/project!123`, `project@0a4cdd86`) leads to that merge
    /// request, issue or commit, as on GitLab ([`gitlab_reference`]).
    pub fn links_references(self) -> bool {
        self == Dialect::Gitlab
    }

    /// The pages that stand for a folder, in the order the tool looks for
    /// them: a link to `sub/#part` anchors into the first that exists.
    /// GitHub and GitLab show a folder's README; MkDocs makes `index.md`
    /// the folder's page, else `README.md`; Obsidian has none.
    pub fn folder_pages(self) -> &'static [&'static str] {
        match self {
            Dialect::Github => &["README.md", "readme.md", "Readme.md"],
            Dialect::Gitlab => &["README.md", "readme.md", "index.md"],
            Dialect::Mkdocs | Dialect::Mdbook => &["index.md", "README.md"],
            Dialect::Obsidian => &[],
        }
    }

    /// How this dialect resolves a link to `/path` in the tree at `root`
    /// (canonical). GitHub and GitLab: from the repository top, so the
    /// root's own place there is stripped (`/docs/x.md` is `x.md` when the
    /// root is `docs/`) and any other `/path` leaves the root. MkDocs: from
    /// `docs_dir` (`mkdocs.yml`'s, else `docs`) when `mkdocs.yml` is at the
    /// root. mdBook: from the book's `src` (`book.toml`'s, else `src`).
    /// Obsidian: from the vault's top, the root.
    pub fn absolute(self, root: &Path) -> Absolute {
        match self {
            Dialect::Github | Dialect::Gitlab => {
                let top = crate::default_root(root);
                let strip = crate::walk::relative(root, &top).unwrap_or_default();
                Absolute {
                    strip,
                    add: String::new(),
                }
            }
            Dialect::Mkdocs => Absolute {
                strip: String::new(),
                add: docs_dir(root).unwrap_or_default(),
            },
            Dialect::Mdbook => Absolute {
                strip: String::new(),
                add: book_src(root).unwrap_or_default(),
            },
            Dialect::Obsidian => Absolute::default(),
        }
    }

    /// The folders sites are built from, root-relative: for MkDocs each
    /// `mkdocs.yml`'s `docs_dir`, for mdBook each `book.toml`'s `src`,
    /// wherever the file is among `files` (a repository may hold several
    /// books); under Obsidian each folder (below the root) holding
    /// `.obsidian/`, a vault of its own; in any dialect, the folders of
    /// `dirs` that `configured` (the rule file's `sites` globs) matches.
    /// Innermost first. A page in one of them links only within it: the
    /// built site (or the vault) has nothing outside.
    pub fn sites(
        self,
        root: &Path,
        files: &[String],
        dirs: &[String],
        configured: &[String],
    ) -> Vec<Site> {
        let mut sites: Vec<Site> = Vec::new();
        let folder = |dir: &str| Site {
            dir: dir.to_string(),
            appended: Vec::new(),
            snippet_bases: Vec::new(),
            directory_urls: false,
            macros: false,
            autorefs: mkdocs::Autorefs::Off,
        };
        if !configured.is_empty() {
            let mut globs = globset::GlobSetBuilder::new();
            // The rule file checked each when it was read.
            for glob in configured
                .iter()
                .filter_map(|g| crate::config::site_glob(g).ok())
            {
                globs.add(glob);
            }
            if let Ok(globs) = globs.build() {
                // Not hidden folders (`.obsidian/`, `.github/`), which `*` matches.
                let hidden = |d: &str| d.rsplit('/').next().is_some_and(|n| n.starts_with('.'));
                let matched = dirs
                    .iter()
                    .filter(|d| !d.is_empty() && !hidden(d) && globs.is_match(d));
                sites.extend(matched.map(|d| folder(d)));
            }
        }
        if self == Dialect::Obsidian {
            // Looked for on disk, not among `dirs`: the tree at a revision
            // (`--changed-since`) has the work tree's vaults, `.obsidian/`
            // being often left out of git.
            let vault = |d: &&String| {
                !d.is_empty()
                    && !d.ends_with("/.obsidian")
                    && std::fs::symlink_metadata(root.join(d.as_str()).join(".obsidian"))
                        .is_ok_and(|m| m.is_dir())
            };
            sites.extend(dirs.iter().filter(vault).map(|d| folder(d)));
        }
        let names: &[&str] = match self {
            Dialect::Mkdocs => &MKDOCS_YML,
            Dialect::Mdbook => &["book.toml"],
            _ => &[],
        };
        // Built the first time a config appends files to its pages.
        let mut known: Option<std::collections::HashSet<&str>> = None;
        for f in files {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
            if !names.contains(&name) {
                continue;
            }
            let folder = root.join(dir);
            let Some(text) = config_text(&folder, name) else {
                continue;
            };
            let site = match self {
                Dialect::Mdbook => book_src_in(&text),
                _ => Some(docs_dir_in(&text)),
            };
            let Some(site) = site.and_then(|site| inside(&folder, &site)) else {
                continue;
            };
            let under = |p: &str| {
                if dir.is_empty() {
                    p.to_string()
                } else {
                    format!("{dir}/{p}")
                }
            };
            let mut appended = Vec::new();
            let mut snippet_bases = Vec::new();
            let config = match self {
                Dialect::Mkdocs => mkdocs::site_in(&text),
                _ => mkdocs::SiteConfig::default(),
            };
            if self == Dialect::Mkdocs {
                let (append, bases) = (&config.auto_append, &config.snippet_bases);
                snippet_bases = bases
                    .iter()
                    .filter_map(|b| inside(&folder, b))
                    .map(|b| {
                        if b == "." {
                            under("").trim_end_matches('/').to_string()
                        } else {
                            under(&b)
                        }
                    })
                    .collect();
                for a in append {
                    let known =
                        known.get_or_insert_with(|| files.iter().map(String::as_str).collect());
                    let found = bases
                        .iter()
                        .map(|b| {
                            under(
                                &format!("{b}/{a}")
                                    .trim_start_matches("./")
                                    .replace("/./", "/"),
                            )
                        })
                        .find(|p| known.contains(p.as_str()));
                    appended.extend(found);
                }
            }
            sites.push(Site {
                dir: under(&site),
                appended,
                snippet_bases,
                directory_urls: config.directory_urls,
                macros: config.macros,
                autorefs: config.autorefs,
            });
        }
        sites.sort_by(|a, b| b.dir.len().cmp(&a.dir.len()).then(a.dir.cmp(&b.dir)));
        // The same folder twice (a vault the rule file names too): one
        // site, keeping what a config appends to its pages.
        sites.dedup_by(|later, first| {
            let same = later.dir == first.dir;
            if same && first.appended.is_empty() {
                first.appended = std::mem::take(&mut later.appended);
            }
            same
        });
        sites
    }

    /// The dialect the tree at `root` is written for, from what is at its
    /// root (never following a symlink out of it), and why.
    pub fn detect(root: &Path) -> (Dialect, &'static str) {
        let meta = |name: &str| std::fs::symlink_metadata(root.join(name)).ok();
        let is_dir = |name: &str| meta(name).is_some_and(|m| m.is_dir());
        let is_file = |name: &str| meta(name).is_some_and(|m| m.is_file());
        if is_dir(".obsidian") {
            (Dialect::Obsidian, "`.obsidian/` at the root")
        } else if vaults_below(root) {
            (Dialect::Obsidian, "`.obsidian/` in folders at the root")
        } else if is_file("mkdocs.yml") || is_file("mkdocs.yaml") {
            (Dialect::Mkdocs, "`mkdocs.yml` at the root")
        } else if is_file("book.toml") {
            (Dialect::Mdbook, "`book.toml` at the root")
        } else if is_file(".gitlab-ci.yml") || is_dir(".gitlab") {
            (
                Dialect::Gitlab,
                "`.gitlab-ci.yml` or `.gitlab/` at the root",
            )
        } else {
            (Dialect::Github, "the default")
        }
    }
}

/// What a link destination written as a GitLab reference names, if it is
/// one. GitLab turns a link whose whole destination is a reference into a
/// link to the object (`[merge request](gitlab-org/gitlab!123)` goes to
/// that merge request), and its changelog generator writes changelogs so
/// (`[Feature 1](gitlab-org/gitlab@123abc)`: docs.gitlab.com,
/// "Changelogs"); GitHub and the others read the same text as a relative
/// path. The forms are those of "GitLab-specific references"
/// (docs.gitlab.com, "GitLab Flavored Markdown") that can be a whole
/// destination: `#123` issue, `!123` merge request, `$123` snippet, `&123`
/// epic, `~label`, each after an optional `project` or `group/project`
/// path; `project@0a4cdd86`, a commit, and `project@a...b`, a range (the
/// documentation's own example has a short `@123abc`); a bare commit SHA
/// (7 to 40 hex digits, as GitLab matches it); `@name`, a user or group. Milestones (`%name`) are left
/// out: `%20` is a percent-encoded space. A path whose last part has a dot
/// before `#123` (`guide.md#123`) is a file and its fragment.
pub fn gitlab_reference(dest: &str) -> Option<&'static str> {
    use regex::Regex;
    use std::sync::LazyLock;
    static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?x)^
            (?P<project>/?[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*)?
            (?:
                (?P<sigil>[\#!$&])[0-9]+
              | @(?P<commit>[0-9a-f]{1,40}(?:\.{2,3}[0-9a-f]{1,40})?)
              | @(?P<user>[A-Za-z0-9_][A-Za-z0-9_.\-]*)
              | ~(?P<label>[A-Za-z0-9_][A-Za-z0-9_.:?&\-]*)
            )$",
        )
        .expect("the GitLab reference pattern compiles")
    });
    static COMMIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[0-9a-f]{7,40}(?:\.{2,3}[0-9a-f]{7,40})?$")
            .expect("the commit pattern compiles")
    });
    if COMMIT.is_match(dest) {
        return Some("commit");
    }
    let c = REFERENCE.captures(dest)?;
    let project = c.name("project").map(|m| m.as_str());
    if let Some(sigil) = c.name("sigil") {
        let last = project.map_or("", |p| p.rsplit('/').next().unwrap_or(p));
        return match sigil.as_str() {
            "#" if last.contains('.') => None,
            "#" => Some("issue"),
            "!" => Some("merge request"),
            "$" => Some("snippet"),
            _ => Some("epic"),
        };
    }
    if c.name("commit").is_some() && project.is_some() {
        return Some("commit");
    }
    if c.name("label").is_some() {
        return Some("label");
    }
    // `@name` alone mentions a user or group; after a project it names
    // nothing (a commit is hex).
    project.is_none().then_some("user or group")
}

/// Whether a folder at the root holds `.obsidian/`: a repository of
/// vaults (one per language, say).
fn vaults_below(root: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(root) else {
        return false;
    };
    entries.flatten().any(|e| {
        e.file_type().is_ok_and(|t| t.is_dir())
            && std::fs::symlink_metadata(e.path().join(".obsidian")).is_ok_and(|m| m.is_dir())
    })
}

/// A folder a site is built from (root-relative), and the files (also
/// root-relative) appended to each of its pages (MkDocs' snippets
/// `auto_append`, looked for in each `base_path`, else beside `mkdocs.yml`;
/// only files among those walked, never through a symlink out of the root).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub dir: String,
    pub appended: Vec<String>,
    /// How `[text][label]` with no definition is read (MkDocs' autorefs).
    pub autorefs: mkdocs::Autorefs,
    /// MkDocs serves `a/b.md` at `a/b/` (`use_directory_urls`); else at `a/b.html`.
    pub directory_urls: bool,
    /// Its pages are templates a macros plugin renders (`{{ page.url }}`).
    pub macros: bool,
    /// The folders (root-relative, `""` for the root) in which
    /// `pymdownx.snippets` looks for the files a page includes with
    /// `--8<-- "file.md"`; none when the extension is off.
    pub snippet_bases: Vec<String>,
}

/// How `/path` links resolve: `strip` is taken off the front of the path
/// (a path without it leaves the root), `add` put in its place. Both are
/// `/`-separated folders, `""` for none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Absolute {
    pub strip: String,
    pub add: String,
}

/// The `docs_dir` of an `mkdocs.yml` (or `.yaml`) at `root`, relative to
/// it; `docs` when the file does not say. `None` without the file, or
/// when the folder is not inside the root.
fn docs_dir(root: &Path) -> Option<String> {
    let text = MKDOCS_YML.iter().find_map(|name| config_text(root, name))?;
    inside(root, &docs_dir_in(&text))
}

/// The names MkDocs reads its configuration from.
const MKDOCS_YML: [&str; 2] = ["mkdocs.yml", "mkdocs.yaml"];

/// The text of the configuration file `name` in `folder`: only a regular
/// file (not a symlink, which could lead out of the root).
fn config_text(folder: &Path, name: &str) -> Option<String> {
    let path = folder.join(name);
    std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.is_file())?;
    std::fs::read_to_string(path).ok()
}

/// An `mkdocs.yml`'s `docs_dir`, as written; `docs` when it does not say.
fn docs_dir_in(text: &str) -> String {
    // A top-level key: `docs_dir: site/docs` (quotes and a comment allowed).
    text.lines()
        .find_map(|l| l.strip_prefix("docs_dir:"))
        .map(|v| {
            let v = v.split(" #").next().unwrap_or(v).trim();
            v.trim_matches(['"', '\''])
                .trim_end_matches('/')
                .to_string()
        })
        .unwrap_or_else(|| "docs".into())
}

/// `dir` (relative to `root`, as a config file writes it) when it is a
/// folder inside the root.
fn inside(root: &Path, dir: &str) -> Option<String> {
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let inside = !dir.starts_with('/') && dir.split('/').all(|c| c != "..");
    (inside && root.join(dir).is_dir()).then(|| dir.to_string())
}

/// The `src` of a `book.toml` at `root` (`[book] src`, else `src`), when
/// it is a folder inside the root.
fn book_src(root: &Path) -> Option<String> {
    let text = config_text(root, "book.toml")?;
    inside(root, &book_src_in(&text)?)
}

/// A `book.toml`'s `[book] src`, as written; `src` when it does not say,
/// `None` when the file is not TOML.
fn book_src_in(text: &str) -> Option<String> {
    let config: toml::Table = text.parse().ok()?;
    let src = config
        .get("book")
        .and_then(|b| b.get("src"))
        .and_then(|s| s.as_str());
    Some(src.unwrap_or("src").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_references_are_read_as_gitlab_reads_them() {
        // GitLab's changelog documentation (its default output), and the
        // lines its generator wrote into a real CHANGELOG.md.
        for (dest, what) in [
            ("gitlab-org/gitlab@123abc", "commit"),
            ("gitlab-org/gitlab!123", "merge request"),
            ("gitlab-org/gitlab@456", "commit"),
            (
                "gitlab-org/omnibus-gitlab@c57ed50b1b4efea9df80728bc47c541162c48803",
                "commit",
            ),
            ("gitlab-org/security/omnibus-gitlab!9545", "merge request"),
            // "GitLab-specific references", in its documented forms.
            ("#123", "issue"),
            ("namespace/project#123", "issue"),
            ("project!123", "merge request"),
            ("!123", "merge request"),
            ("$123", "snippet"),
            ("group1/subgroup&123", "epic"),
            ("~bug", "label"),
            ("namespace/project~bug", "label"),
            ("9ba12248", "commit"),
            ("9ba12248...b19a04f5", "commit"),
            ("namespace/project@9ba12248...b19a04f5", "commit"),
            ("@user_name", "user or group"),
        ] {
            assert_eq!(gitlab_reference(dest), Some(what), "{dest}");
        }
        // Paths, fragments and encodings stay links to files.
        for dest in [
            "guide.md",
            "guide.md#123",
            "docs/setup.md#install",
            "My%20Note.md",
            "%20",
            "#overview",
            "abc123",
            "user@example.com",
            "../x!y",
            "backup.md~",
            "img/logo.png",
        ] {
            assert_eq!(gitlab_reference(dest), None, "{dest}");
        }
        assert!(Dialect::Gitlab.links_references());
        assert!(!Dialect::Github.links_references());
    }

    #[test]
    fn a_tree_says_what_it_is_written_for() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Dialect::detect(dir.path()).0, Dialect::Github);
        std::fs::write(dir.path().join(".gitlab-ci.yml"), "").unwrap();
        assert_eq!(Dialect::detect(dir.path()).0, Dialect::Gitlab);
        std::fs::write(dir.path().join("mkdocs.yml"), "site_name: x\n").unwrap();
        assert_eq!(Dialect::detect(dir.path()).0, Dialect::Mkdocs);
        std::fs::create_dir(dir.path().join(".obsidian")).unwrap();
        assert_eq!(Dialect::detect(dir.path()).0, Dialect::Obsidian);
        let book = tempfile::tempdir().unwrap();
        std::fs::write(book.path().join("book.toml"), "[book]\n").unwrap();
        assert_eq!(Dialect::detect(book.path()).0, Dialect::Mdbook);
        for d in Dialect::ALL {
            assert_eq!(Dialect::from_name(d.name()), Some(d));
        }
        // A repository of vaults: `.obsidian/` in a folder at the root.
        let vaults = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(vaults.path().join("en/.obsidian")).unwrap();
        assert_eq!(
            Dialect::detect(vaults.path()),
            (Dialect::Obsidian, "`.obsidian/` in folders at the root")
        );
    }

    #[test]
    fn vaults_and_the_rule_files_sites_are_sites() {
        let dirs: Vec<String> = ["", ".obsidian", "en", "en/.obsidian", "de", "de/x", "docs"]
            .map(String::from)
            .to_vec();
        let root = tempfile::tempdir().unwrap();
        for d in &dirs {
            std::fs::create_dir_all(root.path().join(d)).unwrap();
        }
        let sites = |d: Dialect, configured: &[&str]| -> Vec<String> {
            let configured: Vec<String> = configured.iter().map(|s| s.to_string()).collect();
            d.sites(root.path(), &[], &dirs, &configured)
                .into_iter()
                .map(|s| s.dir)
                .collect()
        };
        // The root's own `.obsidian/` makes no site: the root is the vault.
        assert_eq!(sites(Dialect::Obsidian, &[]), ["en"]);
        assert_eq!(sites(Dialect::Github, &[]), Vec::<String>::new());
        // `*` is one folder deep; a vault the rule file names too is one site.
        assert_eq!(sites(Dialect::Obsidian, &["*"]), ["docs", "de", "en"]);
        assert_eq!(sites(Dialect::Github, &["de/*"]), ["de/x"]);
    }
}

#[cfg(test)]
mod absolute_tests {
    use super::*;

    #[test]
    fn mkdocs_resolves_absolute_links_in_docs_dir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(Dialect::Mkdocs.absolute(root), Absolute::default());
        std::fs::write(root.join("mkdocs.yml"), "site_name: x\n").unwrap();
        std::fs::create_dir(root.join("docs")).unwrap();
        assert_eq!(Dialect::Mkdocs.absolute(root).add, "docs");
        std::fs::create_dir_all(root.join("site/src")).unwrap();
        std::fs::write(
            root.join("mkdocs.yml"),
            "site_name: x\ndocs_dir: 'site/src/' # the sources\n",
        )
        .unwrap();
        assert_eq!(Dialect::Mkdocs.absolute(root).add, "site/src");
        std::fs::write(root.join("mkdocs.yml"), "docs_dir: ../elsewhere\n").unwrap();
        assert_eq!(Dialect::Mkdocs.absolute(root).add, "");
    }

    #[test]
    fn mkdocs_snippets_auto_append_is_read_from_mkdocs_yml() {
        let text = "site_name: x\nextra:\n  key: !ENV KEY\nmarkdown_extensions:\n  - toc:\n      permalink: true\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n  - pymdownx.snippets:\n      auto_append:\n        - includes/links.md\n      base_path: [docs, .]\n";
        let snippets = |text| {
            let c = mkdocs::site_in(text);
            (c.auto_append, c.snippet_bases)
        };
        assert_eq!(
            snippets(text),
            (
                vec!["includes/links.md".to_string()],
                vec!["docs".to_string(), ".".to_string()]
            )
        );
        assert_eq!(snippets("site_name: x\n"), (Vec::new(), Vec::new()));
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("mkdocs.yml"), text).unwrap();
        let files = ["mkdocs.yml".to_string(), "includes/links.md".to_string()];
        assert_eq!(
            Dialect::Mkdocs.sites(root, &files, &[], &[]),
            [Site {
                dir: "docs".into(),
                appended: vec!["includes/links.md".into()],
                snippet_bases: vec!["docs".into(), String::new()],
                directory_urls: true,
                macros: false,
                autorefs: mkdocs::Autorefs::Off,
            }]
        );
        assert!(Dialect::Github.sites(root, &files, &[], &[]).is_empty());
    }

    #[test]
    fn mdbook_resolves_absolute_links_in_the_books_src() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("book.toml"), "[book]\ntitle = \"x\"\n").unwrap();
        assert_eq!(Dialect::Mdbook.absolute(root).add, "");
        std::fs::create_dir(root.join("src")).unwrap();
        assert_eq!(Dialect::Mdbook.absolute(root).add, "src");
        std::fs::create_dir(root.join("pages")).unwrap();
        std::fs::write(root.join("book.toml"), "[book]\nsrc = \"./pages/\"\n").unwrap();
        assert_eq!(Dialect::Mdbook.absolute(root).add, "pages");
        std::fs::write(root.join("book.toml"), "[book]\nsrc = \"../up\"\n").unwrap();
        assert_eq!(Dialect::Mdbook.absolute(root).add, "");
    }

    #[test]
    fn issue_and_pull_request_templates_are_told_by_their_place() {
        let github = |p| Dialect::Github.is_body_template(p);
        assert!(github(".github/PULL_REQUEST_TEMPLATE.md"));
        assert!(github("pull_request_template.md"));
        assert!(github("docs/Pull_Request_Template.md"));
        assert!(github(".github/PULL_REQUEST_TEMPLATE/feature.md"));
        assert!(github(".github/ISSUE_TEMPLATE/bug_report.md"));
        assert!(github(".Github/Issue_Template/BUG.MD"), "any case");
        assert!(!github(".github/ISSUE_TEMPLATE/config.yml"));
        assert!(
            !github(".github/ISSUE_TEMPLATE/old/bug.md"),
            "one folder deep only"
        );
        assert!(!github("guide/pull_request_template.md"));
        assert!(!github(".gitlab/issue_templates/bug.md"));
        let gitlab = |p| Dialect::Gitlab.is_body_template(p);
        assert!(gitlab(".gitlab/merge_request_templates/default.md"));
        assert!(gitlab(".gitlab/issue_templates/Bug.md"));
        assert!(!gitlab(".github/PULL_REQUEST_TEMPLATE.md"));
        assert!(!Dialect::Mkdocs.is_body_template(".github/PULL_REQUEST_TEMPLATE.md"));
    }
}
