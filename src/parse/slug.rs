//! Heading text -> anchor, by GitHub's rules. The only place anchors are made.
//!
//! GitHub (github-slugger): lowercase; drop every character that is not a
//! letter, mark, number, `_`, `-` or space; each space becomes `-`; nothing is
//! trimmed or collapsed. Repeated anchors get `-1`, `-2`, ... in page order.

use std::collections::HashMap;

/// The anchor GitHub makes for `text`, before de-duplication.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            match c {
                'A'..='Z' => out.push(c.to_ascii_lowercase()),
                'a'..='z' | '0'..='9' | '_' | '-' => out.push(c),
                ' ' => out.push('-'),
                _ => {}
            }
        } else if keeps(c) {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Non-ASCII characters GitHub keeps: letters, marks (U+FE0F included) and numbers.
fn keeps(c: char) -> bool {
    use std::sync::OnceLock;
    static KEEP: OnceLock<regex::Regex> = OnceLock::new();
    let re = KEEP.get_or_init(|| regex::Regex::new(r"^[\p{L}\p{M}\p{N}]$").expect("valid regex"));
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// Hands out anchors for one page in order, de-duplicating like GitHub.
#[derive(Default)]
pub struct Slugger {
    seen: HashMap<String, u32>,
}

impl Slugger {
    pub fn anchor(&mut self, text: &str) -> String {
        let original = slug(text);
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
