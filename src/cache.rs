//! The page cache: each page's parsed facts on disk, so that the next run
//! reads and parses only the pages that changed (pre-commit and editors run
//! reftree on every save).
//!
//! **Where.** `reftree/` in the git directory of the repository that holds
//! the root (one file per root), or the folder `--cache-dir` names (a
//! `.reftree-cache/` folder is left out of the walk). Outside a repository
//! there is no cache unless `--cache-dir` asks for one. `--no-cache` (or
//! `REFTREE_NO_CACHE=1`) neither reads nor writes it; deleting it is safe.
//!
//! **Format.** A header names the format and a key: reftree's version, the
//! binary's size and mtime, the rule file, the dialect and the page-size
//! limit. A file with another key is not read; it is replaced. Then
//! records, each `len: u32 | XXH3-64 of the body | body`, the body holding
//! a page's path, its size, mtime, ctime and inode, a 128-bit XXH3 of its
//! bytes, and its facts (postcard). A record that fails its checksum ends
//! the scan (a torn or damaged file: what came before it is still used)
//! and the file is rewritten at the end of the run. A later record of a
//! path replaces an earlier one: a run appends the records of the pages it
//! parsed, and rewrites the file once it is mostly stale records.
//!
//! **The list** (`pages-*.idx`, beside it): each live record's path, head
//! and place, with the cache file's inode and the length it covers. A run
//! that finds the list whole (checksummed), of its key and of the same
//! file, takes the records' places from it and scans only what was
//! appended after it, instead of reading the whole file through (265 MB
//! at 100k pages); a record is still checked when it is read. The list is
//! written anew when the file is, or when what it does not cover reaches
//! an eighth of the file.
//!
//! **When a page is taken from it.** Its size, mtime, ctime and inode are
//! the recorded ones and the record is not *racy* (the page's mtime was
//! less than two seconds before the run that wrote the record began: an
//! edit of the same size within the same clock tick would look the same),
//! or else its bytes hash to the recorded hash. Anything else is parsed.

use crate::hash::FastMap;
use crate::parse::PageFacts;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The first bytes of a cache file, and the version of its layout.
const MAGIC: &[u8; 14] = b"reftree-cache\n";
const FORMAT: u32 = 3;
const HEADER: usize = MAGIC.len() + 4 + 16;
/// A record's length and checksum, before its body.
const PREFIX: usize = 12;
/// How long before the run's start a page's mtime must be for its record
/// to be trusted on its stamp alone (coarse file-system clocks tick in up
/// to 2 s).
const RACY: Duration = Duration::from_secs(2);

/// What the file system says about a page: it changes when the page does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    /// Seconds and nanoseconds since the epoch.
    pub mtime: (i64, u32),
    pub ctime: (i64, u32),
    pub ino: u64,
}

impl Stamp {
    /// Whether a record of this stamp, made by a run that began at
    /// `started`, is not to be trusted on the stamp alone: the file changed
    /// less than [`RACY`] before (or after) the run began.
    pub fn racy(&self, started: SystemTime) -> bool {
        let mtime =
            UNIX_EPOCH + Duration::new(self.mtime.0.max(0) as u64, self.mtime.1.min(999_999_999));
        mtime + RACY > started
    }

    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp {
                size: meta.len(),
                mtime: (meta.mtime(), meta.mtime_nsec() as u32),
                ctime: (meta.ctime(), meta.ctime_nsec() as u32),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let since = |t: std::io::Result<SystemTime>| {
                t.ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()))
            };
            Stamp {
                size: meta.len(),
                mtime: since(meta.modified()),
                ctime: since(meta.created()),
                ino: 0,
            }
        }
    }
}

#[cfg(unix)]
impl Stamp {
    /// The same as [`Stamp::of`], from a `stat` made without std (`statat`).
    // `stat`'s field types differ between platforms: the casts are needed
    // on some.
    #[allow(clippy::unnecessary_cast)]
    pub fn of_stat(st: &rustix::fs::Stat) -> Stamp {
        Stamp {
            size: st.st_size as u64,
            mtime: (st.st_mtime as i64, st.st_mtime_nsec as u32),
            ctime: (st.st_ctime as i64, st.st_ctime_nsec as u32),
            ino: st.st_ino as u64,
        }
    }
}

