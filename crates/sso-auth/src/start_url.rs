//! Start-URL resolution at login, as AWS CLI v2 ≥ 2.35.13 does it (spec cli-behavior §3.3).
//!
//! A start URL on an AWS-owned host (`*.awsapps.com`, `*.app.aws`, …) is used as configured,
//! with no network call. Any other ("vanity") URL is resolved by one `HEAD` request — `GET`
//! when the server refuses `HEAD` with 405/501 — following at most one redirect, which must land
//! on an AWS-owned `https` host; the region may be read off that host. The resolved URL is only
//! sent to the service (`startUrl`, `issuerUrl`); cache keys and messages keep the configured one.

use sso_client::{HttpRequest, Method, Transport};

use crate::AuthError;

/// A start URL ready for the OIDC calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedStartUrl {
    /// What to send as `startUrl` / `issuerUrl`.
    pub url: String,
    /// The region the host names, if it names one.
    pub region: Option<String>,
}

/// Resolves `start_url` (already checked to be `https` with a host).
pub fn resolve(start_url: &str, transport: &dyn Transport) -> Result<ResolvedStartUrl, AuthError> {
    let host = host_of(start_url).unwrap_or_default();
    if is_aws_owned(&host) {
        return Ok(ResolvedStartUrl {
            url: start_url.to_owned(),
            region: None,
        });
    }
    let mut response = request(Method::Head, start_url, transport)?;
    if matches!(response.status, 405 | 501) {
        response = request(Method::Get, start_url, transport)?;
    }
    let target = match response.status {
        301 | 302 | 303 | 307 | 308 => {
            let location = response.header("location").ok_or_else(|| {
                AuthError::StartUrl("Redirect response missing Location header.".to_owned())
            })?;
            join(start_url, location)
        }
        200..=299 => start_url.to_owned(),
        status => {
            return Err(AuthError::StartUrl(format!(
                "Failed to resolve start URL: HTTP {status}"
            )));
        }
    };
    let final_url = normalize(&target);
    if !final_url.to_ascii_lowercase().starts_with("https://") {
        return Err(AuthError::StartUrl(format!(
            "Resolved URL must use https. Got: '{final_url}'"
        )));
    }
    let final_host = host_of(&final_url).unwrap_or_default();
    if !is_aws_owned(&final_host) {
        return Err(AuthError::StartUrl(format!(
            "Could not resolve start URL '{start_url}' to an AWS-owned endpoint. Final URL: '{final_url}'"
        )));
    }
    Ok(ResolvedStartUrl {
        region: region_of(&final_host),
        url: final_url,
    })
}

fn request(
    method: Method,
    url: &str,
    transport: &dyn Transport,
) -> Result<sso_client::HttpResponse, AuthError> {
    transport
        .send(HttpRequest {
            method,
            url: url.to_owned(),
            headers: vec![(
                "User-Agent".to_owned(),
                format!("aws-sso/{}", env!("CARGO_PKG_VERSION")),
            )],
            body: None,
        })
        .map_err(|error| AuthError::StartUrl(format!("Failed to resolve start URL: {error}")))
}

/// The lower-cased host without a trailing dot or port.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

/// Hosts the AWS CLI trusts without a network call.
/// Whether `start_url` is on an AWS-owned host, so sign-ins use it as it is (no resolution).
pub fn is_aws_owned_url(start_url: &str) -> bool {
    host_of(start_url).is_some_and(|host| is_aws_owned(&host))
}

fn is_aws_owned(host: &str) -> bool {
    const EXACT: [&str; 4] = [
        "identitycenter.amazonaws.com",
        "identitycenter.amazonaws.com.cn",
        "identitycenter.amazonaws.eu",
        "identitycenter.us-gov.amazonaws.com",
    ];
    const SUFFIXES: [&str; 8] = [
        "app.aws",
        "portal.amazonaws.com",
        "portal.amazonaws.com.cn",
        "app.amazonwebservices.com.cn",
        "portal.amazonaws.eu",
        "api.amazonwebservices.eu",
        "awsapps.com",
        "awsapps.cn",
    ];
    EXACT.contains(&host)
        || SUFFIXES
            .iter()
            .any(|suffix| host == *suffix || host.ends_with(&format!(".{suffix}")))
}

/// The region named by `{id}.portal.{region}.app.aws`, `{id}.{region}.portal.amazonaws.com`,
/// and their China and EU forms.
fn region_of(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let region = match labels.as_slice() {
        [_, "portal", region, "app", "aws"] => region,
        [_, region, "portal", "amazonaws", "com"] => region,
        [_, region, "portal", "amazonaws", "com", "cn"] => region,
        [_, "portal", region, "app", "amazonwebservices", "com", "cn"] => region,
        [_, region, "portal", "amazonaws", "eu"] => region,
        [_, "portal", region, "api", "amazonwebservices", "eu"] => region,
        _ => return None,
    };
    Some((*region).to_owned())
}

/// Joins a `Location` header to the URL it came from (absolute, scheme-relative, or path).
fn join(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let scheme = base.split_once("://").map_or("https", |(s, _)| s);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let origin_end = base[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| after_scheme + i);
    let origin = &base[..origin_end];
    if location.starts_with('/') {
        format!("{origin}{location}")
    } else {
        let path = &base[origin_end..];
        let dir = path.split(['?', '#']).next().unwrap_or("");
        let dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{origin}{dir}/{location}")
    }
}

/// Drops the query, fragment, default port and trailing `/`.
fn normalize(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let url = url.replacen(":443/", "/", 1);
    let url = url.strip_suffix(":443").unwrap_or(&url);
    url.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_owned_hosts() {
        for host in [
            "d-123.awsapps.com",
            "x.portal.us-east-1.app.aws",
            "identitycenter.amazonaws.com",
            "a.us-gov-west-1.portal.amazonaws.com",
            "d-1.awsapps.cn",
        ] {
            assert!(is_aws_owned(host), "{host}");
        }
        for host in [
            "example.com",
            "awsapps.com.evil.example",
            "notawsapps.com",
            "identitycenter.amazonaws.com.evil",
        ] {
            assert!(!is_aws_owned(host), "{host}");
        }
    }

    #[test]
    fn regions_from_hosts() {
        assert_eq!(
            region_of("ssoins-1.portal.eu-west-1.app.aws").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            region_of("d-1.us-gov-west-1.portal.amazonaws.com").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            region_of("x.cn-north-1.portal.amazonaws.com.cn").as_deref(),
            Some("cn-north-1")
        );
        assert_eq!(region_of("d-1.awsapps.com"), None);
    }

    #[test]
    fn hosts_joins_and_normalisation() {
        assert_eq!(
            host_of("https://User@SSO.Example.COM.:8443/start").as_deref(),
            Some("sso.example.com")
        );
        assert_eq!(
            join(
                "https://a.example/x/start",
                "https://d-1.awsapps.com/start/"
            ),
            "https://d-1.awsapps.com/start/"
        );
        assert_eq!(
            join("https://a.example/x/start", "/other"),
            "https://a.example/other"
        );
        assert_eq!(
            join("https://a.example/x/start", "next"),
            "https://a.example/x/next"
        );
        assert_eq!(
            join("https://a.example/x", "//d-1.awsapps.com/s"),
            "https://d-1.awsapps.com/s"
        );
        assert_eq!(
            normalize("https://d-1.awsapps.com:443/start/?x=1#y"),
            "https://d-1.awsapps.com/start"
        );
    }
}
