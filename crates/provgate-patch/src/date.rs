//! Mail dates read in the forms `git am` accepts for an author date.
//!
//! `git am` hands the `Date:` value to git's lenient date reader, so a patch mailed with the date
//! `git log` prints (`Thu Dec 4 16:00:00 2008 -0800`), an ISO 8601 date (`2008-12-04T16:00:00Z`),
//! git's own `@seconds +zone` form or RFC 2822 (with named zones and two-digit years) all keep
//! their author date. This reader takes the date apart into words and numbers the same way: a
//! month name, a weekday, `hh:mm[:ss]`, `y-m-d`/`m/d/y`/`d.m.y`, a year, a day, `±hhmm`, a zone
//! name, `AM`/`PM`. A value from which no day, month and year (or seconds since the epoch) can be
//! read is no date: the caller reports it rather than inventing 1970-01-01.

use crate::model::Date;

/// A date read from a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailDate {
    /// The instant and the offset it was written in.
    pub date: Date,
    /// Whether the text named its zone; without one `git am` uses the local zone, provgate UTC.
    pub zone_given: bool,
}

#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    time: Option<(i64, i64, i64)>,
    offset_minutes: Option<i32>,
    epoch: Option<i64>,
    pm: Option<bool>,
}

/// Reads a mail or git date; `None` when it holds no complete date.
pub fn parse_mail_date(text: &str) -> Option<MailDate> {
    let bytes = text.as_bytes();
    let mut f = Fields::default();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() {
            let end = i + bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            word(&text[i..end], &mut f);
            i = end;
        } else if c.is_ascii_digit() {
            i = number(bytes, i, &mut f)?;
        } else if (c == b'+' || c == b'-') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = zone(bytes, i, &mut f);
        } else if c == b'@' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) && f.epoch.is_none()
        {
            let (n, end) = digits(bytes, i + 1);
            f.epoch = Some(n?);
            i = end;
        } else if c == b'(' {
            // An RFC 2822 comment such as `(PST)` after the numeric zone says nothing more.
            i += bytes[i..]
                .iter()
                .position(|&b| b == b')')
                .map_or(bytes.len() - i, |p| p + 1);
        } else {
            i += 1;
        }
    }
    finish(f)
}

fn word(word: &str, f: &mut Fields) {
    let lower = word.to_ascii_lowercase();
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if lower.len() >= 3
        && let Some(m) = MONTHS.iter().position(|m| lower.starts_with(m))
    {
        f.month.get_or_insert(m as i64 + 1);
        return;
    }
    match lower.as_str() {
        "am" => f.pm = Some(false),
        "pm" => f.pm = Some(true),
        _ => {
            if f.offset_minutes.is_none()
                && let Some(hours) = zone_name(&lower)
            {
                f.offset_minutes = Some(hours * 60);
            }
        }
    }
}

/// Zone names RFC 2822 defines, and the European ones git knows besides.
fn zone_name(name: &str) -> Option<i32> {
    Some(match name {
        "ut" | "utc" | "gmt" | "z" | "wet" => 0,
        "bst" | "cet" | "met" | "wat" | "west" => 1,
        "cest" | "eet" | "mest" => 2,
        "eest" => 3,
        "est" | "cdt" => -5,
        "edt" => -4,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" => -8,
        _ => return None,
    })
}

/// Reads the run of ASCII digits at `at`: its value (`None` when too large) and where it ends.
fn digits(bytes: &[u8], at: usize) -> (Option<i64>, usize) {
    let end = at
        + bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    let text = std::str::from_utf8(&bytes[at..end]).unwrap_or_default();
    (text.parse().ok(), end)
}

fn zone(bytes: &[u8], at: usize, f: &mut Fields) -> usize {
    let sign = if bytes[at] == b'-' { -1 } else { 1 };
    let (value, end) = digits(bytes, at + 1);
    let len = end - at - 1;
    let (hours, minutes, end) = if len == 2 && bytes.get(end) == Some(&b':') {
        let (m, end2) = digits(bytes, end + 1);
        if end2 - end - 1 != 2 {
            return end;
        }
        (value.unwrap_or(0), m.unwrap_or(0), end2)
    } else if len == 4 {
        let v = value.unwrap_or(0);
        (v / 100, v % 100, end)
    } else if len <= 2 {
        (value.unwrap_or(0), 0, end)
    } else {
        return end;
    };
    if f.offset_minutes.is_none() && hours < 24 && minutes < 60 {
        f.offset_minutes = Some(sign * (hours * 60 + minutes) as i32);
    }
    end
}

