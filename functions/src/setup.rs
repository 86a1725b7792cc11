//! The setup function: a CloudFormation custom resource that does, once per deployment,
//! what no function should do on every cold start. It derives the token-verifying public key
//! from the signing seed in Secrets Manager, for template.yaml to hand to every other
//! function as configuration (`TEAMSYNC_JWT_PUBLIC_KEY`), and it makes sure the super
//! admin exists. Only it and identity read the seed; only it reads the admin's password.
//!
//! CloudFormation waits for the answer at the request's presigned `ResponseURL`: every
//! request is answered there, a failure included, or the stack would hang for an hour.

use std::collections::HashMap;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use teamsync::AppContext;
use teamsync::config;

use crate::{EventHandler, typed};

/// A custom resource request, as CloudFormation sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetupRequest {
    pub request_type: RequestType,
    #[serde(rename = "ResponseURL")]
    pub response_url: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    #[serde(default)]
    pub physical_resource_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RequestType {
    Create,
    Update,
    Delete,
}

/// The answer CloudFormation reads: `Data` becomes the resource's attributes
/// (`!GetAtt Setup.PublicKey`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetupResponse {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub physical_resource_id: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    pub data: HashMap<&'static str, String>,
}

/// The one resource this function stands for.
const PHYSICAL_ID: &str = "teamsync-setup";

pub fn handler(ctx: AppContext) -> EventHandler {
    typed(move |request: SetupRequest| {
        let ctx = ctx.clone();
        async move {
            let admin = admin_from_env().await;
            answer(&ctx, admin, &request).await
        }
    })
}

/// The AWS clients this function calls. It makes the super admin; it reads the seed's secret (as identity does) at init.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk)
}

/// The configured super admin (`TEAMSYNC_ADMIN_USERNAME`, with `TEAMSYNC_ADMIN_PASSWORD` or
/// in AWS the secret `TEAMSYNC_ADMIN_PASSWORD_SECRET_ARN`), if one is configured.
async fn admin_from_env() -> Result<Option<(String, String)>, String> {
    let lookup = |name: &str| std::env::var(name).ok();
    let Some(username) = lookup("TEAMSYNC_ADMIN_USERNAME") else {
        return Ok(None);
    };
    let sdk = crate::lambda_sdk_config().map_err(|e| e.to_string())?;
    let password = config::secret(&sdk, lookup, "TEAMSYNC_ADMIN_PASSWORD")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("TEAMSYNC_ADMIN_USERNAME is set without a password")?;
    Ok(Some((username, password)))
}

/// Sets up for `request` and answers CloudFormation at its URL, whatever the outcome.
pub async fn answer(
    ctx: &AppContext,
    admin: Result<Option<(String, String)>, String>,
    request: &SetupRequest,
) -> Result<Value, String> {
    let outcome = match admin {
        Ok(admin) => set_up(ctx, admin, request.request_type).await,
        Err(problem) => Err(problem),
    };
    if let Err(error) = &outcome {
        tracing::error!(%error, "setup failed");
    }
    let response = respond(request, outcome);
    send(&request.response_url, &response).await?;
    Ok(json!({"Status": response.status}))
}

/// What a create or an update does (a delete leaves the table and its users alone): the
/// super admin made if missing, and the public key for the stack.
async fn set_up(
    ctx: &AppContext,
    admin: Option<(String, String)>,
    request: RequestType,
) -> Result<HashMap<&'static str, String>, String> {
    if request == RequestType::Delete {
        return Ok(HashMap::new());
    }
    if let Some((username, password)) = admin {
        crate::identity::bootstrap_admin(ctx, &username, &password).await.map_err(|e| e.to_string())?;
    }
    let public_key = ctx.tokens.public_key();
    Ok(HashMap::from([("PublicKey", public_key)]))
}

fn respond(request: &SetupRequest, outcome: Result<HashMap<&'static str, String>, String>) -> SetupResponse {
    let (status, reason, data) = match outcome {
        Ok(data) => ("SUCCESS", None, data),
        Err(reason) => ("FAILED", Some(reason), HashMap::new()),
    };
    SetupResponse {
        status,
        reason,
        physical_resource_id: request.physical_resource_id.clone().unwrap_or_else(|| PHYSICAL_ID.to_owned()),
        stack_id: request.stack_id.clone(),
        request_id: request.request_id.clone(),
        logical_resource_id: request.logical_resource_id.clone(),
        data,
    }
}

/// PUTs the answer to the presigned URL, with no content type: the signature covers none.
async fn send(url: &str, response: &SetupResponse) -> Result<(), String> {
    let body = serde_json::to_vec(response).map_err(|e| e.to_string())?;
    let connector = teamsync::transport::https_connector().map_err(|e| e.to_string())?;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let request = http::Request::put(url)
        .header(http::header::CONTENT_TYPE, "")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let answer = client.request(request).await.map_err(|e| format!("cannot answer CloudFormation: {e}"))?;
    match answer.status().is_success() {
        true => Ok(()),
        false => Err(format!("CloudFormation's URL answered {}", answer.status())),
    }
}
