//! The real client's calls that a reading of its source found failing (the client doc's
//! "Second reading"), served as it makes them, and refused to those who may not.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use teamsync::projects::model::{Status, TaskRecord};
use teamsync::store::item_of;
use teamsync_tests::files::{PNG, attach, confirm, multipart_avatar, object_exists, put, upload_url};
use teamsync_tests::world::{World, invite};
use teamsync_tests::{ADMIN, ADMIN_PASSWORD, Answer, PASSWORD, Stack};

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

async fn in_chinese(stack: &Stack, path: &str, token: &str) -> Answer {
    stack.send(stack.request(Method::GET, path, Some(token)).header("Accept-Language", "zh")).await
}

#[tokio::test]
async fn a_user_in_no_team_is_a_visitor_until_invited() {
    let stack = Stack::start().await;
    let registered = stack.register("newbie", json!({"join_type": "join"})).await;
    assert_eq!((registered["role"].as_str(), registered["role_display"].as_str()), (Some("visitor"), Some("Visitor")));
    let login = stack.post("/api/auth/login/", None, json!({"username": "newbie", "password": PASSWORD})).await;
    assert_eq!(login.data()["user"]["role"], "visitor");
    let token = login.data()["access_token"].as_str().unwrap().to_owned();
    let me = stack.get("/api/auth/me/", Some(&token)).await;
    assert_eq!(me.data()["role"], "visitor");
    assert_eq!(me.data()["permissions"], json!([]), "a visitor may do nothing in a team yet");
    assert_eq!(in_chinese(&stack, "/api/auth/me/", &token).await.data()["role_display"], "访客");

    // The waiting page's call: the answer in `data`, and beside `code` where the client reads it.
    let status = stack.get("/api/auth/visitor/status/", Some(&token)).await;
    assert_eq!((status.status, status.body["code"].as_u64()), (200, Some(200)), "{:?}", status.body);
    assert_eq!(status.data().clone(), json!({"is_visitor": true, "status": "waiting"}));
    assert_eq!((status.body["is_visitor"].as_bool(), status.body["status"].as_str()), (Some(true), Some("waiting")));
    assert_eq!(stack.get("/api/auth/visitor/status/", None).await.status, 401);

    // The super admin's directory shows the visitor as one; the super admin is none.
    let root = stack.login(ADMIN, ADMIN_PASSWORD).await.access;
    let users = stack.get("/api/users/?search=newbie", Some(&root)).await;
    assert_eq!(users.data()["items"][0]["role"], "visitor");
    let root_status = stack.get("/api/auth/visitor/status/", Some(&root)).await;
    assert_eq!(root_status.data().clone(), json!({"is_visitor": false, "status": "active"}));
    assert_eq!(stack.get("/api/auth/me/", Some(&root)).await.data()["role"], "super_admin");

    // Invited, the same token is a member's at once; removed, a visitor again.
    let (_, _) = stack.register_team_admin("alice", "Team A").await;
    let alice = stack.login("alice", PASSWORD).await.access;
    assert_eq!(stack.get("/api/auth/visitor/status/", Some(&alice)).await.data()["is_visitor"], false);
    invite(&stack, &alice, "newbie", "member").await;
    let joined = stack.get("/api/auth/visitor/status/", Some(&token)).await;
    assert_eq!(joined.data().clone(), json!({"is_visitor": false, "status": "active"}));
    let me = stack.get("/api/auth/me/", Some(&token)).await;
    assert_eq!((me.data()["role"].as_str(), me.data()["role_display"].as_str()), (Some("member"), Some("Team member")));
    let newbie_id = registered["id"].as_u64().unwrap();
    assert_eq!(stack.delete(&format!("/api/team/members/{newbie_id}/"), Some(&alice)).await.status, 200);
    assert_eq!(stack.get("/api/auth/me/", Some(&token)).await.data()["role"], "visitor");
    assert_eq!(stack.get("/api/auth/visitor/status/", Some(&token)).await.data()["status"], "waiting");
}

