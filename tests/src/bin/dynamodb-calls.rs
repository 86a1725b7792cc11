//! Benchmark (not a test): for every route of every HTTP function, the DynamoDB calls one
//! request makes, how many sequential round trips they take and how many items they read,
//! the session check included. Run with `make bench`.
//!
//! The routes come from the functions' own tables (`functions::FUNCTIONS`), so a new route
//! without a case here stops the benchmark. Counts come from an SDK interceptor on the
//! functions' own client, against the local emulator; they are what production would make,
//! as the code is the same. A round trip is one link of the longest chain of calls each of
//! which waited for the one before it.

use functions::{FUNCTIONS, Kind};
use reqwest::Method;
use serde_json::{Value, json};
use teamsync_local::calls::CallRecorder;
use teamsync_tests::files::{self, PDF, PNG};
use teamsync_tests::world::World;
use teamsync_tests::{PASSWORD, Stack};

struct Row {
    route: String,
    caller: &'static str,
    status: u16,
    calls: usize,
    round_trips: usize,
    items_read: usize,
    operations: String,
}

/// One request of a route, as some caller makes it.
struct Case {
    path: String,
    body: Body,
    caller: &'static str,
    token: Option<String>,
}

enum Body {
    None,
    Json(Value),
    /// The client's multipart avatar upload.
    Avatar,
}

/// What the cases act on, made before any is measured. Routes that consume what they act
/// on (a delete, a confirm, a logout) have one of their own per route that reaches them.
struct Fixtures {
    world: World,
    sub: u64,
    free: u64,
    leaves: Vec<u64>,
    archived: Vec<u64>,
    to_archive: u64,
    linked: u64,
    uploads: Vec<String>,
    avatar_key: String,
    attachment: u64,
    attachments_to_delete: Vec<u64>,
    notifications: Vec<u64>,
    refresh: String,
    logout: String,
    removable: u64,
    avatar_link: String,
}

#[tokio::main]
async fn main() {
    let recorder = CallRecorder::default();
    let stack = Stack::recorded(recorder.clone()).await;
    let mut fixtures = Fixtures::make(&stack).await;
    let mut rows = Vec::new();
    for function in FUNCTIONS {
        let Kind::Http(routes) = function.kind else { continue };
        for (method, pattern) in routes().list() {
            let case = fixtures.case(method, pattern);
            recorder.take();
            let request = stack.request(method.clone(), &case.path, case.token.as_deref());
            let request = match case.body {
                Body::None => request,
                Body::Json(body) => request.json(&body),
                Body::Avatar => request.multipart(reqwest::multipart::Form::new().part(
                    "avatar",
                    reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("me.png").mime_str("image/png").unwrap(),
                )),
            };
            let answer = stack.send(request).await;
            let calls = recorder.take();
            rows.push(Row {
                route: format!("{method} {pattern}"),
                caller: case.caller,
                status: answer.status,
                calls: calls.len(),
                round_trips: CallRecorder::round_trips(&calls),
                items_read: calls.iter().map(|c| c.items_read).sum(),
                operations: calls.iter().map(|c| c.operation.as_str()).collect::<Vec<_>>().join(" "),
            });
        }
    }
    println!("DynamoDB calls per request, every route of every HTTP function (the session's item rides with the");
    println!("route's first point read, or is one GetItem beside a first query; round trips count sequential");
    println!("waits; writes also publish one event to the bus; the notifier's own calls that follow are not counted)");
    println!(
        "{:<50} {:<12} {:>6} {:>5} {:>11} {:>5}  operations",
        "route", "caller", "status", "calls", "round trips", "items"
    );
    for row in &rows {
        println!(
            "{:<50} {:<12} {:>6} {:>5} {:>11} {:>5}  {}",
            row.route, row.caller, row.status, row.calls, row.round_trips, row.items_read, row.operations
        );
    }
    let reads = rows.iter().filter(|r| r.route.starts_with("GET ")).map(|r| r.round_trips).max().unwrap_or(0);
    let writes = rows.iter().filter(|r| !r.route.starts_with("GET ")).map(|r| r.round_trips).max().unwrap_or(0);
    println!("most round trips: {reads} for a read, {writes} for a write");
}

