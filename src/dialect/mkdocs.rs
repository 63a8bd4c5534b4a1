//! What an `mkdocs.yml` says about its pages' Markdown: how the `toc`
//! extension makes heading anchors (`slugify`, `separator`), and whether
//! the `footnotes` extension gives footnotes their `fn:` anchors. MkDocs
//! always loads `toc` (<https://www.mkdocs.org/user-guide/configuration/#markdown_extensions>);
//! the rest is what `markdown_extensions` lists.

use crate::parse::slug::{Case, Normalize, Style};
use std::path::Path;
use yaml_rust2::parser::{Event, Parser};

/// The Markdown settings of an MkDocs site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Markdown {
    /// How headings get their anchors.
    pub anchors: Style,
    /// Footnotes are anchors `fn:LABEL` (and their references `fnref:LABEL`).
    pub footnotes: bool,
}

impl Default for Markdown {
    /// Without an `mkdocs.yml` to read: `toc`'s defaults, and footnotes
    /// taken as on (a link to `#fn:1` is not reported for want of a setting).
    fn default() -> Self {
        Markdown {
            anchors: Style::of(crate::dialect::Dialect::Mkdocs),
            footnotes: true,
        }
    }
}

/// The settings of the `mkdocs.yml` (or `.yaml`) at `root`, if any.
pub fn markdown(root: &Path) -> Markdown {
    super::MKDOCS_YML
        .iter()
        .find_map(|name| super::config_text(root, name))
        .map_or_else(Markdown::default, |text| markdown_in(&text))
}

/// A YAML node with the tags MkDocs' configuration uses
/// (`!!python/name:markdown.extensions.toc.slugify_unicode`).
#[derive(Debug)]
enum Node {
    Scalar(String, Option<String>),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>, Option<String>),
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs, _) => pairs
                .iter()
                .find_map(|(k, v)| (k.str() == Some(key)).then_some(v)),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    fn tag(&self) -> Option<&str> {
        match self {
            Node::Scalar(_, t) | Node::Map(_, t) => t.as_deref(),
            Node::Seq(_) => None,
        }
    }
}

/// A collection being read.
enum Frame {
    Seq(Vec<Node>),
    Map {
        pairs: Vec<(Node, Node)>,
        key: Option<Node>,
        tag: Option<String>,
    },
}

