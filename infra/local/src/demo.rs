//! Demo data for `make run`: a team with an admin and two members, and one user still
//! waiting for an invitation. Written through the domain functions, like any real data,
//! once: a run on kept data finds it there and leaves it as its users left it.

use functions::api;
use jiff::Timestamp;
use teamsync::AppContext;
use teamsync::auth::Caller;
use teamsync::identity::accounts::{self, JoinPlan, ProfileFields, Registration};
use teamsync::identity::model::{Email, Password, Role, UserInTeam, Username};
use teamsync::identity::repo;
use teamsync::projects::manage::{self, NewProject};
use teamsync::projects::model::{Priority, Status};
use teamsync::projects::tasks::{self, NewTask};
use teamsync::team::members::invite;

pub struct DemoAccount {
    pub username: &'static str,
    pub standing: &'static str,
}

pub const TEAM_NAME: &str = "Demo Team";

/// Seeds the demo data unless it is there already, and names its accounts.
pub async fn seed(ctx: &AppContext, password: &str) -> Result<Vec<DemoAccount>, String> {
    let seeded = repo::find_user_id(&ctx.db, "alice").await.map_err(|e| e.to_string())?.is_some();
    if !seeded {
        seed_accounts(ctx, password).await?;
    }
    Ok(vec![
        DemoAccount { username: "alice", standing: "team admin of Demo Team, runs the project \"Launch website\"" },
        DemoAccount { username: "bob", standing: "member of Demo Team, on the project" },
        DemoAccount { username: "carol", standing: "member of Demo Team, on the project" },
        DemoAccount { username: "dave", standing: "no team yet" },
    ])
}

async fn seed_accounts(ctx: &AppContext, password: &str) -> Result<(), String> {
    let now = Timestamp::now();
    let alice = register(ctx, "alice", password, JoinPlan::CreateTeam { name: TEAM_NAME.into() }, now).await?;
    let admin = Caller {
        user_id: alice.user.id,
        session_id: String::new(),
        role: Role::TeamAdmin,
        team_id: alice.user.team_id,
    };
    let mut members = Vec::new();
    for username in ["bob", "carol"] {
        let user = register(ctx, username, password, JoinPlan::AwaitInvitation, now).await?;
        members.push(user.user.id);
        let plan = invite(ctx, &admin, None, username, Role::Member, now).await.map_err(|e| e.to_string())?;
        api::commit(ctx, plan).await.map_err(|e| e.to_string())?;
    }
    register(ctx, "dave", password, JoinPlan::AwaitInvitation, now).await?;
    seed_project(ctx, &admin, members[0], members[1], now).await
}

async fn register(
    ctx: &AppContext,
    username: &str,
    password: &str,
    join: JoinPlan,
    now: Timestamp,
) -> Result<UserInTeam, String> {
    let invalid = |what: &str| format!("the demo {what} of {username} is invalid");
    let mut nickname = username.to_owned();
    nickname[..1].make_ascii_uppercase();
    let registration = Registration {
        username: Username::parse(username).map_err(|_| invalid("username"))?,
        email: Some(Email::parse(&format!("{username}@example.com")).map_err(|_| invalid("email"))?),
        password: Password::parse(password).map_err(|_| invalid("password"))?,
        profile: ProfileFields { nickname: Some(nickname), ..ProfileFields::default() },
        join,
    };
    accounts::register(ctx, registration, now).await.map_err(|e| e.to_string())
}

/// "Launch website", made by alice for bob and carol: a task tree with one task overdue and
/// one waiting to be claimed.
async fn seed_project(ctx: &AppContext, admin: &Caller, bob: u64, carol: u64, now: Timestamp) -> Result<(), String> {
    let failed = |e: teamsync::Error| e.to_string();
    let team_id = admin.team_id;
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let project = NewProject {
        team_id,
        title: "Launch website".into(),
        description: "The new public website, from design to launch.".into(),
        status: Status::InProgress,
        start_date: Some(today - jiff::Span::new().days(14)),
        end_date: Some(today + jiff::Span::new().days(30)),
        member_ids: vec![bob, carol],
    };
    let plan = manage::create_project(ctx, admin, project, now).await.map_err(failed)?;
    let project_id = api::commit(ctx, plan).await.map_err(failed)?.data.project.id;
    let task = |title: &str, status: Status, days: i64, assignee: Option<u64>| NewTask {
        title: title.into(),
        description: String::new(),
        status,
        priority: Priority::Medium,
        start_date: None,
        end_date: Some(today + jiff::Span::new().days(days)),
        assignee_id: assignee,
    };
    let main_tasks = [
        task("Design", Status::InProgress, 5, Some(bob)),
        task("Copywriting", Status::Pending, -2, Some(carol)),
        task("Launch checklist", Status::Planning, 25, None),
    ];
    let mut created = Vec::new();
    for main_task in main_tasks {
        let plan = tasks::create_main_task(ctx, admin, project_id, main_task, now).await.map_err(failed)?;
        created.push(api::commit(ctx, plan).await.map_err(failed)?.task.id);
    }
    let bob_caller = Caller { user_id: bob, session_id: String::new(), role: Role::Member, team_id };
    for (title, status) in [("Wireframes", Status::Completed), ("Visual design", Status::InProgress)] {
        let plan = tasks::create_subtask(ctx, &bob_caller, created[0], task(title, status, 3, None), now);
        api::commit(ctx, plan.await.map_err(failed)?).await.map_err(failed)?;
    }
    Ok(())
}
