//! Dates, instants, periods and ISO 8601 calendar durations.
//!
//! Agreements count in calendar days and months ("90 days after adoption", "a six-month
//! licence"); the log records instants in UTC. Valid time (the period a statement observes)
//! is a [`Period`] of dates; record time (when it entered the log) is an [`Instant`].
//!
//! INVARIANT: a [`Period`] always has `start <= end` (both inclusive); [`Period::new`] is
//! the only way to build one (serde included).

use std::fmt;

/// A calendar date. The engine counts in UTC days; an act stated at a local time is a
/// [`Moment`].
pub type Date = jiff::civil::Date;

/// An instant in UTC, as recorded by the log.
pub type Instant = jiff::Timestamp;

/// An inclusive range of dates: the period a statement observes, or a review period.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "PeriodRepr", into = "PeriodRepr")]
pub struct Period {
    start: Date,
    end: Date,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PeriodRepr {
    start: Date,
    end: Date,
}

/// A period whose end comes before its start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("period ends on {end}, before it starts on {start}")]
pub struct PeriodError {
    /// The start that was given.
    pub start: Date,
    /// The end that was given.
    pub end: Date,
}

impl Period {
    /// A period from `start` to `end`, both inclusive.
    ///
    /// ```
    /// use accord_core::time::Period;
    /// use jiff::civil::date;
    /// let q1 = Period::new(date(2026, 1, 1), date(2026, 3, 31)).unwrap();
    /// assert!(q1.contains(date(2026, 2, 14)));
    /// assert!(Period::new(date(2026, 3, 31), date(2026, 1, 1)).is_err());
    /// ```
    pub fn new(start: Date, end: Date) -> Result<Self, PeriodError> {
        if end < start {
            return Err(PeriodError { start, end });
        }
        Ok(Self { start, end })
    }

    /// The first day of the period.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day of the period (inclusive).
    pub fn end(&self) -> Date {
        self.end
    }

    /// Whether `day` falls in the period.
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

impl TryFrom<PeriodRepr> for Period {
    type Error = PeriodError;
    fn try_from(r: PeriodRepr) -> Result<Self, PeriodError> {
        Period::new(r.start, r.end)
    }
}

impl From<Period> for PeriodRepr {
    fn from(p: Period) -> Self {
        PeriodRepr {
            start: p.start,
            end: p.end,
        }
    }
}

impl fmt::Debug for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.start, self.end)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

/// The `k`-th date of a schedule that starts on `start` and repeats `every`, computed by
/// multiplying (not by repeated addition, which would drift at month ends).
pub fn nth(start: Date, every: CalendarDuration, k: u32) -> Option<Date> {
    // Schedules are generated at every derivation: the common cadences (whole months or
    // years, whole days or weeks) are computed directly, giving jiff's dates (the property
    // test `nth_computed_directly_is_jiffs` checks it); mixed ones go through jiff.
    if every.weeks == 0 && every.days == 0 {
        let months = (i64::from(every.years) * 12 + i64::from(every.months)) * i64::from(k);
        return add_months(start, months);
    }
    if every.years == 0 && every.months == 0 {
        let days = (i64::from(every.weeks) * 7 + i64::from(every.days)) * i64::from(k);
        return crate::engine::date_from_epoch_day(crate::engine::epoch_day(start) + days);
    }
    nth_by_span(start, every, k)
}

/// `start` plus whole months, the day clamped to the end of a shorter month (jiff's rule).
fn add_months(start: Date, months: i64) -> Option<Date> {
    let total = i64::from(start.year()) * 12 + i64::from(start.month()) - 1 + months;
    let year = i16::try_from(total.div_euclid(12)).ok()?;
    let month = i8::try_from(total.rem_euclid(12) + 1).ok()?;
    let last = Date::new(year, month, 1).ok()?.days_in_month();
    Date::new(year, month, start.day().min(last)).ok()
}

/// [`nth`] by jiff's span arithmetic.
fn nth_by_span(start: Date, every: CalendarDuration, k: u32) -> Option<Date> {
    let k = i64::from(k);
    let span = jiff::Span::new()
        .try_years(i64::from(every.years).checked_mul(k)?)
        .ok()?
        .try_months(i64::from(every.months).checked_mul(k)?)
        .ok()?
        .try_weeks(i64::from(every.weeks).checked_mul(k)?)
        .ok()?
        .try_days(i64::from(every.days).checked_mul(k)?)
        .ok()?;
    start.checked_add(span).ok()
}

/// An ISO 8601 calendar duration in whole years, months, weeks and days: `P90D`, `P6M`,
/// `P1Y2M`, `P2W`.
///
/// Agreements count in calendar units, so a duration is not a number of seconds: `P1M`
/// after 31 January is 28 or 29 February (jiff's clamping rule), and `P6M` is not `P180D`.
/// Durations are compared field by field, never converted.
///
/// ```
/// use accord_core::time::CalendarDuration;
/// use jiff::civil::date;
/// let d: CalendarDuration = "P90D".parse().unwrap();
/// assert_eq!(d.after(date(2026, 1, 1)), Some(date(2026, 4, 1)));
/// assert_eq!(d.to_string(), "P90D");
/// assert!("90 days".parse::<CalendarDuration>().is_err());
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDuration {
    /// Whole years.
    pub years: u16,
    /// Whole months.
    pub months: u16,
    /// Whole weeks.
    pub weeks: u16,
    /// Whole days.
    pub days: u32,
}

/// A string that is not an ISO 8601 calendar duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The string does not follow `P[nY][nM][nW][nD]`.
    #[error("`{0}` is not an ISO 8601 duration: write e.g. `P90D`, `P6M`, `P1Y2M` or `P2W`")]
    Syntax(String),
    /// The string has a time part (`T…`), which agreements do not use.
    #[error("`{0}` has a time part: agreements count in whole days, write e.g. `P1D`")]
    TimePart(String),
    /// A number is too large.
    #[error("`{0}` is too long a duration")]
    TooLarge(String),
}