#[tokio::test]
async fn task_edits_send_the_whole_form_with_assignee_zero_for_none() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let path = format!("/api/tasks/{}/update/", world.task);
    let form = |assignee: Value| {
        json!({"title": "Design", "description": "the form", "status": "in_progress", "priority": "high",
               "assignee_id": assignee, "start_date": "2026-11-02T09:00:00", "end_date": "2026-11-20T18:00:00"})
    };

    // The assignee, who may not reassign, sends their own id: no change of assignee.
    let own = stack.patch(&path, Some(&world.bob.token), form(json!(world.bob.id))).await;
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_eq!(
        (own.data()["assignee_id"].as_u64(), own.data()["status"].as_str()),
        (Some(world.bob.id), Some("in_progress"))
    );
    let history = stack.get(&format!("/api/tasks/{}/history/", world.task), Some(&world.bob.token)).await;
    let fields: Vec<&str> =
        history.data()["histories"].as_array().unwrap().iter().map(|h| h["field_name"].as_str().unwrap()).collect();
    assert!(!fields.contains(&"assignee_id"), "{fields:?}");
    let away = stack.patch(&path, Some(&world.bob.token), form(json!(world.carol.id))).await;
    assert_eq!(away.status, 403, "a member still may not reassign");
    let unassign = stack.patch(&path, Some(&world.bob.token), form(json!(0))).await;
    assert_eq!(unassign.status, 403, "nor unassign");
    for (token, status) in [(&world.carol.token, 403), (&world.dave.token, 404), (&world.eve.token, 404)] {
        assert_eq!(stack.patch(&path, Some(token), form(json!(world.bob.id))).await.status, status);
    }
    assert_eq!(stack.patch(&path, None, form(json!(world.bob.id))).await.status, 401);

    // An admin's 0 unassigns.
    let cleared = stack.patch(&path, Some(&world.alice.token), form(json!(0))).await;
    assert_eq!(cleared.status, 200, "{:?}", cleared.body);
    assert_eq!((cleared.data()["assignee_id"].clone(), cleared.data()["assignee"].clone()), (Value::Null, Value::Null));
    // An unassigned task's form says 0: no change, for anyone who may edit it.
    let again = stack.patch(&path, Some(&world.carol.token), form(json!(0))).await;
    assert_eq!((again.status, again.data()["assignee_id"].clone()), (200, Value::Null), "{:?}", again.body);
    for bad in [json!(-1), json!("0"), json!(1.5), json!({})] {
        let refused = stack.patch(&path, Some(&world.alice.token), form(bad.clone())).await;
        assert_eq!(refused.status, 400, "{bad}");
        assert!(refused.field_errors().contains_key("assignee_id"), "{bad}: {:?}", refused.body);
    }

    // On create, 0 makes an unassigned main task; the field is still required.
    let create = format!("/api/tasks/project/{}/create/", world.project);
    let unassigned = stack.post(&create, Some(&world.alice.token), json!({"title": "Open", "assignee_id": 0})).await;
    assert_eq!(unassigned.status, 201, "{:?}", unassigned.body);
    assert_eq!(unassigned.data()["assignee"], Value::Null);
    let missing = stack.post(&create, Some(&world.alice.token), json!({"title": "Open"})).await;
    assert!(missing.status == 400 && missing.field_errors().contains_key("assignee_id"), "{:?}", missing.body);
    let outsider =
        stack.post(&create, Some(&world.alice.token), json!({"title": "x", "assignee_id": world.dave.id})).await;
    assert_eq!(outsider.status, 400);
    let by_member = stack.post(&create, Some(&world.bob.token), json!({"title": "x", "assignee_id": 0})).await;
    assert_eq!(by_member.status, 403);
}

