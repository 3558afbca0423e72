//! `get-role-credentials`: short-term credentials for one role (spec cli-behavior §6).

use crate::Context;
use crate::cli::{GetRoleCredentialsArgs, GlobalArgs};
use crate::commands::parameters;
use crate::commands::portal::{self, Params};
use crate::error::CliError;
use crate::settings::Resolved;

/// `get-role-credentials`.
pub(crate) fn run(
    args: &GetRoleCredentialsArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let members = parameters::GET_ROLE_CREDENTIALS;
    let Some(params) = Params::gather(&args.input, members, context)? else {
        return Ok(());
    };
    let role_name = params.required(
        "roleName",
        args.role_name.as_deref(),
        "sso_role_name",
        resolved,
    );
    let account_id = params.required(
        "accountId",
        args.account_id.as_deref(),
        "sso_account_id",
        resolved,
    );
    params.check_required(
        &args.input,
        &[
            ("--role-name", role_name.is_some()),
            ("--account-id", account_id.is_some()),
        ],
    )?;
    parameters::missing_required(members, |name| match name {
        "roleName" => role_name.is_some(),
        "accountId" => account_id.is_some(),
        _ => true,
    })?;
    let access_token = params.merged("accessToken", args.access_token.as_deref());
    portal::call_once(
        "GetRoleCredentials",
        access_token.as_deref(),
        args.sso_session.as_deref(),
        global,
        resolved,
        context,
        |portal, token| {
            let (role, account) = (
                role_name.as_deref().unwrap_or_default(),
                account_id.as_deref().unwrap_or_default(),
            );
            let response = portal
                .get_role_credentials(token, role, account)
                .map_err(|error| {
                    portal::with_access_hint(
                        error,
                        &format!(
                            "This session may not use role {role} in account {account}; `aws-sso list-account-roles --account-id {account}` lists the roles it may use."
                        ),
                    )
                })?;
            Ok(response.to_value())
        },
    )
}
