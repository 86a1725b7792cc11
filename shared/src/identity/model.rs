//! Users, teams and roles, and the validated input types of identity.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::keys::{self, Key};
use crate::messages::Msg;
use crate::store::{IndexKey, Indexes, Record};
use crate::validate::bounded_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SuperAdmin,
    TeamAdmin,
    Member,
}

impl Role {
    /// The one rule of who administers a team: the super admin every team, a team admin
    /// their own (`own_team`).
    pub fn administers(self, own_team: Option<u64>, team: u64) -> bool {
        self == Role::SuperAdmin || (self == Role::TeamAdmin && own_team == Some(team))
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Role::SuperAdmin | Role::TeamAdmin)
    }

    /// What the role may do, as the client shows it (seed 001 §2.4 `permissions`).
    pub fn permissions(self) -> Vec<&'static str> {
        const MEMBER: &[&str] = &["view_project", "view_team", "edit_own_task", "create_subtask", "comment"];
        const TEAM_ADMIN: &[&str] = &[
            "create_project",
            "edit_project",
            "archive_project",
            "manage_project_members",
            "create_task",
            "assign_task",
            "edit_any_task",
            "invite_member",
            "manage_team",
        ];
        const SUPER_ADMIN: &[&str] = &["delete_project", "delete_task", "manage_all_teams", "view_all_users"];
        let mut permissions = MEMBER.to_vec();
        if self.is_admin() {
            permissions.extend_from_slice(TEAM_ADMIN);
        }
        if self == Role::SuperAdmin {
            permissions.extend_from_slice(SUPER_ADMIN);
        }
        permissions
    }
}

/// A role as the API shows it. A registered user in no team (the super admin aside) is a
/// `visitor`, waiting to be invited: derived from the stored role and team each time it is
/// shown, never stored, so it cannot drift from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShownRole {
    SuperAdmin,
    TeamAdmin,
    Member,
    Visitor,
}

impl Role {
    /// This role as shown for a user of `team_id`.
    pub fn shown(self, team_id: Option<u64>) -> ShownRole {
        match (self, team_id) {
            (Role::SuperAdmin, _) => ShownRole::SuperAdmin,
            (_, None) => ShownRole::Visitor,
            (Role::TeamAdmin, Some(_)) => ShownRole::TeamAdmin,
            (Role::Member, Some(_)) => ShownRole::Member,
        }
    }
}

impl ShownRole {
    /// What the user may do: a visitor nothing yet, as they are on no team.
    pub fn permissions(self) -> Vec<&'static str> {
        match self {
            ShownRole::SuperAdmin => Role::SuperAdmin.permissions(),
            ShownRole::TeamAdmin => Role::TeamAdmin.permissions(),
            ShownRole::Member => Role::Member.permissions(),
            ShownRole::Visitor => Vec::new(),
        }
    }
}

/// How a new user starts: founding a team, or waiting to be invited into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinType {
    Create,
    Join,
}