/// The 128-bit hash a page's bytes are recorded under.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

#[derive(Serialize, Deserialize)]
struct Head<'a> {
    path: &'a str,
    stamp: Stamp,
    hash: u128,
    racy: bool,
}

/// A page's facts as written: the links' destinations (which the facts
/// give as offsets into the page) one after the other in `dests`.
#[derive(Serialize)]
struct BodyRef<'a> {
    facts: &'a PageFacts,
    dests: &'a str,
    len: u32,
}

/// A page's facts as read back (the same fields as [`BodyRef`]).
#[derive(Deserialize)]
pub struct Body {
    pub facts: PageFacts,
    pub dests: String,
    /// The page's length in bytes.
    pub len: u32,
}

impl Body {
    /// Whether the destinations are as long as the links say, each cut at
    /// a character boundary (a record is checked, but not trusted to be
    /// one that this code wrote).
    fn is_whole(&self) -> bool {
        let mut at = 0usize;
        for l in &self.facts.links {
            if !self.dests.is_char_boundary(at) {
                return false;
            }
            at += l.len as usize;
        }
        at == self.dests.len()
    }
}

const TAKEN: u8 = 1;
const RESTAMPED: u8 = 2;

/// A record's head (but its path) and place in the file.
#[derive(Clone, Serialize, Deserialize)]
struct Place {
    stamp: Stamp,
    hash: u128,
    racy: bool,
    /// Where the whole record (prefix included) is in the file.
    record: std::ops::Range<u64>,
    /// How long its head is (the facts follow it).
    head: u32,
    /// The checksum of its body, checked again when it is read.
    check: u64,
}

impl Place {
    /// The path and place of the record whose body `body` (checksum
    /// `check`) is written after its prefix at `at`.
    fn of(body: &[u8], check: u64, at: u64) -> Option<(&str, Place)> {
        let (head, rest) = postcard::take_from_bytes::<Head>(body).ok()?;
        let place = Place {
            stamp: head.stamp,
            hash: head.hash,
            racy: head.racy,
            record: at..at + (PREFIX + body.len()) as u64,
            head: (body.len() - rest.len()) as u32,
            check,
        };
        Some((head.path, place))
    }
}

/// A record found in the file.
struct Slot {
    place: Place,
    /// Taken by this run as it is ([`TAKEN`]: kept when the file is
    /// rewritten), or with a new stamp ([`RESTAMPED`]: recorded anew).
    used: AtomicU8,
}

/// How the run used the cache, for the summary.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The cache file.
    pub file: PathBuf,
    /// Pages taken from it, and pages parsed.
    pub hits: usize,
    pub misses: usize,
    /// Why it was not read (another key, damage), if so.
    pub discarded: Option<String>,
    /// Why it could not be written, if so.
    pub error: Option<String>,
    /// Pages whose findings were the last run's ([`crate::replay`]).
    pub replayed: usize,
}

pub struct Cache {
    file: PathBuf,
    key: u128,
    started: SystemTime,
    /// The cache file as it was opened (records are read from it when
    /// taken: only their heads are kept in memory), and its length.
    old: Option<std::fs::File>,
    old_len: u64,
    by_path: FastMap<Box<str>, usize>,
    slots: Vec<Slot>,
    discarded: Option<String>,
    /// Where this run's records go.
    sink: Mutex<Sink>,
    /// Records are looked up, none written.
    read_only: bool,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// The records' places up to this length came from the list beside
    /// the file.
    listed: Option<u64>,
}

/// Where records go: straight into a new file when the old one is not
/// worth keeping (absent, another key, damaged), else held to be appended.
enum Sink {
    Stream(Writer),
    Hold(Vec<(Box<str>, Vec<u8>)>),
    /// Writing failed: why.
    Failed(String),
}

