//! Reading spanned TOML values with diagnostics: the typed getters the format is read with.
//!
//! Every getter records a diagnostic and returns `None` on a wrong or missing value, so the
//! reader carries on and reports every problem of a file in one run. A [`Table`] remembers
//! the keys it was asked for; [`Table::finish`] reports every other key as unknown, with the
//! closest known key as a suggestion. Declarations and references of identifiers are
//! collected in [`Ctx`] and checked once the whole file has been read.
//!
//! INVARIANT: a reader asks its table for every key the format allows there (optional ones
//! included) before calling `finish`, so "unknown key" means "not part of the format".

use std::collections::BTreeMap;
use std::ops::Range;
use std::str::FromStr;

use accord_core::id::IdError;
use accord_core::rule::DateRule;
use accord_core::time::{CalendarDuration, Instant};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::condition::{self, RefKind, Reference, SyntaxError};
use crate::diagnostic::{Diagnostic, did_you_mean, one_of};

/// A spanned TOML value.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// The namespaces of identifiers an agreement declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Participant,
    Regime,
    Measure,
    Unit,
    Event,
    Protocol,
    Commitment,
    Indicator,
    Phase,
    Action,
    Exemption,
    Trigger,
    Stage,
}

impl Kind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Participant => "party or monitor",
            Kind::Regime => "regime",
            Kind::Measure => "measure",
            Kind::Unit => "unit",
            Kind::Event => "event",
            Kind::Protocol => "verification protocol",
            Kind::Commitment => "commitment",
            Kind::Indicator => "indicator",
            Kind::Phase => "phase",
            Kind::Action => "relief action",
            Kind::Exemption => "exemption",
            Kind::Trigger => "trigger",
            Kind::Stage => "dispute stage",
        }
    }

    pub(crate) fn plural(self) -> &'static str {
        match self {
            Kind::Participant => "parties and monitors",
            Kind::Regime => "regimes",
            Kind::Measure => "measures",
            Kind::Unit => "units",
            Kind::Event => "events",
            Kind::Protocol => "verification protocols",
            Kind::Commitment => "commitments",
            Kind::Indicator => "indicators",
            Kind::Phase => "phases",
            Kind::Action => "relief actions",
            Kind::Exemption => "exemptions",
            Kind::Trigger => "triggers",
            Kind::Stage => "dispute stages",
        }
    }

    pub(crate) fn article(self) -> &'static str {
        match self {
            Kind::Event | Kind::Indicator | Kind::Exemption => "an",
            _ => "a",
        }
    }

    pub(crate) fn section(self) -> &'static str {
        match self {
            Kind::Participant => "[[parties]] or [[monitors]]",
            Kind::Regime => "[[regimes]]",
            Kind::Measure => "[[regimes.measures]]",
            Kind::Unit => "[[units]]",
            Kind::Event => "[[events]]",
            Kind::Protocol => "[[protocols]]",
            Kind::Commitment => "[[commitments]]",
            Kind::Indicator => "[[commitments.indicators]]",
            Kind::Phase => "[[phases]]",
            Kind::Action => "[[phases.actions]]",
            Kind::Exemption => "[[exemptions]]",
            Kind::Trigger => "[[triggers]]",
            Kind::Stage => "[[disputes.stages]]",
        }
    }

    pub(crate) fn from_ref(kind: RefKind) -> Kind {
        match kind {
            RefKind::Commitment => Kind::Commitment,
            RefKind::Phase => Kind::Phase,
            RefKind::Event => Kind::Event,
            RefKind::Stage => Kind::Stage,
        }
    }
}

/// A use of an identifier, checked after the whole file is read.
#[derive(Debug, Clone)]
pub(crate) struct Use {
    pub kind: Kind,
    pub id: String,
    pub span: Range<usize>,
}

/// The state of one file's reading: its source, diagnostics, declarations and uses.
pub(crate) struct Ctx<'s> {
    pub source: &'s str,
    pub diagnostics: Vec<Diagnostic>,
    /// The first declaration of each identifier, by namespace.
    pub declared: BTreeMap<(Kind, String), Range<usize>>,
    pub uses: Vec<Use>,
    /// Participants named where a monitor (`true`) or a party (`false`) is required.
    pub participant_uses: Vec<(bool, String, Range<usize>)>,
}