/// 3–32 of ASCII letters, digits and `. _ - +` (Django's set without `@`, which seed 002's
/// numeric names fit). Case is kept for display; uniqueness ignores it. No `@`: a login
/// name with one is an email address, so no username can take someone's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Username, Msg> {
        let text = text.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-+".contains(c);
        if (3..=32).contains(&text.len()) && text.chars().all(allowed) {
            Ok(Username(text.to_owned()))
        } else {
            Err(Msg::InvalidUsername)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// A pragmatic check (one `@`, a dotted domain, no spaces, ≤ 254 characters); the
    /// address is stored as given, compared lower-cased.
    pub fn parse(text: &str) -> Result<Email, Msg> {
        let text = text.trim();
        let valid = text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || crate::validate::is_hidden_control(c))
            && text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid { Ok(Email(text.to_owned())) } else { Err(Msg::InvalidEmail) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plaintext password in flight. Never printed: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 128;

    pub fn parse(text: &str) -> Result<Password, Msg> {
        let len = text.chars().count();
        if len < Self::MIN_LEN {
            Err(Msg::TooShort { min: Self::MIN_LEN })
        } else if len > Self::MAX_LEN {
            Err(Msg::TooLong { max: Self::MAX_LEN })
        } else {
            Ok(Password(text.to_owned()))
        }
    }

    /// Any non-empty password, for checking (a login must not reveal the current policy).
    pub fn candidate(text: &str) -> Result<Password, Msg> {
        if text.is_empty() { Err(Msg::Required) } else { Ok(Password(text.to_owned())) }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

pub fn parse_phone(text: &str) -> Result<String, Msg> {
    let text = text.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-()".contains(c);
    if (5..=20).contains(&digits) && text.len() <= 32 && text.chars().all(allowed) {
        Ok(text.to_owned())
    } else {
        Err(Msg::InvalidPhone)
    }
}

pub fn parse_person_name(text: &str) -> Result<String, Msg> {
    bounded_text(text, 0, 50)
}

pub fn parse_gender(text: &str) -> Result<String, Msg> {
    bounded_text(text, 0, 16)
}

pub fn parse_about(text: &str) -> Result<String, Msg> {
    bounded_text(text, 0, 500)
}

pub fn parse_team_name(text: &str) -> Result<String, Msg> {
    bounded_text(text, 1, 100)
}

/// The longest avatar URL a client may link to.
pub const MAX_AVATAR_URL: usize = 500;

/// An avatar a client links to itself (a random avatar service's): an absolute `https://`
/// URL with a host, no credentials, and nothing but URL characters, at most
/// [`MAX_AVATAR_URL`] long. Not `http:` (mixed content, and readable on the way), nor
/// `javascript:` or `data:`.
pub fn parse_external_avatar(text: &str) -> Result<String, Msg> {
    let text = text.trim();
    if text.chars().count() > MAX_AVATAR_URL {
        return Err(Msg::TooLong { max: MAX_AVATAR_URL });
    }
    let url_char = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    let rest = text.get(..8).filter(|scheme| scheme.eq_ignore_ascii_case("https://")).map(|_| &text[8..]);
    let valid = rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let (name, port) = host.split_once(':').unwrap_or((host, "80"));
        let label = |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        text.chars().all(url_char)
            && name.split('.').all(label)
            && !port.is_empty()
            && port.chars().all(|c| c.is_ascii_digit())
    });
    if valid { Ok(text.to_owned()) } else { Err(Msg::InvalidAvatarUrl) }
}

/// A user as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: u64,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub nickname: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub about: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<u64>,
    pub join_type: JoinType,
    pub password_hash: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_at: Option<Timestamp>,
    /// How many projects they are a current member of: written in the same transaction as
    /// every join and leave (see `projects::membership`), so leaving the team can require
    /// it to be zero.
    #[serde(default)]
    pub project_count: i64,
    /// Bumped by every write, so read-modify-write updates cannot lose each other's changes.
    pub version: u64,
}

impl UserRecord {
    pub fn shown_role(&self) -> ShownRole {
        self.role.shown(self.team_id)
    }
}

impl Record for UserRecord {
    fn key(&self) -> Key {
        keys::user(self.id)
    }

    /// Every user is in the directory; only a user with a team is in its membership index.
    fn index_keys(&self) -> Indexes {
        Indexes {
            gsi1: self.team_id.map(|team| IndexKey::new(keys::team_members_partition(team), keys::user_sort(self.id))),
            gsi2: Some(IndexKey::new(keys::DIRECTORY_USERS, keys::user_sort(self.id))),
            gsi3: None,
        }
    }

    fn version(&self) -> Option<u64> {
        Some(self.version)
    }

    fn touch(&mut self, now: Timestamp) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// When a user last signed in: written on its own at login, so that it neither moves the
/// user's version nor is lost to a concurrent profile change.
#[derive(Debug, Clone, Serialize)]
pub struct LastLogin {
    pub last_login_at: Timestamp,
}

/// A user with the name of their team: what every view of a user shows.
#[derive(Debug, Clone)]
pub struct UserInTeam {
    pub user: UserRecord,
    pub team_name: Option<String>,
}

/// A team as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamRecord {
    pub id: u64,
    pub name: String,
    /// IANA zone in which "today" and "overdue" are judged for this team.
    pub timezone: String,
    /// How many of its users are team admins: kept in step with every role change, so that
    /// the rule "a team keeps at least one admin" holds even against concurrent demotions.
    #[serde(default)]
    pub admin_count: u64,
    pub created_by: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub version: u64,
}

