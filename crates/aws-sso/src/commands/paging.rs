//! The AWS CLI's pagination for `list-accounts` and `list-account-roles` (spec
//! cli-behavior §6.2): automatic paging, `--page-size`, `--max-items`, `--starting-token`,
//! `--no-paginate`, and the raw `--max-results` / `--next-token` parameters.
//!
//! It reproduces botocore's `PageIterator` exactly, including its resume tokens — base64 of
//! Python-`json.dumps` text `{"nextToken": …, "boto_truncate_amount": K}` — so a `NextToken`
//! printed by the AWS CLI resumes here and the other way round.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use sso_core::python;
use sso_core::python::json::Dumps;

use crate::cli::PagingArgs;
use crate::error::CliError;
use sso_core::Terminal;

/// How the pages of one command run are fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// One call with exactly these raw parameters (`--no-paginate`, or `--max-results` /
    /// `--next-token` given by hand, which the AWS CLI takes as "no pagination").
    Single {
        max_results: Option<i64>,
        next_token: Option<String>,
    },
    /// Follow `nextToken` until the end or `--max-items`.
    Auto {
        page_size: Option<i64>,
        max_items: Option<i64>,
        start: Option<StartingToken>,
    },
}

/// A decoded `--starting-token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartingToken {
    /// The service token to request the first page with (`None`: the first page).
    pub(crate) next_token: Option<String>,
    /// Items of that page already returned before (`boto_truncate_amount`). botocore slices
    /// with it Python-style, so a negative value (from a negative `--max-items`) counts from
    /// the end.
    pub(crate) skip: i64,
}

/// Turns the paging options into a plan, with the AWS CLI's validation and messages.
/// `members` lists the operation's input members in model order, for botocore's
/// "Unknown parameter" message.
pub(crate) fn plan(
    args: &PagingArgs,
    no_paginate: bool,
    members: &str,
    printer: &dyn Terminal,
) -> Result<Plan, CliError> {
    let page_size = int_option("--page-size", args.page_size.as_deref())?;
    let max_items = int_option("--max-items", args.max_items.as_deref())?;
    let max_results = int_option("--max-results", args.max_results.as_deref())?;
    for value in [page_size, max_results].into_iter().flatten() {
        if value < 1 {
            return Err(CliError::ParamValidation(format!(
                "Parameter validation failed:\nInvalid value for parameter maxResults, value: {value}, valid min value: 1"
            )));
        }
    }
    // Giving a raw pagination parameter by hand turns automatic pagination off (awscli
    // `check_should_enable_pagination`).
    let manual = args.next_token.is_some() || max_results.is_some();
    if no_paginate || manual {
        // Python truthiness: `--max-items 0` does not count as "given".
        let used: Vec<&str> = [
            (
                "--starting-token",
                args.starting_token
                    .as_deref()
                    .is_some_and(|t| !t.is_empty()),
            ),
            ("--page-size", page_size.is_some_and(|v| v != 0)),
            ("--max-items", max_items.is_some_and(|v| v != 0)),
        ]
        .into_iter()
        .filter_map(|(name, used)| used.then_some(name))
        .collect();
        if !used.is_empty() {
            return Err(CliError::ParamValidation(format!(
                "Cannot specify --no-paginate along with pagination arguments: {}",
                used.join(", ")
            )));
        }
        return Ok(Plan::Single {
            max_results: max_results.or(page_size),
            next_token: args.next_token.clone(),
        });
    }
    if max_items.is_some_and(|n| n <= 0) {
        printer.stderr(
            "warning: Non-positive values for --max-items may result in undefined behavior.\n",
        );
    }
    let start = args
        .starting_token
        .as_deref()
        .map(|token| decode_starting_token(token, members))
        .transpose()?;
    Ok(Plan::Auto {
        page_size,
        max_items,
        start,
    })
}

/// argparse `type=int`.
fn int_option(name: &str, value: Option<&str>) -> Result<Option<i64>, CliError> {
    value
        .map(|raw| {
            raw.trim().parse::<i64>().map_err(|_| {
                CliError::Usage(format!("argument {name}: invalid int value: '{raw}'"))
            })
        })
        .transpose()
}

