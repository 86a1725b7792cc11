//! Finish-to-start dependencies between tasks of a project: who may link, what a task says
//! of what blocks it, cycles and other projects refused, links gone with their tasks.

use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

async fn link(stack: &Stack, token: &str, task: u64, depends_on: Value) -> teamsync_tests::Answer {
    stack.post(&format!("/api/tasks/{task}/dependencies/"), Some(token), json!({ "depends_on": depends_on })).await
}

async fn task(stack: &Stack, token: &str, id: u64) -> Value {
    let answer = stack.get(&format!("/api/tasks/{id}/"), Some(token)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.data().clone()
}

#[tokio::test]
async fn a_task_says_what_it_waits_for_until_that_is_done() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let design = world.task;
    let build = world.create_task(&stack, world.project, "Build", world.bob.id).await;

    let added = link(&stack, &world.bob.token, build, json!(design)).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(
        added.data(),
        &json!({"task_id": build, "dependencies": [design], "blocked_by": [design], "is_blocked": true})
    );
    let again = link(&stack, &world.alice.token, build, json!(design)).await;
    assert_eq!(again.status, 200, "the same link again changes nothing: {:?}", again.body);
    assert_eq!(again.data()["dependencies"], json!([design]));

    let detail = task(&stack, &world.bob.token, build).await;
    assert_eq!(
        (&detail["dependencies"], &detail["blocked_by"], &detail["is_blocked"]),
        (&json!([design]), &json!([design]), &json!(true))
    );
    let gantt = stack.get(&format!("/api/projects/{}/gantt/", world.project), Some(&world.alice.token)).await;
    let bar = gantt.data()["tasks"].as_array().unwrap().iter().find(|t| t["id"] == build).unwrap().clone();
    assert_eq!(bar["dependencies"], json!([design]));

    let done = stack
        .patch(&format!("/api/tasks/{design}/status/"), Some(&world.bob.token), json!({"status": "completed"}))
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    let detail = task(&stack, &world.bob.token, build).await;
    assert_eq!(
        (&detail["dependencies"], &detail["blocked_by"], &detail["is_blocked"]),
        (&json!([design]), &json!([]), &json!(false))
    );

    let removed = stack.delete(&format!("/api/tasks/{build}/dependencies/{design}/"), Some(&world.bob.token)).await;
    assert_eq!((removed.status, removed.body["code"].as_u64()), (200, Some(204)), "{:?}", removed.body);
    assert_eq!(task(&stack, &world.bob.token, build).await["dependencies"], json!([]));
    let gone = stack.delete(&format!("/api/tasks/{build}/dependencies/{design}/"), Some(&world.bob.token)).await;
    assert_eq!(gone.status, 404, "{:?}", gone.body);
}

#[tokio::test]
async fn only_admins_and_the_dependent_tasks_assignee_link_it() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let other = world.create_task(&stack, world.project, "Carol's", world.carol.id).await;
    let t = world.task;

    let by_other_member = link(&stack, &world.carol.token, t, json!(other)).await;
    assert_eq!(by_other_member.status, 403, "{:?}", by_other_member.body);
    let by_non_member = link(&stack, &world.dave.token, t, json!(other)).await;
    assert_eq!(by_non_member.status, 404, "{:?}", by_non_member.body);
    let by_other_team = link(&stack, &world.eve.token, t, json!(other)).await;
    assert_eq!(by_other_team.status, 404, "{:?}", by_other_team.body);
    let anonymous = stack.post(&format!("/api/tasks/{t}/dependencies/"), None, json!({"depends_on": other})).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(task(&stack, &world.alice.token, t).await["dependencies"], json!([]), "nothing was written");

    // Carol may make her own task wait for bob's, and sees it blocked by it, although bob's
    // task is otherwise hidden from her.
    let carols = link(&stack, &world.carol.token, other, json!(t)).await;
    assert_eq!(carols.status, 201, "{:?}", carols.body);
    assert_eq!(task(&stack, &world.carol.token, other).await["blocked_by"], json!([t]));
    let unlink_by_bob = stack.delete(&format!("/api/tasks/{other}/dependencies/{t}/"), Some(&world.bob.token)).await;
    assert_eq!(unlink_by_bob.status, 403, "{:?}", unlink_by_bob.body);
    let unlink_by_admin = stack.delete(&format!("/api/tasks/{other}/dependencies/{t}/"), Some(&world.root.token)).await;
    assert_eq!(unlink_by_admin.status, 200, "{:?}", unlink_by_admin.body);
}