impl CalendarDuration {
    /// A duration of `days` days.
    pub const fn days(days: u32) -> Self {
        Self {
            years: 0,
            months: 0,
            weeks: 0,
            days,
        }
    }

    /// A duration of `months` months.
    pub const fn months(months: u16) -> Self {
        Self {
            years: 0,
            months,
            weeks: 0,
            days: 0,
        }
    }

    /// Whether every field is zero.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    /// The date this duration after `date`, or `None` past the end of the calendar.
    pub fn after(&self, date: Date) -> Option<Date> {
        // Days and weeks alone (most graces and cadences): day arithmetic, the same dates
        // as the span's, without building one; a derivation does this for every period.
        if self.years == 0 && self.months == 0 {
            let days = i64::from(self.days) + 7 * i64::from(self.weeks);
            return crate::engine::date_from_epoch_day(crate::engine::epoch_day(date) + days);
        }
        date.checked_add(self.span()?).ok()
    }

    /// The date this duration before `date`, or `None` before the start of the calendar.
    pub fn before(&self, date: Date) -> Option<Date> {
        date.checked_sub(self.span()?).ok()
    }

    fn span(&self) -> Option<jiff::Span> {
        jiff::Span::new()
            .try_years(i64::from(self.years))
            .ok()?
            .try_months(i64::from(self.months))
            .ok()?
            .try_weeks(i64::from(self.weeks))
            .ok()?
            .try_days(i64::from(self.days))
            .ok()
    }
}

impl std::str::FromStr for CalendarDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, DurationError> {
        let syntax = || DurationError::Syntax(s.to_owned());
        let body = s.strip_prefix('P').ok_or_else(syntax)?;
        if body.contains('T') {
            return Err(DurationError::TimePart(s.to_owned()));
        }
        if body.is_empty() {
            return Err(syntax());
        }
        let mut out = CalendarDuration::default();
        let mut digits = String::new();
        // Designators must come in this order, each at most once.
        let mut next_allowed = 0;
        for c in body.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let slot = match c {
                'Y' => 0,
                'M' => 1,
                'W' => 2,
                'D' => 3,
                _ => return Err(syntax()),
            };
            if digits.is_empty() || slot < next_allowed {
                return Err(syntax());
            }
            next_allowed = slot + 1;
            let too_large = || DurationError::TooLarge(s.to_owned());
            match slot {
                0 => out.years = digits.parse().map_err(|_| too_large())?,
                1 => out.months = digits.parse().map_err(|_| too_large())?,
                2 => out.weeks = digits.parse().map_err(|_| too_large())?,
                _ => out.days = digits.parse().map_err(|_| too_large())?,
            }
            digits.clear();
        }
        if !digits.is_empty() {
            return Err(syntax());
        }
        Ok(out)
    }
}

impl fmt::Display for CalendarDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P")?;
        if self.is_zero() {
            return f.write_str("0D");
        }
        if self.years > 0 {
            write!(f, "{}Y", self.years)?;
        }
        if self.months > 0 {
            write!(f, "{}M", self.months)?;
        }
        if self.weeks > 0 {
            write!(f, "{}W", self.weeks)?;
        }
        if self.days > 0 {
            write!(f, "{}D", self.days)?;
        }
        Ok(())
    }
}

