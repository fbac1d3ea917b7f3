//! Display formatting in Brazilian Portuguese: dates, durations, percentages and money, plus the
//! `<input type="date">` conversions. Pure functions; the caller passes the browser's UTC offset.

/// Placeholder for a missing value.
pub const NONE: &str = "—";

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `dd/mm/aaaa hh:mm:ss` of a Unix-ms instant, `utc_offset_min` minutes east of UTC
/// (Brasília is -180).
pub fn datetime(ms: i64, utc_offset_min: i32) -> String {
    let local_s = ms.div_euclid(1_000) + i64::from(utc_offset_min) * 60;
    let (y, mo, d) = civil_from_days(local_s.div_euclid(86_400));
    let sod = local_s.rem_euclid(86_400);
    format!(
        "{d:02}/{mo:02}/{y:04} {:02}:{:02}:{:02}",
        sod / 3_600,
        sod % 3_600 / 60,
        sod % 60
    )
}

/// `hh:mm:ss` of a Unix-ms instant in local time.
pub fn clock(ms: i64, utc_offset_min: i32) -> String {
    datetime(ms, utc_offset_min)
        .split_once(' ')
        .map(|(_, t)| t.to_string())
        .unwrap_or_default()
}

/// Local midnight of an `<input type="date">` value (`aaaa-mm-dd`) as Unix ms.
pub fn date_input_to_ms(value: &str, utc_offset_min: i32) -> Option<i64> {
    let mut parts = value.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    Some((days * 86_400 - i64::from(utc_offset_min) * 60) * 1_000)
}

/// The `<input type="date">` value (`aaaa-mm-dd`) of the local day containing `ms`.
pub fn ms_to_date_input(ms: i64, utc_offset_min: i32) -> String {
    let local_s = ms.div_euclid(1_000) + i64::from(utc_offset_min) * 60;
    let (y, m, d) = civil_from_days(local_s.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A number with `digits` decimals and a decimal comma.
pub fn decimal(value: f64, digits: usize) -> String {
    format!("{value:.digits$}").replace('.', ",")
}

/// A ratio (0..=1) as a percentage with one decimal: `12,5%`.
pub fn percent(ratio: f64) -> String {
    format!("{}%", decimal(ratio * 100.0, 1))
}

/// An optional ratio as a percentage, or [`NONE`].
pub fn opt_percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| NONE.to_string(), percent)
}

/// Milliseconds for humans: `850 ms`, `1,2 s`, `2 min 05 s`.
pub fn duration_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{} s", decimal(ms as f64 / 1_000.0, 1))
    } else {
        format!("{} min {:02} s", ms / 60_000, ms % 60_000 / 1_000)
    }
}

/// An optional latency, or [`NONE`].
pub fn opt_duration_ms(ms: Option<u64>) -> String {
    ms.map_or_else(|| NONE.to_string(), duration_ms)
}

/// An uptime in seconds: `45 s`, `3 min 07 s`, `2 h 05 min`, `3 d 4 h`.
pub fn uptime(s: u64) -> String {
    match s {
        0..60 => format!("{s} s"),
        60..3_600 => format!("{} min {:02} s", s / 60, s % 60),
        3_600..86_400 => format!("{} h {:02} min", s / 3_600, s % 3_600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3_600),
    }
}

/// US dollars: `US$ 0,0060` below one cent's worth of precision, else two decimals.
pub fn usd(value: f64) -> String {
    if value.abs() < 1.0 && value != 0.0 {
        format!("US$ {}", decimal(value, 4))
    } else {
        format!("US$ {}", decimal(value, 2))
    }
}

/// An optional amount in dollars, or [`NONE`].
pub fn opt_usd(value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_string(), usd)
}

/// Seconds of audio as minutes with one decimal: `12,5 min`.
pub fn audio_minutes(seconds: f64) -> String {
    format!("{} min", decimal(seconds / 60.0, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_use_the_given_offset() {
        // 2024-03-01T12:34:56Z
        let ms = 1_709_296_496_000;
        assert_eq!(datetime(ms, 0), "01/03/2024 12:34:56");
        assert_eq!(datetime(ms, -180), "01/03/2024 09:34:56");
        assert_eq!(datetime(0, -180), "31/12/1969 21:00:00");
        assert_eq!(clock(ms, 0), "12:34:56");
    }

    #[test]
    fn date_inputs_round_trip_through_local_midnight() {
        let ms = date_input_to_ms("2024-02-29", -180).unwrap();
        assert_eq!(datetime(ms, -180), "29/02/2024 00:00:00");
        assert_eq!(ms_to_date_input(ms, -180), "2024-02-29");
        assert_eq!(date_input_to_ms("2024-13-01", 0), None);
        assert_eq!(date_input_to_ms("", 0), None);
        assert_eq!(date_input_to_ms("1970-01-01", 0), Some(0));
    }

    #[test]
    fn numbers_use_a_decimal_comma() {
        assert_eq!(percent(0.125), "12,5%");
        assert_eq!(opt_percent(None), NONE);
        assert_eq!(usd(0.006), "US$ 0,0060");
        assert_eq!(usd(12.5), "US$ 12,50");
        assert_eq!(audio_minutes(90.0), "1,5 min");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(1_250), "1,2 s");
        assert_eq!(duration_ms(125_000), "2 min 05 s");
        assert_eq!(uptime(45), "45 s");
        assert_eq!(uptime(187), "3 min 07 s");
        assert_eq!(uptime(7_500), "2 h 05 min");
        assert_eq!(uptime(3 * 86_400 + 4 * 3_600), "3 d 4 h");
    }
}
