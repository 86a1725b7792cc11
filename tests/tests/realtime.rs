//! Realtime pushes over the WebSocket API (seed 001 §9), end to end through the local
//! stack: the ws function behind `$connect`/`$default`/`$disconnect`, domain events on the
//! bus, the notifier, and the `@connections` API back to the socket.

use std::time::Duration;

use serde_json::{Value, json};
use teamsync::auth::tokens::TokenUse;
use teamsync::messages::Lang;
use teamsync::realtime::connections;
use teamsync_tests::world::World;
use teamsync_tests::ws::WsClient;
use teamsync_tests::{PASSWORD, Stack};

const WAIT: Duration = Duration::from_secs(5);

async fn next_of_type(client: &mut WsClient, kind: &str, timeout: Duration) -> Option<Value> {
    client.next_matching(|message| message["type"] == kind, timeout).await
}

async fn subscribe(client: &mut WsClient, project: u64) -> Value {
    client.send_json(&json!({"action": "subscribe", "channel": format!("project_{project}")})).await;
    let answer = |m: &Value| m["type"] == "subscribed" || m["type"] == "error";
    client.next_matching(answer, WAIT).await.expect("an answer to subscribe")
}

/// Polls until `check` holds, for up to five seconds.
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_connected_member_hears_of_a_new_task_within_two_seconds() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let mut bob = stack.connect_ws(Some(&world.bob.token)).await.expect("bob connects");
    let task = world.create_task(&stack, world.project, "Write the press release", world.bob.id).await;

    // The bound; locally the push takes milliseconds.
    let about_it = |m: &Value| m["type"] == "notification" && m["data"]["task_id"] == task;
    let pushed = bob.next_matching(about_it, Duration::from_secs(2)).await.expect("a push within 2 s");
    let data = &pushed["data"];
    assert_eq!(data["type"], "task_assigned");
    assert_eq!(data["content"], "You were assigned a new task: Write the press release");
    assert!(data["id"].is_u64() && data["timestamp"].is_string());
    // It is the inbox item itself.
    let inbox = stack.get("/api/notifications/", Some(&world.bob.token)).await;
    assert_eq!(inbox.data()["items"][0]["id"], data["id"]);
}

#[tokio::test]
async fn project_subscribers_see_task_changes_as_http_shows_them() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let mut alice = stack.connect_ws(Some(&world.alice.token)).await.unwrap();
    let mut carol = stack.connect_ws(Some(&world.carol.token)).await.unwrap();
    let channel = format!("project_{}", world.project);
    assert_eq!(subscribe(&mut alice, world.project).await, json!({"type": "subscribed", "channel": channel}));
    assert_eq!(subscribe(&mut carol, world.project).await["type"], "subscribed");

    let path = format!("/api/tasks/{}/status/", world.task);
    let changed = stack.patch(&path, Some(&world.bob.token), json!({"status": "in_progress"})).await;
    assert_eq!(changed.status, 200);

    let seen_by_admin = next_of_type(&mut alice, "task_updated", WAIT).await.expect("alice sees the change");
    assert_eq!(seen_by_admin["channel"], channel);
    assert_eq!(seen_by_admin["data"]["id"], world.task);
    assert_eq!(seen_by_admin["data"]["status"], "in_progress");
    assert_eq!(seen_by_admin["data"]["assignee"]["id"], world.bob.id);
    // carol is on the project but the task is bob's: the push is as redacted as HTTP.
    let seen_by_carol = next_of_type(&mut carol, "task_updated", WAIT).await.expect("carol sees the change");
    assert_eq!(seen_by_carol["data"]["can_view"], false);
    assert_eq!(seen_by_carol["data"]["status"], "private");
    assert_eq!(seen_by_carol["data"]["assignee"], Value::Null);
    let over_http = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.carol.token)).await;
    assert_eq!(over_http.data(), &seen_by_carol["data"]);

    // A new task and a deleted one reach the channel too; unsubscribed, nothing more comes.
    let task = world.create_task(&stack, world.project, "Launch party", world.carol.id).await;
    let created = next_of_type(&mut carol, "task_created", WAIT).await.expect("task_created");
    assert_eq!((created["data"]["id"].as_u64(), created["data"]["can_view"].as_bool()), (Some(task), Some(true)));
    assert_eq!(stack.delete(&format!("/api/tasks/{task}/"), Some(&world.root.token)).await.status, 200);
    let deleted = next_of_type(&mut alice, "task_deleted", WAIT).await.expect("task_deleted");
    assert_eq!(deleted["data"], json!({"id": task, "project_id": world.project}));
    carol.send_json(&json!({"action": "unsubscribe", "channel": channel})).await;
    assert!(next_of_type(&mut carol, "unsubscribed", WAIT).await.is_some());
    stack.patch(&path, Some(&world.bob.token), json!({"status": "completed"})).await;
    assert!(next_of_type(&mut alice, "task_updated", WAIT).await.is_some());
    assert_eq!(next_of_type(&mut carol, "task_updated", Duration::from_millis(500)).await, None);
}

