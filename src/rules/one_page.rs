//! The rules, or the parts of rules, that read one page alone, run on each
//! page as it is read ([`crate::index::PageChecks`]).
//!
//! `count-mismatch`'s heading counts and `duplicate-item` read a page's
//! lists, tables and sections, and nothing of other pages. When nothing
//! else reads those (a rule file with no count forms, relations or orphan
//! entries, outside a vault, whose wiki links join items only once every
//! page is read), they are checked as each page is read, and the run does
//! not hold the lists and tables of every page until the rules run: at
//! 100,000 pages, most of its memory.

use super::{Ctx, Rule, count_mismatch, duplicate_item};
use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::index::{Page, PageChecks};

/// The checks of one page, for the rules in force.
pub struct OnePage<'a> {
    rules: Vec<(&'static Rule, Severity)>,
    config: &'a Config,
    dialect: crate::dialect::Dialect,
    /// None: the kinds of pages are read only by count forms and relations.
    kinds: crate::schema::Kinds,
    elsewhere: crate::replay::Elsewhere,
}

impl<'a> OnePage<'a> {
    /// The checks of one page among `active`, when the rule file and the
    /// dialect let them run page by page (see the module's documentation).
    pub fn new(
        active: &[(&'static Rule, Severity)],
        config: &'a Config,
        dialect: crate::dialect::Dialect,
    ) -> Option<OnePage<'a>> {
        let alone = config.counts.is_empty()
            && config.relations.is_empty()
            && config.orphans.is_empty()
            && !dialect.has_wiki_links();
        alone.then(|| OnePage {
            rules: active
                .iter()
                .copied()
                .filter(|(r, _)| [count_mismatch::RULE.id, duplicate_item::RULE.id].contains(&r.id))
                .collect(),
            config,
            dialect,
            kinds: Default::default(),
            elsewhere: Default::default(),
        })
    }

    fn ctx(&self, rule: &'static Rule, severity: Severity) -> Ctx<'_> {
        Ctx {
            rule,
            severity,
            config: self.config,
            kinds: &self.kinds,
            dialect: self.dialect,
            elsewhere: &self.elsewhere,
        }
    }
}

impl PageChecks for OnePage<'_> {
    fn check(&self, page: &Page, files: &[String], out: &mut Vec<Diagnostic>) {
        // Without count forms, a heading count has no unit.
        let units = [String::new()];
        for &(rule, severity) in &self.rules {
            let ctx = self.ctx(rule, severity);
            if rule.id == count_mismatch::RULE.id {
                count_mismatch::check_headings(&ctx, page, &units, out);
            } else {
                duplicate_item::check_page(files, &ctx, page, &units, out);
            }
        }
    }
}