impl<'s> Ctx<'s> {
    pub fn new(source: &'s str) -> Self {
        Self {
            source,
            diagnostics: Vec::new(),
            declared: BTreeMap::new(),
            uses: Vec::new(),
            participant_uses: Vec::new(),
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(code, span, message));
        // INVARIANT: just pushed.
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Declares an identifier; a second declaration in the same namespace is an error.
    pub fn declare(&mut self, kind: Kind, id: &str, span: Range<usize>) {
        if let Some(first) = self.declared.get(&(kind, id.to_owned())) {
            let at = crate::diagnostic::SourceMap::new(self.source).line_col(first.start);
            self.push(
                Diagnostic::error(
                    "accord::duplicate_id",
                    span,
                    format!("{} `{id}` is declared twice", kind.noun()),
                )
                .with_label("second declaration")
                .with_help(format!(
                    "the first is at line {}, column {}: give each {} its own identifier",
                    at.line,
                    at.column,
                    kind.noun()
                )),
            );
            return;
        }
        self.declared.insert((kind, id.to_owned()), span);
    }

    pub fn is_declared(&self, kind: Kind, id: &str) -> bool {
        self.declared.contains_key(&(kind, id.to_owned()))
    }

    /// Records a use of an identifier, checked by [`Ctx::check_uses`].
    pub fn refer(&mut self, kind: Kind, id: &str, span: Range<usize>) {
        self.uses.push(Use {
            kind,
            id: id.to_owned(),
            span,
        });
    }

    /// Reports every use of an identifier that is not declared, saying what it is if it
    /// names something of another kind, or suggesting the closest declared one.
    pub fn check_uses(&mut self) {
        let uses = std::mem::take(&mut self.uses);
        for u in &uses {
            if self.is_declared(u.kind, &u.id) {
                continue;
            }
            let other = self
                .declared
                .keys()
                .find(|(k, id)| *k != u.kind && id == &u.id)
                .map(|(k, _)| *k);
            let same: Vec<&str> = self
                .declared
                .keys()
                .filter(|(k, _)| *k == u.kind)
                .map(|(_, id)| id.as_str())
                .collect();
            let d = if let Some(other) = other {
                Diagnostic::error(
                    "accord::wrong_kind",
                    u.span.clone(),
                    format!(
                        "`{}` is {} {}, not {} {}",
                        u.id,
                        other.article(),
                        other.noun(),
                        u.kind.article(),
                        u.kind.noun()
                    ),
                )
                .with_help(did_you_mean(&u.id, same.iter().copied(), |all| {
                    if all.is_empty() {
                        format!("declare it in {}", u.kind.section())
                    } else {
                        format!("the {} are {}", u.kind.plural(), one_of(&all))
                    }
                }))
            } else {
                Diagnostic::error(
                    "accord::unknown_reference",
                    u.span.clone(),
                    format!("unknown {} `{}`", u.kind.noun(), u.id),
                )
                .with_label(format!("not declared in {}", u.kind.section()))
                .with_help(did_you_mean(&u.id, same.iter().copied(), |all| {
                    if all.is_empty() {
                        format!("declare it in {}", u.kind.section())
                    } else if all.len() <= 8 {
                        format!("the {} are {}", u.kind.plural(), one_of(&all))
                    } else {
                        format!("declare it in {}", u.kind.section())
                    }
                }))
            };
            self.push(d);
        }
    }
}

/// Describes a TOML value's type for messages ("a string", "an integer").
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// One TOML table being read: remembers the keys asked for.
pub(crate) struct Table<'a, 'i> {
    pub table: &'a DeTable<'i>,
    pub span: Range<usize>,
    /// What the table is, for messages: "a party", "the `[review]` table".
    pub what: String,
    asked: Vec<&'static str>,
}

impl<'a, 'i> Table<'a, 'i> {
    pub fn new(table: &'a DeTable<'i>, span: Range<usize>, what: impl Into<String>) -> Self {
        Self {
            table,
            span,
            what: what.into(),
            asked: Vec::new(),
        }
    }

