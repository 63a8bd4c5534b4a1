//! Heading text -> anchor, by the dialect's rules. The only place anchors
//! are made.
//!
//! GitHub: lowercase; drop every character that is not a word character
//! (Unicode's `\w`: alphabetic, a mark, a decimal digit, a connector such
//! as `_`, or a joiner, U+200C and U+200D), `-` or space; each space becomes
//! `-`; nothing is trimmed or collapsed. Repeated anchors get `-1`, `-2`,
//! ... in page order. This is github-slugger's rule except for the joiners,
//! which GitHub keeps (an emoji sequence such as 👨‍💻 leaves its U+200D
//! in the anchor) and github-slugger drops; both drop the other numbers
//! (`²`, `①`, `½`).
//!
//! GitLab (<https://docs.gitlab.com/user/markdown/#heading-ids-and-links>):
//! the same, except that two or more hyphens in a row become one
//! (`This - and that` -> `this-and-that`, where GitHub gives
//! `this---and-that`), and that the characters kept are letters, marks,
//! numbers and connectors (comrak's anchorizer).
//!
//! mdBook (`id_from_content` in mdbook-html): the text trimmed and
//! lowercased; letters, numbers, `_` and `-` kept, each whitespace
//! character becomes `-`, the rest dropped; an empty result is `section`.
//! Repeats get the first free `-1`, `-2`, ...
//!
//! MkDocs (Python-Markdown's `toc` extension, `slugify` in
//! <https://python-markdown.github.io/extensions/toc/>): the text folded to
//! ASCII (Unicode NFKD, other characters dropped), every character that is
//! not a word character, spacing or `-` dropped, trimmed, lowercased, then
//! each run of spacing and separators becomes one separator (`-` unless
//! `toc: separator:` says otherwise). `slugify_unicode` keeps non-ASCII
//! word characters. pymdownx's `slugs.slugify` (a common `toc: slugify:`)
//! normalizes (NFC), drops what is not a word character, `-` or a space,
//! and makes each space a separator, collapsing nothing. Repeats get
//! `_1`, `_2`, ... (toc's `unique`): `# Header` three times is `header`,
//! `header_1`, `header_2`.

use std::sync::OnceLock;

/// The anchor GitHub makes for `text`, before de-duplication.
pub fn slug(text: &str) -> String {
    slug_keeping(text, keeps)
}

/// `text` lowercased, ASCII letters, digits, `_` and `-` kept, each space
/// made `-`, the non-ASCII characters that `keep` says kept, the rest dropped.
fn slug_keeping(text: &str, keep: fn(char) -> bool) -> String {
    // Byte by byte (headings are mostly ASCII), a character at a time
    // only where one starts that is not.
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            match b {
                b'A'..=b'Z' => out.push(b.to_ascii_lowercase()),
                b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => out.push(b),
                b' ' => out.push(b'-'),
                _ => {}
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a character starts here");
        i += c.len_utf8();
        if keep(c) {
            for l in c.to_lowercase() {
                out.extend_from_slice(l.encode_utf8(&mut [0u8; 4]).as_bytes());
            }
        }
    }
    String::from_utf8(out).expect("whole characters only")
}

/// Whether `c` is in the character class `class` (a regex such as
/// `[\p{L}\p{N}]`, compiled once into `cell`).
fn in_class(cell: &'static OnceLock<regex::Regex>, class: &str, c: char) -> bool {
    let re = cell.get_or_init(|| regex::Regex::new(&format!("^{class}$")).expect("valid regex"));
    re.is_match(c.encode_utf8(&mut [0u8; 4]))
}

/// Non-ASCII characters GitHub keeps: word characters (alphabetic, marks,
/// U+FE0F included, decimal digits, connectors and the two joiners).
fn keeps(c: char) -> bool {
    static KEEP: OnceLock<regex::Regex> = OnceLock::new();
    in_class(
        &KEEP,
        r"[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]",
        c,
    )
}

