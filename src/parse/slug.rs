//! Heading text -> anchor, by the dialect's rules. The only place anchors
//! are made.
//!
//! GitHub (github-slugger): lowercase; drop every character that is not a
//! letter, mark, number, `_`, `-` or space; each space becomes `-`; nothing is
//! trimmed or collapsed. Repeated anchors get `-1`, `-2`, ... in page order.
//!
//! GitLab (<https://docs.gitlab.com/user/markdown/#heading-ids-and-links>):
//! the same, except that two or more hyphens in a row become one
//! (`This - and that` -> `this-and-that`, where GitHub gives
//! `this---and-that`).
//!
//! mdBook (`id_from_content` in mdbook-html): the text trimmed and
//! lowercased; letters, numbers, `_` and `-` kept, each whitespace
//! character becomes `-`, the rest dropped; an empty result is `section`.
//! Repeats get the first free `-1`, `-2`, ...

use std::collections::HashMap;

/// The anchor GitHub makes for `text`, before de-duplication.
pub fn slug(text: &str) -> String {
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
        if keeps(c) {
            for l in c.to_lowercase() {
                out.extend_from_slice(l.encode_utf8(&mut [0u8; 4]).as_bytes());
            }
        }
    }
    String::from_utf8(out).expect("whole characters only")
}

/// Non-ASCII characters GitHub keeps: letters, marks (U+FE0F included) and numbers.
fn keeps(c: char) -> bool {
    use std::sync::OnceLock;
    static KEEP: OnceLock<regex::Regex> = OnceLock::new();
    let re = KEEP.get_or_init(|| regex::Regex::new(r"^[\p{L}\p{M}\p{N}]$").expect("valid regex"));
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// The anchor GitLab makes for `text`, before de-duplication.
pub fn gitlab_slug(text: &str) -> String {
    let github = slug(text);
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

/// Hands out anchors for one page in order, de-duplicating like GitHub
/// (and GitLab, and mdBook).
#[derive(Default)]
pub struct Slugger {
    seen: HashMap<String, u32>,
    dialect: crate::dialect::Dialect,
}

impl Slugger {
    pub fn new(dialect: crate::dialect::Dialect) -> Slugger {
        Slugger {
            seen: HashMap::new(),
            dialect,
        }
    }

    pub fn anchor(&mut self, text: &str) -> String {
        use crate::dialect::Dialect;
        let original = match self.dialect {
            Dialect::Gitlab => gitlab_slug(text),
            Dialect::Mdbook => mdbook_slug(text),
            _ => slug(text),
        };
        let mut result = original.clone();
        while self.seen.contains_key(&result) {
            let n = self.seen.get_mut(&original).expect("original was seen");
            *n += 1;
            result = format!("{original}-{n}");
        }
        self.seen.insert(result.clone(), 0);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitLab's own examples (docs.gitlab.com, "Heading IDs and links").
    #[test]
    fn gitlab_anchors_as_its_documentation_gives_them() {
        let mut s = Slugger::new(crate::dialect::Dialect::Gitlab);
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
        let mut s = Slugger::new(crate::dialect::Dialect::Mdbook);
        for (heading, id) in [
            ("::", "section"),
            ("!!!", "section-1"),
            ("Real Heading", "real-heading"),
            ("***", "section-2"),
        ] {
            assert_eq!(s.anchor(heading), id, "{heading}");
        }
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
