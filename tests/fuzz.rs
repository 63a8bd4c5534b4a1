//! The fuzz harness (issue 9): random trees through the whole pipeline.
//!
//! Each case writes a random tree (pages of random Markdown with links,
//! escapes, headings, counts, tables, HTML, cut lists, odd file names, CRLF,
//! BOMs, stray NULs and bytes that are not UTF-8), then checks it, renders
//! every output format, fixes it pass by pass and with `fix_tree` twice, and
//! asserts that:
//! - nothing panics;
//! - every span lies inside its file, on character boundaries, and its
//!   line:column agree with its bytes;
//! - one pass of fixes changes each file only inside the fixed spans;
//! - `fix_tree` reaches the fixed point: a second one changes nothing.
//!
//! `cargo test --test fuzz` runs a bounded number of cases, then every tree
//! in `tests/fuzz/` (each failure the harness ever found, kept). For longer
//! runs: `REFTREE_FUZZ_SECONDS=3600 cargo test --release --test fuzz -- --nocapture`
//! (or `REFTREE_FUZZ_CASES=N`; `REFTREE_FUZZ_SEED=S` to start elsewhere).
//! A failing case's tree is kept in `target/fuzz-failures/seed-S/`: copy it
//! to `tests/fuzz/<name>/` to make it a regression fixture.

use reftree::fix::{self, Plan};
use reftree::report::Format;
use std::path::{Path, PathBuf};

mod common;

use common::{copy_tree, files};

/// A small, fast, seedable generator (xorshift64*): no dependency needed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &[
    "index",
    "a",
    "B",
    "page two",
    "analytic #",
    "50%",
    "50%25",
    "über",
    "x(1)",
    "rules-#",
    "c%%",
    "Tables",
    "tables",
    "%E2%9C%85",
    "✅ done",
    "q?x",
    "a b (c)",
];
/// Folder names other scripts and odd characters give.
const ODD_FOLDERS: &[&str] = &[
    "données \"x\"",
    "استيراد الملاحظات",
    "it's [draft]",
    "back\\slash",
    "a{b,c}",
    "q?*",
    "50% #1",
    "tab\there",
];
const WORDS: &[&str] = &[
    "Solutions",
    "Tables",
    "Rules",
    "x",
    "Ünïcode",
    "C# & .NET",
    "🛠️ Tools",
    "a  b",
    "`code`",
    "Install",
    "",
];

/// A random destination: to a page of the tree (as written, encoded or
/// not, with case changed), a folder, outside the root, or broken escapes.
fn dest(rng: &mut Rng, pages: &[String], from_dir: &str) -> String {
    let page = pages[rng.below(pages.len())].clone();
    let up = from_dir.split('/').filter(|s| !s.is_empty()).count();
    let rel = format!("{}{}", "../".repeat(up), page);
    let encoded: String = rel
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '%' => "%25".to_string(),
            '(' => "%28".to_string(),
            ')' => "%29".to_string(),
            '?' => "%3F".to_string(),
            c => c.to_string(),
        })
        .collect();
    let frag = if rng.chance(30) {
        format!(
            "#{}",
            rng.pick(&["install", "solutions-3", "nope", "x", "%C3%BC", "", "^blk"])
        )
    } else {
        String::new()
    };
    match rng.below(14) {
        0..=4 => format!("{encoded}{frag}"),
        5 => format!("{rel}{frag}"),
        6 => rel.to_uppercase(),
        7 => format!("<{rel}>"),
        8 => format!("../../../{}", page),
        9 => rng
            .pick(&[
                "%✅.md",
                "%1ü.md",
                "%%.md",
                "%2520x.md",
                "a%2Fb.md",
                "%ZZ",
                "%",
                "100%.md",
            ])
            .to_string(),
        10 => format!("{}{frag}", rel.replace('/', "\\")),
        11 => format!("#{}", rng.pick(&["install", "tables", "nope", ""])),
        12 => rng
            .pick(&[
                "https://example.com/a b",
                "mailto:x@y",
                "",
                ".",
                "./",
                "/abs.md",
                // GitLab references, a quoted URL, a template.
                "group/project!12",
                "abc1234",
                "~bug",
                "\"https://example.com/q\"",
                "{{page.url}}",
            ])
            .to_string(),
        _ => format!("{encoded}%23x.md"),
    }
}

