//! `reftree.toml` and presets: rule selection and severities, excluded
//! paths, page kinds, declared-count forms, back-reference relations and
//! index pages. Versioned (`version = 1`); unknown keys are errors that
//! point at the line.

use crate::diag::{Location, Pos, Severity};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use toml::Spanned;

/// Presets shipped in `rules/presets/`, embedded in the binary.
pub const PRESETS: &[(&str, &str)] = &[(
    "sentinel-ninja",
    include_str!("../rules/presets/sentinel-ninja.toml"),
)];

/// One value or a list of them (`section = "A"` or `section = ["A", "B"]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Section titles (`section = "A"` or `["A", "B"]`), with the keys that
/// sections are matched by computed once, not for every page.
#[derive(Clone, Debug, Deserialize)]
#[serde(from = "OneOrMany")]
pub struct Names {
    list: Vec<String>,
    keys: Vec<u64>,
}

impl From<OneOrMany> for Names {
    fn from(o: OneOrMany) -> Names {
        let list = o.to_vec();
        let keys = list
            .iter()
            .map(|n| crate::parse::blocks::key_of(n))
            .collect();
        Names { list, keys }
    }
}

impl Names {
    pub fn as_slice(&self) -> &[String] {
        &self.list
    }

    /// `key_of` each title.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }
}

impl CountForm {
    /// The kinds the form names.
    pub fn kinds(&self) -> Vec<&str> {
        match self {
            CountForm::Heading { kind, .. }
            | CountForm::Bold { kind, .. }
            | CountForm::Summary { kind, .. }
            | CountForm::PageTotal { kind, .. }
            | CountForm::Label { kind, .. }
            | CountForm::FrontMatter { kind, .. }
            | CountForm::LeadIn { kind, .. } => kind.as_deref().into_iter().collect(),
            CountForm::IndexColumn {
                kind, target_kind, ..
            } => vec![kind, target_kind],
            CountForm::HubList {
                kind, target_kind, ..
            } => kind
                .as_deref()
                .into_iter()
                .chain(target_kind.as_deref())
                .collect(),
        }
    }

    pub fn is_optional(&self) -> bool {
        match self {
            CountForm::Heading { optional, .. }
            | CountForm::Bold { optional, .. }
            | CountForm::Summary { optional, .. }
            | CountForm::PageTotal { optional, .. }
            | CountForm::IndexColumn { optional, .. }
            | CountForm::Label { optional, .. }
            | CountForm::FrontMatter { optional, .. }
            | CountForm::LeadIn { optional, .. }
            | CountForm::HubList { optional, .. } => *optional,
        }
    }
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileV1 {
    version: Spanned<u32>,
    extends: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    kinds: BTreeMap<String, Spanned<OneOrMany>>,
    #[serde(default)]
    counts: Vec<Spanned<CountForm>>,
    #[serde(default)]
    relations: Vec<Spanned<Relation>>,
    #[serde(default)]
    orphans: Vec<Spanned<Orphan>>,
    /// Per-path rule ignores.
    #[serde(default)]
    ignore: Vec<Spanned<IgnoreEntry>>,
    /// The dialect the tree is written for (`github`, `gitlab`,
    /// `obsidian`, `mkdocs`); detected from the root when absent.
    dialect: Option<crate::dialect::Dialect>,
    /// Regexes for the lines that say a list was cut short, beyond the
    /// forms known without configuration; group 1 (or `n`) is the number
    /// of items not shown: `'Showing first 300; (\d+) omitted'`.
    #[serde(default)]
    cut_lists: Vec<Spanned<String>>,
    /// Kinds some versions of the tree do not have: entries about them are
    /// not reported by `rule-matches-nothing` when no page is of the kind.
    #[serde(default)]
    optional_kinds: Vec<String>,
    /// Folders (globs, root-relative) that are each a site or vault of
    /// their own: links from a page inside one stay inside it, and wiki
    /// links resolve among its files (`sites = ["*"]` for a repository of
    /// Obsidian vaults, one per language, whose `.obsidian/` is not committed).
    #[serde(default)]
    sites: Vec<Spanned<String>>,
    /// The tree this file is about, relative to the file's folder
    /// (`root = "Solutions Docs"`), so that `reftree check` works from the
    /// repository top. Ignored when `--root` is given.
    root: Option<Spanned<String>>,
}

/// What a bold count counts.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BoldCounts {
    /// The rows of the next table or list after the bold text.
    #[default]
    Next,
    /// The items of the subsections of the section the bold text is in.
    Subsections,
}

