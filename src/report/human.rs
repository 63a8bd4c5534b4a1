//! `--format human`: miette's graphical reports, colour only on a terminal.

use crate::Outcome;
use crate::diag::Severity;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

/// One finding (or a related location) with the source text miette draws from.
struct Report {
    code: Option<&'static str>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    label: String,
    bytes: std::ops::Range<u32>,
    /// Secondary labels in the same file.
    extra: Vec<(std::ops::Range<u32>, String)>,
    source: Source,
    related: Vec<Report>,
}

/// Labels other than the primary one: a byte range and its text.
type Labels = Vec<(std::ops::Range<u32>, String)>;

/// The text miette draws a finding from: the whole file, or for a finding
/// on a very long line, a window of that line around the span.
enum Source {
    File(Arc<FileText>),
    Window(Window),
}

/// A file's text and where its lines start (as miette counts lines: after
/// `\n`, `\r\n` or a lone `\r`), so that each finding's snippet is read
/// from a few lines before it, not from the top of the file. (miette's own
/// `String` source scans from the top for every finding: 20,000 findings
/// in a 200 KB page took 16 s.)
struct FileText {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl FileText {
    fn new(name: &str, text: String) -> FileText {
        let b = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(j) = memchr::memchr2(b'\n', b'\r', &b[i..]) {
            let at = i + j;
            let next = if b[at] == b'\r' && b.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            line_starts.push(next);
            i = next;
        }
        FileText {
            name: super::escape_controls(name).into_owned(),
            text,
            line_starts,
        }
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

impl miette::SourceCode for FileText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette's reading of the text from a line start at or before the
        // first context line gives the same snippet, shifted by that line.
        let first = self.line_of(span.offset()).saturating_sub(before);
        let base = self.line_starts[first];
        let sub = SourceSpan::new((span.offset() - base).into(), span.len());
        let inner = self.text[base..].read_span(&sub, before, after)?;
        let column = inner.column();
        Ok(shifted(&self.name, inner, base, first, column))
    }
}

/// `inner`, read from a part of a file, as the file's own contents: its
/// span moved by `offset` bytes and its lines by `lines`.
fn shifted<'a>(
    name: &str,
    inner: Box<dyn miette::SpanContents<'a> + 'a>,
    offset: usize,
    lines: usize,
    column: usize,
) -> Box<dyn miette::SpanContents<'a> + 'a> {
    let span = SourceSpan::new((inner.span().offset() + offset).into(), inner.span().len());
    Box::new(miette::MietteSpanContents::new_named(
        name.to_string(),
        inner.data(),
        span,
        inner.line() + lines,
        column,
        inner.line_count() + lines,
    ))
}

/// Lines longer than this are cut to a window around the span: a 48 KB
/// one-line page with thousands of findings must not print the whole
/// line once per finding (miette also cannot draw past column 65,535).
const LONG_LINE: usize = 240;
/// Bytes of context kept on each side of the span in a window.
const MARGIN: usize = 60;

/// A cut of one long line: `text` is what is shown (with `…` where the
/// line was cut), `line` its 0-based line in the file and `column` the
/// 0-based column (in characters) of its first byte in the file, counting
/// the `…` as the character it replaces.
struct Window {
    name: String,
    text: String,
    line: usize,
    column: usize,
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let at = span.offset().min(self.text.len());
        let column = self.column + self.text[..at].chars().count();
        Ok(shifted(&self.name, inner, 0, self.line, column))
    }
}

