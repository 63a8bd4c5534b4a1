//! One pass of pulldown-cmark per page: text in, [`PageFacts`] out. Pure.
//!
//! The facts are what GitHub renders: a link GitHub would not render is not
//! a link here, and one it would is. Every offset is a byte offset into the
//! page as it is on disk (a BOM is skipped, CRLF kept).

/// [`RareParts`] for a struct of vectors, its fields named once.
macro_rules! rare_parts {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::parse::RareParts for $ty {
            fn none() -> &'static $ty {
                static NONE: $ty = $ty { $($field: Vec::new()),+ };
                &NONE
            }

            fn is_empty(&self) -> bool {
                true $(&& self.$field.is_empty())+
            }

            fn take_exact(&mut self) -> $ty {
                $ty { $($field: $crate::parse::exact(&mut self.$field)),+ }
            }
        }
    };
}

pub mod blocks;
pub mod front_matter;
mod html;
pub mod slug;

use crate::diag::Pos;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// How a link was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// `[text](dest)`
    Inline,
    /// `[[Note]]` or `![[embed]]` (Obsidian), resolved to a file.
    Wiki,
    /// `[label]: dest`, used by `[text][label]`, `[label][]` or `[label]`.
    Definition,
    /// `![alt](dest)`
    Image,
    /// `href=` or `src=` in raw HTML.
    Html,
}

/// A link as written on the page, before the index resolves it. The
/// destination's text is not copied: it is `len` bytes at `offset` in the
/// file, unless escapes or entities make the renderer read it otherwise.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RawLink {
    pub kind: LinkKind,
    /// Byte offset and length of the destination as written.
    pub offset: u32,
    pub len: u32,
    /// The destination as the renderer sees it, when it differs from the written bytes.
    pub unescaped: Option<Box<str>>,
    pub pos: Pos,
    /// The list item or table row (index into `blocks.items`) and column it sits in.
    pub at: Option<(u32, u16)>,
}

impl RawLink {
    /// The destination as written, from the text it was parsed from (which
    /// starts at file offset `base`).
    pub fn written<'a>(&self, text: &'a str, base: u32) -> &'a str {
        let start = (self.offset - base) as usize;
        &text[start..start + self.len as usize]
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    /// Where the text ends and the anchor begins in `text_anchor`.
    split: u32,
    /// The heading's text, then its anchor: one allocation, not two.
    text_anchor: Box<str>,
    /// Byte range of the whole heading line(s).
    pub bytes: Range<u32>,
    pub pos: Pos,
    /// A trailing `(N)` or `(N words)`: the count the heading declares
    /// (boxed: most headings declare none).
    pub count: Option<Box<DeclaredCount>>,
}

// One per heading (460,000 at 100k pages).
const _: () = assert!(std::mem::size_of::<Heading>() == 48);

impl Heading {
    pub fn new(
        level: u8,
        text: &str,
        anchor: &str,
        bytes: Range<u32>,
        pos: Pos,
        count: Option<Box<DeclaredCount>>,
    ) -> Heading {
        Heading {
            level,
            split: text.len() as u32,
            text_anchor: [text, anchor].concat().into(),
            bytes,
            pos,
            count,
        }
    }

    /// The heading's rendered text (what the anchor is made from).
    pub fn text(&self) -> &str {
        &self.text_anchor[..self.split as usize]
    }

    /// The anchor a link's fragment names it by.
    pub fn anchor(&self) -> &str {
        &self.text_anchor[self.split as usize..]
    }
}

/// A number a page declares, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeclaredCount {
    pub value: u64,
    /// What follows the number inside the parentheses (`columns`), or empty.
    pub unit: Box<str>,
    /// File offset, byte length and position of the digits.
    pub offset: u32,
    pub len: u32,
    pub pos: Pos,
}

/// `Solutions (29)` -> (29, "", byte range of `29` in `text`).
pub fn trailing_count(text: &str) -> Option<(u64, &str, Range<usize>)> {
    let t = text.trim_end();
    let inner_end = t.strip_suffix(')')?.len();
    let open = t[..inner_end].rfind('(')?;
    let inner = &t[open + 1..inner_end];
    let digits = inner
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(inner.len());
    if digits == 0 {
        return None;
    }
    let value = blocks::parse_count(&inner[..digits])?;
    let unit = inner[digits..].trim();
    if !unit.is_empty() && !inner[digits..].starts_with(' ') {
        return None; // `(2h)`, `(N/A)`
    }
    Some((value, unit, open + 1..open + 1 + digits))
}

/// Something that looks like a link in the source but that Markdown did not
/// render as one (a raw space in the destination, an unbalanced parenthesis).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Unrendered {
    /// The would-be destination, as written.
    pub dest: String,
    pub offset: u32,
    pub pos: Pos,
}

/// A `[text][label]` or `[label][]` whose label has no definition.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct UndefinedRef {
    pub label: String,
    pub text: String,
    pub offset: u32,
    pub pos: Pos,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PageFacts {
    pub headings: Vec<Heading>,
    /// Relative (and otherwise local) links; external URLs are only counted.
    pub links: Vec<RawLink>,
    pub external_links: u32,
    /// Lists and tables: absent on a page without any, and dropped once
    /// the rules that read one page alone have read them
    /// ([`crate::index::PageChecks`]).
    pub blocks: Rare<blocks::Blocks>,
    /// File offset of each line's first byte.
    pub line_starts: LineStarts,
    /// YAML front matter, when the page opens with it.
    pub front_matter: Option<Box<front_matter::FrontMatter>>,
    /// What the page writes that the dialect checked as does not check.
    pub unchecked: Unchecked,
    /// `[[wiki]]` links and `![[embeds]]` (Obsidian).
    pub wiki_links: Vec<WikiLink>,
    /// What few pages hold: [`Rare`].
    pub rare: Rare<RareFacts>,
}

/// Facts few pages hold, boxed, and absent where all are empty, as on most
/// pages: reading gives empty lists when there is no box; writing makes
/// one. Nine empty vectors took 216 bytes a page ([`RareFacts`]), four more
/// in the blocks 96 ([`blocks::RareBlocks`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Rare<T>(Option<Box<T>>);

/// What [`Rare`] holds.
pub trait RareParts: Default + 'static {
    /// The parts, all empty.
    fn none() -> &'static Self;
    fn is_empty(&self) -> bool;
    /// Move the parts out into vectors of their exact size, leaving these
    /// empty with their capacity.
    fn take_exact(&mut self) -> Self;
}

impl<T: RareParts> std::ops::Deref for Rare<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_deref().unwrap_or(T::none())
    }
}

impl<T: RareParts> std::ops::DerefMut for Rare<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: RareParts> Rare<T> {
    /// The parts moved out, no box when all are empty; this box (and the
    /// capacity of its vectors) stays, to parse the next page into.
    pub fn take_exact(&mut self) -> Rare<T> {
        match self.0.as_deref_mut() {
            Some(parts) if !parts.is_empty() => Rare(Some(Box::new(parts.take_exact()))),
            _ => Rare(None),
        }
    }
}