#[tokio::test]
async fn only_those_who_see_a_project_may_subscribe_to_it() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    for (who, token) in [("eve, another team", &world.eve.token), ("dave, not on the project", &world.dave.token)] {
        let mut client = stack.connect_ws(Some(token)).await.unwrap();
        let refused = subscribe(&mut client, world.project).await;
        assert_eq!(refused["type"], "error", "{who}: {refused}");
        assert_eq!(refused["code"], 404, "{who}: the project is not even named");
        assert_eq!(refused["channel"], format!("project_{}", world.project));
        // Nothing of the project reaches them.
        stack
            .patch(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token), json!({"title": "Renamed"}))
            .await;
        assert_eq!(next_of_type(&mut client, "task_updated", Duration::from_millis(500)).await, None, "{who}");
    }
    let mut bob = stack.connect_ws(Some(&world.bob.token)).await.unwrap();
    bob.send_json(&json!({"action": "subscribe", "channel": "team_1"})).await;
    let bad_channel = next_of_type(&mut bob, "error", WAIT).await.unwrap();
    assert_eq!((bad_channel["type"].as_str(), bad_channel["code"].as_u64()), (Some("error"), Some(400)));
    bob.send_json(&json!({"action": "dance"})).await;
    assert!(next_of_type(&mut bob, "error", WAIT).await.is_some());
    bob.send_json(&json!({"action": "ping"})).await;
    assert_eq!(next_of_type(&mut bob, "pong", WAIT).await, Some(json!({"type": "pong"})));
}

#[tokio::test]
async fn a_bad_token_cannot_connect() {
    let stack = Stack::start().await;
    stack.register("alice", json!({})).await;
    let tokens = stack.login("alice", PASSWORD).await;
    assert_eq!(stack.connect_ws(None).await.err(), Some(401));
    assert_eq!(stack.connect_ws(Some("not-a-token")).await.err(), Some(401));
    assert_eq!(
        stack.connect_ws(Some(&tokens.refresh)).await.err(),
        Some(401),
        "a refresh token is not an access token"
    );
    let other_stack_token = {
        let other = Stack::with_settings(&[("TEAMSYNC_JWT_ISSUER", "someone-else")]).await;
        other.register("alice", json!({})).await;
        other.login("alice", PASSWORD).await.access
    };
    assert_eq!(stack.connect_ws(Some(&other_stack_token)).await.err(), Some(401));
    stack.connect_ws(Some(&tokens.access)).await.expect("the access token connects");
    stack.post("/api/auth/logout/", Some(&tokens.access), json!({})).await;
    assert_eq!(stack.connect_ws(Some(&tokens.access)).await.err(), Some(401), "a logged-out session cannot");
}

