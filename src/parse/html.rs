//! Links and anchors in raw HTML: `href`/`src` attributes, `id` on any
//! element and `name` on `<a>` (spaces around `=` allowed, as browsers do).

use std::ops::Range;

pub enum Found {
    Link(String),
    Anchor(String),
}

pub struct Hit {
    /// Byte offset of the attribute value inside the scanned HTML.
    pub offset: usize,
    pub what: Found,
}

/// Scans HTML fragments in page order, remembering an open `<!--` comment
/// across the lines of an HTML block.
#[derive(Default)]
pub struct Scanner {
    in_comment: bool,
}

impl Scanner {
    pub fn scan(&mut self, html: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        let b = html.as_bytes();
        // `<br>`, `</td>`: nothing to find, no comment to track.
        if !self.in_comment && memchr::memchr2(b'=', b'!', b).is_none() {
            return hits;
        }
        let mut rest = 0;
        while rest < html.len() {
            if self.in_comment {
                match super::find_short(&b[rest..], b"-->") {
                    Some(e) => {
                        rest += e + 3;
                        self.in_comment = false;
                    }
                    None => break,
                }
            }
            let chunk_end = match super::find_short(&b[rest..], b"<!--") {
                Some(c) => rest + c,
                None => html.len(),
            };
            self.scan_tags(&html[rest..chunk_end], rest, &mut hits);
            if chunk_end < html.len() {
                self.in_comment = true;
                rest = chunk_end + 4;
            } else {
                rest = chunk_end;
            }
        }
        hits
    }

    fn scan_tags(&self, html: &str, base: usize, hits: &mut Vec<Hit>) {
        let b = html.as_bytes();
        // `<br>`, `</a>` and text: no attribute to find.
        if memchr::memchr(b'=', b).is_none() {
            return;
        }
        let mut from = 0;
        while let Some(lt) = memchr::memchr(b'<', &b[from..]).map(|i| from + i) {
            from = lt + 1;
            // A start tag: `<` and a letter (not `</a>`, `<!x>`, `a < b`).
            if !b.get(lt + 1).is_some_and(u8::is_ascii_alphabetic) {
                continue;
            }
            let name_end = lt + 1 + b[lt + 1..].iter().take_while(|&&c| !ends_name(c)).count();
            let is_a = b[lt + 1..name_end].eq_ignore_ascii_case(b"a");
            from = attributes(b, name_end, |key, value| {
                let key = &b[key];
                let v = || html.get(value.clone()).unwrap_or_default().to_string();
                let what = if key.eq_ignore_ascii_case(b"href") || key.eq_ignore_ascii_case(b"src")
                {
                    Found::Link(v())
                } else if key.eq_ignore_ascii_case(b"id")
                    || (is_a && key.eq_ignore_ascii_case(b"name"))
                {
                    Found::Anchor(v())
                } else {
                    return;
                };
                hits.push(Hit {
                    offset: base + value.start,
                    what,
                });
            });
        }
    }
}

/// HTML's whitespace (ASCII only: a no-break space is part of a name).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn ends_name(c: u8) -> bool {
    is_space(c) || c == b'/' || c == b'>'
}

/// The attributes of the tag whose name ends at `p`, as HTML tokenizes them:
/// calls `found(name, value)` with byte ranges for each one that has a value
/// (quoted, possibly empty, or unquoted), and returns where the tag ends. A
/// `>` inside a quoted value does not end the tag. Every boundary is next to
/// an ASCII byte, so the ranges are on `char` boundaries of the text.
fn attributes(b: &[u8], mut p: usize, mut found: impl FnMut(Range<usize>, Range<usize>)) -> usize {
    let n = b.len();
    let skip_spaces = |mut q: usize| {
        while q < n && is_space(b[q]) {
            q += 1;
        }
        q
    };
    loop {
        while p < n && (is_space(b[p]) || b[p] == b'/') {
            p += 1;
        }
        if p >= n || b[p] == b'>' {
            return p;
        }
        // A name (its first byte may be `=`), then maybe `= value`.
        let key = p..p
            + 1
            + b[p + 1..]
                .iter()
                .take_while(|&&c| !ends_name(c) && c != b'=')
                .count();
        p = key.end;
        let eq = skip_spaces(p);
        if b.get(eq) != Some(&b'=') {
            continue;
        }
        let q = skip_spaces(eq + 1);
        match b.get(q) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = memchr::memchr(quote, &b[q + 1..]).map_or(n, |e| q + 1 + e);
                found(key, q + 1..end);
                p = (end + 1).min(n);
            }
            Some(b'>') | None => p = q,
            Some(_) => {
                let end = q + b[q..]
                    .iter()
                    .take_while(|&&c| !is_space(c) && c != b'>')
                    .count();
                found(key, q..end);
                p = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(html: &str) -> Vec<(usize, String)> {
        Scanner::default()
            .scan(html)
            .into_iter()
            .map(|h| match h.what {
                Found::Link(l) => (h.offset, format!("link {l}")),
                Found::Anchor(a) => (h.offset, format!("anchor {a}")),
            })
            .collect()
    }

    #[test]
    fn name_with_spaces_around_equals_is_an_anchor() {
        assert_eq!(
            scan(r#"<a name = "top"></a>"#),
            vec![(11, "anchor top".into())]
        );
    }

    #[test]
    fn href_src_and_id_are_found_with_offsets() {
        let h = r#"<p id='x'><img src="a b.png"> <a href=c.md>"#;
        assert_eq!(
            scan(h),
            vec![
                (7, "anchor x".into()),
                (20, "link a b.png".into()),
                (38, "link c.md".into())
            ]
        );
    }

    #[test]
    fn comments_hide_tags_even_across_calls() {
        let mut s = Scanner::default();
        assert!(s.scan("<!-- <a href=x.md>").is_empty());
        assert!(s.scan("<a href=y.md> -->").is_empty());
        assert_eq!(s.scan("<a href=z.md>").len(), 1);
    }

    #[test]
    fn non_ascii_text_keeps_offsets_and_values_whole() {
        let h = "<img alt=\"é ü\" src=\"ü.png\"> <a\u{a0}href=x.md>";
        // A no-break space is not HTML whitespace: `a\u{a0}href` is one tag name.
        assert_eq!(scan(h), vec![(22, "link ü.png".into())]);
    }

    #[test]
    fn attributes_are_tokenized_as_html_does() {
        // `>` in a quoted value does not end the tag; a tag inside a value is text.
        assert_eq!(
            scan(r#"<img alt="a > b" title='<a href=y.md>' SRC=x.png>"#),
            vec![(43, "link x.png".into())]
        );
        // An attribute without a value, `/`, and an unclosed quote.
        assert_eq!(
            scan(r#"<a download / href=z.md id="w"#),
            vec![(19, "link z.md".into()), (28, "anchor w".into())]
        );
        assert!(scan("<a href=>x</a> a < b = c").is_empty());
    }

    #[test]
    fn name_on_other_elements_is_not_an_anchor() {
        assert!(scan(r#"<input name="q">"#).is_empty());
    }
}
