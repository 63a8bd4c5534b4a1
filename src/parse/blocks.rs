//! The countable structure of a page: lists and tables, their items (list
//! items at a list's first level, table body rows), numbers in table cells,
//! and bold spans with digits (`**18 table(s)**`). Fed the parser's events.

use super::Lines;
use crate::diag::Pos;
use crate::hash::mix;
use pulldown_cmark::{Event, Tag, TagEnd};
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ContainerKind {
    List,
    Table,
}

/// A list or a table.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Container {
    pub kind: ContainerKind,
    /// A numbered list (`1.`): steps of a procedure, not a set of entries.
    pub ordered: bool,
    pub offset: u32,
    /// How many header cells a table has: [`Container::header`].
    columns: u16,
    /// A table's header cells, as plain text, each ended by a newline (no
    /// cell holds one): one allocation per table, not one per cell.
    header: Box<str>,
}

// One per list and table (400,000 at 100k pages).
const _: () = assert!(std::mem::size_of::<Container>() == 24);

impl Container {
    /// A table's header cells, as plain text (none for a list).
    pub fn header(&self) -> impl Iterator<Item = &str> {
        self.header.split_terminator('\n')
    }

    /// How many header cells (columns) a table has; 0 for a list.
    pub fn columns(&self) -> usize {
        usize::from(self.columns)
    }

    fn push_header(&mut self, cell: &str) {
        let mut header = std::mem::take(&mut self.header).into_string();
        // A table row is one line; a newline would end the cell early.
        header.extend(cell.chars().map(|c| if c == '\n' { ' ' } else { c }));
        header.push('\n');
        self.header = header.into_boxed_str();
        self.columns = self.columns.saturating_add(1);
    }
}

/// A list item (first level of its list) or a table body row.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Item {
    pub container: u32,
    /// Byte range in the file (its position: `PageFacts::pos_at`).
    pub offset: u32,
    pub end: u32,
    /// [`Item::key`], as two halves: a `u64` would align the item to 8
    /// bytes and pad it from 20 to 24.
    key: [u32; 2],
}

// One per list item and table row (2.9 million at 100k pages).
const _: () = assert!(std::mem::size_of::<Item>() == 20);

impl Item {
    /// Hash of the normalised text of the first cell (rows) or of the whole
    /// item (list items): what names the row (`**Solution**`, `Analytic Rules`).
    pub fn key(&self) -> u64 {
        u64::from(self.key[0]) | (u64::from(self.key[1]) << 32)
    }

    fn set_key(&mut self, key: u64) {
        self.key = [key as u32, (key >> 32) as u32];
    }
}

/// A table cell that holds only a number (`17`, `2,148`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Num {
    /// The row it is in (index into `items`): a row's numbers are one run.
    pub item: u32,
    pub col: u16,
    pub value: u64,
    pub offset: u32,
    pub len: u32,
    pub pos: Pos,
}

/// Bold text with a digit in it, outside tables.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Strong {
    pub text: Box<str>,
    /// The rest of the source line after the closing `**` (up to 120 bytes):
    /// `(plus 1 discovered)` qualifies `**1 data connector(s)**`.
    pub after: Box<str>,
    /// File offset of the text (after `**`).
    pub offset: u32,
    pub pos: Pos,
}

/// A number with its unit, in prose: `**Referenced by:** 4 columns` (a
/// bold label's number) or `- [ORDERS](orders.md) — 2152 inbound` (a list
/// item's quantity).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Quantity {
    /// The label (`key_of("Referenced by")`, colon left out), or the list
    /// item the number is in (as `u64`).
    pub of: u64,
    pub value: u64,
    /// The word after the number, normalised (`columns`, `inbound`).
    pub unit: Box<str>,
    /// File offset and length of the number.
    pub offset: u32,
    pub len: u32,
    pub pos: Pos,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Blocks {
    pub containers: Vec<Container>,
    pub items: Vec<Item>,
    pub nums: Vec<Num>,
    pub strongs: Vec<Strong>,
    /// File offsets of thematic breaks (`---`).
    pub breaks: Vec<u32>,
    /// The value cell of each row of a two-column table (`| **Type** |
    /// Workbook |`), as its key (`key_of`): what attribute filters compare.
    /// Short cells only.
    pub values: Vec<(u32, u64)>,
    /// Parentheticals in an item's text outside its links (`(dependency)`,
    /// `*(dependency on [Syslog](syslog.md))*`), up to 40 bytes, by item,
    /// normalised.
    pub notes: Vec<(u32, Box<str>)>,
    /// What few pages hold: [`RareBlocks`].
    pub rare: super::Rare<RareBlocks>,
}

