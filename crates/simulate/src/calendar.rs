//! Dates as the simulation counts them: days from the model's start, instants within a
//! day, and the reporting and review schedules (the engine's rule: the k-th period starts
//! `k × cadence` after the first, and ends the day before the next).

use accord_core::engine::start_of_day;
use accord_core::time::{CalendarDuration, Date, Instant, Period, nth};

/// Days from `from` to `to` (negative when `to` comes first).
pub fn days_between(from: Date, to: Date) -> i32 {
    (to - from).get_days()
}

/// `days` after `date` (saturating at the calendar's ends).
pub fn add_days(date: Date, days: i32) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// An instant on `date`, `seconds` after midnight UTC.
pub fn at(date: Date, seconds: i64) -> Instant {
    let midnight = start_of_day(date);
    midnight
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap_or(midnight)
}

/// The periods of a schedule that end on or before `last` (and start before `end`).
pub fn periods(start: Date, every: CalendarDuration, last: Date, end: Option<Date>) -> Vec<Period> {
    let mut out = Vec::new();
    if every.is_zero() {
        return out;
    }
    for k in 0..100_000 {
        let (Some(s), Some(next)) = (nth(start, every, k), nth(start, every, k + 1)) else {
            break;
        };
        let e = add_days(next, -1).max(s);
        if e > last || end.is_some_and(|x| s >= x) {
            break;
        }
        if let Ok(p) = Period::new(s, e) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn monthly_periods_end_the_day_before_the_next() {
        let p = periods(
            date(2026, 1, 31),
            CalendarDuration::months(1),
            date(2026, 4, 30),
            None,
        );
        let ends: Vec<Date> = p.iter().map(Period::end).collect();
        assert_eq!(
            ends,
            vec![date(2026, 2, 27), date(2026, 3, 30), date(2026, 4, 29)]
        );
        assert_eq!(days_between(date(2026, 1, 1), date(2026, 3, 1)), 59);
    }
}