/// A random page: headings (some with counts), lists and tables of links
/// (some cut short), prose, HTML, code, reference links.
fn page(rng: &mut Rng, pages: &[String], dir: &str) -> Vec<u8> {
    let mut s = String::new();
    if rng.chance(10) {
        s.push('\u{feff}');
    }
    if rng.chance(15) {
        // Front matter, valid or not: YAML's corners (flow lists left open,
        // anchors, tabs, nested maps, non-ASCII, a `...` end, CRLF).
        let body = rng.pick(&[
            "title: x\ncolumns: 3\n",
            "tags: [a, b\nnext: 1\n",
            "a: &x 1\nb: *x\nc: *nope\n",
            "key:\n\t- tab\n",
            "owner:\n  team: x\n  n: 2\nlist:\n  - 1\n  - [2, 3]\n",
            "nom: café — ü\ncolumns: \"2\"\n",
            "? complex key\n: value\n",
            "- a list\n- at the top\n",
            "'unterminated: x\n",
            "a: b: c\n",
            "columns: 99999999999999999999999\n",
            // Aliases: a bare `[[Alias]]` does not resolve to them.
            "aliases: [Tables, Rules]\n",
            "aliases:\n  - Solutions\nalias: a\n",
        ]);
        let end = rng.pick(&["---\n", "...\n", "---\r\n", "--- \n"]);
        s.push_str(&format!("---\n{body}{end}"));
    }
    s.push_str(&format!("# {}\n\n", rng.pick(WORDS)));
    for _ in 0..rng.below(8) {
        match rng.below(11) {
            0 | 1 => {
                let level = 2 + rng.below(3);
                let count = if rng.chance(60) {
                    format!(" ({})", rng.below(5))
                } else {
                    String::new()
                };
                let id = if rng.chance(10) {
                    rng.pick(&[" {#custom}", " { #custom }", " {: #custom .wide }"])
                } else {
                    ""
                };
                s.push_str(&format!(
                    "{} {}{count}{id}\n\n",
                    "#".repeat(level),
                    rng.pick(WORDS)
                ));
            }
            2 | 3 => {
                if rng.chance(20) {
                    s.push_str(&format!("The {} most used:\n\n", rng.below(6)));
                }
                for _ in 0..rng.below(5) {
                    s.push_str(&format!(
                        "- [{}]({})\n",
                        rng.pick(WORDS),
                        dest(rng, pages, dir)
                    ));
                }
                if rng.chance(20) {
                    s.push_str(&format!("- ... and {} more\n", rng.below(300)));
                }
                s.push('\n');
            }
            4 => {
                s.push_str("| Name | Count |\n|---|---|\n");
                for _ in 0..rng.below(4) {
                    s.push_str(&format!(
                        "| [{}]({}) | {} |\n",
                        rng.pick(WORDS),
                        dest(rng, pages, dir),
                        rng.below(20)
                    ));
                }
                if rng.chance(20) {
                    s.push_str(&format!("\n({} more not shown)\n", rng.below(50)));
                }
                s.push('\n');
            }
            5 => s.push_str(&format!(
                "Text with [a link]({}) and a stray ]( here, then [ok]({}).\n\n",
                dest(rng, pages, dir),
                dest(rng, pages, dir)
            )),
            6 => s.push_str(&format!(
                "<a href=\"{}\">x</a> <a id=\"anchor\"></a> <div id=\"{}\">\n\n",
                dest(rng, pages, dir),
                rng.pick(WORDS)
            )),
            7 => s.push_str(&format!(
                "```\n[in code]({})\n```\n\n",
                dest(rng, pages, dir)
            )),
            8 => s.push_str(&format!(
                "[ref][{}] and [x][]\n\n[{}]: {}\n\n",
                rng.pick(&["lab", "other", "x"]),
                rng.pick(&["lab", "nope"]),
                dest(rng, pages, dir)
            )),
            9 => s.push_str(&format!(
                "This solution queries **{} table(s)**. **Referenced by:** {} columns\n\n",
                rng.below(5),
                rng.below(5)
            )),
            _ => s.push_str(&format!(
                "{} [far]({})\n\n",
                "word ".repeat(rng.below(400)),
                dest(rng, pages, dir)
            )),
        }
    }
    if rng.chance(25) {
        // Wiki links, embeds and block ids (read under the obsidian dialect,
        // counted under the others), well formed or not.
        let name = pages
            .get(rng.below(pages.len().max(1)))
            .map_or("x", |p| p.as_str());
        let stem = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .split('.')
            .next()
            .unwrap_or(name);
        let w = rng.pick(WORDS);
        s.push_str(&format!(
            "- [[{stem}]] [[{w}]] [[{name}|alias]] [[{stem}#{w}]] [[{stem}#{w}#sub]] [[#^blk]] ![[{w}.png]] [[]] [[|x]] [[a]]b]] ![[{stem}#^blk]]\n\nText ^blk\n\n`[[code]]` [[{w}\n\n"
        ));
    }
    if rng.chance(5) {
        s.push_str("<!-- reftree-disable-next-line broken-link -->\n[x](gone.md)\n");
    }
    let mut bytes = if rng.chance(15) {
        s.replace('\n', "\r\n").into_bytes()
    } else {
        s.into_bytes()
    };
    if rng.chance(4) && !bytes.is_empty() {
        let at = rng.below(bytes.len());
        bytes.insert(at, if rng.chance(50) { 0 } else { 0xFF });
    }
    bytes
}