#[tokio::test]
async fn attachments_of_types_the_client_does_not_know_are_judged_by_their_extension() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bob = &world.bob.token;
    let unknown = "application/octet-stream";
    let markdown = b"# Notes\n\nplain text\n";
    let rar = b"Rar!\x1A\x07\x01\x00 an archive";

    for (name, declared, bytes, kept) in [
        ("notes.md", unknown, &markdown[..], "text/markdown"),
        ("data.csv", unknown, &b"a,b\n1,2\n"[..], "text/csv"),
        ("old.rar", "application/x-rar-compressed", &rar[..], "application/vnd.rar"),
        ("photo.WEBP", unknown, &b"RIFF\x10\x00\x00\x00WEBPVP8 "[..], "image/webp"),
    ] {
        let ticket = upload_url(&stack, bob, world.task, name, declared, bytes.len()).await;
        assert_eq!(ticket.status, 200, "{name}: {:?}", ticket.body);
        assert_eq!(ticket.data()["headers"]["Content-Type"], declared, "the upload is signed for the declared type");
        let key = ticket.data()["file_key"].as_str().unwrap().to_owned();
        assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), declared, bytes).await, 200);
        let confirmed = confirm(&stack, bob, world.task, &key, name, declared, bytes.len()).await;
        assert_eq!(confirmed.status, 201, "{name}: {:?}", confirmed.body);
        assert_eq!(confirmed.data()["file_type"], kept);
        let download = reqwest::get(confirmed.data()["url"].as_str().unwrap()).await.unwrap();
        assert_eq!(download.headers()["content-type"], kept, "{name} is served as its extension's type");
        assert_eq!(download.bytes().await.unwrap().as_ref(), bytes);
    }

    // The bytes must be of the extension's type; a type the allowlist lacks, or a name that
    // says none, is refused (5002).
    let ticket = upload_url(&stack, bob, world.task, "photo.webp", unknown, PNG.len()).await;
    let key = ticket.data()["file_key"].as_str().unwrap().to_owned();
    assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), unknown, PNG).await, 200);
    let lying = confirm(&stack, bob, world.task, &key, "photo.webp", unknown, PNG.len()).await;
    assert_eq!(lying.status, 400, "{:?}", lying.body);
    assert!(!object_exists(&stack, &key).await, "the mismatching upload is removed");
    for (name, declared) in [
        ("movie.mp4", unknown),
        ("run.exe", unknown),
        ("README", unknown),
        ("report.pdf", "application/x-rar-compressed"),
    ] {
        let refused = upload_url(&stack, bob, world.task, name, declared, 10).await;
        assert_eq!((refused.status, refused.body["error_code"].as_u64()), (400, Some(5002)), "{name} as {declared}");
    }
    // Who may upload is unchanged.
    for (token, status) in [(&world.carol.token, 403), (&world.dave.token, 404), (&world.eve.token, 404)] {
        assert_eq!(upload_url(&stack, token, world.task, "notes.md", unknown, 10).await.status, status);
    }
}

