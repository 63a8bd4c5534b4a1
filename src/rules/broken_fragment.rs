//! `broken-fragment`: a `#fragment` names no heading or anchor in its page.

use super::{Ctx, Rule, reported_links};
use crate::diag::{Diagnostic, Severity};
use crate::index::resolve::Target;
use crate::index::{Index, Page};

pub(crate) const RULE: Rule = Rule {
    id: "broken-fragment",
    summary: "a `#fragment` names no heading or anchor in the target page",
    doc: include_str!("../../rules/broken-fragment.md"),
    severity: Severity::Error,
    default_enabled: true,
    fixable: true,
    check,
};

fn check(index: &Index, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (page, link) in reported_links(index) {
        let Some(fragment) = link.fragment() else {
            continue;
        };
        let fragment = fragment.as_ref();
        let target: &Page = match link.target {
            Target::SamePage => page,
            Target::File(id) => match index.page_by_file(id) {
                Some(p) => p,
                None => continue, // not Markdown: fragments are not checked
            },
            // `sub/#part`: the folder's page, as the dialect shows one.
            Target::Dir => match folder_page(index, ctx, page, link) {
                Some(p) => p,
                None => continue,
            },
            _ => continue,
        };
        if !target.parsed || contributor_key(page, link) {
            continue;
        }
        // In a vault, a Markdown link's `#Heading` is matched as Obsidian
        // matches a wiki link's: by the heading's text.
        let in_vault =
            ctx.dialect.has_wiki_links() && crate::index::wiki::fragment_found(target, fragment);
        if found(fragment, target)
            || in_vault
            || documented_object(index, fragment, target)
            || included(index, fragment, target)
        {
            continue;
        }
        let Some(range) = link.fragment_range() else {
            continue;
        };
        let written = &link.written()[range.clone()];
        let where_ = if std::ptr::eq(target, page) {
            "this page".to_string()
        } else {
            format!("`{}`", target.path)
        };
        // `## Part {#part}`: an anchor in MkDocs or kramdown, text on GitHub.
        let custom = target.facts.headings.iter().find_map(|h| {
            crate::parse::attr_list_id(h.text())
                .filter(|(id, _)| *id == fragment)
                .map(|(_, braces)| (h, braces))
        });
        let message = match custom {
            Some((_, ignored_id)) => format!(
                "fragment `#{written}` not found in {where_}: the heading's `{ignored_id}` is not an anchor where the tree is rendered ({} shows it as text)",
                ctx.dialect.name()
            ),
            None => format!("fragment `#{written}` not found in {where_}"),
        };
        let mut d = ctx
            .diag(link.location(&page.path, range), "no such anchor", message)
            .with_about(target.path.clone());
        if let Some((h, _)) = custom {
            let anchor = visible(h.anchor());
            out.push(
                d.with_help(format!(
                    "link to `#{anchor}` (the anchor {} makes from the whole heading), or check the tree with `--dialect mkdocs` if it is an MkDocs site",
                    ctx.dialect.tool()
                ))
                .with_fix(anchor.to_string(), false),
            );
            continue;
        }
        // `[bug](#123)`: an issue on GitLab, a fragment elsewhere.
        let issue = format!("#{written}");
        if !ctx.dialect.links_references()
            && std::ptr::eq(target, page)
            && crate::dialect::gitlab_reference(&issue) == Some("issue")
        {
            out.push(d.with_help(format!(
                "on GitLab, `{issue}` is a reference to issue {written} and links to it; {} reads it as a fragment (`--dialect gitlab` checks the tree as GitLab renders it)",
                ctx.dialect.name()
            )));
            continue;
        }
        match nearest(fragment, target) {
            Some(a) => {
                let a = visible(a);
                d = d.with_help(format!("did you mean `#{a}`?"));
                d = d.with_fix(a.into_owned(), false);
            }
            None if target.anchors().next().is_none() => {
                d = d.with_help(format!(
                    "{where_} has no headings; link to the page without a fragment"
                ));
            }
            None if ctx.dialect.has_wiki_links() => {
                d = d.with_help(format!(
                    "no similar heading; {where_} has {} anchors, and Obsidian matches a fragment to a heading's text",
                    target.anchors().count()
                ));
            }
            None => {
                d = d.with_help(format!(
                    "no similar anchor; {where_} has {} anchors, {} makes them from headings ({})",
                    target.anchors().count(),
                    ctx.dialect.tool(),
                    ctx.dialect.anchor_rule()
                ));
            }
        }
        out.push(d);
    }
}

/// The contribution types of all-contributors' emoji key
/// (<https://allcontributors.org/docs/en/emoji-key>).
const CONTRIBUTIONS: [&str; 33] = [
    "a11y",
    "audio",
    "blog",
    "bug",
    "business",
    "code",
    "content",
    "data",
    "design",
    "doc",
    "eventOrganizing",
    "example",
    "financial",
    "fundingFinding",
    "ideas",
    "infra",
    "maintenance",
    "mentoring",
    "platform",
    "plugin",
    "projectManagement",
    "promotion",
    "question",
    "research",
    "review",
    "security",
    "talk",
    "test",
    "tool",
    "translation",
    "tutorial",
    "userTesting",
    "video",
];

