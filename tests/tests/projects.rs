//! Projects: creation rules, archive and delete, members, progress, the list.

use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

async fn create(stack: &Stack, token: &str, body: Value) -> teamsync_tests::Answer {
    stack.post("/api/projects/", Some(token), body).await
}

#[tokio::test]
async fn creation_checks_its_input_and_its_team() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let alice = world.alice.token.as_str();

    let invalid = create(
        &stack,
        alice,
        json!({"title": "x".repeat(101), "status": "done", "start_date": "2026-13-01", "member_ids": ["2"]}),
    )
    .await;
    assert_eq!(invalid.status, 400);
    let errors = invalid.field_errors();
    for field in ["title", "status", "start_date", "member_ids"] {
        assert!(errors.contains_key(field), "{field}: {errors:?}");
    }
    let backwards = create(
        &stack,
        alice,
        json!({"title": "T", "start_date": "2026-03-01", "end_date": "2026-02-01", "member_ids": [world.bob.id]}),
    )
    .await;
    assert!(backwards.field_errors().contains_key("end_date"));
    let nobody = create(&stack, alice, json!({"title": "T", "member_ids": []})).await;
    assert_eq!((nobody.status, nobody.body["error_code"].as_u64()), (422, Some(2003)));
    let stranger = create(&stack, alice, json!({"title": "T", "member_ids": [world.bob.id, world.eve.id]})).await;
    assert_eq!(stranger.status, 400);
    assert!(stranger.field_errors()["member_ids"].contains(&world.eve.id.to_string()));

    let root_without_team =
        create(&stack, &world.root.token, json!({"title": "T", "member_ids": [world.bob.id]})).await;
    assert!(root_without_team.field_errors().contains_key("team_id"));
    let root =
        create(&stack, &world.root.token, json!({"title": "T", "member_ids": [world.bob.id], "team_id": world.team_a}))
            .await;
    assert_eq!(root.status, 201);
    assert_eq!(root.data()["created_by"]["id"], world.root.id);

    // A team admin may put themself on the project.
    let with_self =
        create(&stack, alice, json!({"title": "Mine too", "member_ids": [world.alice.id, world.bob.id]})).await;
    assert_eq!(with_self.status, 201, "{}", with_self.body);
    assert_eq!(with_self.data()["member_count"], 2);

    // The client's shape: dates as yyyy-MM-dd or null, and every field it reads.
    let made = create(&stack, alice, json!({"title": "Client", "description": "d", "status": "in_progress", "start_date": "2026-02-15", "end_date": null, "member_ids": [world.bob.id]})).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.headers["etag"], "\"1\"");
    let data = made.data();
    for field in [
        "id",
        "title",
        "description",
        "status",
        "progress",
        "completed_tasks",
        "total_tasks",
        "member_count",
        "start_date",
        "end_date",
        "overdue_task_count",
        "members",
        "created_by",
        "is_archived",
        "archived_at",
        "task_stats",
    ] {
        assert!(data.get(field).is_some(), "project has {field}");
    }
    assert_eq!((data["start_date"].as_str(), data["end_date"].is_null()), (Some("2026-02-15"), true));
}