impl Fixtures {
    async fn make(stack: &Stack) -> Fixtures {
        let world = World::build(stack).await;
        let alice = world.alice.token.clone();
        let sub = world.create_subtask(stack, &world.bob.token, world.task, "Sub").await["id"].as_u64().unwrap();
        let unassigned = stack
            .post("/api/tasks/create-unassigned/", Some(&alice), json!({"project_id": world.project, "title": "Free"}))
            .await;
        let free = unassigned.data()["id"].as_u64().unwrap();
        let mut leaves = Vec::new();
        for title in ["Leaf 1", "Leaf 2"] {
            leaves.push(world.create_task(stack, world.project, title, world.bob.id).await);
        }
        let mut archived = Vec::new();
        for title in ["Old 1", "Old 2"] {
            let project = world.create_project(stack, title).await;
            stack.patch(&format!("/api/projects/{project}/archive/"), Some(&alice), json!(null)).await;
            archived.push(project);
        }
        let to_archive = world.create_project(stack, "Archive me").await;
        let linked = world.create_task(stack, world.project, "Linked", world.bob.id).await;
        let link = json!({"depends_on": world.task});
        stack.post(&format!("/api/tasks/{linked}/dependencies/"), Some(&alice), link).await;

        let mut uploads = Vec::new();
        for name in ["one.pdf", "two.pdf"] {
            let ticket =
                files::upload_url(stack, &world.bob.token, world.task, name, "application/pdf", PDF.len()).await;
            assert_eq!(files::put(ticket.data()["upload_url"].as_str().unwrap(), "application/pdf", PDF).await, 200);
            uploads.push(ticket.data()["file_key"].as_str().unwrap().to_owned());
        }
        let avatar_key = files::upload_avatar(stack, &world.bob.token, "me.png", "image/png", PNG).await;
        let attachment = files::attach(stack, &world.bob.token, world.task, "kept.pdf").await["id"].as_u64().unwrap();
        let mut attachments_to_delete = Vec::new();
        for name in ["gone 1.pdf", "gone 2.pdf"] {
            attachments_to_delete
                .push(files::attach(stack, &world.bob.token, world.task, name).await["id"].as_u64().unwrap());
        }
        // Bob hears of the tasks alice gave him: notices to read and delete.
        let listed = stack.get("/api/notifications/", Some(&world.bob.token)).await;
        let notifications: Vec<u64> =
            listed.data()["items"].as_array().into_iter().flatten().filter_map(|n| n["id"].as_u64()).collect();
        assert!(notifications.len() >= 2, "bob has notices: {:?}", listed.body);

        let refresh = stack.login("carol", PASSWORD).await.refresh;
        let logout = stack.login("carol", PASSWORD).await.access;
        let removable = stack.register("leaver", json!({})).await["id"].as_u64().unwrap();
        teamsync_tests::world::invite(stack, &alice, "leaver", "member").await;
        stack.register("newbie", json!({})).await;
        let carol_avatar = files::upload_avatar(stack, &world.carol.token, "carol.png", "image/png", PNG).await;
        let me = stack.post("/api/auth/me/avatar/", Some(&world.carol.token), json!({"file_key": carol_avatar})).await;
        let avatar_link = me.data()["avatar"].as_str().unwrap_or_default().to_owned();
        assert!(avatar_link.contains("/api/files/avatars/"), "an avatar link: {:?}", me.body);
        Fixtures {
            world,
            sub,
            free,
            leaves,
            archived,
            to_archive,
            linked,
            uploads,
            avatar_key,
            attachment,
            attachments_to_delete,
            notifications,
            refresh,
            logout,
            removable,
            avatar_link,
        }
    }

