//! End-to-end tests of the `accord` binary: one test binary, a module per area.

use std::process::Command;

fn accord() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accord"))
}

#[test]
fn help_lists_every_subcommand() {
    let output = accord().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for sub in [
        "check", "schema", "init", "ledger", "evaluate", "lists", "screen", "status",
    ] {
        assert!(help.contains(sub), "`{sub}` missing from --help:\n{help}");
    }
}