/// The blocks of a page that few pages hold: labels, quantities, lead-ins,
/// rows hashed whole.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RareBlocks {
    /// `**Label:** N unit` outside tables.
    pub labels: Vec<Quantity>,
    /// Numbers followed by a word in list items, outside links.
    pub quantities: Vec<Quantity>,
    /// A paragraph that ends with `:` and holds one number, right before a
    /// list or table: "The index lists the 25 most-referenced tables:".
    pub lead_ins: Vec<LeadIn>,
    /// (row, hash of its whole text) for the rows whose first cell another
    /// row of the page shares, by row: see [`Blocks::whole_of`]. Kept
    /// apart from the items, as few rows need one.
    pub wholes: Vec<(u32, u64)>,
}

/// A page's blocks are [`super::Rare`] too: a page without lists or tables
/// has none, nor has a page whose lists the rules that read one page alone
/// have read.
impl super::RareParts for Blocks {
    fn none() -> &'static Blocks {
        static NONE: Blocks = Blocks {
            containers: Vec::new(),
            items: Vec::new(),
            nums: Vec::new(),
            strongs: Vec::new(),
            breaks: Vec::new(),
            values: Vec::new(),
            notes: Vec::new(),
            rare: super::Rare(None),
        };
        &NONE
    }

    fn is_empty(&self) -> bool {
        self.containers.is_empty()
            && self.items.is_empty()
            && self.nums.is_empty()
            && self.strongs.is_empty()
            && self.breaks.is_empty()
            && self.values.is_empty()
            && self.notes.is_empty()
            && self.rare.is_empty()
    }

    fn take_exact(&mut self) -> Blocks {
        use super::exact;
        Blocks {
            containers: exact(&mut self.containers),
            items: exact(&mut self.items),
            nums: exact(&mut self.nums),
            strongs: exact(&mut self.strongs),
            breaks: exact(&mut self.breaks),
            values: exact(&mut self.values),
            notes: exact(&mut self.notes),
            rare: self.rare.take_exact(),
        }
    }
}

rare_parts!(RareBlocks {
    labels,
    quantities,
    lead_ins,
    wholes,
});

impl Blocks {
    /// Hash of the normalised text of item `item` whole, cell by cell: what
    /// makes two rows the same row (`| [ORDERS](o.md) | BILL_TO_ID |` and
    /// `| [ORDERS](o.md) | SHIP_TO_ID |` are two edges to one page). Two rows
    /// identical in every cell share their first cell, so a row whose first
    /// cell no other row has is told apart by its key; a list item's key is
    /// its whole text's.
    pub fn whole_of(&self, item: u32) -> u64 {
        match self.rare.wholes.binary_search_by_key(&item, |&(i, _)| i) {
            Ok(at) => self.rare.wholes[at].1,
            Err(_) => self.items[item as usize].key(),
        }
    }

    /// The numbers in row `item` (index into `items`).
    pub fn nums_of(&self, item: usize) -> &[Num] {
        let item = item as u32;
        let start = self.nums.partition_point(|n| n.item < item);
        let len = self.nums[start..]
            .iter()
            .take_while(|n| n.item == item)
            .count();
        &self.nums[start..start + len]
    }
}

/// A sentence that says how long the list or table under it is.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LeadIn {
    /// The list or table it leads into (index into `containers`).
    pub container: u32,
    /// Its number (`of` is unused).
    pub number: Quantity,
    /// The sentence's source (up to 200 bytes), for `pattern`.
    pub text: Box<str>,
}

/// Lowercase, spacing collapsed: how row names and titles compare. (The
/// texts are rendered text: `**Solution**` is already `Solution`.)
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Hashes `normalize(text)` fed in pieces, without building the string.
///
/// Keys only need to tell names apart, and this runs over the text of every
/// table row and list item of the tree: the normalised bytes are gathered
/// eight at a time and each word mixed in with [`mix`] (one
/// multiplication per word, where FNV-1a made one per byte). Pieces may be
/// cut anywhere: the hash depends only on the normalised bytes.
#[derive(Default)]
pub struct KeyHasher {
    h: u64,
    /// Bytes not yet mixed in (the low `n` bytes of `word`).
    word: u64,
    n: u32,
    len: u64,
    space: bool,
    started: bool,
}

