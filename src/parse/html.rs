//! Links and anchors in raw HTML: `href`/`src` attributes, `id` on any
//! element and `name` on `<a>` (spaces around `=` allowed, as browsers do).

use std::sync::OnceLock;

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

fn tag_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"<([A-Za-z][A-Za-z0-9-]*)([^>]*)").expect("valid regex"))
}

fn attr_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r#"(?:^|\s)([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#,
        )
        .expect("valid regex")
    })
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
                match memchr::memmem::find(&b[rest..], b"-->") {
                    Some(e) => {
                        rest += e + 3;
                        self.in_comment = false;
                    }
                    None => break,
                }
            }
            let chunk_end = match memchr::memmem::find(&b[rest..], b"<!--") {
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
        // `<br>`, `</a>` and text: no attribute to find.
        if memchr::memchr(b'=', html.as_bytes()).is_none() || !html.contains('<') {
            return;
        }
        for tag in tag_re().captures_iter(html) {
            let name = &tag[1];
            let attrs = tag.get(2).expect("group 2 always matches");
            for attr in attr_re().captures_iter(attrs.as_str()) {
                let key = attr[1].to_ascii_lowercase();
                let value = attr
                    .get(2)
                    .or_else(|| attr.get(3))
                    .or_else(|| attr.get(4))
                    .expect("one value group matches");
                let offset = base + attrs.start() + value.start();
                let v = value.as_str().to_string();
                let what = match key.as_str() {
                    "href" | "src" => Found::Link(v),
                    "id" => Found::Anchor(v),
                    "name" if name.eq_ignore_ascii_case("a") => Found::Anchor(v),
                    _ => continue,
                };
                hits.push(Hit { offset, what });
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
    fn name_on_other_elements_is_not_an_anchor() {
        assert!(scan(r#"<input name="q">"#).is_empty());
    }
}
