//! The single-table key layout: every `pk`/`sk` and index key is built here and nowhere else.
//!
//! | item                  | pk                    | sk                | gsi1 (who holds what)  | gsi2 (directories) |
//! |-----------------------|-----------------------|-------------------|------------------------|------------------|
//! | user                  | `USER#<id>`           | `PROFILE`         | `TEAM#<tid>` / `USER#<id>` | `USERS` / `USER#<id>` |
//! | session               | `USER#<id>`           | `SESSION#<sid>`   |                        |                  |
//! | username guard        | `USERNAME#<lower>`    | `GUARD`           |                        |                  |
//! | email guard           | `EMAIL#<lower>`       | `GUARD`           |                        |                  |
//! | team                  | `TEAM#<id>`           | `PROFILE`         |                        |                  |
//! | id counter            | `COUNTER#<kind>`      | `COUNTER`         |                        |                  |
//! | login failure window  | `LOGIN#<subject>`     | `THROTTLE`        |                        |                  |
//! | project               | `PROJECT#<id>`        | `PROJECT`         |                        | `PROJECTS` / `TEAM#<tid>#PROJECT#<id>` |
//! | project member        | `PROJECT#<id>`        | `MEMBER#<uid>`    | `MEMBER#<uid>` / `PROJECT#<id>` (active only) | |
//! | task                  | `PROJECT#<pid>`       | `TASK#<id>`       | see below              | see below        |
//! | task dependencies     | `PROJECT#<pid>`       | `LINKS`           |                        |                  |
//!
//! A task is in gsi1 under its assignee, `ASSIGNEE#<uid>`, or while it has none under its
//! project, `UNASSIGNED#<pid>`; sorted `OPEN#<due day>#<id>` while open (`9999-12-31` for no
//! due day) and `DONE#<id>` once completed, so "my open tasks due by Sunday" is one range.
//! An open task with a due day is in gsi2 under `OPEN#PROJECT#<pid>` / `<due day>#<id>`: a
//! project's overdue tasks are one range. Tasks owed a reminder are also in gsi3: `DUE` /
//! `<day>#<task id>` (see `reminders`).
//!
//! | a user's workload     | `USER#<id>`           | `WORKLOAD`        |                        |                  |
//!
//! | task pointer          | `TASK#<id>`           | `REF`             |                        |                  |
//! | task history entry    | `TASK#<id>`           | `HISTORY#<n>`     |                        |                  |
//! | idempotency record    | `IDEMPOTENCY#<uid>#<key hash>` | `RESPONSE` |                   |                  |
//! | notification          | `INBOX#<uid>`         | `NOTE#<id>`       |                        |                  |
//! | attachment            | `TASK#<tid>`          | `ATTACHMENT#<id>` |                        |                  |
//! | attachment by id      | `ATTACHMENT#<id>`     | `REF`             |                        |                  |
//! | confirmed upload      | `UPLOAD#<upload key>` | `CONFIRMED`       |                        |                  |
//! | WebSocket connection  | `CONNECTION#<cid>`    | `CONNECTION`      |                        |                  |
//! | a user's connection   | `USER#<uid>`          | `CONNECTION#<cid>` |                       |                  |
//! | channel subscription  | `CHANNEL#<channel>`   | `CONNECTION#<cid>` |                       |                  |
//!
//! A project's partition holds the project, its members and its tasks: one Query reads a
//! whole project. A task is addressed by id alone, so its pointer says which project
//! holds it; its history shares the pointer's partition.
//!
//! A user's sessions and WebSocket connections live in the user's partition, so "end every
//! other session" and "push to all of a user's connections" are one Query each. A user's
//! notifications have a partition of their own (the inbox), read newest first.
//! Ids in sort keys are zero-padded so that they sort numerically.

/// The version of this layout: of every item's key and index keys. A table records the
/// layout its items were written in (the item at [`layout_marker`]), so that items of an
/// older one are never read as this one's. Bump it with any change to a record's keys or
/// index keys. (2: tasks by due day in gsi1 and gsi2, workloads, project counts.)
pub const LAYOUT_VERSION: u64 = 2;