    /// Reads a value as a table, or reports its type.
    pub fn of(ctx: &mut Ctx<'_>, value: &'a Value<'i>, what: impl Into<String>) -> Option<Self> {
        let what = what.into();
        match value.get_ref() {
            DeValue::Table(t) => Some(Self::new(t, value.span(), what)),
            other => {
                ctx.error(
                    "accord::type",
                    value.span(),
                    format!("expected {what} as a table, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// The value at `key`, if present.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        self.asked.push(key);
        self.table.get(key)
    }

    /// The value at `key`, reporting its absence.
    pub fn require(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<&'a Value<'i>> {
        let v = self.get(key);
        if v.is_none() {
            ctx.push(
                Diagnostic::error(
                    "accord::missing_key",
                    self.header_span(ctx.source),
                    format!("{} has no `{key}`", self.what),
                )
                .with_help(format!("add `{key} = ...` (see docs/agreement-format.md)")),
            );
        }
        v
    }

    /// The span to point at for a whole table: its first line, not every line of it.
    pub fn header_span(&self, source: &str) -> Range<usize> {
        let start = self.span.start.min(source.len());
        let rest = source
            .get(start..self.span.end.min(source.len()))
            .unwrap_or("");
        let len = rest.find('\n').unwrap_or(rest.len());
        start..start + len.max(usize::from(rest.is_empty() && start < source.len()))
    }

    /// Reports every key that was never asked for.
    pub fn finish(self, ctx: &mut Ctx<'_>) {
        let mut unknown: Vec<(&Spanned<std::borrow::Cow<'_, str>>, &Value<'_>)> = self
            .table
            .iter()
            .filter(|(k, _)| !self.asked.contains(&k.get_ref().as_ref()))
            .collect();
        unknown.sort_by_key(|(k, _)| k.span().start);
        for (key, _) in unknown {
            let name = key.get_ref().as_ref();
            let mut known = self.asked.clone();
            known.sort_unstable();
            known.dedup();
            ctx.push(
                Diagnostic::error(
                    "accord::unknown_key",
                    key.span(),
                    format!("unknown key `{name}` in {}", self.what),
                )
                .with_help(did_you_mean(name, known.iter().copied(), |all| {
                    format!("the keys here are {}", one_of(&all))
                })),
            );
        }
    }

    // ---- typed getters ----

    pub fn req_str(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Spanned<String>> {
        let v = self.require(ctx, key)?;
        string(ctx, v, key)
    }

    pub fn opt_str(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Spanned<String>> {
        let v = self.get(key)?;
        string(ctx, v, key)
    }

    /// A required identifier of type `T`, declared in `kind` (if given).
    pub fn req_id<T: FromStr<Err = IdError>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        declare: Option<Kind>,
    ) -> Option<T> {
        let s = self.req_str(ctx, key)?;
        let id = ident::<T>(ctx, &s)?;
        if let Some(kind) = declare {
            ctx.declare(kind, s.get_ref(), s.span());
        }
        Some(id)
    }

    /// An identifier referring to something of `kind`.
    pub fn ref_id<T: FromStr<Err = IdError>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        kind: Kind,
        required: bool,
    ) -> Option<Spanned<T>> {
        let v = if required {
            self.require(ctx, key)?
        } else {
            self.get(key)?
        };
        let s = string(ctx, v, key)?;
        let id = ident::<T>(ctx, &s)?;
        ctx.refer(kind, s.get_ref(), s.span());
        Some(Spanned::new(s.span(), id))
    }

    /// A list of identifiers referring to things of `kind` (empty when absent).
    pub fn ref_ids<T: FromStr<Err = IdError>>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        kind: Kind,
    ) -> Option<Vec<Spanned<T>>> {
        let Some(v) = self.get(key) else {
            return Some(Vec::new());
        };
        let items = strings(ctx, v, key)?;
        let mut out = Vec::new();
        let mut ok = true;
        for s in items {
            match ident::<T>(ctx, &s) {
                Some(id) => {
                    ctx.refer(kind, s.get_ref(), s.span());
                    out.push(Spanned::new(s.span(), id));
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A list of strings (empty when absent).
    pub fn str_list(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Vec<String>> {
        let Some(v) = self.get(key) else {
            return Some(Vec::new());
        };
        Some(
            strings(ctx, v, key)?
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
        )
    }

    pub fn opt_bool(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Option<bool>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Some(*b)),
            other => {
                ctx.error(
                    "accord::type",
                    v.span(),
                    format!(
                        "`{key}` must be `true` or `false`, found {}",
                        type_name(other)
                    ),
                );
                None
            }
        }
    }

    /// A whole number in `0..=max`.
    pub fn opt_uint(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        max: u64,
    ) -> Option<Option<Spanned<u64>>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        uint(ctx, v, key, max).map(Some)
    }

    pub fn req_uint(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        max: u64,
    ) -> Option<Spanned<u64>> {
        let v = self.require(ctx, key)?;
        uint(ctx, v, key, max)
    }

    /// A finite number (integer or float).
    pub fn req_number(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Spanned<f64>> {
        let v = self.require(ctx, key)?;
        number(ctx, v, key)
    }

    pub fn opt_number(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Option<Spanned<f64>>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        number(ctx, v, key).map(Some)
    }

    pub fn req_duration(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Spanned<CalendarDuration>> {
        let v = self.require(ctx, key)?;
        duration(ctx, v, key)
    }

    pub fn opt_duration(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Option<Spanned<CalendarDuration>>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        duration(ctx, v, key).map(Some)
    }

    pub fn req_date_rule(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Located<DateRule>> {
        let v = self.require(ctx, key)?;
        date_rule(ctx, v, key)
    }

    pub fn opt_date_rule(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Option<Located<DateRule>>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        date_rule(ctx, v, key).map(Some)
    }

    pub fn opt_instant(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Option<Spanned<Instant>>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        instant(ctx, v, key).map(Some)
    }

    /// One of a fixed set of words, e.g. a role.
    pub fn req_choice<T: Copy>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        choices: &[(&'static str, T)],
    ) -> Option<Spanned<T>> {
        let v = self.require(ctx, key)?;
        choice(ctx, v, key, choices)
    }

    pub fn opt_choice<T: Copy>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        choices: &[(&'static str, T)],
    ) -> Option<Option<Spanned<T>>> {
        let Some(v) = self.get(key) else {
            return Some(None);
        };
        choice(ctx, v, key, choices).map(Some)
    }

    /// A list of tables (`[[x]]`), absent meaning empty.
    pub fn tables(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        what: &str,
    ) -> Vec<Table<'a, 'i>> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        tables(ctx, v, key, what)
    }
}

/// A value together with the span of the text it was read from, and the base offset of
/// that text's content (for pointing into conditions and date rules).
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
    pub references: Vec<Reference>,
}

pub(crate) fn tables<'a, 'i>(
    ctx: &mut Ctx<'_>,
    v: &'a Value<'i>,
    key: &str,
    what: &str,
) -> Vec<Table<'a, 'i>> {
    match v.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|item| Table::of(ctx, item, what.to_owned()))
            .collect(),
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!(
                        "`{key}` must be a list of tables, found {}",
                        type_name(other)
                    ),
                )
                .with_help(format!("write each one under its own `[[{key}]]` header")),
            );
            Vec::new()
        }
    }
}

pub(crate) fn string(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Spanned<String>> {
    match v.get_ref() {
        DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!("`{key}` must be a string, found {}", type_name(other)),
                )
                .with_help("put the value in double quotes"),
            );
            None
        }
    }
}

pub(crate) fn strings(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Vec<Spanned<String>>> {
    match v.get_ref() {
        DeValue::Array(items) => {
            let mut out = Vec::new();
            let mut ok = true;
            for item in items.iter() {
                match string(ctx, item, key) {
                    Some(s) => out.push(s),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        }
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!(
                        "`{key}` must be a list of strings, found {}",
                        type_name(other)
                    ),
                )
                .with_help(format!("write `{key} = [\"...\", \"...\"]`")),
            );
            None
        }
    }
}

pub(crate) fn ident<T: FromStr<Err = IdError>>(
    ctx: &mut Ctx<'_>,
    s: &Spanned<String>,
) -> Option<T> {
    match s.get_ref().parse::<T>() {
        Ok(id) => Some(id),
        Err(e) => {
            ctx.push(
                Diagnostic::error("accord::identifier", s.span(), e.to_string())
                    .with_help("identifiers are 1 to 64 characters of letters, digits, `_`, `-` and `.`, e.g. `enrichment_cap`"),
            );
            None
        }
    }
}

pub(crate) fn uint(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str, max: u64) -> Option<Spanned<u64>> {
    let parsed = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok(),
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!("`{key}` must be a whole number, found {}", type_name(other)),
                )
                .with_help(format!("write the number without quotes: `{key} = 1`")),
            );
            return None;
        }
    };
    match parsed
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n <= max)
    {
        Some(n) => Some(Spanned::new(v.span(), n)),
        None => {
            ctx.error(
                "accord::range",
                v.span(),
                format!("`{key}` must be a whole number from 0 to {max}"),
            );
            None
        }
    }
}