impl Sink {
    /// A new cache file with its header, in the folder of `file`.
    fn new_file(file: &Path, key: u128) -> Sink {
        let dir = file.parent().unwrap_or(Path::new("."));
        let made = tempfile::Builder::new()
            .prefix(".pages-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .and_then(|tmp| {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
                w.write_all(MAGIC)?;
                w.write_all(&FORMAT.to_le_bytes())?;
                w.write_all(&key.to_le_bytes())?;
                Ok(w)
            });
        match made {
            Ok(w) => Sink::Stream(Writer {
                w,
                at: HEADER as u64,
                heads: Vec::new(),
            }),
            Err(e) => Sink::Failed(format!("cannot write in `{}`: {e}", dir.display())),
        }
    }

    fn push(&mut self, path: &str, record: Vec<u8>) {
        match self {
            Sink::Stream(w) => {
                if let Err(e) = w.write(&record) {
                    *self = Sink::Failed(e.to_string());
                }
            }
            Sink::Hold(held) => held.push((path.into(), record)),
            Sink::Failed(_) => {}
        }
    }
}

/// A new cache file being written, and where its records went.
struct Writer {
    w: std::io::BufWriter<tempfile::NamedTempFile>,
    at: u64,
    heads: Vec<Listed>,
}

impl Writer {
    fn write(&mut self, record: &[u8]) -> std::io::Result<()> {
        self.w.write_all(record)?;
        if let Some(l) = Listed::of(record, self.at) {
            self.heads.push(l);
        }
        self.at += record.len() as u64;
        Ok(())
    }
}

/// A record's head and place, as the list beside the cache file keeps it
/// (`pages-*.idx`): a run that finds the list true to the cache file
/// takes its records' places from it, without reading the file through.
#[derive(Clone, Serialize, Deserialize)]
struct Listed {
    path: String,
    place: Place,
}

impl Listed {
    /// The head of `record` (prefix included), written at `at`.
    fn of(record: &[u8], at: u64) -> Option<Listed> {
        let check = u64::from_le_bytes(record.get(4..PREFIX)?.try_into().ok()?);
        let (path, place) = Place::of(&record[PREFIX..], check, at)?;
        Some(Listed {
            path: path.to_string(),
            place,
        })
    }
}

/// The list beside a cache file: the file's key, and its length, mtime
/// and inode when the list was written (a list is used only if the file
/// is still that one), and its records' heads.
#[derive(Serialize, Deserialize)]
struct List {
    key: u128,
    of: (u64, Stamp),
    records: Vec<Listed>,
}

const LIST_MAGIC: &[u8; 13] = b"reftree-list\n";

/// The list's file, beside the cache file.
fn list_file(file: &Path) -> PathBuf {
    file.with_extension("idx")
}

/// The cache file's length and stamp.
fn identity(f: &std::fs::File) -> Option<(u64, Stamp)> {
    let meta = f.metadata().ok()?;
    Some((meta.len(), Stamp::of(&meta)))
}

/// The list beside `file` if it is whole, of `key`, and true to `old`
/// (whose header is read again: the magic, the format, the key).
fn read_list(file: &Path, key: u128, old: &std::fs::File) -> Option<List> {
    let mut header = [0u8; HEADER];
    read_at(old, &mut header, 0).ok()?;
    let mut want = MAGIC.to_vec();
    want.extend_from_slice(&FORMAT.to_le_bytes());
    want.extend_from_slice(&key.to_le_bytes());
    if header[..] != want[..] {
        return None;
    }
    let bytes = std::fs::read(list_file(file)).ok()?;
    let body = bytes.strip_prefix(&LIST_MAGIC[..])?;
    let (check, body) = body.split_at_checked(8)?;
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(check.try_into().ok()?) {
        return None;
    }
    let list: List = postcard::from_bytes(body).ok()?;
    // The same file (records are only ever appended to it), at least as
    // long as when the list was written.
    let (len, now) = identity(old)?;
    let ok = list.key == key
        && list.of.1.ino == now.ino
        && list.of.0 <= len
        && list.records.iter().all(|l| {
            let p = &l.place;
            p.record.start >= HEADER as u64
                && p.record.start + PREFIX as u64 + u64::from(p.head) <= p.record.end
                && p.record.end <= list.of.0
        });
    ok.then_some(list)
}

