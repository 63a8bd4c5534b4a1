//! One relative link -> what it names on disk. The only place links are
//! split, percent-decoded, joined and normalised.

use super::Entries;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use std::borrow::Cow;

/// What a link's path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An empty path (`#frag` or nothing): the linking page itself.
    SamePage,
    File(u32),
    Dir,
    /// Nothing on disk. `resolved` is the root-relative path it asked for
    /// (a thin box, as `actual` below: a target is 16 bytes, not 24, and
    /// there is one in every link kept).
    Missing {
        resolved: Box<String>,
        /// A decoded segment held a `/` (`%2F`), which is not a separator in a URL.
        encoded_slash: bool,
    },
    /// Only a file (or folder) with other letter case exists.
    CaseMismatch {
        actual: Box<String>,
    },
    /// `..` climbs above the root.
    Outside,
    /// Resolves only if a raw `#` or `?` is read as part of the file name.
    RawReserved {
        ch: char,
        file: u32,
    },
    /// The file's name on disk holds `%XX`; the link did not escape the `%`.
    UnescapedPercent {
        file: u32,
    },
    /// Resolves only when decoded twice (`%2528`).
    DoubleEncoded {
        file: u32,
    },
    /// The escapes decode to bytes that are not UTF-8.
    InvalidUtf8,
}

/// Characters a link path must percent-encode: what would end or break the
/// destination (space, `#`, `?`, `%`, parentheses, quotes, brackets of HTML).
/// Letters outside ASCII and `&`, `'`, `[`, `]`, `@`, `:` stay raw.
const MUST_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'(')
    .add(b')')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// Encode one decoded path segment canonically.
pub fn encode_segment(seg: &str) -> String {
    // utf8_percent_encode encodes every non-ASCII byte; keep those raw.
    let mut out = String::with_capacity(seg.len());
    for (i, c) in seg.char_indices() {
        if c.is_ascii() {
            out.extend(utf8_percent_encode(&seg[i..i + 1], MUST_ENCODE));
        } else {
            out.push(c);
        }
    }
    out
}

/// Decode `%XX` escapes; `None` when they make invalid UTF-8.
pub fn decode(s: &str) -> Option<Cow<'_, str>> {
    if !s.contains('%') {
        return Some(Cow::Borrowed(s));
    }
    percent_decode_str(s).decode_utf8().ok()
}

/// Offset of the first `%` not followed by two hex digits.
pub fn bad_percent(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len()).find(|&i| {
        b[i] == b'%'
            && !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Join `segments` onto `base` (a root-relative folder), normalising `.`
/// and `..`. `None` when `..` climbs above the root.
fn join<'a>(base: &'a str, segments: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut out = String::with_capacity(base.len() + 48);
    for seg in base.split('/').chain(segments) {
        match seg {
            "" | "." => {}
            ".." => {
                if out.is_empty() {
                    return None;
                }
                out.truncate(out.rfind('/').unwrap_or(0));
            }
            s => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(s);
            }
        }
    }
    Some(out)
}

/// Resolve `dest` (as the renderer sees it) written in a page in folder `dir`.
pub fn resolve(dest: &str, dir: &str, entries: &Entries) -> Target {
    let (before_frag, fragment) = match memchr::memchr(b'#', dest.as_bytes()) {
        Some(i) => (&dest[..i], Some(&dest[i + 1..])),
        None => (dest, None),
    };
    let (path, query) = match memchr::memchr(b'?', before_frag.as_bytes()) {
        Some(i) => (&before_frag[..i], Some(&before_frag[i + 1..])),
        None => (before_frag, None),
    };
    if path.is_empty() {
        return Target::SamePage;
    }
    // Browsers read `\` as `/` in web URLs (backslash-in-path reports it).
    let slashed;
    let path = if memchr::memchr(b'\\', path.as_bytes()).is_some() {
        slashed = path.replace('\\', "/");
        slashed.as_str()
    } else {
        path
    };
    let rebased;
    let path = match path.strip_prefix('/') {
        Some(rest) if entries.absolute != crate::dialect::Absolute::default() => {
            match rebase(rest, &entries.absolute) {
                Some(p) => {
                    rebased = p;
                    rebased.as_str()
                }
                None => return Target::Outside,
            }
        }
        _ => path,
    };
    let base = if path.starts_with('/') { "" } else { dir };

    // Decode segment by segment: `%2F` inside a segment is not a separator.
    let (joined, encoded_slash) = if memchr::memchr(b'%', path.as_bytes()).is_some() {
        let mut decoded: Vec<Cow<'_, str>> = Vec::new();
        for seg in path.split('/') {
            match decode(seg) {
                Some(d) => decoded.push(d),
                None => return Target::InvalidUtf8,
            }
        }
        let encoded_slash = decoded.iter().any(|s| s.contains('/'));
        let segments = decoded.iter().flat_map(|s| s.split('/'));
        (join(base, segments), encoded_slash)
    } else {
        (join(base, path.split('/')), false)
    };
    let Some(joined) = joined else {
        return Target::Outside;
    };
    // A page of a site (MkDocs, mdBook) linking above the site's folder:
    // the built site has nothing there.
    if let Some(site) = entries.site_holding(dir)
        && entries.site_holding(&joined) != Some(site)
    {
        return Target::Outside;
    }

    if !encoded_slash && let Some(t) = entries.exact(&joined) {
        return t;
    }
    if entries.html_pages
        && !encoded_slash
        && let Some(t) = page_served_as(&joined, entries)
    {
        return t;
    }
    let fallback = if encoded_slash {
        None
    } else {
        fallback(path, query, fragment, base, &joined, entries)
    };
    fallback.unwrap_or_else(|| {
        // With an encoded slash, say what a browser asks for: the segment as written.
        let resolved = if encoded_slash {
            join(base, path.split('/')).unwrap_or(joined)
        } else {
            joined
        };
        Target::Missing {
            resolved: Box::new(resolved),
            encoded_slash,
        }
    })
}