/// An emoji link of an all-contributors table (`<a href="#question-login"
/// title="Answering Questions">`): the generator writes it to an anchor
/// that no page has, on purpose (the emoji is what it shows). Counted in
/// the summary, not reported.
pub(crate) fn contributor_key(page: &Page, link: &crate::index::Link) -> bool {
    if !page.facts.unchecked.all_contributors
        || link.kind != crate::parse::LinkKind::Html
        || link.target != Target::SamePage
    {
        return false;
    }
    let Some(fragment) = link.fragment() else {
        return false;
    };
    fragment
        .split_once('-')
        .is_some_and(|(kind, login)| !login.is_empty() && CONTRIBUTIONS.contains(&kind))
}

/// Under mkdocstrings, `#pkg.module.Class` on a page that documents
/// `pkg.module` (`::: pkg.module`): the object's anchor, made when the
/// site is built from the code, which is not read here.
fn documented_object(index: &Index, fragment: &str, page: &Page) -> bool {
    use crate::dialect::mkdocs::Autorefs;
    !page.facts.rare.api_objects.is_empty()
        && index.entries.autorefs(&page.path) == Autorefs::Objects
        && page.facts.rare.api_objects.iter().any(|o| {
            fragment
                .strip_prefix(&**o)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
}

/// Under MkDocs' pymdownx.snippets, a page that includes another
/// (`--8<-- "CONTRIBUTING.md"`) has its headings too.
fn included(index: &Index, fragment: &str, page: &Page) -> bool {
    page.facts.rare.snippets.iter().any(|file| {
        index
            .entries
            .snippet(&page.path, file)
            .and_then(|f| index.page_by_file(f))
            .is_some_and(|p| found(fragment, p))
    })
}

/// GitHub lowercases the fragment when no element has it exactly; `#top`
/// and the empty fragment go to the top of the page.
fn found(fragment: &str, page: &Page) -> bool {
    if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
        return true;
    }
    let lower = fragment.to_lowercase();
    page.anchors().any(|a| a == fragment || a == lower)
}

/// `anchor` as a link should write it: a character that shows as nothing
/// (a joiner such as the U+200D inside 👨‍💻, a variation selector) is
/// percent-encoded, so that a suggestion says what to type.
fn visible(anchor: &str) -> std::borrow::Cow<'_, str> {
    use std::sync::OnceLock;
    static INVISIBLE: OnceLock<regex::Regex> = OnceLock::new();
    let re = INVISIBLE.get_or_init(|| {
        regex::Regex::new(r"\p{Default_Ignorable_Code_Point}").expect("valid regex")
    });
    // Such characters are never ASCII: each of their bytes is encoded.
    re.replace_all(anchor, |c: &regex::Captures<'_>| {
        percent_encoding::utf8_percent_encode(&c[0], percent_encoding::NON_ALPHANUMERIC).to_string()
    })
}

/// An anchor that starts with the fragment and a `-` (`#solutions` for the
/// heading `Solutions (29)`), else the closest by edit distance.
fn nearest<'a>(fragment: &str, page: &'a Page) -> Option<&'a str> {
    let f = fragment.to_lowercase();
    let prefix = format!("{f}-");
    let shortest_extension = page
        .anchors()
        .filter(|a| a.starts_with(&prefix))
        .min_by_key(|a| (a.len(), *a));
    if shortest_extension.is_some() {
        return shortest_extension;
    }
    let limit = (f.chars().count() / 3).max(2);
    // Compare without a trailing count (`solutions-29`): `#solution` is close to it.
    let base = |a: &'a str| -> &'a str {
        match a.rsplit_once('-') {
            Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => b,
            _ => a,
        }
    };
    page.anchors()
        .map(|a| {
            let d = strsim::levenshtein(a, &f).min(strsim::levenshtein(base(a), &f));
            (d, a)
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, a)| a)
}

/// The page that stands for the folder `link` names, if it is read
/// ([`Index::folder_page`]).
fn folder_page<'a>(
    index: &'a Index,
    ctx: &Ctx,
    page: &Page,
    link: &crate::index::Link,
) -> Option<&'a Page> {
    index
        .folder_page(ctx.dialect, page, link)
        .and_then(|f| index.page_by_file(f))
}

#[cfg(test)]
mod tests {
    #[test]
    fn invisible_characters_are_suggested_percent_encoded() {
        assert_eq!(super::visible("code-mode-\u{200d}"), "code-mode-%E2%80%8D");
        assert_eq!(
            super::visible("\u{fe0f}-troubleshooting"),
            "%EF%B8%8F-troubleshooting"
        );
        assert_eq!(super::visible("ärger-über"), "ärger-über");
    }
}
