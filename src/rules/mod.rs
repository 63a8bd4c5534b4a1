//! The rules: one file each, reading only the index.

mod ambiguous_wiki_link;
mod backslash_in_path;
pub(crate) mod broken_fragment;
mod broken_link;
mod broken_wiki_link;
mod case_mismatch;
mod count_mismatch;
mod double_encoded;
mod duplicate_item;
mod input;
mod link_outside_root;
mod malformed_escape;
mod malformed_front_matter;
mod missing_backref;
mod non_canonical_encoding;
pub mod one_page;
mod orphan_page;
mod rule_matches_nothing;
mod undefined_reference;
mod unencoded_percent;
mod unencoded_reserved_char;
mod unrendered_link;
mod unused_suppression;

use crate::diag::{Diagnostic, Fix, Location, Severity};
use crate::index::{Index, Link, Page};

/// What a rule is, and how it checks.
pub struct Rule {
    /// Stable kebab-case id, shared with `rules/<id>.md` and `fixtures/<id>/`.
    pub id: &'static str,
    pub summary: &'static str,
    /// The rule's documentation page.
    pub doc: &'static str,
    pub severity: Severity,
    /// Off unless selected in the configuration.
    pub default_enabled: bool,
    /// Can offer a fix.
    pub fixable: bool,
    pub check: fn(&Index, &Ctx, &mut Vec<Diagnostic>),
}

/// How a rule runs this time: its effective severity, and the rule file.
pub struct Ctx<'a> {
    pub rule: &'a Rule,
    pub severity: Severity,
    pub config: &'a crate::config::Config,
    pub kinds: &'a crate::schema::Kinds,
    /// The dialect the tree is checked as.
    pub dialect: crate::dialect::Dialect,
    /// What the last run found on the pages a partial run does not load
    /// ([`crate::replay`]); empty in a whole run.
    pub elsewhere: &'a crate::replay::Elsewhere,
}

impl Ctx<'_> {
    /// The rule file and the kinds of pages, for the schema's helpers.
    pub fn model(&self) -> crate::schema::Model<'_> {
        crate::schema::Model {
            config: self.config,
            kinds: self.kinds,
        }
    }

    /// A finding of this rule.
    pub fn diag(
        &self,
        location: Location,
        label: impl Into<String>,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            rule: self.rule.id,
            severity: self.severity,
            location,
            label: label.into(),
            message,
            help: None,
            fix: None,
            related: Vec::new(),
            about: None,
        }
    }
}

impl Diagnostic {
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_about(mut self, path: impl Into<String>) -> Self {
        self.about = Some(path.into());
        self
    }

    pub fn with_related(mut self, related: crate::diag::Related) -> Self {
        self.related.push(related);
        self
    }

    /// `with_fix` when there is a replacement.
    pub fn with_fix_if(self, replacement: Option<String>, certain: bool) -> Self {
        match replacement {
            Some(r) => self.with_fix(r, certain),
            None => self,
        }
    }

    pub fn with_fix(mut self, replacement: impl Into<String>, certain: bool) -> Self {
        self.fix = Some(Fix {
            replacement: replacement.into(),
            certain,
        });
        self
    }
}

/// Every rule, in the order of the documentation.
pub const ALL: &[&Rule] = &[
    &broken_link::RULE,
    &case_mismatch::RULE,
    &broken_fragment::RULE,
    &link_outside_root::RULE,
    &unencoded_reserved_char::RULE,
    &malformed_escape::RULE,
    &double_encoded::RULE,
    &unencoded_percent::RULE,
    &unrendered_link::RULE,
    &backslash_in_path::RULE,
    &non_canonical_encoding::RULE,
    &undefined_reference::RULE,
    &broken_wiki_link::RULE,
    &ambiguous_wiki_link::RULE,
    &malformed_front_matter::RULE,
    &count_mismatch::RULE,
    &duplicate_item::RULE,
    &missing_backref::RULE,
    &orphan_page::RULE,
    &rule_matches_nothing::RULE,
    &unused_suppression::RULE,
    &input::UNREADABLE_FILE,
    &input::INVALID_UTF8,
    &input::BINARY_PAGE,
    &input::FILE_TOO_LARGE,
    &input::EMPTY_PAGE,
    &input::SYMLINK_LOOP,
    &input::SYMLINK_OUTSIDE_ROOT,
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// Every link on a reported page that a link rule may report (see
/// [`Link::is_suspect`]: plain links that resolved are left out).
pub fn reported_links(index: &Index) -> impl Iterator<Item = (&Page, &Link)> {
    index.pages.iter().filter(|p| p.reported).flat_map(|p| {
        p.links
            .iter()
            .filter(|l| l.is_suspect())
            .map(move |l| (p, l))
    })
}

/// A path from folder `from_dir` to root-relative `to`, canonically encoded.
pub fn relative_link(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|s| crate::index::resolve::encode_segment(s)),
    );
    if parts.is_empty() {
        return ".".to_string();
    }
    parts.join("/")
}

/// A destination written as a template expression (`{{ page.url }}`,
/// `{% link x %}`): a build step fills it in.
pub(crate) fn is_template(written: &str) -> bool {
    (written.contains("{{") && written.contains("}}"))
        || (written.contains("{%") && written.contains("%}"))
}

/// A destination written as a template on a page that the site's macros
/// render (MkDocs with `macros`): not a path until the site is built;
/// counted, not checked.
pub(crate) fn filled_by_macros(index: &Index, page: &Page, written: &str) -> bool {
    is_template(written) && index.entries.macros(&page.path)
}

/// A link MkDocs leaves as written (it names no file of the site) that
/// the built site serves all the same, as a URL from the page's own URL:
/// `getting-started/` on `index.md`, `../img/logo.png` on `guide/setup.md`
/// (served at `guide/setup/`). Not broken where it is read.
pub(crate) fn served_by_mkdocs(index: &Index, page: &Page, link: &Link) -> bool {
    let written = &link.written()[link.path_range()];
    let decoded =
        crate::index::resolve::decode(written).unwrap_or(std::borrow::Cow::Borrowed(written));
    index.entries.served(&page.path, &decoded).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_climb_and_descend() {
        assert_eq!(
            relative_link("tables", "solutions/a b.md"),
            "../solutions/a%20b.md"
        );
        assert_eq!(relative_link("", "x.md"), "x.md");
        assert_eq!(relative_link("a/b", "a/c.md"), "../c.md");
    }
}
