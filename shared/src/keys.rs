//! The single-table key layout: every `pk`/`sk` and index key is built here and nowhere else.
//!
//! | item                  | pk                    | sk                | gsi1 (team members)    | gsi2 (directory) |
//! |-----------------------|-----------------------|-------------------|------------------------|------------------|
//! | user                  | `USER#<id>`           | `PROFILE`         | `TEAM#<tid>` / `USER#<id>` | `USERS` / `USER#<id>` |
//! | session               | `USER#<id>`           | `SESSION#<sid>`   |                        |                  |
//! | username guard        | `USERNAME#<lower>`    | `GUARD`           |                        |                  |
//! | email guard           | `EMAIL#<lower>`       | `GUARD`           |                        |                  |
//! | team                  | `TEAM#<id>`           | `PROFILE`         |                        |                  |
//! | id counter            | `COUNTER#<kind>`      | `COUNTER`         |                        |                  |
//! | login failure window  | `LOGIN#<subject>`     | `THROTTLE`        |                        |                  |
//!
//! A user's sessions live in the user's partition, so "end every other session" is one Query.
//! Ids in sort keys are zero-padded so that they sort numerically.

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Team membership: a team's users, sorted by id. Users without a team are not in it.
pub const GSI1: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
/// Directory: every user, for the super admin.
pub const GSI2: &str = "gsi2";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
/// Epoch seconds after which DynamoDB may delete the item (the table's TTL attribute).
pub const EXPIRES_AT: &str = "expires_at";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: String, sk: &str) -> Key {
        Key {
            pk,
            sk: sk.to_owned(),
        }
    }
}

pub const PROFILE: &str = "PROFILE";
pub const SESSION_PREFIX: &str = "SESSION#";

fn padded(id: u64) -> String {
    format!("{id:012}")
}

pub fn user(id: u64) -> Key {
    Key::new(format!("USER#{}", padded(id)), PROFILE)
}

pub fn user_partition(id: u64) -> String {
    user(id).pk
}

pub fn session(user_id: u64, session_id: &str) -> Key {
    Key::new(
        user_partition(user_id),
        &format!("{SESSION_PREFIX}{session_id}"),
    )
}

/// Uniqueness guards are keyed by the lower-cased value: `Alice` and `alice` are one name.
pub fn username_guard(username: &str) -> Key {
    Key::new(format!("USERNAME#{}", username.to_lowercase()), "GUARD")
}

pub fn email_guard(email: &str) -> Key {
    Key::new(format!("EMAIL#{}", email.to_lowercase()), "GUARD")
}

pub fn team(id: u64) -> Key {
    Key::new(format!("TEAM#{}", padded(id)), PROFILE)
}

pub fn counter(kind: &str) -> Key {
    Key::new(format!("COUNTER#{kind}"), "COUNTER")
}

pub fn login_throttle(subject: &str) -> Key {
    Key::new(format!("LOGIN#{subject}"), "THROTTLE")
}

pub fn team_members_partition(team_id: u64) -> String {
    team(team_id).pk
}

pub const DIRECTORY_USERS: &str = "USERS";

pub fn user_sort(id: u64) -> String {
    format!("USER#{}", padded(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_numerically_and_guards_ignore_case() {
        assert!(user_sort(9) < user_sort(10));
        assert_eq!(username_guard("Alice"), username_guard("alice"));
        assert_eq!(session(7, "abc").pk, user(7).pk);
        assert_eq!(user(7).pk, "USER#000000000007");
    }
}
