//! The local DynamoDB's fidelity: each DynamoDB behaviour the store (shared/src/store) and
//! its callers rely on, asked through the functions' own SDK client, on the table that
//! template.yaml declares. These checks chose dynoxide to replace moto (issue #11); a newer
//! dynoxide has to pass them too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, Put, PutRequest, ReturnValue, TimeToLiveStatus,
    TransactWriteItem, Update, WriteRequest,
};
use futures_util::future::join_all;
use teamsync::keys::Key;
use teamsync::store::Db;
use teamsync_local::dynamodb::{DynamoDbEmulator, Storage};
use teamsync_local::table::{self, TableState};
use teamsync_local::template::{TableSpec, Template};
use teamsync_local::{project_root, stack};

const TABLE: &str = "teamsync";

type Item = HashMap<String, AttributeValue>;

/// An emulator of the test's own with template.yaml's table, and a client of it.
struct Local {
    client: Client,
    _emulator: DynamoDbEmulator,
}

impl Local {
    async fn start(storage: Storage) -> (Local, TableState) {
        let emulator = DynamoDbEmulator::start(&storage, 0).unwrap();
        let client = Client::new(&stack::sdk_config(&emulator.url).await);
        let state = table::ensure(&client, TABLE, &template_table()).await.unwrap();
        (Local { client, _emulator: emulator }, state)
    }

    async fn in_memory() -> Local {
        Local::start(Storage::Memory).await.0
    }

    async fn put(&self, item: Item) {
        self.client.put_item().table_name(TABLE).set_item(Some(item)).send().await.unwrap();
    }

    async fn get(&self, pk: &str, sk: &str) -> Option<Item> {
        let output =
            self.client.get_item().table_name(TABLE).set_key(Some(key(pk, sk))).consistent_read(true).send().await;
        output.unwrap().item
    }

    /// Every item of an index partition, sort keys in order, in pages of `page` items.
    async fn query_index(&self, index: &str, pk: &str, page: i32) -> Vec<Item> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(TABLE)
                .index_name(index)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", format!("{index}pk"))
                .expression_attribute_values(":pk", s(pk))
                .limit(page)
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return items;
            }
        }
    }
}

fn template_table() -> TableSpec {
    Template::load(&project_root().join("template.yaml")).unwrap().table
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(number: i64) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

fn item(pk: &str, sk: &str, attributes: &[(&str, AttributeValue)]) -> Item {
    let mut item = key(pk, sk);
    item.extend(attributes.iter().map(|(name, value)| (name.to_string(), value.clone())));
    item
}

fn number(item: &Item, name: &str) -> i64 {
    item[name].as_n().unwrap().parse().unwrap()
}

fn guarded_put(item: Item) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(TABLE)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .unwrap();
    TransactWriteItem::builder().put(put).build()
}

fn versioned_update(pk: &str, sk: &str, version: i64) -> TransactWriteItem {
    let update = Update::builder()
        .table_name(TABLE)
        .set_key(Some(key(pk, sk)))
        .update_expression("SET #title = :title ADD #version :one")
        .condition_expression("#version = :version")
        .expression_attribute_names("#title", "title")
        .expression_attribute_names("#version", "version")
        .expression_attribute_values(":title", s("changed"))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":version", n(version))
        .build()
        .unwrap();
    TransactWriteItem::builder().update(update).build()
}

