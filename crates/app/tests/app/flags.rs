//! Library messages name no command-line flag: the shells add their own hints. Scans the
//! code (not the comments) of every library crate.

use std::path::Path;

fn scan(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut in_tests = false;
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                in_tests |= code.starts_with("#[cfg(test)]");
                if in_tests || code.starts_with("//") || code.starts_with("#[") {
                    continue;
                }
                if code.contains("`--") || code.contains("\"--") {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
}

#[test]
fn no_library_message_names_a_cli_flag() {
    let crates = crate::support::repo().join("crates");
    let mut found = Vec::new();
    for library in [
        "app", "render", "store", "ledger", "lists", "core", "spec", "scenario", "screen",
    ] {
        scan(&crates.join(library).join("src"), &mut found);
    }
    assert!(
        found.is_empty(),
        "library code naming flags:\n{}",
        found.join("\n")
    );
}
