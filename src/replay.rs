//! The run cache: the last run's findings, page by page, with what each
//! page's findings read, so that the next run recomputes only what can
//! have changed (pre-commit and editors run reftree on every save).
//!
//! **What is kept** (`run-<root>.bin`, beside the page cache, under the
//! same rules: `--no-cache` neither reads nor writes it, deleting it is
//! safe): a digest of the walk (every file and folder, which pages are
//! checked, the walk's own problems), every file's stamp (size, mtime,
//! ctime, inode), and for each page the findings located in it, the
//! summary's counts for it, and the files its findings read besides it
//! (the targets of its links, a folder's page, the pages its findings
//! name). The file is keyed by reftree's version and binary, the rule
//! file, the dialect, the rules and severities in force and the excludes;
//! it is checksummed, and anything that does not read back whole is not
//! used (the run checks the tree as if there were none).
//!
//! **When it is used.** Only when the walk gives the same digest: the same
//! files, folders and flags. Then:
//! - no file's stamp changed: the findings are the last run's, and no page
//!   is read;
//! - some pages changed, and the run may be partial ([`Run::partial`]):
//!   those pages, what they read, and the pages whose findings read them
//!   are loaded (from the page cache), the rules run over them, and the
//!   findings located in the changed pages and in the pages that read them
//!   replace the old ones. A page that reads a changed page but did not
//!   change itself is checked with only what changed loaded: a finding that
//!   reads another page is about it ([`Diagnostic::about`]), and none is
//!   found about a page not loaded, so its findings about those are the
//!   last run's ([`merge`]); a page with suppressions is checked whole.
//!   Every other page's findings read only the file list (unchanged) and
//!   unchanged pages, so they are as they were.
//!
//! A run is partial only where every rule's findings in a page depend on
//! that page, the pages it links to and the file list alone, or on what
//! the run cache keeps of the others: the GitHub, GitLab, Obsidian and
//! MkDocs dialects. Under MkDocs, a page
//! reads the files it and the pages its fragments lead to take in with
//! snippets (their headings are the page's), which are loaded with it; a
//! site where autorefs may take a label to a heading anywhere is checked
//! whole, as is one whose appended file (`auto_append`) changed. Under a
//! rule file:
//! - a page's kinds are in its path, so known for every page, loaded or not;
//! - a page reads the pages of a relation's other side that it lists, and
//!   an index row's count the page it links to ([`Reads`]): these are among
//!   its dependencies, and its findings about them are about them;
//! - a page of a kind with `[[orphans]]` index pages reads those: they are
//!   among its dependencies, and what they link to is kept
//!   ([`Run::index_links`]), so that a page checked again reads them
//!   without loading them;
//! - `rule-matches-nothing` counts the entries that match on the pages it
//!   does not check from what the last run found there
//!   ([`PageRun::matched`]); so does `unused-suppression` the ignores that
//!   suppress a finding there. A page an ignore names is checked whole.
//!
//! In a vault, wiki links also read the
//! vault's names: every file's, and the aliases of every page, which the
//! run cache keeps ([`PageRun::aliases`]); a changed page whose aliases
//! changed makes the run check every page. Anything else, or over 64
//! pages and a twentieth of the tree changed, and the run checks every
//! page, as without this cache, and writes it anew. A stamp that is not
//! trusted (a file changed within two seconds of the last run's start)
//! counts as changed.

use crate::cache::Stamp;
use crate::diag::Diagnostic;
use crate::index::{Index, Page, resolve::Target};
use crate::walk::Walked;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MAGIC: &[u8; 12] = b"reftree-run\n";
const FORMAT: u32 = 3;
/// What follows the magic in a framed file: format, key, body length,
/// body checksum.
const FRAME: usize = 4 + 16 + 8 + 8;

/// What one page adds to the summary's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageStats {
    pub links: u32,
    pub unchecked_wiki_links: u32,
    pub ignored_custom_ids: u32,
    pub gitlab_references: u32,
    pub contributor_links: u32,
    pub template_links: u32,
    pub api_references: u32,
}

impl PageStats {
    pub fn add(&mut self, o: &PageStats) {
        self.links += o.links;
        self.unchecked_wiki_links += o.unchecked_wiki_links;
        self.ignored_custom_ids += o.ignored_custom_ids;
        self.gitlab_references += o.gitlab_references;
        self.contributor_links += o.contributor_links;
        self.template_links += o.template_links;
        self.api_references += o.api_references;
    }
}

