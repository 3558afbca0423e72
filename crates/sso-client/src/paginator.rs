//! botocore's paginator as the AWS CLI drives it (spec cli-behavior §6.2): automatic paging,
//! `--page-size`, `--max-items`, `--starting-token`, `--no-paginate`, and the raw
//! `--max-results` / `--next-token` parameters.
//!
//! It reproduces botocore's `PageIterator` exactly, including its resume tokens — base64 of
//! Python-`json.dumps` text `{"nextToken": …, "boto_truncate_amount": K}` — so a `NextToken`
//! printed by the AWS CLI resumes here and the other way round. It makes no request itself:
//! [`paginate`] calls a `fetch(next_token, max_results)` closure (one [`crate::PortalClient`]
//! call, or a scripted page in tests) and the caller decides how to print the pages.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use sso_core::python::json::Dumps;
use sso_core::{ExitClass, Terminal, python};

/// The paging options of one command run, after argparse has turned them into integers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagingOptions {
    /// `--starting-token`.
    pub starting_token: Option<String>,
    /// `--page-size`.
    pub page_size: Option<i64>,
    /// `--max-items`.
    pub max_items: Option<i64>,
    /// `--max-results` (a raw API parameter).
    pub max_results: Option<i64>,
    /// `--next-token` (a raw API parameter).
    pub next_token: Option<String>,
    /// `--no-paginate`.
    pub no_paginate: bool,
}

/// Why paging could not start or go on, with the AWS CLI's texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaginationError {
    /// `--page-size` or `--max-results` below 1.
    #[error(
        "Parameter validation failed:\nInvalid value for parameter maxResults, value: {0}, valid min value: 1"
    )]
    BelowMinimum(i64),
    /// `--no-paginate` (or a raw parameter) together with automatic-paging options.
    #[error("Cannot specify --no-paginate along with pagination arguments: {}", .0.join(", "))]
    NoPaginateConflict(Vec<&'static str>),
    /// A base64-JSON `--starting-token` with a key botocore would inject as an unknown
    /// operation parameter.
    #[error(
        "Parameter validation failed:\nUnknown parameter in input: \"{key}\", must be one of: {members}"
    )]
    UnknownTokenKey {
        /// The key.
        key: String,
        /// The operation's input members, in model order.
        members: String,
    },
    /// The service returned the same `nextToken` twice in a row.
    #[error(
        "Error during pagination: The same next token was received twice: {{'nextToken': '{0}'}}"
    )]
    RepeatedToken(String),
}

impl PaginationError {
    /// Parameter validation is a usage error (252); a looping service is a general one (255).
    pub fn exit_class(&self) -> ExitClass {
        match self {
            Self::RepeatedToken(_) => ExitClass::General,
            _ => ExitClass::Usage,
        }
    }

    /// botocore's error class name where the AWS CLI's structured error formats print one.
    pub fn aws_code(&self) -> Option<&'static str> {
        match self {
            Self::RepeatedToken(_) => None,
            _ => Some("ParamValidation"),
        }
    }
}

/// How the pages of one command run are fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// One call with exactly these raw parameters (`--no-paginate`, or `--max-results` /
    /// `--next-token` given by hand, which the AWS CLI takes as "no pagination").
    Single {
        /// `maxResults` to send.
        max_results: Option<i64>,
        /// `nextToken` to send.
        next_token: Option<String>,
    },
    /// Follow `nextToken` until the end or `--max-items`.
    Auto {
        /// `maxResults` of every call.
        page_size: Option<i64>,
        /// Stop after this many items (and print a resume token).
        max_items: Option<i64>,
        /// Where to resume.
        start: Option<StartingToken>,
    },
}

/// A decoded `--starting-token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartingToken {
    /// The service token to request the first page with (`None`: the first page).
    pub next_token: Option<String>,
    /// Items of that page already returned before (`boto_truncate_amount`). botocore slices
    /// with it Python-style, so a negative value (from a negative `--max-items`) counts from
    /// the end.
    pub skip: i64,
}