#[tokio::test]
async fn a_profile_save_keeps_the_own_avatar_and_takes_an_external_https_one() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bob = &world.bob.token;
    let save = |token: String, avatar: Value| {
        let stack = &stack;
        async move {
            let me = stack.get("/api/auth/me/", Some(&token)).await;
            let body = json!({"username": me.data()["username"], "email": me.data()["email"], "avatar": avatar});
            stack.patch("/api/auth/me/update/", Some(&token), body).await
        }
    };

    let robohash = "https://robohash.org/xyz?set=set4";
    let saved = save(bob.clone(), json!(robohash)).await;
    assert_eq!((saved.status, saved.body["code"].as_u64()), (200, Some(200)), "{:?}", saved.body);
    assert_eq!(saved.data()["avatar"], robohash);
    let project = stack.get(&format!("/api/projects/{}/", world.project), Some(bob)).await;
    let on_project = project.data()["members"].as_array().unwrap().iter().find(|m| m["id"] == world.bob.id).cloned();
    assert_eq!(on_project.unwrap()["avatar"], robohash, "projects show it too");
    assert_eq!(save(bob.clone(), json!(robohash)).await.data()["avatar"], robohash, "sent back: no change");

    // The server's own link (http:// here) sent back unchanged is no change; someone else's is refused.
    let uploaded = multipart_avatar(&stack, bob, "me.png", "application/octet-stream", PNG).await;
    assert_eq!(uploaded.status, 200, "an image the client could not type is judged by its name: {:?}", uploaded.body);
    let own = uploaded.data()["avatar"].as_str().unwrap().to_owned();
    assert!(own.starts_with("http://127.0.0.1"), "{own}");
    let resent = save(bob.clone(), json!(own)).await;
    assert_eq!((resent.status, resent.data()["avatar"].as_str()), (200, Some(own.as_str())), "{:?}", resent.body);
    let borrowed = save(world.carol.token.clone(), json!(own)).await;
    assert_eq!(borrowed.status, 400);
    assert!(borrowed.field_errors().contains_key("avatar"));

    let long = format!("https://example.com/{}", "a".repeat(600));
    for bad in [
        json!("http://robohash.org/xyz"),
        json!("javascript:alert(1)"),
        json!("garbage"),
        json!(""),
        json!(long),
        json!(42),
    ] {
        let refused = save(bob.clone(), bad.clone()).await;
        assert_eq!(refused.status, 400, "{bad}: {:?}", refused.body);
        assert!(refused.field_errors().contains_key("avatar"), "{bad}: {:?}", refused.body);
    }
    assert_eq!(stack.get("/api/auth/me/", Some(bob)).await.data()["avatar"], own.as_str(), "nothing refused was kept");
    assert_eq!(stack.patch("/api/auth/me/update/", None, json!({"avatar": robohash})).await.status, 401);

    // Avatars up to 5 MiB, as the client allows.
    let mut image = PNG.to_vec();
    image.resize(5 * 1024 * 1024, 0);
    let largest = multipart_avatar(&stack, bob, "big.png", "image/png", &image).await;
    assert_eq!(largest.status, 200, "{:?}", largest.body);
    image.push(0);
    let too_big = multipart_avatar(&stack, bob, "big.png", "image/png", &image).await;
    assert_eq!((too_big.status, too_big.body["error_code"].as_u64()), (400, Some(5003)));
    let ticket = json!({"file_name": "big.png", "file_type": "image/png", "file_size": 5 * 1024 * 1024});
    assert_eq!(stack.post("/api/auth/me/avatar/upload-url/", Some(bob), ticket).await.status, 200);
}

#[tokio::test]
async fn invite_and_role_change_answer_the_member_as_the_list_shows_them() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    stack.register("newbie", json!({})).await;
    let listed = |name: &'static str| {
        let stack = &stack;
        let token = world.alice.token.clone();
        async move {
            let list = stack.get(&format!("/api/team/members/?search={name}"), Some(&token)).await;
            list.data()["items"][0].clone()
        }
    };
    let member_keys = ["id", "username", "email", "role", "role_display", "avatar", "task_count", "created_at"];

    let refused = stack.post("/api/team/invite/", Some(&world.bob.token), json!({"username": "newbie"})).await;
    assert_eq!(refused.status, 403);
    let invited = stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "newbie"})).await;
    assert_eq!(invited.status, 200, "{:?}", invited.body);
    let row = listed("newbie").await;
    for key in member_keys {
        assert!(invited.data().get(key).is_some(), "invite answers {key}");
        assert_eq!(invited.data()[key], row[key], "invite answers {key} as the list does");
    }
    assert_eq!((invited.data()["role"].as_str(), invited.data()["task_count"].as_u64()), (Some("member"), Some(0)));
    assert_eq!(invited.data()["user_id"], row["id"]);
    assert!(invited.data()["invited_at"].is_string());

    let path = format!("/api/team/members/{}/role/", world.bob.id);
    assert_eq!(stack.patch(&path, Some(&world.carol.token), json!({"role": "team_admin"})).await.status, 403);
    assert_eq!(stack.patch(&path, Some(&world.eve.token), json!({"role": "team_admin"})).await.status, 404);
    let promoted = stack.patch(&path, Some(&world.alice.token), json!({"role": "team_admin"})).await;
    assert_eq!(promoted.status, 200, "{:?}", promoted.body);
    let row = listed("bob").await;
    for key in member_keys {
        assert!(promoted.data().get(key).is_some(), "the role change answers {key}");
        assert_eq!(promoted.data()[key], row[key], "the role change answers {key} as the list does");
    }
    assert_eq!(
        (promoted.data()["role_display"].as_str(), promoted.data()["task_count"].as_u64()),
        (Some("Team admin"), Some(1))
    );
    assert_eq!(promoted.data()["user_id"], world.bob.id);
    assert!(promoted.data()["updated_at"].is_string());
    let unchanged = stack.patch(&path, Some(&world.alice.token), json!({"role": "team_admin"})).await;
    assert_eq!((unchanged.status, unchanged.data()["task_count"].as_u64()), (200, Some(1)));
}

