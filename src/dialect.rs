//! Markdown dialects: how a tree's links are written and resolved, and how
//! its headings become anchors. The same Markdown file renders differently
//! on GitHub, GitLab, in an Obsidian vault and on an MkDocs site; reftree
//! checks it as the tool it is written for renders it, and says which.

use std::path::Path;

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
}

impl Dialect {
    pub const ALL: [Dialect; 4] = [
        Dialect::Github,
        Dialect::Gitlab,
        Dialect::Obsidian,
        Dialect::Mkdocs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Github => "github",
            Dialect::Gitlab => "gitlab",
            Dialect::Obsidian => "obsidian",
            Dialect::Mkdocs => "mkdocs",
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
        self == Dialect::Mkdocs
    }

    /// The dialect the tree at `root` is written for, from what is at its
    /// root (never following a symlink out of it), and why.
    pub fn detect(root: &Path) -> (Dialect, &'static str) {
        let meta = |name: &str| std::fs::symlink_metadata(root.join(name)).ok();
        let is_dir = |name: &str| meta(name).is_some_and(|m| m.is_dir());
        let is_file = |name: &str| meta(name).is_some_and(|m| m.is_file());
        if is_dir(".obsidian") {
            (Dialect::Obsidian, "`.obsidian/` at the root")
        } else if is_file("mkdocs.yml") || is_file("mkdocs.yaml") {
            (Dialect::Mkdocs, "`mkdocs.yml` at the root")
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

#[cfg(test)]
mod tests {
    use super::*;

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
        for d in Dialect::ALL {
            assert_eq!(Dialect::from_name(d.name()), Some(d));
        }
    }
}
