//! Fixes as edits (file, byte range, replacement), applied atomically: each
//! file is written to a temporary file beside it and renamed over it, with
//! its permissions kept. Only the bytes of the fixed spans change.

use crate::diag::Diagnostic;
use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::Path;

/// One replacement in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub bytes: Range<u32>,
    pub replacement: String,
    pub rule: &'static str,
}

/// The edits to make, by root-relative path, sorted and without overlaps.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: BTreeMap<String, Vec<Edit>>,
}

impl Plan {
    /// The fixes of `diagnostics`: certain ones, and the others too with `unsafe_too`.
    pub fn new(diagnostics: &[Diagnostic], unsafe_too: bool) -> Plan {
        let mut plan = Plan::default();
        for d in diagnostics {
            let Some(fix) = &d.fix else { continue };
            if !fix.certain && !unsafe_too {
                continue;
            }
            plan.files
                .entry(d.location.path.clone())
                .or_default()
                .push(Edit {
                    bytes: d.location.bytes.clone(),
                    replacement: fix.replacement.clone(),
                    rule: d.rule,
                });
        }
        for edits in plan.files.values_mut() {
            edits.sort_by_key(|e| (e.bytes.start, e.bytes.end));
            // Two fixes of the same bytes, or overlapping ones: keep the first.
            let mut last_end = 0;
            edits.retain(|e| {
                let keep = e.bytes.start >= last_end
                    || (e.bytes.start == e.bytes.end && e.bytes.start == last_end);
                if keep {
                    last_end = e.bytes.end;
                }
                keep
            });
        }
        plan.files.retain(|_, e| !e.is_empty());
        plan
    }

    pub fn edit_count(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// `bytes` with the edits made.
pub fn apply_to(bytes: &[u8], edits: &[Edit]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0usize;
    for e in edits {
        let (s, end) = (e.bytes.start as usize, e.bytes.end as usize);
        if s < at || end > bytes.len() {
            return None; // the file changed since it was checked
        }
        out.extend_from_slice(&bytes[at..s]);
        out.extend_from_slice(e.replacement.as_bytes());
        at = end;
    }
    out.extend_from_slice(&bytes[at..]);
    Some(out)
}

/// Write `contents` to `path` atomically, keeping its permissions.
fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.reftree-{}.tmp", std::process::id()));
    let perms = std::fs::metadata(path)?.permissions();
    let result = (|| {
        std::fs::write(&tmp, contents)?;
        std::fs::set_permissions(&tmp, perms)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// What applying a plan did.
#[derive(Debug, Default)]
pub struct Applied {
    pub files: usize,
    pub edits: usize,
    /// Files that changed on disk since they were checked, left alone.
    pub skipped: Vec<String>,
}

/// Make the edits, file by file.
pub fn apply(root: &Path, plan: &Plan) -> io::Result<Applied> {
    let mut done = Applied::default();
    for (path, edits) in &plan.files {
        let full = root.join(path);
        let bytes = std::fs::read(&full)?;
        match apply_to(&bytes, edits) {
            Some(new) if new != bytes => {
                write_atomic(&full, &new)?;
                done.files += 1;
                done.edits += edits.len();
            }
            Some(_) => {}
            None => done.skipped.push(path.clone()),
        }
    }
    Ok(done)
}

/// The plan as a unified diff (`a/` and `b/` prefixes), writing nothing.
pub fn diff(root: &Path, plan: &Plan) -> io::Result<String> {
    let mut out = String::new();
    for (path, edits) in &plan.files {
        let bytes = std::fs::read(root.join(path))?;
        let Some(new) = apply_to(&bytes, edits) else {
            continue;
        };
        let (old, new) = (
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&new),
        );
        let d = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
        out.push_str(
            &d.unified_diff()
                .context_radius(1)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(r: Range<u32>, s: &str) -> Edit {
        Edit {
            bytes: r,
            replacement: s.into(),
            rule: "x",
        }
    }

    #[test]
    fn only_the_edited_bytes_change_crlf_and_bom_kept() {
        let text = b"\xEF\xBB\xBF# T\r\n\r\n[a](Guide.md)\r\n";
        let out = apply_to(text, &[edit(14..22, "guide.md")]).expect("applies");
        assert_eq!(out, b"\xEF\xBB\xBF# T\r\n\r\n[a](guide.md)\r\n");
    }

    #[test]
    fn edits_past_the_end_mean_the_file_changed() {
        assert_eq!(apply_to(b"short", &[edit(3..10, "x")]), None);
    }
}
