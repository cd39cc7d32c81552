//! The one notion of "today" and the instants users write.
//!
//! Use cases never read a clock: the shell reads it once and passes the instant in.
//! "Today" is a UTC day (lists and screening count in UTC days), so that the same
//! question asked at the same instant from two time zones gets the same answer. A date
//! given where an agreement is evaluated (`--as-of 2026-07-01`, `status --date`) is a day
//! of that agreement's zone (`[agreement] zone`, UTC when it names none): its end is where
//! the agreement's own days end ([`AsOf`]).

use accord_core::agreement::Agreement;
use accord_core::engine::EvalError;
use accord_core::time::{Date, DayZone, Instant};

use crate::error::{Error, Result};

/// The UTC day of an instant: what "today" means at `now`.
pub fn today(now: Instant) -> Date {
    accord_core::engine::date_of(now)
}

/// An RFC 3339 instant, a local time with its zone (`2026-07-01T00:01[America/New_York]`),
/// or a date meaning the end of that UTC day: for callers that evaluate no agreement, or
/// have not read it yet. Where an agreement is evaluated, [`parse_as_of`] keeps a date a
/// date, to end where the agreement's day ends.
///
/// ```
/// use accord_app::time::parse_instant;
/// let at = parse_instant("2026-07-01").unwrap();
/// assert_eq!(at.to_string(), "2026-07-01T23:59:59.999999999Z");
/// let at = parse_instant("2026-07-01T00:01[America/New_York]").unwrap();
/// assert_eq!(at.to_string(), "2026-07-01T04:01:00Z");
/// assert!(parse_instant("last tuesday").is_err());
/// assert!(parse_instant("2026-03-08T02:30[America/New_York]").is_err()); // skipped
/// ```
pub fn parse_instant(text: &str) -> Result<Instant> {
    Ok(parse_as_of(text)?.instant(&DayZone::utc()))
}

/// The record-time cut of an evaluation as a user gives it: an instant, or a date — the
/// end of that day in the zone of the agreement evaluated (its `[agreement] zone`; UTC when
/// it names none), where every day-derived end of the engine ends too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AsOf {
    /// An instant (RFC 3339, or a local time with its offset or zone): its meaning is
    /// the same for every agreement.
    At(Instant),
    /// A date: its last instant in the agreement's zone (inclusive; the next instant
    /// belongs to the next day).
    EndOf(Date),
}

impl AsOf {
    /// The instant this cut is for an agreement counting its days in `days`.
    ///
    /// ```
    /// use accord_app::time::parse_as_of;
    /// use accord_core::time::DayZone;
    /// let date = parse_as_of("2026-11-09").unwrap();
    /// let tokyo = DayZone::named("Asia/Tokyo").unwrap();
    /// assert_eq!(date.instant(&tokyo).to_string(), "2026-11-09T14:59:59.999999999Z");
    /// assert_eq!(date.instant(&DayZone::utc()).to_string(), "2026-11-09T23:59:59.999999999Z");
    /// let at = parse_as_of("2026-11-09T00:01[America/New_York]").unwrap();
    /// assert_eq!(at.instant(&tokyo).to_string(), "2026-11-09T05:01:00Z");
    /// ```
    pub fn instant(&self, days: &DayZone) -> Instant {
        match self {
            AsOf::At(t) => *t,
            AsOf::EndOf(date) => days.end_of(*date),
        }
    }

    /// The instant this cut is for `agreement` (the zone of its first version governs
    /// every version: pass that one).
    pub fn for_agreement(&self, agreement: &Agreement) -> Result<Instant> {
        Ok(self.instant(&days_of(agreement)?))
    }
}

impl From<Instant> for AsOf {
    fn from(t: Instant) -> AsOf {
        AsOf::At(t)
    }
}

impl std::fmt::Display for AsOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsOf::At(t) => write!(f, "{t}"),
            AsOf::EndOf(d) => write!(f, "{d}"),
        }
    }
}

/// An RFC 3339 instant, a local time with its zone (`2026-07-01T00:01[America/New_York]`),
/// or a date: the end of that day in the evaluated agreement's zone ([`AsOf`]).
///
/// ```
/// use accord_app::time::{AsOf, parse_as_of};
/// assert_eq!(parse_as_of("2026-07-01").unwrap(), AsOf::EndOf(jiff::civil::date(2026, 7, 1)));
/// assert!(matches!(parse_as_of("2026-07-01T12:00Z").unwrap(), AsOf::At(_)));
/// assert!(parse_as_of("2026-07-01T12:00").is_err()); // a time with no zone
/// ```
pub fn parse_as_of(text: &str) -> Result<AsOf> {
    if let Ok(t) = text.parse::<Instant>() {
        return Ok(AsOf::At(t));
    }
    match text.parse::<accord_core::time::Moment>() {
        Ok(m) if m.is_plain() => Ok(AsOf::EndOf(m.date())),
        Ok(m) => Ok(AsOf::At(m.instant())),
        Err(accord_core::time::MomentError::Syntax(_)) => Err(Error::Instant(text.to_owned())),
        Err(source) => Err(Error::Zone(source)),
    }
}

/// The days an agreement counts in: its `[agreement] zone`, UTC when it names none.
pub fn days_of(agreement: &Agreement) -> Result<DayZone> {
    match &agreement.zone {
        None => Ok(DayZone::utc()),
        Some(name) => {
            DayZone::named(name).map_err(|_| Error::Eval(EvalError::UnknownZone(name.clone())))
        }
    }
}

/// The instant a cut means for an agreement registered in `store` (a date: the end of
/// that day in the zone of its first registered version).
pub fn registered_as_of(
    store: &accord_store::Store,
    agreement: &str,
    as_of: AsOf,
) -> Result<Instant> {
    match as_of {
        AsOf::At(t) => Ok(t),
        AsOf::EndOf(_) => {
            let versions = crate::agreements::registered(store, agreement)?;
            match versions.first() {
                Some(first) => as_of.for_agreement(&first.agreement),
                None => Err(Error::NoVersion(agreement.to_owned())),
            }
        }
    }
}

/// An observation time as the list store records it (`YYYY-MM-DDTHH:MM:SSZ`): a given
/// date (its start, UTC) or RFC 3339 time, else `now`.
pub fn observed_at(given: Option<&str>, now: Instant) -> Result<String> {
    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
    let timestamp = match given {
        None => now,
        Some(s) => match s.parse::<Instant>() {
            Ok(t) => t,
            Err(_) => s
                .parse::<Date>()
                .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC))
                .map(|z| z.timestamp())
                .map_err(|_| Error::ObservedAt(s.to_owned()))?,
        },
    };
    Ok(timestamp.strftime(FORMAT).to_string())
}
