//! Findings as plain data: a rule id, a severity, a span and the words a user reads.

use std::fmt;
use std::ops::Range;

/// How serious a finding is. Only `Error` makes the run fail (exit code 1).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line and column (columns count Unicode scalar values).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    /// The position just after `text`, when `text` starts at `self`.
    pub fn advance(self, text: &str) -> Pos {
        let mut p = self;
        for c in text.chars() {
            if c == '\n' {
                p.line += 1;
                p.col = 1;
            } else {
                p.col += 1;
            }
        }
        p
    }
}

/// Where a finding is: a file relative to the root, a byte range in it, and
/// the line/column of both ends (computed while the text was at hand).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub path: String,
    pub bytes: Range<u32>,
    pub start: Pos,
    pub end: Pos,
}

impl Location {
    /// A location covering `text`, which starts at byte `offset` / position `start`.
    pub fn of_text(path: &str, offset: u32, start: Pos, text: &str) -> Location {
        Location {
            path: path.to_string(),
            bytes: offset..offset + text.len() as u32,
            start,
            end: start.advance(text),
        }
    }
}

impl Location {
    /// A location of `len` bytes of single-line ASCII (digits, say) at `offset`.
    pub fn ascii(path: &str, offset: u32, start: Pos, len: u32) -> Location {
        Location {
            path: path.to_string(),
            bytes: offset..offset + len,
            start,
            end: Pos {
                line: start.line,
                col: start.col + len,
            },
        }
    }
}

/// A second place a finding points at (the other side of a relation, say).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

/// A replacement of the bytes of `location` by `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    pub replacement: String,
    /// Certain fixes are applied by `--fix`; the others only with `--fix-unsafe`.
    pub certain: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Kept (in the run cache) as the id; read back as the rule's own.
    #[serde(with = "rule_id")]
    pub rule: RuleId,
    pub severity: Severity,
    pub location: Location,
    /// Short text shown under the primary span.
    pub label: String,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// The other file a finding is about (a link's target, even a deleted
    /// one): a run restricted to some files also reports findings elsewhere
    /// that are about them.
    pub about: Option<String>,
}

/// Sort findings by [`Diagnostic::sort_key`], stably, without the scratch
/// a stable sort of the findings themselves takes (half of them: 8 MB at
/// 50,000): their order is sorted as indices, then applied in place.
pub fn sort_findings(findings: &mut [Diagnostic]) {
    let mut order: Vec<u32> = (0..findings.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a as usize], &findings[b as usize]);
        a.sort_key().cmp(&b.sort_key())
    });
    // Position `i` takes the finding at `order[i]`: each cycle of the
    // permutation is followed once, by swaps.
    for i in 0..findings.len() {
        let mut at = i;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == i {
                break;
            }
            findings.swap(at, from);
            at = from;
        }
    }
}

impl Diagnostic {
    /// Sort key: file, offset, rule, so parallel work prints deterministically.
    pub fn sort_key(&self) -> (&str, u32, u32, &'static str, &str) {
        (
            &self.location.path,
            self.location.bytes.start,
            self.location.bytes.end,
            self.rule,
            &self.message,
        )
    }
}

impl Diagnostic {
    /// A finding about the input itself (unreadable, invalid UTF-8, a symlink
    /// loop...), at an empty span: no label, no fix.
    pub fn input(
        rule: &'static str,
        severity: Severity,
        path: &str,
        at: (u32, Pos),
        message: String,
        help: &str,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            location: Location {
                path: path.to_string(),
                bytes: at.0..at.0,
                start: at.1,
                end: at.1,
            },
            label: String::new(),
            message,
            help: Some(help.to_string()),
            fix: None,
            related: Vec::new(),
            about: None,
        }
    }
}

/// A rule's id (an alias: serde would take a `&'static str` field to be
/// borrowed from the input).
pub type RuleId = &'static str;

/// A rule id written as text and read back as the id of a rule reftree
/// knows (any other is an error: the record is not one of this build's).
mod rule_id {
    pub fn serialize<S: serde::Serializer>(id: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(id)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let id: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        crate::rules::by_id(&id)
            .map(|r| r.id)
            .ok_or_else(|| serde::de::Error::custom(format!("no rule `{id}`")))
    }
}

/// The start of a file, for findings about a whole file.
pub const FILE_START: (u32, Pos) = (0, Pos { line: 1, col: 1 });

/// `text` as a Markdown code span for a message: a longer run of backticks
/// around text that holds some (`` `[`a` b][c]` `` would end at its second
/// backtick), and a space inside when it starts or ends with one.
pub fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The text of the first code span of `message` (as [`code`] writes it).
pub fn first_code(message: &str) -> Option<&str> {
    let open = message.find('`')?;
    let n = message[open..].bytes().take_while(|&b| b == b'`').count();
    let start = open + n;
    // The closing run has exactly `n` backticks.
    let mut at = start;
    while let Some(i) = message[at..].find('`') {
        let run_start = at + i;
        let run = message[run_start..]
            .bytes()
            .take_while(|&b| b == b'`')
            .count();
        if run == n {
            let inner = &message[start..run_start];
            let padded = inner.len() > 2 && inner.starts_with(' ') && inner.ends_with(' ');
            return Some(if padded {
                &inner[1..inner.len() - 1]
            } else {
                inner
            });
        }
        at = run_start + run;
    }
    None
}

#[cfg(test)]
mod code_spans {
    use super::{code, first_code};

    #[test]
    fn text_with_backticks_is_quoted_so_it_reads_back_whole() {
        for text in [
            "plain",
            "[`posts` directory][c]",
            "`a`",
            "``x` y",
            "a ``` b",
        ] {
            let message = format!("reference link {} is undefined", code(text));
            assert_eq!(first_code(&message), Some(text), "{message}");
        }
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("[`a` b][c]"), "``[`a` b][c]``");
        assert_eq!(first_code("no code here"), None);
        assert_eq!(first_code("`a` and `b`"), Some("a"));
    }
}

#[cfg(test)]
mod sorting {
    use super::{Diagnostic, Pos, Severity, sort_findings};

    fn finding(path: &str, offset: u32, help: &str) -> Diagnostic {
        let at = (offset, Pos { line: 1, col: 1 });
        Diagnostic::input("empty-page", Severity::Warning, path, at, "m".into(), help)
    }

    #[test]
    fn findings_sort_in_place_as_a_stable_sort_would() {
        // Paths and offsets in a scrambled order, with ties (same key,
        // told apart by their help) in a known order.
        let mut rng = 7u32;
        let mut found = Vec::new();
        for n in 0..500 {
            rng = rng.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let path = ["a.md", "b.md", "c/d.md"][(rng >> 16) as usize % 3];
            found.push(finding(path, (rng >> 8) % 40, &n.to_string()));
        }
        let mut expected = found.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        sort_findings(&mut found);
        let show = |v: &[Diagnostic]| -> Vec<(String, u32, Option<String>)> {
            v.iter()
                .map(|d| {
                    (
                        d.location.path.clone(),
                        d.location.bytes.start,
                        d.help.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(show(&found), show(&expected));
    }
}
