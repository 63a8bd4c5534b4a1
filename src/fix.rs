//! Fixes as edits (file, byte range, replacement). Only the bytes of the
//! fixed spans change, only in files unchanged since they were checked,
//! only inside the root; see [`apply`].

use crate::diag::Diagnostic;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Seek, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One replacement in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub bytes: Range<u32>,
    pub replacement: String,
    pub rule: &'static str,
    /// The line the bytes start on, for the list of fixes made.
    pub line: u32,
    pub certain: bool,
}

/// A fix that was written: where, what it replaced and with what, so a
/// reviewer can read every change `--fix` made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub line: u32,
    pub rule: &'static str,
    pub before: String,
    pub after: String,
    pub certain: bool,
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
                    line: d.location.start.line,
                    certain: fix.certain,
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

/// Is `path` (root-relative) a temporary file of an interrupted `--fix`?
/// Those are `.NAME.RANDOM.reftree-tmp` (and `.NAME.reftree-PID.tmp`
/// before version 0.2), beside the page being fixed.
pub fn is_temporary(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if !name.starts_with('.') {
        return false;
    }
    if name.ends_with(TEMP_SUFFIX) {
        return true;
    }
    // The old, predictable names.
    name.strip_suffix(".tmp")
        .and_then(|n| n.rsplit_once(".reftree-"))
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

const TEMP_SUFFIX: &str = ".reftree-tmp";

/// Why a file of the plan was not written.
#[derive(Debug)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
    /// The file should have been written and could not be (exit code 2);
    /// otherwise it was left alone on purpose (changed meanwhile, a symlink
    /// fixed through its target).
    pub failed: bool,
}

/// What applying a plan did.
#[derive(Debug, Default)]
pub struct Applied {
    pub edits: usize,
    /// The files written (root-relative, as the plan names them).
    pub written: Vec<String>,
    /// Every edit written.
    pub changes: Vec<Change>,
    pub skipped: Vec<Skipped>,
}

/// Make the edits, file by file; a file that cannot be written is named in
/// `Applied::skipped` and the others are still fixed.
///
/// Each file is read again and written only if it still hashes as it did
/// when it was checked (`fingerprints`, from `Options::fingerprints`) and
/// every edit still lies inside it. A page that is a symlink is fixed
/// through its target (once, and only if the target is inside the root);
/// read-only files are not written. A file with one link is replaced
/// atomically by a temporary file beside it (created with `O_EXCL`, under
/// a random name, with the original's mode, owner and group); a file with
/// several hard links, or whose owner or group a new file could not get,
/// is rewritten in place so that every link and the ownership stay.
pub fn apply(root: &Path, plan: &Plan, fingerprints: &HashMap<String, u64>) -> Applied {
    let mut done = Applied::default();
    let root = &root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut written: HashSet<PathBuf> = HashSet::new();
    let names = names_by_file(root, plan, fingerprints.keys());
    for (path, edits) in &plan.files {
        let mut skip = |reason: String, failed: bool| {
            done.skipped.push(Skipped {
                path: path.clone(),
                reason,
                failed,
            })
        };
        let full = root.join(path);
        let real = match full.canonicalize() {
            Ok(r) => r,
            Err(e) => {
                skip(format!("cannot read it: {e}"), true);
                continue;
            }
        };
        let Ok(real_rel) = real.strip_prefix(root) else {
            skip(
                "it leads outside the root; nothing outside the root is written".into(),
                true,
            );
            continue;
        };
        let real_rel = real_rel.to_string_lossy().replace('\\', "/");
        if real_rel != *path {
            // A symlink (or a path through a symlinked folder): its target's
            // own entry, if it has one, is the one fixed.
            if plan.files.contains_key(&real_rel) {
                continue;
            }
            if folder(path) != folder(&real_rel) {
                skip(
                    format!(
                        "it is a symlink to `{real_rel}` in another folder, where its relative links mean other files; fix `{real_rel}` instead"
                    ),
                    false,
                );
                continue;
            }
        }
        if let Some(other) = names.get(path) {
            skip(
                format!(
                    "it is one file with `{other}` (a hard link) in another folder, where its relative links mean other files; fix it by hand"
                ),
                false,
            );
            continue;
        }
        if !written.insert(real.clone()) {
            continue;
        }
        let Some(&expected) = fingerprints.get(path) else {
            skip(
                "it was not read as a page in this run; not written".into(),
                true,
            );
            continue;
        };
        match write_fixed(&real, edits, expected) {
            Ok(Outcome::Written(before)) => {
                done.written.push(path.clone());
                done.edits += edits.len();
                for (e, before) in edits.iter().zip(before) {
                    done.changes.push(Change {
                        path: path.clone(),
                        line: e.line,
                        rule: e.rule,
                        before,
                        after: e.replacement.clone(),
                        certain: e.certain,
                    });
                }
            }
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Changed) => skip(
                "it changed since it was checked; it was left as it is (run again to fix it)"
                    .into(),
                false,
            ),
            Ok(Outcome::ReadOnly) => skip(
                "it is read-only; it was not written (make it writable to fix it)".into(),
                true,
            ),
            Err(e) => skip(format!("cannot write it: {e}"), true),
        }
    }
    done
}

