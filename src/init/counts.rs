//! Count forms init proposes: each candidate is written as a rule-file
//! entry, read back, and run over the tree; it is kept only when the
//! counts it finds nearly all hold (what does not hold on a tree believed
//! clean is more likely a form that does not fit than drift).

use crate::config::Config;
use crate::index::Index;
use crate::schema::{Kinds, Model};

/// A candidate entry and what it found.
pub struct Proposal {
    /// The entry, without its `[[counts]]` line.
    pub body: String,
    pub holds: usize,
    pub total: usize,
}

/// Run the `[[counts]]` entry `body` with the kinds of `kinds_toml` over
/// the tree: how many of the counts it finds hold, of how many.
pub fn evaluate(index: &Index, kinds_toml: &str, body: &str) -> Option<(usize, usize)> {
    let text = format!("version = 1\n{kinds_toml}\n[[counts]]\n{body}");
    let config = Config::load(None, Some(("init", &text))).ok()?;
    let kinds = Kinds::build(index, &config);
    let model = Model {
        config: &config,
        kinds: &kinds,
    };
    let (form, _) = config.counts.first()?;
    let claims = crate::schema::counts::claims(index, &model, form);
    let holds = claims.iter().filter(|c| c.declared == c.found).count();
    Some((holds, claims.len()))
}

/// Whether a form holds nearly always, on enough counts.
fn fits(holds: usize, total: usize, at_least: usize) -> bool {
    total >= at_least && holds as f64 >= 0.95 * total as f64
}

/// The label, front matter, lead-in and hub-list forms that fit the tree.
pub fn propose(index: &Index, kinds_toml: &str, kind_names: &[String]) -> Vec<Proposal> {
    let mut out = Vec::new();
    let mut try_form = |body: String, at_least: usize| {
        if let Some((holds, total)) = evaluate(index, kinds_toml, &body)
            && fits(holds, total, at_least)
        {
            out.push(Proposal { body, holds, total });
        }
    };
    for kind in kind_names {
        let kind = super::quote(kind);
        try_form(format!("form = \"label\"\nkind = {kind}\n"), 5);
        try_form(format!("form = \"front-matter\"\nkind = {kind}\n"), 5);
    }
    try_form("form = \"lead-in\"\n".to_string(), 2);
    // One hub-list entry per unit and kind: the section it fits best.
    for group in hub_candidates(index, kinds_toml, kind_names) {
        let best = group
            .into_iter()
            .filter_map(|body| {
                let (holds, total) = evaluate(index, kinds_toml, &body)?;
                fits(holds, total, 3).then_some(Proposal { body, holds, total })
            })
            .max_by_key(|p| (p.holds, std::cmp::Reverse(p.total)));
        out.extend(best);
    }
    out
}

/// Hub-list candidates: for each unit that follows a number in list items
/// linking to pages of a kind, each section title those pages have.
fn hub_candidates(index: &Index, kinds_toml: &str, kind_names: &[String]) -> Vec<Vec<String>> {
    let text = format!("version = 1\n{kinds_toml}");
    let Ok(config) = Config::load(None, Some(("init", &text))) else {
        return Vec::new();
    };
    let kinds = Kinds::build(index, &config);
    // (unit, target kind) -> target pages.
    let mut groups: std::collections::BTreeMap<(String, usize), Vec<usize>> = Default::default();
    for page in &index.pages {
        let files = page.files_by_item();
        for q in &page.facts.blocks.rare.quantities {
            let Some(&f) = files.get(&(q.of as u32)).and_then(|f| f.first()) else {
                continue;
            };
            let Some(t) = index.page_index(f) else {
                continue;
            };
            for &k in kinds.of_page(t) {
                groups
                    .entry((q.unit.to_string(), k as usize))
                    .or_default()
                    .push(t);
            }
        }
    }
    let mut out = Vec::new();
    for ((unit, k), targets) in groups.into_iter().filter(|(_, t)| t.len() >= 3) {
        let mut titles: std::collections::BTreeMap<String, usize> = Default::default();
        for &t in &targets {
            let page = &index.pages[t];
            for s in page.sections.iter().filter(|s| s.level >= 2) {
                let h = page.facts.headings[s.heading as usize].text();
                let title = crate::index::sections::title_of(h).trim().to_string();
                *titles.entry(title).or_default() += 1;
            }
        }
        // The sections most targets have (at most ten tried).
        let mut titles: Vec<(String, usize)> = titles
            .into_iter()
            .filter(|(_, n)| n * 2 >= targets.len())
            .collect();
        titles.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        titles.truncate(10);
        let mut group = Vec::new();
        for (title, _) in titles {
            group.push(format!(
                "form = \"hub-list\"\nunit = {}\ntarget-kind = {}\ntarget-section = {}\n",
                super::quote(&unit),
                super::quote(&kind_names[k]),
                super::quote(&title)
            ));
        }
        out.push(group);
    }
    out
}
