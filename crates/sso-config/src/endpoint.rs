//! The SSO portal and SSO OIDC endpoint rule sets (wire-protocol §3) and botocore's partition
//! table, by hand.
//!
//! Both services ship the same rule-set shape in botocore (`sso/2019-06-10` and
//! `sso-oidc/2019-06-10` `endpoint-rule-set-1.json`): a custom endpoint wins (and forbids FIPS
//! and dual-stack), otherwise the host is built from the region's partition. The partition
//! regexes are simple enough to match without a regex engine, which keeps this crate free of
//! `regex` (a large compile for eight patterns).

use std::fmt;

use crate::error::ConfigError;

/// Which service an endpoint is for: the two IAM Identity Center APIs, or the console sign-in
/// (federation) endpoint `aws-sso console` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// The SSO portal API (`sso`, hosts `portal.sso.*`): list-accounts, get-role-credentials…
    Portal,
    /// The SSO OIDC API (`sso-oidc`, hosts `oidc.*`): client registration and tokens.
    Oidc,
    /// The console sign-in endpoint (`signin`, hosts `signin.aws.amazon.com` and per-partition
    /// equivalents), which has no rule set in botocore: see [`signin_url`].
    Signin,
}

impl Service {
    /// The service-specific endpoint variable (`AWS_ENDPOINT_URL_` + service id upper-cased).
    pub fn endpoint_env_var(self) -> &'static str {
        match self {
            Self::Portal => sso_core::env::vars::AWS_ENDPOINT_URL_SSO,
            Self::Oidc => sso_core::env::vars::AWS_ENDPOINT_URL_SSO_OIDC,
            Self::Signin => sso_core::env::vars::AWS_ENDPOINT_URL_SIGNIN,
        }
    }

    /// The sub-section key in a `[services NAME]` section (`sso` / `sso_oidc`).
    pub fn services_key(self) -> &'static str {
        match self {
            Self::Portal => "sso",
            Self::Oidc => "sso_oidc",
            Self::Signin => "signin",
        }
    }

    /// Host prefix for standard endpoints (`portal.sso`, `oidc`).
    fn prefix(self) -> &'static str {
        match self {
            Self::Portal => "portal.sso",
            Self::Oidc => "oidc",
            Self::Signin => "signin",
        }
    }

    /// Host prefix for FIPS endpoints (`portal.sso-fips`, `oidc-fips`).
    fn fips_prefix(self) -> &'static str {
        match self {
            Self::Portal => "portal.sso-fips",
            Self::Oidc => "oidc-fips",
            Self::Signin => "signin",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Portal => "sso",
            Self::Oidc => "sso-oidc",
            Self::Signin => "signin",
        })
    }
}

/// One partition of botocore's `partitions.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Partition id, e.g. `aws-us-gov`.
    pub name: &'static str,
    /// DNS suffix of standard and FIPS endpoints.
    pub dns_suffix: &'static str,
    /// DNS suffix of dual-stack endpoints.
    pub dual_stack_dns_suffix: &'static str,
    /// The `*-global` pseudo-region listed explicitly in the partition's `regions` (the only
    /// listed region its regex does not match).
    global_region: Option<&'static str>,
    /// What must precede `-\w+-\d+` in the region regex (e.g. `us-gov`); several for `aws`.
    region_prefixes: &'static [&'static str],
}