impl fmt::Debug for CalendarDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for CalendarDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CalendarDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The zone an instant is stated in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    /// A fixed offset from UTC in seconds (`Z` is zero).
    Offset(i32),
    /// An IANA time zone (`Europe/London`, `America/New_York`, `GMT`), with the offset in
    /// force at the instant.
    Iana {
        /// The zone's name as the tz database spells it.
        name: String,
        /// The offset in force at the instant, in seconds.
        offset: i32,
    },
}

/// The zone an agreement counts its days in: UTC unless the agreement names an IANA zone
/// (`zone = "America/New_York"`). A day-derived end — a countdown, a grace period, a
/// dispute stage's deadline, an expiry by date — ends at the end of that day *there*, and
/// the evaluation day of an instant is its civil date there.
///
/// ```
/// use accord_core::time::DayZone;
/// use jiff::civil::date;
/// let ny = DayZone::named("America/New_York").unwrap();
/// let t: jiff::Timestamp = "2026-11-10T03:00:00Z".parse().unwrap();
/// assert_eq!(ny.day_of(t), date(2026, 11, 9)); // 22:00 on the 9th in New York
/// assert_eq!(ny.start_of(date(2026, 11, 10)).to_string(), "2026-11-10T05:00:00Z");
/// assert_eq!(DayZone::utc().day_of(t), date(2026, 11, 10));
/// assert!(DayZone::named("Mars/Olympus").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayZone {
    /// `None` for UTC, counted without the tz database.
    tz: Option<jiff::tz::TimeZone>,
}

impl DayZone {
    /// Days of UTC, as plain dates have always meant.
    pub fn utc() -> Self {
        Self::default()
    }

    /// Days of the IANA zone `name` (from the bundled tz database, so an evaluation reads
    /// no file and gives the same answer on every machine).
    pub fn named(name: &str) -> Result<Self, MomentError> {
        Ok(Self {
            tz: Some(bundled_zone(name, name)?),
        })
    }

    /// The zone's name, `None` for UTC.
    pub fn name(&self) -> Option<&str> {
        self.tz.as_ref().and_then(|tz| tz.iana_name())
    }

    /// The civil date of `instant` in this zone.
    pub fn day_of(&self, instant: Instant) -> Date {
        match &self.tz {
            None => crate::engine::date_of(instant),
            Some(tz) => tz.to_datetime(instant).date(),
        }
    }

    /// The first instant of `date` in this zone (where clocks skip midnight, the first
    /// instant that day has).
    pub fn start_of(&self, date: Date) -> Instant {
        match &self.tz {
            None => crate::engine::start_of_day(date),
            Some(tz) => date
                .to_datetime(jiff::civil::Time::midnight())
                .to_zoned_datetime(tz.clone())
                .and_then(|z| z.start_of_day())
                .map_or_else(|_| crate::engine::start_of_day(date), |z| z.timestamp()),
        }
    }

    /// The last instant of `date` in this zone: a day-derived end that ends "on" `date`
    /// ends here, inclusive (the next instant belongs to the next day).
    pub fn end_of(&self, date: Date) -> Instant {
        match (&self.tz, date.tomorrow()) {
            (Some(_), Ok(next)) => self
                .start_of(next)
                .checked_sub(jiff::SignedDuration::from_nanos(1))
                .unwrap_or(Instant::MAX),
            _ => crate::engine::end_of_day(date),
        }
    }
}

