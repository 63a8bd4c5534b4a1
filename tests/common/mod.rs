//! Helpers shared by the fixture tests.

use reftree::Options;
use std::collections::HashMap;
use std::path::Path;

/// Options that run `rule` alone on `root`, with the case's `reftree.toml` if it has one.
pub fn only(rule: &str, root: &Path) -> Options {
    let config = match std::fs::read_to_string(root.join("reftree.toml")) {
        Ok(text) => reftree::config::Config::load(None, Some(("reftree.toml", &text)))
            .unwrap_or_else(|e| panic!("{}: {}", root.display(), e.render())),
        Err(_) => reftree::config::Config::default(),
    };
    let severities: HashMap<String, Option<reftree::diag::Severity>> = reftree::rules::ALL
        .iter()
        // `unused-suppression` needs the findings of the others to suppress.
        .map(|r| {
            let on = r.id == rule || (rule == "unused-suppression" && r.default_enabled);
            (r.id.to_string(), on.then_some(r.severity))
        })
        .collect();
    Options {
        root: root.to_path_buf(),
        severities,
        max_page_bytes: 4096,
        config,
        ..Options::default()
    }
}