pub(crate) fn number(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Spanned<f64>> {
    let n = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!("`{key}` must be a number, found {}", type_name(other)),
                )
                .with_help(format!("write the number without quotes: `{key} = 2.5`")),
            );
            return None;
        }
    };
    match n.filter(|n| n.is_finite()) {
        Some(n) => Some(Spanned::new(v.span(), n)),
        None => {
            ctx.error(
                "accord::range",
                v.span(),
                format!("`{key}` must be a finite number"),
            );
            None
        }
    }
}

pub(crate) fn duration(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    key: &str,
) -> Option<Spanned<CalendarDuration>> {
    let s = string(ctx, v, key)?;
    match s.get_ref().parse::<CalendarDuration>() {
        Ok(d) => Some(Spanned::new(s.span(), d)),
        Err(e) => {
            ctx.push(
                Diagnostic::error("accord::duration", s.span(), e.to_string()).with_help(
                    "durations are ISO 8601: `P90D` (days), `P6M` (months), `P1Y`, `P2W`",
                ),
            );
            None
        }
    }
}

/// Where the content of a string value starts in the source, when it is written without
/// escapes (so that offsets into the value are offsets into the source). Otherwise `None`:
/// diagnostics then point at the whole value.
pub(crate) fn content_offset(source: &str, span: &Range<usize>, content: &str) -> Option<usize> {
    let raw = source.get(span.clone())?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            let inner = if quote.len() == 3 {
                inner.strip_prefix('\n').unwrap_or(inner)
            } else {
                inner
            };
            if inner == content {
                return Some(span.end - quote.len() - inner.len());
            }
        }
    }
    None
}