/// A day, or an instant stated in a zone: what legal acts take effect at.
///
/// Written `2026-11-09` (a plain date: from the start of that day, UTC, as dates always
/// meant), or a local time with its zone: `2026-11-09T00:01-05:00` (an offset),
/// `2026-11-09T00:00Z` (UTC), `2026-11-09T00:01[America/New_York]` (an IANA zone; the
/// offset is found from the bundled tz database), or both, `2026-11-09T01:30-05:00[America/New_York]`
/// (the offset picks one of the two readings of a local time repeated when clocks go back).
/// A moment keeps the local time and the zone the instrument used, and the instant they
/// name; it is written back with the offset in force (`2026-11-09T00:01:00-05:00[America/New_York]`).
///
/// Moments compare by instant (then by how they are written).
///
/// ```
/// use accord_core::time::Moment;
/// let m: Moment = "2026-11-09T00:01[America/New_York]".parse().unwrap();
/// assert_eq!(m.instant().to_string(), "2026-11-09T05:01:00Z");
/// assert_eq!(m.to_string(), "2026-11-09T00:01:00-05:00[America/New_York]");
/// let plain: Moment = "2026-11-09".parse().unwrap();
/// assert_eq!(plain.instant().to_string(), "2026-11-09T00:00:00Z");
/// assert!("2026-03-08T02:30[America/New_York]".parse::<Moment>().is_err()); // skipped
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Moment {
    date: Date,
    /// The local time, its zone and the instant, when a time is stated (boxed: most acts
    /// are dated, and statements stay small).
    timed: Option<Box<Timed>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Timed {
    time: jiff::civil::Time,
    zone: Zone,
    instant: Instant,
}

/// A string that is not a date or an instant with its zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MomentError {
    /// Not `YYYY-MM-DD`, nor a local time with an offset or a zone.
    #[error(
        "`{0}` is not a date or an instant: write `2026-11-09`, `2026-11-09T00:01Z`, `2026-11-09T00:01-05:00` or `2026-11-09T00:01[America/New_York]`"
    )]
    Syntax(String),
    /// A local time with no offset and no zone.
    #[error(
        "`{0}` has a time but no zone: say which, e.g. `{0}Z`, `{0}+01:00` or `{0}[Europe/London]`"
    )]
    NoZone(String),
    /// A zone the tz database does not have.
    #[error(
        "`{zone}` is not a time zone of the tz database (in `{text}`): write an IANA name such as `Europe/London`, or an offset"
    )]
    UnknownZone {
        /// The text given.
        text: String,
        /// The zone named.
        zone: String,
    },
    /// A local time that clocks skipped in that zone.
    #[error(
        "`{local}` does not exist in {zone}: clocks skipped from {before} to {after} that day; write the instant meant with its offset"
    )]
    Skipped {
        /// The local time given.
        local: String,
        /// The zone.
        zone: String,
        /// The offset before the change.
        before: String,
        /// The offset after.
        after: String,
    },
    /// A local time that occurs twice in that zone (clocks went back).
    #[error(
        "`{local}` occurs twice in {zone} (at {first} and at {second}): write the one meant with its offset, e.g. `{local}{first}[{zone}]`"
    )]
    Ambiguous {
        /// The local time given.
        local: String,
        /// The zone.
        zone: String,
        /// The offset of the first occurrence.
        first: String,
        /// The offset of the second.
        second: String,
    },
    /// An offset that is not in force in that zone at that local time.
    #[error("`{text}`: {zone} is not at {offset} then")]
    OffsetMismatch {
        /// The text given.
        text: String,
        /// The zone.
        zone: String,
        /// The offset given.
        offset: String,
    },
}

/// The IANA zone `name` from the tz database bundled with Accord (`text`: where it was
/// written, for the error).
fn bundled_zone(name: &str, text: &str) -> Result<jiff::tz::TimeZone, MomentError> {
    jiff::tz::TimeZoneDatabase::bundled()
        .get(name)
        .map_err(|_| MomentError::UnknownZone {
            text: text.to_owned(),
            zone: name.to_owned(),
        })
}

