//! What the three portal API commands (`list-accounts`, `list-account-roles`,
//! `get-role-credentials`; spec cli-behavior §6) share: which token to send and which region
//! to call ([`PortalCall`]), `--cli-input-json` ([`Params`]), pagination ([`Listing`]) and
//! printing.
//!
//! The token is `--access-token` as the AWS CLI requires it, or — our addition,
//! aws/aws-cli#5057 — the cached token of the profile or `--sso-session`, refreshed when needed.

use serde_json::{Map, Value};
use sso_client::paginator::{self, Plan};
use sso_client::{PagingOptions, PortalClient};
use sso_config::SsoTarget;
use sso_core::Secret;

use crate::Context;
use crate::cli::{GlobalArgs, InputArgs, PagingArgs};
use crate::commands::credentials;
use crate::commands::parameters::{self, Member};
use crate::error::CliError;
use crate::output::{self, PartialOutput, Rendered};
use crate::settings::Resolved;

/// Where a portal call goes and with which token, decided before any I/O. `--show-settings`
/// prints this same value, so what it reports is what the command does.
pub(crate) struct PortalCall {
    /// The region whose portal endpoint is called.
    pub(crate) region: String,
    token: Token,
}

enum Token {
    /// `--access-token` (or `accessToken` in `--cli-input-json`).
    Given(Secret<String>),
    /// The cached token of this sign-in target.
    Cached(SsoTarget),
}

impl PortalCall {
    /// `--access-token` with the AWS CLI's region rule (the CLI region, `NoRegion` without
    /// one); otherwise the cached token of the profile or `--sso-session`, in that session's
    /// region unless `--region` says otherwise (a token is only valid in the region that
    /// issued it, so a profile's `region` does not apply).
    pub(crate) fn plan(
        access_token: Option<&str>,
        sso_session: Option<&str>,
        global: &GlobalArgs,
        resolved: &Resolved,
    ) -> Result<Self, CliError> {
        if let Some(token) = access_token {
            return Ok(Self {
                region: resolved.settings.require_region()?.to_owned(),
                token: Token::Given(Secret::new(token.to_owned())),
            });
        }
        let target = resolved.sso_target(sso_session)?;
        Ok(Self {
            region: global
                .region
                .clone()
                .unwrap_or_else(|| target.region().to_owned()),
            token: Token::Cached(target),
        })
    }

    /// The client and token to call with; a cached token is refreshed if it needs to be.
    fn connect(
        self,
        resolved: &Resolved,
        context: &Context,
    ) -> Result<(PortalClient, Secret<String>), CliError> {
        let token = match self.token {
            Token::Given(token) => token,
            Token::Cached(target) => {
                let provider = sso_auth::TokenProvider {
                    cache: context.cache()?,
                    clock: context.clock.as_ref(),
                    terminal: context.terminal.as_ref(),
                };
                provider
                    .access_token(&target, || {
                        Ok(resolved.oidc_client(context, target.region(), false)?)
                    })
                    .map_err(|error| credentials::with_login_hint(error, &target))?
            }
        };
        let portal = resolved.portal_client(context, &self.region, true)?;
        Ok((portal, token))
    }
}

/// The operation's parameters from `--cli-input-json`, which fill in what the command line
/// leaves out.
pub(crate) struct Params {
    json: Map<String, Value>,
}

impl Params {
    /// Reads `--cli-input-json`; prints the skeleton and returns `None` for
    /// `--generate-cli-skeleton`.
    pub(crate) fn gather(
        input: &InputArgs,
        members: &[Member],
        context: &Context,
    ) -> Result<Option<Self>, CliError> {
        // clap accepts only `input`, the one kind aws-sso generates.
        if input.generate_cli_skeleton.is_some() {
            context.terminal.stdout(&parameters::skeleton(members));
            return Ok(None);
        }
        let json = input
            .cli_input_json
            .as_deref()
            .map(|raw| parameters::input_json(raw, members))
            .transpose()?
            .unwrap_or_default();
        Ok(Some(Self { json }))
    }

    /// A required member: the command line's value, else the JSON's, else the profile's
    /// `profile_key` (our addition: the AWS CLI has no default). `Err` is argparse's "required"
    /// usage error when nothing gives it and there is no `--cli-input-json` (which reports
    /// missing members botocore's way instead, see [`parameters::missing_required`]).
    pub(crate) fn required(
        &self,
        name: &str,
        cli: Option<&str>,
        profile_key: &str,
        resolved: &Resolved,
    ) -> Option<String> {
        self.merged(name, cli).or_else(|| {
            resolved
                .config
                .profile(&resolved.settings.profile_name)
                .and_then(|profile| profile.get(profile_key))
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        })
    }

    /// argparse's error for required options nothing supplied, in the command's order.
    pub(crate) fn check_required(
        &self,
        input: &InputArgs,
        options: &[(&str, bool)],
    ) -> Result<(), CliError> {
        let missing: Vec<&str> = options
            .iter()
            .filter(|(_, present)| !present)
            .map(|(option, _)| *option)
            .collect();
        if missing.is_empty() || input.cli_input_json.is_some() {
            return Ok(());
        }
        Err(CliError::Usage(format!(
            "the following arguments are required: {}",
            missing.join(", ")
        )))
    }