/// Turns the paging options into a plan, with the AWS CLI's validation and messages.
/// `members` lists the operation's input members in model order, for botocore's
/// "Unknown parameter" message; the non-positive `--max-items` warning goes to `terminal`.
///
/// # Errors
///
/// Every validation the AWS CLI makes before the first call.
pub fn plan(
    options: &PagingOptions,
    members: &str,
    terminal: &dyn Terminal,
) -> Result<Plan, PaginationError> {
    let PagingOptions {
        page_size,
        max_items,
        max_results,
        ..
    } = *options;
    if let Some(value) = [page_size, max_results]
        .into_iter()
        .flatten()
        .find(|&v| v < 1)
    {
        return Err(PaginationError::BelowMinimum(value));
    }
    // Giving a raw pagination parameter by hand turns automatic pagination off (awscli
    // `check_should_enable_pagination`).
    let manual = options.next_token.is_some() || max_results.is_some();
    if options.no_paginate || manual {
        // Python truthiness: `--max-items 0` does not count as "given".
        let used: Vec<&'static str> = [
            (
                "--starting-token",
                options
                    .starting_token
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
            return Err(PaginationError::NoPaginateConflict(used));
        }
        return Ok(Plan::Single {
            max_results: max_results.or(page_size),
            next_token: options.next_token.clone(),
        });
    }
    if max_items.is_some_and(|n| n <= 0) {
        terminal.stderr(
            "warning: Non-positive values for --max-items may result in undefined behavior.\n",
        );
    }
    let start = options
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

/// botocore `PageIterator._parse_starting_token`: base64 JSON first; otherwise the deprecated
/// `token___index` form; otherwise the text itself is the service token.
///
/// # Errors
///
/// A base64-JSON token with a key other than `nextToken` and `boto_truncate_amount`.
pub fn decode_starting_token(token: &str, members: &str) -> Result<StartingToken, PaginationError> {
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
                    return Err(PaginationError::UnknownTokenKey {
                        key: other.to_owned(),
                        members: members.to_owned(),
                    });
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
pub fn encode_resume_token(next_token: Option<&str>, truncate: Option<i64>) -> String {
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
pub struct Pages {
    /// Each page in model order, its result list already cut.
    pub pages: Vec<Map<String, Value>>,
    /// The `NextToken` to print when the listing stopped early.
    pub resume_token: Option<String>,
}

/// Runs an automatic plan. `fetch(next_token, max_results)` makes one call and returns the
/// page in model order; `result_key` names the list member.
///
/// # Errors
///
/// What `fetch` returns, or [`PaginationError::RepeatedToken`] converted into the caller's
/// error type.
pub fn paginate<E: From<PaginationError>>(
    page_size: Option<i64>,
    max_items: Option<i64>,
    start: Option<&StartingToken>,
    result_key: &str,
    mut fetch: impl FnMut(Option<&str>, Option<i64>) -> Result<Map<String, Value>, E>,
) -> Result<Pages, E> {
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
            return Err(PaginationError::RepeatedToken(next).into());
        }
        previous = Some(next.clone());
        request_token = Some(next);
    }
}

/// botocore `build_full_result`: the result lists of all pages joined, and `NextToken` last
/// when the listing stopped early. Pages without the result key add nothing.
pub fn full_result(pages: &Pages, result_key: &str) -> Map<String, Value> {
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
    use std::io;
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;

    const MEMBERS: &str = "nextToken, maxResults, accessToken";

    /// Records stderr; nothing else is used by the paginator.
    #[derive(Default)]
    struct Recorder(Mutex<String>);

    impl Terminal for Recorder {
        fn stdout(&self, _: &str) {}
        fn stderr(&self, text: &str) {
            self.0.lock().unwrap().push_str(text);
        }
        fn debug_enabled(&self) -> bool {
            false
        }
        fn debug_line(&self, _: &str) {}
        fn read_line(&self, _: &str) -> io::Result<Option<String>> {
            Ok(None)
        }
        fn stdout_is_terminal(&self) -> bool {
            false
        }
        fn stdin_is_terminal(&self) -> bool {
            false
        }
        fn stderr_is_terminal(&self) -> bool {
            false
        }
        fn width(&self) -> Option<usize> {
            None
        }
    }

    fn options(page_size: Option<i64>, max_items: Option<i64>, no_paginate: bool) -> PagingOptions {
        PagingOptions {
            page_size,
            max_items,
            no_paginate,
            ..PagingOptions::default()
        }
    }

    /// A fake service with `n` items, `size` per page, tokens `tok1`, `tok2`, ….
    fn service(
        n: usize,
        size: usize,
    ) -> impl FnMut(Option<&str>, Option<i64>) -> Result<Map<String, Value>, PaginationError> {
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
        let fetch = |_: Option<&str>, _| -> Result<Map<String, Value>, PaginationError> {
            Ok(json!({"nextToken": "same", "accountList": [1]})
                .as_object()
                .unwrap()
                .clone())
        };
        let error = paginate(None, None, None, "accountList", fetch).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Error during pagination: The same next token was received twice: {'nextToken': 'same'}"
        );
        assert_eq!(error.exit_class(), ExitClass::General);
        assert_eq!(error.aws_code(), None);
    }

    #[test]
    fn validation_follows_the_aws_cli() {
        let terminal = Recorder::default();
        let zero = plan(&options(Some(0), None, false), MEMBERS, &terminal).unwrap_err();
        assert_eq!(zero.exit_class(), ExitClass::Usage);
        assert_eq!(zero.aws_code(), Some("ParamValidation"));
        assert_eq!(
            zero.to_string(),
            "Parameter validation failed:\nInvalid value for parameter maxResults, value: 0, valid min value: 1"
        );
        let conflict = plan(&options(Some(2), Some(3), true), MEMBERS, &terminal).unwrap_err();
        assert_eq!(
            conflict.to_string(),
            "Cannot specify --no-paginate along with pagination arguments: --page-size, --max-items"
        );
        // `--max-items 0` is falsy in Python, so it does not conflict.
        assert!(plan(&options(None, Some(0), true), MEMBERS, &terminal).is_ok());
        let manual = PagingOptions {
            next_token: Some("t".into()),
            ..PagingOptions::default()
        };
        assert_eq!(
            plan(&manual, MEMBERS, &terminal).unwrap(),
            Plan::Single {
                max_results: None,
                next_token: Some("t".into())
            }
        );
        assert_eq!(*terminal.0.lock().unwrap(), "");
        plan(&options(None, Some(-1), false), MEMBERS, &terminal).unwrap();
        assert_eq!(
            *terminal.0.lock().unwrap(),
            "warning: Non-positive values for --max-items may result in undefined behavior.\n"
        );
    }

    #[test]
    fn starting_tokens_decode_like_botocore() {
        let foreign = STANDARD.encode(r#"{"foo": "bar"}"#);
        let error = decode_starting_token(&foreign, MEMBERS).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Parameter validation failed:\nUnknown parameter in input: \"foo\", must be one of: nextToken, maxResults, accessToken"
        );
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
