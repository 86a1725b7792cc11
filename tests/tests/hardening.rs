//! What an outside attack on the local stack found, kept fixed: races between assigning and
//! removing people, login names that could name two accounts, WebSockets that outlived
//! their session, a claim that told what the redacted view hides, invisible characters in
//! stored text, bytes that lied about their type, and an empty file called too large.

use std::time::Duration;

use serde_json::{Value, json};
use teamsync::keys;
use teamsync::store::Change;
use teamsync_tests::files::{HTML, PNG, confirm, multipart_avatar, object_exists, put, upload_avatar, upload_url};
use teamsync_tests::world::{World, invite};
use teamsync_tests::{Answer, PASSWORD, Stack};

/// The ids of a project's current members, as its admin sees them.
async fn members_of(stack: &Stack, world: &World, project: u64) -> Vec<u64> {
    let answer = stack.get(&format!("/api/projects/{project}/"), Some(&world.alice.token)).await;
    answer.data()["members"].as_array().unwrap().iter().map(|m| m["id"].as_u64().unwrap()).collect()
}

async fn assignee_of(stack: &Stack, world: &World, task: u64) -> Option<u64> {
    stack.get(&format!("/api/tasks/{task}/"), Some(&world.alice.token)).await.data()["assignee_id"].as_u64()
}

async fn team_member_ids(stack: &Stack, world: &World) -> Vec<u64> {
    let answer = stack.get("/api/team/members/?page_size=100", Some(&world.alice.token)).await;
    answer.data()["items"].as_array().unwrap().iter().map(|m| m["id"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn an_assignment_racing_a_removal_from_the_project_never_leaves_a_non_member_assigned() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (project, alice, carol) = (world.project, &world.alice.token, world.carol.id);
    for round in 0..4 {
        let task = world.create_task(&stack, project, &format!("Race {round}"), world.bob.id).await;
        let (task_path, members_path) = (format!("/api/tasks/{task}/"), format!("/api/projects/{project}/members/"));
        let (assign, remove) = tokio::join!(
            stack.patch(&task_path, Some(alice), json!({"assignee_id": carol})),
            stack.put(&members_path, Some(alice), json!({"member_ids": [world.bob.id]})),
        );
        let outcome = format!(
            "round {round}: assign {} {}, remove {} {}",
            assign.status, assign.body, remove.status, remove.body
        );
        let carol_on = members_of(&stack, &world, project).await.contains(&carol);
        let assignee = assignee_of(&stack, &world, task).await;
        assert!(carol_on || assignee != Some(carol), "an open task went to a non-member: {outcome}");
        // Exactly one of them took effect; the other was refused with a 4xx, not a 500.
        let mut statuses = [assign.status, remove.status];
        statuses.sort();
        assert!(statuses[0] == 200 && [400, 422].contains(&statuses[1]), "{outcome}");
        // Back to the start: carol on the project, the task with bob.
        if assignee == Some(carol) {
            let back =
                stack.patch(&format!("/api/tasks/{task}/"), Some(alice), json!({"assignee_id": world.bob.id})).await;
            assert_eq!(back.status, 200, "{:?}", back.body);
        }
        if !carol_on {
            let body = json!({"member_ids": [world.bob.id, carol]});
            assert_eq!(stack.put(&format!("/api/projects/{project}/members/"), Some(alice), body).await.status, 200);
        }
    }
}

#[tokio::test]
async fn an_assignment_racing_a_removal_from_the_team_never_leaves_a_stranger_assigned() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (project, alice, carol) = (world.project, &world.alice.token, world.carol.id);
    for round in 0..3 {
        let task = world.create_task(&stack, project, &format!("Race {round}"), world.bob.id).await;
        let (task_path, member_path) = (format!("/api/tasks/{task}/"), format!("/api/team/members/{carol}/"));
        let (assign, remove) = tokio::join!(
            stack.patch(&task_path, Some(alice), json!({"assignee_id": carol})),
            stack.delete(&member_path, Some(alice)),
        );
        let outcome = format!(
            "round {round}: assign {} {}, remove {} {}",
            assign.status, assign.body, remove.status, remove.body
        );
        assert!(assign.status < 500 && remove.status < 500, "{outcome}");
        let in_team = team_member_ids(&stack, &world).await.contains(&carol);
        let on_project = members_of(&stack, &world, project).await.contains(&carol);
        let assignee = assignee_of(&stack, &world, task).await;
        if !in_team {
            assert!(!on_project, "a removed member is still on the team's project: {outcome}");
            assert_ne!(assignee, Some(carol), "an open task went to someone outside the team: {outcome}");
            // Nothing of team A reaches her any more: her inbox holds no notice about it.
            let carol_token = stack.login("carol", PASSWORD).await.access;
            let inbox = stack.get("/api/notifications/", Some(&carol_token)).await;
            let about_task = inbox.data()["items"].as_array().unwrap().iter().any(|n| n["task_id"] == task);
            assert!(!about_task || assign.status == 200, "a notice of a refused assignment: {outcome}");
            invite(&stack, alice, "carol", "member").await;
            let body = json!({"member_ids": [world.bob.id, carol]});
            assert_eq!(stack.put(&format!("/api/projects/{project}/members/"), Some(alice), body).await.status, 200);
        } else {
            assert_eq!(assign.status, 200, "{outcome}");
            assert!(on_project, "{outcome}");
        }
        if assignee == Some(carol) {
            let back =
                stack.patch(&format!("/api/tasks/{task}/"), Some(alice), json!({"assignee_id": world.bob.id})).await;
            assert_eq!(back.status, 200, "{:?}", back.body);
        }
    }
}

#[tokio::test]
async fn a_reopened_task_of_a_former_member_must_be_given_to_a_member() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (alice, task) = (&world.alice.token, world.task);
    let done = stack
        .patch(&format!("/api/tasks/{task}/status/"), Some(&world.bob.token), json!({"status": "completed"}))
        .await;
    assert_eq!(done.status, 200);
    let body = json!({"member_ids": [world.carol.id]});
    assert_eq!(stack.put(&format!("/api/projects/{}/members/", world.project), Some(alice), body).await.status, 200);
    // bob left with only a finished task: reopening it for him would hand an open task to a
    // non-member.
    let reopen =
        stack.patch(&format!("/api/tasks/{task}/status/"), Some(alice), json!({"status": "in_progress"})).await;
    assert_eq!(reopen.status, 400, "{:?}", reopen.body);
    assert!(reopen.field_errors().contains_key("assignee_id"));
    assert_eq!(stack.get(&format!("/api/tasks/{task}/"), Some(alice)).await.data()["status"], "completed");
    let handed_over = stack
        .patch(
            &format!("/api/tasks/{task}/"),
            Some(alice),
            json!({"status": "in_progress", "assignee_id": world.carol.id}),
        )
        .await;
    assert_eq!(handed_over.status, 200, "{:?}", handed_over.body);
}

