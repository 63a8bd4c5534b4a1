//! `rule-matches-nothing`: an entry of the rule file matched nothing in the tree.

use super::{Ctx, Rule};
use crate::config::CountForm;
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::schema::{Found, side_links};

pub(crate) const RULE: Rule = Rule {
    id: "rule-matches-nothing",
    summary: "a kind, count form, relation or index entry of the rule file matched nothing",
    doc: include_str!("../../rules/rule-matches-nothing.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let cfg = ctx.config;
    let help = "the tree's layout may have changed: fix the entry, or remove it";
    // An optional kind with no page excuses the entries about it. (A
    // page's kinds are in its path: known for every page, loaded or not.)
    let excused = |kind: &str| {
        cfg.optional_kinds.iter().any(|k| k == kind) && ctx.kinds.files_named(cfg, kind) == 0
    };
    // An entry that matches on a page a partial run did not load.
    let elsewhere = |entry: usize| ctx.elsewhere.matched.get(entry).copied().unwrap_or(false);
    for (i, kind) in cfg.kinds.iter().enumerate() {
        if ctx.kinds.files[i] == 0 && !excused(&kind.name) {
            out.push(
                ctx.diag(
                    kind.at.clone(),
                    "no page",
                    format!("kind `{}` matches no page", kind.name),
                )
                .with_help(help),
            );
        }
    }
    for (e, (form, at)) in cfg.counts.iter().enumerate() {
        if form.is_optional() || form.kinds().iter().any(|k| excused(k)) || elsewhere(e) {
            continue;
        }
        if crate::schema::counts::pages_matched(index, &ctx.model(), form).is_empty() {
            out.push(
                ctx.diag(
                    at.clone(),
                    "matched nothing",
                    format!("count form `{}` matched no declared count", form_name(form)),
                )
                .with_help(help),
            );
        }
    }
    for (r, (rel, at)) in cfg.relations.iter().enumerate() {
        let matched_elsewhere = elsewhere(cfg.counts.len() + r);
        if rel.optional || excused(&rel.from.kind) || excused(&rel.to.kind) || matched_elsewhere {
            continue;
        }
        let any = ctx.kinds.named(cfg, &rel.from.kind).iter().any(
            |&p| matches!(side_links(&index.pages[p], &rel.from), Found::Links(l) if !l.is_empty()),
        );
        if !any {
            out.push(
                ctx.diag(
                    at.clone(),
                    "matched nothing",
                    format!(
                        "relation from `{}` {} matched no link",
                        rel.from.kind,
                        crate::schema::side_name(&rel.from)
                    ),
                )
                .with_help(help),
            );
        }
    }
    for (orphan, at) in &cfg.orphans {
        if excused(&orphan.kind) {
            continue;
        }
        let found = !crate::schema::index_page_files(index, orphan).is_empty();
        if !found {
            out.push(
                ctx.diag(
                    at.clone(),
                    "no such page",
                    format!(
                        "index page `{}` for kind `{}` does not exist",
                        orphan.index.to_vec().join("`, `"),
                        orphan.kind
                    ),
                )
                .with_help(help),
            );
        }
    }
}

fn form_name(form: &CountForm) -> &'static str {
    match form {
        CountForm::Heading { .. } => "heading",
        CountForm::Bold { .. } => "bold",
        CountForm::Summary { .. } => "summary",
        CountForm::PageTotal { .. } => "page-total",
        CountForm::IndexColumn { .. } => "index-column",
        CountForm::Label { .. } => "label",
        CountForm::FrontMatter { .. } => "front-matter",
        CountForm::LeadIn { .. } => "lead-in",
        CountForm::HubList { .. } => "hub-list",
    }
}
