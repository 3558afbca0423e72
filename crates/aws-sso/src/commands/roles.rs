//! `roles`: every (account, role) the sign-in can use, from the role catalog cache or a fresh
//! enumeration (issue 11; the engine is `sso_auth::enumerate`, the cache `sso_auth::catalog`).
//!
//! Output is `{"roles": [{"accountId", "accountName", "roleName"}, …]}` in ListAccounts order
//! and, within an account, ListAccountRoles order, through the same renderers and `--query`
//! as the other commands. Accounts that could not be listed are left out of it, named on
//! stderr one line each, and make the exit status that of the first one's error, so a script
//! never mistakes a partial list for a whole one.

use serde::Serialize;
use sso_auth::catalog::{AccountFailure, Built, CatalogRequest, DEFAULT_MAX_AGE};
use sso_auth::enumerate::{DEFAULT_CONCURRENCY, EnumerationError, Enumerator};
use sso_auth::limiter::DEFAULT_RATE;
use sso_auth::{AuthError, TokenProvider};
use sso_cache::RoleCatalog;
use sso_config::SsoTarget;
use sso_core::Secret;

use crate::Context;
use crate::cli::{GlobalArgs, RolesArgs};
use crate::commands::credentials::{login_hint, with_login_hint};
use crate::commands::graceful_interrupt;
use crate::commands::progress::ProgressLine;
use crate::error::CliError;
use crate::output;
use crate::settings::Resolved;

/// `roles`.
pub(crate) fn run(
    args: &RolesArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let renderer = output::Renderer::new(global, resolved, context, "Roles")?;
    let target = resolved.sso_target(args.sso_session.as_deref())?;
    let built = list(
        &target,
        args.refresh,
        args.max_rate.unwrap_or(DEFAULT_RATE),
        global,
        resolved,
        context,
    )?;
    let document = Document::of(&built.catalog);
    let printed = match renderer.plain_json(&document) {
        Some(rendered) => output::emit(rendered, context),
        None => {
            let value = serde_json::to_value(&document).unwrap_or_default();
            match renderer.single(&value) {
                Ok(rendered) => output::emit(rendered, context),
                Err(partial) => {
                    output::emit(partial.rendered, context)?;
                    Err(partial.error)
                }
            }
        }
    };
    printed?;
    report_failures(built.failures, context)
}

/// Every role of the sign-in of `target`: from the role catalog cache when it is fresh (and
/// `refresh` is false), else listed with the cached token (`configure populate` shares this).
pub(crate) fn list(
    target: &SsoTarget,
    refresh: bool,
    max_rate: f64,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<Built, CliError> {
    let request = CatalogRequest {
        cache: context.cache()?,
        clock: context.clock.as_ref(),
        terminal: context.terminal.as_ref(),
        target,
        max_age: DEFAULT_MAX_AGE,
        refresh,
    };
    match request.fresh()? {
        Some(catalog) => {
            context
                .terminal
                .debug(|| "answered from the role catalog cache".into());
            Ok(Built::cached(catalog))
        }
        None => enumerate(&request, target, max_rate, global, resolved, context),
    }
}

/// Lists everything (or what an interrupted run left) with the cached token.
fn enumerate(
    request: &CatalogRequest<'_>,
    target: &SsoTarget,
    max_rate: f64,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<Built, CliError> {
    let provider = TokenProvider {
        cache: request.cache,
        clock: context.clock.as_ref(),
        terminal: context.terminal.as_ref(),
    };
    let oidc = || Ok(resolved.oidc_client(context, target.region(), false)?);
    let token = provider
        .access_token(target, oidc)
        .map_err(|error| with_login_hint(error, target))?;
    // A token is only valid in the region that issued it, as for the other portal commands.
    let region = global.region.as_deref().unwrap_or(target.region());
    let portal = resolved.paced_portal_client(context, region)?;
    let renew = |rejected: &Secret<String>| provider.renew_rejected(target, rejected, oidc);
    let enumerator = Enumerator::new(
        &portal,
        context.sleeper.as_ref(),
        token,
        &renew,
        graceful_interrupt(),
        max_rate,
        DEFAULT_CONCURRENCY,
    );
    let mut line = ProgressLine::new(context.terminal.as_ref());
    let started = context.sleeper.now();
    let built = request.build(&enumerator, &mut line);
    line.clear();
    let stats = enumerator.stats();
    context.terminal.debug(|| {
        format!(
            "enumeration: {} requests ({} throttled, {} token renewals) in {:.1}s",
            stats.requests,
            stats.throttled,
            stats.renewals,
            context.sleeper.now().saturating_sub(started).as_secs_f64()
        )
    });
    built.map_err(|stopped| match stopped.error {
        EnumerationError::Interrupted => CliError::Interrupted(format!(
            "Interrupted. The roles of {} accounts are still to be listed; what was listed is saved, and the next `aws-sso roles` continues from there.",
            stopped.pending
        )),
        EnumerationError::Failed(error) => fail(error, target),
    })
}

/// A run that could not go on. A token the service rejected even after its refresh needs a
/// new sign-in, like an expired one.
fn fail(error: AuthError, target: &SsoTarget) -> CliError {
    let rejected =
        matches!(&error, AuthError::Client(e) if e.code() == Some("UnauthorizedException"));
    let error = with_login_hint(error, target);
    if rejected {
        error.with_hint(&login_hint(target))
    } else {
        error
    }
}

/// The printed document (see the module docs), borrowing from the catalog.
#[derive(Serialize)]
struct Document<'a> {
    roles: Vec<Entry<'a>>,
}

/// One assumable role.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    account_id: &'a str,
    account_name: &'a str,
    role_name: &'a str,
}

impl<'a> Document<'a> {
    fn of(catalog: &'a RoleCatalog) -> Self {
        let roles = catalog
            .accounts
            .iter()
            .flat_map(|account| {
                account.roles.iter().flatten().map(|role| Entry {
                    account_id: &account.account_id,
                    account_name: &account.account_name,
                    role_name: role,
                })
            })
            .collect();
        Self { roles }
    }
}

/// One line per account that failed, then the first failure as the command's error.
pub(crate) fn report_failures(
    failures: Vec<AccountFailure>,
    context: &Context,
) -> Result<(), CliError> {
    let count = failures.len();
    for failure in &failures {
        context.terminal.stderr(&format!(
            "warning: the roles of account {} ({}) could not be listed: {}\n",
            failure.account_id, failure.account_name, failure.error
        ));
    }
    let Some(first) = failures.into_iter().next() else {
        return Ok(());
    };
    let accounts = if count == 1 { "account" } else { "accounts" };
    Err(CliError::from(first.error).with_hint(&format!(
        "The roles of {count} {accounts} are missing from the output above. Run the command again to retry only those."
    )))
}