#[tokio::test]
async fn a_link_that_closes_a_cycle_or_leaves_the_project_is_refused_and_writes_nothing() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let a = world.task;
    let b = world.create_task(&stack, world.project, "B", world.bob.id).await;
    let c = world.create_task(&stack, world.project, "C", world.bob.id).await;
    let elsewhere = world.create_project(&stack, "Elsewhere").await;
    let foreign = world.create_task(&stack, elsewhere, "Foreign", world.bob.id).await;
    assert_eq!(link(&stack, &world.alice.token, b, json!(a)).await.status, 201);
    assert_eq!(link(&stack, &world.alice.token, c, json!(b)).await.status, 201);

    let refusals = [(a, json!(c)), (a, json!(a)), (a, json!(foreign)), (a, json!(999_999))];
    for (task_id, target) in refusals {
        let refused = link(&stack, &world.alice.token, task_id, target.clone()).await;
        assert_eq!(refused.status, 422, "{task_id} -> {target}: {:?}", refused.body);
        assert!(refused.field_errors().contains_key("depends_on"), "{:?}", refused.body);
    }
    for bad in [json!("1"), json!(-1), json!(null), json!(1.5)] {
        let refused = link(&stack, &world.alice.token, a, bad.clone()).await;
        assert_eq!(refused.status, 400, "{bad}: {:?}", refused.body);
    }
    assert_eq!(task(&stack, &world.alice.token, a).await["dependencies"], json!([]));
    assert_eq!(task(&stack, &world.alice.token, b).await["dependencies"], json!([a]));
    assert_eq!(task(&stack, &world.alice.token, c).await["dependencies"], json!([b]));
}

#[tokio::test]
async fn of_two_links_made_at_once_that_would_close_a_cycle_only_one_is_made() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (a, b) = (world.task, world.create_task(&stack, world.project, "B", world.bob.id).await);
    for _ in 0..3 {
        let (one, other) =
            tokio::join!(link(&stack, &world.alice.token, a, json!(b)), link(&stack, &world.alice.token, b, json!(a)));
        let made = [one.status, other.status].iter().filter(|s| **s == 201).count();
        assert_eq!(made, 1, "{:?} / {:?}", one.body, other.body);
        assert!([409, 422].contains(&one.status.max(other.status)), "{:?} / {:?}", one.body, other.body);
        let (da, db) = (task(&stack, &world.alice.token, a).await, task(&stack, &world.alice.token, b).await);
        let links = da["dependencies"].as_array().unwrap().len() + db["dependencies"].as_array().unwrap().len();
        assert_eq!(links, 1, "{da} / {db}");
        // Undo, for the next round.
        let (from, to) = if one.status == 201 { (a, b) } else { (b, a) };
        stack.delete(&format!("/api/tasks/{from}/dependencies/{to}/"), Some(&world.alice.token)).await;
    }
}

#[tokio::test]
async fn a_deleted_task_takes_its_links_with_it() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let a = world.task;
    let b = world.create_task(&stack, world.project, "B", world.bob.id).await;
    let c = world.create_task(&stack, world.project, "C", world.bob.id).await;
    assert_eq!(link(&stack, &world.alice.token, b, json!(a)).await.status, 201);
    assert_eq!(link(&stack, &world.alice.token, c, json!(b)).await.status, 201);
    assert_eq!(link(&stack, &world.alice.token, c, json!(a)).await.status, 201);

    let deleted = stack.delete(&format!("/api/tasks/{b}/"), Some(&world.root.token)).await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(task(&stack, &world.alice.token, c).await["dependencies"], json!([a]));
    // Linking to the deleted task is now refused like any unknown task.
    assert_eq!(link(&stack, &world.alice.token, c, json!(b)).await.status, 422);
}
