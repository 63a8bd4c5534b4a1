//! A page's sections: each heading owns the bytes up to the next heading of
//! the same or a higher level, and the list items and table rows in them.

use crate::parse::PageFacts;
use crate::parse::blocks::key_of;
use std::ops::Range;

#[derive(Clone, Debug)]
pub struct Section {
    /// Index into the page's headings.
    pub heading: u32,
    pub level: u8,
    /// The key (`key_of`) of the heading text without its trailing count
    /// (`Solutions (29)` -> `Solutions`): how rule files name sections.
    pub key: u64,
    /// Byte range: from the heading to the next heading of the same or a higher level.
    pub bytes: Range<u32>,
    pub parent: Option<u32>,
    /// Items (indices into the page's items) inside the section, subsections
    /// included, up to a closing thematic break (`---` after the section's
    /// last heading: what follows it is a page footer, not the section's).
    pub items: Range<u32>,
}

/// `Solutions (29)` -> `Solutions`.
pub fn title_of(text: &str) -> &str {
    match crate::parse::trailing_count(text) {
        Some(_) => &text[..text.trim_end().rfind('(').unwrap_or(text.len())],
        None => text,
    }
}

pub fn build(facts: &PageFacts, page_end: u32) -> Vec<Section> {
    let headings = &facts.headings;
    let items = &facts.blocks.items;
    let mut out: Vec<Section> = Vec::with_capacity(headings.len());
    let mut open: Vec<u32> = Vec::new(); // stack of enclosing sections
    for (i, h) in headings.iter().enumerate() {
        let end = headings[i + 1..]
            .iter()
            .find(|n| n.level <= h.level)
            .map_or(page_end, |n| n.bytes.start);
        while let Some(&top) = open.last() {
            if out[top as usize].level < h.level {
                break;
            }
            open.pop();
        }
        let last_heading = headings[i..]
            .iter()
            .take_while(|n| n.bytes.start < end)
            .last()
            .map_or(h.bytes.start, |n| n.bytes.start);
        let breaks = &facts.blocks.breaks;
        let cut = breaks[breaks.partition_point(|&b| b < last_heading)..]
            .first()
            .map_or(end, |&b| b.min(end));
        let first = items.partition_point(|it| it.offset < h.bytes.start) as u32;
        let last = items.partition_point(|it| it.offset < cut) as u32;
        out.push(Section {
            heading: i as u32,
            level: h.level,
            key: key_of(title_of(h.text())),
            bytes: h.bytes.start..end,
            parent: open.last().copied(),
            items: first..last,
        });
        open.push(i as u32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_nest_and_own_the_items_of_their_subsections() {
        let text = "# Page\n\n## Content (3)\n\n### Rules (2)\n\n- a\n- b\n\n### Queries (1)\n\n| Q |\n|---|\n| q |\n\n## Other\n\n- x\n";
        let facts = crate::parse::parse(text, 0);
        let s = build(&facts, text.len() as u32);
        let keys: Vec<u64> = s.iter().map(|s| s.key).collect();
        let expected: Vec<u64> = ["page", "content", "rules", "queries", "other"]
            .iter()
            .map(|t| key_of(t))
            .collect();
        assert_eq!(keys, expected);
        assert_eq!(s[1].items.len(), 3);
        assert_eq!(s[2].items.len(), 2);
        assert_eq!(s[3].items.len(), 1);
        assert_eq!(s[2].parent, Some(1));
        assert_eq!(s[4].parent, Some(0));
        assert_eq!(s[0].items.len(), 4);
    }
}