/// One page's part of a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PageRun {
    /// The findings located in the page (suppressions applied), in the
    /// order they are reported (a stable sort of the order found).
    pub findings: Vec<Diagnostic>,
    /// The files (ids in the walk's order) its findings read besides the
    /// page itself, sorted.
    pub deps: Vec<u32>,
    pub stats: PageStats,
    /// In a vault, the keys of the names its front matter `aliases` give
    /// it ([`crate::index::wiki::alias_keys`]): every page's are in the
    /// vault's name tables, which a partial run builds without reading
    /// the pages it does not load.
    pub aliases: Vec<u128>,
    /// The rule file's count forms and relations (numbered as
    /// [`crate::schema::matched_by_page`] numbers them) that match on the
    /// page, and its ignores (numbered after them) that suppress a finding
    /// on it: `rule-matches-nothing`, and `unused-suppression` for the
    /// ignores, in a partial run count the pages they do not check by these.
    pub matched: Vec<u16>,
}

/// A whole run, as kept.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Run {
    /// [`walk_digest`] of the walk the run checked.
    pub walk: u128,
    /// Each file's stamp, in the walk's order (`None`: it could not be
    /// taken; such a file always counts as changed).
    pub stamps: Vec<Option<Stamp>>,
    /// Files whose stamps are not trusted (changed just before the run).
    pub racy: Vec<u32>,
    /// Each page's part, in page order (the walk's order of the pages).
    pub pages: Vec<PageRun>,
    /// Findings located elsewhere than in a page (a symlink loop, say).
    pub other: Vec<Diagnostic>,
    /// A later run may recompute only the pages that changed and the pages
    /// whose findings read them (see the module's documentation).
    pub partial: bool,
    /// The index pages of the rule file's `[[orphans]]` entries (files),
    /// each with the files it links to (sorted): whether a page of their
    /// kind is listed reads all of them, and a partial run loads only those
    /// that changed.
    pub index_links: Vec<(u32, Vec<u32>)>,
    /// The run as read: its encoded pages, which a partial run writes
    /// again as they were for the pages it did not recompute.
    #[serde(skip)]
    pub raw: Raw,
}

/// Every finding of `run`, page by page, then those off the pages (in
/// one allocation: a run may hold hundreds of thousands).
pub fn findings_of(run: Run) -> Vec<Diagnostic> {
    let n = run.pages.iter().map(|p| p.findings.len()).sum::<usize>() + run.other.len();
    let mut out = Vec::with_capacity(n);
    for page in run.pages {
        out.extend(page.findings);
    }
    out.extend(run.other);
    out
}

/// The bytes of a run cache file (its frame and body, as read), and where
/// each page's part is in them.
#[derive(Debug, Default)]
pub struct Raw {
    body: Vec<u8>,
    pages: Vec<std::ops::Range<usize>>,
}

/// A digest of what the walk found: which files and folders there are, and
/// all it says of them.
pub fn walk_digest(walked: &Walked) -> u128 {
    #[derive(Serialize)]
    struct Seen<'a> {
        files: &'a [String],
        regular: &'a [bool],
        dirs: &'a [String],
        checked: &'a [bool],
        aliases: &'a [(String, String)],
        problems: Vec<String>,
        unreadable: bool,
    }
    let seen = Seen {
        files: &walked.files,
        regular: &walked.regular,
        dirs: &walked.dirs,
        checked: &walked.checked,
        aliases: &walked.aliases,
        problems: walked.problems.iter().map(|d| format!("{d:?}")).collect(),
        unreadable: walked.unreadable,
    };
    let bytes = postcard::to_allocvec(&seen).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_128(&bytes)
}

/// The run cache's file for the tree at `root`, in `dir` (`what` names
/// the file: `run`, `walk`).
pub(crate) fn named(dir: &Path, root: &Path, what: &str) -> PathBuf {
    dir.join(format!(
        "{what}-{:016x}.bin",
        xxhash_rust::xxh3::xxh3_64(root.as_os_str().as_encoded_bytes())
    ))
}

fn file_of(dir: &Path, root: &Path) -> PathBuf {
    named(dir, root, "run")
}

/// The bytes of a regular file (not through a symlink).
pub(crate) fn read_whole(file: &Path) -> Option<Vec<u8>> {
    let f = crate::cache::open_regular(file)?;
    let len = f.metadata().ok()?.len();
    let mut bytes = Vec::with_capacity(len as usize + 1);
    std::io::Read::read_to_end(&mut &f, &mut bytes).ok()?;
    Some(bytes)
}