/// A form of declared count. Each takes `optional = true` for forms some
/// versions of a tree lack (`rule-matches-nothing` stays quiet about them).
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "form", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CountForm {
    /// `## Schema (18 columns)`: a heading count with a unit (the unit-less
    /// `(N)` form is always on).
    Heading {
        kind: Option<String>,
        unit: String,
        #[serde(default)]
        optional: bool,
    },
    /// `**18 table(s)**` in prose: `pattern` (a regex whose first group is
    /// the number) over bold text.
    Bold {
        kind: Option<String>,
        pattern: String,
        #[serde(default)]
        counts: BoldCounts,
        /// A regex over the rest of the line whose first group adds to the
        /// declared number (`\(plus (\d+) discovered`).
        plus: Option<String>,
        /// A regex the rest of the line must match: `**2** Logic App
        /// connectors` is bold only around its number.
        after: Option<String>,
        #[serde(default)]
        optional: bool,
    },
    /// A table in `section` whose rows name a subsection and give its count
    /// (`| Analytic Rules | 17 |`).
    Summary {
        kind: Option<String>,
        section: Names,
        #[serde(default)]
        optional: bool,
    },
    /// `**2148 tables** documented`: rows across all sections of the page.
    #[serde(rename_all = "kebab-case")]
    PageTotal {
        kind: Option<String>,
        pattern: String,
        /// Count only the items that link to a page of this kind (an index's
        /// rows, not its statistics tables).
        item_kind: Option<String>,
        #[serde(default)]
        optional: bool,
    },
    /// An index row's count column about the page the row links to.
    #[serde(rename_all = "kebab-case")]
    IndexColumn {
        kind: String,
        column: String,
        target_kind: String,
        target_section: Names,
        #[serde(default)]
        optional: bool,
    },
    /// `**Referenced by:** 4 columns`: a bold label's number against the
    /// section of the same name on the page (or `section`): its declared
    /// count, or the items it lists.
    #[serde(rename_all = "kebab-case")]
    Label {
        kind: Option<String>,
        /// Only this label (all labels that name a section of the page without it).
        label: Option<String>,
        section: Option<Names>,
        #[serde(default)]
        optional: bool,
    },
    /// `columns: 12` in YAML front matter: a key's number against the
    /// section of the same name on the page (or `section`): its declared
    /// count, or the items it lists.
    FrontMatter {
        kind: Option<String>,
        /// Only this key (all keys with a number that name a section without it).
        key: Option<String>,
        section: Option<Names>,
        #[serde(default)]
        optional: bool,
    },
    /// "The index lists the 25 most-referenced tables:" right before a list
    /// or table: the sentence's one number against the rows under it.
    LeadIn {
        kind: Option<String>,
        /// A regex the sentence must match (`most-referenced`).
        pattern: Option<String>,
        #[serde(default)]
        optional: bool,
    },
    /// `- [ORDERS](tables/orders.md) — 2152 inbound`: a list item's number
    /// with `unit` against what the page it links to declares or lists under
    /// `target-section`.
    #[serde(rename_all = "kebab-case")]
    HubList {
        /// The hub pages (every page without it).
        kind: Option<String>,
        unit: String,
        target_kind: Option<String>,
        target_section: Names,
        #[serde(default)]
        optional: bool,
    },
}