/// The first document of `text`, tags kept; `None` when it does not parse.
fn load(text: &str) -> Option<Node> {
    let mut parser = Parser::new_from_str(text);
    let tag = |t: Option<yaml_rust2::parser::Tag>| t.map(|t| t.suffix);
    let mut open: Vec<Frame> = Vec::new();
    loop {
        let (event, _) = parser.next_token().ok()?;
        let node = match event {
            Event::StreamEnd | Event::DocumentEnd => return None,
            Event::Scalar(value, _, _, t) => Node::Scalar(value, tag(t)),
            // `*name`: a node written elsewhere; a placeholder keeps a
            // mapping's keys and values paired.
            Event::Alias(_) => Node::Scalar(String::new(), None),
            Event::SequenceStart(..) => {
                open.push(Frame::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(_, t) => {
                open.push(Frame::Map {
                    pairs: Vec::new(),
                    key: None,
                    tag: tag(t),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop()? {
                Frame::Seq(items) => Node::Seq(items),
                Frame::Map { pairs, tag, .. } => Node::Map(pairs, tag),
            },
            _ => continue,
        };
        match open.last_mut() {
            None => return Some(node),
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map { pairs, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
    }
}

/// The settings in the text of an `mkdocs.yml`; MkDocs' defaults where it
/// says nothing (or does not parse).
fn markdown_in(text: &str) -> Markdown {
    let mut found = Markdown {
        footnotes: false,
        ..Markdown::default()
    };
    let Some(config) = load(text) else {
        return Markdown::default();
    };
    for (name, options) in entries(&config, "markdown_extensions") {
        let name = name.strip_prefix("markdown.extensions.").unwrap_or(&name);
        match name {
            "footnotes" => found.footnotes = true,
            "toc" => {
                if let Some(options) = options {
                    found.anchors = toc_style(options);
                }
            }
            _ => {}
        }
    }
    found
}

/// How a site reads `[text][label]` whose label no page defines: MkDocs'
/// `autorefs` plugin (<https://mkdocstrings.github.io/autorefs/>) links it
/// to the heading anchored `label` anywhere in the site; with
/// `mkdocstrings` (which loads `autorefs`) also to the API objects it
/// documents and those of the inventories it imports, which only the
/// built site knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Autorefs {
    /// Neither plugin: an undefined label is text.
    #[default]
    Off,
    /// `autorefs`: a heading's anchor in the site.
    Headings,
    /// `mkdocstrings`: a heading's anchor, or an object's identifier.
    Objects,
}

/// What one `mkdocs.yml` says about its site's links, its YAML read once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteConfig {
    /// The autorefs its `plugins` turn on.
    pub autorefs: Autorefs,
    /// Pages are served as folders (`a/b.md` at `a/b/`):
    /// `use_directory_urls`, true unless it says no.
    pub directory_urls: bool,
    /// Its pages are templates that a macros plugin or extension renders
    /// (`macros`, mkdocs-macros-plugin; an extension such as
    /// `zensical.extensions.macros`): `{{ sponsor.url }}` is filled in then.
    pub macros: bool,
    /// `pymdownx.snippets`' `auto_append` files, as written.
    pub auto_append: Vec<String>,
    /// Its `base_path` folders (`.` when it names none); none when the
    /// extension is not listed.
    pub snippet_bases: Vec<String>,
}

/// The [`SiteConfig`] in the text of an `mkdocs.yml`.
pub fn site_in(text: &str) -> SiteConfig {
    let config = load(text).unwrap_or(Node::Map(Vec::new(), None));
    let names = |key| entries(&config, key).into_iter().map(|(n, _)| n);
    let plugins: Vec<String> = names("plugins").collect();
    let autorefs = if plugins.iter().any(|n| n == "mkdocstrings") {
        Autorefs::Objects
    } else if plugins.iter().any(|n| n == "autorefs") {
        Autorefs::Headings
    } else {
        Autorefs::Off
    };
    let directory_urls = !matches!(
        config.get("use_directory_urls").and_then(Node::str),
        Some("false" | "False" | "FALSE" | "no" | "off")
    );
    let macros = plugins.iter().any(|n| n == "macros")
        || names("markdown_extensions").any(|n| n == "macros" || n.ends_with(".macros"));
    // Each option a string or a list of strings.
    let strings = |options: Option<&Node>, key: &str| -> Vec<String> {
        match options.and_then(|o| o.get(key)) {
            Some(Node::Scalar(s, _)) => vec![s.clone()],
            Some(Node::Seq(items)) => items
                .iter()
                .filter_map(|i| i.str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    };
    let snippets = entries(&config, "markdown_extensions")
        .into_iter()
        .find(|(name, _)| name == "pymdownx.snippets");
    let (auto_append, snippet_bases) = match snippets {
        Some((_, options)) => {
            let mut bases = strings(options, "base_path");
            if bases.is_empty() {
                bases.push(".".into());
            }
            (strings(options, "auto_append"), bases)
        }
        None => (Vec::new(), Vec::new()),
    };
    SiteConfig {
        autorefs,
        directory_urls,
        macros,
        auto_append,
        snippet_bases,
    }
}

/// The entries of `plugins` or `markdown_extensions`: MkDocs takes a
/// list (of names, or of one-key mappings from a name to its options) or
/// a mapping from names to options.
fn entries<'a>(config: &'a Node, key: &str) -> Vec<(String, Option<&'a Node>)> {
    match config.get(key) {
        Some(Node::Seq(items)) => items.iter().flat_map(named).collect(),
        Some(map @ Node::Map(..)) => named(map),
        _ => Vec::new(),
    }
}

/// An entry of `markdown_extensions`: a name, or a mapping from a name to
/// its options.
fn named(e: &Node) -> Vec<(String, Option<&Node>)> {
    match e {
        Node::Scalar(name, _) => vec![(name.clone(), None)],
        Node::Map(pairs, _) => pairs
            .iter()
            .filter_map(|(k, v)| Some((k.str()?.to_string(), Some(v))))
            .collect(),
        Node::Seq(_) => Vec::new(),
    }
}

/// The anchors `toc`'s options make: its `separator`, and its `slugify`
/// (Python-Markdown's two, or pymdownx's configurable one).
fn toc_style(options: &Node) -> Style {
    let separator = options
        .get("separator")
        .and_then(Node::str)
        .unwrap_or("-")
        .to_string();
    let default = Style::PythonMarkdown {
        separator: separator.clone(),
        unicode: false,
    };
    let Some(slugify) = options.get("slugify") else {
        return default;
    };
    let function = slugify.tag().unwrap_or_default();
    let function = function
        .strip_prefix("python/name:")
        .or_else(|| function.strip_prefix("python/object/apply:"))
        .unwrap_or(function);
    match function {
        "markdown.extensions.toc.slugify_unicode" => Style::PythonMarkdown {
            separator,
            unicode: true,
        },
        "pymdownx.slugs.slugify" => {
            let kwds = slugify.get("kwds");
            let arg = |k: &str| kwds.and_then(|m| m.get(k)).and_then(Node::str);
            let case = match arg("case") {
                Some("lower") => Case::Lower,
                Some("lower-ascii") => Case::LowerAscii,
                Some("fold") => Case::Fold,
                _ => Case::Keep,
            };
            let normalize = match arg("normalize") {
                Some("NFD") => Normalize::Nfd,
                Some("NFKC") => Normalize::Nfkc,
                Some("NFKD") => Normalize::Nfkd,
                _ => Normalize::Nfc,
            };
            Style::Pymdownx {
                separator,
                case,
                normalize,
            }
        }
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FastAPI's `mkdocs.yml` writes `plugins` and `markdown_extensions`
    /// as mappings.
    #[test]
    fn extensions_and_plugins_may_be_mappings() {
        let text = "plugins:\n  mkdocstrings:\n    handlers: {}\nmarkdown_extensions:\n  zensical.extensions.macros: null\n  footnotes: null\n  toc:\n    separator: _\n";
        assert_eq!(site_in(text).autorefs, Autorefs::Objects);
        assert!(site_in(text).macros);
        assert!(markdown_in(text).footnotes);
        assert_eq!(
            markdown_in(text).anchors,
            Style::PythonMarkdown {
                separator: "_".into(),
                unicode: false
            }
        );
        assert!(!site_in("plugins:\n  - search\n").macros);
    }

    #[test]
    fn pages_are_folders_unless_mkdocs_yml_says_no() {
        assert!(site_in("site_name: x\n").directory_urls);
        assert!(!site_in("use_directory_urls: false\n").directory_urls);
    }

    #[test]
    fn plugins_say_what_autorefs_links() {
        let autorefs_in = |text| site_in(text).autorefs;
        assert_eq!(autorefs_in("site_name: x\n"), Autorefs::Off);
        assert_eq!(
            autorefs_in("plugins:\n  - search\n  - autorefs\n"),
            Autorefs::Headings
        );
        assert_eq!(
            autorefs_in(
                "plugins:\n  - autorefs\n  - mkdocstrings:\n      handlers:\n        python: {}\n"
            ),
            Autorefs::Objects
        );
        // An alias as a value keeps the keys after it in place.
        assert_eq!(
            autorefs_in("x: &a 1\ny: *a\nplugins:\n  - autorefs\n"),
            Autorefs::Headings
        );
    }

    #[test]
    fn mkdocs_yml_names_its_toc_slugify_and_footnotes() {
        let text = "site_name: x
markdown_extensions:
  - footnotes
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
";
        assert_eq!(
            markdown_in(text),
            Markdown {
                anchors: Style::Pymdownx {
                    separator: "-".into(),
                    case: Case::Lower,
                    normalize: Normalize::Nfc,
                },
                footnotes: true,
            }
        );
        let unicode = "markdown_extensions:\n  - toc:\n      separator: _\n      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n";
        assert_eq!(
            markdown_in(unicode).anchors,
            Style::PythonMarkdown {
                separator: "_".into(),
                unicode: true
            }
        );
        // MkDocs' defaults: toc's slugify, no footnotes.
        assert_eq!(
            markdown_in("site_name: x\n"),
            Markdown {
                anchors: Style::of(crate::dialect::Dialect::Mkdocs),
                footnotes: false,
            }
        );
    }
}
