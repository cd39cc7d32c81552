//! What the shells rely on: library messages name no command-line flag (the shells add
//! their own hints; the code, not the comments, of every library crate is scanned), and the
//! store handle and the results cross threads.

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

/// What a server's worker threads share or send between them.
#[test]
fn the_handle_and_the_results_cross_threads() {
    fn shared<T: Send + Sync + Clone>() {}
    fn sent<T: Send + 'static>() {}
    shared::<accord_app::Store>();
    sent::<accord_app::Error>();
    sent::<accord_app::evaluate::Inputs>();
    sent::<accord_app::status::StatusAnswer>();
    sent::<accord_app::play::Played>();
    sent::<accord_app::play::Rehearsal>();
    sent::<accord_app::lists::SourceUpdate>();
    sent::<accord_store::ledger::Ledger>();
    shared::<std::sync::Arc<accord_store::ledger::Sequencer>>();
    // Errors are `std::error::Error + Send + Sync`, so a shell may box them.
    let _: Box<dyn std::error::Error + Send + Sync> = Box::new(accord_app::Error::NoEvents);
}