/// Where a table records the layout of its items.
pub fn layout_marker() -> Key {
    Key::new("LAYOUT".to_owned(), "VERSION")
}

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Who holds what: a team's users, a user's projects, a user's (or a project's unassigned)
/// tasks by due day. Users without a team are not in it.
pub const GSI1: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
/// Directories: every user, every project (by team), a project's open tasks by due day.
pub const GSI2: &str = "gsi2";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
/// Reminders: the open tasks still owed a reminder, by the day it is due (sparse).
pub const GSI3: &str = "gsi3";
pub const GSI3_PK: &str = "gsi3pk";
pub const GSI3_SK: &str = "gsi3sk";
/// Epoch seconds after which DynamoDB may delete the item (the table's TTL attribute).
pub const EXPIRES_AT: &str = "expires_at";

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: String, sk: &str) -> Key {
        Key { pk, sk: sk.to_owned() }
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
    Key::new(user_partition(user_id), &format!("{SESSION_PREFIX}{session_id}"))
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

pub const PROJECT: &str = "PROJECT";
/// The sort key of a project's one record of task dependencies.
pub const LINKS: &str = "LINKS";
pub const MEMBER_PREFIX: &str = "MEMBER#";
pub const TASK_PREFIX: &str = "TASK#";
pub const HISTORY_PREFIX: &str = "HISTORY#";
pub const DIRECTORY_PROJECTS: &str = "PROJECTS";

pub fn project_partition(id: u64) -> String {
    format!("PROJECT#{}", padded(id))
}

pub fn project(id: u64) -> Key {
    Key::new(project_partition(id), PROJECT)
}

pub fn project_links(project_id: u64) -> Key {
    Key::new(project_partition(project_id), LINKS)
}

pub fn project_member(project_id: u64, user_id: u64) -> Key {
    Key::new(project_partition(project_id), &format!("{MEMBER_PREFIX}{}", padded(user_id)))
}

pub fn task(project_id: u64, task_id: u64) -> Key {
    Key::new(project_partition(project_id), &format!("{TASK_PREFIX}{}", padded(task_id)))
}

pub fn task_partition(task_id: u64) -> String {
    format!("TASK#{}", padded(task_id))
}

pub fn task_pointer(task_id: u64) -> Key {
    Key::new(task_partition(task_id), "REF")
}

pub fn task_history(task_id: u64, entry: u64) -> Key {
    Key::new(task_partition(task_id), &format!("{HISTORY_PREFIX}{}", padded(entry)))
}

/// Projects of a team sort together in the directory index.
pub fn project_directory_sort(team_id: u64, project_id: u64) -> String {
    format!("{}{PROJECT}#{}", team_directory_prefix(team_id), padded(project_id))
}

pub fn team_directory_prefix(team_id: u64) -> String {
    format!("TEAM#{}#", padded(team_id))
}

/// The membership index partition of a user: the projects they are on.
pub fn memberships_partition(user_id: u64) -> String {
    format!("{MEMBER_PREFIX}{}", padded(user_id))
}

pub fn membership_sort(project_id: u64) -> String {
    format!("{PROJECT}#{}", padded(project_id))
}

pub fn assignee_partition(user_id: u64) -> String {
    format!("ASSIGNEE#{}", padded(user_id))
}

/// The gsi1 partition of a project's tasks that nobody has.
pub fn unassigned_partition(project_id: u64) -> String {
    format!("UNASSIGNED#{}", padded(project_id))
}

pub const OPEN_PREFIX: &str = "OPEN#";
pub const DONE_PREFIX: &str = "DONE#";
/// Where an open task without a due day sorts: after every day.
const NO_DUE_DAY: &str = "9999-12-31";

/// A task's gsi1 sort key: open ones by due day, then completed ones.
pub fn task_by_due_sort(due: Option<jiff::civil::Date>, completed: bool, task_id: u64) -> String {
    match (completed, due) {
        (true, _) => format!("{DONE_PREFIX}{}", padded(task_id)),
        (false, Some(day)) => format!("{OPEN_PREFIX}{day}#{}", padded(task_id)),
        (false, None) => format!("{OPEN_PREFIX}{NO_DUE_DAY}#{}", padded(task_id)),
    }
}

/// The first gsi1 sort key past every open task due on or before `day`.
pub fn open_due_by_end(day: jiff::civil::Date) -> String {
    format!("{OPEN_PREFIX}{day}#~")
}

/// The gsi2 partition of a project's open tasks that have a due day.
pub fn open_dated_partition(project_id: u64) -> String {
    format!("OPEN#{}", project_partition(project_id))
}

/// The last gsi2 sort key of tasks due on or before `day`.
pub fn due_by_end(day: jiff::civil::Date) -> String {
    format!("{day}#~")
}

/// A user's counts of tasks, across their team's projects.
pub fn workload(user_id: u64) -> Key {
    Key::new(user_partition(user_id), "WORKLOAD")
}

/// The caller's idempotency keys are theirs alone: the same key from two users is two keys.
pub fn idempotency(user_id: u64, key_hash: &str) -> Key {
    Key::new(format!("IDEMPOTENCY#{}#{key_hash}", padded(user_id)), "RESPONSE")
}

pub const NOTE_PREFIX: &str = "NOTE#";

pub fn inbox_partition(user_id: u64) -> String {
    format!("INBOX#{}", padded(user_id))
}

pub fn notification(user_id: u64, id: u64) -> Key {
    Key::new(inbox_partition(user_id), &format!("{NOTE_PREFIX}{}", padded(id)))
}

/// The reminders index has one partition: a run reads one contiguous range of it.
pub const REMINDERS: &str = "DUE";

/// A task's place in a by-day index (the reminders: the day it is next owed a reminder; a
/// project's open tasks: the day it is due).
pub fn day_sort(day: jiff::civil::Date, task_id: u64) -> String {
    format!("{day}#{}", padded(task_id))
}

pub const ATTACHMENT_PREFIX: &str = "ATTACHMENT#";

/// An attachment in its task's partition (the task detail lists them with one Query).
pub fn attachment(task_id: u64, id: u64) -> Key {
    Key::new(task_partition(task_id), &format!("{ATTACHMENT_PREFIX}{}", padded(id)))
}

/// The same attachment addressed by its id alone (download, delete).
pub fn attachment_ref(id: u64) -> Key {
    Key::new(format!("{ATTACHMENT_PREFIX}{}", padded(id)), "REF")
}

/// Which attachment an upload became: a second confirm of it answers the same one.
pub fn confirmed_upload(upload_key: &str) -> Key {
    Key::new(format!("UPLOAD#{upload_key}"), "CONFIRMED")
}

pub const CONNECTION_PREFIX: &str = "CONNECTION#";

/// A WebSocket connection by its API Gateway id: who it is and what it subscribed to.
pub fn connection(connection_id: &str) -> Key {
    Key::new(format!("{CONNECTION_PREFIX}{connection_id}"), "CONNECTION")
}

pub fn user_connection(user_id: u64, connection_id: &str) -> Key {
    Key::new(user_partition(user_id), &format!("{CONNECTION_PREFIX}{connection_id}"))
}

pub fn channel_partition(channel: &str) -> String {
    format!("CHANNEL#{channel}")
}

pub fn channel_subscription(channel: &str, connection_id: &str) -> Key {
    Key::new(channel_partition(channel), &format!("{CONNECTION_PREFIX}{connection_id}"))
}

/// The id encoded in a sort key such as `TASK#000000000012`.
pub fn id_of(sort_key: &str) -> Option<u64> {
    sort_key.rsplit('#').next()?.parse().ok()
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
        assert_eq!(task(3, 12).pk, project(3).pk, "a project's tasks share its partition");
        assert_eq!(id_of(&task(3, 12).sk), Some(12));
    }
}
