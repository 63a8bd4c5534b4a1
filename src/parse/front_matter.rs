//! YAML front matter: a block that opens the page with a `---` line and
//! ends at the next `---` (or `...`) line. GitHub shows it as a table,
//! Obsidian as the note's properties, Jekyll and MkDocs read it as page
//! settings; none renders it as Markdown, so it holds no links, headings or
//! counts. Its top-level keys are kept (a value, or each item of a list of
//! values) for the rule file's count forms and filters; YAML that does not
//! parse is kept as an error with its place.
//!
//! The block is found here, not by pulldown-cmark: its metadata option also
//! takes a `---` / text / `---` in the middle of a page for front matter.

use super::Lines;
use crate::diag::Pos;
use std::ops::Range;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A page's front matter.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    /// File offsets of the block, its `---` lines included.
    pub bytes: Range<u32>,
    /// Top-level keys with a plain value, or with a list of plain values
    /// (one entry per value, in order). Nested mappings are left out.
    pub entries: Vec<Entry>,
    /// Why the YAML does not parse, and where.
    pub error: Option<Error>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub key: Box<str>,
    pub value: Box<str>,
    /// File offset, byte length and position of the value as written.
    pub offset: u32,
    pub len: u32,
    pub pos: Pos,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Error {
    pub message: String,
    pub offset: u32,
    pub pos: Pos,
}

/// The block at the start of `text`, if there is one: its byte range, and
/// that of the YAML inside it.
pub fn split(text: &str) -> Option<(Range<usize>, Range<usize>)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = first_end + 1;
    let mut at = yaml_start;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = text[at..end].trim_end();
        // The first line may be neither blank nor the end: `---` then a
        // blank line is a thematic break (as pulldown-cmark reads it too).
        if at == yaml_start && (line.is_empty() || line == "---" || line == "...") {
            return None;
        }
        if line == "---" || line == "..." {
            let block_end = (end + 1).min(text.len());
            return Some((0..block_end, yaml_start..at));
        }
        at = end + 1;
    }
    None
}

/// `text` with the block's bytes blanked (newlines kept), so that the
/// Markdown parser sees blank lines where it was and offsets stay exact.
pub fn blank(text: &str, block: Range<usize>) -> String {
    // A multi-byte character becomes as many spaces as it has bytes.
    let mut out = String::with_capacity(text.len());
    for c in text[block.clone()].chars() {
        match c {
            '\n' | '\r' => out.push(c),
            _ => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
        }
    }
    out.push_str(&text[block.end..]);
    out
}

/// Read the YAML at `yaml` (a range of `text`) into entries.
pub fn read(text: &str, block: Range<usize>, yaml: Range<usize>, lines: &Lines<'_>) -> FrontMatter {
    let source = &text[yaml.clone()];
    let mut fm = FrontMatter {
        bytes: lines.file_offset(block.start)..lines.file_offset(block.end),
        ..Default::default()
    };
    // Markers count characters, not bytes.
    let at = |m: &Marker| {
        let byte = if source.is_ascii() {
            m.index().min(source.len())
        } else {
            source
                .char_indices()
                .nth(m.index())
                .map_or(source.len(), |(b, _)| b)
        };
        yaml.start + byte
    };
    let mut parser = Parser::new_from_str(source);
    // Depth of collections (the top mapping is 1), the key awaiting its
    // value, and whether that value is a list being read.
    let mut depth = 0usize;
    let mut key: Option<String> = None;
    let mut in_list = false;
    let mut expecting_key = true;
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(e) => e,
            Err(e) => {
                let o = at(e.marker());
                fm.error = Some(Error {
                    message: e.info().to_string(),
                    offset: lines.file_offset(o),
                    pos: pos_in(text, o, lines),
                });
                fm.entries.clear();
                return fm;
            }
        };
        match event {
            Event::StreamEnd => break,
            Event::MappingStart(..) => {
                depth += 1;
                if depth == 2 {
                    // A nested mapping as a key's value: left out.
                    key = None;
                }
            }
            Event::SequenceStart(..) => {
                depth += 1;
                in_list = depth == 2 && key.is_some();
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if depth == 2 {
                    key = None;
                    in_list = false;
                    expecting_key = true;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Alias(_) if depth == 1 => {
                // `key: *anchor`: a value, not read.
                expecting_key = !expecting_key;
                if expecting_key {
                    key = None;
                }
            }
            Event::Scalar(value, style, ..) => {
                if depth == 1 && expecting_key {
                    key = Some(value);
                    expecting_key = false;
                } else if (depth == 1 && !expecting_key) || (depth == 2 && in_list) {
                    if let Some(k) = &key {
                        let o = at(&mark);
                        let (offset, len) = value_span(text, o, &value, style, yaml.end);
                        fm.entries.push(Entry {
                            key: k.as_str().into(),
                            value: value.into(),
                            offset: lines.file_offset(offset),
                            len: len as u32,
                            pos: pos_in(text, offset, lines),
                        });
                    }
                    if depth == 1 {
                        key = None;
                        expecting_key = true;
                    }
                }
            }
            _ => {}
        }
    }
    fm
}