/// One side of a relation: where a page of `kind` lists the other side.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    pub kind: String,
    /// Section titles (without counts), subsections included.
    pub section: Option<Names>,
    /// Only links in this column of the section's tables.
    pub column: Option<String>,
    /// Instead of a section: the row of an Attribute/Value table named so.
    pub row: Option<String>,
    /// Only pages whose attribute (a two-column table's row, or a front
    /// matter key) has one of these values: `where = { Type = ["Workbook"] }`.
    /// Other pages of the kind are not on this side of the relation.
    #[serde(rename = "where", default)]
    pub only: BTreeMap<String, Names>,
    /// Not the pages whose attribute has one of these values.
    #[serde(rename = "where-not", default)]
    pub except: BTreeMap<String, Names>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Relation {
    pub from: Side,
    pub to: Side,
    /// Also: `to` lists X implies X lists it back in `from`.
    #[serde(default)]
    pub both_ways: bool,
    /// Items whose text holds one of these (`(dependency)`) create no
    /// expectation. Normalised (`normalize`) when the rule file is read.
    #[serde(default)]
    pub skip_marked: Vec<String>,
    /// Some versions of the tree lack it: `rule-matches-nothing` stays quiet.
    #[serde(default)]
    pub optional: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Orphan {
    pub kind: String,
    /// Root-relative paths of the index page(s) that must list every page of
    /// the kind; an entry with `*`, `?`, `[` or `{` is a glob (paginated
    /// indexes: `content/analytic-rules-*.md`).
    pub index: OneOrMany,
    /// The glob entries of `index`, compiled when the rule file is read.
    #[serde(skip)]
    pub index_globs: Option<GlobSet>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreEntry {
    paths: OneOrMany,
    /// Rule ids; all rules when absent.
    #[serde(default)]
    rules: Vec<String>,
}

/// Findings of `rules` (all when empty) in files matching `paths` are not reported.
#[derive(Clone, Debug)]
pub struct Ignore {
    pub paths: GlobSet,
    pub rules: Vec<String>,
    pub at: Location,
}

/// A page kind: a name and the globs that select its pages.
#[derive(Clone, Debug)]
pub struct Kind {
    pub name: String,
    pub globs: GlobSet,
    /// Globs written with a leading `!`: pages left out of the kind.
    pub not: GlobSet,
    /// The same globs one by one, each with whether it was written with `!`:
    /// to match all kinds in one pass.
    pub each: Vec<(Glob, bool)>,
    pub at: Location,
}

impl Kind {
    pub fn matches(&self, path: &str) -> bool {
        self.globs.is_match(path) && !self.not.is_match(path)
    }
}

/// The configuration in force.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub severities: HashMap<String, Option<Severity>>,
    pub exclude: Vec<String>,
    pub kinds: Vec<Kind>,
    pub counts: Vec<(CountForm, Location)>,
    pub relations: Vec<(Relation, Location)>,
    pub orphans: Vec<(Orphan, Location)>,
    pub optional_kinds: Vec<String>,
    /// Folders that are each a site or vault of their own (globs).
    pub sites: Vec<String>,
    /// The rule file's `root`, relative to its folder, checked to stay
    /// inside it.
    pub root: Option<String>,
    /// The dialect the rule file names.
    pub dialect: Option<crate::dialect::Dialect>,
    /// The rule files' cut-list regexes, combined into one.
    pub cut_lists: Option<regex::Regex>,
    cut_list_patterns: Vec<String>,
    pub ignores: Vec<Ignore>,
    /// Texts of the files the locations point into (path, text), for rendering.
    pub sources: Vec<(String, String)>,
    /// The count forms' regexes, compiled once when their file was read.
    regexes: HashMap<String, regex::Regex>,
}

/// A configuration error, rendered with its span.
#[derive(Clone, Debug)]
pub struct ConfigError {
    pub path: String,
    pub message: String,
    pub span: Option<Range<usize>>,
    pub text: String,
}

impl ConfigError {
    fn new(path: &str, text: &str, message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        ConfigError {
            path: path.to_string(),
            message: message.into(),
            span,
            text: text.to_string(),
        }
    }

    /// A text with the line at fault in its place (at most 120 bytes of it,
    /// around the error) and every line before it empty (miette draws a
    /// context line, which would be another line of the file), and the span
    /// in it.
    fn line_at_fault(&self) -> (String, Option<Range<usize>>) {
        let Some(span) = self.span.clone() else {
            return (String::new(), None);
        };
        let text = self.text.as_str();
        let floor = |i: usize| text.floor_char_boundary(i);
        let start = floor(span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let from = floor(start.saturating_sub(40).max(line_start));
        let to = floor((start + 80).min(line_end));
        let newlines = text[..line_start].matches('\n').count();
        let mut shown = "\n".repeat(newlines);
        let at = shown.len() + start - from;
        shown.push_str(&text[from..to]);
        let end = (at + span.len()).min(shown.len());
        (shown, Some(at..end))
    }

    /// The error drawn by miette: the message, and the line at fault.
    pub fn render(&self) -> String {
        #[derive(Debug)]
        struct E<'a>(&'a ConfigError, miette::NamedSource<String>);
        impl std::fmt::Display for E<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(
                    f,
                    "invalid configuration in `{}`: {}",
                    self.0.path, self.0.message
                )
            }
        }
        impl std::error::Error for E<'_> {}
        impl miette::Diagnostic for E<'_> {
            fn source_code(&self) -> Option<&dyn miette::SourceCode> {
                Some(&self.1)
            }
            fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
                let s = self.0.span.clone()?;
                Some(Box::new(std::iter::once(
                    miette::LabeledSpan::new_with_span(
                        Some("here".into()),
                        miette::SourceSpan::new(s.start.into(), s.len()),
                    ),
                )))
            }
        }
        let mut out = String::new();
        // Only the line at fault is shown, and only near the error when it is
        // long: a rule file may not be what it seems (a symlink to a file of
        // secrets), and its text must not end up whole in a public CI log.
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_context_lines(1);
        let (shown, span) = self.line_at_fault();
        let mut shifted = self.clone();
        shifted.span = span;
        let e = E(&shifted, miette::NamedSource::new(&self.path, shown));
        if handler.render_report(&mut out, &e).is_err() {
            out = e.to_string();
        }
        out
    }
}

