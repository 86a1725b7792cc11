//! The local EventBridge: PutEvents (the AWS JSON 1.1 protocol the SDK speaks) on the
//! gateway's listener, and delivery of each event to the functions whose `EventBridgeRule`
//! pattern in template.yaml matches it.
//!
//! As in AWS, a function gets the event asynchronously: PutEvents answers at once. A
//! function that fails is retried by Lambda (its EventInvokeConfig; the delay is short here,
//! minutes in AWS), and then its failure record goes to the on-failure destination, here a
//! list the tests read. The local stack has one bus: an entry's EventBusName is not checked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::event_pattern::Pattern;
use crate::gateway::{EventHandler, Reply, invoke_event, json_reply};
use crate::template::EventRule;

const AWS_JSON: &str = "application/x-amz-json-1.1";
/// PutEvents takes at most this many entries.
const MAX_ENTRIES: usize = 10;
/// Between Lambda's retries of a failed asynchronous invocation.
const RETRY_DELAY: Duration = Duration::from_millis(100);
/// The account and region events and ARNs name.
pub(crate) const ACCOUNT: &str = "000000000000";
pub(crate) const REGION: &str = "us-east-1";

pub struct EventBridge {
    rules: Vec<Rule>,
    dead_letters: Arc<Mutex<Vec<Value>>>,
}

struct Rule {
    function: String,
    pattern: Pattern,
    invoke_retries: u32,
    handler: EventHandler,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutEventsRequest {
    #[serde(default)]
    entries: Vec<PutEventsEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutEventsEntry {
    source: Option<String>,
    detail_type: Option<String>,
    detail: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    /// Epoch seconds, as the JSON protocol writes timestamps.
    time: Option<f64>,
}

impl EventBridge {
    /// Fails when a rule targets a function the local stack has no handler for.
    pub fn new(rules: &[EventRule], handlers: &HashMap<String, EventHandler>) -> Result<EventBridge, String> {
        let rules = rules
            .iter()
            .map(|rule| {
                let handler = handlers.get(&rule.function).ok_or_else(|| {
                    format!(
                        "an EventBridge rule of template.yaml targets {}, which the local stack does not know",
                        rule.function
                    )
                })?;
                let pattern = Pattern::parse(&rule.pattern)
                    .map_err(|e| format!("the event pattern of {}: {e}", rule.function))?;
                Ok(Rule {
                    function: rule.function.clone(),
                    pattern,
                    invoke_retries: rule.invoke_retries,
                    handler: handler.clone(),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(EventBridge { rules, dead_letters: Arc::default() })
    }

    pub fn dead_letters(&self) -> Vec<Value> {
        self.dead_letters.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Answers an AWS JSON call: `AWSEvents.<Operation>`.
    pub fn answer(&self, target: &str, body: &[u8]) -> Reply {
        if target != "AWSEvents.PutEvents" {
            return aws_error("UnknownOperationException", &format!("the local event bus does not serve {target}"));
        }
        let request: PutEventsRequest = match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(error) => return aws_error("SerializationException", &error.to_string()),
        };
        if !(1..=MAX_ENTRIES).contains(&request.entries.len()) {
            return aws_error(
                "ValidationException",
                &format!(
                    "1 validation error detected: Value at 'entries' must have length between 1 and {MAX_ENTRIES}"
                ),
            );
        }
        let results: Vec<Value> = request.entries.into_iter().map(|entry| self.put(entry)).collect();
        let failed = results.iter().filter(|r| r.get("ErrorCode").is_some()).count();
        json_reply(StatusCode::OK, AWS_JSON, &json!({"FailedEntryCount": failed, "Entries": results}))
    }

    /// Accepts one entry and starts its delivery; its PutEvents result entry.
    fn put(&self, entry: PutEventsEntry) -> Value {
        let event = match lambda_event(entry) {
            Ok(event) => event,
            Err((code, message)) => return json!({"ErrorCode": code, "ErrorMessage": message}),
        };
        for rule in self.rules.iter().filter(|rule| rule.pattern.matches(&event)) {
            tokio::spawn(deliver(
                rule.handler.clone(),
                rule.function.clone(),
                rule.invoke_retries,
                event.clone(),
                self.dead_letters.clone(),
            ));
        }
        json!({"EventId": event["id"]})
    }
}

/// The event a rule's Lambda target receives, or the entry's PutEvents error.
fn lambda_event(entry: PutEventsEntry) -> Result<Value, (&'static str, String)> {
    let required = |value: Option<String>, name: &str| {
        value.filter(|v| !v.is_empty()).ok_or_else(|| {
            ("InvalidArgument", format!("Parameter {name} is not valid. Reason: {name} is a required argument."))
        })
    };
    let source = required(entry.source, "Source")?;
    let detail_type = required(entry.detail_type, "DetailType")?;
    let detail = required(entry.detail, "Detail")?;
    let detail: Value = serde_json::from_str(&detail)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| ("MalformedDetail", "Detail is malformed.".to_owned()))?;
    let seconds = entry.time.map_or_else(|| jiff::Timestamp::now().as_second(), |seconds| seconds as i64);
    let time = jiff::Timestamp::from_second(seconds).unwrap_or_else(|_| jiff::Timestamp::now());
    Ok(json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": time.to_string(),
        "region": REGION,
        "resources": entry.resources,
        "detail": detail,
    }))
}

/// Invokes the function, retrying as Lambda retries an asynchronous invocation; after the
/// last failure, keeps the failure record.
async fn deliver(handler: EventHandler, function: String, retries: u32, event: Value, dead: Arc<Mutex<Vec<Value>>>) {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match invoke_event(&handler, event.clone()).await {
            Ok(_) => return,
            Err(error) => error,
        };
        if attempts <= retries {
            tracing::warn!(function, attempts, %error, "event delivery failed; retrying");
            tokio::time::sleep(RETRY_DELAY).await;
            continue;
        }
        tracing::error!(function, attempts, %error, event = %event, "event dead-lettered");
        let record = failure_record(&function, attempts, event, &error);
        dead.lock().unwrap_or_else(|e| e.into_inner()).push(record);
        return;
    }
}

/// What Lambda sends an asynchronous invocation's on-failure destination.
fn failure_record(function: &str, attempts: u32, event: Value, error: &str) -> Value {
    json!({
        "version": "1.0",
        "timestamp": jiff::Timestamp::now().to_string(),
        "requestContext": {
            "requestId": uuid::Uuid::new_v4().to_string(),
            "functionArn": format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:$LATEST"),
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": error, "errorType": "Error"},
    })
}

/// An AWS JSON protocol error: the SDK reads the code from `__type`.
fn aws_error(code: &str, message: &str) -> Reply {
    json_reply(StatusCode::BAD_REQUEST, AWS_JSON, &json!({"__type": code, "message": message}))
}