/// An offset in seconds as `±HH:MM` (with `:SS` when there are seconds).
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    let (h, m, s) = (a / 3600, (a / 60) % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// Parses `Z`, `z` or `±HH:MM` into seconds.
fn parse_offset(text: &str) -> Option<i32> {
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if h > 25 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

impl Moment {
    /// A plain date: from the start of that day, UTC.
    pub fn day(date: Date) -> Self {
        Self { date, timed: None }
    }

    /// The date as written (the local date, for an instant stated in a zone).
    pub fn date(&self) -> Date {
        self.date
    }

    /// The local time, when one is stated.
    pub fn time(&self) -> Option<jiff::civil::Time> {
        self.timed.as_ref().map(|t| t.time)
    }

    /// The zone, when a time is stated.
    pub fn zone(&self) -> Option<&Zone> {
        self.timed.as_ref().map(|t| &t.zone)
    }

    /// Whether it is a plain date (no time, no zone).
    pub fn is_plain(&self) -> bool {
        self.timed.is_none()
    }

    /// The instant it names: a plain date's is the start of its day, UTC.
    pub fn instant(&self) -> Instant {
        self.timed
            .as_ref()
            .map_or_else(|| crate::engine::start_of_day(self.date), |t| t.instant)
    }

    /// The day it counts from in an evaluation as of `as_of`, in an agreement that counts
    /// its days in `days`. An instant counts from the day it falls on there, except on that
    /// very day before it, when it has not come yet (it then counts from the next day). A
    /// plain date is its own day (a day of the agreement's zone).
    ///
    /// ```
    /// use accord_core::time::{DayZone, Moment};
    /// use jiff::civil::date;
    /// let m: Moment = "2026-11-09T00:01-05:00".parse().unwrap(); // 05:01 UTC
    /// let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    /// let utc = DayZone::utc();
    /// assert_eq!(m.day_as_of(at("2026-11-09T05:00:59Z"), &utc), date(2026, 11, 10));
    /// assert_eq!(m.day_as_of(at("2026-11-09T05:01:00Z"), &utc), date(2026, 11, 9));
    /// // In Tokyo, 05:01 UTC on the 9th is 14:01 on the 9th; 23:00 UTC is the 10th there.
    /// let tokyo = DayZone::named("Asia/Tokyo").unwrap();
    /// let late: Moment = "2026-11-09T23:00Z".parse().unwrap();
    /// assert_eq!(late.day_as_of(at("2026-11-10T00:00:00Z"), &tokyo), date(2026, 11, 10));
    /// ```
    pub fn day_as_of(&self, as_of: Instant, days: &DayZone) -> Date {
        if self.is_plain() {
            return self.date;
        }
        let instant = self.instant();
        let day = days.day_of(instant);
        if as_of < instant && day == days.day_of(as_of) {
            day.tomorrow().unwrap_or(day)
        } else {
            day
        }
    }

    /// This moment `by` later, at the same local time in the same zone (a plain date stays
    /// a plain date): "30 days, then at midnight GMT" is `2026-10-10T00:00[GMT]` and `P30D`.
    /// Where the clocks changed in between, a local time skipped reads as the time after
    /// the change and a repeated one as its first occurrence. `None` past the calendar.
    ///
    /// ```
    /// use accord_core::time::{CalendarDuration, Moment};
    /// let m: Moment = "2026-10-10T00:01[America/New_York]".parse().unwrap();
    /// let later = m.after(CalendarDuration::days(30)).unwrap();
    /// assert_eq!(later.to_string(), "2026-11-09T00:01:00-05:00[America/New_York]");
    /// ```
    pub fn after(&self, by: CalendarDuration) -> Option<Moment> {
        let date = by.after(self.date)?;
        let Some(Timed { time, zone, .. }) = self.timed.as_deref() else {
            return Some(Moment::day(date));
        };
        let time = *time;
        let local = date.to_datetime(time);
        let (zone, instant) = match zone {
            Zone::Offset(o) => {
                let off = jiff::tz::Offset::from_seconds(*o).ok()?;
                (Zone::Offset(*o), off.to_timestamp(local).ok()?)
            }
            Zone::Iana { name, .. } => {
                let tz = jiff::tz::TimeZoneDatabase::bundled().get(name).ok()?;
                let instant = tz.to_ambiguous_timestamp(local).compatible().ok()?;
                let offset = tz.to_offset(instant).seconds();
                (
                    Zone::Iana {
                        name: name.clone(),
                        offset,
                    },
                    instant,
                )
            }
        };
        // A skipped local time moved past the change: keep the time the instant shows.
        let shown = jiff::tz::Offset::from_seconds(match &zone {
            Zone::Offset(o) | Zone::Iana { offset: o, .. } => *o,
        })
        .ok()?
        .to_datetime(instant);
        Some(Moment {
            date: shown.date(),
            timed: Some(Box::new(Timed {
                time: shown.time(),
                zone,
                instant,
            })),
        })
    }

    fn resolve(
        text: &str,
        date: Date,
        time: jiff::civil::Time,
        offset: Option<i32>,
        zone: Option<&str>,
    ) -> Result<Self, MomentError> {
        let local = date.to_datetime(time);
        let syntax = || MomentError::Syntax(text.to_owned());
        let (zone, seconds) = match (offset, zone) {
            (None, None) => return Err(MomentError::NoZone(text.to_owned())),
            (Some(o), None) => (Zone::Offset(o), o),
            (given, Some(name)) => {
                let tz = bundled_zone(name, text)?;
                let name = tz.iana_name().unwrap_or(name).to_owned();
                let seconds = zone_offset(text, &tz, local, given, &name)?;
                (
                    Zone::Iana {
                        name,
                        offset: seconds,
                    },
                    seconds,
                )
            }
        };
        let off = jiff::tz::Offset::from_seconds(seconds).map_err(|_| syntax())?;
        let instant = off.to_timestamp(local).map_err(|_| syntax())?;
        Ok(Self {
            date,
            timed: Some(Box::new(Timed {
                time,
                zone,
                instant,
            })),
        })
    }
}

/// The offset in force in `tz` at the local time `local`, picked by `given` when clocks
/// went back; an error for a skipped local time or an offset not in force then.
fn zone_offset(
    text: &str,
    tz: &jiff::tz::TimeZone,
    local: jiff::civil::DateTime,
    given: Option<i32>,
    name: &str,
) -> Result<i32, MomentError> {
    use jiff::tz::AmbiguousOffset;
    let mismatch = |o: i32| MomentError::OffsetMismatch {
        text: text.to_owned(),
        zone: name.to_owned(),
        offset: offset_text(o),
    };
    match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => match given {
            Some(g) if g != offset.seconds() => Err(mismatch(g)),
            _ => Ok(offset.seconds()),
        },
        AmbiguousOffset::Gap { before, after } => Err(MomentError::Skipped {
            local: local.to_string(),
            zone: name.to_owned(),
            before: offset_text(before.seconds()),
            after: offset_text(after.seconds()),
        }),
        AmbiguousOffset::Fold { before, after } => match given {
            Some(g) if g == before.seconds() || g == after.seconds() => Ok(g),
            Some(g) => Err(mismatch(g)),
            None => Err(MomentError::Ambiguous {
                local: local.to_string(),
                zone: name.to_owned(),
                first: offset_text(before.seconds()),
                second: offset_text(after.seconds()),
            }),
        },
    }
}

impl From<Date> for Moment {
    fn from(date: Date) -> Self {
        Moment::day(date)
    }
}

impl std::str::FromStr for Moment {
    type Err = MomentError;

    fn from_str(text: &str) -> Result<Self, MomentError> {
        let syntax = || MomentError::Syntax(text.to_owned());
        let (day, rest) = match text.get(..10) {
            Some(d) if text.len() == 10 => (d, ""),
            Some(d) => (d, text.get(10..).ok_or_else(syntax)?),
            None => return Err(syntax()),
        };
        let date: Date = day.parse().map_err(|_| syntax())?;
        if rest.is_empty() {
            return Ok(Moment::day(date));
        }
        let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(syntax)?;
        let (before_zone, zone) = match rest.split_once('[') {
            Some((b, z)) => (b, Some(z.strip_suffix(']').ok_or_else(syntax)?)),
            None => (rest, None),
        };
        let cut = before_zone
            .find(['Z', 'z', '+', '-'])
            .unwrap_or(before_zone.len());
        let (clock, offset) = before_zone.split_at(cut);
        let time: jiff::civil::Time = clock.parse().map_err(|_| syntax())?;
        let offset = match offset {
            "" => None,
            o => Some(parse_offset(o).ok_or_else(syntax)?),
        };
        Moment::resolve(text, date, time, offset, zone)
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(Timed { time, zone, .. }) = self.timed.as_deref() else {
            return write!(f, "{}", self.date);
        };
        let time = *time;
        write!(f, "{}", self.date.to_datetime(time))?;
        match zone {
            Zone::Offset(0) => f.write_str("Z"),
            Zone::Offset(o) => f.write_str(&offset_text(*o)),
            Zone::Iana { name, offset } => write!(f, "{}[{name}]", offset_text(*offset)),
        }
    }
}

impl fmt::Debug for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl PartialOrd for Moment {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Moment {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.instant(), self.date, self.time(), self.zone()).cmp(&(
            other.instant(),
            other.date,
            other.time(),
            other.zone(),
        ))
    }
}

