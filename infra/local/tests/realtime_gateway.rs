//! The local gateway's WebSocket API, `@connections` API and event bus, served from the real
//! template.yaml with fake functions (no emulator), and called with the real clients: a
//! WebSocket client and the AWS SDK.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use teamsync_local::gateway::{EventHandler, Gateway, Handler, Handlers};
use teamsync_local::project_root;
use teamsync_local::stack::sdk_config;
use teamsync_local::template::Template;
use teamsync_local::websocket::PushRecord;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the fake functions saw.
#[derive(Default)]
struct Seen {
    /// Every WsFunction event, in order.
    ws_events: Mutex<Vec<Value>>,
    /// Every NotifierFunction invocation's event, failed ones included.
    notifier_events: Mutex<Vec<Value>>,
    /// How many more notifier invocations fail.
    notifier_failures_left: AtomicU32,
}

impl Seen {
    fn ws_events(&self, route_key: &str) -> Vec<Value> {
        let events = self.ws_events.lock().unwrap();
        events.iter().filter(|e| e["requestContext"]["routeKey"] == route_key).cloned().collect()
    }

    fn notifier_events(&self) -> Vec<Value> {
        self.notifier_events.lock().unwrap().clone()
    }
}

struct Local {
    url: String,
    ws_url: String,
    gateway: Arc<Gateway>,
    seen: Arc<Seen>,
}

impl Local {
    async fn start(notifier_failures: u32) -> Local {
        let template = Template::load(&project_root().join("template.yaml")).unwrap();
        let seen = Arc::new(Seen::default());
        seen.notifier_failures_left.store(notifier_failures, Ordering::SeqCst);
        let gateway = Arc::new(Gateway::new(&template, handlers(&template, &seen), &project_root()).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(gateway.clone().serve(listener));
        Local { url: format!("http://{address}"), ws_url: format!("ws://{address}/ws/notifications/"), gateway, seen }
    }

    async fn connect(&self, token: &str) -> Result<Client, u16> {
        match connect_async(format!("{}?token={token}", self.ws_url)).await {
            Ok((client, _)) => Ok(client),
            Err(WsError::Http(response)) => Err(response.status().as_u16()),
            Err(error) => panic!("the handshake failed: {error}"),
        }
    }

    /// The id of the connection `$connect` saw last.
    fn last_connection_id(&self) -> String {
        let connects = self.seen.ws_events("$connect");
        connects.last().unwrap()["requestContext"]["connectionId"].as_str().unwrap().to_owned()
    }

    async fn connections_api(&self) -> aws_sdk_apigatewaymanagement::Client {
        aws_sdk_apigatewaymanagement::Client::new(&sdk_config(&self.url).await)
    }

    async fn event_bus(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&sdk_config(&self.url).await)
    }
}

/// A trivial handler for every HTTP function and the scheduler, and fakes of the WebSocket
/// and notifier functions that read their events as the real ones do.
fn handlers(template: &Template, seen: &Arc<Seen>) -> Handlers {
    let ok: Handler = Arc::new(|_| Box::pin(async { lambda_http::Response::new(lambda_http::Body::Empty) }));
    let http = template.routes.iter().map(|route| (route.function.clone(), ok.clone())).collect();
    let scheduler: EventHandler = Arc::new(|_| Box::pin(async { Ok(Value::Null) }));
    let events = HashMap::from([
        ("WsFunction".to_owned(), fake_ws(seen.clone())),
        ("NotifierFunction".to_owned(), fake_notifier(seen.clone())),
        ("SchedulerFunction".to_owned(), scheduler),
    ]);
    Handlers { http, events }
}

/// Accepts `$connect` only with `?token=good`; echoes `$default` bodies.
fn fake_ws(seen: Arc<Seen>) -> EventHandler {
    Arc::new(move |event| {
        let seen = seen.clone();
        Box::pin(async move {
            seen.ws_events.lock().unwrap().push(event.clone());
            let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event).map_err(|e| e.to_string())?;
            let answer = match request.request_context.route_key.as_deref() {
                Some("$connect") if request.query_string_parameters.first("token") == Some("good") => {
                    json!({"statusCode": 200})
                }
                Some("$connect") => json!({"statusCode": 401, "body": "token refused"}),
                Some("$default") => json!({"statusCode": 200, "body": request.body}),
                _ => json!({"statusCode": 200}),
            };
            Ok(answer)
        })
    })
}

/// Records each event; fails while `notifier_failures_left` lasts.
fn fake_notifier(seen: Arc<Seen>) -> EventHandler {
    Arc::new(move |event| {
        let seen = seen.clone();
        Box::pin(async move {
            seen.notifier_events.lock().unwrap().push(event.clone());
            let _: EventBridgeEvent<Value> = serde_json::from_value(event).map_err(|e| e.to_string())?;
            let failing =
                seen.notifier_failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            if failing.is_ok() { Err("the fake notifier fails".into()) } else { Ok(Value::Null) }
        })
    })
}

