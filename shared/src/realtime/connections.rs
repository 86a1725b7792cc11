//! WebSocket connections and their project channels, as items with a two-hour TTL (API
//! Gateway closes a connection after two hours at the latest).
//!
//! A connection has a record of its own (who, which session, which channels) and an entry
//! in its user's partition and in each channel it subscribed to, so that "every connection
//! of a user" and "every subscriber of a project" are one Query each. Disconnecting removes
//! them all in one transaction.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::auth::{Caller, SessionRecord, session_caller};
use crate::context::AppContext;
use crate::error::{Error, Guard, StoreError, on_guard};
use crate::keys::{self, Key};
use crate::messages::{Lang, Msg};
use crate::projects::access;
use crate::projects::partition::ProjectData;
use crate::store::{self, Change, Condition, Record};

/// API Gateway's maximum connection duration.
pub const CONNECTION_TTL: SignedDuration = SignedDuration::from_hours(2);
/// Channels one connection may hold, so that a disconnect stays one transaction.
pub const MAX_CHANNELS: usize = 20;

/// A connection as its user's and its channels' entries hold it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectionRef {
    pub connection_id: String,
    pub user_id: u64,
    pub session_id: String,
    /// The language pushes are worded in (the connect request's `Accept-Language`).
    pub lang: Lang,
    pub connected_at: Timestamp,
    pub expires_at: i64,
}

/// How long after `$connect` a connection may still be unknown to API Gateway: its items
/// are written before the handshake completes, and a push in between answers 410.
pub const HANDSHAKE_GRACE: SignedDuration = SignedDuration::from_secs(30);

impl ConnectionRef {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now.as_second()
    }

    /// A 410 for this connection means it is gone for good (not merely still opening).
    pub fn is_settled(&self, now: Timestamp) -> bool {
        self.connected_at + HANDSHAKE_GRACE < now
    }
}

/// The connection's own record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectionRecord {
    #[serde(flatten)]
    pub connection: ConnectionRef,
    /// A string set, which DynamoDB's `ADD` creates on the first subscription (an empty set
    /// cannot be stored): subscribing twice is one subscription.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

/// A channel a client may subscribe to. Only project channels exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Project(u64),
}

impl Channel {
    pub fn parse(text: &str) -> Result<Channel, Msg> {
        text.trim()
            .strip_prefix("project_")
            .and_then(|id| id.parse().ok())
            .map(Channel::Project)
            .ok_or(Msg::UnknownChannel)
    }

    pub fn name(self) -> String {
        match self {
            Channel::Project(id) => format!("project_{id}"),
        }
    }
}

impl Record for ConnectionRecord {
    fn key(&self) -> Key {
        keys::connection(&self.connection.connection_id)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.connection.expires_at)
    }
}

/// A connection in its user's partition: "every connection of a user" is one Query.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
struct UserConnection(ConnectionRef);

impl Record for UserConnection {
    fn key(&self) -> Key {
        keys::user_connection(self.0.user_id, &self.0.connection_id)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.0.expires_at)
    }
}

/// A connection in a channel's partition: "every subscriber of a project" is one Query.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Subscription {
    #[serde(flatten)]
    connection: ConnectionRef,
    /// The channel's name (the item's key, not stored in it).
    #[serde(skip)]
    channel: String,
}

impl Record for Subscription {
    fn key(&self) -> Key {
        keys::channel_subscription(&self.channel, &self.connection.connection_id)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.connection.expires_at)
    }
}

/// The set of a connection record's channels.
const CHANNELS: &str = "channels";

/// Records a connection that authenticated as `caller`.
pub async fn connect(
    ctx: &AppContext,
    connection_id: &str,
    caller: &Caller,
    lang: Lang,
    now: Timestamp,
) -> Result<(), Error> {
    let connection = ConnectionRef {
        connection_id: connection_id.to_owned(),
        user_id: caller.user_id,
        session_id: caller.session_id.clone(),
        lang,
        connected_at: now,
        expires_at: (now + CONNECTION_TTL).as_second(),
    };
    let record = ConnectionRecord { connection: connection.clone(), channels: Vec::new() };
    Ok(ctx.db.transaction().replace(&record).replace(&UserConnection(connection)).commit().await?)
}

async fn load(ctx: &AppContext, connection_id: &str, now: Timestamp) -> Result<Option<ConnectionRecord>, Error> {
    let record: Option<ConnectionRecord> = ctx.db.get(&keys::connection(connection_id)).await?;
    Ok(record.filter(|r| r.connection.is_live(now)))
}

/// Forgets a connection and all its entries: on `$disconnect`, and when a push finds it
/// gone. Forgetting an unknown connection does nothing.
pub async fn forget(ctx: &AppContext, connection_id: &str) -> Result<(), Error> {
    let Some(record) = ctx.db.get::<ConnectionRecord>(&keys::connection(connection_id)).await? else {
        return Ok(());
    };
    let user_id = record.connection.user_id;
    let tx = record
        .channels
        .iter()
        .fold(ctx.db.transaction(), |tx, channel| tx.delete(&keys::channel_subscription(channel, connection_id), None))
        .delete(&keys::user_connection(user_id, connection_id), None)
        .delete(&record.key(), None);
    Ok(tx.commit().await?)
}