/// Write the list of `records` beside `file` (a new file put in place).
fn write_list(file: &Path, key: u128, records: Vec<Listed>) -> std::io::Result<()> {
    let f = open_regular(file).ok_or_else(|| std::io::Error::other("the cache file is gone"))?;
    let of = identity(&f).ok_or_else(|| std::io::Error::other("cannot stat the cache file"))?;
    let list = List { key, of, records };
    let body = postcard::to_allocvec(&list).map_err(std::io::Error::other)?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".pages-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(LIST_MAGIC)?;
    tmp.write_all(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes())?;
    tmp.write_all(&body)?;
    tmp.persist(list_file(file)).map_err(|e| e.error)?;
    Ok(())
}

/// A record of `path`, as [`Cache::lookup`] finds it.
pub struct Entry<'a> {
    cache: &'a Cache,
    slot: &'a Slot,
}

impl Entry<'_> {
    /// Whether the page is as recorded, on its stamp alone.
    pub fn fresh(&self, stamp: &Stamp) -> bool {
        !self.slot.place.racy && self.slot.place.stamp == *stamp
    }

    /// Whether `hash` is the hash recorded.
    pub fn same_bytes(&self, hash: u128) -> bool {
        self.slot.place.hash == hash
    }

    /// The recorded facts: `None` if the record cannot be read again,
    /// no longer checks (the file changed under the run), or does not
    /// decode (which a record of this code's own never does).
    pub fn take(&self) -> Option<Body> {
        self.take_as(None)
    }

    /// The recorded facts of a page found unchanged by its bytes but under
    /// another stamp (touched, copied, checked out again), recorded anew
    /// under `stamp`.
    pub fn take_restamped(&self, path: &str, stamp: Stamp) -> Option<Body> {
        self.take_as(Some((path, stamp)))
    }

    fn take_as(&self, restamp: Option<(&str, Stamp)>) -> Option<Body> {
        let record = self.cache.read(self.slot)?;
        let facts = &record[PREFIX + self.slot.place.head as usize..];
        let body: Body = postcard::from_bytes(facts).ok()?;
        if !body.is_whole() {
            return None;
        }
        self.cache.hits.fetch_add(1, Relaxed);
        match restamp {
            None => self.slot.used.store(TAKEN, Relaxed),
            Some((path, stamp)) => {
                self.slot.used.store(RESTAMPED, Relaxed);
                self.cache.push(path, stamp, self.slot.place.hash, facts);
            }
        }
        Some(body)
    }
}

impl Cache {
    /// Count the pages read from the cache anew: a run that reads its
    /// pages again (a partial run that needs more) counts each once.
    pub fn recount(&self) {
        self.hits.store(0, Relaxed);
    }

    /// The cache for `root` with this `key`, read from `dir` (or the
    /// default place: [`default_dir`]). Never fails: a cache that cannot be
    /// read is empty, and one that cannot be written says so in its report.
    /// A `read_only` cache is only looked up (`finish` writes nothing).
    pub fn open(dir: &Path, root: &Path, key: &str, read_only: bool) -> Cache {
        let started = SystemTime::now();
        let name = format!(
            "pages-{:016x}.bin",
            xxhash_rust::xxh3::xxh3_64(root.as_os_str().as_encoded_bytes())
        );
        let file = dir.join(name);
        let key = xxhash_rust::xxh3::xxh3_128(key.as_bytes());
        let mut cache = Cache {
            file,
            key,
            started,
            old: None,
            old_len: 0,
            by_path: FastMap::default(),
            slots: Vec::new(),
            discarded: None,
            sink: Mutex::new(Sink::Hold(Vec::new())),
            read_only,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            listed: None,
        };
        let whole = match open_regular(&cache.file) {
            Some(old) => match read_list(&cache.file, key, &old) {
                // The records the list covers, then those appended since.
                Some(list) => {
                    let covered = list.of.0;
                    cache.take_list(list);
                    cache.scan_from(old, covered)
                }
                None => cache.scan(old),
            },
            None => false,
        };
        if !whole && !read_only {
            cache.sink = Mutex::new(Sink::new_file(&cache.file, key));
        }
        cache
    }

    /// The records of the cache file as its list gives them.
    fn take_list(&mut self, list: List) {
        self.slots.reserve(list.records.len());
        for l in list.records {
            self.found(&l.path, l.place);
        }
        self.listed = Some(list.of.0);
    }