/// Waits (a few seconds at most) until `probe` finds something.
async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The next text frame, skipping others; None when the connection ends first.
async fn next_text(client: &mut Client) -> Option<String> {
    let read = async {
        while let Some(frame) = client.next().await {
            match frame {
                Ok(Message::Text(text)) => return Some(text.to_string()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.expect("a frame within 5 s")
}

/// The close frame the server sends; reads on until the end, which sends the client's reply.
async fn close_frame(client: &mut Client) -> Option<CloseFrame> {
    let read = async {
        let mut close = None;
        while let Some(Ok(frame)) = client.next().await {
            if let Message::Close(frame) = frame {
                close = frame;
            }
        }
        close
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.expect("a close within 5 s")
}

#[tokio::test]
async fn a_refused_connect_answers_its_status_and_does_not_upgrade() {
    let local = Local::start(0).await;
    assert_eq!(local.connect("bad").await.err(), Some(401));
    let connects = local.seen.ws_events("$connect");
    assert_eq!(connects.len(), 1);
    assert_eq!(connects[0]["requestContext"]["eventType"], "CONNECT");
    assert_eq!(connects[0]["queryStringParameters"]["token"], "bad");
    // No connection was made, so none ends.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(local.seen.ws_events("$disconnect").is_empty());
}

#[tokio::test]
async fn an_accepted_connection_gets_its_route_responses() {
    let local = Local::start(0).await;
    let mut client = local.connect("good").await.unwrap();
    let connect = &local.seen.ws_events("$connect")[0];
    let context = &connect["requestContext"];
    assert_eq!(context["connectionId"].as_str().unwrap().len(), 16);
    assert_eq!((context["stage"].as_str(), context["apiId"].as_str()), (Some("ws"), Some("local")));
    assert_eq!(context["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(connect["multiValueQueryStringParameters"]["token"], json!(["good"]));

    for text in ["hello", r#"{"action":"subscribe","project_id":7}"#] {
        client.send(Message::text(text)).await.unwrap();
        assert_eq!(next_text(&mut client).await.as_deref(), Some(text));
    }
    let messages = local.seen.ws_events("$default");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["requestContext"]["eventType"], "MESSAGE");
    assert_eq!(messages[0]["requestContext"]["connectionId"], context["connectionId"]);
    assert!(messages[0]["requestContext"]["messageId"].is_string());

    client.send(Message::Ping("are you there".into())).await.unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(5), client.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(pong, Message::Pong("are you there".into()));
}

#[tokio::test]
async fn the_endpoint_answers_without_its_trailing_slash() {
    let local = Local::start(0).await;
    let url = format!("{}?token=good", local.ws_url.trim_end_matches('/'));
    let (mut client, _) = connect_async(url).await.unwrap();
    client.send(Message::text("hi")).await.unwrap();
    assert_eq!(next_text(&mut client).await.as_deref(), Some("hi"));
}

#[tokio::test]
async fn pushes_reach_the_socket_until_it_closes_then_are_gone() {
    let local = Local::start(0).await;
    let mut client = local.connect("good").await.unwrap();
    let connection_id = local.last_connection_id();
    let api = local.connections_api().await;

    api.post_to_connection().connection_id(&connection_id).data(Blob::new(r#"{"type":"ping"}"#)).send().await.unwrap();
    assert_eq!(next_text(&mut client).await.as_deref(), Some(r#"{"type":"ping"}"#));
    let described = api.get_connection().connection_id(&connection_id).send().await.unwrap();
    assert!(described.connected_at().is_some() && described.last_active_at().is_some());
    assert_eq!(described.identity().and_then(|i| i.source_ip()), Some("127.0.0.1"));

    client.close(Some(CloseFrame { code: CloseCode::Normal, reason: "bye".into() })).await.unwrap();
    let disconnect = eventually("$disconnect", || local.seen.ws_events("$disconnect").pop()).await;
    let context = &disconnect["requestContext"];
    assert_eq!(
        (context["eventType"].as_str(), context["connectionId"].as_str()),
        (Some("DISCONNECT"), Some(&*connection_id))
    );
    assert_eq!(
        (context["disconnectStatusCode"].as_u64(), context["disconnectReason"].as_str()),
        (Some(1000), Some("bye"))
    );
    let _: ApiGatewayWebsocketProxyRequest = serde_json::from_value(disconnect.clone()).unwrap();

    let error =
        api.post_to_connection().connection_id(&connection_id).data(Blob::new("late")).send().await.unwrap_err();
    assert!(matches!(error.as_service_error(), Some(PostToConnectionError::GoneException(_))), "{error:?}");
    assert_eq!(
        local.gateway.pushes(),
        [PushRecord { connection_id: connection_id.clone(), status: 200 }, PushRecord { connection_id, status: 410 }]
    );
}

#[tokio::test]
async fn deleting_a_connection_closes_it() {
    let local = Local::start(0).await;
    let mut client = local.connect("good").await.unwrap();
    let connection_id = local.last_connection_id();
    let api = local.connections_api().await;

    api.delete_connection().connection_id(&connection_id).send().await.unwrap();
    assert_eq!(close_frame(&mut client).await.map(|f| f.code), Some(CloseCode::Normal));
    let disconnect = eventually("$disconnect", || local.seen.ws_events("$disconnect").pop()).await;
    assert_eq!(disconnect["requestContext"]["disconnectStatusCode"], 1000);
    let error = api.get_connection().connection_id(&connection_id).send().await.unwrap_err();
    assert_eq!(error.raw_response().map(|r| r.status().as_u16()), Some(410));
}

#[tokio::test]
async fn a_dropped_socket_disconnects_and_binary_frames_close() {
    let local = Local::start(0).await;
    let client = local.connect("good").await.unwrap();
    drop(client);
    let disconnect = eventually("$disconnect", || local.seen.ws_events("$disconnect").pop()).await;
    assert_eq!(disconnect["requestContext"]["disconnectStatusCode"], 1006);

    let mut client = local.connect("good").await.unwrap();
    client.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(close_frame(&mut client).await.map(|f| f.code), Some(CloseCode::Unsupported));
}

#[tokio::test]
async fn put_events_delivers_matching_events_to_the_notifier() {
    let local = Local::start(0).await;
    let entry = |source: &str, detail_type: &str| {
        PutEventsRequestEntry::builder()
            .event_bus_name("teamsync-local")
            .source(source)
            .detail_type(detail_type)
            .detail(r#"{"actor_id":1,"task_id":9}"#)
            .build()
    };
    let output = local
        .event_bus()
        .await
        .put_events()
        .entries(entry("other", "TaskUpdated"))
        .entries(entry("teamsync", "TaskUpdated"))
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count(), 0);
    assert!(output.entries().iter().all(|e| e.event_id().is_some_and(|id| !id.is_empty())));

    // Rules are matched before PutEvents answers: the other source was never handed over.
    let event = eventually("the notifier's event", || local.seen.notifier_events().pop()).await;
    assert_eq!(local.seen.notifier_events().len(), 1);
    assert_eq!(event["source"], "teamsync");
    assert_eq!(event["detail-type"], "TaskUpdated");
    assert_eq!(event["detail"], json!({"actor_id": 1, "task_id": 9}));
    assert_eq!((event["version"].as_str(), event["account"].as_str()), (Some("0"), Some("000000000000")));
    assert_eq!(event["id"].as_str(), output.entries()[1].event_id());
    let typed: EventBridgeEvent<Value> = serde_json::from_value(event).unwrap();
    assert_eq!(typed.region.as_deref(), Some("us-east-1"));
    assert!(typed.time.is_some());
}

#[tokio::test]
async fn a_malformed_entry_fails_alone() {
    let local = Local::start(0).await;
    let bad = PutEventsRequestEntry::builder().source("teamsync").detail_type("TaskUpdated").detail("not json").build();
    let output = local.event_bus().await.put_events().entries(bad).send().await.unwrap();
    assert_eq!(output.failed_entry_count(), 1);
    assert_eq!(output.entries()[0].error_code(), Some("MalformedDetail"));
}

#[tokio::test]
async fn a_failing_function_is_retried_then_dead_lettered() {
    let local = Local::start(u32::MAX).await;
    let entry = PutEventsRequestEntry::builder().source("teamsync").detail_type("TaskDeleted").detail("{}").build();
    local.event_bus().await.put_events().entries(entry).send().await.unwrap();

    let record = eventually("a dead letter", || local.gateway.dead_letters().pop()).await;
    // template.yaml's EventInvokeConfig: two retries after the first attempt.
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestPayload"]["detail-type"], "TaskDeleted");
    assert_eq!(record["responsePayload"]["errorMessage"], "the fake notifier fails");
    assert_eq!(local.seen.notifier_events().len(), 3);
}

#[tokio::test]
async fn a_function_that_fails_once_gets_the_event_on_retry() {
    let local = Local::start(1).await;
    let entry = PutEventsRequestEntry::builder().source("teamsync").detail_type("TaskCreated").detail("{}").build();
    local.event_bus().await.put_events().entries(entry).send().await.unwrap();

    eventually("the retry", || (local.seen.notifier_events().len() == 2).then_some(())).await;
    let events = local.seen.notifier_events();
    assert_eq!(events[0]["id"], events[1]["id"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(local.gateway.dead_letters().is_empty());
    assert_eq!(local.seen.notifier_events().len(), 2);
}

#[test]
fn every_websocket_route_and_event_rule_needs_a_handler() {
    let template = Template::load(&project_root().join("template.yaml")).unwrap();
    let seen = Arc::new(Seen::default());
    for function in ["WsFunction", "NotifierFunction"] {
        let mut handlers = handlers(&template, &seen);
        handlers.events.remove(function);
        let error = Gateway::new(&template, handlers, &project_root()).err().expect("a missing handler is refused");
        assert!(error.contains(function), "{error}");
    }
}