/// How many files the last run kept for `root` walked, as its file says
/// at its start (read before the whole file, to tell how large a run it
/// holds): the length of its stamps. Unchecked: the file is not known to be
/// whole until [`open`] reads it.
pub fn files_in_last_run(dir: &Path, root: &Path) -> Option<usize> {
    let f = crate::cache::open_regular(&file_of(dir, root))?;
    // The frame, the walk's digest (a varint of at most 19 bytes) and the
    // stamps' length (at most 10).
    let mut head = [0u8; MAGIC.len() + FRAME + 32];
    let mut read = 0;
    while read < head.len() {
        match std::io::Read::read(&mut &f, &mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    if !head[..read].starts_with(MAGIC) {
        return None;
    }
    let body = head[..read].get(MAGIC.len() + FRAME..)?;
    let ((_, files), _): ((u128, usize), _) = postcard::take_from_bytes(body).ok()?;
    Some(files)
}

/// The last run kept for `root` under `key`, if there is one that reads
/// back whole.
pub fn open(dir: &Path, root: &Path, key: u128) -> Option<Run> {
    decode_owned(read_whole(&file_of(dir, root))?, key)
}

/// The body of a cache file framed by [`framed`] with `magic`, `format`
/// and `key`, if it is whole.
pub(crate) fn unframed<'a>(
    bytes: &'a [u8],
    magic: &[u8],
    format: u32,
    key: u128,
) -> Option<&'a [u8]> {
    let (head, body) = bytes.split_at_checked(magic.len() + FRAME)?;
    let (written_magic, rest) = head.split_at(magic.len());
    let word = |at: usize, n: usize| &rest[at..at + n];
    let written_format = u32::from_le_bytes(word(0, 4).try_into().ok()?);
    let written_key = u128::from_le_bytes(word(4, 16).try_into().ok()?);
    let len = u64::from_le_bytes(word(20, 8).try_into().ok()?);
    let check = u64::from_le_bytes(word(28, 8).try_into().ok()?);
    let whole = written_magic == magic
        && written_format == format
        && written_key == key
        && len == body.len() as u64
        && xxhash_rust::xxh3::xxh3_64(body) == check;
    whole.then_some(body)
}

/// `body` framed: magic, format, key, the body's length and checksum.
pub(crate) fn framed(magic: &[u8], format: u32, key: u128, body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(magic.len() + FRAME + body.len());
    bytes.resize(magic.len() + FRAME, 0);
    bytes.extend_from_slice(body);
    frame_in_place(magic, format, key, &mut bytes);
    bytes
}

/// Fill in the frame of `bytes`, whose first `magic.len() + FRAME` bytes
/// are kept for it and the rest is the body (a large body is not copied
/// to be framed).
fn frame_in_place(magic: &[u8], format: u32, key: u128, bytes: &mut [u8]) {
    let (head, body) = bytes.split_at_mut(magic.len() + FRAME);
    let fields = [
        magic,
        &format.to_le_bytes(),
        &key.to_le_bytes(),
        &(body.len() as u64).to_le_bytes(),
        &xxhash_rust::xxh3::xxh3_64(body).to_le_bytes(),
    ];
    let mut at = 0;
    for field in fields {
        head[at..at + field.len()].copy_from_slice(field);
        at += field.len();
    }
}

/// Put `bytes` in place as `file` (in `dir`): a new file, renamed.
pub(crate) fn put(dir: &Path, file: &Path, bytes: &[u8]) -> Result<(), String> {
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".run-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, bytes)?;
        tmp.persist(file).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| format!("cannot write `{}`: {e}", file.display()))
}

/// A run from the bytes of a run cache file written under `key`.
#[cfg(test)]
fn decode(bytes: &[u8], key: u128) -> Option<Run> {
    decode_owned(bytes.to_vec(), key)
}

/// [`decode`], keeping `bytes` as they are (the body is not copied out).
fn decode_owned(bytes: Vec<u8>, key: u128) -> Option<Run> {
    unframed(&bytes, MAGIC, FORMAT, key)?;
    let run = decode_body_at(bytes, MAGIC.len() + FRAME)?;
    // Whole, and of one tree: every list as long as the others say.
    (run.stamps.len() >= run.pages.len()
        && run.racy.iter().all(|&f| (f as usize) < run.stamps.len())
        && run
            .pages
            .iter()
            .all(|p| p.deps.iter().all(|&f| (f as usize) < run.stamps.len()))
        && (run.index_links.iter()).all(|(f, links)| {
            (*f as usize) < run.stamps.len()
                && links.iter().all(|&l| (l as usize) < run.stamps.len())
        }))
    .then_some(run)
}

/// A [`Run`] from its body, as postcard reads it field by field (a
/// struct is its fields one after another, a sequence its length then its
/// items), noting where each page's part is.
#[cfg(test)]
fn decode_body(body: Vec<u8>) -> Option<Run> {
    decode_body_at(body, 0)
}

