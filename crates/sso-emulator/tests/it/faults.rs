//! Realism and fault knobs in process: `--error-rate`, `--seed`, `--rate-limit`,
//! `--latency-ms`. (The rate limiter under real concurrent load is in `binary`.)

use std::time::{Duration, Instant};

use serde_json::json;
use sso_emulator::{Family, RateLimit};

use crate::common::Emu;

#[tokio::test]
async fn error_rate_one_fails_every_api_call_in_the_right_shape() {
    let emu = Emu::with(|config| config.error_rate = 1.0);
    let resp = emu.get("/assignment/accounts", Some("t")).await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.json(), json!({"message": "Internal failure"}));
    assert!(
        resp.header("x-amzn-errortype").is_none(),
        "botocore must see code 500"
    );
    crate::common::assert_request_id(&resp.headers);
    let resp = emu
        .post_json(
            "/client/register",
            &json!({"clientName": "c", "clientType": "public"}),
        )
        .await;
    resp.assert_oidc_error(500, "InternalServerException", "server_error");
    // Control routes and pages are never faulted.
    assert_eq!(emu.get("/_emulator/counters", None).await.status, 200);
    assert_eq!(emu.browser().get("/device").await.status, 200);
}

async fn fault_pattern(seed: u64) -> Vec<u16> {
    let emu = Emu::with(|config| {
        config.error_rate = 0.5;
        config.seed = Some(seed);
    });
    let mut statuses = Vec::new();
    for _ in 0..200 {
        statuses.push(emu.get("/assignment/accounts", Some("t")).await.status);
    }
    statuses
}

#[tokio::test]
async fn error_rate_is_seeded_and_roughly_right() {
    let first = fault_pattern(42).await;
    assert_eq!(
        first,
        fault_pattern(42).await,
        "the same seed replays the same faults"
    );
    assert_ne!(first, fault_pattern(43).await);
    let failures = first.iter().filter(|s| **s == 500).count();
    assert!(
        (70..=130).contains(&failures),
        "{failures} of 200 at rate 0.5"
    );
    assert!(first.iter().all(|s| *s == 500 || *s == 401), "{first:?}");
}

#[tokio::test]
async fn rate_limits_throttle_each_family_in_its_own_shape() {
    let emu = Emu::with(|config| {
        // 0.01/s: no refill during the test, so exactly the burst passes.
        config.rate_limits = vec![
            RateLimit {
                family: Family::Portal,
                rate: 0.01,
                burst: 3.0,
            },
            RateLimit {
                family: Family::Oidc,
                rate: 0.01,
                burst: 2.0,
            },
        ];
    });
    let statuses: Vec<u16> = {
        let mut out = Vec::new();
        for _ in 0..5 {
            out.push(emu.get("/assignment/accounts", Some("t")).await.status);
        }
        out
    };
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    emu.get("/assignment/accounts", Some("t"))
        .await
        .assert_portal_error(429, "TooManyRequestsException", "Rate exceeded");
    let body = json!({"clientName": "c", "clientType": "public"});
    assert_eq!(emu.post_json("/client/register", &body).await.status, 200);
    assert_eq!(emu.post_json("/client/register", &body).await.status, 200);
    let throttled = emu.post_json("/client/register", &body).await;
    throttled.assert_oidc_error(400, "SlowDownException", "slow_down");
    assert_eq!(throttled.json()["error_description"], "Rate exceeded");
}

#[tokio::test]
async fn latency_delays_api_responses() {
    let emu = Emu::with(|config| config.latency = Duration::from_millis(40));
    let start = Instant::now();
    emu.get("/assignment/accounts", Some("t"))
        .await
        .assert_unauthorized();
    // A lower bound only: sleeping guarantees at least the configured latency.
    assert!(start.elapsed() >= Duration::from_millis(40));
}
