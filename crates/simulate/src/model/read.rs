//! The model file read from TOML, with `file:line:column` diagnostics like agreements
//! (`accord_spec::Diagnostic`, rendered by `accord_spec::render_text`).
//!
//! The reader never stops at the first problem: every diagnostic of the file is returned, in
//! source order, and a [`Model`] exactly when there is no error. It checks the file against
//! the agreement it models: identifiers must name the agreement's indicators, monitors,
//! parties and events.

use std::ops::Range;

use accord_core::agreement::Agreement;
use accord_core::id::{EventId, IndicatorId, ParticipantId};
use accord_core::time::{CalendarDuration, Date};
use accord_spec::Diagnostic;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{DisputeModel, EventModel, IndicatorModel, Late, Law, Model, MonitorModel, PartyModel};

type Value<'i> = Spanned<DeValue<'i>>;

/// A model file's result: the model when there is no error, and every diagnostic.
#[derive(Debug, Clone)]
pub struct CheckedModel {
    /// The model, exactly when no diagnostic is an error.
    pub model: Option<Model>,
    /// Every problem, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a model file's text against the agreement it models.
pub fn parse(source: &str, agreement: &Agreement) -> CheckedModel {
    let mut r = Reader {
        diagnostics: Vec::new(),
        agreement,
        source,
        ids: Vec::new(),
    };
    let model = match DeTable::parse(source) {
        Ok(root) => {
            let span = root.span();
            let root = root.into_inner();
            r.model(&root, span)
        }
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().trim_end_matches('.').to_lowercase();
            r.push(
                Diagnostic::error("simulate::toml", span, message)
                    .with_help("the file is not valid TOML: see https://toml.io for the syntax"),
            );
            None
        }
    };
    let mut diagnostics = r.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.severity));
    let model = model.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    CheckedModel { model, diagnostics }
}

struct Reader<'a> {
    diagnostics: Vec<Diagnostic>,
    agreement: &'a Agreement,
    source: &'a str,
    /// Every identifier read so far, with the noun it names and where: a second entry for
    /// the same one is an error (which of the two would count is not obvious to a reader).
    ids: Vec<(String, String, Range<usize>)>,
}

/// A table being read: the keys asked for are remembered so that the others are reported.
struct Table<'t, 'i> {
    table: &'t DeTable<'i>,
    span: Range<usize>,
    what: &'static str,
    asked: Vec<&'static str>,
}