/// Where a scalar's value is written: from its marker, the quote skipped,
/// to the end of its text when it is written as is (else to the line's end).
fn value_span(
    text: &str,
    o: usize,
    value: &str,
    style: TScalarStyle,
    end: usize,
) -> (usize, usize) {
    let o = o.min(end);
    let start = match style {
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => (o + 1).min(end),
        _ => o,
    };
    let rest = &text[start..end];
    if rest.starts_with(value) {
        return (start, value.len());
    }
    let line = rest.find(['\n', '\r']).unwrap_or(rest.len());
    (start, rest[..line].trim_end().len())
}

/// The position of byte `o` of `text`, its column counted in characters
/// of the page as written (the parser's copy may have the block blanked).
fn pos_in(text: &str, o: usize, lines: &Lines<'_>) -> Pos {
    let line_start = text[..o].rfind('\n').map_or(0, |i| i + 1);
    let line = lines.pos(line_start).line;
    Pos {
        line,
        col: text[line_start..o].chars().count() as u32 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> Option<FrontMatter> {
        let (block, yaml) = split(text)?;
        Some(read(text, block, yaml, &Lines::new(text, 0)))
    }

    #[test]
    fn keys_and_list_items_are_entries() {
        let text = "---\ntitle: Ørders\ncolumns: 12\ntags: [a, b]\naliases:\n  - Sales orders\nowner:\n  team: x\n---\n# Orders\n";
        let fm = fm(text).expect("front matter");
        let got: Vec<(&str, &str)> = fm.entries.iter().map(|e| (&*e.key, &*e.value)).collect();
        assert_eq!(
            got,
            [
                ("title", "Ørders"),
                ("columns", "12"),
                ("tags", "a"),
                ("tags", "b"),
                ("aliases", "Sales orders"),
            ]
        );
        let columns = &fm.entries[1];
        assert_eq!(
            &text[columns.offset as usize..][..columns.len as usize],
            "12"
        );
        assert_eq!((columns.pos.line, columns.pos.col), (3, 10));
        assert_eq!(fm.bytes, 0..text.find("# Orders").unwrap() as u32);
        assert!(fm.error.is_none());
    }

    #[test]
    fn a_quoted_value_points_inside_its_quotes() {
        let text = "---\ntype: \"Workbook\"\n---\n";
        let e = &fm(text).expect("front matter").entries[0];
        assert_eq!(&text[e.offset as usize..][..e.len as usize], "Workbook");
    }

    #[test]
    fn yaml_that_does_not_parse_is_an_error_with_its_place() {
        let text = "---\ntitle: [unclosed\nnext: 1\n---\nbody\n";
        let fm = fm(text).expect("a block");
        let e = fm.error.expect("an error");
        assert!(e.pos.line >= 2, "{e:?}");
        assert!(fm.entries.is_empty());
    }

    #[test]
    fn only_a_block_that_opens_the_page_is_front_matter() {
        assert!(split("# Title\n---\na: 1\n---\n").is_none());
        assert!(split("---\n\nText\n---\n").is_none(), "a thematic break");
        assert!(split("---\na: 1\n").is_none(), "never closed");
        assert!(split("---\na: 1\n...\nbody").is_some());
    }

    #[test]
    fn blanking_keeps_every_offset() {
        let text = "---\nnom: café\n---\n# T\n";
        let (block, _) = split(text).unwrap();
        let b = blank(text, block);
        assert_eq!(b.len(), text.len());
        assert_eq!(b.find("# T"), text.find("# T"));
        assert_eq!(b.matches('\n').count(), text.matches('\n').count());
    }
}