    /// The request this benchmark makes of a route.
    fn case(&mut self, method: &Method, pattern: &str) -> Case {
        let w = &self.world;
        let (p, t) = (w.project, w.task);
        let (admin, member, root) =
            (Some(w.alice.token.clone()), Some(w.bob.token.clone()), Some(w.root.token.clone()));
        let carol = Some(w.carol.token.clone());
        let case =
            |path: String, body: Body, caller: &'static str, token: Option<String>| Case { path, body, caller, token };
        let json = Body::Json;
        match (method.as_str(), pattern) {
            // identity
            ("GET", "/api/health") => case("/api/health/".into(), Body::None, "anyone", None),
            ("GET", "/.well-known/jwks.json") => case(pattern.into(), Body::None, "anyone", None),
            ("POST", "/api/auth/register") => case(
                "/api/auth/register/".into(),
                json(json!({"username": "joiner", "password": PASSWORD, "email": "joiner@example.com"})),
                "anyone",
                None,
            ),
            ("POST", "/api/auth/login") => {
                case("/api/auth/login/".into(), json(json!({"username": "bob", "password": PASSWORD})), "anyone", None)
            }
            ("POST", "/api/auth/refresh") => {
                case("/api/auth/refresh/".into(), json(json!({"refresh_token": self.refresh})), "anyone", None)
            }
            ("POST", "/api/auth/logout") => {
                case("/api/auth/logout/".into(), json(json!({})), "member", Some(self.logout.clone()))
            }
            ("GET", "/api/auth/me") => case("/api/auth/me/".into(), Body::None, "member", member),
            ("GET", "/api/auth/visitor/status") => {
                case("/api/auth/visitor/status/".into(), Body::None, "member", member)
            }
            ("PATCH" | "PUT", "/api/auth/me" | "/api/auth/me/update") => {
                // Each alias changes something, so that each writes.
                case(
                    format!("{pattern}/"),
                    json(json!({"nickname": format!("Bob {method} {}", pattern.len())})),
                    "member",
                    member,
                )
            }
            ("POST", "/api/auth/me/password") => case(
                "/api/auth/me/password/".into(),
                json(json!({"old_password": PASSWORD, "new_password": "password-456"})),
                "member",
                carol,
            ),
            ("POST", "/api/auth/me/avatar/upload-url") => case(
                "/api/auth/me/avatar/upload-url/".into(),
                json(json!({"file_name": "me.png", "file_type": "image/png", "file_size": PNG.len()})),
                "member",
                member,
            ),
            ("POST", "/api/auth/me/avatar") => {
                case("/api/auth/me/avatar/".into(), json(json!({"file_key": self.avatar_key})), "member", member)
            }
            ("POST", "/api/auth/me/avatar/upload") => {
                case("/api/auth/me/avatar/upload/".into(), Body::Avatar, "member", member)
            }
            ("GET", "/api/users") => case("/api/users/".into(), Body::None, "member", member),
            ("GET", "/api/users/{username}") => case("/api/users/carol/".into(), Body::None, "member", member),
            // files
            ("POST", "/api/tasks/{id}/attachments/upload-url" | "/api/files/tasks/{id}/upload-url") => case(
                pattern.replace("{id}", &t.to_string()) + "/",
                json(json!({"file_name": "a.pdf", "file_type": "application/pdf", "file_size": PDF.len()})),
                "assignee",
                member,
            ),
            ("POST", "/api/tasks/{id}/attachments" | "/api/files/tasks/{id}/attachments") => {
                let key = self.uploads.pop().expect("an upload per confirm route");
                let body = json!({"file_key": key, "file_name": "a.pdf", "file_type": "application/pdf", "file_size": PDF.len()});
                case(pattern.replace("{id}", &t.to_string()) + "/", json(body), "assignee", member)
            }
            ("GET", "/api/files/tasks/{id}/attachments") => {
                case(format!("/api/files/tasks/{t}/attachments/"), Body::None, "assignee", member)
            }
            ("GET", "/api/attachments/{id}/download-url" | "/api/files/attachments/{id}/download-url") => {
                case(pattern.replace("{id}", &self.attachment.to_string()) + "/", Body::None, "assignee", member)
            }
            ("DELETE", "/api/attachments/{id}" | "/api/files/attachments/{id}") => {
                let id = self.attachments_to_delete.pop().expect("an attachment per delete route");
                case(pattern.replace("{id}", &id.to_string()) + "/", Body::None, "assignee", member)
            }
            ("GET", "/api/files/avatars/{user}/{file}/{name}") => {
                let path = self.avatar_link.split_once("/api/").map(|(_, rest)| format!("/api/{rest}"));
                case(path.expect("an avatar link"), Body::None, "anyone", None)
            }
            // notifications
            ("GET", "/api/notifications") => case("/api/notifications/".into(), Body::None, "member", member),
            ("PATCH", "/api/notifications/{id}/read") => {
                case(format!("/api/notifications/{}/read/", self.notifications[0]), json(json!({})), "member", member)
            }
            ("PATCH", "/api/notifications/read-all") => {
                case("/api/notifications/read-all/".into(), json(json!({})), "member", member)
            }
            ("DELETE", "/api/notifications/{id}") => {
                case(format!("/api/notifications/{}/", self.notifications[1]), Body::None, "member", member)
            }
            // projects
            ("GET", "/api/projects") => case("/api/projects/".into(), Body::None, "member", member),
            ("POST", "/api/projects") => case(
                "/api/projects/".into(),
                json(json!({"title": "New", "member_ids": [w.bob.id, w.carol.id]})),
                "team admin",
                admin,
            ),
            ("GET", "/api/projects/{id}") => case(format!("/api/projects/{p}/"), Body::None, "member", member),
            ("PATCH", "/api/projects/{id}" | "/api/projects/{id}/update") => case(
                pattern.replace("{id}", &p.to_string()) + "/",
                json(json!({"description": format!("Now {}", pattern.len())})),
                "team admin",
                admin,
            ),
            ("PATCH", "/api/projects/{id}/archive") => {
                case(format!("/api/projects/{}/archive/", self.to_archive), json(json!({})), "team admin", admin)
            }
            ("DELETE", "/api/projects/{id}" | "/api/projects/{id}/delete") => {
                let id = self.archived.pop().expect("an archived project per delete route");
                case(pattern.replace("{id}", &id.to_string()) + "/", Body::None, "super admin", root)
            }
            ("GET", "/api/projects/{id}/progress") => {
                case(format!("/api/projects/{p}/progress/"), Body::None, "team admin", admin)
            }
            ("GET", "/api/projects/{id}/tasks/progress" | "/api/tasks/project/{id}/progress") => {
                case(pattern.replace("{id}", &p.to_string()) + "/", Body::None, "member", member)
            }
            ("PUT", "/api/projects/{id}/members") => case(
                format!("/api/projects/{p}/members/"),
                json(json!({"member_ids": [w.bob.id, w.carol.id]})),
                "team admin",
                admin,
            ),
            // tasks
            ("GET", "/api/projects/{id}/tasks" | "/api/tasks/project/{id}") => {
                case(pattern.replace("{id}", &p.to_string()) + "/", Body::None, "member", carol)
            }
            ("POST", "/api/projects/{id}/tasks" | "/api/tasks/project/{id}/create") => case(
                pattern.replace("{id}", &p.to_string()) + "/",
                json(json!({"title": "x", "assignee_id": w.bob.id})),
                "team admin",
                admin,
            ),
            ("POST", "/api/tasks/create-unassigned") => {
                case(pattern.to_owned() + "/", json(json!({"project_id": p, "title": "y"})), "team admin", admin)
            }
            ("POST", "/api/tasks/{id}/subtasks") => {
                case(format!("/api/tasks/{t}/subtasks/"), json(json!({"title": "z"})), "assignee", member)
            }
            ("GET", "/api/tasks/{id}") => case(format!("/api/tasks/{}/", self.sub), Body::None, "assignee", member),
            ("PATCH", "/api/tasks/{id}" | "/api/tasks/{id}/update") => case(
                pattern.replace("{id}", &t.to_string()) + "/",
                json(json!({"title": format!("Design {}", pattern.len())})),
                "assignee",
                member,
            ),
            ("PATCH", "/api/tasks/{id}/status") => {
                case(format!("/api/tasks/{t}/status/"), json(json!({"status": "in_progress"})), "assignee", member)
            }
            ("DELETE", "/api/tasks/{id}" | "/api/tasks/{id}/delete") => {
                let id = self.leaves.pop().expect("a leaf task per delete route");
                case(pattern.replace("{id}", &id.to_string()) + "/", Body::None, "super admin", root)
            }
            ("GET", "/api/tasks/{id}/history") => {
                case(format!("/api/tasks/{t}/history/"), Body::None, "team admin", admin)
            }
            ("POST", "/api/tasks/{id}/claim") => {
                case(format!("/api/tasks/{}/claim/", self.free), json(json!({})), "member", carol)
            }
            ("POST", "/api/tasks/{id}/dependencies") => case(
                format!("/api/tasks/{}/dependencies/", self.sub),
                json(json!({"depends_on": self.free})),
                "team admin",
                admin,
            ),
            ("DELETE", "/api/tasks/{id}/dependencies/{other}") => {
                case(format!("/api/tasks/{}/dependencies/{t}/", self.linked), Body::None, "team admin", admin)
            }
            // team
            ("GET", "/api/team") => case("/api/team/".into(), Body::None, "member", member),
            ("PATCH", "/api/team") => case("/api/team/".into(), json(json!({"name": "Team A!"})), "team admin", admin),
            ("GET", "/api/team/members") => case("/api/team/members/".into(), Body::None, "member", member),
            ("POST", "/api/team/invite") => {
                case("/api/team/invite/".into(), json(json!({"username": "newbie"})), "team admin", admin)
            }
            ("PATCH", "/api/team/members/{id}/role") => case(
                format!("/api/team/members/{}/role/", w.carol.id),
                json(json!({"role": "team_admin"})),
                "team admin",
                admin,
            ),
            ("DELETE", "/api/team/members/{id}") => {
                case(format!("/api/team/members/{}/", self.removable), Body::None, "team admin", admin)
            }
            ("GET", "/api/team/check-user") => {
                case("/api/team/check-user/?username=newbie".into(), Body::None, "team admin", admin)
            }
            // views
            ("GET", "/api/projects/{id}/kanban" | "/api/projects/{id}/gantt" | "/api/projects/{id}/calendar") => {
                case(pattern.replace("{id}", &p.to_string()) + "/", Body::None, "member", member)
            }
            ("GET", "/api/tasks/list" | "/api/tasks/kanban" | "/api/tasks/gantt" | "/api/tasks/calendar") => {
                case(pattern.to_owned() + "/", Body::None, "member", member)
            }
            ("GET", "/api/dashboard/member") => case("/api/dashboard/member/".into(), Body::None, "member", member),
            ("GET", "/api/dashboard/admin") => case("/api/dashboard/admin/".into(), Body::None, "team admin", admin),
            (method, pattern) => panic!("no benchmark case for {method} {pattern}: add one to dynamodb-calls.rs"),
        }
    }
}