#[tokio::test]
async fn a_creator_who_left_the_team_hears_nothing_more_of_their_task() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    // carol becomes an admin, makes a task for bob, and removes alice (who made world.task).
    let promoted = stack
        .patch(
            &format!("/api/team/members/{}/role/", world.carol.id),
            Some(&world.alice.token),
            json!({"role": "team_admin"}),
        )
        .await;
    assert_eq!(promoted.status, 200, "{:?}", promoted.body);
    let carol = stack.login("carol", PASSWORD).await.access;
    let body = json!({"title": "Carol's", "assignee_id": world.bob.id});
    let carols_task = stack.post(&format!("/api/projects/{}/tasks/", world.project), Some(&carol), body).await;
    let carols_task = carols_task.data()["id"].as_u64().unwrap();
    assert_eq!(stack.delete(&format!("/api/team/members/{}/", world.alice.id), Some(&carol)).await.status, 200);

    for task in [world.task, carols_task] {
        let done = stack
            .patch(&format!("/api/tasks/{task}/status/"), Some(&world.bob.token), json!({"status": "completed"}))
            .await;
        assert_eq!(done.status, 200, "{:?}", done.body);
    }
    let told = |inbox: &Answer, task: u64| {
        inbox.data()["items"].as_array().unwrap().iter().any(|n| n["task_id"] == task && n["type"] == "status_changed")
    };
    let alice = stack.login("alice", PASSWORD).await.access;
    assert!(!told(&stack.get("/api/notifications/", Some(&alice)).await, world.task), "alice may no longer open it");
    assert!(told(&stack.get("/api/notifications/", Some(&carol)).await, carols_task), "carol, still an admin, is told");
}