/// botocore `PageIterator._parse_starting_token`: base64 JSON first; otherwise the deprecated
/// `token___index` form; otherwise the text itself is the service token.
pub(crate) fn decode_starting_token(token: &str, members: &str) -> Result<StartingToken, CliError> {
    if let Some(object) = decode_json_token(token) {
        let mut next_token = None;
        let mut skip = 0;
        for (key, value) in object {
            match key.as_str() {
                "boto_truncate_amount" => skip = value.as_i64().unwrap_or(0),
                "nextToken" => {
                    next_token = match value {
                        Value::String(s) if s != "None" => Some(s),
                        _ => None,
                    };
                }
                // Every other key is injected as an operation parameter, which botocore's
                // validation then rejects.
                other => {
                    return Err(CliError::ParamValidation(format!(
                        "Parameter validation failed:\nUnknown parameter in input: \"{other}\", must be one of: {members}"
                    )));
                }
            }
        }
        return Ok(StartingToken { next_token, skip });
    }
    let parts: Vec<&str> = token.split("___").collect();
    if let [service_token, index] = parts.as_slice()
        && let Ok(skip) = index.parse::<i64>()
    {
        return Ok(StartingToken {
            next_token: (*service_token != "None").then(|| (*service_token).to_owned()),
            skip,
        });
    }
    Ok(StartingToken {
        next_token: (token != "None").then(|| token.to_owned()),
        skip: 0,
    })
}