impl<'t, 'i> Table<'t, 'i> {
    fn get(&mut self, key: &'static str) -> Option<&'t Value<'i>> {
        self.asked.push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// Reports every key that was not asked for.
    fn finish(self, r: &mut Reader<'_>) {
        for (k, _) in self.table {
            let name: &str = k.get_ref().as_ref();
            if !self.asked.contains(&name) {
                let mut known: Vec<String> = Vec::new();
                for a in &self.asked {
                    let quoted = format!("`{a}`");
                    if !known.contains(&quoted) {
                        known.push(quoted);
                    }
                }
                r.push(
                    Diagnostic::error(
                        "simulate::unknown_key",
                        k.span(),
                        format!("unknown key `{name}` in {}", self.what),
                    )
                    .with_label("not a key here")
                    .with_help(format!("the keys here are {}", known.join(", "))),
                );
            }
        }
    }
}

impl<'a> Reader<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn error(&mut self, code: &'static str, span: Range<usize>, message: String) {
        self.push(Diagnostic::error(code, span, message));
    }

    fn table<'t, 'i>(&mut self, v: &'t Value<'i>, what: &'static str) -> Option<Table<'t, 'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Table {
                table: t,
                span: v.span(),
                what,
                asked: Vec::new(),
            }),
            _ => {
                self.error(
                    "simulate::type",
                    v.span(),
                    format!("{what} must be a table"),
                );
                None
            }
        }
    }

    /// The tables of an array of tables (`[[events]]`), or none when absent.
    fn tables<'t, 'i>(
        &mut self,
        t: &mut Table<'t, 'i>,
        key: &'static str,
        what: &'static str,
    ) -> Vec<Table<'t, 'i>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::Array(items) => items.iter().filter_map(|i| self.table(i, what)).collect(),
            _ => {
                self.error(
                    "simulate::type",
                    v.span(),
                    format!("`{key}` must be an array of tables (`[[{key}]]`)"),
                );
                Vec::new()
            }
        }
    }

    fn string(&mut self, t: &mut Table<'_, '_>, key: &'static str) -> Option<Spanned<String>> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
            _ => {
                self.error(
                    "simulate::type",
                    v.span(),
                    format!("`{key}` must be a string"),
                );
                None
            }
        }
    }

    fn number(&mut self, t: &mut Table<'_, '_>, key: &'static str) -> Option<Spanned<f64>> {
        let v = t.get(key)?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match n.filter(|n| n.is_finite()) {
            Some(n) => Some(Spanned::new(v.span(), n)),
            None => {
                self.error(
                    "simulate::type",
                    v.span(),
                    format!("`{key}` must be a finite number"),
                );
                None
            }
        }
    }

    /// A probability in [0, 1], or `default` when absent.
    fn probability(&mut self, t: &mut Table<'_, '_>, key: &'static str, default: f64) -> f64 {
        let Some(n) = self.number(t, key) else {
            return default;
        };
        if (0.0..=1.0).contains(n.get_ref()) {
            return *n.get_ref();
        }
        self.push(
            Diagnostic::error(
                "simulate::probability",
                n.span(),
                format!(
                    "`{key}` is a probability, so between 0 and 1, not {}",
                    n.get_ref()
                ),
            )
            .with_help("write a share of 1: 0.25 for one time in four"),
        );
        default
    }

    /// A number that may not be negative, or `default` when absent.
    fn non_negative(&mut self, t: &mut Table<'_, '_>, key: &'static str, default: f64) -> f64 {
        match self.number(t, key) {
            Some(n) if *n.get_ref() >= 0.0 => *n.get_ref(),
            Some(n) => {
                self.error(
                    "simulate::negative",
                    n.span(),
                    format!("`{key}` may not be negative, not {}", n.get_ref()),
                );
                default
            }
            None => default,
        }
    }

    fn duration(&mut self, t: &mut Table<'_, '_>, key: &'static str) -> Option<CalendarDuration> {
        let s = self.string(t, key)?;
        match s.get_ref().parse::<CalendarDuration>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.push(
                    Diagnostic::error("simulate::duration", s.span(), e.to_string())
                        .with_help("write an ISO 8601 duration of days, weeks, months or years: `P30D`, `P6M`, `P2Y`"),
                );
                None
            }
        }
    }

    /// A duration written in days only (`P10D`), as a count of days.
    fn days(&mut self, t: &mut Table<'_, '_>, key: &'static str) -> Option<u32> {
        let s = self.string(t, key)?;
        let days = s
            .get_ref()
            .strip_prefix('P')
            .and_then(|d| d.strip_suffix('D'))
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|d| *d <= 36_600);
        if days.is_none() {
            self.push(
                Diagnostic::error(
                    "simulate::days",
                    s.span(),
                    format!(
                        "`{key}` must be a number of days such as `P10D`, not `{}`",
                        s.get_ref()
                    ),
                )
                .with_help("delays and spreads are counted in days, up to a century"),
            );
        }
        days
    }

    fn date(&mut self, t: &mut Table<'_, '_>, key: &'static str) -> Option<Date> {
        let v = t.get(key)?;
        let parsed = match v.get_ref() {
            DeValue::Datetime(d) if d.time.is_none() => d.to_string().parse::<Date>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.push(
                Diagnostic::error(
                    "simulate::date",
                    v.span(),
                    format!("`{key}` must be a date such as 2026-01-15"),
                )
                .with_help("write a bare TOML date, without quotes or a time"),
            );
        }
        parsed
    }
}

mod sections;
