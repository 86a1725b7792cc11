//! What the API shows of a team's members (seed 001 §6.1, the client's picker).

use jiff::Timestamp;
use serde::Serialize;
use teamsync::identity::model::ShownRole;
use teamsync::messages::Lang;
use teamsync::team::members::{Invited, Member, RoleChanged};

use crate::present::i18n::role_name;

/// One member as the list shows them (seed 001 §6.1, the client's picker).
#[derive(Debug, Serialize)]
pub struct MemberView {
    pub id: u64,
    pub username: String,
    pub email: Option<String>,
    pub role: ShownRole,
    pub role_display: &'static str,
    pub avatar: Option<String>,
    /// Open tasks assigned to them: their current workload.
    pub task_count: usize,
    pub created_at: Timestamp,
}

impl MemberView {
    pub fn of(member: Member, lang: Lang) -> MemberView {
        let user = member.user;
        let role = user.shown_role();
        MemberView {
            id: user.id,
            role,
            role_display: role_name(role, lang),
            task_count: member.open_tasks,
            username: user.username,
            email: user.email,
            avatar: user.avatar,
            created_at: user.created_at,
        }
    }
}

/// The answer to an invitation: the member as the list shows them (the client reads it as
/// one), beside the seed's `user_id` and `invited_at`.
#[derive(Debug, Serialize)]
pub struct InvitedView {
    #[serde(flatten)]
    pub member: MemberView,
    pub user_id: u64,
    pub invited_at: Timestamp,
}

impl InvitedView {
    pub fn of(invited: Invited, lang: Lang) -> InvitedView {
        let user_id = invited.member.user.id;
        InvitedView { member: MemberView::of(invited.member, lang), user_id, invited_at: invited.invited_at }
    }
}

/// The answer to a role change: the member as the list shows them, beside the seed's
/// `user_id` and `updated_at`.
#[derive(Debug, Serialize)]
pub struct RoleChangedView {
    #[serde(flatten)]
    pub member: MemberView,
    pub user_id: u64,
    pub updated_at: Timestamp,
}

impl RoleChangedView {
    pub fn of(changed: RoleChanged, lang: Lang) -> RoleChangedView {
        let user_id = changed.member.user.id;
        RoleChangedView { member: MemberView::of(changed.member, lang), user_id, updated_at: changed.updated_at }
    }
}