/// Whether no file or folder under `root` is a symlink or has another
/// name (a hard link): each page is one file under one name.
#[cfg(unix)]
fn one_name_each(root: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(root).into_iter().all(|e| {
        e.ok()
            .and_then(|e| e.path().symlink_metadata().ok())
            .is_some_and(|m| !m.file_type().is_symlink() && (m.is_dir() || m.nlink() == 1))
    })
}

#[cfg(not(unix))]
fn one_name_each(_: &Path) -> bool {
    false
}

/// A random tree: 1 to 8 pages in up to two levels of folders; a vault
/// (`.obsidian/`), an MkDocs site, a GitLab repository or a vault in
/// `docs/` now and then.
fn random_tree(rng: &mut Rng, root: &Path) {
    if rng.chance(25) {
        std::fs::create_dir_all(root.join(".obsidian")).expect("mkdir .obsidian");
    } else if rng.chance(10) {
        std::fs::write(root.join("mkdocs.yml"), "site_name: x\n").expect("write mkdocs.yml");
    } else if rng.chance(10) {
        std::fs::write(root.join(".gitlab-ci.yml"), "pages:\n  script: x\n")
            .expect("write .gitlab-ci.yml");
    } else if rng.chance(10) {
        // A repository of vaults: one in `docs/`.
        std::fs::create_dir_all(root.join("docs/.obsidian")).expect("mkdir docs/.obsidian");
    }
    let mut pages: Vec<String> = Vec::new();
    for _ in 0..1 + rng.below(8) {
        let dir = rng.pick(&["", "", "docs/", "docs/sub/", "Tables/"]);
        let ext = rng.pick(&[".md", ".md", ".md", ".MD", ".markdown"]);
        pages.push(format!("{dir}{}{ext}", rng.pick(NAMES)));
    }
    // Now and then a folder of several pages under a name that TOML, globs
    // or links need escaped, so that `init` makes a kind of it.
    if rng.chance(15) {
        let dir = rng.pick(ODD_FOLDERS);
        for _ in 0..5 + rng.below(3) {
            pages.push(format!("{dir}/{}.md", rng.pick(NAMES)));
        }
    }
    pages.sort();
    pages.dedup();
    for p in &pages {
        let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
        let full = root.join(p);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        let text = page(rng, &pages, dir);
        std::fs::write(full, text).expect("write");
    }
    if rng.chance(10) {
        std::fs::write(root.join("image.png"), b"\x89PNG").expect("write");
    }
    links(rng, root, &pages);
}