/// [`decode_body`] of the body that starts at `start` in `body` (where
/// each page's part is, is counted from the start of `body`).
fn decode_body_at(body: Vec<u8>, start: usize) -> Option<Run> {
    type Head = (u128, Vec<Option<Stamp>>, Vec<u32>, usize);
    let (head, mut rest): (Head, &[u8]) = postcard::take_from_bytes(body.get(start..)?).ok()?;
    let (walk, stamps, racy, n) = head;
    let mut pages = Vec::with_capacity(n.min(body.len()));
    let mut ranges = Vec::with_capacity(n.min(body.len()));
    for _ in 0..n {
        let start = body.len() - rest.len();
        let (page, more): (PageRun, &[u8]) = postcard::take_from_bytes(rest).ok()?;
        rest = more;
        pages.push(page);
        ranges.push(start..body.len() - rest.len());
    }
    type Tail = (Vec<Diagnostic>, bool, Vec<(u32, Vec<u32>)>);
    let ((other, partial, index_links), rest): (Tail, &[u8]) =
        postcard::take_from_bytes(rest).ok()?;
    if !rest.is_empty() {
        return None;
    }
    Some(Run {
        walk,
        stamps,
        racy,
        pages,
        other,
        partial,
        index_links,
        raw: Raw {
            body,
            pages: ranges,
        },
    })
}

/// `run` as [`decode_body`] reads it; a page `n` with `kept[n]` written as
/// `kept_from` holds it (the run it was read from).
#[cfg(test)]
fn encode_body(run: &Run, kept: &[bool], kept_from: &Raw) -> Result<Vec<u8>, postcard::Error> {
    encode_after(Vec::new(), run, kept, kept_from)
}

/// [`encode_body`] after the bytes `out` holds.
fn encode_after(
    out: Vec<u8>,
    run: &Run,
    kept: &[bool],
    kept_from: &Raw,
) -> Result<Vec<u8>, postcard::Error> {
    let head = (run.walk, &run.stamps, &run.racy, run.pages.len());
    let mut body = postcard::to_extend(&head, out)?;
    for (n, page) in run.pages.iter().enumerate() {
        match kept_from
            .pages
            .get(n)
            .filter(|_| kept.get(n) == Some(&true))
        {
            Some(range) => body.extend_from_slice(&kept_from.body[range.clone()]),
            None => body = postcard::to_extend(page, body)?,
        }
    }
    postcard::to_extend(&(&run.other, run.partial, &run.index_links), body)
}

/// The run cache file, being written on a thread of its own while the
/// findings are printed; dropping it waits for the file to be in place.
#[derive(Debug, Default)]
pub struct Saving(Option<std::thread::JoinHandle<Result<(), String>>>);

