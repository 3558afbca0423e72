//! `list-accounts`: the accounts the user can access (spec cli-behavior §6).

use crate::Context;
use crate::cli::{GlobalArgs, ListAccountsArgs};
use crate::commands::parameters;
use crate::commands::portal::{Listing, Params};
use crate::error::CliError;
use crate::settings::Resolved;

/// `list-accounts`.
pub(crate) fn run(
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