/// Pages of the kinds the shipped preset declares, listing each other in
/// its relations' sections, some one way only, with counts right or not,
/// and the index pages that list (some of) them: what its schema rules
/// (`missing-backref`, `orphan-page`, `count-mismatch` forms,
/// `rule-matches-nothing`) read across pages.
fn schema_pages(rng: &mut Rng, root: &Path) {
    let (tables, solutions) = (1 + rng.below(5), 1 + rng.below(5));
    // Which table lists which solution, and which solution which table.
    let mut pairs = Vec::new();
    for t in 0..tables {
        for s in 0..solutions {
            let way = rng.below(4);
            pairs.push((t, s, way == 0 || way == 1, way == 0 || way == 2));
        }
    }
    let listed = |of_table: bool, i: usize| -> Vec<usize> {
        let on = |&&(t, s, a, b): &&(usize, usize, bool, bool)| match of_table {
            true => t == i && a,
            false => s == i && b,
        };
        let other = |&(t, s, _, _): &(usize, usize, bool, bool)| if of_table { s } else { t };
        pairs.iter().filter(on).map(other).collect()
    };
    let table_solutions: Vec<Vec<usize>> = (0..tables).map(|t| listed(true, t)).collect();
    let solution_tables: Vec<Vec<usize>> = (0..solutions).map(|s| listed(false, s)).collect();
    let off = |rng: &mut Rng, n: usize| if rng.chance(20) { n + 1 } else { n };
    let write = |path: &str, text: String| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    };
    for (t, listed) in table_solutions.iter().enumerate() {
        let mut text = format!(
            "# T{t}\n\n## Solutions ({})\n\n| Solution |\n|---|\n",
            off(rng, listed.len())
        );
        for s in listed {
            text.push_str(&format!("| [S{s}](../solutions/s{s}.md) |\n"));
        }
        write(&format!("tables/t{t}.md"), text);
    }
    for (s, listed) in solution_tables.iter().enumerate() {
        let mut text = format!(
            "# S{s}\n\nThis solution queries **{} table(s)**.\n\n## Tables Used\n\n| Table |\n|---|\n",
            off(rng, listed.len())
        );
        for t in listed {
            text.push_str(&format!("| [T{t}](../tables/t{t}.md) |\n"));
        }
        write(&format!("solutions/s{s}.md"), text);
    }
    if rng.chance(80) {
        let mut text = format!(
            "# Tables\n\n**{} tables**\n\n| Table | Solutions |\n|---|---|\n",
            off(rng, tables)
        );
        for (t, listed) in table_solutions.iter().enumerate() {
            if rng.chance(20) {
                continue; // an orphan
            }
            let n = off(rng, listed.len());
            text.push_str(&format!("| [T{t}](tables/t{t}.md) | {n} |\n"));
        }
        write("tables-index.md", text);
    }
    if rng.chance(80) {
        let mut text = format!("# Solutions\n\n**{} solutions**\n\n", off(rng, solutions));
        for s in (0..solutions).filter(|_| rng.chance(80)) {
            text.push_str(&format!("- [S{s}](solutions/s{s}.md)\n"));
        }
        write("solutions-index.md", text);
    }
}

/// Symlinks (to a page, to a folder, out of the root, dangling) and hard
/// links, some of the time.
#[cfg(unix)]
fn links(rng: &mut Rng, root: &Path, pages: &[String]) {
    use std::os::unix::fs::symlink;
    let outside = root.parent().expect("parent").join("outside");
    let page = &pages[rng.below(pages.len())];
    if rng.chance(15) {
        let _ = symlink(root.join(page), root.join("alias.md"));
    }
    if rng.chance(10) && root.join("docs").is_dir() {
        let _ = symlink("docs", root.join("docs-link"));
    }
    if rng.chance(10) {
        let _ = symlink(outside.join("secret.md"), root.join("out.md"));
        let _ = symlink(&outside, root.join("out-dir"));
    }
    if rng.chance(5) {
        let _ = symlink(root.join("gone.md"), root.join("dangling.md"));
    }
    if rng.chance(10) {
        let _ = std::fs::hard_link(root.join(page), root.join("hard.md"));
    }
}

#[cfg(not(unix))]
fn links(_: &mut Rng, _: &Path, _: &[String]) {}