impl Saving {
    /// Wait for the file to be in place; why it could not be, if so.
    pub fn wait(mut self) -> Result<(), String> {
        match self.0.take().map(std::thread::JoinHandle::join) {
            Some(Ok(written)) => written,
            Some(Err(_)) => Err("writing the run cache failed".into()),
            None => Ok(()),
        }
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

/// Keep `run` for `root` under `key`, the pages `kept` as they are in
/// `kept_from`: the body is encoded now, and the file written (a new file
/// put in place by a rename) on a thread of its own while the run goes
/// on ([`Saving::wait`] waits for it).
pub fn save_behind(
    dir: &Path,
    root: &Path,
    key: u128,
    run: &Run,
    kept: &[bool],
    kept_from: &Raw,
) -> Result<Saving, String> {
    // The frame, then the body: about as large as the last run's, which
    // is not grown by doubling (nor copied again to be framed).
    let mut bytes = Vec::with_capacity(MAGIC.len() + FRAME + kept_from.body.len() + (1 << 16));
    bytes.resize(MAGIC.len() + FRAME, 0);
    let mut bytes = encode_after(bytes, run, kept, kept_from).map_err(|e| e.to_string())?;
    frame_in_place(MAGIC, FORMAT, key, &mut bytes);
    let (dir, root) = (dir.to_path_buf(), root.to_path_buf());
    Ok(Saving(Some(std::thread::spawn(move || {
        put(&dir, &file_of(&dir, &root), &bytes)
    }))))
}

/// The files whose stamps are not to be trusted from a run that began at
/// `started`: those it could not stamp, and those changed just before.
pub fn racy(stamps: &[Option<Stamp>], started: SystemTime) -> Vec<u32> {
    stamps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none_or(|s| s.racy(started)))
        .map(|(i, _)| i as u32)
        .collect()
}

impl Run {
    /// The files that changed since this run, given the files' stamps now
    /// (the walk being the same): stamps that differ, and untrusted ones.
    pub fn changed(&self, stamps: &[Option<Stamp>]) -> Vec<u32> {
        let mut out: Vec<u32> = (0..stamps.len() as u32)
            .filter(|&i| {
                stamps[i as usize].is_none() || stamps[i as usize] != self.stamps[i as usize]
            })
            .collect();
        out.extend(&self.racy);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// What the rule file makes a page's findings read besides what its links
/// lead to with a fragment: the pages of some kinds it links to (a
/// relation's other side, an index row's page), the index pages of its
/// kind (`[[orphans]]`).
#[derive(Debug, Default)]
pub struct Reads {
    /// The kinds of the pages (in their paths).
    pub kinds: crate::schema::Kinds,
    /// The pages a page links to that its findings read, by the page's
    /// kind (kind number): a relation's other side, an index row's page.
    pub by_kind: Vec<Targets>,
    /// The same for a page of any kind (a `hub-list` form without one).
    pub every: Targets,
    /// By kind: the index pages (files) of the `[[orphans]]` entries for it.
    pub index_of_kind: Vec<Vec<u32>>,
    /// All those index pages, and what each links to ([`Run::index_links`]).
    pub index_links: Vec<(u32, Vec<u32>)>,
    /// By loaded page: the count forms and relations that match on it,
    /// and the ignores that suppress a finding on it ([`PageRun::matched`]);
    /// empty when the run cache is not written.
    pub matched: Vec<Vec<u16>>,
}

/// The number of the rule file's first ignore among the entries
/// [`PageRun::matched`] numbers: after the count forms and relations.
pub fn ignores_from(config: &crate::config::Config) -> usize {
    config.counts.len() + config.relations.len()
}

impl Reads {
    /// Record which of the rule file's ignores suppressed a finding on
    /// which page (page number, ignore number).
    pub fn add_ignores(&mut self, config: &crate::config::Config, used: Vec<(usize, u16)>) {
        if self.matched.is_empty() || used.is_empty() {
            return;
        }
        let from = ignores_from(config) as u16;
        let mut touched = Vec::new();
        for (p, i) in used {
            if let Some(entries) = self.matched.get_mut(p) {
                entries.push(from + i);
                touched.push(p);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for p in touched {
            self.matched[p].sort_unstable();
            self.matched[p].dedup();
        }
    }

    /// What `config` makes pages read, on `index` (whose pages are of `kinds`).
    pub fn new(
        index: &Index,
        config: &crate::config::Config,
        kinds: crate::schema::Kinds,
        matched: bool,
        elsewhere: &Elsewhere,
    ) -> Reads {
        use crate::config::CountForm;
        // A page of one side of a relation reads the pages of the other
        // side it lists; an index row's count, the page of its target kind
        // it links to.
        let none = Targets {
            all: false,
            kinds: vec![false; config.kinds.len()],
        };
        let mut by_kind = vec![none.clone(); config.kinds.len()];
        let mut every = none;
        let mut read = |reader: Option<&str>, target: Option<&str>| {
            let targets = match reader {
                None => &mut every,
                Some(r) => match crate::schema::Kinds::id(config, r) {
                    Some(id) => &mut by_kind[id as usize],
                    None => return, // no page is of it
                },
            };
            match target {
                None => targets.all = true,
                Some(t) => {
                    if let Some(id) = crate::schema::Kinds::id(config, t) {
                        targets.kinds[id as usize] = true;
                    }
                }
            }
        };
        for (rel, _) in &config.relations {
            read(Some(&rel.from.kind), Some(&rel.to.kind));
            read(Some(&rel.to.kind), Some(&rel.from.kind));
        }
        for (form, _) in &config.counts {
            match form {
                CountForm::IndexColumn {
                    kind, target_kind, ..
                } => read(Some(kind), Some(target_kind)),
                CountForm::HubList {
                    kind, target_kind, ..
                } => read(kind.as_deref(), target_kind.as_deref()),
                _ => {}
            }
        }
        let mut index_of_kind = vec![Vec::new(); config.kinds.len()];
        let mut index_files = Vec::new();
        for (orphan, _) in &config.orphans {
            let files = crate::schema::index_page_files(index, orphan);
            if let Some(k) = crate::schema::Kinds::id(config, &orphan.kind) {
                index_of_kind[k as usize].extend(&files);
            }
            index_files.extend(files);
        }
        index_files.sort_unstable();
        index_files.dedup();
        let index_links = index_files
            .into_iter()
            .map(|f| {
                let mut links = elsewhere.index_page_links(index, f);
                links.sort_unstable();
                links.dedup();
                (f, links)
            })
            .collect();
        let entries = ignores_from(config) + config.ignores.len();
        let matched = match matched && entries > 0 {
            true => {
                let model = crate::schema::Model {
                    config,
                    kinds: &kinds,
                };
                crate::schema::matched_by_page(index, &model)
            }
            false => Vec::new(),
        };
        Reads {
            kinds,
            by_kind,
            every,
            index_of_kind,
            index_links,
            matched,
        }
    }
}

/// The pages (by kind) a page's findings read among those it links to.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    /// Every page, whatever its kind.
    pub all: bool,
    /// By kind number.
    pub kinds: Vec<bool>,
}

impl Targets {
    fn any(&self) -> bool {
        self.all || self.kinds.contains(&true)
    }

    /// Whether a page of `kinds` is among them (any page for `all`).
    fn has(&self, kinds: &[u16]) -> bool {
        self.all
            || kinds
                .iter()
                .any(|&k| self.kinds.get(k as usize) == Some(&true))
    }
}

/// What the last run found on the pages a partial run does not load, that
/// rules over the whole tree read.
#[derive(Debug, Default)]
pub struct Elsewhere {
    /// By entry (count forms, then relations: [`PageRun::matched`]): it
    /// matches on a page not checked again.
    pub matched: Vec<bool>,
    /// [`Run::index_links`].
    pub index_links: Vec<(u32, Vec<u32>)>,
}

impl Elsewhere {
    /// What the last run found of the pages `last` does not check again
    /// (`redo`, by page number), with `entries` count forms, relations and
    /// ignores in the rule file.
    pub fn of(last: &mut Run, redo: &[bool], entries: usize) -> Elsewhere {
        let mut matched = vec![false; entries];
        for (old, _) in last.pages.iter().zip(redo).filter(|(_, redo)| !**redo) {
            for &e in &old.matched {
                if let Some(m) = matched.get_mut(e as usize) {
                    *m = true;
                }
            }
        }
        Elsewhere {
            matched,
            index_links: std::mem::take(&mut last.index_links),
        }
    }

    /// The files index page `file` links to: as read, or for one a
    /// partial run did not load (so unchanged), as the last run found them.
    pub fn index_page_links(&self, index: &Index, file: u32) -> Vec<u32> {
        if let Some(page) = index.page_by_file(file) {
            return page.linked_files().collect();
        }
        match self.index_links.binary_search_by_key(&file, |(f, _)| *f) {
            Ok(i) => self.index_links[i].1.clone(),
            Err(_) => Vec::new(),
        }
    }
}

/// The files a page's findings read besides the page: the pages its
/// links with a fragment lead to (a folder's page for a folder), whose
/// anchors the fragment is checked against; the notes of its wiki links;
/// the files its findings name; what the rule file makes it read
/// ([`Reads`]). A link without a fragment reads only the file list (its
/// target's kind is in its path). Without `index_pages`, not the index
/// pages of the page's kind, for what a page checked whole must load: what
/// they link to is kept ([`Run::index_links`]).
pub fn deps_of(
    index: &Index,
    dialect: crate::dialect::Dialect,
    page: &Page,
    (reads, index_pages): (&Reads, bool),
    findings: &[Diagnostic],
) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for l in page.links.iter().filter(|l| l.fragment().is_some()) {
        match &l.target {
            Target::File(f) => out.push(*f),
            Target::Dir => out.extend(index.folder_page(dialect, page, l)),
            _ => {}
        }
    }
    // Under MkDocs, a page's headings include those of the files it takes
    // in with snippets: the page's own, and those of the pages its
    // fragments lead to.
    let included: Vec<u32> = std::iter::once(page)
        .chain(out.iter().filter_map(|&f| index.page_by_file(f)))
        .flat_map(|p| index.snippet_files(p))
        .collect();
    out.extend(included);
    // What the rule file makes it read.
    let reader = reads.kinds.of_file(page.file);
    let targets = || reader.iter().filter_map(|&k| reads.by_kind.get(k as usize));
    if reads.every.any() || targets().any(Targets::any) {
        let read = |f: u32| {
            let kinds = reads.kinds.of_file(f);
            reads.every.has(kinds) || targets().any(|t| t.has(kinds))
        };
        out.extend(page.links.iter().filter_map(|l| match l.target {
            Target::File(f) if read(f) => Some(f),
            _ => None,
        }));
    }
    if index_pages {
        for &k in reader {
            out.extend(reads.index_of_kind.get(k as usize).into_iter().flatten());
        }
    }
    // A wiki link reads its note only for a `#heading` or `^block`.
    for (w, t) in page.facts.wiki_links.iter().zip(&page.wiki_targets) {
        if let crate::index::wiki::WikiTarget::File(f) = t
            && w.target.contains('#')
        {
            out.push(*f);
        }
    }
    let named = findings.iter().flat_map(|d| {
        let related = d.related.iter().map(|r| r.location.path.as_str());
        d.about.as_deref().into_iter().chain(related)
    });
    for path in named {
        if let Some(Target::File(f)) = index.entries.exact(path) {
            out.push(f);
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|&f| f != page.file);
    out
}

/// What the run cache keeps of a page's aliases: their keys where wiki
/// links resolve by them, else nothing.
pub fn aliases_of(index: &Index, dialect: crate::dialect::Dialect, page: &Page) -> Vec<u128> {
    match dialect.has_wiki_links() {
        true => crate::index::wiki::alias_keys(index, page).collect(),
        false => Vec::new(),
    }
}

/// The findings of a page that did not change but reads one that did,
/// checked with only some of the files it reads loaded: a finding that
/// reads another page's facts is about that page ([`Diagnostic::about`]),
/// and none is found about a page not loaded. So: the last run's findings
/// about the files not loaded, and the fresh ones about anything else
/// (the page's own findings are the same either way; these are the fresh).
pub fn merge(
    fresh: Vec<Diagnostic>,
    old: &[Diagnostic],
    not_loaded: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let about_not_loaded = |d: &Diagnostic| d.about.as_deref().is_some_and(&not_loaded);
    let mut out: Vec<Diagnostic> = fresh.into_iter().filter(|d| !about_not_loaded(d)).collect();
    out.extend(old.iter().filter(|d| about_not_loaded(d)).cloned());
    out
}

/// Whether a run after this one may recompute only some pages: every
/// rule's findings in a page read only that page, what it links to and
/// the file list (see the module's documentation).
pub fn may_be_partial(
    index: &Index,
    dialect: crate::dialect::Dialect,
    other: &[Diagnostic],
) -> bool {
    use crate::dialect::Dialect;
    // In a vault a wiki link resolves by the names of every file and the
    // aliases of every page: the file list, and aliases a partial run keeps.
    let wiki = dialect == Dialect::Obsidian;
    let dialects = [
        Dialect::Github,
        Dialect::Gitlab,
        Dialect::Obsidian,
        Dialect::Mkdocs,
    ];
    dialects.contains(&dialect)
        // A label MkDocs' autorefs may take to a heading anywhere reads
        // every page.
        && !index.pages.iter().any(|p| index.asks_autorefs(p))
        && (wiki || index.pages.iter().all(|p| p.facts.wiki_links.is_empty()))
        // Findings off the pages come from the walk alone, or are the
        // rule file's entries that matched nothing (which a partial run
        // counts again: [`PageRun::matched`]).
        && other.iter().all(|d| {
            matches!(
                d.rule,
                "symlink-loop"
                    | "symlink-outside-root"
                    | "unreadable-file"
                    | "rule-matches-nothing"
                    | "unused-suppression"
            )
        })
}

/// What a partial run does: which pages changed, whose findings it
/// recomputes, which files it loads.
pub struct Partial {
    /// The changed pages (page numbers).
    pub changed: Vec<u32>,
    /// By file: its page number (`u32::MAX`: not a page).
    pub number: Vec<u32>,
    /// By file: it changed.
    pub is_changed: Vec<bool>,
    /// By page number: its findings are recomputed (it changed, or its
    /// findings read a page that did).
    pub redo: Vec<bool>,
    /// By file: loaded (a page recomputed, or one such a page reads).
    pub load: Vec<bool>,
    /// Enough pages loaded have the stamp they had to read them from the
    /// page cache: more than a 64th of the pages. Opening the cache (its
    /// list of records) costs about what parsing that many pages does;
    /// fewer are parsed from disk.
    pub wants_page_cache: bool,
}

impl Partial {
    /// The plan after `last`, the files' stamps being `stamps` now and the
    /// pages the files `page_files`; `None` when the run is to check every
    /// page (the last run may not be followed by a partial one, a file
    /// that is not a page changed, or many pages did).
    pub fn plan(
        last: &Run,
        stamps: &[Option<Stamp>],
        changed_files: &[u32],
        page_files: &[u32],
    ) -> Option<Partial> {
        if !last.partial {
            return None;
        }
        let mut number = vec![u32::MAX; stamps.len()];
        for (n, &f) in page_files.iter().enumerate() {
            number[f as usize] = n as u32;
        }
        let mut is_changed = vec![false; stamps.len()];
        let mut changed = Vec::new();
        for &f in changed_files {
            let n = number[f as usize];
            if n == u32::MAX {
                return None;
            }
            changed.push(n);
            is_changed[f as usize] = true;
        }
        if changed.len() > 64 && changed.len() * 20 > page_files.len() {
            return None;
        }
        let redo: Vec<bool> = page_files
            .iter()
            .zip(&last.pages)
            .map(|(&f, p)| is_changed[f as usize] || p.deps.iter().any(|&d| is_changed[d as usize]))
            .collect();
        // A changed page is checked whole: with every file its findings
        // read but the index pages of its kind, whose links are kept
        // ([`Run::index_links`]; a page that reads one otherwise loads it
        // then: `deps_of`). A page that only reads a changed one is checked
        // with what changed: its findings about the files not loaded are
        // the last run's (see `merge`).
        let mut index_page = vec![false; stamps.len()];
        for (f, _) in &last.index_links {
            index_page[*f as usize] = true;
        }
        let mut load = vec![false; stamps.len()];
        for (n, &f) in page_files.iter().enumerate() {
            if redo[n] {
                load[f as usize] = true;
            }
            if is_changed[f as usize] {
                for &d in &last.pages[n].deps {
                    load[d as usize] |= !index_page[d as usize];
                }
            }
        }
        let unchanged = load
            .iter()
            .enumerate()
            .filter(|&(f, &l)| l && stamps[f].is_some() && stamps[f] == last.stamps[f])
            .count();
        Some(Partial {
            changed,
            number,
            is_changed,
            redo,
            load,
            wants_page_cache: unchanged * 64 > page_files.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: usize = MAGIC.len() + FRAME;

    fn run() -> Run {
        Run {
            walk: 7,
            stamps: vec![Some(Stamp::default()), None],
            racy: vec![1],
            pages: vec![PageRun {
                findings: Vec::new(),
                deps: vec![1],
                stats: PageStats {
                    links: 3,
                    ..PageStats::default()
                },
                aliases: vec![u128::MAX],
                matched: vec![3],
            }],
            other: Vec::new(),
            partial: true,
            index_links: vec![(0, vec![1])],
            raw: Raw::default(),
        }
    }

    fn encoded(run: &Run, key: u128) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("tempdir");
        save_behind(dir.path(), Path::new("/r"), key, run, &[], &Raw::default())
            .and_then(Saving::wait)
            .expect("saved");
        std::fs::read(file_of(dir.path(), Path::new("/r"))).expect("written")
    }

    #[test]
    fn a_run_is_written_as_postcard_writes_it_and_its_pages_kept_as_read() {
        let mut r = run();
        r.pages[0].findings.push(Diagnostic::input(
            "broken-link",
            crate::diag::Severity::Error,
            "a.md",
            crate::diag::FILE_START,
            "a finding".into(),
            "a help",
        ));
        r.pages.push(PageRun::default());
        let whole = postcard::to_allocvec(&r).expect("encodes");
        assert_eq!(
            encode_body(&r, &[], &Raw::default()).expect("encodes"),
            whole
        );
        let back = decode_body(whole.clone()).expect("decodes");
        assert_eq!(back.pages[0].findings, r.pages[0].findings);
        // The first page kept from what was read, the second written anew.
        let mut next = run();
        next.pages = vec![PageRun::default(), r.pages[1].clone()];
        let kept = encode_body(&next, &[true, false], &back.raw).expect("encodes");
        let want = Run {
            pages: vec![r.pages[0].clone(), r.pages[1].clone()],
            ..run()
        };
        assert_eq!(kept, postcard::to_allocvec(&want).expect("encodes"));
    }

    #[test]
    fn a_page_checked_with_what_changed_keeps_its_findings_about_pages_not_loaded() {
        let d = |message: &str, about: Option<&str>| {
            let d = Diagnostic::input(
                "broken-fragment",
                crate::diag::Severity::Error,
                "a.md",
                crate::diag::FILE_START,
                message.into(),
                "a help",
            );
            match about {
                Some(p) => d.with_about(p.to_string()),
                None => d,
            }
        };
        let old = [
            d("about b, last run", Some("b.md")),
            d("about c, last run", Some("c.md")),
            d("its own, last run", None),
        ];
        let fresh = vec![d("about c", Some("c.md")), d("its own", None)];
        let merged = merge(fresh, &old, |p| p == "b.md");
        let messages: Vec<&str> = merged.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["about c", "its own", "about b, last run"]);
    }

    #[test]
    fn a_run_reads_back_under_its_key_only() {
        let bytes = encoded(&run(), 42);
        let back = decode(&bytes, 42).expect("reads back");
        assert_eq!(back.pages[0].stats.links, 3);
        assert_eq!(back.pages[0].aliases, [u128::MAX]);
        assert_eq!(back.racy, vec![1]);
        assert!(decode(&bytes, 43).is_none(), "another key");
    }

    #[test]
    fn a_cut_or_flipped_file_is_not_used() {
        let bytes = encoded(&run(), 42);
        for at in [0, HEADER - 1, HEADER + 1, bytes.len() - 1] {
            assert!(decode(&bytes[..at], 42).is_none(), "cut at {at}");
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x20;
            assert!(decode(&flipped, 42).is_none(), "byte {at} flipped");
        }
    }

    #[test]
    fn a_run_tells_how_many_files_it_walked_from_its_first_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = Path::new("/r");
        assert_eq!(files_in_last_run(dir.path(), root), None, "no file");
        let mut r = run();
        r.stamps = vec![None; 20_000];
        save_behind(dir.path(), root, u128::MAX, &r, &[], &Raw::default())
            .and_then(Saving::wait)
            .expect("saved");
        assert_eq!(files_in_last_run(dir.path(), root), Some(20_000));
        let file = file_of(dir.path(), root);
        let bytes = std::fs::read(&file).expect("written");
        std::fs::write(&file, &bytes[..HEADER + 3]).expect("cut");
        assert_eq!(
            files_in_last_run(dir.path(), root),
            None,
            "cut in the length"
        );
        std::fs::write(&file, b"not a run").expect("replaced");
        assert_eq!(files_in_last_run(dir.path(), root), None, "not a run");
    }

    #[test]
    fn a_dependency_outside_the_file_list_is_not_used() {
        let mut r = run();
        r.pages[0].deps = vec![9];
        assert!(decode(&encoded(&r, 1), 1).is_none());
    }
}