/// The page a site built from the Markdown serves at `path.html`
/// (mdBook): `x.md`, and for `index.html` the folder's `README.md`.
fn page_served_as(path: &str, entries: &Entries) -> Option<Target> {
    let stem = path.strip_suffix(".html")?;
    let page = |p: &str| match entries.exact(p)? {
        t @ Target::File(_) => Some(t),
        _ => None,
    };
    page(&format!("{stem}.md")).or_else(|| {
        let dir = stem.strip_suffix("index")?;
        (dir.is_empty() || dir.ends_with('/')).then_some(())?;
        page(&format!("{dir}README.md"))
    })
}

/// `/rest` as the dialect reads it (see `Dialect::absolute`): `strip`'s
/// segments taken off the front (compared decoded), `add` put in their
/// place; `None` when the path is not under `strip`, so outside the root.
fn rebase(rest: &str, a: &crate::dialect::Absolute) -> Option<String> {
    let mut segments = rest.split('/');
    if !a.strip.is_empty() {
        for want in a.strip.split('/') {
            let seg = segments.next()?;
            if decode(seg).as_deref() != Some(want) {
                return None;
            }
        }
    }
    let rest: Vec<&str> = segments.collect();
    let mut out = String::from("/");
    if !a.add.is_empty() {
        out.push_str(&a.add);
        out.push('/');
    }
    out.push_str(&rest.join("/"));
    Some(out)
}

/// The decoded fragment of `dest`, if it has one.
pub fn fragment(dest: &str) -> Option<Cow<'_, str>> {
    let f = &dest[dest.find('#')? + 1..];
    Some(decode(f).unwrap_or(Cow::Borrowed(f)))
}

/// A byte that a path must escape, or an escape itself (`%`).
pub fn is_special(b: u8) -> bool {
    SPECIAL[b as usize]
}

/// `is_special` as a table: it runs on every byte of every link path, and a
/// `contains` over the list scanned it byte by byte (6% of a full check).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    let listed = b" \"%<>`{}()\\^|";
    let mut i = 0;
    while i < listed.len() {
        t[listed[i] as usize] = true;
        i += 1;
    }
    t
};

/// `path` (the part before `?`/`#`) in canonical encoding, when it is not already.
pub fn canonical(path: &str) -> Option<String> {
    if !path.bytes().any(is_special) {
        return None;
    }
    let mut out = Vec::new();
    for seg in path.split('/') {
        out.push(encode_segment(&decode(seg)?));
    }
    let out = out.join("/");
    (out != path).then_some(out)
}

/// The ways a link that names nothing can still be meant for a real file.
fn fallback(
    path: &str,
    query: Option<&str>,
    fragment: Option<&str>,
    base: &str,
    joined: &str,
    entries: &Entries,
) -> Option<Target> {
    let file_at = |p: &str| -> Option<u32> {
        let j = join(base, p.split('/'))?;
        match entries.exact(&j)? {
            Target::File(id) => Some(id),
            _ => None,
        }
    };
    let decoded_at = |p: &str| decode(p).and_then(|d| file_at(&d));
    // (a) a raw `#` or `?` that belongs to the file name.
    if let Some(f) = fragment {
        let whole = match query {
            Some(q) => format!("{path}?{q}#{f}"),
            None => format!("{path}#{f}"),
        };
        if let Some(file) = decoded_at(&whole) {
            return Some(Target::RawReserved { ch: '#', file });
        }
    }
    if let Some(q) = query
        && let Some(file) = decoded_at(&format!("{path}?{q}"))
    {
        return Some(Target::RawReserved { ch: '?', file });
    }
    if path.contains('%') {
        // (d) the name on disk holds `%XX` itself.
        if let Some(file) = file_at(path) {
            return Some(Target::UnescapedPercent { file });
        }
        // (c) double-encoded.
        if let Some(once) = decode(path)
            && once.contains('%')
            && let Some(file) = decoded_at(&once)
        {
            return Some(Target::DoubleEncoded { file });
        }
    }
    entries
        .case_insensitive(joined)
        .map(|actual| Target::CaseMismatch {
            actual: Box::new(actual.into()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_are_controls_space_percent_and_the_unsafe_punctuation() {
        let listed = b" \"%<>`{}()\\^|";
        for b in 0..=255u8 {
            let expected = b < 0x20 || b == 0x7f || listed.contains(&b);
            assert_eq!(is_special(b), expected, "byte {b:#04x}");
        }
        assert!(!is_special(b'&') && !is_special(b'#') && !is_special(b'a'));
    }

    #[test]
    fn bad_percent_finds_a_percent_without_two_hex_digits() {
        assert_eq!(bad_percent("a%20b"), None);
        assert_eq!(bad_percent("50%.md"), Some(2));
        assert_eq!(bad_percent("a%2"), Some(1));
        assert_eq!(bad_percent("a%zz"), Some(1));
    }

    #[test]
    fn canonical_encoding_keeps_ampersand_and_letters_encodes_parentheses() {
        assert_eq!(encode_segment("a (b) & c–d.md"), "a%20%28b%29%20&%20c–d.md");
        assert_eq!(encode_segment("rules-#.md"), "rules-%23.md");
    }

    #[test]
    fn join_normalises_and_refuses_to_leave_the_root() {
        assert_eq!(
            join("a/b", "../c/./d.md".split('/')).as_deref(),
            Some("a/c/d.md")
        );
        assert_eq!(join("a", "../../x".split('/')), None);
    }
}
