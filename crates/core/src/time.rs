//! Dates, instants, periods and ISO 8601 calendar durations.
//!
//! Agreements count in calendar days and months ("90 days after adoption", "a six-month
//! licence"); the log records instants in UTC. Valid time (the period a statement observes)
//! is a [`Period`] of dates; record time (when it entered the log) is an [`Instant`].
//!
//! INVARIANT: a [`Period`] always has `start <= end` (both inclusive); [`Period::new`] is
//! the only way to build one (serde included).

use std::fmt;

/// A calendar date (no time zone: agreements are dated, not timed).
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

    proptest! {
        #[test]
        fn display_round_trips(years in 0u16..50, months in 0u16..50, weeks in 0u16..50, days in 0u32..5000) {
            let d = CalendarDuration { years, months, weeks, days };
            prop_assert_eq!(d.to_string().parse::<CalendarDuration>().unwrap(), d);
        }

        #[test]
        fn days_after_then_before_is_identity(days in 0u32..20000, offset in 0i32..10000) {
            let start = date(2000, 1, 1).checked_add(jiff::Span::new().days(offset)).unwrap();
            let d = CalendarDuration::days(days);
            prop_assert_eq!(d.before(d.after(start).unwrap()), Some(start));
        }
    }
}