/// The folder of a root-relative path (`""` at the root).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Pages of the plan that are one file (hard links) with another page of
/// the tree (`pages`) in another folder, each with one such other name.
#[cfg(unix)]
fn names_by_file<'a>(
    root: &Path,
    plan: &Plan,
    pages: impl Iterator<Item = &'a String>,
) -> HashMap<String, String> {
    use std::os::unix::fs::MetadataExt;
    let id = |path: &str| {
        std::fs::symlink_metadata(root.join(path))
            .ok()
            .filter(|m| m.is_file() && m.nlink() > 1)
            .map(|m| (m.dev(), m.ino()))
    };
    let linked: HashSet<(u64, u64)> = plan.files.keys().filter_map(|p| id(p)).collect();
    if linked.is_empty() {
        return HashMap::new();
    }
    // Every page's other names (a stat per page, only when a file to fix
    // has several links).
    let mut by_id: HashMap<(u64, u64), Vec<&String>> = HashMap::new();
    for path in pages {
        if let Some(i) = id(path).filter(|i| linked.contains(i)) {
            by_id.entry(i).or_default().push(path);
        }
    }
    let mut out = HashMap::new();
    for names in by_id.values() {
        for a in names.iter().filter(|a| plan.files.contains_key(**a)) {
            if let Some(b) = names.iter().find(|b| folder(b) != folder(a)) {
                out.insert((*a).clone(), (*b).clone());
            }
        }
    }
    out
}

#[cfg(not(unix))]
fn names_by_file<'a>(
    _: &Path,
    _: &Plan,
    _: impl Iterator<Item = &'a String>,
) -> HashMap<String, String> {
    HashMap::new()
}

enum Outcome {
    /// Written; the text each edit replaced.
    Written(Vec<String>),
    /// The edits give back the same bytes: nothing to write, nothing done.
    Unchanged,
    Changed,
    ReadOnly,
}

/// Read `real` (a canonical path: no symlink in it), check it against
/// `expected`, and write it with `edits` made.
fn write_fixed(real: &Path, edits: &[Edit], expected: u64) -> io::Result<Outcome> {
    let meta = std::fs::symlink_metadata(real)?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    if meta.permissions().readonly() || !writable(real) {
        return Ok(Outcome::ReadOnly);
    }
    let mut file = open_no_follow(real)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    if crate::index::content_hash(&bytes) != expected {
        return Ok(Outcome::Changed);
    }
    let Some(new) = apply_to(&bytes, edits) else {
        return Ok(Outcome::Changed);
    };
    if new == bytes {
        return Ok(Outcome::Unchanged);
    }
    let before = edits
        .iter()
        .map(|e| {
            String::from_utf8_lossy(&bytes[e.bytes.start as usize..e.bytes.end as usize])
                .into_owned()
        })
        .collect();
    if several_links(&meta) || replace(real, &meta, &new).is_err() {
        // In place, through the descriptor already open (and checked).
        file.seek(io::SeekFrom::Start(0))?;
        file.write_all(&new)?;
        file.set_len(new.len() as u64)?;
        file.sync_data()?;
    }
    Ok(Outcome::Written(before))
}

/// Open for reading and writing, without following a symlink in the last
/// component.
fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    no_follow(std::fs::OpenOptions::new().read(true).write(true)).open(path)
}