/// The caller behind a connection, as their session stands now: a session ended since the
/// connection opened subscribes to nothing.
async fn caller_of(ctx: &AppContext, connection: &ConnectionRef, now: Timestamp) -> Result<Caller, Error> {
    session_caller(ctx, connection.user_id, &connection.session_id, now).await
}

/// Subscribes a connection to a channel: only those who may see the project (its members
/// and admins); anyone else is told it does not exist.
pub async fn subscribe(ctx: &AppContext, connection_id: &str, channel: Channel, now: Timestamp) -> Result<(), Error> {
    let record = load(ctx, connection_id, now).await?.ok_or_else(connection_unknown)?;
    let Channel::Project(project_id) = channel;
    let (caller, data) =
        tokio::join!(caller_of(ctx, &record.connection, now), ProjectData::load_existing(&ctx.db, project_id));
    let (caller, data) = (caller?, data?);
    access::require_visible(&caller, &data)?;
    let name = channel.name();
    if record.channels.contains(&name) {
        return Ok(());
    }
    if record.channels.len() >= MAX_CHANNELS {
        return Err(Error::rule("channel", Msg::TooManyChannels { max: MAX_CHANNELS }));
    }
    let add = Change::new("ADD #channels :channel")
        .name("#channels", CHANNELS)
        .value(":channel", AttributeValue::Ss(vec![name.clone()]));
    let subscription = Subscription { connection: record.connection.clone(), channel: name };
    ctx.db
        .transaction()
        .replace(&subscription)
        .update(&record.key(), add, Some((Condition::present(), Guard::Present)))
        .commit()
        .await
        .map_err(on_guard(Guard::Present, connection_unknown))
}

/// Ends a subscription; ending one that does not exist is fine.
pub async fn unsubscribe(ctx: &AppContext, connection_id: &str, channel: Channel) -> Result<(), Error> {
    let name = channel.name();
    let entry = keys::channel_subscription(&name, connection_id);
    let remove = Change::new("DELETE #channels :channel")
        .name("#channels", CHANNELS)
        .value(":channel", AttributeValue::Ss(vec![name.clone()]));
    let committed = ctx
        .db
        .transaction()
        .delete(&entry, None)
        .update(&keys::connection(connection_id), remove, Some((Condition::present(), Guard::Present)))
        .commit()
        .await;
    match committed {
        // The connection itself is gone already: only its entry is left to remove.
        Err(StoreError::Guard(Guard::Present)) => Ok(ctx.db.delete(&entry).await?),
        other => Ok(other?),
    }
}

/// A connection this API has no record of (it expired, or was forgotten).
fn connection_unknown() -> Error {
    Error::not_found(Msg::ConnectionUnknown)
}

async fn live_refs(ctx: &AppContext, partition: &str, now: Timestamp) -> Result<Vec<ConnectionRef>, Error> {
    let items = ctx.db.query_prefix(None, partition, keys::CONNECTION_PREFIX).await?;
    let refs: Vec<ConnectionRef> = items.into_iter().map(store::from_item).collect::<Result<_, _>>()?;
    Ok(refs.into_iter().filter(|r| r.is_live(now)).collect())
}

/// Every open connection of a user.
pub async fn connections_of(ctx: &AppContext, user_id: u64, now: Timestamp) -> Result<Vec<ConnectionRef>, Error> {
    live_refs(ctx, &keys::user_partition(user_id), now).await
}

/// Every connection subscribed to a channel.
pub async fn subscribers(ctx: &AppContext, channel: Channel, now: Timestamp) -> Result<Vec<ConnectionRef>, Error> {
    live_refs(ctx, &keys::channel_partition(&channel.name()), now).await
}

/// The callers connections act for, in order, `None` where the session has ended: the
/// sessions read in one batch.
pub async fn live_callers(
    ctx: &AppContext,
    connections: &[ConnectionRef],
    now: Timestamp,
) -> Result<Vec<Option<Caller>>, Error> {
    let mut wanted: Vec<Key> = connections.iter().map(|c| keys::session(c.user_id, &c.session_id)).collect();
    wanted.sort_by(|a, b| (&a.pk, &a.sk).cmp(&(&b.pk, &b.sk)));
    wanted.dedup();
    let sessions = ctx.db.get_many(&wanted).await?;
    connections
        .iter()
        .map(|c| {
            let item = sessions.get(&keys::session(c.user_id, &c.session_id)).cloned();
            let session: Option<SessionRecord> = item.map(store::from_item).transpose()?;
            Ok(session.filter(|s| s.is_live(now)).map(SessionRecord::caller))
        })
        .collect()
}