    /// A record of `path` at `place`: it replaces any earlier one.
    fn found(&mut self, path: &str, place: Place) {
        let slot = Slot {
            place,
            used: AtomicU8::new(0),
        };
        match self.by_path.get(path) {
            Some(&i) => self.slots[i] = slot,
            None => {
                self.by_path.insert(path.into(), self.slots.len());
                self.slots.push(slot);
            }
        }
    }

    /// Whether the list beside the file is to be written anew after
    /// `more` bytes are appended: there is none, or what it does not cover
    /// would be an eighth of the file.
    fn list_stale(&self, more: u64) -> bool {
        match self.listed {
            None => true,
            Some(covered) => (self.old_len + more - covered) * 8 > self.old_len + more,
        }
    }

    /// Index the records of the file `old` (read through once; only their
    /// heads are kept); whether all of it is whole.
    fn scan(&mut self, old: std::fs::File) -> bool {
        self.scan_from(old, 0)
    }

    /// [`Cache::scan`] from byte `from`: the start (where the header is
    /// checked), or the end of what the list beside the file covers.
    fn scan_from(&mut self, old: std::fs::File, from: u64) -> bool {
        use std::io::{Read, Seek};
        let mut r = std::io::BufReader::with_capacity(1 << 20, &old);
        if from > 0 {
            if r.seek(std::io::SeekFrom::Start(from)).is_err() {
                return false;
            }
        } else {
            let mut header = [0u8; HEADER];
            if r.read_exact(&mut header).is_err() || &header[..MAGIC.len()] != MAGIC {
                self.discarded = Some("not a reftree cache file".into());
                return false;
            }
            let (format, key) = header[MAGIC.len()..].split_at(4);
            let format = u32::from_le_bytes(format.try_into().expect("4 bytes"));
            let key = u128::from_le_bytes(key.try_into().expect("16 bytes"));
            if format != FORMAT || key != self.key {
                self.discarded =
                    Some("written by another reftree, or for another rule file or dialect".into());
                return false;
            }
        }
        let mut at = from.max(HEADER as u64);
        let mut body = Vec::new();
        let damaged = loop {
            let mut prefix = [0u8; PREFIX];
            match r.read(&mut prefix[..1]) {
                Ok(0) => break false, // the end, between records
                Ok(_) => {}
                Err(_) => break true,
            }
            if r.read_exact(&mut prefix[1..]).is_err() {
                break true;
            }
            let len = u32::from_le_bytes(prefix[..4].try_into().expect("4 bytes"));
            let check = u64::from_le_bytes(prefix[4..].try_into().expect("8 bytes"));
            body.clear();
            // Read what is there (a length that says more than the file
            // holds is damage, not an allocation of that size).
            let got = (&mut r).take(len.into()).read_to_end(&mut body);
            if !got.is_ok_and(|n| n == len as usize) || xxhash_rust::xxh3::xxh3_64(&body) != check {
                break true;
            }
            let Some((path, place)) = Place::of(&body, check, at) else {
                break true;
            };
            at = place.record.end;
            self.found(path, place);
        };
        if damaged {
            self.discarded = Some(format!("damaged after byte {at}; the rest was not used"));
        }
        self.old = Some(old);
        self.old_len = at;
        !damaged
    }

    /// A record read again from the file (prefix included), if it still
    /// checks.
    fn read(&self, slot: &Slot) -> Option<Vec<u8>> {
        let file = self.old.as_ref()?;
        let place = &slot.place;
        let mut record = vec![0u8; (place.record.end - place.record.start) as usize];
        read_at(file, &mut record, place.record.start).ok()?;
        let (prefix, body) = record.split_at_checked(PREFIX)?;
        // Its prefix too as written: its length and checksum.
        let len = u32::from_le_bytes(prefix[..4].try_into().ok()?);
        let check = u64::from_le_bytes(prefix[4..].try_into().ok()?);
        let whole = len as usize == body.len()
            && check == place.check
            && xxhash_rust::xxh3::xxh3_64(body) == place.check;
        whole.then_some(record)
    }