impl Record for TeamRecord {
    fn key(&self) -> Key {
        keys::team(self.id)
    }

    fn version(&self) -> Option<u64> {
        Some(self.version)
    }

    fn touch(&mut self, now: Timestamp) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// Claims a unique value (a username, an email, compared lower-cased) for one user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub user_id: u64,
    /// Where the claim lives: the claimed value's guard key (not stored in the item).
    #[serde(skip)]
    key: Key,
}

impl ClaimRecord {
    pub fn username(username: &str, user_id: u64) -> ClaimRecord {
        ClaimRecord { user_id, key: keys::username_guard(username) }
    }

    pub fn email(email: &str, user_id: u64) -> ClaimRecord {
        ClaimRecord { user_id, key: keys::email_guard(email) }
    }
}

impl Record for ClaimRecord {
    fn key(&self) -> Key {
        self.key.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(Username::parse("32088").is_ok());
        assert!(Username::parse("zhang.san_01").is_ok());
        assert_eq!(Username::parse(" ab ").unwrap_err(), Msg::InvalidUsername);
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("alice@example.com").is_err(), "an address is not a username");
        assert!(Username::parse("张三三").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn emails_and_phones() {
        assert!(Email::parse("a@b.co").is_ok());
        for bad in ["a@b", "@b.co", "a b@c.co", "a@@b.co", "a@.co", "a@b.co.", "a\u{0}@b.co", "a\u{202e}@b.co"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(parse_phone("+86 134-2563-6267").is_ok());
        assert!(parse_phone("call me").is_err());
    }

    #[test]
    fn passwords_are_bounded_and_never_printed() {
        assert_eq!(Password::parse("short").unwrap_err(), Msg::TooShort { min: 8 });
        assert!(Password::parse(&"x".repeat(129)).is_err());
        let password = Password::parse("s3cret-enough").unwrap();
        assert!(!format!("{password:?}").contains("s3cret"));
    }

    #[test]
    fn only_admins_manage() {
        assert!(!Role::Member.permissions().contains(&"create_project"));
        assert!(Role::TeamAdmin.permissions().contains(&"create_project"));
        assert!(!Role::TeamAdmin.permissions().contains(&"delete_project"));
        assert!(Role::SuperAdmin.permissions().contains(&"delete_project"));
    }

    #[test]
    fn an_external_avatar_is_an_https_url() {
        let ok = "https://robohash.org/xyz?set=set4&size=200x200";
        assert_eq!(parse_external_avatar(&format!(" {ok} ")), Ok(ok.to_owned()));
        assert!(parse_external_avatar("HTTPS://example.com:8443/a.png").is_ok());
        for bad in [
            "http://robohash.org/xyz",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://",
            "https:///path",
            "https://user:pass@example.com/a.png",
            "https://exa mple.com/a.png",
            "https://example.com/a b.png",
            "https://example.com/\"><script>",
            "https://例子.com/a.png",
            "https://example..com/",
            "https://example.com:/a",
            "//example.com/a.png",
            "not a url",
            "",
        ] {
            assert_eq!(parse_external_avatar(bad), Err(Msg::InvalidAvatarUrl), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_AVATAR_URL));
        assert_eq!(parse_external_avatar(&long), Err(Msg::TooLong { max: MAX_AVATAR_URL }));
    }

    #[test]
    fn a_user_in_no_team_is_a_visitor() {
        assert_eq!(Role::Member.shown(None), ShownRole::Visitor);
        assert_eq!(Role::Member.shown(Some(1)), ShownRole::Member);
        assert_eq!(Role::TeamAdmin.shown(Some(1)), ShownRole::TeamAdmin);
        assert_eq!(Role::SuperAdmin.shown(None), ShownRole::SuperAdmin, "the super admin belongs to no team");
        assert!(ShownRole::Visitor.permissions().is_empty());
        assert_eq!(crate::names::name_of(&ShownRole::Visitor), "visitor");
    }
}
