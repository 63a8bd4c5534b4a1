//! Which findings are old: those of a baseline file (`--baseline`), or of
//! the tree at a git revision (`--changed-since`). A finding is matched on
//! its rule, its file and its subject (the message, which names what the
//! finding is about: a link's target, a section, a count), never on its
//! line or column, so findings keep matching when lines move. Identical
//! findings are counted: a third copy of a broken link is new when the
//! baseline had two.

use crate::diag::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The version of the baseline file's format.
pub const VERSION: u32 = 1;

/// What a finding is matched on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub rule: String,
    pub path: String,
    pub message: String,
}

impl Key {
    pub fn of(d: &Diagnostic) -> Key {
        Key {
            rule: d.rule.to_string(),
            path: d.location.path.clone(),
            message: d.message.clone(),
        }
    }
}

/// A multiset of findings' keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<Key, usize>,
}

/// One line of the file: a finding and how many times it occurs.
#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// What comparing with a baseline left.
#[derive(Debug, Default)]
pub struct Compared {
    /// Findings that were in the baseline (not reported).
    pub matched: usize,
    /// Baseline entries that no longer occur, with how many copies.
    pub gone: Vec<(Key, usize)>,
}

impl Baseline {
    /// The findings `diagnostics`, with paths (in the file and in the
    /// message's backticks) renamed by `renamed` (old -> new).
    pub fn of(diagnostics: &[Diagnostic], renamed: &HashMap<String, String>) -> Baseline {
        let mut b = Baseline::default();
        for d in diagnostics {
            let mut key = Key::of(d);
            if !renamed.is_empty() {
                if let Some(new) = renamed.get(&key.path) {
                    key.path = new.clone();
                }
                key.message = rename_in_message(&key.message, renamed);
            }
            *b.counts.entry(key).or_default() += 1;
        }
        b
    }

    /// How many findings it holds.
    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Keep the findings of `diagnostics` that are not in the baseline.
    /// Of several identical findings, the first ones (in file order) are
    /// taken to be the old ones.
    pub fn subtract(&self, diagnostics: &mut Vec<Diagnostic>) -> Compared {
        let mut left: HashMap<&Key, usize> = self.counts.iter().map(|(k, n)| (k, *n)).collect();
        let before = diagnostics.len();
        diagnostics.retain(|d| {
            let key = Key::of(d);
            match left.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        let mut gone: Vec<(Key, usize)> = left
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.clone(), n))
            .collect();
        gone.sort();
        Compared {
            matched: before - diagnostics.len(),
            gone,
        }
    }

    /// The file `--write-baseline` writes: JSON, one finding per entry,
    /// sorted, so that it diffs well in review.
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            findings: self
                .counts
                .iter()
                .map(|(k, n)| Entry {
                    key: k.clone(),
                    count: *n,
                })
                .collect(),
        };
        let mut s = serde_json::to_string_pretty(&file).expect("serialisable");
        s.push('\n');
        s
    }

    /// Read a file `to_json` wrote.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.version != VERSION {
            return Err(format!(
                "version {} (this reftree reads version {VERSION})",
                file.version
            ));
        }
        let mut b = Baseline::default();
        for e in file.findings {
            *b.counts.entry(e.key).or_default() += e.count.max(1);
        }
        Ok(b)
    }
}

/// `message` with each backticked path that was renamed written as its new
/// name (a finding in another page about a renamed page is the same finding).
fn rename_in_message(message: &str, renamed: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        match renamed.get(part) {
            Some(new) if i % 2 == 1 => out.push_str(new),
            _ => out.push_str(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Location, Pos, Severity};

    fn finding(path: &str, line: u32, message: &str) -> Diagnostic {
        let at = Pos { line, col: 1 };
        Diagnostic {
            rule: "broken-link",
            severity: Severity::Error,
            location: Location {
                path: path.into(),
                bytes: 0..1,
                start: at,
                end: at,
            },
            label: String::new(),
            message: message.into(),
            help: None,
            fix: None,
            related: Vec::new(),
            about: None,
        }
    }

    #[test]
    fn findings_match_whatever_line_they_moved_to_and_copies_are_counted() {
        let old = [finding("a.md", 3, "link target `x.md` does not exist")];
        let base = Baseline::of(&old, &HashMap::new());
        let mut now = vec![
            finding("a.md", 9, "link target `x.md` does not exist"),
            finding("a.md", 12, "link target `x.md` does not exist"),
        ];
        let c = base.subtract(&mut now);
        assert_eq!(c.matched, 1);
        assert!(c.gone.is_empty());
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].location.start.line, 12);
    }

    #[test]
    fn entries_that_no_longer_occur_are_listed() {
        let old = [
            finding("a.md", 3, "link target `x.md` does not exist"),
            finding("b.md", 3, "link target `y.md` does not exist"),
        ];
        let base = Baseline::of(&old, &HashMap::new());
        let mut now = vec![finding("a.md", 3, "link target `x.md` does not exist")];
        let c = base.subtract(&mut now);
        assert!(now.is_empty());
        assert_eq!(c.gone.len(), 1);
        assert_eq!(c.gone[0].0.path, "b.md");
    }

    #[test]
    fn a_renamed_file_keeps_its_findings_and_those_that_name_it() {
        let renamed = HashMap::from([("old.md".to_string(), "new.md".to_string())]);
        let old = [
            finding("old.md", 3, "link target `x.md` does not exist"),
            finding("c.md", 1, "`c.md` lists `old.md` under `Uses`"),
        ];
        let base = Baseline::of(&old, &renamed);
        let mut now = vec![
            finding("new.md", 3, "link target `x.md` does not exist"),
            finding("c.md", 1, "`c.md` lists `new.md` under `Uses`"),
        ];
        assert_eq!(base.subtract(&mut now).matched, 2);
        assert!(now.is_empty());
    }

    #[test]
    fn the_file_reads_back_as_written() {
        let old = [
            finding("a.md", 3, "m"),
            finding("a.md", 4, "m"),
            finding("b.md", 1, "n"),
        ];
        let base = Baseline::of(&old, &HashMap::new());
        let text = base.to_json();
        assert!(text.contains("\"count\": 2"), "{text}");
        assert_eq!(Baseline::parse(&text), Ok(base));
        assert!(Baseline::parse("{\"version\": 9, \"findings\": []}").is_err());
    }
}