impl KeyHasher {
    pub fn feed(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // The run of visible ASCII bytes here, up to eight, at once
            // (the words of a row's text): lowercased and mixed in whole.
            let rest = &bytes[i..];
            let w = load8(rest);
            let run = plain_ascii_run(w);
            if run > 0 {
                self.visible();
                self.push_bytes(ascii_lowercase(w), run);
                i += run as usize;
                continue;
            }
            let b = bytes[i];
            if b.is_ascii() {
                // `char::is_whitespace` on ASCII (with `\x0B`, which
                // `u8::is_ascii_whitespace` leaves out), as `normalize` splits.
                if matches!(b, b' ' | b'\t'..=b'\r') {
                    self.space = self.started;
                } else {
                    self.visible();
                    self.push(b.to_ascii_lowercase());
                }
                i += 1;
                continue;
            }
            let c = text[i..].chars().next().expect("a char starts here");
            i += c.len_utf8();
            if c.is_whitespace() {
                self.space = self.started;
                continue;
            }
            self.visible();
            for l in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for &b in l.encode_utf8(&mut buf).as_bytes() {
                    self.push(b);
                }
            }
        }
    }

    /// Before a visible character: the one space a run of spacing becomes
    /// (none at the start; trailing spacing is never written).
    fn visible(&mut self) {
        if self.space {
            self.push(b' ');
            self.space = false;
        }
        self.started = true;
    }

    fn push(&mut self, b: u8) {
        self.push_bytes(u64::from(b), 1);
    }

    /// The low `k` bytes of `w` (1 to 8), as `push` would take them one by one.
    fn push_bytes(&mut self, w: u64, k: u32) {
        let w = if k == 8 { w } else { w & ((1 << (8 * k)) - 1) };
        self.word |= w << (8 * self.n);
        self.len += u64::from(k);
        let filled = self.n + k;
        if filled < 8 {
            self.n = filled;
            return;
        }
        self.h = mix(self.h, self.word);
        let used = 8 - self.n; // bytes of `w` that went into that word
        self.word = if used == 8 { 0 } else { w >> (8 * used) };
        self.n = filled - 8;
    }

    pub fn finish(&self) -> u64 {
        mix(mix(self.h, self.word), self.len)
    }
}