/// All partitions, in `partitions.json` order. Every one supports FIPS and dual-stack, so the
/// rule sets' "partition does not support" branches are unreachable and not modelled.
pub const PARTITIONS: [Partition; 8] = [
    Partition {
        name: "aws",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        global_region: Some("aws-global"),
        region_prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
    },
    Partition {
        name: "aws-cn",
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        global_region: Some("aws-cn-global"),
        region_prefixes: &["cn"],
    },
    Partition {
        name: "aws-eusc",
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
        global_region: None,
        region_prefixes: &["eusc-de"],
    },
    Partition {
        name: "aws-iso",
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
        global_region: Some("aws-iso-global"),
        region_prefixes: &["us-iso"],
    },
    Partition {
        name: "aws-iso-b",
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
        global_region: Some("aws-iso-b-global"),
        region_prefixes: &["us-isob"],
    },
    Partition {
        name: "aws-iso-e",
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        global_region: Some("aws-iso-e-global"),
        region_prefixes: &["eu-isoe"],
    },
    Partition {
        name: "aws-iso-f",
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        global_region: Some("aws-iso-f-global"),
        region_prefixes: &["us-isof"],
    },
    Partition {
        name: "aws-us-gov",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        global_region: Some("aws-us-gov-global"),
        region_prefixes: &["us-gov"],
    },
];

impl Partition {
    /// The partition of `region`, as the rule-set function `aws.partition` picks it: an
    /// explicitly listed region first, then the region regex, and `aws` for anything else
    /// (`xx-fake-1` resolves in `aws`).
    pub fn of(region: &str) -> &'static Self {
        let [aws, ..] = &PARTITIONS;
        PARTITIONS
            .iter()
            .find(|p| p.global_region == Some(region))
            .or_else(|| PARTITIONS.iter().find(|p| p.matches_regex(region)))
            .unwrap_or(aws)
    }

    /// `^PREFIX-\w+-\d+$` for one of the partition's prefixes. `\w` is taken as Unicode
    /// alphanumeric or `_` (Python's `re` default for `str`) and `\d` as an ASCII digit.
    fn matches_regex(&self, region: &str) -> bool {
        self.region_prefixes.iter().any(|prefix| {
            let Some(rest) = region
                .strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('-'))
            else {
                return false;
            };
            let Some((word, digits)) = rest.split_once('-') else {
                return false;
            };
            !word.is_empty()
                && word.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
        })
    }
}

/// The rule-set inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointParams<'a> {
    /// `Region` (empty counts as unset).
    pub region: &'a str,
    /// `UseFIPS`.
    pub use_fips: bool,
    /// `UseDualStack`.
    pub use_dualstack: bool,
    /// `Endpoint`: a custom endpoint, used verbatim.
    pub endpoint: Option<&'a str>,
}

/// The console sign-in endpoint and the console home of `region`'s partition, as aws-vault,
/// granted and aws-sso-cli use them (anchors-2026-12 §2(e)): regional sign-in hosts in `aws`
/// (none for us-east-1), one host elsewhere. The ISO partitions have no public console.
fn console_hosts(region: &str) -> Option<(String, String)> {
    let partition = Partition::of(region);
    let hosts = match partition.name {
        "aws" if region == "us-east-1" || region == "aws-global" => (
            "https://signin.aws.amazon.com".to_owned(),
            "https://console.aws.amazon.com".to_owned(),
        ),
        "aws" => (
            format!("https://{region}.signin.aws.amazon.com"),
            format!("https://{region}.console.aws.amazon.com"),
        ),
        "aws-us-gov" => (
            "https://signin.amazonaws-us-gov.com".to_owned(),
            "https://console.amazonaws-us-gov.com".to_owned(),
        ),
        "aws-cn" => (
            "https://signin.amazonaws.cn".to_owned(),
            "https://console.amazonaws.cn".to_owned(),
        ),
        "aws-eusc" => (
            "https://signin.amazonaws-eusc.eu".to_owned(),
            "https://console.amazonaws-eusc.eu".to_owned(),
        ),
        _ => return None,
    };
    Some(hosts)
}

/// The console sign-in endpoint of `region`'s partition.
///
/// # Errors
///
/// [`ConfigError::NoConsoleEndpoint`] for a partition without a public console.
pub fn signin_url(region: &str) -> Result<String, ConfigError> {
    console_hosts(region)
        .map(|(signin, _)| signin)
        .ok_or_else(|| no_console(region))
}