    /// The record of `path`, if there is one.
    pub fn lookup(&self, path: &str) -> Option<Entry<'_>> {
        let &i = self.by_path.get(path)?;
        Some(Entry {
            cache: self,
            slot: &self.slots[i],
        })
    }

    /// Record a page just parsed.
    pub fn record(&self, path: &str, stamp: Stamp, bytes: &[u8], facts: &PageFacts, dests: &str) {
        let body = BodyRef {
            facts,
            dests,
            len: bytes.len() as u32,
        };
        self.misses.fetch_add(1, Relaxed);
        let Ok(body) = postcard::to_allocvec(&body) else {
            return;
        };
        self.push(path, stamp, content_hash(bytes), &body);
    }

    fn push(&self, path: &str, stamp: Stamp, hash: u128, body: &[u8]) {
        if self.read_only {
            return;
        }
        let head = Head {
            path,
            stamp,
            hash,
            // A page changed after the run began is racy too.
            racy: stamp.racy(self.started),
        };
        // The prefix is filled in once the body's length is known.
        let Ok(mut record) = postcard::to_extend(&head, vec![0u8; PREFIX]) else {
            return;
        };
        record.extend_from_slice(body);
        let len = (record.len() - PREFIX) as u32;
        let check = xxhash_rust::xxh3::xxh3_64(&record[PREFIX..]);
        record[..4].copy_from_slice(&len.to_le_bytes());
        record[4..PREFIX].copy_from_slice(&check.to_le_bytes());
        self.sink
            .lock()
            .expect("no thread panics holding the cache")
            .push(path, record);
    }

    /// Write what this run learned: its records appended, or a new file of
    /// the records of `live` (the pages of this run) when the old one was
    /// not worth keeping or is mostly stale records.
    pub fn finish<'a>(mut self, live: impl Iterator<Item = &'a str>) -> Report {
        let sink = std::mem::replace(
            self.sink
                .get_mut()
                .expect("no thread panics holding the cache"),
            Sink::Hold(Vec::new()),
        );
        let mut report = Report {
            file: self.file.clone(),
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            discarded: self.discarded.clone(),
            error: None,
            replayed: 0,
        };
        if self.read_only {
            return report;
        }
        // The old record of a live page is kept unless this run recorded
        // the page anew (a partial run leaves most pages untouched).
        let taken = |path: &str| -> Option<&Slot> {
            let slot = &self.slots[*self.by_path.get(path)?];
            (slot.used.load(Relaxed) != RESTAMPED).then_some(slot)
        };
        let old = |path: &str| taken(path).and_then(|slot| self.read(slot));
        // The old file's records, latest per path, as its list keeps them.
        let old_list = || -> Vec<Listed> {
            let mut by_slot: Vec<(&str, usize)> =
                self.by_path.iter().map(|(p, &i)| (&**p, i)).collect();
            by_slot.sort_unstable_by_key(|&(_, i)| i);
            by_slot
                .into_iter()
                .map(|(p, i)| Listed {
                    path: p.to_string(),
                    place: self.slots[i].place.clone(),
                })
                .collect()
        };
        // What was written, and the list of the file as it is now (`None`:
        // the list that was read is still true).
        let written: std::io::Result<Option<Vec<Listed>>> = match sink {
            Sink::Failed(e) => Err(std::io::Error::other(e)),
            Sink::Stream(mut w) => {
                // Pages taken from what was whole of a damaged file.
                let mut kept = Ok(());
                for p in live {
                    if let Some(r) = old(p) {
                        kept = kept.and_then(|_| w.write(&r));
                    }
                }
                kept.and_then(|_| {
                    let heads = std::mem::take(&mut w.heads);
                    persist(w.w, &self.file).map(|_| Some(heads))
                })
            }
            Sink::Hold(held) if held.is_empty() => Ok(self.list_stale(0).then(old_list)),
            Sink::Hold(held) => {
                let fresh: FastMap<&str, &[u8]> =
                    held.iter().map(|(p, r)| (&**p, &r[..])).collect();
                let live: Vec<&str> = live.collect();
                // The bytes of the live records (old ones from their slots).
                let live_bytes: u64 = live
                    .iter()
                    .filter_map(|p| match fresh.get(p) {
                        Some(r) => Some(r.len() as u64),
                        None => {
                            taken(p).map(|slot| slot.place.record.end - slot.place.record.start)
                        }
                    })
                    .sum();
                let new_bytes: usize = held.iter().map(|(_, r)| r.len()).sum();
                if self.old_len + new_bytes as u64 > 2 * live_bytes + (1 << 16) {
                    // Mostly stale: the live records into a new file.
                    match Sink::new_file(&self.file, self.key) {
                        Sink::Stream(mut w) => live
                            .iter()
                            .try_for_each(|p| match fresh.get(p) {
                                Some(r) => w.write(r),
                                None => old(p).map_or(Ok(()), |r| w.write(&r)),
                            })
                            .and_then(|_| {
                                let heads = std::mem::take(&mut w.heads);
                                persist(w.w, &self.file).map(|_| Some(heads))
                            }),
                        Sink::Failed(e) => Err(std::io::Error::other(e)),
                        Sink::Hold(_) => unreachable!("new_file streams or fails"),
                    }
                } else {
                    let mut out = Vec::with_capacity(new_bytes);
                    for (_, r) in &held {
                        out.extend_from_slice(r);
                    }
                    // The list is written anew once what it does not cover
                    // is an eighth of the file; till then a run scans that.
                    let stale = self.list_stale(new_bytes as u64);
                    append(&self.file, &out).map(|_| {
                        stale.then(|| {
                            let mut list = old_list();
                            let mut at = self.old_len;
                            for (_, r) in &held {
                                list.extend(Listed::of(r, at));
                                at += r.len() as u64;
                            }
                            list
                        })
                    })
                }
            }
        };
        let written = written.and_then(|list| match list {
            Some(records) => write_list(&self.file, self.key, records),
            None => Ok(()),
        });
        if let Err(e) = written {
            report.error = Some(format!("cannot write `{}`: {e}", self.file.display()));
        }
        report
    }
}

