//! `list-accounts`, `list-account-roles` and `get-role-credentials`: the three portal API
//! commands (spec cli-behavior §6).
//!
//! They share everything but the call itself: which token to send (`--access-token` as the AWS
//! CLI requires it, or — our addition, aws/aws-cli#5057 — the cached token of the profile or
//! `--sso-session`, refreshed when needed), which region and endpoint to call, pagination, and
//! printing through `output.rs`.

use serde_json::{Map, Value};
use sso_client::PortalClient;
use sso_core::Secret;

use crate::Context;
use crate::cli::{
    GetRoleCredentialsArgs, GlobalArgs, InputArgs, ListAccountRolesArgs, ListAccountsArgs,
    PagingArgs,
};
use crate::commands::paging::{self, Plan};
use crate::commands::parameters::{self, Member};
use crate::error::CliError;
use crate::output::{self, PartialOutput, Rendered};
use crate::settings::Resolved;

/// The token to call with and the region to call in.
struct Credentials {
    token: Secret<String>,
    region: String,
}

/// `--access-token` with the AWS CLI's region rules (`NoRegion` without one); otherwise the
/// cached token of the profile or `--sso-session`, in that session's region unless `--region`
/// says otherwise (the token is only valid in the region that issued it).
fn credentials(
    access_token: Option<&str>,
    sso_session: Option<&str>,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<Credentials, CliError> {
    if let Some(token) = access_token {
        let region = resolved.settings.require_region()?.to_owned();
        return Ok(Credentials {
            token: Secret::new(token.to_owned()),
            region,
        });
    }
    let target = resolved.sso_target(sso_session)?;
    let provider = sso_auth::TokenProvider {
        cache: context.cache()?,
        clock: context.clock.as_ref(),
        terminal: context.terminal.as_ref(),
    };
    let token = provider.access_token(&target, || {
        Ok(resolved.oidc_client(context, target.region(), false)?)
    })?;
    let region = global
        .region
        .clone()
        .unwrap_or_else(|| target.region().to_owned());
    Ok(Credentials { token, region })
}

/// `list-accounts`.
pub(crate) fn list_accounts(
    args: &ListAccountsArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let members = parameters::LIST_ACCOUNTS;
    let Some(params) = Params::gather(&args.input, members, context)? else {
        return Ok(());
    };
    let access_token = params.merged("accessToken", args.access_token.as_deref());
    let listing = Listing {
        operation: "ListAccounts",
        members,
        result_key: "accountList",
        paging: params.paging(&args.paging),
        access_token: access_token.as_deref(),
        sso_session: args.sso_session.as_deref(),
    };
    listing.run(
        global,
        resolved,
        context,
        |portal, token, next_token, max_results| {
            Ok(portal
                .list_accounts(token, next_token, max_results)?
                .to_value())
        },
    )
}

/// `list-account-roles`.
pub(crate) fn list_account_roles(
    args: &ListAccountRolesArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let members = parameters::LIST_ACCOUNT_ROLES;
    let Some(params) = Params::gather(&args.input, members, context)? else {
        return Ok(());
    };
    let account_id = params.merged("accountId", args.account_id.as_deref());
    parameters::missing_required(members, |name| name == "accountId" && account_id.is_some())?;
    let account_id = account_id.unwrap_or_default();
    let access_token = params.merged("accessToken", args.access_token.as_deref());
    let listing = Listing {
        operation: "ListAccountRoles",
        members,
        result_key: "roleList",
        paging: params.paging(&args.paging),
        access_token: access_token.as_deref(),
        sso_session: args.sso_session.as_deref(),
    };
    listing.run(
        global,
        resolved,
        context,
        |portal, token, next_token, max_results| {
            Ok(portal
                .list_account_roles(token, &account_id, next_token, max_results)?
                .to_value())
        },
    )
}

/// The operation's parameters from `--cli-input-json`, which fill in what the command line
/// leaves out.
struct Params {
    json: Map<String, Value>,
}

impl Params {
    /// Reads `--cli-input-json`; prints the skeleton and returns `None` for
    /// `--generate-cli-skeleton`.
    fn gather(
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

    /// The command line's value, else the JSON's.
    fn merged(&self, name: &str, cli: Option<&str>) -> Option<String> {
        cli.map(str::to_owned).or_else(|| {
            self.json
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }

    /// Paging options with `nextToken` / `maxResults` from the JSON (as `--next-token` /
    /// `--max-results`, which make one raw call).
    fn paging(&self, cli: &PagingArgs) -> PagingArgs {
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
struct Listing<'a> {
    /// The operation name (table title).
    operation: &'static str,
    /// The operation's input members in model order, for botocore's "Unknown parameter".
    members: &'static [Member],
    /// The paginated list member.
    result_key: &'static str,
    paging: PagingArgs,
    access_token: Option<&'a str>,
    sso_session: Option<&'a str>,
}

impl Listing<'_> {
    /// Validates, resolves the token, pages and prints. `call` makes one request.
    fn run(
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
        let plan = paging::plan(
            &self.paging,
            global.no_paginate,
            &parameters::member_list(self.members),
            context.terminal.as_ref(),
        )?;
        let renderer = output::Renderer::new(global, resolved, context, self.operation)?;
        let credentials = credentials(
            self.access_token,
            self.sso_session,
            global,
            resolved,
            context,
        )?;
        let portal = resolved.portal_client(context, &credentials.region, true)?;
        let fetch = |next_token: Option<&str>, max_results: Option<i64>| {
            call(&portal, &credentials.token, next_token, max_results).map(as_object)
        };
        run_paginated(plan, self.result_key, fetch, &renderer, context)
    }
}

/// `get-role-credentials`.
pub(crate) fn get_role_credentials(
    args: &GetRoleCredentialsArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let members = parameters::GET_ROLE_CREDENTIALS;
    let Some(params) = Params::gather(&args.input, members, context)? else {
        return Ok(());
    };
    let role_name = params.merged("roleName", args.role_name.as_deref());
    let account_id = params.merged("accountId", args.account_id.as_deref());
    parameters::missing_required(members, |name| match name {
        "roleName" => role_name.is_some(),
        "accountId" => account_id.is_some(),
        _ => true,
    })?;
    let access_token = params.merged("accessToken", args.access_token.as_deref());
    let renderer = output::Renderer::new(global, resolved, context, "GetRoleCredentials")?;
    let credentials = credentials(
        access_token.as_deref(),
        args.sso_session.as_deref(),
        global,
        resolved,
        context,
    )?;
    let portal = resolved.portal_client(context, &credentials.region, true)?;
    let response = portal.get_role_credentials(
        &credentials.token,
        role_name.as_deref().unwrap_or_default(),
        account_id.as_deref().unwrap_or_default(),
    )?;
    emit(renderer.single(&response.to_value()), context)
}

/// Fetches per the plan and prints.
fn run_paginated(
    plan: Plan,
    result_key: &str,
    mut fetch: impl FnMut(Option<&str>, Option<i64>) -> Result<Map<String, Value>, CliError>,
    renderer: &output::Renderer,
    context: &Context,
) -> Result<(), CliError> {
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
            let pages = paging::paginate(page_size, max_items, start.as_ref(), result_key, fetch)?;
            renderer.paginated(&pages, result_key)
        }
    };
    emit(rendered, context)
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