/// Which file `path` is (device and inode), whatever name it has.
#[cfg(unix)]
fn file_id(path: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map_or((0, 0), |m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.canonicalize().unwrap_or_default().hash(&mut h);
    (0, h.finish())
}

/// The line and column (1-based, in characters, a BOM not counted) of `at`.
fn line_col(bytes: &[u8], at: usize) -> (u32, u32) {
    let text = reftree::index::text_with_same_offsets(bytes);
    let before = &text[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut col = text[start..at].chars().count() as u32 + 1;
    if start == 0 && text.starts_with('\u{feff}') && at > 0 {
        col -= 1;
    }
    (line, col)
}

/// Run the whole pipeline over the tree at `root`; `Err` says what broke.
/// With `preset`, the schema rules of the shipped preset run too.
fn exercise(root: &Path, preset: bool, seed: u64) -> Result<(), String> {
    let config = if preset {
        // The preset, the forms that read front matter, lead-ins and
        // labels, and an ignore (used or not, as the tree goes).
        const MORE: &str = "version = 1\ncut-lists = ['^\\((\\d+) hidden\\)']\n[[counts]]\nform = \"front-matter\"\n[[counts]]\nform = \"lead-in\"\n[[counts]]\nform = \"label\"\n[[ignore]]\npaths = [\"docs/**\", \"tables/t1.md\"]\nrules = [\"broken-link\", \"missing-backref\"]\n";
        reftree::config::Config::load(Some("sentinel-ninja"), Some(("more.toml", MORE)))
            .map_err(|e| e.render())?
    } else {
        reftree::config::Config::default()
    };
    let opts = reftree::Options {
        root: root.to_path_buf(),
        fingerprints: true,
        config,
        ..Default::default()
    };
    let outcome = reftree::check(&opts).map_err(|e| format!("check failed: {e}"))?;
    cached_runs_agree(&opts, &mut Rng::new(seed ^ 0x5eed))?;
    if !preset {
        page_by_page_agrees(&opts, &outcome)?;
    }
    // `init` writes a rule file that loads, and a check runs with it.
    let inferred = reftree::init(root).map_err(|e| format!("init: {e}"))?;
    let config = reftree::config::Config::load(None, Some(("reftree.toml", &inferred)))
        .map_err(|e| format!("init's rule file does not load: {}\n{inferred}", e.render()))?;
    reftree::check(&reftree::Options {
        root: root.to_path_buf(),
        config,
        ..Default::default()
    })
    .map_err(|e| format!("check with init's rule file: {e}"))?;
    let on_disk = files(root);
    // Spans and positions.
    for d in &outcome.diagnostics {
        let Some((_, bytes)) = on_disk.iter().find(|(p, _)| *p == d.location.path) else {
            continue; // a path that is not a readable file (a folder, a bad name)
        };
        let text = reftree::index::text_with_same_offsets(bytes);
        let (s, e) = (
            d.location.bytes.start as usize,
            d.location.bytes.end as usize,
        );
        if s > e || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            return Err(format!(
                "{}: bad span {s}..{e} in {}",
                d.rule, d.location.path
            ));
        }
        let (start, end) = (d.location.start, d.location.end);
        let want = line_col(bytes, s);
        if (start.line, start.col) != want {
            return Err(format!(
                "{}: {} start {}:{} but its bytes are at {}:{}",
                d.rule, d.location.path, start.line, start.col, want.0, want.1
            ));
        }
        if !text[s..e].contains(['\n', '\r']) && (end.line, end.col) != line_col(bytes, e) {
            return Err(format!("{}: {} end position", d.rule, d.location.path));
        }
    }
    // Every format renders.
    for format in [
        Format::Human,
        Format::Short,
        Format::Json,
        Format::Sarif,
        Format::Github,
    ] {
        let mut out = Vec::new();
        reftree::report::write(
            &mut out,
            &outcome,
            &reftree::report::Paths::from_root(root),
            format,
            false,
        )
        .map_err(|e| format!("{format:?}: {e}"))?;
        if format == Format::Json || format == Format::Sarif {
            serde_json::from_slice::<serde_json::Value>(&out)
                .map_err(|e| format!("{format:?} is not JSON: {e}"))?;
        }
    }
    // One pass of fixes changes each file only inside the fixed spans.
    let plan = Plan::new(&outcome.diagnostics, true);
    let applied = fix::apply(root, &plan, &outcome.fingerprints);
    let after = files(root);
    // A file is written under one of its names (a symlink's target, one of
    // several hard links): what each file holds now is the old text with the
    // edits planned for the name it was written under, or the old text.
    let mut expected_by_file: std::collections::HashMap<(u64, u64), Vec<u8>> = Default::default();
    for path in &applied.written {
        let real = root.join(path).canonicalize().map_err(|e| e.to_string())?;
        let rel = real
            .strip_prefix(root.canonicalize().map_err(|e| e.to_string())?)
            .map_err(|_| format!("{path} was written outside the root"))?
            .to_string_lossy()
            .replace('\\', "/");
        let old = &on_disk
            .iter()
            .find(|(p, _)| *p == rel)
            .ok_or(format!("{path}: its file {rel} was not there"))?
            .1;
        let new =
            fix::apply_to(old, &plan.files[path]).ok_or(format!("{path}: edits do not apply"))?;
        expected_by_file.insert(file_id(&real), new);
    }
    for (path, old) in &on_disk {
        let new = &after
            .iter()
            .find(|(p, _)| p == path)
            .ok_or(format!("{path} vanished"))?
            .1;
        let expected = expected_by_file
            .get(&file_id(&root.join(path)))
            .unwrap_or(old);
        if new != expected {
            return Err(format!("{path}: changed outside the fixed spans"));
        }
    }
    if after.len() != on_disk.len() {
        return Err("a fix added or removed a file".into());
    }
    // The fixed point, certain fixes and then all of them.
    for unsafe_too in [false, true] {
        // `--diff` shows what `fix_tree` then writes: the pages fixed in
        // memory, pass by pass (where no file has two names, and none is
        // left unwritten).
        let (_, dry) = fix::dry_run(&opts, unsafe_too).map_err(|e| format!("dry run: {e}"))?;
        let mut predicted = files(root);
        for (path, (_, new)) in &dry.pages {
            if let Some(f) = predicted.iter_mut().find(|(p, _)| p == path) {
                f.1 = new.clone();
            }
        }
        let (_, report) = fix::fix_tree(&opts, unsafe_too).map_err(|e| format!("fix: {e}"))?;
        let once = files(root);
        if one_name_each(root) && report.skipped.is_empty() && once != predicted {
            let differ: Vec<&String> = once
                .iter()
                .zip(&predicted)
                .filter(|(a, b)| a != b)
                .map(|(a, _)| &a.0)
                .collect();
            return Err(format!(
                "the dry run (unsafe: {unsafe_too}) foresaw other bytes than fix_tree wrote: {differ:?}"
            ));
        }
        let left = reftree::check(&opts).map_err(|e| format!("check: {e}"))?;
        let plan = Plan::new(&left.diagnostics, unsafe_too);
        let (_, again) = fix::fix_tree(&opts, unsafe_too).map_err(|e| format!("fix: {e}"))?;
        if again.edits != 0 || files(root) != once {
            let what: Vec<String> = plan
                .files
                .iter()
                .flat_map(|(p, edits)| {
                    edits.iter().map(move |e| {
                        format!("{p} {:?} {} -> {:?}", e.bytes, e.rule, e.replacement)
                    })
                })
                .collect();
            return Err(format!(
                "a second fix_tree (unsafe: {unsafe_too}) made {} edit(s): {what:?}",
                again.edits
            ));
        }
    }
    Ok(())
}

/// The page cache and the run cache change nothing: a run that writes
/// them, one that reads them, runs over their files truncated or with a
/// byte flipped (at places that depend on their length), and runs after
/// pages are edited one by one (rewritten, given a heading, emptied: a
/// partial run where the tree allows one) all find what a run without them
/// finds.
/// Without a rule file, the rules that read one page alone run on each
/// page as it is read, and the run keeps none of its lists: they find what
/// they find with every page's lists held until the rules run, as a rule
/// file with a count form (here one of a kind no page is) makes a run do.
fn page_by_page_agrees(opts: &reftree::Options, outcome: &reftree::Outcome) -> Result<(), String> {
    const HOLD: &str = "version = 1\n[kinds]\nnone = \"no-such-folder/*.md\"\n[[counts]]\nform = \"lead-in\"\nkind = \"none\"\n";
    let config =
        reftree::config::Config::load(None, Some(("hold.toml", HOLD))).map_err(|e| e.render())?;
    let held = reftree::check(&reftree::Options {
        config,
        ..opts.clone()
    })
    .map_err(|e| format!("check holding every page: {e}"))?;
    let listed = |o: &reftree::Outcome| -> Vec<String> {
        o.diagnostics
            .iter()
            .filter(|d| d.rule != "rule-matches-nothing")
            .map(|d| {
                format!(
                    "{} {:?} {} {}",
                    d.location.path, d.location.bytes, d.rule, d.message
                )
            })
            .collect()
    };
    let (by_page, whole) = (listed(outcome), listed(&held));
    if by_page != whole {
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|x| !b.contains(x)).cloned().collect()
        };
        return Err(format!(
            "page by page, the findings differ from a run holding every page: only page by page {:?}, only held {:?}",
            only(&by_page, &whole),
            only(&whole, &by_page)
        ));
    }
    Ok(())
}