/// Where a byte range of a config text is, as a finding location.
fn locate(path: &str, text: &str, span: Range<usize>) -> Location {
    let span = span.start.min(text.len())..span.end.min(text.len());
    let before = &text[..span.start];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count() as u32
        + 1;
    let start = Pos { line, col };
    // Point at the entry's first line only.
    let first_line = text[span.clone()].lines().next().unwrap_or("");
    Location::of_text(path, span.start as u32, start, first_line)
}

/// An error at `span` unless `id` names a rule; `place` says where it was written.
fn known_rule(
    path: &str,
    text: &str,
    id: &str,
    place: &str,
    span: Range<usize>,
) -> Result<(), ConfigError> {
    match crate::rules::by_id(id) {
        Some(_) => Ok(()),
        None => Err(ConfigError::new(
            path,
            text,
            format!("unknown rule `{id}`{place}; `reftree rules` lists them"),
            Some(span),
        )),
    }
}

/// Each glob compiled, with whether it is a `!glob` exclusion, or an error at `span`.
fn compile_globs(
    path: &str,
    text: &str,
    patterns: &[String],
    what: &str,
    span: Range<usize>,
) -> Result<Vec<(Glob, bool)>, ConfigError> {
    patterns
        .iter()
        .map(|g| {
            let (pattern, negated) = match g.strip_prefix('!') {
                Some(p) => (p, true),
                None => (g.as_str(), false),
            };
            Glob::new(pattern).map(|glob| (glob, negated)).map_err(|e| {
                ConfigError::new(
                    path,
                    text,
                    format!("bad glob `{g}` {what}: {}", e.kind()),
                    Some(span.clone()),
                )
            })
        })
        .collect()
}