/// Flush a new cache file and put it in place of `file` (a rename).
fn persist(w: std::io::BufWriter<tempfile::NamedTempFile>, file: &Path) -> std::io::Result<()> {
    let tmp = w.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// `file` opened for reading if it is a regular file (a symlink is not
/// followed).
pub(crate) fn open_regular(file: &Path) -> Option<std::fs::File> {
    let f = crate::fix::no_follow(std::fs::OpenOptions::new().read(true))
        .open(file)
        .ok()?;
    f.metadata().ok()?.is_file().then_some(f)
}

/// Fill `buf` from `file` at `offset`.
#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    let mut f = file.try_clone()?;
    f.seek(std::io::SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// Add `bytes` to the end of `file` in one write (a symlink is not followed).
fn append(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::fix::no_follow(std::fs::OpenOptions::new().append(true))
        .open(file)?
        .write_all(bytes)
}

/// Where the cache of the tree at `root` goes by default: `reftree/` in
/// the git directory of the repository holding `root` (`.git` itself, or
/// the folder a `.git` file names). Outside a repository there is no
/// default place (reftree writes nothing into a tree it checks unless
/// told to: `--cache-dir`). The folder is made if need be; `None` if it
/// cannot be, or is not a real folder (a symlink is not followed).
pub fn default_dir(root: &Path) -> Option<PathBuf> {
    let git_dir = root.ancestors().find_map(|d| {
        let dot = d.join(".git");
        let meta = std::fs::symlink_metadata(&dot).ok()?;
        if meta.is_dir() {
            return Some(dot);
        }
        // A worktree or submodule: `gitdir: PATH`.
        let text = std::fs::read_to_string(&dot).ok()?;
        let to = text.strip_prefix("gitdir:")?.trim();
        Some(d.join(to))
    })?;
    made(&git_dir.join("reftree"))
}

/// The folder name the walk leaves out, for a cache kept in the tree
/// (`--cache-dir .reftree-cache`).
pub const OWN_DIR: &str = ".reftree-cache";

/// `dir`, made if missing, if it is a real folder.
fn made(dir: &Path) -> Option<PathBuf> {
    let _ = std::fs::create_dir(dir);
    std::fs::symlink_metadata(dir)
        .ok()
        .filter(|m| m.is_dir())
        .map(|_| dir.to_path_buf())
}

/// The key a cache is valid for: this binary (version, size, mtime) and
/// everything else that changes what a page parses to.
pub fn key(parts: &str) -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{:?}", Stamp::of(&m)))
        .unwrap_or_default();
    format!("{}\n{}\n{exe}\n{parts}", env!("CARGO_PKG_VERSION"), FORMAT)
}