/// The facts of a page that few pages hold: raw HTML anchors, unrendered
/// links, undefined references, link notes, suppressions, cut lists, block
/// ids, API objects, snippets.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RareFacts {
    /// Anchors from raw HTML: `id=".."` on any element, `name=".."` on `<a>`.
    pub html_anchors: Vec<String>,
    pub unrendered: Vec<Unrendered>,
    pub undefined_refs: Vec<UndefinedRef>,
    /// A parenthetical right after a link (`[Syslog](syslog.md) (dependency)`),
    /// by the link's destination offset.
    pub link_notes: Vec<(u32, Box<str>)>,
    /// `<!-- reftree-disable... -->` comments.
    pub suppressions: Vec<Suppression>,
    /// Lines that say a list was cut short (`... and 159 more`, `(159 more
    /// not shown)`, `+ 159 more`): the file offsets of the words, and the number.
    pub cut_lists: Vec<(Range<u32>, u64)>,
    /// `^block-id`s ending a paragraph or list item (Obsidian).
    pub block_ids: Vec<Box<str>>,
    /// Under `mkdocs`, the identifiers of `::: pkg.module` lines: what
    /// mkdocstrings documents on the page, each object anchored by its
    /// identifier (`#pkg.module.Class`).
    pub api_objects: Vec<Box<str>>,
    /// Under `mkdocs`, the files `pymdownx.snippets` puts in the page
    /// (`--8<-- "file.md"`, or a `--8<--` block of names), as written.
    pub snippets: Vec<Box<str>>,
}

rare_parts!(RareFacts {
    html_anchors,
    unrendered,
    undefined_refs,
    link_notes,
    suppressions,
    cut_lists,
    block_ids,
    api_objects,
    snippets,
});

/// `[[folder/Note#Heading|alias]]` or `![[image.png]]`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct WikiLink {
    pub embed: bool,
    /// The target as written, before any `|`: `folder/Note#Heading`.
    pub target: Box<str>,
    /// File offset and position of the target's first byte.
    pub offset: u32,
    pub pos: Pos,
    /// The list item or table row and column it sits in.
    pub at: Option<(u32, u16)>,
}

/// A wiki link from its event: the target is `dest`, written after `[[`
/// (`![[` for an embed) unless escapes make it differ.
fn wiki_link(
    text: &str,
    range: &Range<usize>,
    dest: &str,
    embed: bool,
    lines: &Lines<'_>,
) -> WikiLink {
    // In a table, `[[Note\|text]]` escapes the pipe from the table: the
    // backslash is not part of the name.
    let dest = dest.strip_suffix('\\').unwrap_or(dest);
    let open = range.start + if embed { 3 } else { 2 };
    let at = match text.get(open..) {
        Some(rest) if rest.starts_with(dest) => open,
        _ => text
            .get(range.clone())
            .and_then(|r| r.find(dest))
            .map_or(range.start, |i| range.start + i),
    };
    WikiLink {
        embed,
        target: dest.into(),
        offset: lines.file_offset(at),
        pos: lines.pos(at),
        at: None,
    }
}

/// `^block-id` at the end of a line (a paragraph's or list item's last).
fn block_ids(text: &str) -> Vec<Box<str>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for at in memchr::memchr_iter(b'^', b) {
        // At the end of a block's last line (after spacing, or right after
        // an embed's `]]`), or alone on the line after a block (a table's).
        if at > 0 && !matches!(b[at - 1], b' ' | b'\t' | b'\n' | b']') {
            continue;
        }
        let rest = &text[at + 1..];
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let id = rest[..end].trim_end();
        if !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
            out.push(id.into());
        }
    }
    out
}

/// The id a heading's text sets in attr_list's syntax, and the braces as
/// written: `{#id}`, `{ #id }`, `{: #id .class }` at the end of the text
/// (Python-Markdown's attr_list, which MkDocs uses: "the colon after the
/// curly brace is optional"; mdBook and pulldown-cmark read `{#id}` and
/// `{ #id .class }`). The dialects that do not read it show it as text.
pub fn attr_list_id(heading: &str) -> Option<(&str, &str)> {
    let t = heading.trim_end();
    let open = t.strip_suffix('}')?.rfind('{')?;
    let braces = &t[open..];
    let inner = braces[1..braces.len() - 1].trim_start();
    let inner = inner.strip_prefix(':').unwrap_or(inner);
    let mut id = None;
    for token in inner.split_whitespace() {
        match token.strip_prefix('#') {
            Some(i) if !i.is_empty() && id.is_none() => id = Some(i),
            Some(_) => return None,
            // `.class` and `key=value` may stand beside it.
            None if token.starts_with('.') || token.contains('=') => {}
            None => return None,
        }
    }
    Some((id?, braces))
}

/// What MkDocs' extensions make anchors of in a text event `t` (at `range`
/// of the page's `text`): attr_list's `{#id}`, `{: #id .class }` or
/// `{ id="id" }` after a block or an inline element (outside headings,
/// whose own attribute lists the parser reads), and mkdocstrings' `:::
/// pkg.module` lines.
fn mkdocs_anchors(
    t: &str,
    outside_heading: bool,
    text: &str,
    range: &Range<usize>,
    facts: &mut PageFacts,
) {
    let line_start = range.start == 0 || text.as_bytes()[range.start - 1] == b'\n';
    if let Some(rest) = t.strip_prefix("::: ")
        && line_start
        && let Some(id) = rest.split_whitespace().next()
    {
        facts.rare.api_objects.push(id.into());
        return;
    }
    if !outside_heading {
        return;
    }
    for open in memchr::memchr_iter(b'{', t.as_bytes()) {
        let inner = &t[open + 1..];
        let Some(close) = inner.find(['}', '{', '\n']) else {
            break;
        };
        if inner.as_bytes()[close] != b'}' {
            continue;
        }
        if let Some(id) = attr_list_set_id(&inner[..close]) {
            facts.rare.html_anchors.push(id.to_string());
        }
    }
}

/// pymdownx.snippets' includes in `text`: `--8<-- "file.md"` (or with
/// `'`), and the names on the lines of a `--8<--` ... `--8<--` block, each
/// with the offset of its line's first visible byte. A `;` before the
/// marker turns it off; a `:section` or `:1:3` after the name is dropped;
/// URLs are left out.
/// <https://facelessuser.github.io/pymdown-extensions/extensions/snippets/>
fn snippet_lines(text: &str) -> Vec<(usize, &str)> {
    const MARK: &str = "--8<--";
    let mut out = Vec::new();
    static SNIPPET: Finder = Finder::new(|| memchr::memmem::Finder::new(MARK));
    if SNIPPET.find(text.as_bytes()).is_none() {
        return out;
    }
    fn name(n: &str) -> Option<&str> {
        let n = n.trim();
        if n.starts_with(';') || n.contains("://") {
            return None;
        }
        let n = n.split_once(':').map_or(n, |(before, _)| before);
        (!n.is_empty()).then_some(n)
    }
    let mut in_block = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if in_block {
            if trimmed == MARK {
                in_block = false;
            } else if let Some(n) = name(trimmed) {
                out.push((start + indent, n));
            }
            continue;
        }
        let Some(rest) = trimmed.strip_prefix(MARK) else {
            continue;
        };
        let rest = rest.trim();
        if rest.is_empty() {
            in_block = true;
            continue;
        }
        if let Some(n) = unquote(rest).and_then(name) {
            out.push((start + indent, n));
        }
    }
    out
}

/// `v` without the double or single quotes around it, if it has them.
fn unquote(v: &str) -> Option<&str> {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'')?.strip_suffix('\''))
}

