//! Properties of the parse layer on any input: no panic, every span inside
//! the text and on character boundaries, slugs stable, encoding round-trips.

use proptest::prelude::*;
use reftree::index::resolve::{canonical, decode, encode_segment};
use reftree::parse::{parse, slug::slug};

/// Markdown-ish text: the characters that make links, headings, tables,
/// escapes and HTML, mixed with anything.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[a](b.md)".to_string()),
        Just("](".to_string()),
        Just("\n# H (3)\n".to_string()),
        Just("\n| a | b |\n|---|---|\n| [x](y#z) | 2 |\n".to_string()),
        Just("<a name = \"n\">".to_string()),
        Just("<!-- reftree-disable-next-line broken-link -->".to_string()),
        Just("```\t\n".to_string()),
        Just("%2F%zz%".to_string()),
        Just("\r\n".to_string()),
        Just("**12 table(s)**".to_string()),
        Just("[r][l]\n\n[l]: <a b.md>\n".to_string()),
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parse_never_panics_and_spans_stay_inside(text in markdownish()) {
        let facts = parse(&text, 0);
        let inside = |offset: u32, len: usize| {
            let (s, e) = (offset as usize, offset as usize + len);
            e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
        };
        for l in &facts.links {
            prop_assert!(inside(l.offset, l.len as usize), "link span {}+{}", l.offset, l.len);
        }
        for h in &facts.headings {
            prop_assert!(inside(h.bytes.start, h.bytes.len()));
            if let Some(c) = &h.count {
                prop_assert!(inside(c.offset, c.len as usize));
                prop_assert!(text[c.offset as usize..(c.offset + c.len) as usize].bytes().all(|b| b.is_ascii_digit() || b == b','));
            }
        }
        for u in &facts.rare.unrendered {
            prop_assert!(inside(u.offset, u.dest.len()));
        }
        for s in &facts.rare.suppressions {
            prop_assert!(inside(s.offset, s.len as usize));
        }
        for i in &facts.blocks.items {
            prop_assert!(inside(i.offset, 0) && i.offset <= i.end && i.end as usize <= text.len());
        }
    }

    #[test]
    fn slugs_are_stable_and_have_no_spaces(text in any::<String>()) {
        let s = slug(&text);
        prop_assert_eq!(slug(&s), s.clone());
        prop_assert!(!s.contains(' '));
    }

    #[test]
    fn encoding_a_segment_then_decoding_it_round_trips(seg in "[^/]{0,30}") {
        let encoded = encode_segment(&seg);
        let decoded = decode(&encoded).map(|d| d.into_owned());
        prop_assert_eq!(decoded, Some(seg.clone()));
        // The canonical form is a fixed point.
        prop_assert_eq!(canonical(&encoded), None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn a_whole_check_never_panics(a in markdownish(), b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.md"), &a).expect("write");
        std::fs::write(dir.path().join("b.md"), &b).expect("write");
        let config = reftree::config::Config::load(Some("sentinel-ninja"), None).expect("preset");
        let outcome = reftree::check(&reftree::Options { root: dir.path().to_path_buf(), config, ..Default::default() });
        prop_assert!(outcome.is_ok());
        let outcome = outcome.expect("checked");
        for format in [reftree::report::Format::Human, reftree::report::Format::Json, reftree::report::Format::Sarif] {
            let mut out = Vec::new();
            reftree::report::write(&mut out, &outcome, &reftree::report::Paths::from_root(dir.path()), format, false).expect("renders");
        }
    }
}
