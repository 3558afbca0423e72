//! Timestamps in cache files: one strict writer, one permissive reader.
//!
//! Every AWS writer we copy emits `YYYY-MM-DDTHH:MM:SSZ` (botocore's `'%Y-%m-%dT%H:%M:%SZ'`,
//! seconds truncated), and the Rust SDK accepts nothing but a `Z` suffix, so that is all we
//! write. Readers elsewhere are lenient (botocore uses `dateutil.parser.parse`) and other tools
//! have written other forms (hashicorp/terraform-provider-aws#22176 `…UTC`,
//! aws/aws-sdk-go#5293 offsets, the Rust SDK's microseconds), so we read all of them.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::CacheError;

/// Formats a timestamp the way the AWS CLI writes `expiresAt`, `registrationExpiresAt` and
/// `Expiration`: UTC, `Z` suffix, sub-second part dropped (truncated, as `strftime` does).
pub fn format_timestamp(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses a cache timestamp. Accepted: RFC 3339 / ISO 8601 with `Z`, `z` or a numeric offset
/// (`+00:00`, `+0000`, `+00`), a space or `t` instead of `T`, fractional seconds (up to
/// nanoseconds), a trailing `UTC` or `GMT` with or without a space (`2019-10-26T05:19:09UTC`,
/// what `strftime('%Z')` gives for a UTC datetime), and no zone at all, read as UTC.
///
/// The zone-less form is stricter in botocore (comparing a naive datetime with an aware one
/// raises `TypeError`); we accept it because the tools that write it (`datetime.isoformat()`
/// of a naive `utcnow()`) mean UTC.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    let civil = ["UTC", "GMT", "Z"]
        .iter()
        .find_map(|zone| strip_suffix_ignore_case(text, zone))
        .unwrap_or(text)
        .trim_end();
    let datetime = civil.parse::<DateTime>().ok()?;
    // Reached for zone-less text, and for instants past jiff's range: its `DateTime` parser
    // also accepts (and drops) an offset. botocore reads `9999-12-31T23:59:59Z` ("never") as a
    // date like any other; jiff's timestamps end a day earlier, so the last year saturates.
    TimeZone::UTC
        .to_timestamp(datetime)
        .ok()
        .or_else(|| (datetime.year() == 9999).then_some(Timestamp::MAX))
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let (head, tail) = (text.get(..split)?, text.get(split..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

/// `RegisterClient`'s `clientSecretExpiresAt` (epoch seconds) as a timestamp.
pub fn timestamp_from_epoch_seconds(seconds: i64) -> Result<Timestamp, CacheError> {
    Timestamp::from_second(seconds).map_err(|_| CacheError::TimestampOutOfRange {
        value: seconds,
        unit: "seconds",
    })
}

/// `GetRoleCredentials`' `expiration` (epoch **milliseconds**) as a timestamp.
pub fn timestamp_from_epoch_millis(millis: i64) -> Result<Timestamp, CacheError> {
    Timestamp::from_millisecond(millis).map_err(|_| CacheError::TimestampOutOfRange {
        value: millis,
        unit: "milliseconds",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_time_is_far_in_the_future_not_invalid() {
        assert_eq!(
            parse_timestamp("9999-12-31T23:59:59Z"),
            Some(Timestamp::MAX)
        );
        assert_eq!(
            parse_timestamp("9999-12-31T23:59:59UTC"),
            Some(Timestamp::MAX)
        );
        assert_eq!(parse_timestamp("10000-01-01T00:00:00Z"), None);
    }

    #[test]
    fn parses_every_form_other_tools_write() {
        let cases = [
            // (input, expected RFC 3339 instant in UTC)
            ("2026-11-26T18:15:22Z", "2026-11-26T18:15:22Z"),
            ("2026-11-26T18:15:22z", "2026-11-26T18:15:22Z"),
            ("2019-10-26T05:19:09UTC", "2019-10-26T05:19:09Z"),
            ("2019-10-26T05:19:09 UTC", "2019-10-26T05:19:09Z"),
            ("2019-10-26T05:19:09utc", "2019-10-26T05:19:09Z"),
            ("2019-10-26T05:19:09GMT", "2019-10-26T05:19:09Z"),
            ("2026-11-26T18:15:22+00:00", "2026-11-26T18:15:22Z"),
            ("2026-11-26T20:15:22+02:00", "2026-11-26T18:15:22Z"),
            ("2026-11-26T13:15:22-0500", "2026-11-26T18:15:22Z"),
            ("2026-11-26T18:15:22+00", "2026-11-26T18:15:22Z"),
            ("2026-11-26T18:15:43.639952Z", "2026-11-26T18:15:43.639952Z"),
            ("2026-11-26T18:15:43.5+00:00", "2026-11-26T18:15:43.5Z"),
            ("2026-11-26 18:15:22Z", "2026-11-26T18:15:22Z"),
            ("2026-11-26t18:15:22Z", "2026-11-26T18:15:22Z"),
            ("2026-11-26T18:15:22", "2026-11-26T18:15:22Z"),
            ("2026-11-26T18:15:22.123456", "2026-11-26T18:15:22.123456Z"),
            ("  2026-11-26T18:15:22Z\n", "2026-11-26T18:15:22Z"),
        ];
        for (input, expected) in cases {
            let parsed = parse_timestamp(input).unwrap_or_else(|| panic!("rejected {input:?}"));
            assert_eq!(parsed, expected.parse::<Timestamp>().unwrap(), "{input:?}");
        }
    }

    #[test]
    fn rejects_non_timestamps() {
        for input in [
            "",
            "UTC",
            "tomorrow",
            "2026-13-01T00:00:00Z",
            "1764180922",
            "2026-11-26T25:00:00Z",
        ] {
            assert_eq!(parse_timestamp(input), None, "{input:?}");
        }
    }

    #[test]
    fn formats_like_botocore_truncating_seconds() {
        let cases = [
            ("2026-11-26T18:15:22Z", "2026-11-26T18:15:22Z"),
            ("2026-11-26T18:15:22.999999Z", "2026-11-26T18:15:22Z"),
            ("2026-11-26T20:15:22+02:00", "2026-11-26T18:15:22Z"),
            ("0999-01-02T03:04:05Z", "0999-01-02T03:04:05Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(format_timestamp(input.parse().unwrap()), expected);
        }
    }

    #[test]
    fn epoch_conversions() {
        // GetRoleCredentials' `expiration` is in milliseconds; botocore divides by 1000 and
        // strftime drops the fraction.
        let ts = timestamp_from_epoch_millis(1_764_180_922_999).unwrap();
        assert_eq!(format_timestamp(ts), "2025-11-26T18:15:22Z");
        let ts = timestamp_from_epoch_seconds(1_764_180_922).unwrap();
        assert_eq!(format_timestamp(ts), "2025-11-26T18:15:22Z");
        assert!(matches!(
            timestamp_from_epoch_seconds(i64::MAX),
            Err(CacheError::TimestampOutOfRange {
                unit: "seconds",
                ..
            })
        ));
    }
}