/// Moves a syntax error or reference span from the string's content into the source.
pub(crate) fn shift(
    span: &Range<usize>,
    base: Option<usize>,
    whole: &Range<usize>,
) -> Range<usize> {
    match base {
        Some(b) => b + span.start..b + span.end,
        None => whole.clone(),
    }
}

pub(crate) fn syntax_diagnostic(
    code: &'static str,
    e: SyntaxError,
    base: Option<usize>,
    whole: &Range<usize>,
) -> Diagnostic {
    let code = e.code.unwrap_or(code);
    let mut d = Diagnostic::error(code, shift(&e.span, base, whole), e.message);
    d.help = e.help;
    d
}

pub(crate) fn date_rule(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Located<DateRule>> {
    match v.get_ref() {
        DeValue::Datetime(dt) => match (dt.date, dt.time) {
            (Some(d), None) => {
                let text = format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
                match condition::parse_date(&text, 0..0) {
                    Ok(date) => Some(Located {
                        value: DateRule::On(date),
                        span: v.span(),
                        references: Vec::new(),
                    }),
                    Err(e) => {
                        ctx.push(syntax_diagnostic("accord::date", e, None, &v.span()));
                        None
                    }
                }
            }
            (Some(_), Some(_)) => match dt.to_string().parse::<accord_core::time::Moment>() {
                Ok(m) => Some(Located {
                    value: DateRule::At(m),
                    span: v.span(),
                    references: Vec::new(),
                }),
                Err(accord_core::time::MomentError::NoZone(text)) => {
                    ctx.push(
                        Diagnostic::error(
                            "accord::date",
                            v.span(),
                            format!("`{key}` has a time but no zone"),
                        )
                        .with_help(format!(
                            "say where the time is read: `\"{text}[Europe/London]\"` (an IANA zone, in quotes), `{text}Z` or `{text}-05:00`"
                        )),
                    );
                    None
                }
                Err(e) => {
                    let e = condition::moment_error(e, 0..0);
                    ctx.push(syntax_diagnostic("accord::date", e, None, &v.span()));
                    None
                }
            },
            _ => {
                ctx.push(
                    Diagnostic::error(
                        "accord::date",
                        v.span(),
                        format!("`{key}` must be a date, or a date with a time"),
                    )
                    .with_help(
                        "write `2026-01-15`, or an instant such as `2026-01-15T00:01:00-05:00`",
                    ),
                );
                None
            }
        },
        DeValue::String(s) => {
            let base = content_offset(ctx.source, &v.span(), s);
            match condition::parse_date_rule(s) {
                Ok(parsed) => {
                    let references = parsed
                        .references
                        .into_iter()
                        .map(|r| Reference {
                            span: shift(&r.span, base, &v.span()),
                            ..r
                        })
                        .collect::<Vec<_>>();
                    for r in &references {
                        ctx.refer(Kind::from_ref(r.kind), &r.id, r.span.clone());
                    }
                    Some(Located {
                        value: parsed.value,
                        span: v.span(),
                        references,
                    })
                }
                Err(e) => {
                    ctx.push(syntax_diagnostic("accord::date", e, base, &v.span()));
                    None
                }
            }
        }
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!(
                        "`{key}` must be a date or a date rule, found {}",
                        type_name(other)
                    ),
                )
                .with_help(
                    "write a date (`2026-01-15`) or a rule in quotes (`\"adoption + P90D\"`)",
                ),
            );
            None
        }
    }
}