#[tokio::test]
async fn task_views_name_the_creator_and_list_subtasks_twice() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let child = world.create_subtask(&stack, &world.bob.token, world.task, "Child").await;
    assert_eq!((child["created_by_id"].as_u64(), child["created_by_name"].as_str()), (Some(world.bob.id), Some("bob")));

    let detail = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.bob.token)).await;
    assert_eq!(detail.data()["created_by_id"], world.alice.id, "alice made it, though she is not on the project");
    assert_eq!(detail.data()["created_by"], world.alice.id);
    assert_eq!(detail.data()["created_by_name"], "alice");

    let tree = stack.get(&format!("/api/tasks/project/{}/?view=tree", world.project), Some(&world.bob.token)).await;
    let root = &tree.data()["items"][0];
    assert_eq!(root["subtasks"], root["children"]);
    assert_eq!(root["children"][0]["id"], child["id"]);
    assert_eq!(root["children"][0]["subtasks"], json!([]));
    let flat = stack.get(&format!("/api/projects/{}/tasks/?view=flat", world.project), Some(&world.bob.token)).await;
    assert!(flat.data()["items"][0].get("subtasks").is_none(), "no children, no subtasks");

    // Redacted, nothing of the creator; the tree still lists its children under both names.
    let hidden = stack.get(&format!("/api/projects/{}/tasks/", world.project), Some(&world.carol.token)).await;
    let item = &hidden.data()["items"][0];
    let expected: BTreeSet<String> = [
        "id",
        "project_id",
        "parent_id",
        "level",
        "title",
        "status",
        "assignee",
        "can_view",
        "message",
        "children",
        "subtasks",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(keys(item), expected);
    assert_eq!(item["subtasks"], item["children"]);
    assert!(!hidden.body.to_string().contains("created_by"), "{}", hidden.body);

    // Members' names follow their renames; history names who changed what.
    let renamed = stack.patch("/api/auth/me/", Some(&world.bob.token), json!({"username": "bobby"})).await;
    assert_eq!(renamed.status, 200);
    let child_now = stack.get(&format!("/api/tasks/{}/", child["id"]), Some(&world.bob.token)).await;
    assert_eq!(child_now.data()["created_by_name"], "bobby");
    let edit = json!({"title": "Design v2"});
    assert_eq!(stack.patch(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token), edit).await.status, 200);
    let history = stack.get(&format!("/api/tasks/{}/history/", world.task), Some(&world.bob.token)).await;
    let entry = &history.data()["histories"][0];
    assert_eq!(entry["changed_by"], json!({"id": world.alice.id, "username": "alice"}));
    assert_eq!(entry["changed_by_name"], "alice");
    assert_eq!(entry["task_id"], world.task, "each entry names its task, where the client reads it");
}