#[tokio::test]
async fn a_login_name_resolves_to_exactly_one_account() {
    let stack = Stack::start().await;
    stack.register("alice", json!({"email": "alice@example.com"})).await;
    // Nobody can take someone's address, registered or not, as a username.
    for squatted in ["alice@example.com", "bob@example.com"] {
        let squat = stack.post("/api/auth/register/", None, json!({"username": squatted, "password": PASSWORD})).await;
        assert_eq!(squat.status, 400, "{squatted}: {:?}", squat.body);
        assert!(squat.field_errors().contains_key("username"));
    }
    let token = stack.login("alice@example.com", PASSWORD).await.access;
    assert!(!stack.login("alice", PASSWORD).await.access.is_empty());
    let rename = stack.patch("/api/auth/me/", Some(&token), json!({"username": "carol@example.com"})).await;
    assert_eq!(rename.status, 400, "{:?}", rename.body);

    // An account from before the rule, whose username is an address, as an earlier version
    // stored it: it still signs in by that name.
    let legacy = stack.register("legacy", json!({"email": null})).await;
    let legacy_id = legacy["id"].as_u64().unwrap();
    let old_name = "old@legacy.example";
    let db = &stack.ctx.db;
    db.delete(&keys::username_guard("legacy")).await.unwrap();
    let claim = teamsync::identity::model::ClaimRecord::username(old_name, legacy_id);
    db.put(teamsync::store::item_of(&claim).unwrap(), None).await.unwrap();
    let renamed = Change::new("SET #u = :u")
        .name("#u", "username")
        .value(":u", aws_sdk_dynamodb::types::AttributeValue::S(old_name.into()));
    assert!(db.update(&keys::user(legacy_id), renamed, None).await.unwrap());
    let legacy_token = stack.login(old_name, PASSWORD).await.access;
    assert_eq!(stack.get("/api/auth/me/", Some(&legacy_token)).await.data()["username"], old_name);
    // That name is taken as an address too: nobody may register it, or move to it, as their
    // email, so it keeps naming one account.
    let newcomer = stack
        .post("/api/auth/register/", None, json!({"username": "newcomer", "password": PASSWORD, "email": old_name}))
        .await;
    assert_eq!(newcomer.status, 409, "{:?}", newcomer.body);
    assert!(newcomer.field_errors().contains_key("email"));
    let moved = stack.patch("/api/auth/me/", Some(&token), json!({"email": old_name})).await;
    assert_eq!(moved.status, 409, "{:?}", moved.body);
    assert_eq!(
        stack.get("/api/auth/me/", Some(&stack.login(old_name, PASSWORD).await.access)).await.data()["id"],
        legacy_id
    );
}

#[tokio::test]
async fn ending_a_session_closes_its_websockets_and_nothing_more_reaches_them() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let second = stack.login("bob", PASSWORD).await.access;
    let third = stack.login("bob", PASSWORD).await.access;
    let mut first_ws = stack.connect_ws(Some(&world.bob.token)).await.unwrap();
    let mut second_ws = stack.connect_ws(Some(&second)).await.unwrap();
    let mut third_ws = stack.connect_ws(Some(&third)).await.unwrap();

    let logout = stack.post("/api/auth/logout/", Some(&world.bob.token), json!({})).await;
    assert_eq!(logout.status, 200);
    assert!(first_ws.closed_by_server(Duration::from_secs(3)).await, "logout closes that session's socket");

    let change = json!({"old_password": PASSWORD, "new_password": "another-password-1", "new_password_confirm": "another-password-1"});
    let changed = stack.post("/api/auth/me/password/", Some(&third), change).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert!(
        second_ws.closed_by_server(Duration::from_secs(3)).await,
        "a password change closes the other sessions' sockets"
    );

    // The session that changed the password keeps its socket, and its pushes.
    let task = world.create_task(&stack, world.project, "After the change", world.bob.id).await;
    let about_it = |m: &Value| m["type"] == "notification" && m["data"]["task_id"] == task;
    let pushed = third_ws.next_matching(about_it, Duration::from_secs(3)).await;
    assert!(pushed.is_some(), "the live session is still pushed to");
}

#[tokio::test]
async fn a_socket_whose_session_ended_unannounced_is_not_pushed_to() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let mut socket = stack.connect_ws(Some(&world.bob.token)).await.unwrap();
    // Events are delivered asynchronously: the pushes of the world's own set-up (bob's task)
    // may still arrive on the new socket. Let them land before the session goes.
    while socket.next_json(Duration::from_millis(500)).await.is_some() {}
    // The session goes without an event (as when it expires): the next push must see it.
    let claims = stack.ctx.tokens.verify(&world.bob.token, teamsync::auth::tokens::TokenUse::Access).unwrap();
    stack.ctx.db.delete(&keys::session(world.bob.id, &claims.sid)).await.unwrap();
    let pushes_before = stack.pushes().len();
    world.create_task(&stack, world.project, "Nobody listening", world.bob.id).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(socket.next_json(Duration::from_millis(200)).await.is_none(), "no push reached the ended session");
    assert_eq!(stack.pushes().len(), pushes_before, "nothing was sent to it");
}

