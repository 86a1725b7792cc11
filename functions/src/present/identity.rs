//! The shapes identity answers with (seed 001 §2, the client doc, seed 002's fields).

use jiff::Timestamp;
use serde::Serialize;

use teamsync::identity::model::{JoinType, ShownRole, UserInTeam};
use teamsync::identity::sessions::TokenPair;
use teamsync::messages::Lang;

use crate::present::i18n::role_name;

/// A user as others see them. Contact details beyond email and account history are kept to
/// the user themselves (and the super admin).
#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: u64,
    pub username: String,
    pub email: Option<String>,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub avatar: Option<String>,
    /// `visitor` for a user in no team (the super admin aside).
    pub role: ShownRole,
    pub role_display: &'static str,
    pub team_id: Option<u64>,
    pub team_name: Option<String>,
    pub created_at: Timestamp,
    #[serde(flatten)]
    pub private: Option<PrivateFields>,
}

#[derive(Debug, Serialize)]
pub struct PrivateFields {
    pub gender: String,
    pub phone: String,
    pub about: String,
    pub join_type: JoinType,
    pub updated_at: Timestamp,
    pub last_login: Option<Timestamp>,
    pub permissions: Vec<&'static str>,
}

impl UserView {
    pub fn public(account: &UserInTeam, lang: Lang) -> UserView {
        let user = &account.user;
        UserView {
            id: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
            nickname: user.nickname.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            avatar: user.avatar.clone(),
            role: user.shown_role(),
            role_display: role_name(user.shown_role(), lang),
            team_id: user.team_id,
            team_name: account.team_name.clone(),
            created_at: user.created_at,
            private: None,
        }
    }

    /// Everything, for the user themselves and the super admin.
    pub fn full(account: &UserInTeam, lang: Lang) -> UserView {
        let user = &account.user;
        UserView {
            private: Some(PrivateFields {
                gender: user.gender.clone(),
                phone: user.phone.clone(),
                about: user.about.clone(),
                join_type: user.join_type,
                updated_at: user.updated_at,
                last_login: user.last_login_at,
                permissions: user.shown_role().permissions(),
            }),
            ..UserView::public(account, lang)
        }
    }
}

/// The answer to a login: the tokens beside the user (seed 001 §2.1).
#[derive(Debug, Serialize)]
pub struct SignedIn {
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub user: UserView,
}
