//! `--format human`: miette's graphical reports, colour only on a terminal.

use crate::Outcome;
use crate::diag::Severity;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
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
    source: Arc<NamedSource<String>>,
    related: Vec<Report>,
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
        Some(&*self.source)
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
    /// Rule files by the path findings give them (presets are embedded).
    config: &'a [(String, String)],
    cache: HashMap<String, Arc<NamedSource<String>>>,
}

impl Sources<'_> {
    fn get(&mut self, path: &str) -> Arc<NamedSource<String>> {
        self.cache
            .entry(path.to_string())
            .or_insert_with(|| {
                if let Some((_, text)) = self.config.iter().find(|(p, _)| p == path) {
                    return Arc::new(NamedSource::new(path, text.clone()));
                }
                let bytes = std::fs::read(self.root.join(path)).unwrap_or_default();
                let text = crate::index::text_with_same_offsets(&bytes);
                Arc::new(NamedSource::new(path, text))
            })
            .clone()
    }
}

pub fn write(out: &mut dyn Write, outcome: &Outcome, root: &Path, color: bool) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut sources = Sources {
        root,
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
            .map(|r| Report {
                code: None,
                severity: miette::Severity::Advice,
                message: r.label.clone(),
                help: None,
                label: r.label.clone(),
                bytes: r.location.bytes.clone(),
                extra: Vec::new(),
                source: sources.get(&r.location.path),
                related: Vec::new(),
            })
            .collect();
        let report = Report {
            code: Some(d.rule),
            severity: severity(d.severity),
            message: d.message.clone(),
            help: d.help.clone(),
            label: d.label.clone(),
            bytes: d.location.bytes.clone(),
            extra: same
                .iter()
                .map(|r| (r.location.bytes.clone(), r.label.clone()))
                .collect(),
            source: sources.get(&d.location.path),
            related,
        };
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_err() {
            // The file changed or vanished since it was checked: say it in one line.
            let l = &d.location;
            s = format!(
                "{}:{}:{}: {}[{}] {}\n",
                l.path, l.start.line, l.start.col, d.severity, d.rule, d.message
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