#[tokio::test]
async fn tasks_stored_before_creator_names_were_kept_still_name_one() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    // As such tasks are stored: without `created_by_name`.
    let stored = |id: u64, title: &str, created_by: u64| TaskRecord {
        id,
        project_id: world.project,
        level: 1,
        title: title.to_owned(),
        status: Status::Planning,
        assignee_id: Some(world.bob.id),
        created_by,
        created_at: jiff::Timestamp::now(),
        updated_at: jiff::Timestamp::now(),
        version: 1,
        ..TaskRecord::default()
    };
    let items = vec![
        item_of(&stored(90_001, "By the project's creator", world.alice.id)).unwrap(),
        item_of(&stored(90_002, "By a member", world.carol.id)).unwrap(),
        item_of(&stored(90_003, "By the super admin", world.root.id)).unwrap(),
    ];
    assert!(!items[0].contains_key("created_by_name"));
    stack.ctx.db.put_all(items).await.unwrap();

    let list = stack.get(&format!("/api/projects/{}/tasks/?view=flat", world.project), Some(&world.bob.token)).await;
    let name_of = |id: u64| {
        let items = list.data()["items"].as_array().unwrap();
        items.iter().find(|t| t["id"] == id).unwrap()["created_by_name"].as_str().unwrap().to_owned()
    };
    assert_eq!(name_of(90_001), "alice", "the project's creator");
    assert_eq!(name_of(90_002), "carol", "a member of the project");
    assert_eq!(name_of(90_003), world.root.id.to_string(), "nobody the project knows: the id");
}

#[tokio::test]
async fn the_calls_its_screens_do_not_reach_yet_work_for_whom_they_should() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let attachment = attach(&stack, &world.bob.token, world.task, "spec.pdf").await;

    // The project's task counts under the tasks path.
    let path = format!("/api/tasks/project/{}/progress/", world.project);
    let counts = stack.get(&path, Some(&world.bob.token)).await;
    assert_eq!(counts.status, 200, "{:?}", counts.body);
    let same = stack.get(&format!("/api/projects/{}/tasks/progress/", world.project), Some(&world.bob.token)).await;
    assert_eq!(counts.data(), same.data());
    assert_eq!(counts.data()["total"], 1);
    for (token, status) in
        [(Some(&world.alice.token), 200), (Some(&world.dave.token), 404), (Some(&world.eve.token), 404)]
    {
        assert_eq!(stack.get(&path, token.map(String::as_str)).await.status, status);
    }
    assert_eq!(stack.get(&path, None).await.status, 401);
    assert_eq!(stack.get("/api/tasks/project/999999/progress/", Some(&world.alice.token)).await.status, 404);

    // A task's attachments as a list: for those who see the task in full.
    let list = format!("/api/files/tasks/{}/attachments/", world.task);
    for token in [&world.bob.token, &world.alice.token, &world.root.token] {
        let listed = stack.get(&list, Some(token)).await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        let items = listed.data().as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0]["id"].clone(), items[0]["file_name"].as_str()),
            (attachment["id"].clone(), Some("spec.pdf"))
        );
        assert!(items[0]["url"].as_str().unwrap().starts_with("http"));
    }
    let hidden = stack.get(&list, Some(&world.carol.token)).await;
    assert_eq!((hidden.status, hidden.body["error_code"].as_u64()), (403, Some(3004)));
    assert!(!hidden.body.to_string().contains("spec.pdf"));
    for token in [&world.dave.token, &world.eve.token] {
        assert_eq!(stack.get(&list, Some(token)).await.status, 404);
    }
    assert_eq!(stack.get(&list, None).await.status, 401);
    let empty = world.create_task(&stack, world.project, "Bare", world.bob.id).await;
    let none = stack.get(&format!("/api/files/tasks/{empty}/attachments/"), Some(&world.bob.token)).await;
    assert_eq!((none.status, none.data().clone()), (200, json!([])));
    for missing in ["999999", "abc", "0"] {
        let answer = stack.get(&format!("/api/files/tasks/{missing}/attachments/"), Some(&world.alice.token)).await;
        assert_eq!(answer.status, 404, "{missing}");
    }
}