/// Non-ASCII characters GitLab keeps: letters, marks, numbers and
/// connectors (comrak's anchorizer, which GitLab's Markdown is rendered
/// by; its joiners and other numbers are not known to follow GitHub's).
fn gitlab_keeps(c: char) -> bool {
    static KEEP: OnceLock<regex::Regex> = OnceLock::new();
    in_class(&KEEP, r"[\p{L}\p{M}\p{N}\p{Pc}]", c)
}

/// The anchor GitLab makes for `text`, before de-duplication.
pub fn gitlab_slug(text: &str) -> String {
    let github = slug_keeping(text, gitlab_keeps);
    let mut out = String::with_capacity(github.len());
    for c in github.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

/// The anchor mdBook makes for `text`, before de-duplication.
pub fn mdbook_slug(text: &str) -> String {
    let id: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect();
    if id.is_empty() { "section".into() } else { id }
}

/// Python's `str.isspace`: Unicode's white space and the four
/// separators `\x1c`..`\x1f` (what `\s` and `strip()` match).
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `\w` on text: a letter, a number or `_` (marks are not).
fn py_word(c: char) -> bool {
    static WORD: OnceLock<regex::Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_class(&WORD, r"[\p{L}\p{N}]", c)
}

/// The anchor Python-Markdown's `toc` makes for `text` (MkDocs), before
/// de-duplication: `markdown.extensions.toc.slugify`, or with `unicode`
/// its `slugify_unicode`.
pub fn python_markdown_slug(text: &str, separator: &str, unicode: bool) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String;
    let text = if unicode || text.is_ascii() {
        text
    } else {
        folded = text.nfkd().filter(char::is_ascii).collect();
        &folded
    };
    let kept: String = text
        .chars()
        .filter(|&c| py_word(c) || py_space(c) || c == '-')
        .collect();
    let lower = kept.trim_matches(py_space).to_lowercase();
    // `[{separator}\s]+` -> separator.
    let joins = |c: char| py_space(c) || separator.contains(c);
    let mut out = String::with_capacity(lower.len());
    let mut run = false;
    for c in lower.chars() {
        if joins(c) {
            run = true;
            continue;
        }
        if run {
            out.push_str(separator);
            run = false;
        }
        out.push(c);
    }
    if run {
        out.push_str(separator);
    }
    out
}

/// The letter case `pymdownx.slugs.slugify(case=...)` gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// `none`: as written.
    Keep,
    /// `lower`.
    Lower,
    /// `lower-ascii`: only `A`-`Z` lowercased.
    LowerAscii,
    /// `fold`: Unicode case folding (lowercase here, `ß` -> `ss`).
    Fold,
}

/// The Unicode normalization `pymdownx.slugs.slugify(normalize=...)` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalize {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

