//! `list-account-roles`: the roles the user can assume in one account (spec cli-behavior §6).

use crate::Context;
use crate::cli::{GlobalArgs, ListAccountRolesArgs};
use crate::commands::parameters;
use crate::commands::portal::{self, Listing, Params};
use crate::error::CliError;
use crate::settings::Resolved;

/// `list-account-roles`.
pub(crate) fn run(
    args: &ListAccountRolesArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let members = parameters::LIST_ACCOUNT_ROLES;
    let Some(params) = Params::gather(&args.input, members, context)? else {
        return Ok(());
    };
    let account_id = params.required(
        "accountId",
        args.account_id.as_deref(),
        "sso_account_id",
        resolved,
    );
    params.check_required(&args.input, &[("--account-id", account_id.is_some())])?;
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
            let response = portal
                .list_account_roles(token, &account_id, next_token, max_results)
                .map_err(|error| {
                    portal::with_access_hint(
                        error,
                        &format!(
                            "This session has no access to account {account_id}; `aws-sso list-accounts` lists the accounts it has."
                        ),
                    )
                })?;
            Ok(response.to_value())
        },
    )
}
