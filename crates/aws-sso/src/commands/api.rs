//! `list-accounts`, `list-account-roles` and `get-role-credentials`: the three portal API
//! commands (spec cli-behavior §6).
//!
//! They share everything but the call itself: which token to send (`--access-token` as the AWS
//! CLI requires it, or — our addition, aws/aws-cli#5057 — the cached token of the profile or
//! `--sso-session`, refreshed when needed), which region and endpoint to call, pagination, and
//! printing through `output.rs`.

use serde_json::{Map, Value};
use sso_cache::Cache;
use sso_client::PortalClient;
use sso_core::Secret;

use crate::Context;
use crate::auth;
use crate::cli::{GetRoleCredentialsArgs, GlobalArgs, ListAccountRolesArgs, ListAccountsArgs};
use crate::commands::paging::{self, Plan};
use crate::error::CliError;
use crate::output::{self, Rendered};
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
    let cache = Cache::from_env(&context.env)?;
    let token = auth::token::access_token(
        &target,
        &cache,
        context.clock.as_ref(),
        &context.printer,
        || resolved.oidc_client(context, target.region(), false),
    )?;
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
    let listing = Listing {
        operation: "ListAccounts",
        members: "nextToken, maxResults, accessToken",
        result_key: "accountList",
        paging: &args.paging,
        access_token: args.access_token.as_deref(),
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
    let account_id = args.account_id.as_deref().unwrap_or_default();
    let listing = Listing {
        operation: "ListAccountRoles",
        members: "nextToken, maxResults, accessToken, accountId",
        result_key: "roleList",
        paging: &args.paging,
        access_token: args.access_token.as_deref(),
        sso_session: args.sso_session.as_deref(),
    };
    listing.run(
        global,
        resolved,
        context,
        |portal, token, next_token, max_results| {
            Ok(portal
                .list_account_roles(token, account_id, next_token, max_results)?
                .to_value())
        },
    )
}

/// What differs between the two paginated commands.
struct Listing<'a> {
    /// The operation name (table title).
    operation: &'static str,
    /// The operation's input members in model order, for botocore's "Unknown parameter".
    members: &'static str,
    /// The paginated list member.
    result_key: &'static str,
    paging: &'a crate::cli::PagingArgs,
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
            self.paging,
            global.no_paginate,
            self.members,
            &context.printer,
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
    let renderer = output::Renderer::new(global, resolved, context, "GetRoleCredentials")?;
    let credentials = credentials(
        args.access_token.as_deref(),
        args.sso_session.as_deref(),
        global,
        resolved,
        context,
    )?;
    let portal = resolved.portal_client(context, &credentials.region, true)?;
    let response = portal.get_role_credentials(
        &credentials.token,
        args.role_name.as_deref().unwrap_or_default(),
        args.account_id.as_deref().unwrap_or_default(),
    )?;
    let rendered = renderer.single(&response.to_value())?;
    emit(rendered, context)
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
            renderer.single(&Value::Object(page))?
        }
        Plan::Auto {
            page_size,
            max_items,
            start,
        } => {
            let pages = paging::paginate(page_size, max_items, start.as_ref(), result_key, fetch)?;
            renderer.paginated(&pages, result_key)?
        }
    };
    emit(rendered, context)
}

fn emit(rendered: Rendered, context: &Context) -> Result<(), CliError> {
    output::emit(rendered, context)
}

fn as_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