/// Python `json.loads(base64.b64decode(token))`, which ignores characters outside the base64
/// alphabet but insists on correct padding. `None` unless it yields a JSON object.
fn decode_json_token(token: &str) -> Option<Map<String, Value>> {
    let cleaned: String = token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    let bytes = STANDARD.decode(cleaned).ok()?;
    match serde_json::from_slice::<Value>(&bytes).ok()? {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// The resume token for `{"nextToken": token[, "boto_truncate_amount": K]}`.
pub(crate) fn encode_resume_token(next_token: Option<&str>, truncate: Option<i64>) -> String {
    let mut object = Map::new();
    object.insert(
        "nextToken".into(),
        next_token.map_or(Value::Null, Value::from),
    );
    if let Some(amount) = truncate {
        object.insert("boto_truncate_amount".into(), Value::from(amount));
    }
    STANDARD.encode(Dumps::new().dumps(&Value::Object(object)))
}

/// What paging produced: the pages (already truncated as botocore truncates them) and the
/// resume token, if the listing stopped early.
#[derive(Debug, Default)]
pub(crate) struct Pages {
    pub(crate) pages: Vec<Map<String, Value>>,
    pub(crate) resume_token: Option<String>,
}

/// Runs an automatic plan. `fetch(next_token, max_results)` makes one call and returns the
/// page in model order; `result_key` names the list member.
pub(crate) fn paginate(
    page_size: Option<i64>,
    max_items: Option<i64>,
    start: Option<&StartingToken>,
    result_key: &str,
    mut fetch: impl FnMut(Option<&str>, Option<i64>) -> Result<Map<String, Value>, CliError>,
) -> Result<Pages, CliError> {
    let mut out = Pages::default();
    // The token the current page was requested with: a mid-page stop resumes from it.
    let mut request_token: Option<String> = start.and_then(|s| s.next_token.clone());
    let mut starting_truncation = start.map_or(0, |s| s.skip);
    let mut total: i64 = 0;
    let mut previous: Option<String> = None;
    loop {
        let mut page = fetch(request_token.as_deref(), page_size)?;
        if starting_truncation != 0
            && let Some(Value::Array(items)) = page.get_mut(result_key)
        {
            // `items[starting_truncation:]`
            let start = python::slice_bound(items.len(), starting_truncation);
            items.drain(..start);
        }
        let count = match page.get(result_key) {
            Some(Value::Array(items)) => items.len(),
            _ => 0,
        };
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        if let Some(max) = max_items {
            let excess = total + count - max;
            if excess > 0 {
                // botocore: `original[:amount_to_keep]`, which a negative --max-items makes a
                // Python negative slice.
                let amount_to_keep = count - excess;
                if let Some(Value::Array(items)) = page.get_mut(result_key) {
                    items.truncate(python::slice_bound(items.len(), amount_to_keep));
                }
                out.resume_token = Some(encode_resume_token(
                    request_token.as_deref(),
                    Some(amount_to_keep + starting_truncation),
                ));
                out.pages.push(page);
                return Ok(out);
            }
        }
        let next = match page.get("nextToken") {
            Some(Value::String(token)) if !token.is_empty() => Some(token.clone()),
            _ => None,
        };
        out.pages.push(page);
        total += count;
        starting_truncation = 0;
        let Some(next) = next else {
            return Ok(out);
        };
        if max_items == Some(total) {
            out.resume_token = Some(encode_resume_token(Some(&next), None));
            return Ok(out);
        }
        if previous.as_deref() == Some(next.as_str()) {
            return Err(CliError::general(format!(
                "Error during pagination: The same next token was received twice: {{'nextToken': '{next}'}}"
            )));
        }
        previous = Some(next.clone());
        request_token = Some(next);
    }
}

/// botocore `build_full_result`: the result lists of all pages joined, and `NextToken` last
/// when the listing stopped early. Pages without the result key add nothing.
pub(crate) fn full_result(pages: &Pages, result_key: &str) -> Map<String, Value> {
    let mut result = Map::new();
    for page in &pages.pages {
        match (page.get(result_key), result.get_mut(result_key)) {
            (Some(Value::Array(items)), Some(Value::Array(all))) => {
                all.extend(items.iter().cloned())
            }
            (Some(value), None) if !value.is_null() => {
                result.insert(result_key.to_owned(), value.clone());
            }
            _ => {}
        }
    }
    if let Some(token) = &pages.resume_token {
        result.insert("NextToken".into(), Value::from(token.as_str()));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::Printer;
    use serde_json::json;

    const MEMBERS: &str = "nextToken, maxResults, accessToken";

    fn args(page_size: Option<&str>, max_items: Option<&str>, start: Option<&str>) -> PagingArgs {
        PagingArgs {
            starting_token: start.map(str::to_owned),
            page_size: page_size.map(str::to_owned),
            max_items: max_items.map(str::to_owned),
            max_results: None,
            next_token: None,
        }
    }

    /// A fake service with `n` items, `size` per page, tokens `tok1`, `tok2`, ….
    fn service(
        n: usize,
        size: usize,
    ) -> impl FnMut(Option<&str>, Option<i64>) -> Result<Map<String, Value>, CliError> {
        move |token, _| {
            let page: usize = token.map_or(0, |t| t.trim_start_matches("tok").parse().unwrap());
            let items: Vec<Value> = (page * size..((page + 1) * size).min(n))
                .map(|i| json!(i))
                .collect();
            let mut map = Map::new();
            if (page + 1) * size < n {
                map.insert("nextToken".into(), json!(format!("tok{}", page + 1)));
            }
            map.insert("accountList".into(), Value::Array(items));
            Ok(map)
        }
    }

    #[test]
    fn resume_tokens_match_the_observed_cli_tokens() {
        // Observed in spec §6.2 (page size 2).
        assert_eq!(
            encode_resume_token(Some("tok2"), Some(1)),
            "eyJuZXh0VG9rZW4iOiAidG9rMiIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDF9"
        );
        assert_eq!(
            encode_resume_token(Some("tok2"), None),
            "eyJuZXh0VG9rZW4iOiAidG9rMiJ9"
        );
    }

    #[test]
    fn max_items_mid_page_and_on_a_boundary() {
        let pages = paginate(Some(2), Some(3), None, "accountList", service(7, 2)).unwrap();
        let full = full_result(&pages, "accountList");
        assert_eq!(full["accountList"], json!([0, 1, 2]));
        assert_eq!(
            decode_starting_token(full["NextToken"].as_str().unwrap(), MEMBERS).unwrap(),
            StartingToken {
                next_token: Some("tok1".into()),
                skip: 1
            }
        );
        let pages = paginate(Some(2), Some(2), None, "accountList", service(7, 2)).unwrap();
        assert_eq!(
            pages.resume_token.as_deref(),
            Some(encode_resume_token(Some("tok1"), None).as_str())
        );
    }

    #[test]
    fn resuming_yields_every_item_exactly_once() {
        for size in 1..5 {
            for step in 1..6 {
                let mut seen = Vec::new();
                let mut start: Option<StartingToken> = None;
                loop {
                    let pages = paginate(
                        Some(size),
                        Some(step),
                        start.as_ref(),
                        "accountList",
                        service(9, size as usize),
                    )
                    .unwrap();
                    let full = full_result(&pages, "accountList");
                    seen.extend(
                        full["accountList"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|v| v.as_i64().unwrap()),
                    );
                    match pages.resume_token {
                        Some(token) => {
                            start = Some(decode_starting_token(&token, MEMBERS).unwrap())
                        }
                        None => break,
                    }
                }
                assert_eq!(
                    seen,
                    (0..9).collect::<Vec<_>>(),
                    "page size {size}, max items {step}"
                );
            }
        }
    }

    #[test]
    fn first_page_truncation_resumes_from_the_start() {
        let pages = paginate(None, Some(1), None, "accountList", service(3, 3)).unwrap();
        assert_eq!(
            decode_starting_token(pages.resume_token.as_deref().unwrap(), MEMBERS).unwrap(),
            StartingToken {
                next_token: None,
                skip: 1
            }
        );
    }

    #[test]
    fn negative_max_items_slice_like_python() {
        // A page of 4 with --max-items -1 keeps items[:-1] and records -1, as botocore does.
        let pages = paginate(Some(4), Some(-1), None, "accountList", service(9, 4)).unwrap();
        assert_eq!(
            full_result(&pages, "accountList")["accountList"],
            json!([0, 1, 2])
        );
        assert_eq!(
            decode_starting_token(pages.resume_token.as_deref().unwrap(), MEMBERS).unwrap(),
            StartingToken {
                next_token: None,
                skip: -1
            }
        );
    }

    #[test]
    fn the_same_token_twice_is_an_error() {
        let fetch = |_: Option<&str>, _| -> Result<Map<String, Value>, CliError> {
            Ok(json!({"nextToken": "same", "accountList": [1]})
                .as_object()
                .unwrap()
                .clone())
        };
        let error = paginate(None, None, None, "accountList", fetch).unwrap_err();
        assert!(error.render(crate::error::ErrorFormat::Enhanced).contains(
            "Error during pagination: The same next token was received twice: {'nextToken': 'same'}"
        ));
    }

    #[test]
    fn validation_follows_the_aws_cli() {
        let printer = Printer::new(false);
        let zero = plan(&args(Some("0"), None, None), false, MEMBERS, &printer).unwrap_err();
        assert_eq!(zero.exit_code(), 252);
        assert!(zero.render(crate::error::ErrorFormat::Enhanced).contains(
            "Parameter validation failed:\nInvalid value for parameter maxResults, value: 0, valid min value: 1"
        ));
        let conflict =
            plan(&args(Some("2"), Some("3"), None), true, MEMBERS, &printer).unwrap_err();
        assert!(conflict.render(crate::error::ErrorFormat::Enhanced).contains(
            "Cannot specify --no-paginate along with pagination arguments: --page-size, --max-items"
        ));
        let bad = plan(&args(Some("x"), None, None), false, MEMBERS, &printer).unwrap_err();
        assert!(
            bad.render(crate::error::ErrorFormat::Enhanced)
                .contains("argument --page-size: invalid int value: 'x'")
        );
        let mut manual = args(None, None, None);
        manual.next_token = Some("t".into());
        assert_eq!(
            plan(&manual, false, MEMBERS, &printer).unwrap(),
            Plan::Single {
                max_results: None,
                next_token: Some("t".into())
            }
        );
    }

    #[test]
    fn starting_tokens_decode_like_botocore() {
        let foreign = STANDARD.encode(r#"{"foo": "bar"}"#);
        let error = decode_starting_token(&foreign, MEMBERS).unwrap_err();
        assert!(error.render(crate::error::ErrorFormat::Enhanced).contains(
            "Unknown parameter in input: \"foo\", must be one of: nextToken, maxResults, accessToken"
        ));
        assert_eq!(
            decode_starting_token("abc___2", MEMBERS).unwrap(),
            StartingToken {
                next_token: Some("abc".into()),
                skip: 2
            }
        );
        assert_eq!(
            decode_starting_token("opaque-token", MEMBERS).unwrap(),
            StartingToken {
                next_token: Some("opaque-token".into()),
                skip: 0
            }
        );
    }
}
