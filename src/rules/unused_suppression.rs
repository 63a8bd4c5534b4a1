//! `unused-suppression`: a suppression comment or `[[ignore]]` entry that
//! suppresses nothing. Its findings are made by the suppression step
//! (`crate::suppress`), after every other rule has run.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;

pub(crate) const RULE: Rule = Rule {
    id: "unused-suppression",
    summary: "a suppression comment or [[ignore]] entry suppresses nothing",
    doc: include_str!("../../rules/unused-suppression.md"),
    severity: Severity::Warning,
    default_enabled: true,
    fixable: false,
    check,
};

fn check(_: &Index, _: &Ctx, _: &mut Vec<Diagnostic>) {}
