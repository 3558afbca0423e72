//! The two URL checks the AWS CLI makes on configuration values, with Python's
//! `urllib.parse.urlsplit` rules: the scheme and host of `sso_start_url` (`resolve.py`) and
//! botocore's `is_valid_endpoint_url` for custom endpoints.
//!
//! A full URL crate would accept and normalise differently from Python (it rejects some URLs
//! `urlsplit` takes and vice versa), and only two fields are needed, so this follows
//! CPython's `urlsplit` / `SplitResult.hostname` directly.

/// The parts of `urlsplit(url)` we need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlParts {
    /// The scheme, lower-cased; empty if there is none.
    pub(crate) scheme: String,
    /// `SplitResult.hostname`: lower-cased, without user info, port or IPv6 brackets; `None`
    /// when empty.
    pub(crate) hostname: Option<String>,
}

/// `urlsplit(url)`; `Err` where Python raises `ValueError` (unbalanced IPv6 brackets).
pub(crate) fn split(url: &str) -> Result<UrlParts, ()> {
    // Python 3.11+ strips leading C0 controls and spaces and removes tab/CR/LF anywhere.
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut rest = url.as_str();
    let mut scheme = String::new();
    if let Some(colon) = rest.find(':') {
        let candidate = &rest[..colon];
        let starts_alpha = candidate
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        if colon > 0
            && starts_alpha
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            scheme = candidate.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        }
    }
    let Some(after) = rest.strip_prefix("//") else {
        return Ok(UrlParts {
            scheme,
            hostname: None,
        });
    };
    let netloc = after
        .find(['/', '?', '#'])
        .map_or(after, |end| &after[..end]);
    if netloc.contains('[') != netloc.contains(']') {
        return Err(());
    }
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let host = match hostinfo.split_once('[') {
        Some((_, bracketed)) => bracketed.split_once(']').map_or(bracketed, |(h, _)| h),
        None => hostinfo.split_once(':').map_or(hostinfo, |(h, _)| h),
    };
    let hostname = if host.is_empty() {
        None
    } else {
        // Python lower-cases only the part before an IPv6 zone (`%eth0`).
        Some(match host.split_once('%') {
            Some((h, zone)) => format!("{}%{zone}", h.to_lowercase()),
            None => host.to_lowercase(),
        })
    };
    Ok(UrlParts { scheme, hostname })
}

/// botocore `is_valid_endpoint_url` or `is_valid_ipv6_endpoint_url`: the URL must have a host
/// made of DNS labels (letters, digits, inner hyphens, at most 63 characters each), or an IPv6
/// literal in brackets. The scheme is not checked.
pub(crate) fn is_valid_endpoint(url: &str) -> bool {
    if url.contains(['\t', '\r', '\n']) {
        return false;
    }
    let Ok(UrlParts {
        hostname: Some(host),
        ..
    }) = split(url)
    else {
        return false;
    };
    if host.len() > 255 {
        return false;
    }
    let dns_host = host.strip_suffix('.').unwrap_or(&host);
    let is_label = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if dns_host.split('.').all(is_label) {
        return true;
    }
    let address = host.split_once('%').map_or(host.as_str(), |(a, _)| a);
    address.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, Option<String>) {
        let p = split(url).unwrap();
        (p.scheme, p.hostname)
    }

    /// Expected values from CPython 3.11 `urllib.parse.urlsplit`.
    #[test]
    fn split_like_python() {
        let host = |h: &str| Some(h.to_owned());
        assert_eq!(
            parts("https://d-123.awsapps.com/start"),
            ("https".into(), host("d-123.awsapps.com"))
        );
        assert_eq!(
            parts("HTTPS://User@Example.COM:8443/x"),
            ("https".into(), host("example.com"))
        );
        assert_eq!(parts("https:///start"), ("https".into(), None));
        assert_eq!(parts("https://:443/"), ("https".into(), None));
        assert_eq!(parts("https://[::1]:4000/"), ("https".into(), host("::1")));
        assert_eq!(parts("example.com/start"), (String::new(), None));
        assert_eq!(parts("localhost:4566"), ("localhost".into(), None));
        assert_eq!(parts("  https://a.b"), ("https".into(), host("a.b")));
        assert_eq!(parts("ht\ttps://a.b"), ("https".into(), host("a.b")));
        assert_eq!(parts("1http://a.b"), (String::new(), None));
        assert!(split("https://[::1/").is_err());
    }

    #[test]
    fn endpoint_validity_like_botocore() {
        for good in [
            "http://127.0.0.1:4000",
            "http://localhost:4000/portal/",
            "https://portal.sso.us-east-1.amazonaws.com",
            "http://[::1]:4000",
            "ftp://host.",
            "http://user:pw@host-1.example:1",
        ] {
            assert!(is_valid_endpoint(good), "{good}");
        }
        for bad in [
            "localhost:4000",
            "127.0.0.1:4000",
            "http://",
            "http://-bad.example",
            "http://under_score.example",
            "http://a..b",
            "http://host\n.example",
            "http://[::1",
        ] {
            assert!(!is_valid_endpoint(bad), "{bad}");
        }
    }
}
