//! The last walk, kept beside the run cache (`walk-<root>.bin`, under the
//! same switches and key): a run whose folders and `.gitignore` files all
//! have the stamps they had when the walk read them takes the file list
//! from it instead of listing every folder again. At 100k pages the walk
//! is a quarter of a run after one page changed.
//!
//! A folder's mtime changes when an entry is added to it, removed or
//! renamed, its ctime when its permissions change: a folder with the same
//! stamp lists the same. What a walk reads elsewhere is not kept: a walk
//! that met a symlink (which names what may change in another folder, or
//! outside the root) or any problem is not kept, nor one that read a
//! folder or `.gitignore` modified within two seconds of the run's start
//! (the clock that stamps a change may not tick between two changes). A
//! file that does not read back whole is not used.

use crate::cache::Stamp;
use crate::walk::{WalkStamps, Walked, stamp_of};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::SystemTime;

const MAGIC: &[u8; 13] = b"reftree-walk\n";
const FORMAT: u32 = 1;

/// A walk as kept: what it found, the stamps of what it read, and its
/// digest ([`crate::replay::walk_digest`]).
#[derive(Serialize, Deserialize)]
struct Kept {
    digest: u128,
    stamps: WalkStamps,
    files: Vec<String>,
    regular: Vec<bool>,
    dirs: Vec<String>,
    checked: Vec<bool>,
}

/// The walk kept for `root` under `key`, and its digest, if every folder
/// and `.gitignore` it read has the stamp it had.
pub fn reuse(dir: &Path, root: &Path, key: u128) -> Option<(Walked, u128)> {
    let bytes = crate::replay::read_whole(&crate::replay::named(dir, root, "walk"))?;
    let body = crate::replay::unframed(&bytes, MAGIC, FORMAT, key)?;
    let kept: Kept = postcard::from_bytes(body).ok()?;
    let whole = !kept.stamps.symlinks
        && kept.stamps.dirs.len() == kept.dirs.len()
        && kept.regular.len() == kept.files.len()
        && kept.checked.len() == kept.files.len();
    let same = |path: &Path, was: &Option<Stamp>| was.is_some() && stamp_of(path) == *was;
    let unchanged = whole
        && kept
            .dirs
            .par_iter()
            .zip(&kept.stamps.dirs)
            .all(|(d, was)| same(&root.join(d), was))
        && kept
            .stamps
            .gitignores
            .iter()
            .all(|(f, was)| same(&root.join(f), was));
    if !unchanged {
        return None;
    }
    let walked = Walked {
        files: kept.files,
        regular: kept.regular,
        dirs: kept.dirs,
        checked: kept.checked,
        stamps: Some(kept.stamps),
        ..Walked::default()
    };
    Some((walked, kept.digest))
}

/// Keep `walked` (stamped, of digest `digest`) for `root` under `key`, if
/// a later run can trust it: no symlink, no problem, nothing it read
/// changed just before the run began at `started`.
pub fn keep(
    dir: &Path,
    root: &Path,
    key: u128,
    walked: &Walked,
    digest: u128,
    started: SystemTime,
) -> Result<(), String> {
    let Some(stamps) = &walked.stamps else {
        return Ok(());
    };
    let settled = |s: &Option<Stamp>| s.is_some_and(|s| !s.racy(started));
    let trusted = !stamps.symlinks
        && walked.problems.is_empty()
        && walked.aliases.is_empty()
        && !walked.unreadable
        && stamps.dirs.iter().all(settled)
        && stamps.gitignores.iter().all(|(_, s)| settled(s));
    if !trusted {
        return Ok(());
    }
    // As `Kept` is written, from the walk's own lists.
    #[derive(Serialize)]
    struct KeptRef<'a> {
        digest: u128,
        stamps: &'a WalkStamps,
        files: &'a [String],
        regular: &'a [bool],
        dirs: &'a [String],
        checked: &'a [bool],
    }
    let kept = KeptRef {
        digest,
        stamps,
        files: &walked.files,
        regular: &walked.regular,
        dirs: &walked.dirs,
        checked: &walked.checked,
    };
    let body = postcard::to_allocvec(&kept).map_err(|e| e.to_string())?;
    let file = crate::replay::named(dir, root, "walk");
    crate::replay::put(
        dir,
        &file,
        &crate::replay::framed(MAGIC, FORMAT, key, &body),
    )
}