fn cached_runs_agree(opts: &reftree::Options, rng: &mut Rng) -> Result<(), String> {
    let plain = reftree::Options {
        fingerprints: false,
        ..opts.clone()
    };
    let plain_run = || -> Result<Vec<reftree::diag::Diagnostic>, String> {
        Ok(reftree::check(&plain)
            .map_err(|e| e.to_string())?
            .diagnostics)
    };
    let mut want = plain_run()?;
    // Pages written an hour ago: their records are trusted on their stamps
    // (a page written just now is checked by its bytes).
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let date_back = |path: &Path| {
        if let Ok(f) = std::fs::File::options().write(true).open(path) {
            let _ = f.set_modified(hour_ago);
        }
    };
    for e in walkdir::WalkDir::new(&opts.root)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            date_back(e.path());
        } else if e.file_type().is_dir() {
            // The walk is kept, and reused while no folder changes.
            if let Ok(f) = std::fs::File::open(e.path()) {
                let _ = f.set_modified(hour_ago);
            }
        }
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cached = reftree::Options {
        cache: reftree::CacheUse::In(dir.path().to_path_buf()),
        ..plain.clone()
    };
    let run = |what: &str, want: &[reftree::diag::Diagnostic]| -> Result<(), String> {
        let got = reftree::check(&cached)
            .map_err(|e| e.to_string())?
            .diagnostics;
        if got != want {
            return Err(format!(
                "the cached run ({what}) differs from the plain one"
            ));
        }
        Ok(())
    };
    run("writing", &want)?;
    run("reading", &want)?;
    let mut caches: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin" || x == "idx"))
        .collect();
    caches.sort();
    for file in &caches {
        let whole = std::fs::read(file).map_err(|e| e.to_string())?;
        for at in [
            whole.len() / 3,
            whole.len() / 2 + 7,
            whole.len().saturating_sub(1),
        ] {
            let mut flipped = whole.clone();
            if let Some(b) = flipped.get_mut(at) {
                *b ^= 0x20;
            }
            std::fs::write(file, &flipped).map_err(|e| e.to_string())?;
            run(&format!("{} byte {at} flipped", file.display()), &want)?;
            std::fs::write(file, &whole[..at]).map_err(|e| e.to_string())?;
            run(&format!("{} cut at byte {at}", file.display()), &want)?;
        }
    }
    // Edits, one after another, each dated back too (a stamp is trusted
    // from a run that began two seconds after it).
    let is_page = |p: &str| {
        let l = p.to_ascii_lowercase();
        l.ends_with(".md") || l.ends_with(".markdown")
    };
    let pages: Vec<String> = files(&opts.root)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| is_page(p))
        .collect();
    // The pages as they were, put back at the end (the caller goes on
    // with the tree it made).
    let mut before: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let edits = (|| -> Result<(), String> {
        for k in 0..3 {
            if pages.is_empty() {
                break;
            }
            let edited = &pages[rng.below(pages.len())];
            let path = opts.root.join(edited);
            if let Ok(old) = std::fs::read(&path) {
                before.push((path.clone(), old));
            }
            let dir = edited.rsplit_once('/').map_or("", |(d, _)| d);
            let text = match rng.below(5) {
                0 | 1 => page(rng, &pages, dir),
                // A row or list item dropped (a relation's side, an index's entry).
                4 => {
                    let t = std::fs::read(&path).unwrap_or_default();
                    let lines: Vec<&[u8]> = t.split(|&b| b == b'\n').collect();
                    let linking: Vec<usize> = (0..lines.len())
                        .filter(|&i| lines[i].windows(2).any(|w| w == b"]("))
                        .collect();
                    let drop = linking.get(rng.below(linking.len().max(1))).copied();
                    let kept: Vec<&[u8]> = (0..lines.len())
                        .filter(|&i| Some(i) != drop)
                        .map(|i| lines[i])
                        .collect();
                    kept.join(&b'\n')
                }
                2 => {
                    let mut t = std::fs::read(&path).unwrap_or_default();
                    t.extend_from_slice(b"\n\n## Added heading\n\n[back](#added-heading)\n");
                    t
                }
                _ => Vec::new(),
            };
            if std::fs::write(&path, &text).is_err() {
                continue; // a symlink out of the root, say
            }
            if rng.chance(50) {
                date_back(&path);
            }
            want = plain_run()?;
            run(&format!("after edit {k} of `{edited}`"), &want)?;
            run(&format!("again after edit {k} of `{edited}`"), &want)?;
        }
        Ok(())
    })();
    for (path, bytes) in before.iter().rev() {
        let _ = std::fs::write(path, bytes);
    }
    edits
}