/// The id an attribute list (the text between its braces) sets, when it
/// is one: `#id`, `.class` and `key=value` tokens (`id=value` sets the id),
/// an optional `:` first.
fn attr_list_set_id(inner: &str) -> Option<&str> {
    let inner = inner.trim_start();
    let inner = inner.strip_prefix(':').unwrap_or(inner);
    let mut id = None;
    for token in inner.split_whitespace() {
        if let Some(i) = token.strip_prefix('#') {
            id = Some(i);
        } else if let Some(v) = token.strip_prefix("id=") {
            id = Some(unquote(v).unwrap_or(v));
        } else if !(token.starts_with('.') && token.len() > 1 || token.contains('=')) {
            return None;
        }
    }
    id.filter(|i| !i.is_empty() && !i.contains(['"', '\'']))
}

/// Syntax another dialect would check, counted so that nothing is skipped
/// without a word.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Unchecked {
    /// `[[wiki]]` links (GitHub, GitLab and MkDocs show them as text).
    pub wiki_links: u32,
    /// Headings ending in `{#id}` (GitHub shows the braces as text).
    pub custom_ids: u32,
    /// Under `gitlab`, links whose destination is a GitLab reference
    /// (`group/project!123`): GitLab links them to that merge request,
    /// issue or commit, which cannot be checked offline.
    pub gitlab_references: u32,
    /// The page holds an all-contributors table
    /// (`<!-- ALL-CONTRIBUTORS-LIST:START -->`), whose emoji links
    /// (`#code-login`) lead nowhere by design.
    pub all_contributors: bool,
}

/// Lines of `text` that say how many more items a cut list holds.
///
/// Only the lines holding the word are matched (a regex search over every
/// page that says "more" somewhere was 15% of a run's CPU).
fn cut_lists(text: &str, lines: &Lines, own: Option<&regex::Regex>) -> Vec<(Range<u32>, u64)> {
    let mut found = known_cut_lists(text, lines);
    let Some(re) = own else {
        return found;
    };
    // The rule file's own forms: each branch's number in a group `n0`, `n1`...
    for c in re.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let number = re
            .capture_names()
            .flatten()
            .filter(|n| n.starts_with('n'))
            .find_map(|n| c.name(n));
        let Some(n) = number.and_then(|m| blocks::parse_count(m.as_str())) else {
            continue;
        };
        let at = lines.file_offset(whole.start())..lines.file_offset(whole.end());
        if !found
            .iter()
            .any(|(r, _)| r.start < at.end && at.start < r.end)
        {
            found.push((at, n));
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// A `memmem` searcher, built once: building one for every page cost more
/// than the search on a vault's short notes (1.2% of a run's instructions).
type Finder = std::sync::LazyLock<memchr::memmem::Finder<'static>>;

static MORE: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    std::sync::LazyLock::new(|| ["more", "More", "MORE"].map(memchr::memmem::Finder::new));
static WIKI_OPEN: Finder = Finder::new(|| memchr::memmem::Finder::new("[["));
static LINK_MIDDLE: Finder = Finder::new(|| memchr::memmem::Finder::new("]("));

/// A line that says how many items a list left out (`... and 159 more`):
/// group 1 is the number.
fn cut_line() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)^[ \t]*(?:[-*+][ \t]+|\|[ \t]*)?[*_]*[ \t]*(?:\.\.\.|…|\+|\()?[ \t]*(?:and[ \t]+)?([0-9][0-9,]*)[ \t]+more\b",
        )
        .expect("valid regex")
    })
}

/// The cut-list lines known without configuration.
fn known_cut_lists(text: &str, lines: &Lines) -> Vec<(Range<u32>, u64)> {
    let b = text.as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    for word in &*MORE {
        for at in word.find_iter(b) {
            // The pattern's `more` follows a number and `[ \t]+` (`5 more`):
            // any other `more` (a common word) leaves its line unread.
            let number_end = b[..at].iter().rposition(|&c| c != b' ' && c != b'\t');
            if number_end.is_some_and(|e| e + 1 < at && matches!(b[e], b'0'..=b'9' | b',')) {
                starts.push(memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1));
            }
        }
    }
    if starts.is_empty() {
        return Vec::new();
    }
    starts.sort_unstable();
    starts.dedup();
    let re = cut_line();
    starts
        .into_iter()
        .filter_map(|start| {
            let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |i| start + i);
            let c = re.captures(&text[start..end])?;
            let whole = c.get(0)?;
            let n: u64 = c[1].replace(',', "").parse().ok()?;
            let at =
                lines.file_offset(start + whole.start())..lines.file_offset(start + whole.end());
            Some((at, n))
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SuppressionKind {
    /// `reftree-disable-next-line`: the line after the comment.
    NextLine,
    /// `reftree-disable`: from here to the next `reftree-enable` (or the end).
    Disable,
    /// `reftree-enable`: ends a `reftree-disable`.
    Enable,
}

/// An inline suppression comment.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// Rule ids; empty means every rule.
    pub rules: Vec<String>,
    /// File offset and length of the comment, and its position.
    pub offset: u32,
    pub len: u32,
    pub pos: Pos,
    /// The line the comment ends on.
    pub end_line: u32,
}

/// The shortest comment [`suppressions_in`] can find.
const SHORTEST_SUPPRESSION: &str = "<!--reftree-enable-->";

/// `<!-- reftree-disable-next-line broken-link -->` and friends, in `html`.
fn suppressions_in(html: &str, at: usize, lines: &Lines<'_>, out: &mut Vec<Suppression>) {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"<!--\s*reftree-(disable-next-line|disable|enable)\b([^>]*?)-->")
            .expect("valid regex")
    });
    for c in re.captures_iter(html) {
        let whole = c.get(0).expect("group 0");
        let kind = match &c[1] {
            "disable-next-line" => SuppressionKind::NextLine,
            "disable" => SuppressionKind::Disable,
            _ => SuppressionKind::Enable,
        };
        let rules = c[2]
            .split(|ch: char| ch.is_whitespace() || ch == ',')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        out.push(Suppression {
            kind,
            rules,
            offset: lines.file_offset(at + whole.start()),
            len: whole.len() as u32,
            pos: lines.pos(at + whole.start()),
            end_line: lines.pos(at + whole.end()).line,
        });
    }
}

/// The file offset of each line's first byte, as LEB128 numbers: the first
/// start, then each line's length. A line under 128 bytes takes one byte,
/// where a `u32` took four (28 -> 8 MB at 100k pages). Only a finding on an
/// item reads it ([`PageFacts::pos_at`]), so it is decoded from the start.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineStarts(Vec<u8>);