/// The first eight bytes of `rest` as a little-endian word, zero bytes
/// past its end (a zero byte stops every run the callers look for).
fn load8(rest: &[u8]) -> u64 {
    match rest.get(..8) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("8 bytes")),
        None => {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(buf)
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// How many of the bytes of `w`, from the first, are ASCII above the space
/// (no spacing, control or non-ASCII byte): kept as they are or lowercased.
fn plain_ascii_run(w: u64) -> u32 {
    // A byte below 0x21 sets its high bit in `w - 0x21..`; so may the bytes
    // above it, through the borrow, but never one below: the lowest flag is
    // exact, and only the lowest is read.
    let special = (w.wrapping_sub(ONES * 0x21) & !w & HIGH) | (w & HIGH);
    special.trailing_zeros() / 8
}

/// `to_ascii_lowercase` on eight bytes: +0x20 where `A..=Z` (bytes from
/// 0x80 up come out changed, but they are past the run and never used).
fn ascii_lowercase(w: u64) -> u64 {
    // The high bit of each byte's sum says `>= b'A'` and `>= b'Z' + 1`; a
    // byte below 0x80 carries nothing into the next one.
    let low = w & !HIGH;
    let at_least_a = low + ONES * (0x80 - u64::from(b'A'));
    let above_z = low + ONES * (0x80 - u64::from(b'Z') - 1);
    let upper = at_least_a & !above_z & HIGH;
    w | (upper >> 2)
}

/// A hash of `normalize(text)`, computed without building the string.
pub fn key_of(text: &str) -> u64 {
    let mut k = KeyHasher::default();
    k.feed(text);
    k.finish()
}

/// A cell's number: digits with optional thousands separators, nothing else.
pub fn parse_count(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Digits and commas only, read without building a comma-free copy.
    t.bytes().try_fold(0u64, |n, b| match b {
        b'0'..=b'9' => n.checked_mul(10)?.checked_add(u64::from(b - b'0')),
        b',' => Some(n),
        _ => None,
    })
}

/// A table row's identity: a hash of its source with each run of spacing
/// read as one space (none at either end) and ASCII letters lowercased, the
/// bytes gathered eight at a time (hashing every row's text through
/// `KeyHasher` as well as its first cell cost 4% of a run, a `memchr` per
/// word as much).
fn row_hash(source: &str) -> u64 {
    struct Words {
        h: u64,
        word: u64,
        n: u32,
    }
    impl Words {
        fn mix(&mut self, w: u64) {
            self.h =
                (self.h.rotate_left(5) ^ ascii_lowercase(w)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        /// The low `k` bytes of `w` (1 to 8) after those gathered so far.
        fn push_bytes(&mut self, w: u64, k: u32) {
            let w = if k == 8 { w } else { w & ((1 << (8 * k)) - 1) };
            self.word |= w << (8 * self.n);
            let filled = self.n + k;
            if filled < 8 {
                self.n = filled;
                return;
            }
            let full = self.word;
            self.mix(full);
            let used = 8 - self.n; // bytes of `w` that went into that word
            self.word = if used == 8 { 0 } else { w >> (8 * used) };
            self.n = filled - 8;
        }
    }
    let mut out = Words {
        h: 0,
        word: 0,
        n: 0,
    };
    let bytes = source.as_bytes();
    let (mut spacing, mut started) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        // The run of bytes above the space here, up to eight, at once.
        let rest = &bytes[i..];
        let w = load8(rest);
        // A byte below 0x21 (spacing, control, or the zero padding) flags
        // its high bit; bytes from 0x80 up never do. The lowest flag is exact.
        let low = w.wrapping_sub(ONES * 0x21) & !w & HIGH;
        let run = (low.trailing_zeros() / 8).min(rest.len() as u32);
        if run > 0 {
            if spacing {
                out.push_bytes(u64::from(b' '), 1);
                spacing = false;
            }
            out.push_bytes(w, run);
            started = true;
            i += run as usize;
            continue;
        }
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            spacing = started;
        } else {
            if spacing {
                out.push_bytes(u64::from(b' '), 1);
                spacing = false;
            }
            out.push_bytes(u64::from(b), 1);
            started = true;
        }
        i += 1;
    }
    let last = out.word ^ (u64::from(out.n) << 59);
    out.mix(last);
    out.h
}

/// [`row_hash`] one byte at a time: its definition, for the tests.
#[cfg(test)]
fn row_hash_by_byte(source: &str) -> u64 {
    let mut h: u64 = 0;
    let mut mix = |w: u64| {
        h = (h.rotate_left(5) ^ ascii_lowercase(w)).wrapping_mul(0x517c_c1b7_2722_0a95);
    };
    let (mut word, mut n) = (0u64, 0u32);
    let mut push = |b: u8| {
        word |= u64::from(b) << (8 * n);
        n += 1;
        if n == 8 {
            mix(word);
            (word, n) = (0, 0);
        }
    };
    let (mut spacing, mut started) = (false, false);
    for &b in source.as_bytes() {
        if b.is_ascii_whitespace() {
            spacing = started;
        } else {
            if spacing {
                push(b' ');
                spacing = false;
            }
            push(b);
            started = true;
        }
    }
    mix(word ^ (u64::from(n) << 59));
    h
}

/// The parentheticals of an item's source outside link destinations:
/// `(dependency)`, `*(dependency on [Syslog](syslog.md))*` -> `dependency on`.
fn parentheticals(source: &str) -> impl Iterator<Item = &str> {
    memchr::memchr_iter(b'(', source.as_bytes()).filter_map(move |at| {
        // Not a link's destination (`](`), nor `table(s)`: a parenthetical
        // starts a word.
        if at > 0 && !matches!(source.as_bytes()[at - 1], b' ' | b'\t' | b'*' | b'_') {
            return None;
        }
        let rest = &source[at + 1..];
        let limit = rest.floor_char_boundary(40);
        let stop = rest[..limit].find([')', '[', '\n']).unwrap_or(limit);
        let note = rest[..stop].trim();
        (!note.is_empty() && note.starts_with(|c: char| c.is_alphabetic())).then_some(note)
    })
}

/// `4 columns` right after `at` (spaces first): the number and its unit.
fn number_and_unit(text: &str, at: usize, of: u64, lines: &Lines<'_>) -> Option<Quantity> {
    let rest = &text[at..];
    let skip = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let digits = rest[skip..]
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len() - skip);
    let number = &rest[skip..skip + digits];
    let value = parse_count(number)?;
    let after = &rest[skip + digits..];
    let unit: String = after
        .strip_prefix(' ')?
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '(' | ')'))
        .collect();
    if unit.is_empty() {
        return None;
    }
    let start = at + skip;
    Some(Quantity {
        of,
        value,
        unit: normalize(&unit).into(),
        offset: lines.file_offset(start),
        len: number.trim_end_matches(',').len() as u32,
        pos: lines.pos(start),
    })
}

