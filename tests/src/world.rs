//! A small organisation to test authorization against: one person of each standing toward
//! one project, and the project with a task.

use serde_json::{Value, json};

use crate::{ADMIN, ADMIN_PASSWORD, PASSWORD, Stack};

/// How a caller stands toward [`World::project`] and [`World::task`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    SuperAdmin,
    TeamAdmin,
    /// On the project, and the task's assignee.
    Assignee,
    /// On the project, not the task's assignee.
    OtherMember,
    /// In the project's team, not on the project.
    NonMember,
    /// In another team.
    OtherTeam,
    Anonymous,
}

pub const EVERYONE: [Standing; 7] = [
    Standing::SuperAdmin,
    Standing::TeamAdmin,
    Standing::Assignee,
    Standing::OtherMember,
    Standing::NonMember,
    Standing::OtherTeam,
    Standing::Anonymous,
];

pub struct Person {
    pub id: u64,
    pub token: String,
}

pub struct World {
    pub root: Person,
    /// Team admin of team A.
    pub alice: Person,
    /// Member of team A, on the project, assignee of the task.
    pub bob: Person,
    /// Member of team A, on the project.
    pub carol: Person,
    /// Member of team A, not on the project.
    pub dave: Person,
    /// Team admin of team B.
    pub eve: Person,
    pub team_a: u64,
    pub project: u64,
    /// A main task of the project, assigned to bob.
    pub task: u64,
}

/// Adds a registered user to the inviting admin's team; asserts the 200.
pub async fn invite(stack: &Stack, admin_token: &str, username: &str, role: &str) {
    let answer = stack.post("/api/team/invite/", Some(admin_token), json!({"username": username, "role": role})).await;
    assert_eq!(answer.status, 200, "invite {username}: {:?}", answer.body);
}

impl World {
    pub async fn build(stack: &Stack) -> World {
        let (alice_id, team_a) = stack.register_team_admin("alice", "Team A").await;
        let alice_token = stack.login("alice", PASSWORD).await.access;
        let mut ids = Vec::new();
        for name in ["bob", "carol", "dave"] {
            let user = stack.register(name, json!({})).await;
            invite(stack, &alice_token, name, "member").await;
            ids.push(user["id"].as_u64().unwrap());
        }
        let (eve_id, _) = stack.register_team_admin("eve", "Team B").await;
        let person = |id: u64, token: String| Person { id, token };
        let root_token = stack.login(ADMIN, ADMIN_PASSWORD).await.access;
        let root_id = stack.get("/api/auth/me/", Some(&root_token)).await.data()["id"].as_u64().unwrap();
        let world_tokens = [
            stack.login("alice", PASSWORD).await.access,
            stack.login("bob", PASSWORD).await.access,
            stack.login("carol", PASSWORD).await.access,
            stack.login("dave", PASSWORD).await.access,
            stack.login("eve", PASSWORD).await.access,
        ];
        let [alice, bob, carol, dave, eve] = world_tokens;
        let mut world = World {
            root: person(root_id, root_token),
            alice: person(alice_id, alice),
            bob: person(ids[0], bob),
            carol: person(ids[1], carol),
            dave: person(ids[2], dave),
            eve: person(eve_id, eve),
            team_a,
            project: 0,
            task: 0,
        };
        world.project = world.create_project(stack, "Website").await;
        world.task = world.create_task(stack, world.project, "Design", world.bob.id).await;
        world
    }

    pub fn token(&self, standing: Standing) -> Option<&str> {
        Some(match standing {
            Standing::SuperAdmin => &self.root.token,
            Standing::TeamAdmin => &self.alice.token,
            Standing::Assignee => &self.bob.token,
            Standing::OtherMember => &self.carol.token,
            Standing::NonMember => &self.dave.token,
            Standing::OtherTeam => &self.eve.token,
            Standing::Anonymous => return None,
        })
    }

    /// A project of team A with bob and carol, made by alice.
    pub async fn create_project(&self, stack: &Stack, title: &str) -> u64 {
        let body = json!({"title": title, "member_ids": [self.bob.id, self.carol.id]});
        let answer = stack.post("/api/projects/", Some(&self.alice.token), body).await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.data()["id"].as_u64().unwrap()
    }

    /// A main task made by alice.
    pub async fn create_task(&self, stack: &Stack, project: u64, title: &str, assignee: u64) -> u64 {
        let body = json!({"title": title, "assignee_id": assignee});
        let answer = stack.post(&format!("/api/projects/{project}/tasks/"), Some(&self.alice.token), body).await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.data()["id"].as_u64().unwrap()
    }

    /// A subtask made by the parent's assignee.
    pub async fn create_subtask(&self, stack: &Stack, token: &str, parent: u64, title: &str) -> Value {
        let answer = stack.post(&format!("/api/tasks/{parent}/subtasks/"), Some(token), json!({"title": title})).await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.data().clone()
    }
}