/// The cancellation reasons of a transaction that had to fail, one code per action.
async fn cancellation_codes(client: &Client, actions: Vec<TransactWriteItem>) -> Vec<String> {
    let error = client.transact_write_items().set_transact_items(Some(actions)).send().await.unwrap_err();
    match error.into_service_error() {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => {
            cancelled.cancellation_reasons().iter().map(|reason| reason.code().unwrap_or_default().to_owned()).collect()
        }
        other => panic!("expected TransactionCanceledException, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cancelled_transaction_names_the_action_whose_condition_failed_and_writes_nothing() {
    let local = Local::in_memory().await;
    local.put(item("USERNAME#bob", "GUARD", &[])).await;
    local.put(item("TASK#1", "TASK", &[("version", n(3))])).await;

    let codes = cancellation_codes(
        &local.client,
        vec![
            guarded_put(item("USER#7", "PROFILE", &[])),
            guarded_put(item("USERNAME#bob", "GUARD", &[])),
            versioned_update("TASK#1", "TASK", 3),
        ],
    )
    .await;
    assert_eq!(codes, ["None", "ConditionalCheckFailed", "None"]);
    let codes = cancellation_codes(
        &local.client,
        vec![guarded_put(item("USER#7", "PROFILE", &[])), versioned_update("TASK#1", "TASK", 2)],
    )
    .await;
    assert_eq!(codes, ["None", "ConditionalCheckFailed"]);

    assert!(local.get("USER#7", "PROFILE").await.is_none(), "a cancelled transaction wrote its put");
    assert_eq!(number(&local.get("TASK#1", "TASK").await.unwrap(), "version"), 3);
    local
        .client
        .transact_write_items()
        .transact_items(guarded_put(item("USER#7", "PROFILE", &[])))
        .transact_items(versioned_update("TASK#1", "TASK", 3))
        .send()
        .await
        .unwrap();
    let task = local.get("TASK#1", "TASK").await.unwrap();
    assert_eq!((number(&task, "version"), task["title"].clone()), (4, s("changed")));
    assert!(local.get("USER#7", "PROFILE").await.is_some());
}

#[tokio::test]
async fn conditional_puts_updates_and_deletes_change_nothing_when_their_condition_fails() {
    let local = Local::in_memory().await;
    let client = &local.client;
    let create = || {
        client
            .put_item()
            .table_name(TABLE)
            .set_item(Some(item("TEAM#1", "TEAM", &[("version", n(1))])))
            .condition_expression("attribute_not_exists(pk)")
    };
    create().send().await.unwrap();
    let error = create().send().await.unwrap_err();
    assert_eq!(error.code(), Some("ConditionalCheckFailedException"));

    let update_if_version = |version: i64| {
        client
            .update_item()
            .table_name(TABLE)
            .set_key(Some(key("TEAM#1", "TEAM")))
            .update_expression("SET #name = :name")
            .condition_expression("#version = :version")
            .expression_attribute_names("#name", "name")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":name", s(&format!("v{version}")))
            .expression_attribute_values(":version", n(version))
    };
    let error = update_if_version(2).send().await.unwrap_err();
    assert_eq!(error.code(), Some("ConditionalCheckFailedException"));
    assert!(!local.get("TEAM#1", "TEAM").await.unwrap().contains_key("name"));
    update_if_version(1).send().await.unwrap();
    assert_eq!(local.get("TEAM#1", "TEAM").await.unwrap()["name"], s("v1"));

    // An update under `attribute_exists` must not create the item it did not find.
    let error = client
        .update_item()
        .table_name(TABLE)
        .set_key(Some(key("TEAM#2", "TEAM")))
        .update_expression("SET #name = :name")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_names("#name", "name")
        .expression_attribute_values(":name", s("ghost"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ConditionalCheckFailedException"));
    assert!(local.get("TEAM#2", "TEAM").await.is_none());

    // A login-failure window: replaced only once it has ended (or if there is none).
    local.put(item("LOGIN#bob", "FAILURES", &[("window_ends_at", n(2_000))])).await;
    let restart_window = |now: i64| {
        client
            .put_item()
            .table_name(TABLE)
            .set_item(Some(item("LOGIN#bob", "FAILURES", &[("window_ends_at", n(now + 900))])))
            .condition_expression("attribute_not_exists(pk) OR #end <= :now")
            .expression_attribute_names("#end", "window_ends_at")
            .expression_attribute_values(":now", n(now))
    };
    assert!(restart_window(1_999).send().await.is_err());
    restart_window(2_000).send().await.unwrap();

    local.put(item("NOTIFICATION#1", "N", &[("is_read", AttributeValue::Bool(true))])).await;
    let delete_if_unread = || {
        client
            .delete_item()
            .table_name(TABLE)
            .set_key(Some(key("NOTIFICATION#1", "N")))
            .condition_expression("#read = :false")
            .expression_attribute_names("#read", "is_read")
            .expression_attribute_values(":false", AttributeValue::Bool(false))
    };
    let error = delete_if_unread().send().await.unwrap_err();
    assert_eq!(error.code(), Some("ConditionalCheckFailedException"));
    assert!(local.get("NOTIFICATION#1", "N").await.is_some());
    local.put(item("NOTIFICATION#1", "N", &[("is_read", AttributeValue::Bool(false))])).await;
    delete_if_unread().send().await.unwrap();
    assert!(local.get("NOTIFICATION#1", "N").await.is_none());
}

#[tokio::test]
async fn update_expressions_set_remove_add_delete_and_if_not_exists() {
    let local = Local::in_memory().await;
    let client = &local.client;
    let add_to_counter = |count: i64| {
        client
            .update_item()
            .table_name(TABLE)
            .set_key(Some(key("COUNTER", "task")))
            .update_expression("ADD #value :count")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":count", n(count))
            .return_values(ReturnValue::UpdatedNew)
    };
    // ADD creates a missing counter from zero and answers the new value.
    let first = add_to_counter(1).send().await.unwrap();
    assert_eq!(number(first.attributes().unwrap(), "value"), 1);
    let next = add_to_counter(5).send().await.unwrap();
    assert_eq!(number(next.attributes().unwrap(), "value"), 6);

    local.put(item("USER#1", "PROFILE", &[("role", s("member")), ("team_id", n(4)), ("nickname", s("Bo"))])).await;
    client
        .update_item()
        .table_name(TABLE)
        .set_key(Some(key("USER#1", "PROFILE")))
        .update_expression(
            "SET #role = :role, #first = if_not_exists(#first, :now), #nick = if_not_exists(#nick, :nick) REMOVE #team",
        )
        .expression_attribute_names("#role", "role")
        .expression_attribute_names("#team", "team_id")
        .expression_attribute_names("#first", "first_seen")
        .expression_attribute_names("#nick", "nickname")
        .expression_attribute_values(":role", s("super_admin"))
        .expression_attribute_values(":now", n(1_700_000_000))
        .expression_attribute_values(":nick", s("replaced"))
        .send()
        .await
        .unwrap();
    let user = local.get("USER#1", "PROFILE").await.unwrap();
    assert_eq!(user["role"], s("super_admin"));
    assert!(!user.contains_key("team_id"), "REMOVE left the attribute: {user:?}");
    assert_eq!(user["first_seen"], n(1_700_000_000), "if_not_exists did not set a missing attribute");
    assert_eq!(user["nickname"], s("Bo"), "if_not_exists replaced an existing attribute");

    // A connection's channels: a string set, added to and taken from.
    let channels = |action: &str, channel: &str| {
        client
            .update_item()
            .table_name(TABLE)
            .set_key(Some(key("CONNECTION#c1", "CONNECTION")))
            .update_expression(format!("{action} #channels :channel"))
            .expression_attribute_names("#channels", "channels")
            .expression_attribute_values(":channel", AttributeValue::Ss(vec![channel.to_owned()]))
    };
    channels("ADD", "project_1").send().await.unwrap();
    channels("ADD", "project_2").send().await.unwrap();
    channels("ADD", "project_2").send().await.unwrap();
    let mut held = local.get("CONNECTION#c1", "CONNECTION").await.unwrap()["channels"].as_ss().unwrap().clone();
    held.sort();
    assert_eq!(held, ["project_1", "project_2"]);
    channels("DELETE", "project_1").send().await.unwrap();
    channels("DELETE", "project_2").send().await.unwrap();
    let connection = local.get("CONNECTION#c1", "CONNECTION").await.unwrap();
    assert!(!connection.contains_key("channels"), "an emptied set must vanish: {connection:?}");
}

#[tokio::test]
async fn a_sparse_index_holds_only_the_items_that_have_its_keys() {
    let local = Local::in_memory().await;
    for id in 1..=3 {
        let owed = [("gsi3pk", s("REMINDERS")), ("gsi3sk", s(&format!("2026-11-2{id}#TASK#{id}")))];
        local.put(item(&format!("TASK#{id}"), "TASK", &owed)).await;
    }
    for id in 4..=5 {
        local.put(item(&format!("TASK#{id}"), "TASK", &[])).await;
    }
    assert_eq!(local.query_index("gsi3", "REMINDERS", 100).await.len(), 3);

    // Told it is overdue, a task leaves the index; owed again, it comes back.
    let update = |expression: &str| {
        let request = local
            .client
            .update_item()
            .table_name(TABLE)
            .set_key(Some(key("TASK#1", "TASK")))
            .update_expression(expression)
            .expression_attribute_names("#gsi3pk", "gsi3pk")
            .expression_attribute_names("#gsi3sk", "gsi3sk");
        if expression.contains(":pk") {
            request.expression_attribute_values(":pk", s("REMINDERS")).expression_attribute_values(":sk", s("2027"))
        } else {
            request
        }
    };
    update("REMOVE #gsi3pk, #gsi3sk").send().await.unwrap();
    let owed: Vec<_> = local.query_index("gsi3", "REMINDERS", 100).await.iter().map(|i| i["pk"].clone()).collect();
    assert_eq!(owed, [s("TASK#2"), s("TASK#3")]);
    update("SET #gsi3pk = :pk, #gsi3sk = :sk").send().await.unwrap();
    let owed: Vec<_> = local.query_index("gsi3", "REMINDERS", 100).await.iter().map(|i| i["pk"].clone()).collect();
    assert_eq!(owed, [s("TASK#2"), s("TASK#3"), s("TASK#1")], "sorted by the new sort key");

    // An index key must be a string, as declared: NULL is refused (serde_dynamo writes None
    // as NULL, DESIGN §4), so the store skips absent index keys instead.
    let error = local
        .client
        .put_item()
        .table_name(TABLE)
        .set_item(Some(item("TASK#9", "TASK", &[("gsi3pk", AttributeValue::Null(true))])))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ValidationException"));
}

#[tokio::test]
async fn a_query_pages_with_limit_and_exclusive_start_key() {
    let local = Local::in_memory().await;
    let items: Vec<Item> = (0..25)
        .map(|i| {
            let index_keys = [("gsi1pk", s("TEAM#1")), ("gsi1sk", s(&format!("USER#{i:02}")))];
            item("PROJECT#1", &format!("TASK#{i:02}"), &index_keys)
        })
        .collect();
    for item in &items {
        local.put(item.clone()).await;
    }
    local.put(item("PROJECT#2", "TASK#00", &[])).await;

    let query = |condition: &str, bound: Option<&str>, start: Option<Item>| {
        let request = local
            .client
            .query()
            .table_name(TABLE)
            .key_condition_expression(condition)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", s("PROJECT#1"))
            .limit(10)
            .set_exclusive_start_key(start);
        match bound {
            Some(bound) => {
                request.expression_attribute_names("#sk", "sk").expression_attribute_values(":bound", s(bound))
            }
            None => request,
        }
    };
    let mut pages = Vec::new();
    let mut start = None;
    loop {
        let output = query("#pk = :pk", None, start).send().await.unwrap();
        pages.push(output.items().iter().map(|i| i["sk"].as_s().unwrap().clone()).collect::<Vec<_>>());
        start = output.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
    let expected: Vec<String> = (0..25).map(|i| format!("TASK#{i:02}")).collect();
    assert_eq!(pages.concat(), expected, "every item once, in sort-key order");

    let prefixed = query("#pk = :pk AND begins_with(#sk, :bound)", Some("TASK#1"), None).send().await.unwrap();
    assert_eq!(prefixed.count(), 10);
    let up_to = query("#pk = :pk AND #sk <= :bound", Some("TASK#04"), None).send().await.unwrap();
    assert_eq!(up_to.count(), 5);

    // An index's pages too: its start key carries the index's keys and the table's.
    let by_index = local.query_index("gsi1", "TEAM#1", 7).await;
    assert_eq!(by_index.len(), 25);
}

#[tokio::test]
async fn batch_writes_and_reads_keep_dynamodb_limits() {
    let local = Local::in_memory().await;
    let put = |i: usize| {
        let item = item("BATCH", &format!("ITEM#{i:03}"), &[]);
        WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item)).build().unwrap()).build()
    };
    let written =
        local.client.batch_write_item().request_items(TABLE, (0..25).map(put).collect()).send().await.unwrap();
    assert!(written.unprocessed_items().is_none_or(HashMap::is_empty));
    let error = local.client.batch_write_item().request_items(TABLE, (0..26).map(put).collect()).send().await;
    assert_eq!(error.unwrap_err().code(), Some("ValidationException"), "26 writes in one batch");

    let keys = |count: usize| {
        let mut request = KeysAndAttributes::builder().consistent_read(true);
        for i in 0..count {
            request = request.keys(key("BATCH", &format!("ITEM#{i:03}")));
        }
        request.build().unwrap()
    };
    let read = local.client.batch_get_item().request_items(TABLE, keys(100)).send().await.unwrap();
    assert_eq!(read.responses().unwrap()[TABLE].len(), 25, "the 25 that exist of 100 keys");
    let error = local.client.batch_get_item().request_items(TABLE, keys(101)).send().await;
    assert_eq!(error.unwrap_err().code(), Some("ValidationException"), "101 keys in one batch");

    let delete = |i: usize| {
        let key = key("BATCH", &format!("ITEM#{i:03}"));
        WriteRequest::builder().delete_request(DeleteRequest::builder().set_key(Some(key)).build().unwrap()).build()
    };
    local.client.batch_write_item().request_items(TABLE, (0..25).map(delete).collect()).send().await.unwrap();
    let read = local.client.batch_get_item().request_items(TABLE, keys(25)).send().await.unwrap();
    assert!(read.responses().unwrap()[TABLE].is_empty());
}