#[tokio::test]
async fn an_archived_project_is_read_only_and_only_then_deletable() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (p, t) = (world.project, world.task);
    let alice = Some(world.alice.token.as_str());
    let early = stack.delete(&format!("/api/projects/{p}/delete/"), Some(&world.root.token)).await;
    assert_eq!(early.status, 422, "an unarchived project is not deleted");
    let subtask = world.create_subtask(&stack, &world.bob.token, t, "Child").await;

    let archived = stack.patch(&format!("/api/projects/{p}/archive/"), alice, json!(null)).await;
    assert_eq!(archived.status, 200);
    assert_eq!(archived.data()["is_archived"], true);
    assert!(archived.data()["archived_at"].is_string());
    for (what, answer) in [
        ("project update", stack.patch(&format!("/api/projects/{p}/"), alice, json!({"title": "New"})).await),
        (
            "task create",
            stack
                .post(&format!("/api/projects/{p}/tasks/"), alice, json!({"title": "x", "assignee_id": world.bob.id}))
                .await,
        ),
        ("task update", stack.patch(&format!("/api/tasks/{t}/"), alice, json!({"title": "x"})).await),
        (
            "subtask",
            stack.post(&format!("/api/tasks/{t}/subtasks/"), Some(&world.bob.token), json!({"title": "x"})).await,
        ),
        (
            "members",
            stack.put(&format!("/api/projects/{p}/members/"), alice, json!({"member_ids": [world.bob.id]})).await,
        ),
    ] {
        assert_eq!(answer.status, 422, "{what}: {}", answer.body);
    }
    assert_eq!(stack.get(&format!("/api/tasks/{t}/"), Some(&world.bob.token)).await.data()["can_edit"], false);
    let listed = stack.get("/api/projects/?is_archived=true", alice).await;
    assert_eq!(listed.data()["items"][0]["id"], p);
    assert!(
        stack.get("/api/projects/", alice).await.data()["items"].as_array().unwrap().is_empty(),
        "archived projects are not listed by default"
    );

    let deleted = stack.delete(&format!("/api/projects/{p}/delete/"), Some(&world.root.token)).await;
    assert_eq!((deleted.status, deleted.body["code"].as_u64()), (200, Some(204)));
    assert_eq!(stack.get(&format!("/api/projects/{p}/"), Some(&world.root.token)).await.status, 404);
    for task in [t, subtask["id"].as_u64().unwrap()] {
        let gone = stack.get(&format!("/api/tasks/{task}/"), Some(&world.root.token)).await;
        assert_eq!((gone.status, gone.body["error_code"].as_u64()), (404, Some(3001)));
    }
    assert!(stack.get("/api/projects/?is_archived=true", alice).await.data()["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn members_with_open_tasks_stay_until_their_tasks_are_done() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let path = format!("/api/projects/{}/members/", world.project);
    let alice = Some(world.alice.token.as_str());
    let blocked = stack.put(&path, alice, json!({"member_ids": [world.carol.id]})).await;
    assert_eq!(blocked.status, 422);
    assert!(blocked.body["message"].as_str().unwrap().contains(&world.task.to_string()), "{}", blocked.body);

    let done = stack
        .patch(&format!("/api/tasks/{}/status/", world.task), Some(&world.bob.token), json!({"status": "completed"}))
        .await;
    assert_eq!(done.status, 200);
    let swapped = stack.put(&path, alice, json!({"member_ids": [world.carol.id, world.dave.id]})).await;
    assert_eq!(swapped.status, 200, "{}", swapped.body);
    let members: Vec<u64> =
        swapped.data()["members"].as_array().unwrap().iter().map(|m| m["id"].as_u64().unwrap()).collect();
    assert_eq!(members, vec![world.carol.id, world.dave.id]);
    // Bob is off the project; his finished task still shows who did it.
    assert_eq!(stack.get(&format!("/api/projects/{}/", world.project), Some(&world.bob.token)).await.status, 404);
    let task = stack.get(&format!("/api/tasks/{}/", world.task), alice).await;
    assert_eq!(task.data()["assignee"]["username"], "bob");
    // Dave now sees the project in his list.
    let list = stack.get("/api/projects/", Some(&world.dave.token)).await;
    assert_eq!(list.data()["items"][0]["id"], world.project);
    let empty = stack.put(&path, alice, json!({"member_ids": []})).await;
    assert_eq!((empty.status, empty.body["error_code"].as_u64()), (422, Some(2003)));
}

#[tokio::test]
async fn progress_and_overdue_follow_the_task_tree() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (p, bob) = (world.project, world.bob.token.as_str());
    let child_a = world.create_subtask(&stack, bob, world.task, "A").await;
    world.create_subtask(&stack, bob, world.task, "B").await;
    let done =
        stack.patch(&format!("/api/tasks/{}/status/", child_a["id"]), Some(bob), json!({"status": "completed"})).await;
    assert_eq!(done.status, 200);
    let late = world.create_task(&stack, p, "Late", world.carol.id).await;
    let yesterday = (jiff::Zoned::now().date() - jiff::Span::new().days(2)).to_string();
    let overdue =
        stack.patch(&format!("/api/tasks/{late}/"), Some(&world.alice.token), json!({"end_date": yesterday})).await;
    assert_eq!(
        (overdue.data()["normal_flag"].as_str(), overdue.data()["is_overdue"].as_bool()),
        (Some("overdue"), Some(true))
    );

    let tree = stack.get(&format!("/api/projects/{p}/tasks/"), Some(bob)).await;
    let design = &tree.data()["items"][0];
    assert_eq!(
        (design["progress"].as_f64(), design["subtask_count"].as_u64(), design["completed_subtask_count"].as_u64()),
        (Some(50.0), Some(2), Some(1))
    );

    let project = stack.get(&format!("/api/projects/{p}/"), Some(bob)).await;
    assert_eq!(project.data()["progress"], 25.0, "the mean of 50 and 0 over the main tasks");
    assert_eq!(
        project.data()["task_stats"],
        json!({"total": 4, "planning": 3, "pending": 0, "in_progress": 0, "completed": 1, "overdue": 1})
    );
    let counts = stack.get(&format!("/api/projects/{p}/tasks/progress/"), Some(bob)).await;
    assert_eq!(counts.data(), &project.data()["task_stats"]);
    let list = stack.get("/api/projects/?page_size=10", Some(bob)).await;
    let item = &list.data()["items"][0];
    assert_eq!(
        (item["overdue_task_count"].as_u64(), item["total_tasks"].as_u64(), item["completed_tasks"].as_u64()),
        (Some(1), Some(4), Some(1))
    );

    let progress = stack.get(&format!("/api/projects/{p}/progress/"), Some(&world.alice.token)).await;
    assert_eq!(progress.data()["overall_progress"], 25.0);
    assert_eq!(progress.data()["main_tasks"]["total"], 2);
    assert_eq!(progress.data()["overdue_tasks"][0]["assignee"], "carol");
    let bob_row =
        progress.data()["member_progress"].as_array().unwrap().iter().find(|m| m["username"] == "bob").unwrap().clone();
    assert_eq!((bob_row["assigned_tasks"].as_u64(), bob_row["completed_tasks"].as_u64()), (Some(3), Some(1)));
}

