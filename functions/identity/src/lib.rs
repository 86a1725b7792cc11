//! The identity function: sign-up, sign-in, sessions, profiles, the user directory, health
//! and the token-verification keys. Handlers parse and authorize, call one domain function,
//! and render; the rules live in `teamsync::identity`.

mod handlers;

use std::future::Future;

use http::Method;
use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::identity::accounts::{self, Bootstrap};
use teamsync::identity::model::{Password, Username};
use teamsync::{AppContext, Error, config};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Jwks,
    Register,
    Login,
    Refresh,
    Logout,
    Me,
    UpdateMe,
    ChangePassword,
    AvatarUploadUrl,
    AvatarConfirm,
    AvatarUpload,
    ListUsers,
    GetUser,
}

pub type Identity = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[
            (Method::GET, "/api/health", Route::Health),
            (Method::GET, "/.well-known/jwks.json", Route::Jwks),
            (Method::POST, "/api/auth/register", Route::Register),
            (Method::POST, "/api/auth/login", Route::Login),
            (Method::POST, "/api/auth/refresh", Route::Refresh),
            (Method::POST, "/api/auth/logout", Route::Logout),
            (Method::GET, "/api/auth/me", Route::Me),
            (Method::PATCH, "/api/auth/me", Route::UpdateMe),
            (Method::PATCH, "/api/auth/me/update", Route::UpdateMe),
            (Method::PUT, "/api/auth/me/update", Route::UpdateMe),
            (Method::POST, "/api/auth/me/password", Route::ChangePassword),
            (Method::POST, "/api/auth/me/avatar/upload-url", Route::AvatarUploadUrl),
            (Method::POST, "/api/auth/me/avatar", Route::AvatarConfirm),
            (Method::POST, "/api/auth/me/avatar/upload", Route::AvatarUpload),
            (Method::GET, "/api/users", Route::ListUsers),
            (Method::GET, "/api/users/{username}", Route::GetUser),
        ])
    }

    fn handle(
        self,
        ctx: &AppContext,
        params: PathParams,
        req: Request,
        meta: RequestMeta,
    ) -> impl Future<Output = Result<Reply, Error>> + Send {
        handlers::dispatch(ctx, self, params, req, meta)
    }
}

/// Creates the configured super admin if it does not exist yet (`TEAMSYNC_ADMIN_USERNAME`
/// with `TEAMSYNC_ADMIN_PASSWORD`, or in AWS `TEAMSYNC_ADMIN_PASSWORD_SECRET_ARN`).
pub async fn bootstrap_admin_from_env(
    ctx: &AppContext,
    sdk: &aws_config::SdkConfig,
) -> Result<(), config::ConfigError> {
    let lookup = |name: &str| std::env::var(name).ok();
    let Some(username) = lookup("TEAMSYNC_ADMIN_USERNAME") else {
        return Ok(());
    };
    let password = config::secret(sdk, lookup, "TEAMSYNC_ADMIN_PASSWORD")
        .await?
        .ok_or_else(|| config::ConfigError("TEAMSYNC_ADMIN_USERNAME is set without a password".into()))?;
    bootstrap_admin(ctx, &username, &password).await.map(|_| ())
}

/// Ensures the super admin exists; shared by Lambda init and the local stack.
pub async fn bootstrap_admin(
    ctx: &AppContext,
    username: &str,
    password: &str,
) -> Result<Bootstrap, config::ConfigError> {
    let bad = |what: &str| config::ConfigError(format!("the bootstrap admin's {what} is not acceptable"));
    let username = Username::parse(username).map_err(|_| bad("username"))?;
    let password = Password::parse(password).map_err(|_| bad("password"))?;
    let outcome = accounts::bootstrap_super_admin(ctx, username, password, jiff::Timestamp::now())
        .await
        .map_err(|e| config::ConfigError(format!("cannot bootstrap the super admin: {e}")))?;
    tracing::info!(?outcome, "super admin bootstrap");
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_table_builds() {
        let router = Route::routes();
        assert!(router.at(&http::Method::PATCH, "/api/auth/me/update/").is_ok());
    }
}
