//! The model file's diagnostics, as `accord simulate` prints them: every problem of a file
//! in one run, in source order, at its line and column.

use crate::{TWO_IN_A_ROW, agreement_text};
use accord_simulate::model::read::parse;

fn rendered(source: &str) -> String {
    let agreement = agreement_text(TWO_IN_A_ROW);
    let checked = parse(source, &agreement);
    assert!(checked.model.is_none() || checked.diagnostics.iter().all(|d| !d.is_error()));
    accord_spec::render_text("model.toml", source, &checked.diagnostics)
}

#[test]
fn every_problem_of_a_model_file_is_reported_at_its_place() {
    let source = r#"[model]
start = 2026-01-01

[[events]]
id = "adopton"
after = "P1X"

[[indicators]]
id = "reformed"
compliance = 1.5
trend = "up"

[[monitors]]
id = "inspectorate"
delay = "P3M"
misssed = 0.1

[[parties]]
id = "target"
late = { probability = 0.5, by = "P10D" }

[disputes]
resolve = -0.2
"#;
    insta::assert_snapshot!(rendered(source));
}

#[test]
fn a_model_of_the_wrong_kind_of_value_is_refused() {
    let source = r#"[model]
start = "2026-01-01"

[[indicators]]
id = "reformed"
value = { mean = 1, sd = 0.1 }
"#;
    insta::assert_snapshot!(rendered(source));
}

#[test]
fn broken_toml_is_reported_with_its_place() {
    insta::assert_snapshot!(rendered("[model\nstart = 2026-01-01\n"));
}

#[test]
fn a_valid_model_reads_with_its_defaults() {
    let agreement = agreement_text(TWO_IN_A_ROW);
    let checked = parse(&crate::two_in_a_row_model(0.8), &agreement);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let model = checked.model.unwrap();
    assert_eq!(model.start, jiff::civil::date(2026, 1, 1));
    let m = model.monitor(&"inspectorate".parse().unwrap());
    assert_eq!((m.delay_days, m.missed), (2, 0.0));
    assert_eq!(
        model.indicator(&"reformed".parse().unwrap()).law,
        accord_simulate::model::Law::Compliance { p: 0.8 }
    );
}

#[test]
fn an_identifier_modelled_twice_is_refused_at_the_second_with_the_first() {
    let source = r#"[model]
start = 2026-01-01

[[events]]
id = "adoption"

[[events]]
id = "adoption"
after = "P10D"

[[indicators]]
id = "reformed"
compliance = 0.5

[[indicators]]
id = "reformed"
compliance = 0.9

[[monitors]]
id = "inspectorate"

[[monitors]]
id = "inspectorate"
missed = 0.1

[[parties]]
id = "target"
dispute = 0.1

[[parties]]
id = "target"
dispute = 0.2
"#;
    let agreement = agreement_text(TWO_IN_A_ROW);
    let checked = parse(source, &agreement);
    assert!(checked.model.is_none());
    let duplicates = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == "simulate::duplicate")
        .count();
    assert_eq!(duplicates, 4, "{:?}", checked.diagnostics);
    insta::assert_snapshot!(rendered(source));
}
