//! The one notion of "today" and the instants users write.
//!
//! Use cases never read a clock: the shell reads it once and passes the instant in. A day
//! is a UTC day everywhere (lists, agreements and screening alike), so that the same
//! question asked at the same instant from two time zones gets the same answer.

use accord_core::time::{Date, Instant};

use crate::error::{Error, Result};

/// The UTC day of an instant: what "today" means at `now`.
pub fn today(now: Instant) -> Date {
    accord_core::engine::date_of(now)
}

/// An RFC 3339 instant, a local time with its zone (`2026-07-01T00:01[America/New_York]`),
/// or a date meaning the end of that UTC day.
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
    if let Ok(t) = text.parse::<Instant>() {
        return Ok(t);
    }
    match text.parse::<accord_core::time::Moment>() {
        // A plain date: the end of that UTC day.
        Ok(m) if m.is_plain() => Ok(accord_core::engine::end_of_day(m.date())),
        Ok(m) => Ok(m.instant()),
        Err(accord_core::time::MomentError::Syntax(_)) => Err(Error::Instant(text.to_owned())),
        Err(source) => Err(Error::Zone(source)),
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