/// The anchor `pymdownx.slugs.slugify(case=..., normalize=...)` makes
/// for `text`, before de-duplication.
pub fn pymdownx_slug(text: &str, separator: &str, case: Case, normalize: Normalize) -> String {
    use unicode_normalization::UnicodeNormalization;
    let normal: String = match normalize {
        Normalize::Nfc => text.nfc().collect(),
        Normalize::Nfd => text.nfd().collect(),
        Normalize::Nfkc => text.nfkc().collect(),
        Normalize::Nfkd => text.nfkd().collect(),
    };
    // `</?[^>]*>` (tags) removed, then trimmed.
    let mut untagged = String::with_capacity(normal.len());
    let mut rest = normal.as_str();
    while let Some(open) = rest.find('<') {
        untagged.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let tag = after.strip_prefix('/').unwrap_or(after);
        match tag.find('>') {
            Some(close) => rest = &tag[close + 1..],
            None => {
                untagged.push('<');
                rest = after;
            }
        }
    }
    untagged.push_str(rest);
    let trimmed = untagged.trim_matches(py_space);
    let cased = match case {
        Case::Keep => trimmed.to_string(),
        Case::Lower => trimmed.to_lowercase(),
        Case::LowerAscii => trimmed.to_ascii_lowercase(),
        Case::Fold => trimmed
            .chars()
            .flat_map(|c| match c {
                'ß' => "ss".chars().collect::<Vec<_>>(),
                c => c.to_lowercase().collect(),
            })
            .collect(),
    };
    let mut out = String::with_capacity(cased.len());
    for c in cased.chars() {
        match c {
            ' ' => out.push_str(separator),
            '-' => out.push('-'),
            c if py_word(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// How a renderer makes a heading's anchor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Style {
    #[default]
    Github,
    Gitlab,
    Mdbook,
    /// Python-Markdown's `toc` (MkDocs): `slugify`, or `slugify_unicode`.
    PythonMarkdown {
        separator: String,
        unicode: bool,
    },
    /// `toc: slugify: !!python/object/apply:pymdownx.slugs.slugify`.
    Pymdownx {
        separator: String,
        case: Case,
        normalize: Normalize,
    },
}

impl Style {
    /// The anchors a dialect's renderer makes, as configured by default.
    pub fn of(dialect: crate::dialect::Dialect) -> Style {
        use crate::dialect::Dialect;
        match dialect {
            Dialect::Gitlab => Style::Gitlab,
            Dialect::Mdbook => Style::Mdbook,
            Dialect::Mkdocs => Style::PythonMarkdown {
                separator: "-".into(),
                unicode: false,
            },
            Dialect::Github | Dialect::Obsidian => Style::Github,
        }
    }

    fn slug(&self, text: &str) -> String {
        match self {
            Style::Github => slug(text),
            Style::Gitlab => gitlab_slug(text),
            Style::Mdbook => mdbook_slug(text),
            Style::PythonMarkdown { separator, unicode } => {
                python_markdown_slug(text, separator, *unicode)
            }
            Style::Pymdownx {
                separator,
                case,
                normalize,
            } => pymdownx_slug(text, separator, *case, *normalize),
        }
    }

    /// Python-Markdown numbers repeats `_1`, `_2` (and an empty anchor
    /// too); the others `-1`, `-2`.
    fn python(&self) -> bool {
        matches!(self, Style::PythonMarkdown { .. } | Style::Pymdownx { .. })
    }
}

/// Hands out anchors for one page in order, de-duplicating as the
/// renderer does.
#[derive(Default)]
pub struct Slugger {
    /// Anchors handed out (or reserved), with the last number a repeat of
    /// each took. A fast hash: a page's headings all pass through here.
    seen: crate::hash::FastMap<String, u32>,
    style: Style,
}

impl Slugger {
    pub fn new(style: Style) -> Slugger {
        Slugger {
            seen: Default::default(),
            style,
        }
    }

    /// An anchor set by hand (`{#id}`): later headings do not take it.
    pub fn reserve(&mut self, id: &str) {
        self.seen.entry(id.to_string()).or_insert(0);
    }

    pub fn anchor(&mut self, text: &str) -> String {
        let original = self.style.slug(text);
        if self.style.python() {
            return self.python_unique(original);
        }
        if !self.seen.contains_key(&original) {
            // The common case: a first heading of that name.
            self.seen.insert(original.clone(), 0);
            return original;
        }
        let mut result = original.clone();
        while self.seen.contains_key(&result) {
            let n = self.seen.get_mut(&original).expect("original was seen");
            *n += 1;
            result = format!("{original}-{n}");
        }
        self.seen.insert(result.clone(), 0);
        result
    }

    /// toc's `unique`: while taken (or empty), `base_N` with the next
    /// `N`, where an anchor already ending in `_N` counts on from it.
    fn python_unique(&mut self, id: String) -> String {
        if !(id.is_empty() || self.seen.contains_key(&id)) {
            self.seen.insert(id.clone(), 0);
            return id;
        }
        let (base, mut count) = match id.rsplit_once('_') {
            Some((b, n)) if !n.is_empty() && n.bytes().all(|d| d.is_ascii_digit()) => {
                (b.to_string(), n.parse::<u64>().unwrap_or(0))
            }
            _ => (id.clone(), 0),
        };
        loop {
            count += 1;
            let next = format!("{base}_{count}");
            if !self.seen.contains_key(&next) {
                self.seen.insert(next.clone(), 0);
                return next;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitLab's own examples (docs.gitlab.com, "Heading IDs and links").
    #[test]
    fn gitlab_anchors_as_its_documentation_gives_them() {
        let mut s = Slugger::new(Style::Gitlab);
        for (heading, id) in [
            (
                "This heading has spaces in it",
                "this-heading-has-spaces-in-it",
            ),
            (
                "This heading has a :thumbsup: in it",
                "this-heading-has-a-thumbsup-in-it",
            ),
            (
                "This heading has Unicode in it: 한글",
                "this-heading-has-unicode-in-it-한글",
            ),
            (
                "This heading has spaces in it",
                "this-heading-has-spaces-in-it-1",
            ),
            (
                "This heading has spaces in it",
                "this-heading-has-spaces-in-it-2",
            ),
            (
                "This heading has 3.5 in it (and parentheses)",
                "this-heading-has-35-in-it-and-parentheses",
            ),
            (
                "This heading has  multiple   spaces and --- hyphens",
                "this-heading-has-multiple-spaces-and-hyphens",
            ),
        ] {
            assert_eq!(s.anchor(heading), id, "{heading}");
        }
    }

    /// GitHub keeps every hyphen where GitLab collapses them.
    #[test]
    fn github_and_gitlab_differ_on_runs_of_hyphens() {
        assert_eq!(slug("This - and that"), "this---and-that");
        assert_eq!(gitlab_slug("This - and that"), "this-and-that");
    }

    /// mdBook's own examples (the tests of `id_from_content` and
    /// `unique_id` in mdbook-html's `utils.rs`).
    #[test]
    fn mdbook_anchors_as_its_tests_give_them() {
        for (heading, id) in [
            (
                "`--passes`: add more rustdoc passes",
                "--passes-add-more-rustdoc-passes",
            ),
            (
                "Method-call 🐙 expressions \u{1f47c}",
                "method-call--expressions-",
            ),
            ("_-_12345", "_-_12345"),
            ("中文", "中文"),
            ("", "section"),
            ("!.():", "section"),
            ("   ", "section"),
            ("中文標題 CJK title", "中文標題-cjk-title"),
            ("Über", "über"),
        ] {
            assert_eq!(mdbook_slug(heading), id, "{heading}");
        }
        let mut s = Slugger::new(Style::Mdbook);
        for (heading, id) in [
            ("::", "section"),
            ("!!!", "section-1"),
            ("Real Heading", "real-heading"),
            ("***", "section-2"),
        ] {
            assert_eq!(s.anchor(heading), id, "{heading}");
        }
    }

    /// Python-Markdown's own examples (the `toc` extension's documentation,
    /// <https://python-markdown.github.io/extensions/toc/>): three `# Header`
    /// are `header`, `header_1`, `header_2`; `# Header 1` is `header-1`.
    #[test]
    fn mkdocs_anchors_as_python_markdown_documents_them() {
        let mut s = Slugger::new(Style::of(crate::dialect::Dialect::Mkdocs));
        for (heading, id) in [
            ("Header", "header"),
            ("Header", "header_1"),
            ("Header", "header_2"),
            ("Header 1", "header-1"),
            ("Header 2", "header-2"),
        ] {
            assert_eq!(s.anchor(heading), id, "{heading}");
        }
    }

    /// What Python-Markdown 3.11 (`markdown.markdown(text,
    /// extensions=['toc'])`) gave for these headings, where GitHub's rules
    /// give another anchor (MkDocs sites link them so).
    #[test]
    fn mkdocs_anchors_fold_to_ascii_and_collapse_separators() {
        let mut s = Slugger::new(Style::of(crate::dialect::Dialect::Mkdocs));
        for (heading, id) in [
            ("Sub- and superscripts", "sub-and-superscripts"),
            ("Caret, Mark & Tilde", "caret-mark-tilde"),
            ("Café Über — naïve", "cafe-uber-naive"),
            ("_1", "_1"),
            ("", "_2"),
            ("  Trimmed  ", "trimmed"),
        ] {
            assert_eq!(s.anchor(heading), id, "{heading:?}");
        }
        assert_eq!(python_markdown_slug("Café Über", "-", true), "café-über");
        assert_eq!(python_markdown_slug("A - b c", "_", false), "a_-_b_c");
    }

    /// pymdownx.slugs.slugify(case="lower"), as pymdown-extensions 10
    /// gives them: spaces become separators one for one, Unicode is kept.
    #[test]
    fn pymdownx_slugs_keep_unicode_and_every_space() {
        let lower = |t| pymdownx_slug(t, "-", Case::Lower, Normalize::Nfc);
        assert_eq!(lower("Sub- and superscripts"), "sub--and-superscripts");
        assert_eq!(lower("Café <em>Über</em>"), "café-über");
        assert_eq!(lower("  C# & .NET "), "c--net");
        assert_eq!(
            pymdownx_slug("Straße", "-", Case::Fold, Normalize::Nfc),
            "strasse"
        );
    }

    #[test]
    fn counts_in_parentheses_stay_in_the_anchor() {
        assert_eq!(slug("Solutions (29)"), "solutions-29");
    }

    #[test]
    fn emoji_is_dropped_but_its_variation_selector_is_kept() {
        assert_eq!(slug("🛠️ Troubleshooting"), "\u{fe0f}-troubleshooting");
    }

    #[test]
    fn joiners_are_kept_as_github_keeps_them() {
        // GitHub's anchor for a heading ending in 👨‍💻 keeps the U+200D
        // between the two emoji (links to it write `%E2%80%8D`); a Persian
        // heading keeps its U+200C (EbookFoundation/free-programming-books
        // links `#مهندسی-نرم‌افزار` so).
        assert_eq!(slug("Code Mode 👨\u{200d}💻"), "code-mode-\u{200d}");
        assert_eq!(slug("مهندسی نرم\u{200c}افزار"), "مهندسی-نرم\u{200c}افزار");
    }

    #[test]
    fn numbers_other_than_digits_are_dropped() {
        // GitHub renders `VILA²: VILA Augmented VILA` as `#vila-vila-augmented-vila`.
        assert_eq!(
            slug("VILA²: VILA Augmented VILA"),
            "vila-vila-augmented-vila"
        );
        assert_eq!(slug("Step ① ½"), "step--");
        // Letter numbers are alphabetic, and digits of any script count.
        assert_eq!(slug("Henry Ⅷ"), "henry-ⅷ");
        assert_eq!(slug("Part ٣"), "part-٣");
    }

    #[test]
    fn gitlab_keeps_letters_marks_numbers_and_connectors() {
        assert_eq!(gitlab_slug("VILA² - Step ①"), "vila²-step-①");
        assert_eq!(gitlab_slug("Code Mode 👨\u{200d}💻"), "code-mode-");
    }

    #[test]
    fn connectors_and_alphabetic_symbols_are_kept() {
        assert_eq!(slug("a‿b"), "a‿b");
        assert_eq!(slug("Ⓐ plan"), "ⓐ-plan");
    }

    #[test]
    fn spaces_are_not_collapsed_or_trimmed() {
        assert_eq!(slug(" A  b "), "-a--b-");
        assert_eq!(slug("C# & .NET"), "c--net");
    }

    #[test]
    fn non_ascii_letters_are_lowercased_and_kept() {
        assert_eq!(slug("Ärger über Größe"), "ärger-über-größe");
    }

    #[test]
    fn duplicates_get_numbered_like_github() {
        let mut s = Slugger::default();
        assert_eq!(s.anchor("Usage"), "usage");
        assert_eq!(s.anchor("Usage"), "usage-1");
        assert_eq!(s.anchor("Usage 1"), "usage-1-1");
        assert_eq!(s.anchor("Usage"), "usage-2");
    }
}