/// Whether the word before a number names it rather than counts with it:
/// `version 2 has`, `Python 3`, `step 4`, `phase 1`.
fn named_by_word_before(before: &[u8]) -> bool {
    const NAMING: [&str; 10] = [
        "version", "step", "part", "phase", "chapter", "level", "stage", "tier", "release",
        "python",
    ];
    let Some(before) = before.strip_suffix(b" ") else {
        return false;
    };
    let start = before
        .iter()
        .rposition(|c| !c.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    let word = &before[start..];
    NAMING
        .iter()
        .any(|n| word.eq_ignore_ascii_case(n.as_bytes()))
}

/// Numbers followed by a word in a list item's source, outside its links
/// (`[2152 rows](x.md)` is a link's text, `](x-2.md)` its destination).
fn quantities(
    text: &str,
    range: Range<usize>,
    item: u64,
    lines: &Lines<'_>,
    out: &mut Vec<Quantity>,
) {
    let Some(source) = text.get(range.clone()) else {
        return;
    };
    let b = source.as_bytes();
    if !b.iter().any(u8::is_ascii_digit) {
        return;
    }
    let (mut depth, mut in_dest, mut i) = (0u32, false, 0);
    while i < b.len() {
        match b[i] {
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                in_dest = b.get(i + 1) == Some(&b'(');
            }
            b')' if in_dest => in_dest = false,
            b'0'..=b'9'
                if depth == 0
                    && !in_dest
                    && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b','))
                    && !named_by_word_before(&b[..i]) =>
            {
                if let Some(q) = number_and_unit(text, range.start + i, item, lines) {
                    let len = q.len as usize;
                    out.push(q);
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Builds [`Blocks`] from the event stream.
#[derive(Default)]
pub struct Builder {
    pub blocks: Blocks,
    list_depth: u32,
    table: Option<u32>,
    in_head: bool,
    item: Option<Item>,
    /// The key of the open list item, fed its text as it comes.
    item_key: KeyHasher,
    /// Where the open item starts in the text.
    item_start: usize,
    /// The optional facts to gather.
    wants: super::Wants,
    col: u16,
    cell: Option<Range<usize>>,
    /// The key of the open cell (first column), fed its text as it comes.
    cell_key: KeyHasher,
    /// The open cell's text, kept only where it is needed: header cells, and
    /// short cells that may hold a number.
    cell_text: String,
    keep_cell_text: bool,
    strong: Option<(usize, String)>,
    /// A paragraph ending with `:` that the next block may be led into by.
    lead_in: Option<Range<usize>>,
    /// Table rows (item index, source range) whose identity is made in
    /// [`Builder::finish`].
    rows: Vec<(u32, Range<usize>)>,
}

impl Builder {
    /// A builder that fills `blocks` (emptied first), keeping its capacity.
    pub fn with_blocks(mut blocks: Blocks, wants: super::Wants) -> Self {
        blocks.containers.clear();
        blocks.items.clear();
        blocks.nums.clear();
        blocks.strongs.clear();
        blocks.breaks.clear();
        blocks.values.clear();
        blocks.notes.clear();
        blocks.rare.labels.clear();
        blocks.rare.quantities.clear();
        blocks.rare.lead_ins.clear();
        blocks.rare.wholes.clear();
        Builder {
            blocks,
            wants,
            ..Default::default()
        }
    }

    /// The blocks of the page, each table row with its identity: two rows
    /// identical in every cell have the same first cell, so only rows whose
    /// first cell another row of the page shares are hashed whole
    /// ([`row_hash`], the cost of a scan of every row's text); any other
    /// row is told apart by its first cell's key.
    pub fn finish(mut self, text: &str) -> Blocks {
        let items = &self.blocks.items;
        let mut keys: Vec<u64> = self
            .rows
            .iter()
            .map(|(i, _)| items[*i as usize].key())
            .collect();
        keys.sort_unstable();
        let shared = |k: u64| {
            let at = keys.partition_point(|&x| x < k);
            keys.get(at + 1) == Some(&k)
        };
        // Rows are in item order, so `wholes` is sorted by item.
        for (i, source) in &self.rows {
            if shared(items[*i as usize].key()) {
                let whole = row_hash(text.get(source.clone()).unwrap_or_default());
                self.blocks.rare.wholes.push((*i, whole));
            }
        }
        self.blocks
    }

    /// The item and column a link at this point belongs to.
    pub fn position(&self) -> Option<(u32, u16)> {
        self.item
            .as_ref()
            .map(|_| (self.blocks.items.len() as u32, self.col))
    }

    pub fn event(
        &mut self,
        event: &Event<'_>,
        range: &Range<usize>,
        text: &str,
        lines: &Lines<'_>,
    ) {
        if self.wants.lead_ins {
            self.lead_in_event(event, range, text, lines);
        }
        match event {
            Event::Start(Tag::Table(_)) => {
                self.table = Some(self.open(ContainerKind::Table, range, lines));
            }
            Event::End(TagEnd::Table) => self.table = None,
            Event::Start(Tag::TableHead) => self.in_head = true,
            Event::End(TagEnd::TableHead) => self.in_head = false,
            Event::Start(Tag::TableRow) => {
                if let Some(t) = self.table {
                    self.start_item(t, range, lines);
                }
            }
            Event::End(TagEnd::TableRow) => self.end_item(text, range, lines),
            Event::Start(Tag::TableCell) => {
                self.cell = Some(range.clone());
                self.cell_text.clear();
                self.cell_key = KeyHasher::default();
                // Short body cells may hold a number or a value, if asked for.
                self.keep_cell_text =
                    self.in_head || (range.len() <= 64 && (self.wants.nums || self.wants.values));
            }
            Event::End(TagEnd::TableCell) => self.end_cell(text, lines),
            Event::Start(Tag::List(start)) => {
                self.list_depth += 1;
                if self.list_depth == 1 && self.table.is_none() {
                    let c = self.open(ContainerKind::List, range, lines);
                    self.blocks.containers[c as usize].ordered = start.is_some();
                }
            }
            Event::End(TagEnd::List(_)) => self.list_depth = self.list_depth.saturating_sub(1),
            Event::Start(Tag::Item) if self.list_depth == 1 && self.table.is_none() => {
                let c = self.blocks.containers.len() as u32 - 1;
                self.start_item(c, range, lines);
            }
            Event::End(TagEnd::Item) if self.list_depth == 1 && self.table.is_none() => {
                self.end_item(text, range, lines)
            }
            Event::Start(Tag::Strong)
                if self.table.is_none() && (self.wants.strongs || self.wants.labels) =>
            {
                self.strong = Some((range.start, String::new()));
            }
            Event::End(TagEnd::Strong) => {
                if let Some((_, s)) = &self.strong
                    && self.wants.labels
                    && self.table.is_none()
                    && let Some(label) = s.trim_end().strip_suffix(':')
                    && let Some(q) = number_and_unit(text, range.end, key_of(label), lines)
                {
                    self.blocks.rare.labels.push(q);
                }
                if let Some((start, s)) = self.strong.take()
                    && self.wants.strongs
                    && s.bytes().any(|b| b.is_ascii_digit())
                {
                    let at = start + 2;
                    let rest = &text[range.end..];
                    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
                    let mut cut = line.len().min(120);
                    while !line.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    self.blocks.strongs.push(Strong {
                        after: line[..cut].into(),
                        text: s.into(),
                        offset: lines.file_offset(at),
                        pos: lines.pos(at),
                    });
                }
            }
            Event::Rule => self.blocks.breaks.push(lines.file_offset(range.start)),
            Event::Text(t) | Event::Code(t) => {
                if self.cell.is_some() {
                    if self.keep_cell_text {
                        self.cell_text.push_str(t);
                    }
                    if self.col == 0 {
                        self.cell_key.feed(t);
                    }
                } else if self.item.is_some() {
                    self.item_key.feed(t);
                    self.item_key.feed(" ");
                }
                if let Some((_, s)) = self.strong.as_mut() {
                    s.push_str(t);
                }
            }
            _ => {}
        }
    }

    /// Keep a top-level paragraph that ends with `:`; when the next block is
    /// a list or table and the paragraph holds exactly one number with a
    /// word after it, it is a lead-in to that container.
    fn lead_in_event(
        &mut self,
        event: &Event<'_>,
        range: &Range<usize>,
        text: &str,
        lines: &Lines<'_>,
    ) {
        let top = self.list_depth == 0 && self.table.is_none();
        match event {
            Event::End(TagEnd::Paragraph) if top => {
                let source = text.get(range.clone()).unwrap_or_default().trim_end();
                self.lead_in = source.ends_with(':').then(|| range.clone());
            }
            Event::Start(Tag::Table(_)) | Event::Start(Tag::List(_)) if top => {
                let Some(para) = self.lead_in.take() else {
                    return;
                };
                let mut found = Vec::new();
                quantities(text, para.clone(), 0, lines, &mut found);
                if let [number] = &mut found[..] {
                    let source = text[para].trim();
                    let cut = source.floor_char_boundary(200);
                    self.blocks.rare.lead_ins.push(LeadIn {
                        // The container this event opens.
                        container: self.blocks.containers.len() as u32,
                        number: number.clone(),
                        text: source[..cut].into(),
                    });
                }
            }
            Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::CodeBlock(_)
                | Tag::BlockQuote(_)
                | Tag::HtmlBlock
                | Tag::List(_)
                | Tag::Table(_),
            )
            | Event::Rule => self.lead_in = None,
            _ => {}
        }
    }

    fn open(&mut self, kind: ContainerKind, range: &Range<usize>, lines: &Lines<'_>) -> u32 {
        self.blocks.containers.push(Container {
            kind,
            ordered: false,
            offset: lines.file_offset(range.start),
            columns: 0,
            header: Box::default(),
        });
        self.blocks.containers.len() as u32 - 1
    }

    fn start_item(&mut self, container: u32, range: &Range<usize>, lines: &Lines<'_>) {
        self.item = Some(Item {
            container,
            offset: lines.file_offset(range.start),
            end: lines.file_offset(range.end),
            key: [0, 0],
        });
        self.item_key = KeyHasher::default();
        self.item_start = range.start;
        self.col = 0;
    }

    fn end_item(&mut self, text: &str, range: &Range<usize>, lines: &Lines<'_>) {
        if let Some(mut item) = self.item.take() {
            item.end = lines.file_offset(range.end);
            let source = self.item_start..range.end;
            let at = self.blocks.items.len() as u32;
            if self.blocks.containers[item.container as usize].kind == ContainerKind::List {
                item.set_key(self.item_key.finish());
                if self.wants.quantities {
                    let out = &mut self.blocks.rare.quantities;
                    quantities(text, source.clone(), u64::from(at), lines, out);
                }
            } else {
                self.rows.push((at, source.clone()));
            }
            if self.wants.notes {
                for note in parentheticals(text.get(source).unwrap_or_default()) {
                    self.blocks.notes.push((at, normalize(note).into()));
                }
            }
            self.blocks.items.push(item);
        }
    }

    fn end_cell(&mut self, text: &str, lines: &Lines<'_>) {
        let Some(range) = self.cell.take() else {
            return;
        };
        if self.in_head {
            if let Some(t) = self.table {
                let cell = self.cell_text.trim();
                self.blocks.containers[t as usize].push_header(cell);
            }
            return;
        }
        if let Some(item) = self.item.as_mut() {
            if self.col == 0 {
                item.set_key(self.cell_key.finish());
            }
            let table = &self.blocks.containers[item.container as usize];
            if self.wants.values && self.col == 1 && table.columns() == 2 && self.keep_cell_text {
                let at = self.blocks.items.len() as u32;
                self.blocks.values.push((at, key_of(&self.cell_text)));
            }
            if self.wants.nums
                && self.keep_cell_text
                && let Some(value) = parse_count(&self.cell_text)
            {
                let src = &text[range.clone()];
                if let Some(d) = src.find(|c: char| c.is_ascii_digit()) {
                    let len = src[d..]
                        .find(|c: char| !(c.is_ascii_digit() || c == ','))
                        .unwrap_or(src.len() - d);
                    let at = range.start + d;
                    self.blocks.nums.push(Num {
                        item: self.blocks.items.len() as u32,
                        col: self.col,
                        value,
                        offset: lines.file_offset(at),
                        len: len as u32,
                        pos: lines.pos(at),
                    });
                }
            }
        }
        self.col += 1;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_number_a_word_names_is_not_a_count() {
        assert!(super::named_by_word_before(b"Pydantic version "));
        assert!(super::named_by_word_before(b"with Python "));
        assert!(!super::named_by_word_before(b"The following "));
        assert!(!super::named_by_word_before(b"queries **"));
        assert!(!super::named_by_word_before(b"subversion"));
    }

    use super::*;

    #[test]
    fn a_key_does_not_depend_on_where_the_text_is_cut() {
        let text = "  Tables  Über Used\tin Solutions (dependency) ";
        let whole = key_of(text);
        for (i, _) in text.char_indices() {
            for (j, _) in text[i..].char_indices() {
                let mut k = KeyHasher::default();
                k.feed(&text[..i]);
                k.feed(&text[i..i + j]);
                k.feed(&text[i + j..]);
                assert_eq!(k.finish(), whole, "cut at {i} and {}", i + j);
            }
        }
    }

    /// The definition: `normalize`, then its bytes one at a time.
    fn key_by_definition(text: &str) -> u64 {
        let mut k = KeyHasher::default();
        for b in normalize(text).bytes() {
            k.push(b);
        }
        k.finish()
    }

    proptest::proptest! {
        #[test]
        fn a_key_is_the_hash_of_the_normalised_text(
            text in "(?:[a-zA-Z0-9|()\\[\\]-]{0,12}[ \t\n\x0B\x0C\r\x01ÜßİΣ\u{3000}\u{a0}]){0,6}",
            cut in 0usize..40,
        ) {
            proptest::prop_assert_eq!(key_of(&text), key_by_definition(&text));
            // Fed in two pieces, cut at any char boundary.
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let mut k = KeyHasher::default();
            k.feed(&text[..cut]);
            k.feed(&text[cut..]);
            proptest::prop_assert_eq!(k.finish(), key_by_definition(&text));
        }
    }

    #[test]
    fn eight_bytes_are_lowercased_and_checked_for_spacing_at_once() {
        let word = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap());
        assert_eq!(ascii_lowercase(word(b"AZaz@[`{")), word(b"azaz@[`{"));
        assert_eq!(plain_ascii_run(word(b"Tables!~")), 8);
        assert_eq!(plain_ascii_run(word(b"Table s!")), 5);
        assert_eq!(plain_ascii_run(word(b"Tables\t!")), 6);
        assert_eq!(plain_ascii_run(word(b"Tables!\x01")), 7);
        assert_eq!(plain_ascii_run(word(b"\x80Tables!")), 0);
        assert_eq!(plain_ascii_run(word(b"ab\0\0\0\0\0\0")), 2);
        // A byte below the run borrows from those above it: only the lowest flag counts.
        assert_eq!(plain_ascii_run(word(b"a\x00!!!!!!")), 1);
    }

    #[test]
    fn a_row_is_the_same_row_whatever_its_spacing_and_case() {
        let row = "| [ORDERS](orders.md) | SHIP_TO_ID | high |";
        assert_eq!(
            row_hash(row),
            row_hash("|  [orders](orders.md) |\tShip_To_Id | HIGH |  \r\n")
        );
        assert_eq!(
            row_hash(row),
            row_hash("  | [ORDERS](orders.md) | SHIP_TO_ID | high |")
        );
        assert_ne!(
            row_hash(row),
            row_hash("| [ORDERS](orders.md) | BILL_TO_ID | high |")
        );
        // Spacing is read as one space, not as nothing.
        assert_ne!(row_hash("| a b |"), row_hash("| ab |"));
        assert_ne!(row_hash("| abcdefgh |"), row_hash("| abcdefg h |"));
    }

    proptest::proptest! {
        #[test]
        fn a_row_hashed_eight_bytes_at_a_time_is_hashed_as_byte_by_byte(
            row in "(?:[|a-zA-Z0-9_()\\[\\].-]{0,11}[ \t\r\n\x0B\x0C\x01ÜßΣ\u{a0}]{0,3}){0,9}",
        ) {
            proptest::prop_assert_eq!(row_hash(&row), row_hash_by_byte(&row));
        }
    }

    #[test]
    fn counts_allow_thousands_separators_and_nothing_else() {
        assert_eq!(parse_count(" 2,148 "), Some(2148));
        assert_eq!(parse_count("17"), Some(17));
        assert_eq!(parse_count("17 rules"), None);
        assert_eq!(parse_count("v2"), None);
        assert_eq!(parse_count("18446744073709551616"), None, "overflow");
    }

    #[test]
    fn names_compare_without_markup_case_or_spacing() {
        assert_eq!(normalize(" Used in  Solutions "), "used in solutions");
        assert_eq!(key_of("Table"), key_of("table"));
        assert_ne!(key_of("_ResourceId"), key_of("ResourceId"));
        assert_eq!(key_of("  Used in\tSolutions "), key_of("used in solutions"));
        assert_eq!(key_of("Größe  Über"), key_of("größe über"));
        assert_eq!(key_of("abc"), key_of("ABC"));
        assert_eq!(key_of("abcdefgh"), key_of(" abcdefgh "), "trailing spacing");
        assert_ne!(key_of("abcdefgh"), key_of("abcdefghi"));
        assert_ne!(key_of("a\0"), key_of("a"), "a NUL byte is not padding");
    }
}