/// `options` that do not follow a symlink in the last component (Unix;
/// elsewhere as they are).
pub(crate) fn no_follow(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn writable(_: &Path) -> bool {
    true
}

#[cfg(unix)]
fn several_links(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

#[cfg(not(unix))]
fn several_links(_: &std::fs::Metadata) -> bool {
    false
}

/// Replace `real` atomically by a new file holding `contents`, with the
/// same mode, owner and group. Fails (writing nothing) when the folder is
/// not writable or the new file cannot get the owner and group.
fn replace(real: &Path, meta: &std::fs::Metadata, contents: &[u8]) -> io::Result<()> {
    let mut tmp = temporary_beside(real)?;
    tmp.write_all(contents)?;
    tmp.as_file().set_permissions(meta.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let new = tmp.as_file().metadata()?;
        if (new.uid(), new.gid()) != (meta.uid(), meta.gid()) {
            std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()))?;
        }
    }
    tmp.as_file().sync_data()?;
    // rename(2) replaces the name `real`, never what it may point to.
    tmp.persist(real).map_err(|e| e.error)?;
    Ok(())
}

/// A new temporary file in the folder of `path`, named
/// `.NAME.RANDOM.reftree-tmp`: created `O_CREAT|O_EXCL` under a random name,
/// so a planted file or symlink of a guessable name is never written
/// through. NAME is `path`'s name cut to 40 characters, so that a page
/// whose name is near the file system's limit still gets one.
fn temporary_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(40).collect())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .rand_bytes(8)
        .tempfile_in(dir)
}