impl LineStarts {
    /// Append `starts`, in order (wrapping arithmetic: whatever is pushed
    /// reads back as it was).
    fn extend(&mut self, starts: impl Iterator<Item = u32>) {
        let mut last = self.iter().last().unwrap_or(0);
        for start in starts {
            let mut n = start.wrapping_sub(last);
            last = start;
            while n >= 0x80 {
                self.0.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            self.0.push(n as u8);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut bytes = self.0.iter();
        let mut last = 0u32;
        std::iter::from_fn(move || {
            let (mut n, mut shift) = (0u32, 0u32);
            loop {
                let b = *bytes.next()?;
                n |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            last = last.wrapping_add(n);
            Some(last)
        })
    }
}

impl PageFacts {
    /// The position of a file offset that starts a list item or table row:
    /// the line is exact; the column counts bytes, which is exact when what
    /// precedes it on the line is ASCII (indentation, `|`, list markers).
    pub fn pos_at(&self, offset: u32) -> Pos {
        let (mut line, mut start, mut first) = (0u32, None, None);
        for s in self.line_starts.iter() {
            first.get_or_insert(s);
            if s > offset {
                break;
            }
            line += 1;
            start = Some(s);
        }
        Pos {
            line: line.max(1),
            col: offset.saturating_sub(start.or(first).unwrap_or(0)) + 1,
        }
    }

    /// Move the facts out into vectors of their exact size, leaving these
    /// empty with their capacity (to parse the next page into).
    fn take_exact(&mut self) -> PageFacts {
        let b = &mut self.blocks;
        PageFacts {
            headings: exact(&mut self.headings),
            links: exact(&mut self.links),
            external_links: std::mem::take(&mut self.external_links),
            blocks: b.take_exact(),
            line_starts: LineStarts(exact(&mut self.line_starts.0)),
            rare: self.rare.take_exact(),
            front_matter: self.front_matter.take(),
            unchecked: std::mem::take(&mut self.unchecked),
            wiki_links: exact(&mut self.wiki_links),
        }
    }
}

/// Move `v`'s items out into a vector of their exact size, leaving `v`
/// empty with its capacity.
pub(crate) fn exact<T>(v: &mut Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(v.len());
    out.append(v);
    out
}

/// GitHub Flavored Markdown, as far as links and headings are concerned,
/// with what the dialect adds: `{#id}` heading anchors (MkDocs).
fn options(dialect: crate::dialect::Dialect) -> Options {
    let gfm = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    if dialect.has_custom_ids() {
        gfm | Options::ENABLE_HEADING_ATTRIBUTES
    } else if dialect.has_wiki_links() {
        gfm | Options::ENABLE_WIKILINKS
    } else {
        gfm
    }
}

/// Byte offset -> line and column, for one page.
pub struct Lines<'a> {
    text: &'a str,
    base: u32,
    starts: Vec<u32>,
    /// The last position asked for, to count on from it on the same line.
    last: std::cell::Cell<(usize, Pos)>,
}

impl<'a> Lines<'a> {
    /// `text` starts at byte `base` of the file (3 after a BOM).
    pub fn new(text: &'a str, base: u32) -> Self {
        Lines::with_buffer(text, base, Vec::new())
    }

    /// [`Lines::new`], filling `starts` (cleared first) instead of a new vector.
    fn with_buffer(text: &'a str, base: u32, mut starts: Vec<u32>) -> Self {
        starts.clear();
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        Lines {
            text,
            base,
            starts,
            last: std::cell::Cell::new((0, Pos { line: 1, col: 1 })),
        }
    }

    /// Position of byte `offset` of `text` (not of the file).
    pub fn pos(&self, offset: usize) -> Pos {
        let (last_offset, last) = self.last.get();
        let o = offset as u32;
        // Positions are mostly asked for in page order: look at the last
        // line and the next two (a table's next rows), then search on from
        // the last line; search the whole page only when going back.
        let line = if offset >= last_offset {
            let l = last.line as usize - 1;
            let after = |i: usize| self.starts.get(i).is_none_or(|&s| s > o);
            if after(l + 1) {
                l
            } else if after(l + 2) {
                l + 1
            } else if after(l + 3) {
                l + 2
            } else {
                l + 2 + self.starts[l + 3..].partition_point(|&s| s <= o)
            }
        } else {
            self.starts.partition_point(|&s| s <= o) - 1
        };
        let start = self.starts[line] as usize;
        // Long table rows hold many links: count on from the last one.
        let (from, col0) =
            if last.line == line as u32 + 1 && last_offset >= start && last_offset <= offset {
                (last_offset, last.col)
            } else {
                (start, 1)
            };
        // Columns count characters; an ASCII stretch (most) is told at a glance.
        let before = &self.text[from..offset];
        let chars = if before.is_ascii() {
            before.len()
        } else {
            before.chars().count()
        };
        let col = col0 + chars as u32;
        let pos = Pos {
            line: line as u32 + 1,
            col,
        };
        self.last.set((offset, pos));
        pos
    }

    /// The line-start buffer, to be used again.
    fn into_buffer(self) -> Vec<u32> {
        self.starts
    }

    /// File offset of byte `offset` of `text`.
    pub fn file_offset(&self, offset: usize) -> u32 {
        self.base + offset as u32
    }
}

/// The facts that only some rule-file entries read, gathered only for a
/// rule file that has such entries (they cost a scan of every row).
#[derive(Clone, Debug, Default)]
pub struct Wants {
    /// Parentheticals anywhere in rows (`skip-marked`).
    pub notes: bool,
    /// Two-column tables' value cells (`where`, `where-not`).
    pub values: bool,
    /// `**Label:** N unit` (`form = "label"`).
    pub labels: bool,
    /// Bold spans with digits, `**18 table(s)**` (`form = "bold"`,
    /// `"page-total"`).
    pub strongs: bool,
    /// Table cells that hold a number, `| Analytic Rules | 17 |` (`form =
    /// "summary"`, `"index-column"`).
    pub nums: bool,
    /// Numbers with units in list items (`form = "hub-list"`).
    pub quantities: bool,
    /// Sentences ending with `:` before a list (`form = "lead-in"`).
    pub lead_ins: bool,
    /// The rule file's own cut-list lines (`cut-lists = [...]`), as one
    /// regex whose group `n` is the number of items not shown.
    pub cut: Option<regex::Regex>,
    /// How links and anchors are written (`[[wiki]]` links, `{#id}`).
    pub dialect: crate::dialect::Dialect,
    /// The rule file's `sites` (globs of folders each a site or vault).
    pub sites: Vec<String>,
    /// Under `mkdocs`: the `mkdocs.yml`'s anchors and footnotes (its
    /// defaults when `None`).
    pub mkdocs: Option<crate::dialect::mkdocs::Markdown>,
}

impl Wants {
    /// How headings get their anchors.
    fn anchors(&self) -> slug::Style {
        match (&self.mkdocs, self.dialect) {
            (Some(m), crate::dialect::Dialect::Mkdocs) => m.anchors.clone(),
            _ => slug::Style::of(self.dialect),
        }
    }

    /// Whether footnotes are anchors (`fn:1`), as MkDocs' `footnotes` makes them.
    fn footnote_anchors(&self) -> bool {
        self.dialect == crate::dialect::Dialect::Mkdocs
            && self.mkdocs.as_ref().is_none_or(|m| m.footnotes)
    }
}

impl Wants {
    pub fn all() -> Wants {
        Wants {
            notes: true,
            values: true,
            labels: true,
            strongs: true,
            nums: true,
            quantities: true,
            lead_ins: true,
            cut: None,
            dialect: crate::dialect::Dialect::Github,
            sites: Vec::new(),
            mkdocs: None,
        }
    }
}

/// Parse one page, gathering every fact. `base` is the file offset of
/// `text`'s first byte.
pub fn parse(text: &str, base: u32) -> PageFacts {
    parse_with(text, base, &Wants::all())
}

/// Parse one page, gathering the optional facts `wants` asks for.
pub fn parse_with(text: &str, base: u32, wants: &Wants) -> PageFacts {
    // A page's facts are gathered in vectors kept from the last page parsed
    // on this thread, then moved out at their exact size: no growing from
    // empty (and copying) for every page, no shrinking afterwards.
    thread_local! {
        static SCRATCH: std::cell::RefCell<(PageFacts, Vec<u32>)> = Default::default();
    }
    let (mut facts, starts) = SCRATCH.with_borrow_mut(std::mem::take);
    let untabbed = untab_fences(text);
    let written = &*untabbed;
    // Front matter is not Markdown: the parser sees blank lines in its place.
    let block = front_matter::split(written);
    let blanked = block
        .as_ref()
        .map(|(b, _)| front_matter::blank(written, b.clone()));
    let text = blanked.as_deref().unwrap_or(written);
    let lines = Lines::with_buffer(text, base, starts);
    facts.front_matter =
        block.map(|(b, yaml)| Box::new(front_matter::read(written, b, yaml, &lines)));
    let mut undefined: Vec<(Range<usize>, String)> = Vec::new();
    let callback = |broken: pulldown_cmark::BrokenLink<'_>| {
        if matches!(
            broken.link_type,
            LinkType::Reference | LinkType::Collapsed | LinkType::ReferenceUnknown
        ) {
            undefined.push((broken.span.clone(), broken.reference.to_string()));
        }
        None
    };
    let candidates = unrendered_candidates(text);
    static CONTRIBUTORS: Finder =
        Finder::new(|| memchr::memmem::Finder::new("ALL-CONTRIBUTORS-LIST:START"));
    facts.unchecked.all_contributors = CONTRIBUTORS.find(text.as_bytes()).is_some();
    let mkdocs = wants.dialect == crate::dialect::Dialect::Mkdocs;
    let snippets = if mkdocs {
        snippet_lines(text)
    } else {
        Vec::new()
    };
    // `[[wiki]]` links the dialect shows as text: counted, not checked.
    let wiki = if wants.dialect.has_wiki_links() {
        Vec::new()
    } else {
        wiki_candidates(text, wants.dialect == crate::dialect::Dialect::Gitlab)
    };
    let mut events =
        Parser::new_with_broken_link_callback(text, options(wants.dialect), Some(callback))
            .into_offset_iter();
    let mut used_labels: Vec<String> = Vec::new();
    let mut slugger = slug::Slugger::new(wants.anchors());
    let footnote_anchors = wants.footnote_anchors();
    // References to each footnote so far (a count per label, not a scan).
    let mut footnote_refs: crate::hash::FastMap<String, u32> = Default::default();
    let mut html = html::Scanner::default();
    let mut structure =
        blocks::Builder::with_blocks(std::mem::take(&mut *facts.blocks), wants.clone());

    // State while walking the events.
    // The open heading (level, bytes) and its text so far (one buffer for
    // the page's headings).
    let mut heading: Option<(u8, Range<usize>)> = None;
    let mut heading_text = String::new();
    let mut custom_id: Option<String> = None;
    let mut image_depth = 0u32;
    let mut code_block = false;
    let mut open_links: Vec<(
        Range<usize>,
        LinkType,
        pulldown_cmark::CowStr<'_>,
        bool,
        usize,
    )> = Vec::new();
    let mut unrendered_found: Vec<usize> = Vec::new();

    // Each event is read where the parser left it, by reference: moving it
    // out (80 bytes, just written) cost a copy and a stall per event.
    for next in events.by_ref() {
        let (event, range) = (&next.0, &next.1);
        structure.event(event, range, text, &lines);
        let within = structure.position();
        if let Some(top) = open_links.last_mut()
            && !matches!(event, Event::End(TagEnd::Link | TagEnd::Image))
        {
            top.4 = top.4.max(range.end);
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, attrs, ..
            }) => {
                // `{#id}`, or attr_list's `{ id="id" }` (also unquoted).
                custom_id = id.as_ref().map(|i| i.to_string()).or_else(|| {
                    attrs.iter().find(|(k, _)| &**k == "id").and_then(|(_, v)| {
                        let v = v.as_deref()?;
                        let v = unquote(v).unwrap_or(v);
                        (!v.is_empty()).then(|| v.to_string())
                    })
                });
                if let Some(id) = &custom_id {
                    slugger.reserve(id);
                }
                heading = Some((*level as u8, range.clone()));
                heading_text.clear();
            }
            Event::Start(Tag::FootnoteDefinition(label)) if footnote_anchors => {
                facts.rare.html_anchors.push(format!("fn:{label}"));
            }
            Event::FootnoteReference(label) if footnote_anchors => {
                // The first reference is `fnref:1`, the next `fnref2:1`...
                let n = footnote_refs.entry(label.to_string()).or_insert(0);
                *n += 1;
                facts.rare.html_anchors.push(match *n {
                    1 => format!("fnref:{label}"),
                    n => format!("fnref{n}:{label}"),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, bytes)) = heading.take() {
                    let text_ = &heading_text;
                    // `{#id}`: MkDocs' anchor (attr_list); text elsewhere.
                    let anchor = match custom_id.take() {
                        Some(id) => id,
                        None => {
                            if attr_list_id(text_).is_some() {
                                facts.unchecked.custom_ids += 1;
                            }
                            slugger.anchor(text_)
                        }
                    };
                    let count = heading_count(text, &bytes, text_, &lines).map(Box::new);
                    facts.headings.push(Heading::new(
                        level,
                        text_,
                        &anchor,
                        lines.file_offset(bytes.start)..lines.file_offset(bytes.end),
                        lines.pos(bytes.start),
                        count,
                    ));
                }
            }
            Event::Code(t) if heading.is_some() && image_depth == 0 => {
                heading_text.push_str(t);
            }
            Event::Text(t) => {
                if heading.is_some() && image_depth == 0 {
                    heading_text.push_str(t);
                }
                if mkdocs && !code_block {
                    mkdocs_anchors(t, heading.is_none(), text, range, &mut facts);
                    // Snippet lines starting in this text (not in code).
                    let first = snippets.partition_point(|(at, _)| *at < range.start);
                    let here = snippets[first..]
                        .iter()
                        .take_while(|(at, _)| *at < range.end);
                    facts.rare.snippets.extend(here.map(|(_, f)| Box::from(*f)));
                }
                if !code_block {
                    let first = candidates.partition_point(|&c| c < range.start);
                    let inside = candidates[first..].iter().take_while(|&&c| c < range.end);
                    unrendered_found.extend(inside);
                    if !wiki.is_empty() {
                        let first = wiki.partition_point(|&c| c < range.start);
                        let n = wiki[first..].iter().take_while(|&&c| c < range.end).count();
                        facts.unchecked.wiki_links += n as u32;
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => code_block = true,
            Event::End(TagEnd::CodeBlock) => code_block = false,
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                id,
                ..
            }) => {
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    facts.external_links += 1;
                } else if is_reference(*link_type) {
                    used_labels.push(id.to_string());
                } else {
                    let start = range.start;
                    let dest = dest_url.clone();
                    open_links.push((range.clone(), *link_type, dest, false, start + 1));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                id,
                ..
            }) => {
                image_depth += 1;
                if is_reference(*link_type) {
                    used_labels.push(id.to_string());
                } else {
                    let start = range.start;
                    let dest = dest_url.clone();
                    open_links.push((range.clone(), *link_type, dest, true, start + 2));
                }
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if *end == TagEnd::Image {
                    image_depth = image_depth.saturating_sub(1);
                }
                if let Some((range_, LinkType::WikiLink { .. }, dest, image, _)) = open_links.last()
                {
                    let mut w = wiki_link(text, range_, dest, *image, &lines);
                    w.at = within;
                    facts.wiki_links.push(w);
                    open_links.pop();
                } else if let Some((range_, link_type, dest, image, inner_end)) = open_links.pop()
                    && let Some(dest_range) = borrowed_range(text, &range_, &dest)
                        .or_else(|| inline_dest(text, &range_, inner_end))
                {
                    let kind = if image {
                        LinkKind::Image
                    } else {
                        LinkKind::Inline
                    };
                    debug_assert!(link_type == LinkType::Inline);
                    let before = facts.links.len();
                    if !counted_as_gitlab_reference(&mut facts, wants, kind, &dest) {
                        push_link(&mut facts, &lines, text, kind, &dest, dest_range, within);
                    }
                    // A note right after a link marks it (`skip-marked`).
                    if wants.notes
                        && facts.links.len() > before
                        && let Some(note) = note_after(text, range.end)
                    {
                        let offset = facts.links[before].offset;
                        facts.rare.link_notes.push((offset, note.into()));
                    }
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // `<br>` and `</td>` (most of the HTML) are shorter than any
                // suppression comment: no search for them.
                if h.len() >= SHORTEST_SUPPRESSION.len()
                    && find_short(h.as_bytes(), b"reftree-").is_some()
                {
                    suppressions_in(h, range.start, &lines, &mut facts.rare.suppressions);
                }
                for found in html.scan(h) {
                    let at = range.start + found.offset;
                    match found.what {
                        html::Found::Link(dest)
                            if !counted_as_gitlab_reference(
                                &mut facts,
                                wants,
                                LinkKind::Html,
                                &dest,
                            ) =>
                        {
                            let dest_range = at..at + dest.len();
                            push_link(
                                &mut facts,
                                &lines,
                                text,
                                LinkKind::Html,
                                &dest,
                                dest_range,
                                within,
                            );
                        }
                        html::Found::Link(_) => {}
                        html::Found::Anchor(a) => facts.rare.html_anchors.push(a),
                    }
                }
            }
            _ => {}
        }
    }

