//! The tree as git knows it, for `--changed-since`: the revision, what
//! changed since (renames followed), and the tree at that revision read
//! straight from git's objects (one `ls-tree` and one `cat-file --batch`,
//! not a second checkout). Runs the `git` on PATH; never writes.

use crate::Error;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository that holds the root, and where the root is in it.
#[derive(Debug)]
pub struct Repo {
    /// The work tree's top, canonical.
    pub top: PathBuf,
    /// The root relative to `top` (`""` at the top, else `a/b`).
    pub prefix: String,
}

/// What changed between a revision and the work tree, root-relative.
#[derive(Debug, Default)]
pub struct Changes {
    /// Modified, added, deleted and untracked paths; both sides of a rename.
    pub paths: Vec<String>,
    /// Renames (and copies' sources are not here): old path -> new path.
    pub renamed: HashMap<String, String>,
}

/// The files under the root at a revision, with the pages' text.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Every file under the root at the revision, root-relative, sorted.
    pub files: Vec<String>,
    /// For each file: a blob git stores as a file (not a symlink or a
    /// submodule), so its text is in `pages`.
    pub regular: Vec<bool>,
    /// Every folder (the root is `""`), sorted.
    pub dirs: Vec<String>,
    /// Each page's bytes, by root-relative path.
    pub pages: HashMap<String, Vec<u8>>,
}

fn failed(what: String) -> Error {
    Error::Git { what }
}

impl Repo {
    /// The repository whose work tree holds `root` (canonical).
    pub fn open(root: &Path) -> Result<Repo, Error> {
        let out = git_in(root, &["rev-parse", "--show-toplevel"], None).map_err(|e| {
            failed(format!(
                "--changed-since needs the root in a git work tree: {}",
                e.trim()
            ))
        })?;
        let top = PathBuf::from(String::from_utf8_lossy(&out).trim_end_matches('\n'));
        let top = top.canonicalize().unwrap_or(top);
        let prefix = crate::walk::relative(root, &top).unwrap_or_default();
        Ok(Repo { top, prefix })
    }

    fn git(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        git_in(&self.top, args, stdin)
            .map_err(|e| failed(format!("git {} failed: {}", args.join(" "), e.trim())))
    }

    /// The commit `rev` names. A value such as `--output=FILE` never
    /// reaches git as an option (`--end-of-options`). On a shallow clone,
    /// the error says how to fetch the history.
    pub fn commit(&self, rev: &str) -> Result<String, Error> {
        let spec = format!("{rev}^{{commit}}");
        let args = [
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ];
        match git_in(&self.top, &args, None) {
            Ok(out) => Ok(String::from_utf8_lossy(&out).trim().to_string()),
            // `HEAD` before the first commit (pre-commit on a new
            // repository): the empty tree, so that everything is new.
            Err(_)
                if rev == "HEAD"
                    && self
                        .git(&["rev-list", "-n", "1", "--all"], None)?
                        .is_empty() =>
            {
                let empty = self.git(&["hash-object", "-t", "tree", "--stdin"], Some(b""))?;
                Ok(String::from_utf8_lossy(&empty).trim().to_string())
            }
            Err(_) => {
                let shallow = git_in(&self.top, &["rev-parse", "--is-shallow-repository"], None)
                    .is_ok_and(|o| o.starts_with(b"true"));
                let hint = if shallow {
                    "; this clone is shallow (actions/checkout fetches one commit unless told \
                     `fetch-depth: 0`): fetch the history, e.g. `git fetch --unshallow origin`"
                } else {
                    ""
                };
                Err(failed(format!(
                    "--changed-since `{rev}`: not a revision of this repository{hint}"
                )))
            }
        }
    }

