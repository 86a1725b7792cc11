//! Calendar dates of the API (DESIGN §2): answered as `YYYY-MM-DD`; accepted also as
//! `YYYY-MM-DDTHH:mm:ss`, with or without an offset, because the client sends local time.
//! The date is the one the client wrote: `2026-02-10T23:30:00+08:00` is the 10th.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::error::Error;
use crate::messages::Msg;

pub fn parse_date(text: &str) -> Result<Date, Msg> {
    let text = text.trim();
    let (day, time) = match text.split_once('T') {
        Some((day, time)) => (day, Some(time)),
        None => (text, None),
    };
    let date: Date = day.parse().ok().filter(|_| day.len() == 10).ok_or(Msg::InvalidDate)?;
    match time {
        None => Ok(date),
        Some(time) if is_clock_time(time) => Ok(date),
        Some(_) => Err(Msg::InvalidDate),
    }
}

/// `HH:mm:ss[.fff]`, optionally followed by `Z` or `±HH:MM`.
fn is_clock_time(text: &str) -> bool {
    let (clock, offset) = match text.find(['Z', 'z', '+', '-']) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let offset_ok = match offset {
        "" | "Z" | "z" => true,
        offset => {
            offset.len() == 6
                && offset.is_ascii()
                && &offset[3..4] == ":"
                && offset[1..3].parse::<u8>().is_ok_and(|h| h <= 23)
                && offset[4..].parse::<u8>().is_ok_and(|m| m <= 59)
        }
    };
    clock.len() >= 8 && clock.parse::<jiff::civil::Time>().is_ok() && offset_ok
}

/// A start date must not come after its end date (reported on `end_date`).
pub fn check_span(start: Option<Date>, end: Option<Date>) -> Result<(), Error> {
    match (start, end) {
        (Some(start), Some(end)) if start > end => Err(Error::field("end_date", Msg::StartAfterEnd)),
        _ => Ok(()),
    }
}

/// The latest date it is anywhere now (UTC+14): no team's "today" is later.
pub fn latest_today(now: Timestamp) -> Date {
    let easternmost = jiff::tz::Offset::from_hours(14).map(TimeZone::fixed).unwrap_or(TimeZone::UTC);
    now.to_zoned(easternmost).date()
}

/// Today in a time zone (a team's), falling back to UTC for an unknown zone name.
pub fn today_in(timezone: &str, now: Timestamp) -> Date {
    let zone = TimeZone::get(timezone).unwrap_or(TimeZone::UTC);
    now.to_zoned(zone).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_accepted_spelling() {
        let tenth = Date::new(2026, 2, 10).unwrap();
        for text in [
            "2026-02-10",
            "2026-02-10T08:30:00",
            "2026-02-10T23:30:00+08:00",
            "2026-02-10T01:00:00Z",
            "2026-02-10T01:00:00.123",
        ] {
            assert_eq!(parse_date(text), Ok(tenth), "{text}");
        }
        for text in [
            "2026-02-30",
            "10/02/2026",
            "2026-02-10T25:00:00",
            "2026-02-10 08:00",
            "tomorrow",
            "2026-02-10T08:00:00+8",
            "2026-02-1",
            "二〇二六-02-10",
            "",
        ] {
            assert_eq!(parse_date(text), Err(Msg::InvalidDate), "{text}");
        }
    }

    #[test]
    fn today_depends_on_the_zone() {
        let now: Timestamp = "2026-11-21T11:30:00Z".parse().unwrap();
        assert_eq!(today_in("Pacific/Auckland", now), Date::new(2026, 11, 22).unwrap());
        assert_eq!(today_in("America/Los_Angeles", now), Date::new(2026, 11, 21).unwrap());
        assert_eq!(today_in("Nowhere/Else", now), Date::new(2026, 11, 21).unwrap());
    }
}