    // Reference definitions that some link uses (an unused one renders nothing).
    let defs = events.reference_definitions();
    let mut used = std::collections::HashSet::new();
    for label in &used_labels {
        if let Some(def) = defs.get(label)
            && used.insert(def.span.start)
            && let Some(dest_range) = definition_dest(text, &def.span)
            && !counted_as_gitlab_reference(&mut facts, wants, LinkKind::Definition, &def.dest)
        {
            let dest = &def.dest;
            push_link(
                &mut facts,
                &lines,
                text,
                LinkKind::Definition,
                dest,
                dest_range,
                None,
            );
        }
    }
    drop(events);
    facts.rare.cut_lists = cut_lists(text, &lines, wants.cut.as_ref());
    if wants.dialect.has_wiki_links() {
        facts.rare.block_ids = block_ids(text);
    }
    *facts.blocks = structure.finish(text);
    facts
        .line_starts
        .extend(lines.starts.iter().map(|s| s + lines.base));

    for (span, label) in undefined {
        facts.rare.undefined_refs.push(UndefinedRef {
            label,
            text: text[span.clone()].to_string(),
            offset: lines.file_offset(span.start),
            pos: lines.pos(span.start),
        });
    }
    unrendered_found.sort_unstable();
    unrendered_found.dedup();
    for c in unrendered_found {
        // `c` is the `]`; the destination starts after `](`.
        let start = c + 2;
        let end = text[start..].find(')').map_or(text.len(), |e| start + e);
        facts.rare.unrendered.push(Unrendered {
            dest: text[start..end].to_string(),
            offset: lines.file_offset(start),
            pos: lines.pos(start),
        });
    }
    facts.links.sort_by_key(|l| l.offset);
    let exact = facts.take_exact();
    SCRATCH.with_borrow_mut(|s| *s = (facts, lines.into_buffer()));
    exact
}