    /// The root-relative form of a path relative to the top, if it is
    /// under the root.
    fn under_root<'p>(&self, path: &'p str) -> Option<&'p str> {
        if self.prefix.is_empty() {
            return Some(path);
        }
        path.strip_prefix(self.prefix.as_str())?.strip_prefix('/')
    }

    /// What changed under the root between `commit` and the work tree
    /// (staged or not), and the untracked files git does not ignore.
    pub fn changes(&self, commit: &str) -> Result<Changes, Error> {
        let diff = self.git(
            &[
                "-c",
                "core.quotePath=false",
                "diff",
                "--name-status",
                "-z",
                "-M",
                commit,
                "--",
            ],
            None,
        )?;
        let untracked = self.git(
            &[
                "ls-files",
                "--others",
                "--exclude-standard",
                "--full-name",
                "-z",
            ],
            None,
        )?;
        let mut c = Changes::default();
        let mut fields = diff.split(|&b| b == 0).filter(|f| !f.is_empty());
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        while let Some(status) = fields.next() {
            let two = matches!(status.first(), Some(b'R' | b'C'));
            let Some(first) = fields.next().map(text) else {
                break;
            };
            let second = if two { fields.next().map(text) } else { None };
            let old = self.under_root(&first).map(str::to_string);
            let new = second
                .as_deref()
                .and_then(|s| self.under_root(s))
                .map(str::to_string);
            if let (Some(o), Some(n), Some(b'R')) = (&old, &new, status.first()) {
                c.renamed.insert(o.clone(), n.clone());
            }
            c.paths.extend(old);
            c.paths.extend(new);
        }
        for p in untracked.split(|&b| b == 0).filter(|f| !f.is_empty()) {
            if let Some(r) = self.under_root(&text(p)) {
                c.paths.push(r.to_string());
            }
        }
        c.paths.sort();
        c.paths.dedup();
        Ok(c)
    }

    /// The files under the root at `commit` and the text of its pages
    /// (`is_page`), read from git's objects. A root that did not exist at
    /// `commit` is an empty tree.
    pub fn snapshot(
        &self,
        commit: &str,
        is_page: impl Fn(&str) -> bool,
    ) -> Result<Snapshot, Error> {
        // `<commit>:<path>` names the root's tree (a suffix such as
        // `^{tree}` would be read as part of the path).
        let tree = format!("{commit}:{}", self.prefix);
        let kind = git_in(
            &self.top,
            &["cat-file", "-t", "--end-of-options", &tree],
            None,
        );
        if !kind.is_ok_and(|k| k.starts_with(b"tree")) {
            return Ok(Snapshot {
                dirs: vec![String::new()],
                ..Snapshot::default()
            });
        }
        let listing = self.git(&["ls-tree", "-r", "-z", "--end-of-options", &tree], None)?;
        let mut entries: Vec<(String, bool, &[u8])> = Vec::new();
        for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            // `<mode> <type> <object>\t<path>`
            let Some(tab) = entry.iter().position(|&b| b == b'\t') else {
                continue;
            };
            let mut head = entry[..tab].split(|&b| b == b' ');
            let (Some(mode), Some(kind), Some(oid)) = (head.next(), head.next(), head.next())
            else {
                continue;
            };
            if kind != b"blob" {
                continue; // a submodule
            }
            let path = String::from_utf8_lossy(&entry[tab + 1..]).into_owned();
            let regular = mode != b"120000";
            entries.push((path, regular, oid));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let wanted: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].1 && is_page(&entries[i].0))
            .collect();
        let mut request = Vec::with_capacity(wanted.len() * 41);
        for &i in &wanted {
            request.extend_from_slice(entries[i].2);
            request.push(b'\n');
        }
        let blobs = cat_file(&self.top, request)?;
        if blobs.len() != wanted.len() {
            return Err(failed(format!(
                "git cat-file gave {} objects for {} pages",
                blobs.len(),
                wanted.len()
            )));
        }
        let mut s = Snapshot::default();
        for (&i, blob) in wanted.iter().zip(blobs) {
            s.pages.insert(entries[i].0.clone(), blob);
        }
        let mut dirs = std::collections::BTreeSet::new();
        dirs.insert(String::new());
        for (path, regular, _) in entries {
            for (i, _) in path.match_indices('/') {
                dirs.insert(path[..i].to_string());
            }
            s.files.push(path);
            s.regular.push(regular);
        }
        s.dirs = dirs.into_iter().collect();
        Ok(s)
    }
}

/// Run git in `dir`; its stdout, or its stderr as the error.
fn git_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run git: {e}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Small inputs only (an empty object): no deadlock on full pipes.
        pipe.write_all(input)
            .map_err(|e| format!("cannot write to git: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The contents of the objects named in `request` (one id per line), in
/// order, through one `git cat-file --batch`. The ids are written from a
/// second thread so that neither pipe can fill while the other waits.
fn cat_file(top: &Path, request: Vec<u8>) -> Result<Vec<Vec<u8>>, Error> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot run git cat-file: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&request));
    let mut out = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped stdout"));
    let mut blobs = Vec::new();
    let mut header = Vec::new();
    let bad = |what: &str| failed(format!("git cat-file --batch: {what}"));
    loop {
        header.clear();
        let n = out
            .read_until(b'\n', &mut header)
            .map_err(|e| bad(&e.to_string()))?;
        if n == 0 {
            break;
        }
        // `<oid> <type> <size>\n`, or `<oid> missing\n`
        let line = String::from_utf8_lossy(&header);
        let mut parts = line.split_whitespace();
        let (_, kind, size) = (parts.next(), parts.next(), parts.next());
        let Some(size) = size.and_then(|s| s.parse::<usize>().ok()) else {
            return Err(bad(&format!("unexpected answer `{}`", line.trim())));
        };
        if kind != Some("blob") {
            return Err(bad(&format!("unexpected object `{}`", line.trim())));
        }
        let mut blob = vec![0; size + 1];
        out.read_exact(&mut blob).map_err(|e| bad(&e.to_string()))?;
        blob.pop(); // the newline after the contents
        blobs.push(blob);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| bad(&e.to_string()))?;
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        return Err(bad(err.trim()));
    }
    Ok(blobs)
}
