//! The sections of a model file, each read into its part of the [`Model`], and the
//! identifiers checked against the agreement.

use std::ops::Range;

use accord_core::agreement::{IndicatorTarget, PartyRole};
use toml::Spanned;

use super::{
    DisputeModel, EventId, EventModel, IndicatorId, IndicatorModel, Late, Law, Model, MonitorModel,
    ParticipantId, PartyModel, Reader, Table, Value,
};
use accord_spec::Diagnostic;
use toml::de::DeTable;

impl Reader<'_> {
    pub(super) fn model(&mut self, root: &DeTable<'_>, span: Range<usize>) -> Option<Model> {
        let mut t = Table {
            table: root,
            span: span.clone(),
            what: "the model file",
            asked: Vec::new(),
        };
        let head = t.get("model").and_then(|v| self.table(v, "`[model]`"));
        let (title, start) = match head {
            Some(h) => self.head(h),
            None => {
                self.push(
                    Diagnostic::error("simulate::missing", 0..0, "the model has no `[model]` table")
                        .with_help("add `[model]` with `start = 2026-01-15` (the day event offsets count from)"),
                );
                (None, None)
            }
        };
        let events = self.events(&mut t);
        let (default_indicator, default_monitor) = self.defaults(&mut t);
        let indicators = self.tables(&mut t, "indicators", "an `[[indicators]]` entry");
        let indicators = indicators
            .into_iter()
            .filter_map(|i| self.indicator(i, default_indicator))
            .collect();
        let monitors = self.tables(&mut t, "monitors", "a `[[monitors]]` entry");
        let monitors = monitors
            .into_iter()
            .filter_map(|m| self.monitor(m, default_monitor))
            .collect();
        let parties = self.tables(&mut t, "parties", "a `[[parties]]` entry");
        let parties = parties.into_iter().filter_map(|p| self.party(p)).collect();
        let disputes = self.disputes(&mut t);
        t.finish(self);
        Some(Model {
            title,
            start: start?,
            events,
            default_indicator,
            indicators,
            default_monitor,
            monitors,
            parties,
            disputes,
        })
    }

    fn head(&mut self, mut h: Table<'_, '_>) -> (Option<String>, Option<accord_core::time::Date>) {
        let title = self.string(&mut h, "title").map(Spanned::into_inner);
        let start = self.date(&mut h, "start");
        if start.is_none() && h.get("start").is_none() {
            self.push(
                Diagnostic::error(
                    "simulate::missing",
                    h.span.clone(),
                    "`[model]` has no `start`",
                )
                .with_help("add `start = 2026-01-15`: the day event offsets count from"),
            );
        }
        h.finish(self);
        (title, start)
    }

    /// An identifier of the agreement, or a diagnostic listing the ones there are.
    fn id<T: std::str::FromStr>(
        &mut self,
        t: &mut Table<'_, '_>,
        noun: &str,
        known: &[String],
    ) -> Option<T> {
        let Some(s) = self.string(t, "id") else {
            if t.get("id").is_none() {
                self.error(
                    "simulate::missing",
                    t.span.clone(),
                    format!("{} has no `id`", t.what),
                );
            }
            return None;
        };
        if !known.iter().any(|k| k == s.get_ref()) {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            self.push(
                Diagnostic::error(
                    "simulate::unknown_id",
                    s.span(),
                    format!("`{}` is not {noun} of the agreement", s.get_ref()),
                )
                .with_help(if list.is_empty() {
                    format!("the agreement has no {noun}")
                } else {
                    format!("the agreement declares {}", list.join(", "))
                }),
            );
            return None;
        }
        self.unique(noun, s.get_ref(), s.span());
        s.get_ref().parse::<T>().ok()
    }

    /// Reports an identifier given a second time for the same noun, at the second, with
    /// where the first is.
    fn unique(&mut self, noun: &str, id: &str, span: Range<usize>) {
        let first = self
            .ids
            .iter()
            .find(|(n, i, _)| n == noun && i == id)
            .map(|(_, _, s)| s.start);
        let Some(first) = first else {
            self.ids.push((noun.to_owned(), id.to_owned(), span));
            return;
        };
        let at = accord_spec::SourceMap::new(self.source).line_col(first);
        let kind = noun.rsplit(' ').next().unwrap_or(noun);
        self.push(
            Diagnostic::error(
                "simulate::duplicate",
                span,
                format!(
                    "{kind} `{id}` is given twice (first at line {}, column {})",
                    at.line, at.column
                ),
            )
            .with_label("given again here")
            .with_help(format!(
                "model each {kind} once: merge the two entries into the first"
            )),
        );
    }

    fn events(&mut self, t: &mut Table<'_, '_>) -> Vec<EventModel> {
        let span = t.get("events").map_or(0..0, |v| v.span());
        let agreement = self.agreement;
        let undated: Vec<String> = agreement
            .events
            .iter()
            .filter(|e| e.date.is_none())
            .map(|e| e.id.to_string())
            .collect();
        let mut out = Vec::new();
        for mut e in self.tables(t, "events", "an `[[events]]` entry") {
            let id: Option<EventId> = self.id(&mut e, "an undated event", &undated);
            let after = self.duration(&mut e, "after").unwrap_or_default();
            let spread_days = self.days(&mut e, "spread").unwrap_or(0);
            let by = self.recorder(&mut e, id.as_ref());
            e.finish(self);
            if let (Some(id), Some(by)) = (id, by) {
                out.push(EventModel {
                    id,
                    after,
                    spread_days,
                    by,
                });
            }
        }
        for id in &undated {
            if !out.iter().any(|e| e.id.as_str() == id) {
                self.push(
                    Diagnostic::warning(
                        "simulate::event_never",
                        span.clone(),
                        format!("event `{id}` never occurs in the simulated histories: nothing resting on it is ever reached"),
                    )
                    .with_help(format!("add `[[events]]` with `id = \"{id}\"` and when it occurs (`after`, `spread`)")),
                );
            }
        }
        out
    }

    /// Who records an event: `by`, else who the agreement names, else its first authority
    /// or guarantor.
    fn recorder(&mut self, e: &mut Table<'_, '_>, id: Option<&EventId>) -> Option<ParticipantId> {
        let agreement = self.agreement;
        let may = |p: &ParticipantId| {
            agreement.parties.iter().any(|x| {
                &x.id == p && matches!(x.role, PartyRole::Authority | PartyRole::Guarantor)
            })
        };
        if let Some(by) = self.string(e, "by") {
            return match by.get_ref().parse::<ParticipantId>() {
                Ok(p) if may(&p) => Some(p),
                _ => {
                    self.push(
                        Diagnostic::error(
                            "simulate::recorder",
                            by.span(),
                            format!("`{}` is not an authority or guarantor of the agreement, so it cannot record an event", by.get_ref()),
                        )
                        .with_help("name an authority or a guarantor, or leave `by` out"),
                    );
                    None
                }
            };
        }
        let named = id
            .and_then(|id| agreement.events.iter().find(|x| &x.id == id))
            .and_then(|x| x.recorded_by.first().cloned());
        let first = agreement
            .parties
            .iter()
            .find(|p| matches!(p.role, PartyRole::Authority | PartyRole::Guarantor))
            .map(|p| p.id.clone());
        let by = named.or(first);
        if by.is_none() {
            self.error(
                "simulate::recorder",
                e.span.clone(),
                "the agreement has no authority or guarantor to record this event".into(),
            );
        }
        by
    }

    fn defaults(&mut self, t: &mut Table<'_, '_>) -> (IndicatorModel, MonitorModel) {
        let Some(mut d) = t
            .get("defaults")
            .and_then(|v| self.table(v, "`[defaults]`"))
        else {
            return (IndicatorModel::COMPLIANT, MonitorModel::PUNCTUAL);
        };
        let indicator = d
            .get("indicators")
            .and_then(|v| self.table(v, "`[defaults.indicators]`"))
            .and_then(|i| self.behaviour(i, IndicatorModel::COMPLIANT, None))
            .unwrap_or(IndicatorModel::COMPLIANT);
        let monitor = d
            .get("monitors")
            .and_then(|v| self.table(v, "`[defaults.monitors]`"))
            .map_or(MonitorModel::PUNCTUAL, |m| {
                self.monitor_habits(m, MonitorModel::PUNCTUAL)
            });
        d.finish(self);
        (indicator, monitor)
    }

    fn indicator(
        &mut self,
        mut t: Table<'_, '_>,
        default: IndicatorModel,
    ) -> Option<(IndicatorId, IndicatorModel)> {
        let agreement = self.agreement;
        let known: Vec<String> = agreement
            .indicators
            .iter()
            .map(|i| i.id.to_string())
            .collect();
        let id: Option<IndicatorId> = self.id(&mut t, "an indicator", &known);
        let target = id
            .as_ref()
            .and_then(|id| agreement.indicators.iter().find(|i| &i.id == id))
            .map(|i| &i.target);
        let model = self.behaviour(t, default, target)?;
        Some((id?, model))
    }

    /// An indicator's law, trend, change and correlation (`id` asked for by the caller).
    fn behaviour(
        &mut self,
        mut t: Table<'_, '_>,
        default: IndicatorModel,
        target: Option<&IndicatorTarget>,
    ) -> Option<IndicatorModel> {
        let law = self.law(&mut t, target).unwrap_or(default.law);
        let trend = self
            .number(&mut t, "trend")
            .map_or(default.trend, Spanned::into_inner);
        let correlation = self.probability(&mut t, "correlation", default.correlation);
        let change = match t.get("change").and_then(|v| self.table(v, "`change`")) {
            Some(mut c) => {
                let after = self.duration(&mut c, "after");
                let to = self.law(&mut c, target);
                if to.is_none() && c.get("compliance").is_none() && c.get("value").is_none() {
                    self.error(
                        "simulate::missing",
                        c.span.clone(),
                        "a `change` needs `compliance` or `value`: the law from then on".into(),
                    );
                }
                if after.is_none() && c.get("after").is_none() {
                    self.error(
                        "simulate::missing",
                        c.span.clone(),
                        "a `change` needs `after`".into(),
                    );
                }
                c.finish(self);
                after.zip(to)
            }
            None => default.change,
        };
        t.get("id");
        t.finish(self);
        Some(IndicatorModel {
            law,
            trend,
            change,
            correlation,
        })
    }

    /// `compliance = p` or `value = { mean, sd }` (amounts and counts only).
    fn law(&mut self, t: &mut Table<'_, '_>, target: Option<&IndicatorTarget>) -> Option<Law> {
        let p = t
            .get("compliance")
            .is_some()
            .then(|| self.probability(t, "compliance", 1.0));
        let value = t.get("value").and_then(|v| self.values(v, target));
        match (p, value) {
            (Some(_), Some(_)) => {
                let span = t.get("value").map_or(t.span.clone(), Value::span);
                self.push(
                    Diagnostic::error(
                        "simulate::law",
                        span,
                        "give `compliance` or `value`, not both",
                    )
                    .with_help("`compliance` draws compliance itself; `value` draws the amount the engine compares with the limit"),
                );
                None
            }
            (Some(p), None) => Some(Law::Compliance { p }),
            (None, v) => v,
        }
    }

    fn values(&mut self, v: &Value<'_>, target: Option<&IndicatorTarget>) -> Option<Law> {
        let mut t = self.table(v, "`value`")?;
        if matches!(
            target,
            Some(
                IndicatorTarget::Flag { .. }
                    | IndicatorTarget::Deadline { .. }
                    | IndicatorTarget::Grade { .. }
            )
        ) {
            self.push(
                Diagnostic::error(
                    "simulate::law",
                    v.span(),
                    "`value` draws amounts, so it is for threshold and count indicators only",
                )
                .with_help("use `compliance = p` for flags, grades and deadlines"),
            );
        }
        let mean = self.number(&mut t, "mean");
        let sd = self.non_negative(&mut t, "sd", 0.0);
        if mean.is_none() && t.get("mean").is_none() {
            self.error(
                "simulate::missing",
                v.span(),
                "`value` needs a `mean`".into(),
            );
        }
        t.finish(self);
        Some(Law::Values {
            mean: mean?.into_inner(),
            sd,
        })
    }

    fn monitor(
        &mut self,
        mut t: Table<'_, '_>,
        default: MonitorModel,
    ) -> Option<(ParticipantId, MonitorModel)> {
        let known: Vec<String> = self
            .agreement
            .monitors
            .iter()
            .map(|m| m.id.to_string())
            .collect();
        let id = self.id(&mut t, "a monitor", &known);
        let habits = self.monitor_habits(t, default);
        Some((id?, habits))
    }

    fn monitor_habits(&mut self, mut t: Table<'_, '_>, default: MonitorModel) -> MonitorModel {
        let m = MonitorModel {
            delay_days: self.days(&mut t, "delay").unwrap_or(default.delay_days),
            spread_days: self.days(&mut t, "spread").unwrap_or(default.spread_days),
            missed: self.probability(&mut t, "missed", default.missed),
            noise: self.non_negative(&mut t, "noise", default.noise),
        };
        t.get("id");
        t.finish(self);
        m
    }

    fn party(&mut self, mut t: Table<'_, '_>) -> Option<(ParticipantId, PartyModel)> {
        let known: Vec<String> = self
            .agreement
            .parties
            .iter()
            .map(|p| p.id.to_string())
            .collect();
        let id: Option<ParticipantId> = self.id(&mut t, "a party", &known);
        let mut m = PartyModel {
            dispute: self.probability(&mut t, "dispute", 0.0),
            invoke: self.probability(&mut t, "invoke", 0.0),
            consent: self.probability(&mut t, "consent", 0.0),
            halt: self.probability(&mut t, "halt", 0.0),
            late: None,
        };
        if let Some(v) = t.get("late") {
            m.late = self.late(v, id.as_ref());
        }
        t.finish(self);
        Some((id?, m))
    }

    fn late(&mut self, v: &Value<'_>, id: Option<&ParticipantId>) -> Option<Late> {
        let mut l = self.table(v, "`late`")?;
        let probability = self.probability(&mut l, "probability", 0.0);
        let days = self.days(&mut l, "by");
        if days.is_none() && l.get("by").is_none() {
            self.error(
                "simulate::missing",
                v.span(),
                "`late` needs `by`, the delay (`P30D`)".into(),
            );
        }
        l.finish(self);
        let authority = id.is_none_or(|id| {
            self.agreement
                .parties
                .iter()
                .any(|p| &p.id == id && p.role == PartyRole::Authority)
        });
        if !authority {
            self.push(
                Diagnostic::error(
                    "simulate::late",
                    v.span(),
                    "only an authority grants relief, so only an authority can be late",
                )
                .with_help("move `late` to an authority of the agreement"),
            );
        }
        Some(Late {
            probability,
            days: days?,
        })
    }

    fn disputes(&mut self, t: &mut Table<'_, '_>) -> DisputeModel {
        let Some(mut d) = t
            .get("disputes")
            .and_then(|v| self.table(v, "`[disputes]`"))
        else {
            return DisputeModel::default();
        };
        let m = DisputeModel {
            resolve: self.probability(&mut d, "resolve", 0.0),
            overturn: self.probability(&mut d, "overturn", 0.0),
        };
        d.finish(self);
        m
    }
}