pub(crate) fn condition_value(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    key: &str,
) -> Option<Located<accord_core::rule::Condition>> {
    let s = string(ctx, v, key)?;
    let base = content_offset(ctx.source, &v.span(), s.get_ref());
    match condition::parse_condition(s.get_ref()) {
        Ok(parsed) => {
            let references = parsed
                .references
                .into_iter()
                .map(|r| Reference {
                    span: shift(&r.span, base, &v.span()),
                    ..r
                })
                .collect::<Vec<_>>();
            for r in &references {
                ctx.refer(Kind::from_ref(r.kind), &r.id, r.span.clone());
            }
            Some(Located {
                value: parsed.value,
                span: v.span(),
                references,
            })
        }
        Err(e) => {
            ctx.push(syntax_diagnostic("accord::condition", e, base, &v.span()));
            None
        }
    }
}

pub(crate) fn instant(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Spanned<Instant>> {
    let text = match v.get_ref() {
        DeValue::Datetime(dt) => dt.to_string(),
        DeValue::String(s) => s.to_string(),
        other => {
            ctx.error(
                "accord::type",
                v.span(),
                format!(
                    "`{key}` must be an instant in UTC, found {}",
                    type_name(other)
                ),
            );
            return None;
        }
    };
    if !(text.ends_with('Z') || text.ends_with("+00:00")) {
        ctx.push(
            Diagnostic::error(
                "accord::instant",
                v.span(),
                format!("`{text}` is not an instant in UTC"),
            )
            .with_help("write instants in UTC with a `Z`: `2026-01-15T00:00:00Z`"),
        );
        return None;
    }
    match text.parse::<Instant>() {
        Ok(i) => Some(Spanned::new(v.span(), i)),
        Err(_) => {
            ctx.push(
                Diagnostic::error(
                    "accord::instant",
                    v.span(),
                    format!("`{text}` is not a valid instant"),
                )
                .with_help("write instants in UTC with a `Z`: `2026-01-15T00:00:00Z`"),
            );
            None
        }
    }
}

pub(crate) fn choice<T: Copy>(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    key: &str,
    choices: &[(&'static str, T)],
) -> Option<Spanned<T>> {
    let s = string(ctx, v, key)?;
    if let Some((_, t)) = choices.iter().find(|(name, _)| *name == s.get_ref()) {
        return Some(Spanned::new(s.span(), *t));
    }
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    ctx.push(
        Diagnostic::error(
            "accord::unknown_value",
            s.span(),
            format!("`{}` is not a valid `{key}`", s.get_ref()),
        )
        .with_help(did_you_mean(s.get_ref(), names.iter().copied(), |all| {
            format!("`{key}` is one of {}", one_of(&all))
        })),
    );
    None
}

/// A list of choices (empty when absent).
pub(crate) fn choices<T: Copy>(
    ctx: &mut Ctx<'_>,
    v: Option<&Value<'_>>,
    key: &str,
    options: &[(&'static str, T)],
) -> Option<Vec<Spanned<T>>> {
    let Some(v) = v else {
        return Some(Vec::new());
    };
    let DeValue::Array(items) = v.get_ref() else {
        ctx.error(
            "accord::type",
            v.span(),
            format!(
                "`{key}` must be a list of strings, found {}",
                type_name(v.get_ref())
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        match choice(ctx, item, key, options) {
            Some(c) => out.push(c),
            None => ok = false,
        }
    }
    ok.then_some(out)
}
