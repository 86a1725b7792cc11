//! The local EventBridge scheduler: template.yaml's `Schedule` events, each invoking its
//! function with the event EventBridge sends for a schedule.
//!
//! Periodic runs happen only when the gateway is asked for them (`make run` is; the tests'
//! stacks are not, so that nothing runs behind a test's back), the first one period after
//! the start, as for a newly created rule. A periodic run that fails is logged: Lambda's
//! retries of the asynchronous invocation are not emulated here, unlike on the event bus.
//!
//! Routes of the local gateway only, for people and tests who cannot wait for the clock:
//! `GET /_local/schedules/` lists the schedules; `POST /_local/schedules/<function>` (body
//! empty or `{"time": "<RFC 3339>"}`) fires that function's schedule now, claiming that
//! event time, and answers once the function has: 502 with its error when it failed, since
//! then the function failed and not the gateway.

use std::collections::HashMap;

use futures_util::future::join_all;
use http::{HeaderValue, Method, StatusCode};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};

use crate::eventbus::{ACCOUNT, REGION};
use crate::gateway::{EventHandler, Reply, gateway_message, invoke_event, json_reply};
use crate::template::ScheduleSpec;

/// No API Gateway route has this prefix, so the routes under it never reach a function.
const SCHEDULES_PATH: &str = "/_local/schedules";

pub struct Schedules {
    schedules: Vec<Schedule>,
    runs_periodically: bool,
}

struct Schedule {
    spec: ScheduleSpec,
    handler: EventHandler,
}

/// What a request under `/_local/schedules` is about.
pub enum Target {
    List,
    Function(String),
}

/// The body of a `POST /_local/schedules/<function>`.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FireRequest {
    time: Option<String>,
}

/// The request's target, when its path is one of the schedule routes (with or without a
/// trailing slash).
pub fn target(path: &str) -> Option<Target> {
    let rest = path.strip_prefix(SCHEDULES_PATH)?;
    if rest.is_empty() {
        return Some(Target::List);
    }
    match rest.strip_prefix('/')? {
        "" => Some(Target::List),
        function => Some(Target::Function(function.strip_suffix('/').unwrap_or(function).to_owned())),
    }
}

impl Schedules {
    /// Fails when a schedule targets a function the local stack has no handler for, or a
    /// function has more than one schedule (the routes name a schedule by its function).
    pub fn new(specs: &[ScheduleSpec], handlers: &HashMap<String, EventHandler>) -> Result<Schedules, String> {
        let mut schedules: Vec<Schedule> = Vec::new();
        for spec in specs {
            if schedules.iter().any(|schedule| schedule.spec.function == spec.function) {
                return Err(format!(
                    "{} has more than one Schedule event in template.yaml; the local gateway fires one per function",
                    spec.function
                ));
            }
            let handler = handlers.get(&spec.function).ok_or_else(|| {
                format!("a schedule of template.yaml targets {}, which the local stack does not know", spec.function)
            })?;
            schedules.push(Schedule { spec: spec.clone(), handler: handler.clone() });
        }
        Ok(Schedules { schedules, runs_periodically: false })
    }

    /// The same schedules, run periodically by [`Schedules::run_periodically`] or not.
    pub fn periodic(self, runs_periodically: bool) -> Schedules {
        Schedules { runs_periodically, ..self }
    }

    /// Runs every schedule on its period, forever, when asked to; otherwise returns at once.
    pub async fn run_periodically(&self) {
        if self.runs_periodically {
            join_all(self.schedules.iter().map(Schedule::run_periodically)).await;
        }
    }

    /// Answers a request to the schedule routes.
    pub async fn answer(&self, method: &Method, target: &Target, body: &[u8]) -> Reply {
        match (target, method) {
            (Target::List, &Method::GET) => self.list(),
            (Target::Function(function), &Method::POST) => self.fire_now(function, body).await,
            (Target::List, _) => method_not_allowed("GET"),
            (Target::Function(_), _) => method_not_allowed("POST"),
        }
    }

    fn list(&self) -> Reply {
        let schedules: Vec<Value> = self
            .schedules
            .iter()
            .map(|schedule| {
                json!({
                    "function": schedule.spec.function,
                    "event": schedule.spec.event_name,
                    "schedule": schedule.spec.expression,
                    "runs_periodically": self.runs_periodically,
                })
            })
            .collect();
        json_reply(StatusCode::OK, "application/json", &json!({"schedules": schedules}))
    }

    async fn fire_now(&self, function: &str, body: &[u8]) -> Reply {
        let Some(schedule) = self.schedules.iter().find(|schedule| schedule.spec.function == function) else {
            return gateway_message(StatusCode::NOT_FOUND, &format!("no schedule of template.yaml targets {function}"));
        };
        let time = match requested_time(body) {
            Ok(time) => time,
            Err(message) => return gateway_message(StatusCode::BAD_REQUEST, &message),
        };
        match schedule.fire(time).await {
            Ok(result) => {
                let answer = json!({
                    "function": function,
                    "schedule": schedule.spec.expression,
                    "time": time.to_string(),
                    "result": result,
                });
                json_reply(StatusCode::OK, "application/json", &answer)
            }
            Err(error) => gateway_message(StatusCode::BAD_GATEWAY, &error),
        }
    }
}

impl Schedule {
    async fn run_periodically(&self) {
        let period = self.spec.period;
        let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
        // A run that outlasts its period must not be followed by a burst of catch-up runs:
        // EventBridge fires on its own clock whatever the function does.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            if let Err(error) = self.fire(whole_seconds(Timestamp::now())).await {
                tracing::warn!(function = self.spec.function, %error, "a scheduled run failed");
            }
        }
    }

    /// Invokes the function with the event EventBridge sends for this schedule at `time`.
    async fn fire(&self, time: Timestamp) -> Result<Value, String> {
        let rule = format!("{}-{}", self.spec.function, self.spec.event_name);
        let event = json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": time.to_string(),
            "region": REGION,
            "resources": [format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}")],
            "detail": {},
        });
        invoke_event(&self.handler, event).await
    }
}

/// The event time a fire request asks for: its `time`, or now.
fn requested_time(body: &[u8]) -> Result<Timestamp, String> {
    let request: FireRequest = match body.trim_ascii() {
        [] => FireRequest::default(),
        body => serde_json::from_slice(body).map_err(|e| {
            format!("the body must be empty or a JSON object like {{\"time\": \"2025-01-31T09:00:00Z\"}}: {e}")
        })?,
    };
    let time = match request.time {
        Some(text) => text.parse().map_err(|e| format!("time {text:?} is not an RFC 3339 time: {e}"))?,
        None => Timestamp::now(),
    };
    Ok(whole_seconds(time))
}

/// EventBridge's scheduled events carry whole seconds.
fn whole_seconds(time: Timestamp) -> Timestamp {
    Timestamp::from_second(time.as_second()).unwrap_or(time)
}

fn method_not_allowed(allowed: &'static str) -> Reply {
    let mut reply = gateway_message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    reply.headers_mut().insert(http::header::ALLOW, HeaderValue::from_static(allowed));
    reply
}