/// Where `needle` first occurs in `hay`: a `memchr` for its first byte and
/// a comparison. For the short haystacks of one HTML tag or one link, where
/// building a `memmem` searcher on every call cost more than the search
/// (465k calls, 4% of a check's instructions).
pub(crate) fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    memchr::memchr_iter(first, hay).find(|&i| hay[i..].starts_with(needle))
}

/// A reference label as CommonMark matches it: letter case folded, runs
/// of spacing one space, none at either end ([`blocks::normalize`]).
pub fn label_key(label: &str) -> String {
    blocks::normalize(label)
}

/// The labels `text` defines (`[label]: url`), as [`label_key`]s.
pub fn defined_labels(text: &str) -> Vec<String> {
    let mut parser = Parser::new_ext(text, options(crate::dialect::Dialect::Mkdocs));
    parser.by_ref().for_each(drop);
    parser
        .reference_definitions()
        .iter()
        .map(|(label, _)| label_key(label))
        .collect()
}

/// Tabs after a bare code fence (```` ```\t ````) become spaces.
///
/// CommonMark (and GitHub) let a closing fence be followed by spaces or
/// tabs; pulldown-cmark does not close the fence on a tab, and the rest of
/// the page would turn into code. Same length, so offsets stay exact.
fn untab_fences(text: &str) -> std::borrow::Cow<'_, str> {
    let is_bare_fence = |line: &str| {
        let line = line.trim_end_matches('\n');
        let t = line.trim_start_matches(' ');
        let body = t.trim_end_matches([' ', '\t', '\r']);
        line.len() - t.len() <= 3
            && body.len() >= 3
            && (body.bytes().all(|b| b == b'`') || body.bytes().all(|b| b == b'~'))
            && t[body.len()..].contains('\t')
    };
    let tab_after_fence = memchr::memchr_iter(b'\t', text.as_bytes())
        .any(|i| i > 0 && matches!(text.as_bytes()[i - 1], b'`' | b'~'));
    if !tab_after_fence {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if is_bare_fence(line) {
            out.push_str(&line.replace('\t', " "));
        } else {
            out.push_str(line);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The declared count of a heading, located in the source line.
fn heading_count(
    text: &str,
    bytes: &Range<usize>,
    rendered: &str,
    lines: &Lines<'_>,
) -> Option<DeclaredCount> {
    let (value, unit, _) = trailing_count(rendered)?;
    // Find the same `(N` in the source, from the end of the heading line.
    let src = &text[bytes.clone()];
    let (_, _, r) = trailing_count(src.trim_end_matches(['#', ' ', '\t', '\r', '\n']))?;
    let at = bytes.start + r.start;
    Some(DeclaredCount {
        value,
        unit: unit.into(),
        offset: lines.file_offset(at),
        len: r.len() as u32,
        pos: lines.pos(at),
    })
}

/// `(dependency)` or `*(dependency on [X](x.md))*` right after a link: the
/// first words of a parenthetical on the same line.
fn note_after(text: &str, end: usize) -> Option<&str> {
    // Skip spacing, emphasis and badges (`⚠️`, `🔶`) between the link and `(`.
    let after = &text[end..];
    match after.as_bytes().first() {
        Some(b' ' | b'*' | b'_' | b'(') => {}
        Some(b) if *b >= 0x80 => {}
        _ => return None, // the common case: `|`, `,`, a newline
    }
    let skip = after
        .char_indices()
        .take_while(|&(i, _)| i <= 16)
        .find(|&(_, c)| c.is_alphanumeric() || matches!(c, '(' | '[' | '\n'))
        .map(|(i, _)| i)?;
    let rest = after[skip..].strip_prefix('(')?;
    let mut limit = rest.len().min(40);
    while !rest.is_char_boundary(limit) {
        limit -= 1;
    }
    let stop = rest[..limit].find([')', '[', '\n']).unwrap_or(limit);
    let note = rest[..stop].trim();
    (!note.is_empty()).then_some(note)
}

fn is_reference(t: LinkType) -> bool {
    matches!(
        t,
        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
    )
}

/// Under `gitlab`, a link (not an image) whose destination is a GitLab
/// reference leads to that merge request, issue or commit, not to a file:
/// counted, not checked.
fn counted_as_gitlab_reference(
    facts: &mut PageFacts,
    wants: &Wants,
    kind: LinkKind,
    dest: &str,
) -> bool {
    let is = wants.dialect.links_references()
        && kind != LinkKind::Image
        && crate::dialect::gitlab_reference(dest).is_some();
    if is {
        facts.unchecked.gitlab_references += 1;
    }
    is
}

fn push_link(
    facts: &mut PageFacts,
    lines: &Lines<'_>,
    text: &str,
    kind: LinkKind,
    dest: &str,
    dest_range: Range<usize>,
    at: Option<(u32, u16)>,
) {
    if is_external(dest) {
        facts.external_links += 1;
        return;
    }
    let written = &text[dest_range.clone()];
    facts.links.push(RawLink {
        kind,
        len: written.len() as u32,
        unescaped: (written != dest).then(|| dest.into()),
        offset: lines.file_offset(dest_range.start),
        pos: lines.pos(dest_range.start),
        at,
    });
}

/// A URL with a scheme (`https:`, `Https:`, `mailto:`) or a `//host` link.
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let mut chars = dest.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    for (_, c) in chars {
        match c {
            ':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {}
            _ => return false,
        }
    }
    false
}

/// Where a destination pulldown-cmark borrowed from the page lies in it: no
/// scan needed (escapes or entities make it an owned string instead).
fn borrowed_range(
    text: &str,
    link: &Range<usize>,
    dest: &pulldown_cmark::CowStr<'_>,
) -> Option<Range<usize>> {
    let pulldown_cmark::CowStr::Borrowed(s) = dest else {
        return None;
    };
    let start = (s.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let range = start..start + s.len();
    // Inside this link, after its text (never the text itself), and not empty.
    (range.end <= link.end && range.start > link.start && !s.is_empty()).then_some(range)
}

/// Byte range of the destination in `[text](dest "title")`, found after the
/// link text (which ends at or before `inner_end`).
fn inline_dest(text: &str, link: &Range<usize>, inner_end: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let from = inner_end.clamp(link.start, link.end);
    let open = find_short(&bytes[from..link.end], b"](")? + from + 2;
    let mut p = open;
    let mut newline = false;
    while p < link.end {
        match bytes[p] {
            b' ' | b'\t' => p += 1,
            b'\r' | b'\n' if !newline => {
                newline = true;
                p += 1;
            }
            _ => break,
        }
    }
    if p < link.end && bytes[p] == b'<' {
        let end = text[p + 1..link.end].find('>')? + p + 1;
        return Some(p + 1..end);
    }
    let start = p;
    let mut depth = 0u32;
    while p < link.end {
        match bytes[p] {
            b'\\' if p + 1 < link.end && bytes[p + 1].is_ascii_punctuation() => p += 2,
            b' ' | b'\t' | b'\r' | b'\n' => break,
            b'(' => {
                depth += 1;
                p += 1;
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                p += 1;
            }
            _ => p += 1,
        }
    }
    Some(start..p.min(link.end))
}

/// Byte range of the destination in `[label]: dest "title"`.
fn definition_dest(text: &str, span: &Range<usize>) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut p = text[span.start..span.end].find("]:")? + span.start + 2;
    while p < span.end && bytes[p].is_ascii_whitespace() {
        p += 1;
    }
    if p < span.end && bytes[p] == b'<' {
        let end = text[p + 1..span.end].find('>')? + p + 1;
        return Some(p + 1..end);
    }
    let start = p;
    while p < span.end && !bytes[p].is_ascii_whitespace() {
        p += 1;
    }
    Some(start..p)
}

/// Offsets of `]` in `](dest)` where the destination holds a raw space, a
/// backslash or a parenthesis: if that `]` ends up in plain text, Markdown
/// did not make a link of it.
/// Where `[[` opens what Obsidian reads as a wiki link: a `]]` later on the
/// line, with something between.
/// Where `[[wiki]]` links may start. GitLab renders `[[_TOC_]]` as the
/// page's table of contents ("Table of contents" in docs.gitlab.com's GitLab
/// Flavored Markdown), not as text: under `gitlab` it is no wiki link.
fn wiki_candidates(text: &str, gitlab: bool) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut after = 0;
    for at in WIKI_OPEN.find_iter(bytes) {
        if at < after {
            continue; // `[[[`: one link
        }
        let rest = &bytes[at + 2..];
        let line = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        if let Some(close) = find_short(&rest[..line], b"]]")
            && close > 0
        {
            if !(gitlab && &rest[..close] == b"_TOC_") {
                out.push(at);
            }
            after = at + 2 + close + 2;
        }
    }
    out
}

