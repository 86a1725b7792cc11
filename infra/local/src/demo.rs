//! Demo data for `make run`: a team with an admin and two members, and one user still
//! waiting for an invitation. Written through the domain functions, like any real data.

use jiff::Timestamp;
use teamsync::AppContext;
use teamsync::identity::accounts::{self, JoinPlan, Membership, ProfileFields, Registration};
use teamsync::identity::model::{Email, Password, Role, UserInTeam, Username};

pub struct DemoAccount {
    pub username: &'static str,
    pub standing: &'static str,
}

pub const TEAM_NAME: &str = "Demo Team";

pub async fn seed(ctx: &AppContext, password: &str) -> Result<Vec<DemoAccount>, String> {
    let now = Timestamp::now();
    let alice = register(
        ctx,
        "alice",
        password,
        JoinPlan::CreateTeam { name: TEAM_NAME.into() },
        now,
    )
    .await?;
    for username in ["bob", "carol"] {
        let user = register(ctx, username, password, JoinPlan::AwaitInvitation, now).await?;
        let membership = Membership {
            team_id: alice.user.team_id,
            role: Role::Member,
        };
        accounts::change_membership(ctx, user.user.id, membership, now)
            .await
            .map_err(|e| e.to_string())?;
    }
    register(ctx, "dave", password, JoinPlan::AwaitInvitation, now).await?;
    Ok(vec![
        DemoAccount {
            username: "alice",
            standing: "team admin of Demo Team",
        },
        DemoAccount {
            username: "bob",
            standing: "member of Demo Team",
        },
        DemoAccount {
            username: "carol",
            standing: "member of Demo Team",
        },
        DemoAccount {
            username: "dave",
            standing: "no team yet",
        },
    ])
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
        profile: ProfileFields {
            nickname: Some(nickname),
            ..ProfileFields::default()
        },
        join,
    };
    accounts::register(ctx, registration, now)
        .await
        .map_err(|e| e.to_string())
}
