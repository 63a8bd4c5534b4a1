//! `case-mismatch`: the target exists only with different letter case.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::Index;
use crate::index::resolve::Target;

pub(crate) const RULE: Rule = Rule {
    id: "case-mismatch",
    summary: "a link's target exists only with different letter case",
    doc: include_str!("../../rules/case-mismatch.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let Target::CaseMismatch { actual } = &link.target else {
            continue;
        };
        let path = &link.written()[link.path_range()];
        let mut d = ctx
            .diag(
                link.location(&page.path, link.path_range()),
                "wrong letter case",
                format!("link target `{path}` differs in letter case from `{actual}` on disk"),
            )
            .with_about(actual.to_string());
        // A segment with escapes keeps its case, so the rewrite may change
        // nothing: no fix then (it would be made again on every run).
        match fix_case(path, actual).filter(|f| f != path) {
            Some(fixed) => {
                d = d.with_help(format!(
                    "this works on macOS and Windows but not on Linux or GitHub; write `{fixed}`"
                ));
                d = d.with_fix(fixed, true);
            }
            None => {
                d = d.with_help(format!(
                    "this works on macOS and Windows but not on Linux or GitHub; use the exact case of `{actual}`"
                ));
            }
        }
        out.push(d);
    }
}

/// Rewrite the last segments of `written` with the case of `actual`, when
/// each differs only in case (segments with escapes are left to the user).
fn fix_case(written: &str, actual: &str) -> Option<String> {
    let mut segs: Vec<String> = written.split('/').map(str::to_string).collect();
    let mut real = actual.rsplit('/');
    for seg in segs.iter_mut().rev() {
        if seg.is_empty() || seg == "." || seg == ".." {
            break;
        }
        let r = real.next()?;
        if seg.contains('%') {
            if seg.to_lowercase() == r.to_lowercase() {
                continue;
            }
            return None;
        }
        if !seg.eq_ignore_ascii_case(r) && seg.to_lowercase() != r.to_lowercase() {
            return None;
        }
        *seg = r.to_string();
    }
    Some(segs.join("/"))
}

#[cfg(test)]
mod tests {
    use super::fix_case;

    #[test]
    fn only_the_case_of_named_segments_changes() {
        assert_eq!(
            fix_case("../Tables/azureactivity.md", "tables/AzureActivity.md").as_deref(),
            Some("../tables/AzureActivity.md")
        );
    }
}