/// A BatchGetItem answers at most 16 MB and hands back the other keys as unprocessed, as
/// DynamoDB does; the store asks again for those until it has every item.
#[tokio::test]
async fn a_batch_get_past_16_mb_hands_back_unprocessed_keys_and_the_store_asks_again() {
    let local = Local::in_memory().await;
    let db = Db::new(local.client.clone(), TABLE);
    let filler = "x".repeat(350 * 1024);
    let keys: Vec<Key> = (0..60).map(|i| Key { pk: "LARGE".into(), sk: format!("ITEM#{i:02}") }).collect();
    let items = keys.iter().map(|k| item(&k.pk, &k.sk, &[("filler", s(&filler))])).collect();
    db.put_all(items).await.unwrap();

    let mut request = KeysAndAttributes::builder();
    for k in &keys {
        request = request.keys(key(&k.pk, &k.sk));
    }
    let first = local.client.batch_get_item().request_items(TABLE, request.build().unwrap()).send().await.unwrap();
    let unprocessed = first.unprocessed_keys().and_then(|u| u.get(TABLE)).map_or(0, |k| k.keys().len());
    assert!(unprocessed > 0, "21 MB of items came back in one answer");

    let found = db.get_many(&keys).await.unwrap();
    assert_eq!(found.len(), keys.len());
}