/// A number: a time, a `y-m-d`-style date, a year, a day, or seconds since the epoch.
fn number(bytes: &[u8], at: usize, f: &mut Fields) -> Option<usize> {
    let (value, end) = digits(bytes, at);
    let len = end - at;
    let sep = bytes.get(end).copied();
    let next_is_digit = bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
    if sep == Some(b':') && next_is_digit && len <= 2 {
        let (minute, end2) = digits(bytes, end + 1);
        let mut end = end2;
        let mut second = Some(0);
        if bytes.get(end) == Some(&b':') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            let (s, end3) = digits(bytes, end + 1);
            second = s;
            end = end3;
            if bytes.get(end) == Some(&b'.') {
                end = digits(bytes, end + 1).1;
            }
        }
        if f.time.is_none() {
            f.time = Some((value?, minute?, second?));
        }
        return Some(end);
    }
    if matches!(sep, Some(b'-' | b'/' | b'.')) && next_is_digit {
        let sep = sep?;
        let (b, end2) = digits(bytes, end + 1);
        if bytes.get(end2) == Some(&sep) && bytes.get(end2 + 1).is_some_and(u8::is_ascii_digit) {
            let (c, end3) = digits(bytes, end2 + 1);
            let (a, b, c) = (value?, b?, c?);
            let (y, m, d) = if len == 4 {
                (a, b, c)
            } else if sep == b'/' {
                (c, a, b)
            } else {
                (c, b, a)
            };
            if f.year.is_none() {
                f.year = Some(full_year(y));
                f.month = Some(m);
                f.day = Some(d);
            }
            return Some(end3);
        }
        return Some(end2);
    }
    let n = value?;
    if len >= 9 && f.epoch.is_none() && f.year.is_none() {
        f.epoch = Some(n);
    } else if len == 4 && f.year.is_none() {
        f.year = Some(n);
    } else if len <= 2 && f.day.is_none() && (1..=31).contains(&n) {
        f.day = Some(n);
    } else if len <= 2 && f.year.is_none() {
        f.year = Some(full_year(n));
    }
    Some(end)
}

/// RFC 2822's reading of a two-digit year.
fn full_year(year: i64) -> i64 {
    match year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        _ => year,
    }
}

fn finish(f: Fields) -> Option<MailDate> {
    let zone_given = f.offset_minutes.is_some();
    let offset = f.offset_minutes.unwrap_or(0);
    if let Some(seconds) = f.epoch {
        return Some(MailDate {
            date: Date {
                seconds,
                offset_minutes: offset,
            },
            zone_given,
        });
    }
    let (year, month, day) = (f.year?, f.month?, f.day?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (mut hour, minute, second) = f.time.unwrap_or((0, 0, 0));
    match f.pm {
        Some(true) if (1..12).contains(&hour) => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(MailDate {
        date: Date {
            seconds: local - i64::from(offset) * 60,
            offset_minutes: offset,
        },
        zone_given,
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<(i64, i32)> {
        parse_mail_date(text).map(|d| (d.date.seconds, d.date.offset_minutes))
    }

    #[test]
    fn forms_git_accepts() {
        let want = Some((1_228_435_200, -480));
        assert_eq!(at("Thu Dec 4 16:00:00 2008 -0800"), want);
        assert_eq!(at("Thu, 4 Dec 2008 16:00:00 -0800"), want);
        assert_eq!(at("Thu, 4 Dec 2008 16:00:00 -0800 (PST)"), want);
        assert_eq!(at("2008-12-04 16:00:00 -0800"), want);
        assert_eq!(at("@1228435200 -0800"), want);
        assert_eq!(at("2008-12-04T16:00:00Z"), Some((1_228_406_400, 0)));
        assert_eq!(at("2008-12-04T16:00:00+01:00"), Some((1_228_402_800, 60)));
        assert_eq!(at("Thu, 4 Dec 08 16:00 EST"), Some((1_228_424_400, -300)));
    }

    #[test]
    fn no_date_is_none() {
        assert_eq!(at("garbage"), None);
        assert_eq!(at(""), None);
        assert_eq!(at("Thu, 31 Feb 2008 10:00:00 +0000"), None);
        assert!(!parse_mail_date("4 Dec 2008 16:00:00").unwrap().zone_given);
    }
}