impl serde::Serialize for Moment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Moment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn parses_the_durations_agreements_use() {
        let cases = [
            ("P90D", CalendarDuration::days(90)),
            ("P6M", CalendarDuration::months(6)),
            (
                "P1Y2M",
                CalendarDuration {
                    years: 1,
                    months: 2,
                    ..Default::default()
                },
            ),
            (
                "P2W",
                CalendarDuration {
                    weeks: 2,
                    ..Default::default()
                },
            ),
            ("P0D", CalendarDuration::default()),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<CalendarDuration>().unwrap(), want, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_calendar_duration() {
        for bad in [
            "", "P", "90D", "PD", "P1D2M", "P1M1M", "P-1D", "P1.5D", "P1X", "P90",
        ] {
            assert!(
                matches!(
                    bad.parse::<CalendarDuration>(),
                    Err(DurationError::Syntax(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            "PT12H".parse::<CalendarDuration>(),
            Err(DurationError::TimePart(_))
        ));
        assert!(matches!(
            "P99999999999D".parse::<CalendarDuration>(),
            Err(DurationError::TooLarge(_))
        ));
    }

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month() {
        let one_month = CalendarDuration::months(1);
        assert_eq!(one_month.after(date(2026, 1, 31)), Some(date(2026, 2, 28)));
        assert_eq!(one_month.after(date(2028, 1, 31)), Some(date(2028, 2, 29)));
    }

    #[test]
    fn past_the_calendar_is_none_not_a_panic() {
        let huge = CalendarDuration {
            years: 9999,
            ..Default::default()
        };
        assert_eq!(huge.after(date(2026, 1, 1)), None);
    }

    #[test]
    fn moments_keep_the_local_time_and_the_zone() {
        let cases = [
            ("2026-11-09", "2026-11-09T00:00:00Z", "2026-11-09"),
            (
                "2026-11-09T00:01Z",
                "2026-11-09T00:01:00Z",
                "2026-11-09T00:01:00Z",
            ),
            (
                "2026-11-09T00:01-05:00",
                "2026-11-09T05:01:00Z",
                "2026-11-09T00:01:00-05:00",
            ),
            (
                "2026-07-14T00:01[America/New_York]",
                "2026-07-14T04:01:00Z",
                "2026-07-14T00:01:00-04:00[America/New_York]",
            ),
            (
                "2026-12-01T00:00[GMT]",
                "2026-12-01T00:00:00Z",
                "2026-12-01T00:00:00+00:00[GMT]",
            ),
            // Clocks go back in New York on 2026-11-01: 01:30 happens twice; the offset
            // picks one.
            (
                "2026-11-01T01:30-05:00[America/New_York]",
                "2026-11-01T06:30:00Z",
                "2026-11-01T01:30:00-05:00[America/New_York]",
            ),
        ];
        for (text, instant, shown) in cases {
            let m: Moment = text.parse().unwrap();
            assert_eq!(m.instant().to_string(), instant, "{text}");
            assert_eq!(m.to_string(), shown, "{text}");
            assert_eq!(shown.parse::<Moment>().unwrap(), m, "{text}");
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Moment>(&json).unwrap(), m);
        }
        assert!("2026-11-09".parse::<Moment>().unwrap().is_plain());
    }

    #[test]
    fn refuses_unknown_zones_skipped_and_repeated_local_times() {
        let err = |t: &str| t.parse::<Moment>().unwrap_err();
        assert!(
            matches!(err("2026-11-09T00:01[Mars/Olympus]"), MomentError::UnknownZone { zone, .. } if zone == "Mars/Olympus")
        );
        // Clocks spring forward in New York on 2026-03-08 at 02:00.
        assert!(matches!(
            err("2026-03-08T02:30[America/New_York]"),
            MomentError::Skipped { before, after, .. } if before == "-05:00" && after == "-04:00"
        ));
        assert!(matches!(
            err("2026-11-01T01:30[America/New_York]"),
            MomentError::Ambiguous { first, second, .. } if first == "-04:00" && second == "-05:00"
        ));
        assert!(matches!(
            err("2026-07-14T00:01+01:00[America/New_York]"),
            MomentError::OffsetMismatch { .. }
        ));
        assert!(matches!(err("2026-11-09T00:01"), MomentError::NoZone(_)));
        for bad in [
            "",
            "2026-11",
            "2026-13-01",
            "2026-11-09T25:00Z",
            "2026-11-09T00:01[GMT",
            "2026-11-09X00:01Z",
            "2026-11-09T00:01+5",
        ] {
            assert!(matches!(err(bad), MomentError::Syntax(_)), "{bad}");
        }
    }

    #[test]
    fn an_instant_counts_from_its_utc_day_and_not_before_it() {
        let m: Moment = "2026-11-09T00:01-05:00".parse().unwrap();
        let plain = Moment::day(date(2026, 11, 9));
        let utc = DayZone::utc();
        for (moment, as_of, day) in [
            (&m, "2026-11-08T23:00:00Z", date(2026, 11, 9)),
            (&m, "2026-11-09T05:00:59Z", date(2026, 11, 10)),
            (&m, "2026-11-09T05:01:00Z", date(2026, 11, 9)),
            (&m, "2026-11-10T00:00:00Z", date(2026, 11, 9)),
            (&plain, "2026-11-09T00:00:00Z", date(2026, 11, 9)),
            (&plain, "2026-11-08T23:59:59Z", date(2026, 11, 9)),
        ] {
            let as_of: Instant = as_of.parse().unwrap();
            assert_eq!(moment.day_as_of(as_of, &utc), day, "{moment} as of {as_of}");
        }
    }

    #[test]
    fn a_moment_later_keeps_its_local_time_across_a_clock_change() {
        let m: Moment = "2026-10-10T00:00[GMT]".parse().unwrap();
        let end = m.after(CalendarDuration::days(30)).unwrap();
        assert_eq!(end.instant().to_string(), "2026-11-09T00:00:00Z");
        // New York leaves daylight time on 2026-11-01: the same local time, a new offset.
        let m: Moment = "2026-10-10T00:01[America/New_York]".parse().unwrap();
        let end = m.after(CalendarDuration::days(30)).unwrap();
        assert_eq!(end.instant().to_string(), "2026-11-09T05:01:00Z");
        // 02:30 on 2026-03-08 is skipped there: it reads as 03:30 daylight time.
        let m: Moment = "2026-03-07T02:30[America/New_York]".parse().unwrap();
        let end = m.after(CalendarDuration::days(1)).unwrap();
        assert_eq!(
            end.to_string(),
            "2026-03-08T03:30:00-04:00[America/New_York]"
        );
        let plain = Moment::day(date(2026, 10, 10));
        assert_eq!(
            plain.after(CalendarDuration::days(30)),
            Some(Moment::day(date(2026, 11, 9)))
        );
    }

    proptest! {
        /// The dates `nth` computes directly are those of jiff's span arithmetic, to the
        /// end of the calendar.
        #[test]
        fn nth_computed_directly_is_jiffs(
            day in -3_600_000i64..2_900_000, k in 0u32..5000,
            (years, months, weeks, days) in prop_oneof![
                (0u16..3, 0u16..25, Just(0u16), Just(0u32)),
                (Just(0u16), Just(0u16), 0u16..5, 0u32..400),
                (0u16..3, 0u16..13, 0u16..3, 0u32..40),
            ],
        ) {
            let start = crate::engine::date_from_epoch_day(day).unwrap();
            let every = CalendarDuration { years, months, weeks, days };
            prop_assert_eq!(nth(start, every, k), nth_by_span(start, every, k));
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(years in 0u16..50, months in 0u16..50, weeks in 0u16..50, days in 0u32..5000) {
            let d = CalendarDuration { years, months, weeks, days };
            prop_assert_eq!(d.to_string().parse::<CalendarDuration>().unwrap(), d);
        }

        /// In every zone, a day runs from its start to its end, the next starts right
        /// after, and every instant of it belongs to it (clock changes included).
        #[test]
        fn a_zone_s_days_tile_time(zone in prop::sample::select(vec![
            "UTC", "America/New_York", "Europe/London", "Asia/Tehran", "Asia/Tokyo",
            "Pacific/Apia", "Australia/Lord_Howe", "America/Santiago",
        ]), offset in 0i32..4000, into in 0i64..86_400) {
            let days = if zone == "UTC" { DayZone::utc() } else { DayZone::named(zone).unwrap() };
            let day = date(2025, 1, 1).checked_add(jiff::Span::new().days(offset)).unwrap();
            let (start, end) = (days.start_of(day), days.end_of(day));
            prop_assert!(start < end);
            prop_assert_eq!(days.day_of(start), day);
            prop_assert_eq!(days.day_of(end), day);
            let next = end.checked_add(jiff::SignedDuration::from_nanos(1)).unwrap();
            prop_assert_eq!(next, days.start_of(day.tomorrow().unwrap()));
            let inside = start.checked_add(jiff::SignedDuration::from_secs(into)).unwrap();
            if inside <= end {
                prop_assert_eq!(days.day_of(inside), day);
            }
        }

        /// A stated instant counts from its day once it has come, and never before it.
        #[test]
        fn an_instant_never_counts_before_it_comes(secs in 1_700_000_000i64..1_900_000_000, before in 0i64..200_000) {
            let days = DayZone::named("America/New_York").unwrap();
            let instant = Instant::from_second(secs).unwrap();
            let m: Moment = instant.to_string().parse().unwrap();
            let as_of = Instant::from_second(secs - before).unwrap();
            let day = m.day_as_of(as_of, &days);
            if before == 0 {
                prop_assert_eq!(day, days.day_of(instant));
            } else {
                // Not come yet: counted from a day after the evaluation's.
                prop_assert!(day > days.day_of(as_of));
            }
        }

        #[test]
        fn days_after_then_before_is_identity(days in 0u32..20000, offset in 0i32..10000) {
            let start = date(2000, 1, 1).checked_add(jiff::Span::new().days(offset)).unwrap();
            let d = CalendarDuration::days(days);
            prop_assert_eq!(d.before(d.after(start).unwrap()), Some(start));
        }
    }
}
