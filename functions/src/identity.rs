//! The identity function: sign-up, sign-in, sessions, profiles, the user directory, health
//! and the token-verification keys. Each handler reads the request into validated types,
//! calls one domain function and renders; the rules live in `teamsync::identity`.

use http::Method;
use http::header::{CACHE_CONTROL, HeaderValue};
use lambda_http::Request;
use serde_json::{Value, json};
use teamsync::auth::Caller;
use teamsync::error::TokenProblem;
use teamsync::files::avatars;
use teamsync::identity::accounts::Bootstrap;
use teamsync::identity::accounts::{
    self, AvatarChange, JoinPlan, PasswordChange, ProfileFields, ProfilePatch, Registration,
};
use teamsync::identity::directory;
use teamsync::identity::model::{self, Email, JoinType, Password, UserInTeam, Username};
use teamsync::identity::sessions::{self, LoginInput, Refreshed};
use teamsync::messages::Msg;
use teamsync::names::parse_name;
use teamsync::paging::PageRequest;
use teamsync::validate::bounded_text;
use teamsync::{AppContext, Error, config};

use crate::api::input::{self, Fields, blank_or, present, text};
use crate::api::{self, Call, Reply, RequestMeta, Routes};
use crate::present::identity::{SignedIn, UserView};

pub fn routes() -> Routes {
    Routes::new()
        .public(Method::GET, "/api/health", health)
        .public(Method::GET, "/.well-known/jwks.json", jwks)
        .public(Method::POST, "/api/auth/register", register)
        .public(Method::POST, "/api/auth/login", login)
        .public(Method::POST, "/api/auth/refresh", refresh)
        .signed(Method::POST, "/api/auth/logout", logout)
        .signed(Method::GET, "/api/auth/me", me)
        .signed(Method::GET, "/api/auth/visitor/status", visitor_status)
        .signed(Method::PATCH, "/api/auth/me", update_me)
        .signed(Method::PATCH, "/api/auth/me/update", update_me)
        .signed(Method::PUT, "/api/auth/me/update", update_me)
        .signed(Method::POST, "/api/auth/me/password", change_password)
        .signed(Method::POST, "/api/auth/me/avatar/upload-url", avatar_upload_url)
        .signed(Method::POST, "/api/auth/me/avatar", avatar_confirm)
        .signed(Method::POST, "/api/auth/me/avatar/upload", avatar_upload)
        .signed(Method::GET, "/api/users", list_users)
        .signed(Method::GET, "/api/users/{username}", get_user)
}

/// The AWS clients this function calls. Sessions end with an event (the notifier closes their sockets); avatars are files.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).events(sdk).files(sdk)
}