#[tokio::test]
async fn after_a_disconnect_nothing_is_pushed_there_and_its_items_are_gone() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let mut leaving = stack.connect_ws(Some(&world.bob.token)).await.unwrap();
    let subscribed = subscribe(&mut leaving, world.project).await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
    let mut staying = stack.connect_ws(Some(&world.bob.token)).await.unwrap();
    let now = jiff::Timestamp::now();
    assert_eq!(connections::connections_of(&stack.ctx, world.bob.id, now).await.unwrap().len(), 2);
    leaving.close().await;

    let channel = connections::Channel::Project(world.project);
    eventually("the closed connection's items are gone", || async {
        let now = jiff::Timestamp::now();
        connections::connections_of(&stack.ctx, world.bob.id, now).await.unwrap().len() == 1
            && connections::subscribers(&stack.ctx, channel, now).await.unwrap().is_empty()
    })
    .await;
    let remaining = connections::connections_of(&stack.ctx, world.bob.id, now).await.unwrap();
    let staying_id = remaining[0].connection_id.clone();
    let earlier = stack.pushes().len();

    world.create_task(&stack, world.project, "After the disconnect", world.bob.id).await;
    assert!(next_of_type(&mut staying, "notification", WAIT).await.is_some(), "the open connection still hears");
    let pushes = stack.pushes().split_off(earlier);
    assert!(!pushes.is_empty());
    assert!(
        pushes.iter().all(|push| push.connection_id == staying_id && push.status == 200),
        "nothing went to the closed connection: {pushes:?}"
    );
}

#[tokio::test]
async fn a_connection_api_gateway_reports_gone_is_forgotten() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    // A connection whose $disconnect never arrived (as happens when a client vanishes),
    // opened a while ago; and one still in its handshake, which is kept.
    let claims = stack.ctx.tokens.verify(&world.bob.token, TokenUse::Access).unwrap();
    let now = jiff::Timestamp::now();
    let bob = teamsync::auth::session_caller(&stack.ctx, world.bob.id, &claims.sid, now).await.unwrap();
    let opened = now - jiff::SignedDuration::from_mins(1);
    connections::connect(&stack.ctx, "vanished-connection", &bob, Lang::En, opened).await.unwrap();
    connections::connect(&stack.ctx, "opening-connection", &bob, Lang::En, now).await.unwrap();

    world.create_task(&stack, world.project, "Pushed into the void", world.bob.id).await;
    eventually("the pushes answered 410 and the vanished connection was forgotten", || async {
        let gone = |id: &str| stack.pushes().iter().any(|p| p.connection_id == id && p.status == 410);
        let left = connections::connections_of(&stack.ctx, world.bob.id, jiff::Timestamp::now()).await.unwrap();
        gone("vanished-connection") && gone("opening-connection") && left.len() == 1
    })
    .await;
    let left = connections::connections_of(&stack.ctx, world.bob.id, jiff::Timestamp::now()).await.unwrap();
    assert_eq!(left[0].connection_id, "opening-connection", "a connection in its handshake is kept");
    let inbox = stack.get("/api/notifications/", Some(&world.bob.token)).await;
    assert_eq!(inbox.data()["items"][0]["content"], "You were assigned a new task: Pushed into the void");
}

#[tokio::test]
async fn with_the_push_path_failing_the_notification_is_still_in_the_inbox() {
    // The functions' management endpoint points at a port nobody listens on.
    let stack = Stack::with_settings(&[("TEAMSYNC_WS_ENDPOINT", "http://127.0.0.1:9")]).await;
    let world = World::build(&stack).await;
    let mut bob = stack.connect_ws(Some(&world.bob.token)).await.unwrap();
    let task = world.create_task(&stack, world.project, "Still delivered", world.bob.id).await;

    assert_eq!(bob.next_json(Duration::from_secs(1)).await, None, "no push arrives");
    let inbox = stack.get("/api/notifications/", Some(&world.bob.token)).await;
    let newest = &inbox.data()["items"][0];
    assert_eq!((newest["type"].as_str(), newest["task_id"].as_u64()), (Some("task_assigned"), Some(task)));
    assert!(stack.pushes().is_empty(), "nothing reached the WebSocket API");
    let detail = stack.get(&format!("/api/tasks/{task}/"), Some(&world.bob.token)).await;
    assert_eq!(detail.data()["title"], "Still delivered");
}