/// The byte offset of the `(` that opens a regex's first capturing group.
fn first_group(re: &str) -> Option<usize> {
    let b = re.as_bytes();
    let mut i = 0;
    let mut class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => class = true,
            b']' => class = false,
            b'(' if !class && b.get(i + 1) != Some(&b'?') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// An entry of `sites` as the glob it is matched as: against folders, `*`
/// within one folder, a trailing `/` ignored.
pub fn site_glob(entry: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(entry.trim_end_matches('/'))
        .literal_separator(true)
        .build()
}

/// Whether an index entry is a glob rather than a path.
pub fn is_glob(entry: &str) -> bool {
    entry.contains(['*', '?', '[', '{'])
}

/// Compiled globs as two sets: the globs, and the `!glob` exclusions.
fn glob_sets(
    path: &str,
    text: &str,
    globs: &[(Glob, bool)],
    span: Range<usize>,
) -> Result<(GlobSet, GlobSet), ConfigError> {
    let (mut yes, mut no) = (GlobSetBuilder::new(), GlobSetBuilder::new());
    for (glob, negated) in globs {
        if *negated { &mut no } else { &mut yes }.add(glob.clone());
    }
    let build = |b: GlobSetBuilder| {
        b.build()
            .map_err(|e| ConfigError::new(path, text, e.to_string(), Some(span.clone())))
    };
    Ok((build(yes)?, build(no)?))
}

fn severity(level: &str) -> Result<Option<Severity>, String> {
    match level {
        "error" => Ok(Some(Severity::Error)),
        "warning" => Ok(Some(Severity::Warning)),
        "info" => Ok(Some(Severity::Info)),
        "off" => Ok(None),
        other => Err(format!(
            "unknown level `{other}`: use error, warning, info or off"
        )),
    }
}

pub fn preset(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn preset_path(name: &str) -> String {
    format!("rules/presets/{name}.toml")
}

impl Config {
    /// The compiled regex of a count form's `pattern` or `plus`; `None` if
    /// it does not compile (a rule file that was read has none such).
    pub fn regex(&self, pattern: &str) -> Option<regex::Regex> {
        match self.regexes.get(pattern) {
            Some(re) => Some(re.clone()),
            None => regex::Regex::new(pattern).ok(),
        }
    }

    /// Load `--preset NAME` and/or the file `path` (shown as `shown`).
    pub fn load(
        preset_name: Option<&str>,
        file: Option<(&str, &str)>,
    ) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        if let Some(name) = preset_name {
            cfg.add_preset(name, None)?;
        }
        if let Some((shown, text)) = file {
            cfg.add(shown, text)?;
        }
        Ok(cfg)
    }

    fn add_preset(
        &mut self,
        name: &str,
        from: Option<(&str, &str, Range<usize>)>,
    ) -> Result<(), ConfigError> {
        let Some(text) = preset(name) else {
            let known: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
            let message = format!("unknown preset `{name}` (known: {})", known.join(", "));
            return Err(match from {
                Some((path, text, span)) => ConfigError::new(path, text, message, Some(span)),
                None => ConfigError::new("--preset", name, message, None),
            });
        };
        self.add(&preset_path(name), text)
    }

    /// Add one file's settings on top of what is there.
    pub fn add(&mut self, path: &str, text: &str) -> Result<(), ConfigError> {
        let file: FileV1 = toml::from_str(text)
            .map_err(|e| ConfigError::new(path, text, e.message(), e.span()))?;
        if *file.version.get_ref() != 1 {
            return Err(ConfigError::new(
                path,
                text,
                format!(
                    "unsupported version {}; this reftree reads version 1",
                    file.version.get_ref()
                ),
                Some(file.version.span()),
            ));
        }
        if let Some(ext) = &file.extends {
            self.add_preset(ext.get_ref(), Some((path, text, ext.span())))?;
        }
        self.sources.push((path.to_string(), text.to_string()));
        self.exclude.extend(file.exclude.iter().cloned());
        for (id, level) in &file.rules {
            known_rule(path, text, id, "", level.span())?;
            let sev = severity(level.get_ref())
                .map_err(|m| ConfigError::new(path, text, m, Some(level.span())))?;
            self.severities.insert(id.clone(), sev);
        }
        for (name, globs) in &file.kinds {
            let what = format!("for kind `{name}`");
            let each = compile_globs(path, text, &globs.get_ref().to_vec(), &what, globs.span())?;
            let (globs_set, not) = glob_sets(path, text, &each, globs.span())?;
            self.kinds.retain(|k| &k.name != name);
            self.kinds.push(Kind {
                name: name.clone(),
                globs: globs_set,
                not,
                each,
                at: locate(path, text, globs.span()),
            });
        }
        for c in &file.counts {
            let pattern = match c.get_ref() {
                CountForm::Bold { pattern, .. } | CountForm::PageTotal { pattern, .. } => {
                    Some(pattern)
                }
                _ => None,
            };
            let (plus, after) = match c.get_ref() {
                CountForm::Bold { plus, after, .. } => (plus.as_ref(), after.as_ref()),
                CountForm::LeadIn { pattern, .. } => (None, pattern.as_ref()),
                _ => (None, None),
            };
            // `pattern` and `plus` hold the number in a group; `after` only matches.
            let numbered = pattern.into_iter().chain(plus).map(|p| (p, true));
            for (p, needs_group) in numbered.chain(after.map(|p| (p, false))) {
                let re = regex::Regex::new(p).map_err(|e| {
                    ConfigError::new(path, text, format!("bad regex `{p}`: {e}"), Some(c.span()))
                })?;
                if needs_group && re.captures_len() < 2 {
                    return Err(ConfigError::new(
                        path,
                        text,
                        format!(
                            "the regex `{p}` needs a group around the number, like `(\\d[\\d,]*)`"
                        ),
                        Some(c.span()),
                    ));
                }
                self.regexes.insert(p.clone(), re);
            }
            self.counts
                .push((c.get_ref().clone(), locate(path, text, c.span())));
        }
        for r in &file.relations {
            for side in [&r.get_ref().from, &r.get_ref().to] {
                if side.section.is_some() == side.row.is_some() {
                    return Err(ConfigError::new(
                        path,
                        text,
                        "a relation side needs exactly one of `section` or `row`",
                        Some(r.span()),
                    ));
                }
            }
            let mut relation = r.get_ref().clone();
            // Compared with notes as normalised text: normalised once here.
            for mark in &mut relation.skip_marked {
                *mark = crate::parse::blocks::normalize(mark);
            }
            self.relations
                .push((relation, locate(path, text, r.span())));
        }
        self.optional_kinds
            .extend(file.optional_kinds.iter().cloned());
        for site in &file.sites {
            if let Err(e) = site_glob(site.get_ref()) {
                return Err(ConfigError::new(
                    path,
                    text,
                    format!("`{}` in `sites` is not a valid glob: {e}", site.get_ref()),
                    Some(site.span()),
                ));
            }
            self.sites.push(site.get_ref().clone());
        }
        if file.dialect.is_some() {
            self.dialect = file.dialect;
        }
        if let Some(r) = &file.root {
            let inside = !r.get_ref().is_empty()
                && !r.get_ref().starts_with(['/', '\\'])
                && !r.get_ref().contains(':')
                && r.get_ref().split(['/', '\\']).all(|c| c != "..");
            if !inside {
                return Err(ConfigError::new(
                    path,
                    text,
                    format!(
                        "`root = \"{}\"` must be a folder under the rule file's folder, written relative to it (like `root = \"docs\"`)",
                        r.get_ref()
                    ),
                    Some(r.span()),
                ));
            }
            self.root = Some(r.get_ref().clone());
        }
        for p in &file.cut_lists {
            let bad = |m: String| ConfigError::new(path, text, m, Some(p.span()));
            let re = regex::Regex::new(p.get_ref())
                .map_err(|e| bad(format!("bad regex `{}`: {e}", p.get_ref())))?;
            if re.captures_len() < 2 {
                return Err(bad(format!(
                    "the regex `{}` needs a group around the number of items not shown, like `([0-9,]+)`",
                    p.get_ref()
                )));
            }
            // One regex for all: each pattern's number in a group of its own.
            let numbered = match re.capture_names().flatten().any(|n| n == "n") {
                true => p.get_ref().clone(),
                false => {
                    // The first group becomes `n` (the others stay as they are).
                    let open = first_group(p.get_ref())
                        .ok_or_else(|| bad("could not find the first group of the regex".into()))?;
                    let mut s = p.get_ref().clone();
                    s.insert_str(open + 1, "?P<n>");
                    s
                }
            };
            self.cut_list_patterns.push(format!("(?:{numbered})"));
        }
        if !self.cut_list_patterns.is_empty() {
            // Groups named `n` in several branches: one name per branch.
            let joined: Vec<String> = self
                .cut_list_patterns
                .iter()
                .enumerate()
                .map(|(i, p)| p.replace("?P<n>", &format!("?P<n{i}>")))
                .collect();
            let re = regex::Regex::new(&format!("(?m){}", joined.join("|"))).map_err(|e| {
                ConfigError::new(
                    path,
                    text,
                    format!("the cut-list regexes do not combine: {e}"),
                    None,
                )
            })?;
            self.cut_lists = Some(re);
        }
        for entry in &file.ignore {
            let globs = compile_globs(
                path,
                text,
                &entry.get_ref().paths.to_vec(),
                "in [[ignore]]",
                entry.span(),
            )?;
            let (paths, _) = glob_sets(path, text, &globs, entry.span())?;
            for id in &entry.get_ref().rules {
                known_rule(path, text, id, " in [[ignore]]", entry.span())?;
            }
            self.ignores.push(Ignore {
                paths,
                rules: entry.get_ref().rules.clone(),
                at: locate(path, text, entry.span()),
            });
        }
        for o in &file.orphans {
            let mut orphan = o.get_ref().clone();
            let globs: Vec<String> = orphan
                .index
                .to_vec()
                .into_iter()
                .filter(|p| is_glob(p))
                .collect();
            if !globs.is_empty() {
                let compiled = compile_globs(path, text, &globs, "in [[orphans]]", o.span())?;
                orphan.index_globs = Some(glob_sets(path, text, &compiled, o.span())?.0);
            }
            self.orphans.push((orphan, locate(path, text, o.span())));
        }
        Ok(())
    }

    /// The optional facts of a page that this rule file's entries read.
    pub fn wants(&self) -> crate::parse::Wants {
        let sides = || self.relations.iter().flat_map(|(r, _)| [&r.from, &r.to]);
        let forms = || self.counts.iter().map(|(c, _)| c);
        crate::parse::Wants {
            notes: self
                .relations
                .iter()
                .any(|(r, _)| !r.skip_marked.is_empty()),
            values: sides().any(|s| !(s.only.is_empty() && s.except.is_empty())),
            labels: forms().any(|c| matches!(c, CountForm::Label { .. })),
            strongs: forms()
                .any(|c| matches!(c, CountForm::Bold { .. } | CountForm::PageTotal { .. })),
            nums: forms()
                .any(|c| matches!(c, CountForm::Summary { .. } | CountForm::IndexColumn { .. })),
            quantities: forms().any(|c| matches!(c, CountForm::HubList { .. })),
            lead_ins: forms().any(|c| matches!(c, CountForm::LeadIn { .. })),
            cut: self.cut_lists.clone(),
            dialect: self.dialect.unwrap_or_default(),
            sites: self.sites.clone(),
            mkdocs: None,
        }
    }

    /// Kinds by name, checking that `name` is declared.
    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// Check that every kind named by a count, relation or orphan entry is declared.
    pub fn validate(&self) -> Result<(), String> {
        let mut named: Vec<(&str, &Location)> = Vec::new();
        for (c, at) in &self.counts {
            named.extend(c.kinds().into_iter().map(|k| (k, at)));
        }
        for (r, at) in &self.relations {
            named.push((&r.from.kind, at));
            named.push((&r.to.kind, at));
        }
        for (o, at) in &self.orphans {
            named.push((&o.kind, at));
        }
        for (k, at) in named {
            if self.kind(k).is_none() {
                return Err(format!(
                    "{}:{}:{}: kind `{k}` is not declared under [kinds]",
                    at.path, at.start.line, at.start.col
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::load(None, Some(("reftree.toml", text)))
    }

    #[test]
    fn the_parser_gathers_bold_spans_and_number_cells_only_for_forms_that_read_them() {
        // (bold spans, number cells) the parser is asked for, given `[[counts]]`.
        let asked = |counts: &str| {
            let text = format!("version = 1\n[kinds]\nsolution = \"solutions/*.md\"\n{counts}");
            let wants = load(&text).expect("loads").wants();
            (wants.strongs, wants.nums)
        };
        let form = |form: &str, rest: &str| {
            format!("[[counts]]\nform = \"{form}\"\nkind = \"solution\"\n{rest}\n")
        };
        assert_eq!(asked(""), (false, false), "no count form");
        assert_eq!(
            asked(&form("heading", "unit = \"columns\"")),
            (false, false)
        );
        let pattern = r"pattern = '^(\d+) table\(s\)$'";
        assert_eq!(asked(&form("bold", pattern)), (true, false));
        let section = "section = \"Content Items\"";
        assert_eq!(asked(&form("summary", section)), (false, true));
    }

    #[test]
    fn cut_list_regexes_combine_each_with_its_number() {
        let cfg = load(
            "version = 1\ncut-lists = ['^\\((\\d+) omitted\\)', '^Showing first [0-9]+; (?P<n>[0-9,]+) (not shown)']\n",
        )
        .expect("loads");
        let re = cfg.wants().cut.expect("a combined regex");
        let number = |line: &str| {
            let c = re.captures(line)?;
            let name = re
                .capture_names()
                .flatten()
                .find(|n| n.starts_with('n') && c.name(n).is_some())?;
            Some(c.name(name)?.as_str().to_string())
        };
        assert_eq!(number("(12 omitted)").as_deref(), Some("12"));
        assert_eq!(
            number("Showing first 300; 1,159 not shown").as_deref(),
            Some("1,159")
        );
        assert_eq!(number("nothing here"), None);
    }

    #[test]
    fn a_cut_list_regex_without_a_group_is_an_error_at_its_line() {
        let e = load("version = 1\ncut-lists = ['omitted']\n").expect_err("no group");
        assert!(e.message.contains("needs a group"), "{}", e.message);
        assert_eq!(e.span.map(|s| &e.text[s]), Some("'omitted'"));
    }
}
