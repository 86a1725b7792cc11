//! The local gateway's schedules, served from the real template.yaml with a stand-in
//! scheduler (no emulator), fired and listed over HTTP as `make run`'s banner says.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use jiff::Timestamp;
use serde_json::{Value, json};
use teamsync_local::gateway::{EventHandler, Gateway, Handler, Handlers};
use teamsync_local::project_root;
use teamsync_local::template::Template;
use tokio::net::TcpListener;

const RULE_ARN: &str = "arn:aws:events:us-east-1:000000000000:rule/SchedulerFunction-Reminders";

/// Whether the stand-in scheduler succeeds, and whether the gateway runs schedules on its own.
#[derive(Clone, Copy)]
struct Setup {
    scheduler_fails: bool,
    periodic: bool,
}

const FIRED_ONLY: Setup = Setup { scheduler_fails: false, periodic: false };

struct Local {
    url: String,
    /// Every event the stand-in scheduler got.
    events: Arc<Mutex<Vec<Value>>>,
    http: reqwest::Client,
}

impl Local {
    async fn start(template: &Template, setup: Setup) -> Local {
        let events = Arc::new(Mutex::new(Vec::new()));
        let handlers = handlers(template, Some(stand_in_scheduler(events.clone(), setup.scheduler_fails)));
        let gateway = Arc::new(
            Gateway::new(template, handlers, &project_root()).unwrap().with_periodic_schedules(setup.periodic),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(gateway.serve(listener));
        Local { url, events, http: reqwest::Client::new() }
    }

    async fn real(setup: Setup) -> Local {
        Local::start(&real_template(), setup).await
    }

    fn events(&self) -> Vec<Value> {
        self.events.lock().unwrap().clone()
    }

    /// The status and JSON body of a request with this raw body.
    async fn send(&self, method: reqwest::Method, path: &str, body: &str) -> (u16, Value) {
        let request = self.http.request(method, format!("{}{path}", self.url)).body(body.to_owned());
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    async fn fire(&self, path: &str, body: &str) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
}

fn real_template() -> Template {
    Template::load(&project_root().join("template.yaml")).unwrap()
}

/// A trivial handler for every other function; the scheduler's, if given.
fn handlers(template: &Template, scheduler: Option<EventHandler>) -> Handlers {
    let ok: Handler = Arc::new(|_| Box::pin(async { lambda_http::Response::new(lambda_http::Body::Empty) }));
    let http = template.routes.iter().map(|route| (route.function.clone(), ok.clone())).collect();
    let null: EventHandler = Arc::new(|_| Box::pin(async { Ok(Value::Null) }));
    let mut events =
        HashMap::from([("WsFunction".to_owned(), null.clone()), ("NotifierFunction".to_owned(), null.clone())]);
    events.extend(scheduler.map(|scheduler| ("SchedulerFunction".to_owned(), scheduler)));
    Handlers { http, events }
}

/// Records each event and reads it as the real scheduler does; answers a report naming the
/// event's time, or fails.
fn stand_in_scheduler(events: Arc<Mutex<Vec<Value>>>, fails: bool) -> EventHandler {
    Arc::new(move |event| {
        let events = events.clone();
        Box::pin(async move {
            events.lock().unwrap().push(event.clone());
            let event: EventBridgeEvent<Value> = serde_json::from_value(event).map_err(|e| e.to_string())?;
            if fails {
                return Err("the stand-in scheduler fails".into());
            }
            Ok(json!({"due_reminders": 2, "time": event.time}))
        })
    })
}

/// Waits (generously) until `probe` holds.
async fn eventually(what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !probe() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn firing_a_schedule_sends_the_scheduled_event_at_the_asked_time() {
    let local = Local::real(FIRED_ONLY).await;
    let (status, answer) =
        local.fire("/_local/schedules/SchedulerFunction", r#"{"time": "2025-03-30T03:30:00.250+02:00"}"#).await;
    assert_eq!(status, 200, "{answer}");
    // In UTC and in whole seconds, as EventBridge writes it.
    let time = "2025-03-30T01:30:00Z";
    assert_eq!(
        answer,
        json!({
            "function": "SchedulerFunction",
            "schedule": "rate(15 minutes)",
            "time": time,
            "result": {"due_reminders": 2, "time": time},
        })
    );

    let events = local.events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["time"], time);
    assert_eq!(event["detail"], json!({}));
    assert!(uuid::Uuid::parse_str(event["id"].as_str().unwrap()).is_ok());
    let typed: EventBridgeEvent<Value> = serde_json::from_value(event.clone()).unwrap();
    assert_eq!(typed.time.map(|t| t.timestamp()), Some(time.parse::<Timestamp>().unwrap().as_second()));
    assert_eq!((typed.detail_type.as_str(), typed.source.as_str()), ("Scheduled Event", "aws.events"));
    assert_eq!((typed.account.as_deref(), typed.region.as_deref()), (Some("000000000000"), Some("us-east-1")));
    assert_eq!(typed.resources, Some(vec![RULE_ARN.to_owned()]));
}

#[tokio::test]
async fn an_empty_body_or_object_fires_at_the_present_time() {
    let local = Local::real(FIRED_ONLY).await;
    for (path, body) in [("/_local/schedules/SchedulerFunction", ""), ("/_local/schedules/SchedulerFunction/", "{}")] {
        let (status, answer) = local.fire(path, body).await;
        assert_eq!(status, 200, "{path} {body:?}: {answer}");
        let time: Timestamp = answer["time"].as_str().unwrap().parse().unwrap();
        assert_eq!(time.subsec_nanosecond(), 0);
        assert!((Timestamp::now().as_second() - time.as_second()).abs() <= 10, "{time}");
        assert_eq!(answer["result"]["time"], answer["time"]);
    }
    assert_eq!(local.events().len(), 2);
}

#[tokio::test]
async fn the_functions_error_is_a_bad_gateway() {
    let local = Local::real(Setup { scheduler_fails: true, periodic: false }).await;
    let (status, answer) = local.fire("/_local/schedules/SchedulerFunction", "").await;
    assert_eq!((status, answer), (502, json!({"message": "the stand-in scheduler fails"})));
    assert_eq!(local.events().len(), 1);
}

#[tokio::test]
async fn an_unknown_function_is_not_found_and_a_bad_time_or_body_a_bad_request() {
    let local = Local::real(FIRED_ONLY).await;
    let (status, answer) = local.fire("/_local/schedules/NotifierFunction", "").await;
    assert_eq!(status, 404);
    assert!(answer["message"].as_str().unwrap().contains("NotifierFunction"), "{answer}");

    for body in [
        r#"{"time": "yesterday"}"#,
        // RFC 3339 requires the offset.
        r#"{"time": "2025-03-30T01:30:00"}"#,
        r#"{"time": 1743298200}"#,
        r#"{"tme": "2025-03-30T01:30:00Z"}"#,
        "not json",
    ] {
        let (status, answer) = local.fire("/_local/schedules/SchedulerFunction", body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["message"].is_string(), "{body}: {answer}");
    }
    assert!(local.events().is_empty());
}

#[tokio::test]
async fn the_schedules_are_listed_and_only_posts_fire() {
    let local = Local::real(FIRED_ONLY).await;
    let listed = json!({"schedules": [{
        "function": "SchedulerFunction",
        "event": "Reminders",
        "schedule": "rate(15 minutes)",
        "runs_periodically": false,
    }]});
    for path in ["/_local/schedules", "/_local/schedules/"] {
        assert_eq!(local.send(reqwest::Method::GET, path, "").await, (200, listed.clone()), "{path}");
    }
    let (status, _) = local.send(reqwest::Method::GET, "/_local/schedules/SchedulerFunction", "").await;
    assert_eq!(status, 405);
    let (status, _) = local.send(reqwest::Method::POST, "/_local/schedules/", "").await;
    assert_eq!(status, 405);
    assert!(local.events().is_empty());
}

#[tokio::test]
async fn periodic_runs_are_off_unless_enabled() {
    let mut template = real_template();
    template.schedules[0].period = Duration::from_millis(100);

    let quiet = Local::start(&template, FIRED_ONLY).await;
    let running = Local::start(&template, Setup { scheduler_fails: false, periodic: true }).await;
    eventually("two periodic runs", || running.events().len() >= 2).await;
    assert!(quiet.events().is_empty());
    let event: EventBridgeEvent<Value> = serde_json::from_value(running.events()[0].clone()).unwrap();
    assert_eq!(event.resources, Some(vec![RULE_ARN.to_owned()]));

    let (_, listed) = running.send(reqwest::Method::GET, "/_local/schedules/", "").await;
    assert_eq!(listed["schedules"][0]["runs_periodically"], true);
}

#[tokio::test]
async fn the_first_periodic_run_waits_one_period() {
    let local = Local::real(Setup { scheduler_fails: false, periodic: true }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(local.events().is_empty());
}

#[tokio::test]
async fn failing_periodic_runs_go_on() {
    let mut template = real_template();
    template.schedules[0].period = Duration::from_millis(100);
    let local = Local::start(&template, Setup { scheduler_fails: true, periodic: true }).await;
    eventually("runs after a failed one", || local.events().len() >= 3).await;
}

#[test]
fn a_schedule_needs_a_handler() {
    let template = real_template();
    let error = Gateway::new(&template, handlers(&template, None), &project_root())
        .err()
        .expect("a missing handler is refused");
    assert!(error.contains("SchedulerFunction"), "{error}");
}