fn unrendered_candidates(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for at in LINK_MIDDLE.find_iter(bytes) {
        let rest = &bytes[at + 2..];
        let end = memchr::memchr2(b')', b'\n', rest).unwrap_or(rest.len());
        // A space, backslash or `(` before the first `)`, and a `)` on the line.
        if memchr::memchr3(b' ', b'\\', b'(', &rest[..end]).is_some() {
            let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            if memchr::memchr(b')', &rest[..line_end]).is_some() {
                out.push(at);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_read_back_as_written_and_place_items() {
        let starts = [0, 1, 127, 128, 300, 16_511, 16_512, 2_000_000, u32::MAX];
        let mut packed = LineStarts::default();
        packed.extend(starts.iter().copied());
        assert_eq!(packed.iter().collect::<Vec<_>>(), starts);
        // Lines of 1 and 126 bytes take a byte each; 172 bytes, two.
        assert_eq!(packed.0[..4], [0, 1, 126, 1]);
        assert_eq!(packed.0[4..6], [0xac, 0x01]);

        let text = "# T\n\n| a | b |\n|---|---|\n| x | y |\n";
        let facts = parse(text, 0);
        let row = text.find("| x").expect("row") as u32;
        assert_eq!(facts.pos_at(row), Pos { line: 5, col: 1 });
        assert_eq!(facts.pos_at(row + 2), Pos { line: 5, col: 3 });
        assert_eq!(facts.pos_at(0), Pos { line: 1, col: 1 });
    }

    #[test]
    fn bold_spans_and_number_cells_are_gathered_only_when_asked_for() {
        let text =
            "Queries **18 table(s)**:\n\n| Rules | Count |\n|---|---|\n| Analytic Rules | 17 |\n";
        let asked = parse(text, 0);
        assert_eq!(asked.blocks.strongs.len(), 1);
        assert_eq!(&*asked.blocks.strongs[0].text, "18 table(s)");
        assert_eq!(asked.blocks.nums.len(), 1);
        assert_eq!(asked.blocks.nums[0].value, 17);
        // A run without a rule file's bold or summary forms reads neither,
        // but still has the row.
        let not = parse_with(text, 0, &Wants::default());
        assert!(not.blocks.strongs.is_empty() && not.blocks.nums.is_empty());
        assert_eq!(not.blocks.items.len(), 1);
        assert_eq!(not.blocks.items[0].key(), asked.blocks.items[0].key());
    }

    #[test]
    fn a_cut_list_line_is_found_whatever_more_says_elsewhere() {
        let text = "# T\n- ... and 159 more\n| 12 more |\n(3 more)\n*5 more*\n\
            1,234 more tables\n5\tMORE\nmore than 5\n5more\n- and 7 More items\n\
            no more, 9 more\nmore\n 2 more";
        let lines = Lines::new(text, 0);
        let found: Vec<u64> = known_cut_lists(text, &lines)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        // The definition: the pattern tried on every line that says `more`.
        let every_line: Vec<u64> = text
            .lines()
            .filter(|l| ["more", "More", "MORE"].iter().any(|m| l.contains(m)))
            .filter_map(|l| cut_line().captures(l)?[1].replace(',', "").parse().ok())
            .collect();
        assert_eq!(found, every_line);
        assert_eq!(found, [159, 12, 3, 5, 1234, 5, 7, 2]);
    }

    #[test]
    fn find_short_finds_what_memmem_finds() {
        for (hay, needle) in [
            ("<!-- reftree-disable -->", "reftree-"),
            ("a](b", "]("),
            ("]]", "]]"),
            ("x]y", "]("),
            ("", "]("),
            ("--!-->", "-->"),
        ] {
            assert_eq!(
                find_short(hay.as_bytes(), needle.as_bytes()),
                memchr::memmem::find(hay.as_bytes(), needle.as_bytes()),
                "{hay} {needle}"
            );
        }
    }

    #[test]
    fn trailing_counts_with_and_without_units() {
        assert_eq!(trailing_count("Solutions (29)").map(|c| c.0), Some(29));
        assert_eq!(
            trailing_count("Schema (18 columns)").map(|c| (c.0, c.1)),
            Some((18, "columns"))
        );
        assert_eq!(trailing_count("Tables (2,148)").map(|c| c.0), Some(2148));
        assert_eq!(trailing_count("Solutions (29)").map(|c| c.2), Some(11..13));
        assert_eq!(trailing_count("Post-Auth (NP)"), None);
        assert_eq!(trailing_count("Login (2h)"), None);
        assert_eq!(trailing_count("No count"), None);
    }

    #[test]
    fn a_heading_count_points_at_its_digits_in_the_source() {
        let facts = parse("# T\n\n## Solutions (29) ##\n", 0);
        let c = facts.headings[1].count.clone().expect("a count");
        assert_eq!((c.value, c.offset, c.len), (29, 19, 2));
        assert_eq!(c.pos, Pos { line: 3, col: 15 });
    }
}

#[cfg(test)]
mod dialect_tests {
    use super::*;
    use crate::dialect::Dialect;

    fn facts(text: &str, dialect: Dialect) -> PageFacts {
        parse_with(
            text,
            0,
            &Wants {
                dialect,
                ..Wants::all()
            },
        )
    }

    #[test]
    fn attr_list_ids_in_each_form_mkdocs_documents() {
        assert_eq!(attr_list_id("Part {#part}"), Some(("part", "{#part}")));
        assert_eq!(
            attr_list_id("Check it { #check-it }"),
            Some(("check-it", "{ #check-it }"))
        );
        assert_eq!(
            attr_list_id("Hash ### {: #hash .wide }"),
            Some(("hash", "{: #hash .wide }"))
        );
        assert_eq!(
            attr_list_id("Key {#k data-x=1} "),
            Some(("k", "{#k data-x=1}"))
        );
        for plain in ["No id", "Set {a, b}", "{#}", "Two {#a #b}", "Css {.wide}"] {
            assert_eq!(attr_list_id(plain), None, "{plain}");
        }
    }

    /// attr_list after a paragraph, list item or inline element, and
    /// mkdocstrings' `:::` lines, as MkDocs reads them.
    #[test]
    fn mkdocs_anchors_outside_headings() {
        let facts = parse_with(
            "* **After** validators run last.\n{#field-after-validator}\n\n\
             A *word*{: #word .x } and a set {a, b} and {.only-class} and `{#code}`.\n\n\
             Note.\n{ id=\"note-1\" }\n\n\
             ::: pydantic.config\n    options:\n      show_root_heading: true\n\n\
             ```\n{#fenced}\n::: not.this\n```\n",
            0,
            &Wants {
                dialect: crate::dialect::Dialect::Mkdocs,
                ..Wants::all()
            },
        );
        assert_eq!(
            facts.rare.html_anchors,
            ["field-after-validator", "word", "note-1"]
        );
        assert_eq!(facts.rare.api_objects, [Box::from("pydantic.config")]);
        let snippets = parse_with(
            "# Contributing\n\n--8<-- \"CONTRIBUTING.md\"\n\n--8<--\nlinks.md\nfaq.md:install\n;skipped.md\n--8<--\n\n\
             ;--8<-- \"off.md\"\n\n    --8<-- \"code.md\"\n",
            0,
            &Wants {
                dialect: crate::dialect::Dialect::Mkdocs,
                ..Wants::all()
            },
        );
        assert_eq!(
            snippets.rare.snippets,
            ["CONTRIBUTING.md", "links.md", "faq.md"].map(Box::from)
        );
        let github = parse("Text\n{#x}\n\n::: a.b\n", 0);
        assert!(github.rare.html_anchors.is_empty() && github.rare.api_objects.is_empty());
    }

    #[test]
    fn a_heading_id_is_the_anchor_on_mkdocs_and_text_on_github() {
        let text = "# Title\n\n## Part one {#part}\n";
        let mkdocs = facts(text, Dialect::Mkdocs);
        assert_eq!(mkdocs.headings[1].anchor(), "part");
        assert_eq!(mkdocs.unchecked.custom_ids, 0);
        let github = facts(text, Dialect::Github);
        assert_eq!(github.headings[1].anchor(), "part-one-part");
        assert_eq!(github.unchecked.custom_ids, 1);
    }

    #[test]
    fn a_gitlab_reference_is_a_link_to_gitlab_not_to_a_file() {
        let text = "- [Feature 1](gitlab-org/gitlab@123abc) ([merge request](gitlab-org/gitlab!123))\n\
                    - [see](#123), [guide](guide.md#123), ![shot](9ba12248), [def][d]\n\
                    - <a href=\"project#7\">issue</a>\n\n[d]: !456\n";
        let written = |f: &PageFacts| -> Vec<String> {
            f.links
                .iter()
                .map(|l| text[l.offset as usize..][..l.len as usize].to_string())
                .collect()
        };
        let gitlab = facts(text, Dialect::Gitlab);
        // An image is not a link GitLab rewrites.
        assert_eq!(written(&gitlab), ["guide.md#123", "9ba12248"]);
        assert_eq!(gitlab.unchecked.gitlab_references, 5);
        let github = facts(text, Dialect::Github);
        assert_eq!(github.links.len(), 7);
        assert_eq!(github.unchecked.gitlab_references, 0);
    }

    #[test]
    fn gitlab_s_table_of_contents_marker_is_no_wiki_link() {
        let text = "# T\n\n[[_TOC_]]\n\nSee [[Note]].\n";
        assert_eq!(facts(text, Dialect::Gitlab).unchecked.wiki_links, 1);
        assert_eq!(facts(text, Dialect::Github).unchecked.wiki_links, 2);
    }

    #[test]
    fn wiki_links_are_links_in_a_vault_and_counted_elsewhere() {
        let text = "See [[Note#Part|the part]] and ![[img.png]] but not `[[code]]`.\n\nDone ^blk\n";
        let vault = facts(text, Dialect::Obsidian);
        let targets: Vec<&str> = vault.wiki_links.iter().map(|w| &*w.target).collect();
        assert_eq!(targets, ["Note#Part", "img.png"]);
        assert!(vault.wiki_links[1].embed);
        assert_eq!(
            &text[vault.wiki_links[0].offset as usize..][..9],
            "Note#Part"
        );
        assert_eq!(vault.rare.block_ids, [Box::from("blk")]);
        assert!(vault.links.is_empty(), "wiki links are not URL links");
        let github = facts(text, Dialect::Github);
        assert!(github.wiki_links.is_empty());
        assert_eq!(github.unchecked.wiki_links, 2);
    }
}