async fn health(_call: Call) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn jwks(call: Call) -> Result<Reply, Error> {
    Ok(Reply::document(call.ctx.tokens.jwks()).header(CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")))
}

async fn logout(call: Call, caller: Caller) -> Result<Reply, Error> {
    api::commit(&call.ctx, sessions::logout(&call.ctx, &caller)).await?;
    Reply::ok(Msg::LoggedOut, Value::Null)
}

async fn me(call: Call, caller: Caller) -> Result<Reply, Error> {
    let account = accounts::profile(&call.ctx, &caller).await?;
    Reply::ok(Msg::Success, UserView::full(&account, call.meta.lang))
}

/// `{is_visitor, status}` in `data`, and beside `code` at the top, where the client reads
/// them.
async fn visitor_status(_call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok_flat(Msg::Success, accounts::visitor_status(&caller))
}

async fn avatar_upload_url(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let file = crate::files::read_declaration(&mut fields);
    fields.finish()?;
    Reply::ok(Msg::UploadUrlIssued, avatars::upload_url(&call.ctx, &caller, file?).await?)
}

async fn avatar_confirm(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let file_key = fields.required("file_key", input::trimmed);
    fields.finish()?;
    let base = api::public_base(&call.req);
    let account = avatars::confirm(&call.ctx, &caller, &present(file_key)?, &base, call.now).await?;
    avatar_reply(&account, &call.meta)
}

async fn avatar_upload(call: Call, caller: Caller) -> Result<Reply, Error> {
    let image = multipart_avatar(&call.req).await?;
    let base = api::public_base(&call.req);
    let (name, kind) = (&image.file_name, &image.content_type);
    let account = avatars::upload(&call.ctx, &caller, name, kind, image.bytes, &base, call.now).await?;
    avatar_reply(&account, &call.meta)
}

async fn get_user(call: Call, caller: Caller) -> Result<Reply, Error> {
    let found = directory::find_user(&call.ctx, &caller, call.params.get("username")?).await?;
    Reply::ok(Msg::Success, view_for(&caller, &found, &call.meta))
}

/// `{avatar, user}`, as the client reads the avatar calls' answer.
fn avatar_reply(account: &UserInTeam, meta: &RequestMeta) -> Result<Reply, Error> {
    Reply::ok(Msg::AvatarUpdated, json!({"avatar": account.user.avatar, "user": UserView::full(account, meta.lang)}))
}

struct UploadedImage {
    file_name: String,
    content_type: String,
    bytes: Vec<u8>,
}

/// The `avatar` field of a multipart/form-data body.
async fn multipart_avatar(req: &Request) -> Result<UploadedImage, Error> {
    let not_multipart = || Error::field("avatar", Msg::MustBeMultipart);
    let content_type = req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|_| not_multipart())?;
    let body: Vec<u8> = match req.body() {
        lambda_http::Body::Binary(bytes) => bytes.clone(),
        lambda_http::Body::Text(text) => text.as_bytes().to_vec(),
        _ => Vec::new(),
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Some(field) = multipart.next_field().await.map_err(|_| not_multipart())? {
        if field.name() != Some("avatar") {
            continue;
        }
        let file_name = field.file_name().unwrap_or("avatar").to_owned();
        let content_type = field.content_type().map(|m| m.essence_str().to_owned()).unwrap_or_default();
        let bytes = field.bytes().await.map_err(|_| not_multipart())?.to_vec();
        return Ok(UploadedImage { file_name, content_type, bytes });
    }
    Err(not_multipart())
}

fn profile_fields(fields: &mut Fields) -> ProfileFields {
    ProfileFields {
        nickname: fields.optional("nickname", model::parse_person_name),
        first_name: fields.optional("first_name", model::parse_person_name),
        last_name: fields.optional("last_name", model::parse_person_name),
        gender: fields.optional("gender", model::parse_gender),
        phone: fields
            .optional_alias(&["phone", "telephone"], blank_or(model::parse_phone))
            .map(Option::unwrap_or_default),
        about: fields.optional("about", model::parse_about),
    }
}

async fn register(call: Call) -> Result<Reply, Error> {
    let (ctx, req, meta, now) = (&call.ctx, &call.req, &call.meta, call.now);
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let username = fields.required("username", Username::parse);
    let password = fields.required("password", Password::parse);
    let confirm = fields.optional("password_confirm", text);
    let email = fields.optional("email", blank_or(Email::parse)).flatten();
    let profile = profile_fields(&mut fields);
    let join_type = fields.optional("join_type", parse_name::<JoinType>).unwrap_or(JoinType::Join);
    let team_name = fields.optional("team_name", blank_or(model::parse_team_name)).flatten();
    if let (Some(password), Some(confirm)) = (&password, &confirm)
        && password.expose() != confirm
    {
        fields.error("password_confirm", Msg::PasswordsDiffer);
    }
    let join = match (join_type, team_name) {
        (JoinType::Create, Some(name)) => Some(JoinPlan::CreateTeam { name }),
        (JoinType::Create, None) => {
            if !fields.has_error("team_name") {
                fields.error("team_name", Msg::TeamNameRequired);
            }
            None
        }
        (JoinType::Join, None) => Some(JoinPlan::AwaitInvitation),
        (JoinType::Join, Some(_)) => {
            fields.error("team_name", Msg::TeamNameOnlyWhenCreating);
            None
        }
    };
    fields.finish()?;
    let registration = Registration {
        username: present(username)?,
        email,
        password: present(password)?,
        profile,
        join: present(join)?,
    };
    let account = accounts::register(ctx, registration, now).await?;
    let location = format!("/api/users/{}/", account.user.username);
    Reply::created(Msg::Registered, UserView::full(&account, meta.lang), &location)
}

async fn login(call: Call) -> Result<Reply, Error> {
    let (ctx, req, meta, now) = (&call.ctx, &call.req, &call.meta, call.now);
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    // Sign in with a username, or with an email address in `email`.
    let name_field = if !fields.contains("username") && fields.contains("email") { "email" } else { "username" };
    let login_name = fields.required(name_field, |t| bounded_text(t, 1, 254));
    let password = fields.required("password", Password::candidate);
    fields.finish()?;
    let input = LoginInput { login_name: present(login_name)?, password: present(password)? };
    let outcome = sessions::login(ctx, input, now).await?;
    let user = UserView::full(&outcome.account, meta.lang);
    Reply::ok(Msg::LoggedIn, SignedIn { tokens: outcome.tokens, user })
}

async fn refresh(call: Call) -> Result<Reply, Error> {
    let (ctx, req, now) = (&call.ctx, &call.req, call.now);
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    // `refresh` is the Flutter client's name for the field.
    let token = if fields.contains("refresh") && !fields.contains("refresh_token") {
        fields.required("refresh", text)
    } else {
        fields.required("refresh_token", text)
    };
    fields.finish()?;
    match api::commit(ctx, sessions::refresh(ctx, &present(token)?, now).await?).await? {
        Refreshed::Tokens(tokens) => Reply::ok(Msg::Refreshed, tokens),
        Refreshed::Revoked => Err(Error::Unauthenticated(TokenProblem::Reused)),
    }
}

async fn update_me(call: Call, caller: Caller) -> Result<Reply, Error> {
    let (ctx, req, meta, now) = (&call.ctx, &call.req, &call.meta, call.now);
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let username = fields.optional("username", Username::parse);
    // An email may be removed with null or "".
    let email = fields.contains("email").then(|| fields.optional("email", blank_or(Email::parse)).flatten());
    let profile = profile_fields(&mut fields);
    // An external https:// image URL, or the user's own avatar link sent back (the domain's
    // call: only it knows the current one).
    let avatar = fields.optional("avatar", |t| Ok(AvatarChange::Sent(t.to_owned())));
    fields.finish()?;
    let patch = ProfilePatch { username, email, avatar, fields: profile };
    let account = accounts::update_profile(ctx, &caller, patch, now).await?;
    Reply::ok(Msg::ProfileUpdated, UserView::full(&account, meta.lang))
}

async fn change_password(call: Call, caller: Caller) -> Result<Reply, Error> {
    let (ctx, req, now) = (&call.ctx, &call.req, call.now);
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let old_password = fields.required("old_password", Password::candidate);
    let new_password = fields.required("new_password", Password::parse);
    let confirm = fields.optional("new_password_confirm", text);
    if let (Some(new), Some(confirm)) = (&new_password, &confirm)
        && new.expose() != confirm
    {
        fields.error("new_password_confirm", Msg::PasswordsDiffer);
    }
    fields.finish()?;
    let change = PasswordChange { old_password: present(old_password)?, new_password: present(new_password)? };
    api::commit(ctx, accounts::change_password(ctx, &caller, change, now).await?).await?;
    Reply::ok(Msg::PasswordChanged, Value::Null)
}

async fn list_users(call: Call, caller: Caller) -> Result<Reply, Error> {
    let (ctx, req, meta) = (&call.ctx, &call.req, &call.meta);
    let page = PageRequest::parse(api::query_param(req, "page"), api::query_param(req, "page_size"))?;
    let found = directory::list_users(ctx, &caller, api::query_param(req, "search"), page).await?;
    Reply::ok(Msg::Success, found.map(|account| view_for(&caller, &account, meta)))
}

/// The full record for oneself and the super admin; the public one for teammates.
fn view_for(caller: &Caller, account: &UserInTeam, meta: &RequestMeta) -> UserView {
    if caller.is_super_admin() || caller.user_id == account.user.id {
        UserView::full(account, meta.lang)
    } else {
        UserView::public(account, meta.lang)
    }
}

/// Ensures the super admin exists: at deployment (`setup`) and in the local stack.
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