/// Map `bytes` of `text` into a window when its line is long: the window,
/// and the spans (primary first, then `extra`) moved into it. Spans of
/// `extra` outside the window are dropped.
fn window(
    file: &FileText,
    bytes: &std::ops::Range<u32>,
    extra: &[(std::ops::Range<u32>, String)],
) -> Option<(Window, std::ops::Range<u32>, Labels)> {
    let text = file.text.as_str();
    let floor = |i: usize| text.floor_char_boundary(i);
    let (s, e) = (floor(bytes.start as usize), floor(bytes.end as usize));
    // The span's line, from the file's table of line starts (as miette
    // reads lines), without its line break.
    let line = file.line_of(s);
    let line_start = file.line_starts[line];
    let line_end = file.line_starts.get(line + 1).map_or(text.len(), |&next| {
        let brk = &text.as_bytes()[..next];
        // (A span that starts on the break itself keeps its line to there.)
        (next - if brk.ends_with(b"\r\n") { 2 } else { 1 }).max(s)
    });
    if line_end - line_start <= LONG_LINE {
        return None;
    }
    let e = e.clamp(s, line_end);
    let from = floor(s.saturating_sub(MARGIN).max(line_start));
    let to = floor((e.min(s + LONG_LINE) + MARGIN).min(line_end));
    let (pre, post) = (from > line_start, to < line_end);
    let mut shown = String::with_capacity(to - from + 8);
    if pre {
        shown.push('…');
    }
    shown.push_str(&text[from..to]);
    if post {
        shown.push('…');
    }
    let shift = |i: usize| -> u32 {
        (i.clamp(from, to) - from + if pre { '…'.len_utf8() } else { 0 }) as u32
    };
    let moved = |r: &std::ops::Range<u32>| shift(r.start as usize)..shift(r.end as usize);
    let extra = extra
        .iter()
        .filter(|(r, _)| (r.start as usize) >= from && (r.end as usize) <= to)
        .map(|(r, l)| (moved(r), l.clone()))
        .collect();
    let column = text[line_start..from].chars().count() - usize::from(pre);
    let w = Window {
        name: file.name.clone(),
        text: shown,
        line,
        column,
    };
    Some((w, moved(&(s as u32..e as u32)), extra))
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match &self.source {
            Source::File(f) => Some(&**f),
            Source::Window(w) => Some(w),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = |b: &std::ops::Range<u32>| {
            SourceSpan::new((b.start as usize).into(), (b.end - b.start) as usize)
        };
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        let primary = LabeledSpan::new_primary_with_span(label, span(&self.bytes));
        let extra = self
            .extra
            .iter()
            .map(move |(b, l)| LabeledSpan::new_with_span(Some(l.clone()), span(b)));
        Some(Box::new(std::iter::once(primary).chain(extra)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// Page texts, read once each, for the files that have findings.
struct Sources<'a> {
    root: &'a Path,
    /// The root as seen from the current folder, before each page's path.
    prefix: &'a str,
    /// Rule files by the path findings give them (presets are embedded).
    config: &'a [(String, String)],
    cache: HashMap<String, Arc<FileText>>,
}

impl Sources<'_> {
    fn get(&mut self, path: &str) -> Arc<FileText> {
        self.cache
            .entry(path.to_string())
            .or_insert_with(|| {
                if let Some((_, text)) = self.config.iter().find(|(p, _)| p == path) {
                    return Arc::new(FileText::new(path, text.clone()));
                }
                let bytes = std::fs::read(self.root.join(path)).unwrap_or_default();
                let text = crate::index::text_with_same_offsets(&bytes);
                Arc::new(FileText::new(&format!("{}{path}", self.prefix), text))
            })
            .clone()
    }

    /// The source to draw `bytes` (and `extra` labels) of `path` from:
    /// the file, or a window when the line is long.
    fn source(
        &mut self,
        path: &str,
        bytes: &std::ops::Range<u32>,
        extra: Vec<(std::ops::Range<u32>, String)>,
    ) -> (Source, std::ops::Range<u32>, Labels) {
        let file = self.get(path);
        match window(&file, bytes, &extra) {
            Some((w, bytes, extra)) => (Source::Window(w), bytes, extra),
            None => (Source::File(file), bytes.clone(), extra),
        }
    }
}

pub fn write(
    out: &mut dyn Write,
    outcome: &Outcome,
    paths: &super::Paths<'_>,
    color: bool,
) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut sources = Sources {
        root: paths.root,
        prefix: &paths.from_cwd,
        config: &outcome.sources,
        cache: HashMap::new(),
    };
    for d in &outcome.diagnostics {
        let (same, other): (Vec<_>, Vec<_>) = d
            .related
            .iter()
            .partition(|r| r.location.path == d.location.path);
        let related = other
            .into_iter()
            .map(|r| {
                let (source, bytes, extra) =
                    sources.source(&r.location.path, &r.location.bytes, Vec::new());
                Report {
                    code: None,
                    severity: miette::Severity::Advice,
                    message: r.label.clone(),
                    help: None,
                    label: r.label.clone(),
                    bytes,
                    extra,
                    source,
                    related: Vec::new(),
                }
            })
            .collect();
        let extra = same
            .iter()
            .map(|r| (r.location.bytes.clone(), r.label.clone()))
            .collect();
        let (source, bytes, extra) = sources.source(&d.location.path, &d.location.bytes, extra);
        let report = Report {
            code: Some(d.rule),
            severity: severity(d.severity),
            message: super::escape_controls(&d.message).into_owned(),
            help: d
                .help
                .as_deref()
                .map(|h| super::escape_controls(h).into_owned()),
            label: super::escape_controls(&d.label).into_owned(),
            bytes,
            extra,
            source,
            related,
        };
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_err() {
            // The file changed or vanished since it was checked: say it in one line.
            let l = &d.location;
            s = format!(
                "{}{}:{}:{}: {}[{}] {}\n",
                paths.from_cwd, l.path, l.start.line, l.start.col, d.severity, d.rule, d.message
            );
        }
        out.write_all(s.as_bytes())?;
        // Keep memory flat on long runs: one page's findings are contiguous.
        if sources.cache.len() > 64 {
            sources.cache.clear();
        }
    }
    Ok(())
}
