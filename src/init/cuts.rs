//! Cut-list wordings this tree uses that reftree does not know without
//! configuration ("_(7 not listed)_" under a list of 3): a line right after
//! a section's last item, with one number and no link, whose wording
//! (the number aside) recurs, and whose number is confirmed at least once
//! (by a heading's count, when it is seen once):
//! rows shown plus the number equal the section's heading count, or the
//! number of pages of a kind that link to the page.

use crate::index::{Index, Page};
use std::collections::{BTreeMap, HashMap};

/// A wording for `cut-lists`.
pub struct CutPattern {
    /// The regex (group 1: the rows not shown).
    pub regex: String,
    /// A line it matched.
    pub example: String,
    /// Lines matched, and those whose number was confirmed.
    pub seen: usize,
    pub confirmed: usize,
}

/// The page's text, read again (init only; pages the walk found).
pub fn text_of(index: &Index, page: &Page) -> Option<String> {
    if !page.parsed {
        return None;
    }
    let bytes = std::fs::read(index.root.join(&page.path)).ok()?;
    Some(crate::index::text_with_same_offsets(&bytes))
}

/// The line right after a section's last item, when it holds one number
/// and no link: (the text before the number, the number, the text after).
fn cut_line(text: &str, from: usize, to: usize) -> Option<(String, u64, String)> {
    let rest = text.get(from..to)?;
    let line = rest.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.len() > 80 || line.contains("](") || line.starts_with('#') || line.starts_with('|') {
        return None;
    }
    let digits: Vec<(usize, &str)> = line.match_indices(|c: char| c.is_ascii_digit()).collect();
    let start = digits.first()?.0;
    let end = line[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .map_or(line.len(), |i| start + i);
    // One number only, and words around it.
    if line[end..].contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // `2. Configure...`: a step's number, not a count.
    if line[end..].starts_with(". ") || line[end..].starts_with(')') && start == 0 {
        return None;
    }
    let n = crate::parse::blocks::parse_count(&line[start..end])?;
    let (before, after) = (&line[..start], &line[end..]);
    if !(before.chars().chain(after.chars())).any(char::is_alphabetic) {
        return None;
    }
    Some((before.to_string(), n, after.to_string()))
}

/// What one wording's lines showed.
#[derive(Default)]
struct Tally {
    seen: usize,
    /// Lines whose number, with the rows shown, makes a count found on the page.
    confirmed: usize,
    /// Lines whose number disagrees with their heading's count.
    contradicted: usize,
    /// Lines confirmed by their heading's count.
    by_heading: usize,
    example: String,
}

pub fn infer(index: &Index) -> Vec<CutPattern> {
    // Pages of a kind that link to each page (from other pages; index
    // pages, which link to every page, left out).
    let kind_pages: std::collections::HashSet<usize> = super::kinds::infer(index)
        .into_iter()
        .flat_map(|k| k.pages)
        .collect();
    let mut inbound: HashMap<u32, usize> = HashMap::new();
    for (_, page) in index
        .pages
        .iter()
        .enumerate()
        .filter(|(p, _)| kind_pages.contains(p))
    {
        let mut files: Vec<u32> = page.linked_files().filter(|&f| f != page.file).collect();
        files.sort_unstable();
        files.dedup();
        for f in files {
            *inbound.entry(f).or_default() += 1;
        }
    }
    let mut found: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for page in &index.pages {
        let items = &page.facts.blocks.items;
        if items.is_empty() {
            continue;
        }
        let Some(text) = text_of(index, page) else {
            continue;
        };
        for sec in page
            .sections
            .iter()
            .filter(|s| s.level >= 2 && !s.items.is_empty())
        {
            // Only sections without subsections: the line ends the section.
            if page
                .sections
                .iter()
                .any(|c| c.bytes.start > sec.bytes.start && c.bytes.start < sec.bytes.end)
            {
                continue;
            }
            let last = &items[sec.items.end as usize - 1];
            let known = page
                .facts
                .rare
                .cut_lists
                .iter()
                .any(|(r, _)| sec.bytes.contains(&r.start));
            if known {
                continue;
            }
            let Some((before, n, after)) =
                cut_line(&text, last.end as usize, sec.bytes.end as usize)
            else {
                continue;
            };
            let shown = sec.items.len() as u64;
            let declared = page.facts.headings[sec.heading as usize]
                .count
                .as_ref()
                .map(|c| c.value);
            let linking = inbound.get(&page.file).copied().unwrap_or(0) as u64;
            let e = found
                .entry((before.clone(), after.clone()))
                .or_insert_with(|| Tally {
                    example: format!("{before}{n}{after}"),
                    ..Tally::default()
                });
            e.seen += 1;
            match declared {
                Some(d) if d == shown + n => {
                    e.confirmed += 1;
                    e.by_heading += 1;
                }
                Some(_) => e.contradicted += 1,
                None if linking == shown + n => e.confirmed += 1,
                None => {}
            }
        }
    }
    found
        .into_iter()
        // Never contradicted by a heading count; seen twice and confirmed
        // once, or seen once and confirmed by its heading's count.
        .filter(|(_, t)| {
            t.contradicted == 0 && t.confirmed >= 1 && (t.seen >= 2 || t.by_heading >= 1)
        })
        .map(|((before, after), t)| CutPattern {
            regex: format!(
                "^[ \\t]*{}([0-9][0-9,]*){}[ \\t\\r]*$",
                regex::escape(&before),
                regex::escape(&after)
            ),
            example: t.example,
            seen: t.seen,
            confirmed: t.confirmed,
        })
        .collect()
}