#[tokio::test]
async fn the_list_filters_searches_and_pages() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let mut created = Vec::new();
    for title in ["Mobile app", "Mobile web", "Backend"] {
        created.push(world.create_project(&stack, title).await);
    }
    let alice = Some(world.alice.token.as_str());
    let titles = |answer: &teamsync_tests::Answer| -> Vec<String> {
        answer.data()["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(
        titles(&stack.get("/api/projects/?search=mobile", alice).await),
        ["Mobile web", "Mobile app"],
        "newest first"
    );
    let paged = stack.get("/api/projects/?page=2&page_size=3", alice).await;
    assert_eq!(titles(&paged), ["Website"]);
    assert_eq!(
        paged.data()["pagination"],
        json!({"page": 2, "page_size": 3, "total": 4, "total_pages": 2, "has_next": false, "has_previous": true})
    );
    stack.patch(&format!("/api/projects/{}/", world.project), alice, json!({"status": "in_progress"})).await;
    assert_eq!(titles(&stack.get("/api/projects/?status=in_progress", alice).await), ["Website"]);
    let bad = stack.get("/api/projects/?status=done&is_archived=maybe", alice).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.field_errors().len(), 2);
    // A member's list pages the same way, each project with its summary, also when the
    // newest of their projects is archived and so not on the page.
    let bob = Some(world.bob.token.as_str());
    let page = stack.get("/api/projects/?page_size=2", bob).await;
    assert_eq!(page.data()["pagination"]["total"], 4);
    assert_eq!(titles(&page), ["Backend", "Mobile web"]);
    let backend = created[2];
    let archived = stack.patch(&format!("/api/projects/{backend}/archive/"), alice, json!(null)).await;
    assert_eq!(archived.status, 200);
    let page = stack.get("/api/projects/?page_size=2", bob).await;
    assert_eq!(page.data()["pagination"]["total"], 3);
    assert_eq!(titles(&page), ["Mobile web", "Mobile app"]);
    let member_counts: Vec<u64> =
        page.data()["items"].as_array().unwrap().iter().map(|p| p["member_count"].as_u64().unwrap()).collect();
    assert_eq!(member_counts, [2, 2], "bob and carol, in each summary");
}

#[tokio::test]
async fn a_renamed_member_shows_under_the_new_name() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let renamed = stack.patch("/api/auth/me/", Some(&world.bob.token), json!({"username": "robert"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let project = stack.get(&format!("/api/projects/{}/", world.project), Some(&world.alice.token)).await;
    let names: Vec<&str> =
        project.data()["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["robert", "carol"]);
    let task = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token)).await;
    assert_eq!(
        (task.data()["assignee"]["username"].as_str(), task.data()["assignee_name"].as_str()),
        (Some("robert"), Some("robert"))
    );
}
