//! Fuzzes the whole of sso-config: arbitrary bytes, read as lossy UTF-8, as a config file
//! alone and split into config + credentials halves, then settings, endpoints and SSO
//! resolution for every profile and session. Errors are fine; panics are bugs.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sso_config::{
    Overrides, Service, Settings, SharedConfig, resolve_role_profile, resolve_sso_target,
};
use sso_core::Env;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    exercise(&text, "", &text);
    // First byte picks where the config ends and the credentials begin.
    let mut split = data.first().map_or(0, |&b| usize::from(b)) % (text.len() + 1);
    while !text.is_char_boundary(split) {
        split -= 1;
    }
    let (config, credentials) = text.split_at(split);
    exercise(config, credentials, &text);
});

fn exercise(config: &str, credentials: &str, raw: &str) {
    let shared = match SharedConfig::parse(config, Path::new("/c"), credentials, Path::new("/k")) {
        Ok(shared) => shared,
        Err(error) => {
            let _ = error.to_string();
            let _ = (error.exit_class(), error.aws_code());
            return;
        }
    };
    // Environment values taken from the input too, so value validation is fuzzed as well.
    let first_line = raw.lines().next().unwrap_or_default();
    let env = Env::from_pairs([
        ("HOME", "/h"),
        ("AWS_MAX_ATTEMPTS", first_line),
        ("AWS_CA_BUNDLE", first_line),
    ]);
    let profiles: Vec<String> = shared.profile_names().map(str::to_owned).collect();
    let sessions: Vec<String> = shared.sso_session_names().map(str::to_owned).collect();
    for profile in profiles.iter().map(|p| Some(p.as_str())).chain([None]) {
        let overrides = Overrides {
            profile,
            read_timeout: Some(first_line),
            ..Overrides::default()
        };
        for overrides in [
            overrides,
            Overrides {
                read_timeout: None,
                ..overrides
            },
        ] {
            match Settings::resolve(&shared, &env, &overrides) {
                Ok(settings) => {
                    let region = settings.region.clone().unwrap_or_default();
                    for service in [Service::Portal, Service::Oidc] {
                        for allow_flag in [true, false] {
                            match settings.endpoint(&shared, &env, service, &region, allow_flag) {
                                Ok(endpoint) => {
                                    let _ = endpoint.source.to_string();
                                }
                                Err(error) => {
                                    let _ = error.to_string();
                                }
                            }
                        }
                    }
                }
                Err(error) => {
                    let _ = error.to_string();
                }
            }
        }
        for flag in sessions
            .iter()
            .map(|s| Some(s.as_str()))
            .chain([None, Some("")])
        {
            match resolve_sso_target(&shared, profile, flag) {
                Ok(target) => {
                    let _ = (
                        target.token_cache_key(),
                        target.region(),
                        target.session_name(),
                    );
                }
                Err(error) => {
                    let _ = error.to_string();
                }
            }
        }
        if let Some(profile) = profile
            && let Err(error) = resolve_role_profile(&shared, profile)
        {
            let _ = error.to_string();
        }
    }
}