#[tokio::test]
async fn the_ttl_attribute_is_enabled_and_an_expired_item_stays_readable_until_swept() {
    let local = Local::in_memory().await;
    let described = local.client.describe_time_to_live().table_name(TABLE).send().await.unwrap();
    let ttl = described.time_to_live_description().unwrap();
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    // DynamoDB deletes expired items within days, not at once: the code checks expiry itself.
    local.put(item("SESSION#1", "SESSION", &[("expires_at", n(1_000))])).await;
    assert_eq!(local.get("SESSION#1", "SESSION").await.unwrap()["expires_at"], n(1_000));
}

/// A scratch directory under the system's temporary directory, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> ScratchDir {
        let path = std::env::temp_dir().join(format!("teamsync-dynamodb-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        ScratchDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_kept_database_survives_a_restart_without_its_expired_items() {
    let scratch = ScratchDir::new();
    let file = scratch.path().join("dynamodb.sqlite");
    let now = jiff::Timestamp::now().as_second();
    {
        let (local, state) = Local::start(Storage::File(file.clone())).await;
        assert_eq!(state, TableState::Created);
        local.put(item("USER#1", "PROFILE", &[("nickname", s("Alice"))])).await;
        local.put(item("SESSION#1", "LIVE", &[("expires_at", n(now + 3_600))])).await;
        local.put(item("SESSION#2", "EXPIRED", &[("expires_at", n(now - 60))])).await;
    }

    let (local, state) = Local::start(Storage::File(file.clone())).await;
    // Its items, and the record of their layout.
    assert!(matches!(state, TableState::Kept { items: 3..=4 }), "{state:?}");
    assert_eq!(local.get("USER#1", "PROFILE").await.unwrap()["nickname"], s("Alice"));
    assert!(local.get("SESSION#1", "LIVE").await.is_some());
    // A kept database is swept of expired items when it opens, in the background.
    let deadline = Instant::now() + Duration::from_secs(10);
    while local.get("SESSION#2", "EXPIRED").await.is_some() {
        assert!(Instant::now() < deadline, "the expired item was never swept");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let described = local.client.describe_table().table_name(TABLE).send().await.unwrap();
    assert_eq!(described.table().and_then(|t| t.item_count()), Some(3));
}

#[tokio::test]
async fn a_kept_table_of_items_in_an_older_layout_is_refused() {
    let scratch = ScratchDir::new();
    let file = scratch.path().join("dynamodb.sqlite");
    {
        let (local, _) = Local::start(Storage::File(file.clone())).await;
        let marker = teamsync::keys::layout_marker();
        let older = item(&marker.pk, &marker.sk, &[("version", n(teamsync::keys::LAYOUT_VERSION as i64 - 1))]);
        local.put(older).await;
    }
    let emulator = DynamoDbEmulator::start(&Storage::File(file), 0).unwrap();
    let client = Client::new(&stack::sdk_config(&emulator.url).await);
    let error = table::ensure(&client, TABLE, &template_table()).await.unwrap_err();
    assert!(error.contains("layout") && error.contains("make reset"), "{error}");
}

#[tokio::test]
async fn a_kept_table_of_another_layout_is_refused() {
    let scratch = ScratchDir::new();
    let file = scratch.path().join("dynamodb.sqlite");
    drop(Local::start(Storage::File(file.clone())).await);

    let emulator = DynamoDbEmulator::start(&Storage::File(file), 0).unwrap();
    let client = Client::new(&stack::sdk_config(&emulator.url).await);
    let mut newer = template_table();
    let mut extra_index = newer.global_secondary_indexes[0].clone();
    extra_index.index_name = "gsi9".into();
    newer.global_secondary_indexes.push(extra_index);
    let error = table::ensure(&client, TABLE, &newer).await.unwrap_err();
    assert!(error.contains("make reset"), "{error}");
}

/// How many requests race in the concurrency checks.
const RACERS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_parallel_conditional_puts_of_one_key_exactly_one_succeeds() {
    let local = Local::in_memory().await;
    let attempts = (0..RACERS).map(|i| {
        local
            .client
            .put_item()
            .table_name(TABLE)
            .set_item(Some(item("USERNAME#bob", "GUARD", &[("user_id", n(i as i64))])))
            .condition_expression("attribute_not_exists(pk)")
            .send()
    });
    let outcomes = join_all(attempts).await;
    let won: Vec<usize> = outcomes.iter().enumerate().filter(|(_, o)| o.is_ok()).map(|(i, _)| i).collect();
    assert_eq!(won.len(), 1, "{outcomes:?}");
    for lost in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert_eq!(lost.code(), Some("ConditionalCheckFailedException"));
    }
    let guard = local.get("USERNAME#bob", "GUARD").await.unwrap();
    assert_eq!(number(&guard, "user_id"), won[0] as i64, "the winner's write is the one kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_parallel_transactions_on_one_guard_exactly_one_commits() {
    let local = Local::in_memory().await;
    // As a registration: the user's item and the guard of its username, together or not at all.
    let attempts = (0..RACERS).map(|i| {
        local
            .client
            .transact_write_items()
            .transact_items(guarded_put(item(&format!("USER#{i}"), "PROFILE", &[])))
            .transact_items(guarded_put(item("USERNAME#bob", "GUARD", &[("user_id", n(i as i64))])))
            .send()
    });
    let outcomes = join_all(attempts).await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    for lost in outcomes.into_iter().filter_map(Result::err) {
        match lost.into_service_error() {
            TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                let codes: Vec<_> = cancelled.cancellation_reasons().iter().map(|r| r.code()).collect();
                assert_eq!(codes, [Some("None"), Some("ConditionalCheckFailed")]);
            }
            other => panic!("expected TransactionCanceledException, got {other:?}"),
        }
    }
    let winner = number(&local.get("USERNAME#bob", "GUARD").await.unwrap(), "user_id");
    for i in 0..RACERS as i64 {
        let user = local.get(&format!("USER#{i}"), "PROFILE").await;
        assert_eq!(user.is_some(), i == winner, "user {i}: only the winner's transaction may write");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_counter_additions_hand_out_distinct_ids() {
    let local = Local::in_memory().await;
    let additions = (0..RACERS).map(|_| {
        local
            .client
            .update_item()
            .table_name(TABLE)
            .set_key(Some(key("COUNTER", "user")))
            .update_expression("ADD #value :one")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
    });
    let mut ids: Vec<i64> =
        join_all(additions).await.into_iter().map(|o| number(o.unwrap().attributes().unwrap(), "value")).collect();
    ids.sort();
    assert_eq!(ids, (1..=RACERS as i64).collect::<Vec<_>>());
}