/// Write a new file at `path` (`reftree init`'s rule file) through a
/// temporary renamed over it: a symlink at `path` is replaced, never
/// followed. The file is readable by all (`0644`), as `std::fs::write`
/// would make it.
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut tmp = temporary_beside(path)?;
    tmp.write_all(contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A fix can make another finding appear or change (a parent's count
/// depends on its subsections', a `%` escaped reveals a raw `#`): fix,
/// check again, and repeat until nothing is left to fix, so that a second
/// `--fix` run changes nothing.
pub const MAX_PASSES: usize = 8;

/// What a whole `--fix` run did, over all its passes.
#[derive(Debug, Default)]
pub struct Report {
    pub edits: usize,
    /// Every edit written, in the order written.
    pub changes: Vec<Change>,
    /// The files written (root-relative).
    pub files: std::collections::BTreeSet<String>,
    /// Files not fixed, each named once.
    pub skipped: Vec<Skipped>,
    /// Passes that wrote something.
    pub passes: usize,
    /// Fixes still planned after `MAX_PASSES` (0 when the run settled).
    pub unsettled: usize,
    /// Stale temporary files removed (or that could not be: with the error).
    pub removed_temporaries: Vec<(String, Option<String>)>,
}

impl Report {
    /// Some file could not be written (exit code 2).
    pub fn failed(&self) -> bool {
        self.skipped.iter().any(|s| s.failed)
    }
}

/// Fix the tree: check, apply the fixes (certain ones; all with
/// `unsafe_too`), check again, and repeat until no fix is left. Files that
/// could not be written, or that changed meanwhile, are left alone after
/// the first try. `opts.fingerprints` is set for the caller. Returns what
/// is left, as the tree now is, and what was done. The caller holds the
/// [`Lock`] if other runs may be fixing the same tree.
pub fn fix_tree(
    opts: &crate::Options,
    unsafe_too: bool,
) -> Result<(crate::Outcome, Report), crate::Error> {
    let mut opts = opts.clone();
    opts.fingerprints = true;
    let mut outcome = crate::check(&opts)?;
    let mut report = Report::default();
    for t in &outcome.stale_temporaries {
        let err = std::fs::remove_file(outcome.root.join(t)).err();
        report
            .removed_temporaries
            .push((t.clone(), err.map(|e| e.to_string())));
    }
    let mut hands_off: HashSet<String> = HashSet::new();
    loop {
        let mut plan = Plan::new(&outcome.diagnostics, unsafe_too);
        plan.files.retain(|p, _| !hands_off.contains(p));
        if plan.files.is_empty() {
            break;
        }
        if report.passes == MAX_PASSES {
            report.unsettled = plan.edit_count();
            break;
        }
        let applied = apply(&outcome.root, &plan, &outcome.fingerprints);
        for s in applied.skipped {
            hands_off.insert(s.path.clone());
            report.skipped.push(s);
        }
        report.edits += applied.edits;
        report.changes.extend(applied.changes);
        report.files.extend(applied.written);
        if applied.edits == 0 {
            break;
        }
        report.passes += 1;
        outcome = crate::check(&opts)?;
    }
    Ok((outcome, report))
}

/// An advisory lock on the root for the whole of a `--fix` run, so that two
/// runs on one tree take turns instead of interleaving their writes.
pub struct Lock {
    #[cfg(unix)]
    _fd: rustix::fd::OwnedFd,
}

impl Lock {
    /// Take the lock; `waiting` is called once if another run holds it.
    pub fn take(root: &Path, waiting: impl FnOnce()) -> io::Result<Lock> {
        #[cfg(unix)]
        {
            use rustix::fs::{FlockOperation, Mode, OFlags};
            let fd = rustix::fs::open(
                root,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            if rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive).is_err() {
                waiting();
                rustix::fs::flock(&fd, FlockOperation::LockExclusive)?;
            }
            Ok(Lock { _fd: fd })
        }
        #[cfg(not(unix))]
        {
            let _ = (root, waiting);
            Ok(Lock {})
        }
    }
}

/// The plan as a unified diff (`a/` and `b/` prefixes), writing nothing.
pub fn diff(root: &Path, plan: &Plan) -> io::Result<String> {
    let mut out = String::new();
    for (path, edits) in &plan.files {
        let bytes = std::fs::read(root.join(path))?;
        let Some(new) = apply_to(&bytes, edits) else {
            continue;
        };
        unified(&mut out, path, &bytes, &new);
    }
    Ok(out)
}

/// The unified diff of each page, from its bytes on disk to its bytes fixed.
pub fn diff_pages(pages: &BTreeMap<String, (Vec<u8>, Vec<u8>)>) -> String {
    let mut out = String::new();
    for (path, (old, new)) in pages {
        unified(&mut out, path, old, new);
    }
    out
}

fn unified(out: &mut String, path: &str, old: &[u8], new: &[u8]) {
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let d = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    out.push_str(
        &d.unified_diff()
            .context_radius(1)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string(),
    );
}

/// What `--fix` would write, found without writing (`--diff`).
#[derive(Debug, Default)]
pub struct DryRun {
    /// Each page a fix changes: its bytes on disk, and as `--fix` would
    /// leave them.
    pub pages: BTreeMap<String, (Vec<u8>, Vec<u8>)>,
    /// Fixes made, over all passes.
    pub edits: usize,
    pub passes: usize,
    /// Fixes still planned after `MAX_PASSES` (0 when the run settled).
    pub unsettled: usize,
}

/// Fix the tree in memory as [`fix_tree`] fixes it on disk: check, make
/// the fixes to the pages' bytes, check the tree again with the pages so
/// changed, and repeat until no fix is left. A fix can make another (a
/// count rewritten in a heading changes the heading's anchor, which a
/// link then follows), so the diff shown is what `--fix` would write, not
/// only the first pass. Nothing is written. Returns the first check's
/// outcome and the pages changed.
pub fn dry_run(
    opts: &crate::Options,
    unsafe_too: bool,
) -> Result<(crate::Outcome, DryRun), crate::Error> {
    let first = crate::check(opts)?;
    let mut again = opts.clone();
    // Pages change in memory only: neither the page cache nor the
    // progress counters see them, and each pass's index is freed.
    again.cache = crate::CacheUse::Off;
    again.progress = None;
    again.exit_after = false;
    let mut run = DryRun::default();
    let mut on_disk: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut plan = Plan::new(&first.diagnostics, unsafe_too);
    while !plan.files.is_empty() {
        if run.passes == MAX_PASSES {
            run.unsettled = plan.edit_count();
            break;
        }
        let mut made = 0;
        for (path, edits) in &plan.files {
            let now = match again.overlay.get(path) {
                Some(bytes) => bytes.clone(),
                // A page that cannot be read is not fixed (as `--fix`
                // names it and leaves it).
                None => match std::fs::read(first.root.join(path)) {
                    Ok(bytes) => {
                        on_disk.insert(path.clone(), bytes.clone());
                        bytes
                    }
                    Err(_) => continue,
                },
            };
            // A fix whose bytes are already there changes nothing (as
            // `--fix` writes nothing for it).
            if let Some(new) = apply_to(&now, edits)
                && new != now
            {
                made += edits.len();
                again.overlay.insert(path.clone(), new);
            }
        }
        if made == 0 {
            break;
        }
        run.edits += made;
        run.passes += 1;
        plan = Plan::new(&crate::check(&again)?.diagnostics, unsafe_too);
    }
    run.pages = on_disk
        .into_iter()
        .filter_map(|(path, old)| {
            let new = again.overlay.remove(&path)?;
            (new != old).then_some((path, (old, new)))
        })
        .collect();
    Ok((first, run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(r: Range<u32>, s: &str) -> Edit {
        Edit {
            bytes: r,
            replacement: s.into(),
            rule: "x",
            line: 1,
            certain: true,
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