    /// The command line's value, else the JSON's.
    pub(crate) fn merged(&self, name: &str, cli: Option<&str>) -> Option<String> {
        cli.map(str::to_owned).or_else(|| {
            self.json
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }

    /// Paging options with `nextToken` / `maxResults` from the JSON (as `--next-token` /
    /// `--max-results`, which make one raw call).
    pub(crate) fn paging(&self, cli: &PagingArgs) -> PagingArgs {
        let mut paging = cli.clone();
        if paging.next_token.is_none() {
            paging.next_token = self
                .json
                .get("nextToken")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        if paging.max_results.is_none() {
            paging.max_results = self.json.get("maxResults").map(Value::to_string);
        }
        paging
    }
}

/// What differs between the two paginated commands.
pub(crate) struct Listing<'a> {
    /// The operation name (table title).
    pub(crate) operation: &'static str,
    /// The operation's input members in model order, for botocore's "Unknown parameter".
    pub(crate) members: &'static [Member],
    /// The paginated list member.
    pub(crate) result_key: &'static str,
    pub(crate) paging: PagingArgs,
    pub(crate) access_token: Option<&'a str>,
    pub(crate) sso_session: Option<&'a str>,
}

impl Listing<'_> {
    /// Validates, resolves the token, pages and prints. `call` makes one request.
    pub(crate) fn run(
        &self,
        global: &GlobalArgs,
        resolved: &Resolved,
        context: &Context,
        call: impl Fn(
            &PortalClient,
            &Secret<String>,
            Option<&str>,
            Option<i64>,
        ) -> Result<Value, CliError>,
    ) -> Result<(), CliError> {
        let plan = paginator::plan(
            &paging_options(&self.paging, global.no_paginate)?,
            &parameters::member_list(self.members),
            context.terminal.as_ref(),
        )?;
        let renderer = output::Renderer::new(global, resolved, context, self.operation)?;
        let (portal, token) =
            PortalCall::plan(self.access_token, self.sso_session, global, resolved)?
                .connect(resolved, context)?;
        let fetch = |next_token: Option<&str>, max_results: Option<i64>| {
            call(&portal, &token, next_token, max_results).map(as_object)
        };
        let rendered = match plan {
            Plan::Single {
                max_results,
                next_token,
            } => {
                let page = fetch(next_token.as_deref(), max_results)?;
                renderer.single(&Value::Object(page))
            }
            Plan::Auto {
                page_size,
                max_items,
                start,
            } => {
                let pages = paginator::paginate(
                    page_size,
                    max_items,
                    start.as_ref(),
                    self.result_key,
                    fetch,
                )?;
                renderer.paginated(&pages, self.result_key)
            }
        };
        emit(rendered, context)
    }
}

/// One unpaginated call (`get-role-credentials`): checks the output options, resolves the
/// token, makes `request` and prints its answer.
pub(crate) fn call_once(
    operation: &'static str,
    access_token: Option<&str>,
    sso_session: Option<&str>,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
    request: impl FnOnce(&PortalClient, &Secret<String>) -> Result<Value, CliError>,
) -> Result<(), CliError> {
    let renderer = output::Renderer::new(global, resolved, context, operation)?;
    let (portal, token) = PortalCall::plan(access_token, sso_session, global, resolved)?
        .connect(resolved, context)?;
    let response = request(&portal, &token)?;
    emit(renderer.single(&response), context)
}

/// The paging options as integers, with argparse's `type=int` message for one that is not.
fn paging_options(args: &PagingArgs, no_paginate: bool) -> Result<PagingOptions, CliError> {
    let int = |name: &str, value: Option<&str>| {
        value
            .map(|raw| {
                raw.trim().parse::<i64>().map_err(|_| {
                    CliError::Usage(format!("argument {name}: invalid int value: '{raw}'"))
                })
            })
            .transpose()
    };
    Ok(PagingOptions {
        starting_token: args.starting_token.clone(),
        page_size: int("--page-size", args.page_size.as_deref())?,
        max_items: int("--max-items", args.max_items.as_deref())?,
        max_results: int("--max-results", args.max_results.as_deref())?,
        next_token: args.next_token.clone(),
        no_paginate,
    })
}

/// A refusal (`ForbiddenException`), with a line of our own saying what was asked for and how to
/// list what can be asked (the AWS CLI's line, `No access`, names neither).
pub(crate) fn with_access_hint(error: sso_client::ClientError, hint: &str) -> CliError {
    let forbidden = error.code() == Some("ForbiddenException");
    let error = CliError::from(error);
    if forbidden {
        error.with_hint(hint)
    } else {
        error
    }
}

/// Prints the output; on a failure, prints what was produced before it, then fails.
fn emit(rendered: Result<Rendered, Box<PartialOutput>>, context: &Context) -> Result<(), CliError> {
    match rendered {
        Ok(rendered) => output::emit(rendered, context),
        Err(partial) => {
            let PartialOutput { rendered, error } = *partial;
            output::emit(rendered, context)?;
            Err(error)
        }
    }
}

fn as_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_numbers_are_parsed_like_argparse_type_int() {
        let args = PagingArgs {
            page_size: Some(" 3 ".into()),
            max_items: Some("-1".into()),
            ..PagingArgs::default()
        };
        let options = paging_options(&args, true).unwrap();
        assert_eq!(
            (options.page_size, options.max_items, options.no_paginate),
            (Some(3), Some(-1), true)
        );
        let bad = PagingArgs {
            page_size: Some("x".into()),
            ..PagingArgs::default()
        };
        let error = paging_options(&bad, false).unwrap_err();
        assert_eq!(error.exit_code(), 252);
        assert!(
            error
                .render(crate::error::ErrorFormat::Enhanced)
                .contains("argument --page-size: invalid int value: 'x'")
        );
    }
}