fn failure_dir(seed: u64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/fuzz-failures/seed-{seed}"))
}

/// One random case; on failure its tree is kept for a regression fixture.
fn case(seed: u64) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("tree");
    let outside = dir.path().join("outside");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.md"), "# Secret\n\n[x](50%.md)\n").expect("write");
    let mut rng = Rng::new(seed);
    random_tree(&mut rng, &root);
    let preset = rng.chance(20);
    if preset {
        // Half the time, pages the preset's rule file reads (its own
        // generator: the trees above stay as they were for each seed).
        let mut schema = Rng::new(seed ^ 0x5c4e_3a00);
        if schema.chance(50) {
            schema_pages(&mut schema, &root);
        }
    }
    let kept = tempfile::tempdir().expect("tempdir");
    copy_tree(&root, kept.path());
    let result = std::panic::catch_unwind(|| {
        exercise(&root, preset, seed)?;
        // Nothing outside the root was written, whatever its symlinks.
        let out = files(&outside);
        if out.len() != 1 || out[0].1 != b"# Secret\n\n[x](50%.md)\n" {
            return Err("a file outside the root was written".to_string());
        }
        Ok(())
    })
    .unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("panic: {msg}"))
    });
    if let Err(e) = &result {
        let keep = failure_dir(seed);
        let _ = std::fs::remove_dir_all(&keep);
        copy_tree(kept.path(), &keep);
        return Err(format!(
            "seed {seed}: {e} (tree kept in {})",
            keep.display()
        ));
    }
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[test]
fn random_trees_survive_the_whole_pipeline() {
    let seconds = env_u64("REFTREE_FUZZ_SECONDS");
    let cases =
        env_u64("REFTREE_FUZZ_CASES").unwrap_or(if seconds.is_some() { u64::MAX } else { 300 });
    let first = env_u64("REFTREE_FUZZ_SEED").unwrap_or(1);
    let started = std::time::Instant::now();
    let mut ran = 0u64;
    let mut failures = Vec::new();
    for seed in first..first.saturating_add(cases) {
        if seconds.is_some_and(|s| started.elapsed().as_secs() >= s) {
            break;
        }
        if let Err(e) = case(seed) {
            failures.push(e);
            if failures.len() >= 5 {
                break;
            }
        }
        ran += 1;
    }
    eprintln!(
        "fuzz: {ran} random trees (seeds {first}..{}) in {:.1}s, {} failure(s)",
        first + ran,
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Seeds the harness failed on whose trees git cannot keep (hard links):
/// they hold only as long as the generator above is unchanged; each also
/// has a test of its own in `tests/trust.rs`.
const KEPT_SEEDS: &[u64] = &[1_000_022_202];

#[test]
fn kept_seeds_pass() {
    for &seed in KEPT_SEEDS {
        if let Err(e) = case(seed) {
            panic!("{e}");
        }
    }
}

/// Every tree the harness ever failed on, kept in `tests/fuzz/<name>/`.
#[test]
fn kept_failures_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fuzz")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        copy_tree(&case, tmp.path());
        if let Err(e) = exercise(tmp.path(), false, 1) {
            panic!("{}: {e}", case.display());
        }
    }
}
