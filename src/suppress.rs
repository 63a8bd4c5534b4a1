//! Suppressions: `<!-- reftree-disable-next-line rule -->`,
//! `<!-- reftree-disable rule -->` ... `<!-- reftree-enable -->`, and
//! `[[ignore]]` entries of the rule file. A suppression that suppresses
//! nothing is itself reported (`unused-suppression`), so they do not pile up.

use crate::config::Config;
use crate::diag::{Diagnostic, Location, Severity};
use crate::hash::FastMap;
use crate::index::Index;
use crate::parse::{Suppression, SuppressionKind};

fn names(rules: &[String], rule: &str) -> bool {
    rules.is_empty() || rules.iter().any(|r| r == rule)
}

/// Whether suppression `i` of `list` covers diagnostic `d`.
fn covers(list: &[Suppression], i: usize, d: &Diagnostic) -> bool {
    let s = &list[i];
    if !names(&s.rules, d.rule) {
        return false;
    }
    match s.kind {
        SuppressionKind::NextLine => d.location.start.line == s.end_line + 1,
        SuppressionKind::Disable => {
            let end = list[i + 1..]
                .iter()
                .find(|e| e.kind == SuppressionKind::Enable)
                .map_or(u32::MAX, |e| e.offset);
            (s.offset..end).contains(&d.location.bytes.start)
        }
        SuppressionKind::Enable => false,
    }
}

/// What [`apply`] kept, and the rule file's ignores that suppressed a
/// finding located in a loaded page: (page number, ignore number).
pub struct Applied {
    pub kept: Vec<Diagnostic>,
    pub ignores_used: Vec<(usize, u16)>,
}

/// Drop suppressed findings; report unused suppressions with `unused`
/// severity (if on). An ignore of the rule file that `used_elsewhere`
/// marks suppressed a finding on a page a partial run did not check
/// ([`crate::replay`]): it is not unused.
pub fn apply(
    index: &Index,
    config: &Config,
    diagnostics: Vec<Diagnostic>,
    unused: Option<Severity>,
    used_elsewhere: &[bool],
) -> Applied {
    if config.ignores.is_empty() && index.with_suppressions.is_empty() {
        // Nothing can be suppressed, nothing is unused.
        return Applied {
            kept: diagnostics,
            ignores_used: Vec::new(),
        };
    }
    // The pages with comments, by path; what each comment suppressed.
    let commented: FastMap<&str, usize> = index
        .with_suppressions
        .iter()
        .map(|&p| (index.pages[p].path.as_str(), p))
        .collect();
    let mut used_inline: FastMap<usize, Vec<bool>> = FastMap::default();
    let mut used_config: Vec<bool> = (0..config.ignores.len())
        .map(|i| used_elsewhere.get(i).copied().unwrap_or(false))
        .collect();
    let mut ignores_used = Vec::new();
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let mut suppressed = false;
        for (i, ig) in config.ignores.iter().enumerate() {
            if ig.paths.is_match(&d.location.path) && names(&ig.rules, d.rule) {
                used_config[i] = true;
                suppressed = true;
                let page = match index.entries.exact(&d.location.path) {
                    Some(crate::index::resolve::Target::File(f)) => index.page_index(f),
                    _ => None,
                };
                ignores_used.extend(page.map(|p| (p, i as u16)));
            }
        }
        if let Some(&p) = commented.get(d.location.path.as_str()) {
            let list = &index.pages[p].facts.rare.suppressions;
            let used = used_inline
                .entry(p)
                .or_insert_with(|| vec![false; list.len()]);
            for (i, flag) in used.iter_mut().enumerate() {
                if covers(list, i, &d) {
                    *flag = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(d);
        }
    }
    let Some(severity) = unused else {
        return Applied { kept, ignores_used };
    };
    for &p in &index.with_suppressions {
        let page = &index.pages[p];
        if !page.reported {
            continue;
        }
        let list = &page.facts.rare.suppressions;
        let used = used_inline.get(&p);
        for (i, s) in list.iter().enumerate() {
            if s.kind == SuppressionKind::Enable || used.is_some_and(|u| u[i]) {
                continue;
            }
            let what = if s.rules.is_empty() {
                "any rule".to_string()
            } else {
                format!("`{}`", s.rules.join("`, `"))
            };
            kept.push(Diagnostic {
                rule: "unused-suppression",
                severity,
                location: Location::ascii(&page.path, s.offset, s.pos, s.len),
                label: "suppresses nothing".into(),
                message: format!("this suppression of {what} suppresses nothing"),
                help: Some("remove the comment, or fix its rule ids or position (`reftree-disable-next-line` covers the line after it)".into()),
                fix: None,
                related: Vec::new(),
            about: None,
            });
        }
    }
    for (ig, used) in config.ignores.iter().zip(used_config) {
        if !used {
            kept.push(Diagnostic {
                rule: "unused-suppression",
                severity,
                location: ig.at.clone(),
                label: "suppresses nothing".into(),
                message: "this [[ignore]] entry suppresses nothing".into(),
                help: Some("remove the entry, or fix its paths or rule ids".into()),
                fix: None,
                related: Vec::new(),
                about: None,
            });
        }
    }
    Applied { kept, ignores_used }
}