/// The console page `aws-sso console` opens by default: `…/console/home?region=R`.
///
/// # Errors
///
/// [`ConfigError::NoConsoleEndpoint`] for a partition without a public console.
pub fn console_home_url(region: &str) -> Result<String, ConfigError> {
    console_hosts(region)
        .map(|(_, console)| format!("{console}/console/home?region={region}"))
        .ok_or_else(|| no_console(region))
}

fn no_console(region: &str) -> ConfigError {
    ConfigError::NoConsoleEndpoint {
        region: region.to_owned(),
        partition: Partition::of(region).name,
    }
}

/// botocore's `validate_region_name`, run when a client is created: a DNS label of letters,
/// digits and `-` (at most 63, not all digits, no leading or trailing `-`). An endpoint
/// override does not exempt the region, as in botocore.
///
/// # Errors
///
/// [`ConfigError::InvalidRegion`] with botocore's text.
pub fn validate_region(region: &str) -> Result<(), ConfigError> {
    let valid = region.len() <= 63
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !region.chars().all(|c| c.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(ConfigError::InvalidRegion {
            region: region.to_owned(),
        })
    }
}

/// Evaluates the rule set of `service`.
pub fn resolve(service: Service, params: &EndpointParams<'_>) -> Result<String, ConfigError> {
    if service == Service::Signin {
        // No FIPS or dual-stack variants exist for the sign-in endpoint.
        return match params.endpoint {
            Some(endpoint) => Ok(endpoint.to_owned()),
            None => signin_url(params.region),
        };
    }
    if let Some(endpoint) = params.endpoint {
        if params.use_fips {
            return Err(ConfigError::FipsWithCustomEndpoint);
        }
        if params.use_dualstack {
            return Err(ConfigError::DualstackWithCustomEndpoint);
        }
        return Ok(endpoint.to_owned());
    }
    let region = params.region;
    if region.is_empty() {
        return Err(ConfigError::EndpointMissingRegion);
    }
    let partition = Partition::of(region);
    let url = match (params.use_fips, params.use_dualstack) {
        (true, true) => format!(
            "https://{}.{region}.{}",
            service.fips_prefix(),
            partition.dual_stack_dns_suffix
        ),
        // The rule sets hard-code the non-FIPS-looking host for GovCloud: the regular GovCloud
        // endpoints already are FIPS endpoints.
        (true, false) if partition.name == "aws-us-gov" => {
            format!("https://{}.{region}.amazonaws.com", service.prefix())
        }
        (true, false) => format!(
            "https://{}.{region}.{}",
            service.fips_prefix(),
            partition.dns_suffix
        ),
        (false, true) => format!(
            "https://{}.{region}.{}",
            service.prefix(),
            partition.dual_stack_dns_suffix
        ),
        (false, false) => format!(
            "https://{}.{region}.{}",
            service.prefix(),
            partition.dns_suffix
        ),
    };
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(service: Service, region: &str, use_fips: bool, use_dualstack: bool) -> String {
        resolve(
            service,
            &EndpointParams {
                region,
                use_fips,
                use_dualstack,
                endpoint: None,
            },
        )
        .unwrap()
    }

    /// Every "resolved example" of wire-protocol §3.2, all four variants, plus the same region
    /// for the other service.
    #[test]
    fn spec_examples() {
        // (service, region, default, fips, dualstack, fips+dualstack) — hosts only.
        let table: &[(Service, &str, [&str; 4])] = &[
            (
                Service::Portal,
                "us-east-1",
                [
                    "portal.sso.us-east-1.amazonaws.com",
                    "portal.sso-fips.us-east-1.amazonaws.com",
                    "portal.sso.us-east-1.api.aws",
                    "portal.sso-fips.us-east-1.api.aws",
                ],
            ),
            (
                Service::Oidc,
                "us-gov-west-1",
                [
                    "oidc.us-gov-west-1.amazonaws.com",
                    "oidc.us-gov-west-1.amazonaws.com",
                    "oidc.us-gov-west-1.api.aws",
                    "oidc-fips.us-gov-west-1.api.aws",
                ],
            ),
            (
                Service::Oidc,
                "cn-north-1",
                [
                    "oidc.cn-north-1.amazonaws.com.cn",
                    "oidc-fips.cn-north-1.amazonaws.com.cn",
                    "oidc.cn-north-1.api.amazonwebservices.com.cn",
                    "oidc-fips.cn-north-1.api.amazonwebservices.com.cn",
                ],
            ),
            (
                Service::Portal,
                "us-iso-east-1",
                [
                    "portal.sso.us-iso-east-1.c2s.ic.gov",
                    "portal.sso-fips.us-iso-east-1.c2s.ic.gov",
                    "portal.sso.us-iso-east-1.api.aws.ic.gov",
                    "portal.sso-fips.us-iso-east-1.api.aws.ic.gov",
                ],
            ),
            (
                Service::Oidc,
                "eusc-de-east-1",
                [
                    "oidc.eusc-de-east-1.amazonaws.eu",
                    "oidc-fips.eusc-de-east-1.amazonaws.eu",
                    "oidc.eusc-de-east-1.api.amazonwebservices.eu",
                    "oidc-fips.eusc-de-east-1.api.amazonwebservices.eu",
                ],
            ),
            // The same regions for the other service (cli-behavior §1.5 table).
            (
                Service::Oidc,
                "us-east-1",
                [
                    "oidc.us-east-1.amazonaws.com",
                    "oidc-fips.us-east-1.amazonaws.com",
                    "oidc.us-east-1.api.aws",
                    "oidc-fips.us-east-1.api.aws",
                ],
            ),
            (
                Service::Portal,
                "us-gov-west-1",
                [
                    "portal.sso.us-gov-west-1.amazonaws.com",
                    "portal.sso.us-gov-west-1.amazonaws.com",
                    "portal.sso.us-gov-west-1.api.aws",
                    "portal.sso-fips.us-gov-west-1.api.aws",
                ],
            ),
            // The other partitions.
            (
                Service::Portal,
                "us-isob-east-1",
                [
                    "portal.sso.us-isob-east-1.sc2s.sgov.gov",
                    "portal.sso-fips.us-isob-east-1.sc2s.sgov.gov",
                    "portal.sso.us-isob-east-1.api.aws.scloud",
                    "portal.sso-fips.us-isob-east-1.api.aws.scloud",
                ],
            ),
            (
                Service::Oidc,
                "eu-isoe-west-1",
                [
                    "oidc.eu-isoe-west-1.cloud.adc-e.uk",
                    "oidc-fips.eu-isoe-west-1.cloud.adc-e.uk",
                    "oidc.eu-isoe-west-1.api.cloud-aws.adc-e.uk",
                    "oidc-fips.eu-isoe-west-1.api.cloud-aws.adc-e.uk",
                ],
            ),
            (
                Service::Portal,
                "us-isof-south-1",
                [
                    "portal.sso.us-isof-south-1.csp.hci.ic.gov",
                    "portal.sso-fips.us-isof-south-1.csp.hci.ic.gov",
                    "portal.sso.us-isof-south-1.api.aws.hci.ic.gov",
                    "portal.sso-fips.us-isof-south-1.api.aws.hci.ic.gov",
                ],
            ),
            // Unknown region: `aws` partition.
            (
                Service::Portal,
                "xx-fake-1",
                [
                    "portal.sso.xx-fake-1.amazonaws.com",
                    "portal.sso-fips.xx-fake-1.amazonaws.com",
                    "portal.sso.xx-fake-1.api.aws",
                    "portal.sso-fips.xx-fake-1.api.aws",
                ],
            ),
        ];
        for (service, region, hosts) in table {
            let got = [
                url(*service, region, false, false),
                url(*service, region, true, false),
                url(*service, region, false, true),
                url(*service, region, true, true),
            ];
            let want = hosts.map(|h| format!("https://{h}"));
            assert_eq!(got, want, "{service} in {region}");
        }
    }

    #[test]
    fn region_names_are_validated_like_botocore() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "aws-global",
            "us-gov-west-1",
            "a",
        ] {
            assert!(validate_region(good).is_ok(), "{good}");
        }
        for bad in [
            "-bad",
            "bad-",
            "us east 1",
            "us_east_1",
            "123",
            "eu-west-1.evil",
            "",
        ] {
            assert!(validate_region(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            validate_region("-bad").unwrap_err().to_string(),
            "Provided region_name '-bad' doesn't match a supported format."
        );
    }

    #[test]
    fn console_hosts_per_partition() {
        let cases = [
            (
                "us-east-1",
                "https://signin.aws.amazon.com",
                "https://console.aws.amazon.com/console/home?region=us-east-1",
            ),
            (
                "eu-west-1",
                "https://eu-west-1.signin.aws.amazon.com",
                "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
            ),
            (
                "us-gov-west-1",
                "https://signin.amazonaws-us-gov.com",
                "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
            ),
            (
                "cn-north-1",
                "https://signin.amazonaws.cn",
                "https://console.amazonaws.cn/console/home?region=cn-north-1",
            ),
            (
                "eusc-de-east-1",
                "https://signin.amazonaws-eusc.eu",
                "https://console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1",
            ),
        ];
        for (region, signin, console) in cases {
            assert_eq!(signin_url(region).unwrap(), signin, "{region}");
            assert_eq!(console_home_url(region).unwrap(), console, "{region}");
            assert_eq!(
                url(Service::Signin, region, true, true),
                signin,
                "no FIPS variant"
            );
        }
        assert_eq!(
            signin_url("us-iso-east-1").unwrap_err().to_string(),
            "There is no public console sign-in endpoint for region us-iso-east-1 (partition aws-iso): set AWS_ENDPOINT_URL_SIGNIN"
        );
    }

    #[test]
    fn partitions_by_region() {
        let cases = [
            ("us-east-1", "aws"),
            ("mx-central-1", "aws"),
            ("aws-global", "aws"),
            ("cn-northwest-1", "aws-cn"),
            ("aws-cn-global", "aws-cn"),
            ("eusc-de-east-1", "aws-eusc"),
            ("us-iso-west-1", "aws-iso"),
            ("aws-iso-global", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("aws-iso-b-global", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-east-1", "aws-iso-f"),
            ("us-gov-east-1", "aws-us-gov"),
            ("aws-us-gov-global", "aws-us-gov"),
            // Not listed in partitions.json, and no regex matches it.
            ("aws-eusc-global", "aws"),
            // Fall-backs: no regex matches.
            ("xx-fake-1", "aws"),
            ("eusc-fr-east-1", "aws"),
            ("us-east", "aws"),
            ("cn-north-x", "aws"),
            ("us-gov-west-1-extra", "aws"),
            ("", "aws"),
        ];
        for (region, partition) in cases {
            assert_eq!(Partition::of(region).name, partition, "{region}");
        }
    }

    #[test]
    fn custom_endpoint_rules() {
        let params = |use_fips, use_dualstack| EndpointParams {
            region: "",
            use_fips,
            use_dualstack,
            endpoint: Some("http://127.0.0.1:4000/x"),
        };
        assert_eq!(
            resolve(Service::Portal, &params(false, false)).unwrap(),
            "http://127.0.0.1:4000/x"
        );
        let fips = resolve(Service::Oidc, &params(true, true)).unwrap_err();
        assert_eq!(
            fips.to_string(),
            "Invalid Configuration: FIPS and custom endpoint are not supported"
        );
        let dualstack = resolve(Service::Oidc, &params(false, true)).unwrap_err();
        assert_eq!(
            dualstack.to_string(),
            "Invalid Configuration: Dualstack and custom endpoint are not supported"
        );
        let no_region = resolve(
            Service::Portal,
            &EndpointParams {
                region: "",
                use_fips: false,
                use_dualstack: false,
                endpoint: None,
            },
        )
        .unwrap_err();
        assert_eq!(
            no_region.to_string(),
            "Invalid Configuration: Missing Region"
        );
    }
}
