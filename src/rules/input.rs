//! Findings about the input itself, made while walking and reading the tree.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;

fn pass_through(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    out.extend(
        index
            .input_problems
            .iter()
            .filter(|d| d.rule == ctx.rule.id)
            .map(|d| Diagnostic {
                severity: ctx.severity,
                ..d.clone()
            }),
    );
}

macro_rules! input_rule {
    ($name:ident, $id:literal, $sev:expr, $summary:literal) => {
        pub(crate) const $name: Rule = Rule {
            id: $id,
            summary: $summary,
            doc: include_str!(concat!("../../rules/", $id, ".md")),
            severity: $sev,
            default_enabled: true,
            fixable: false,
            check: pass_through,
        };
    };
}

input_rule!(
    UNREADABLE_FILE,
    "unreadable-file",
    Severity::Error,
    "a file or folder under the root cannot be read"
);
input_rule!(
    INVALID_UTF8,
    "invalid-utf8",
    Severity::Error,
    "a page is not valid UTF-8"
);
input_rule!(
    BINARY_PAGE,
    "binary-page",
    Severity::Warning,
    "a `.md` file holds binary data"
);
input_rule!(
    FILE_TOO_LARGE,
    "file-too-large",
    Severity::Warning,
    "a page is too large to parse"
);
input_rule!(
    EMPTY_PAGE,
    "empty-page",
    Severity::Warning,
    "a page is empty"
);
input_rule!(
    SYMLINK_LOOP,
    "symlink-loop",
    Severity::Warning,
    "a symlink is part of a loop"
);
input_rule!(
    SYMLINK_OUTSIDE_ROOT,
    "symlink-outside-root",
    Severity::Warning,
    "a symlink points outside the root"
);