#[tokio::test]
async fn claiming_a_task_one_sees_redacted_says_only_that_it_cannot_be_claimed() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let answer = stack.post(&format!("/api/tasks/{}/claim/", world.task), Some(&world.carol.token), json!({})).await;
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    let text = answer.body.to_string().to_lowercase();
    assert!(text.contains("cannot be claimed"), "{text}");
    assert!(!text.contains("assignee") && !text.contains("assigned"), "the answer says why: {text}");
    let task = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token)).await;
    assert_eq!(task.data()["assignee_id"], world.bob.id, "nothing changed");
}

#[tokio::test]
async fn invisible_and_direction_changing_characters_are_refused_in_stored_text() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (alice, p, t) = (&world.alice.token, world.project, world.task);
    let spoofed = "invoice\u{202e}fdp.exe";
    let cases: Vec<(reqwest::Method, String, Value, &str)> = vec![
        (
            reqwest::Method::POST,
            format!("/api/projects/{p}/tasks/"),
            json!({"title": spoofed, "assignee_id": world.bob.id}),
            "title",
        ),
        (reqwest::Method::PATCH, format!("/api/tasks/{t}/"), json!({"description": "a\u{0}b"}), "description"),
        (reqwest::Method::PATCH, format!("/api/projects/{p}/"), json!({"title": "x\u{2066}y"}), "title"),
        (reqwest::Method::PATCH, "/api/team/".into(), json!({"name": "Team\u{202b}A"}), "name"),
        (reqwest::Method::PATCH, "/api/auth/me/".into(), json!({"nickname": "al\u{2069}ice"}), "nickname"),
        (
            reqwest::Method::POST,
            format!("/api/tasks/{t}/attachments/upload-url/"),
            json!({"file_name": "a\u{202e}gpj.exe", "file_type": "application/pdf", "file_size": 10}),
            "file_name",
        ),
    ];
    for (method, path, body, field) in cases {
        let answer = stack.send(stack.request(method.clone(), &path, Some(alice)).json(&body)).await;
        assert_eq!(answer.status, 400, "{method} {path}: {:?}", answer.body);
        assert!(answer.field_errors().contains_key(field), "{method} {path}: {:?}", answer.body);
    }
    let task = stack.get(&format!("/api/tasks/{t}/"), Some(alice)).await;
    assert_eq!(task.data()["description"], "", "nothing was stored");
    let refused = stack
        .post(
            "/api/auth/register/",
            None,
            json!({"username": "mallory", "password": PASSWORD, "email": "m\u{0}@example.com"}),
        )
        .await;
    assert_eq!(refused.status, 400);
}

#[tokio::test]
async fn bytes_are_checked_against_the_type_they_claim() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bob = &world.bob.token;

    // An avatar upload of a web page that calls itself a PNG: refused and removed.
    let key = upload_avatar(&stack, bob, "me.png", "image/png", HTML).await;
    let confirmed = stack.post("/api/auth/me/avatar/", Some(bob), json!({"file_key": &key})).await;
    assert_eq!(confirmed.status, 400, "{:?}", confirmed.body);
    assert!(!object_exists(&stack, &key).await, "the upload is removed");
    let multipart = multipart_avatar(&stack, bob, "me.png", "image/png", HTML).await;
    assert_eq!(multipart.status, 400, "{:?}", multipart.body);
    assert_eq!(stack.get("/api/auth/me/", Some(bob)).await.data()["avatar"], Value::Null, "no avatar was set");
    // A real one passes, declared as what it is.
    assert_eq!(multipart_avatar(&stack, bob, "me.png", "image/png", PNG).await.status, 200);

    // An attachment declared as an image must be one.
    let ticket = upload_url(&stack, bob, world.task, "shot.png", "image/png", HTML.len()).await;
    let key = ticket.data()["file_key"].as_str().unwrap().to_owned();
    assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), "image/png", HTML).await, 200);
    let attached = confirm(&stack, bob, world.task, &key, "shot.png", "image/png", HTML.len()).await;
    assert_eq!(attached.status, 400, "{:?}", attached.body);
    assert!(!object_exists(&stack, &key).await);

    // And the API never lets a browser guess a type.
    let me = stack.get("/api/auth/me/", Some(bob)).await;
    assert_eq!(me.headers.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"));
}

#[tokio::test]
async fn an_empty_file_is_called_empty() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let empty = upload_url(&stack, &world.bob.token, world.task, "a.pdf", "application/pdf", 0).await;
    assert_eq!(empty.status, 400);
    let message = empty.field_errors().remove("file_size").unwrap_or_default();
    assert!(message.contains("empty"), "{message}");
    assert!(!message.contains("larger"), "{message}");
}
