//! Creates the table as template.yaml declares it, or takes the one kept from an earlier
//! `make run` if it still matches.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableDescription, TableStatus, TimeToLiveSpecification,
};

use teamsync::keys;

use crate::template::{KeyElement, TableSpec};

/// What [`ensure`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableState {
    Created,
    /// Kept from an earlier run, with this many items.
    Kept {
        items: i64,
    },
}

/// The table `name` as `spec` declares it: the existing one if its keys and indexes are
/// the declared ones and its items of this code's layout ([`keys::LAYOUT_VERSION`]; an
/// error if not: its items were written for another layout), else a new one.
pub async fn ensure(client: &Client, name: &str, spec: &TableSpec) -> Result<TableState, String> {
    match client.describe_table().table_name(name).send().await {
        Ok(output) => {
            let table = output.table.ok_or_else(|| format!("DescribeTable of {name} answered no table"))?;
            let (kept, declared) = (Layout::of_table(&table), Layout::of_spec(spec));
            if kept != declared {
                return Err(format!(
                    "the kept table {name} has keys and indexes {kept:?}, template.yaml declares {declared:?}; \
                     `make reset` starts with fresh data"
                ));
            }
            match kept_layout(client, name).await? {
                Some(version) if version == keys::LAYOUT_VERSION => {}
                version => {
                    return Err(format!(
                        "the kept table {name} holds items of layout {}, this code writes layout {}; \
                         `make reset` starts with fresh data",
                        version.map_or("1".to_owned(), |v| v.to_string()),
                        keys::LAYOUT_VERSION
                    ));
                }
            }
            Ok(TableState::Kept { items: table.item_count.unwrap_or_default() })
        }
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
            create(client, name, spec).await?;
            record_layout(client, name).await?;
            Ok(TableState::Created)
        }
        Err(error) => Err(format!("DescribeTable of {name}: {}", DisplayErrorContext(error))),
    }
}

/// The layout version a kept table's items were written in (`None`: before tables
/// recorded it).
async fn kept_layout(client: &Client, name: &str) -> Result<Option<u64>, String> {
    let marker = keys::layout_marker();
    let output = client
        .get_item()
        .table_name(name)
        .key(keys::PK, AttributeValue::S(marker.pk))
        .key(keys::SK, AttributeValue::S(marker.sk))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| format!("reading the layout of {name}: {}", DisplayErrorContext(e)))?;
    Ok(output.item.and_then(|item| item.get("version")?.as_n().ok()?.parse().ok()))
}

async fn record_layout(client: &Client, name: &str) -> Result<(), String> {
    let marker = keys::layout_marker();
    client
        .put_item()
        .table_name(name)
        .item(keys::PK, AttributeValue::S(marker.pk))
        .item(keys::SK, AttributeValue::S(marker.sk))
        .item("version", AttributeValue::N(keys::LAYOUT_VERSION.to_string()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("recording the layout of {name}: {}", DisplayErrorContext(e)))
}

/// A table's key schema and its indexes' names and key schemas, in a comparable order.
#[derive(Debug, PartialEq, Eq)]
struct Layout {
    keys: Vec<(String, String)>,
    indexes: Vec<(String, Vec<(String, String)>)>,
}

impl Layout {
    fn of_spec(spec: &TableSpec) -> Layout {
        let keys = |elements: &[KeyElement]| {
            elements.iter().map(|k| (k.attribute_name.clone(), k.key_type.clone())).collect::<Vec<_>>()
        };
        let mut indexes: Vec<_> =
            spec.global_secondary_indexes.iter().map(|i| (i.index_name.clone(), keys(&i.key_schema))).collect();
        indexes.sort();
        Layout { keys: keys(&spec.key_schema), indexes }
    }

    fn of_table(table: &TableDescription) -> Layout {
        let keys = |elements: &[KeySchemaElement]| {
            elements.iter().map(|k| (k.attribute_name.clone(), k.key_type.as_str().to_owned())).collect::<Vec<_>>()
        };
        let mut indexes: Vec<_> = table
            .global_secondary_indexes()
            .iter()
            .map(|i| (i.index_name().unwrap_or_default().to_owned(), keys(i.key_schema())))
            .collect();
        indexes.sort();
        Layout { keys: keys(table.key_schema()), indexes }
    }
}

pub async fn create(client: &Client, name: &str, spec: &TableSpec) -> Result<(), String> {
    let error = |what: &str, e: &dyn std::fmt::Display| format!("{what} of table {name}: {e}");
    let mut request = client.create_table().table_name(name).billing_mode(BillingMode::PayPerRequest);
    for attribute in &spec.attribute_definitions {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&attribute.attribute_name)
                .attribute_type(ScalarAttributeType::from(attribute.attribute_type.as_str()))
                .build()
                .map_err(|e| error("attribute", &e))?,
        );
    }
    request = request.set_key_schema(Some(key_schema(&spec.key_schema)?));
    for index in &spec.global_secondary_indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.index_name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection.projection_type.as_str()))
                        .build(),
                )
                .build()
                .map_err(|e| error("index", &e))?,
        );
    }
    request.send().await.map_err(|e| error("create", &DisplayErrorContext(e)))?;
    wait_active(client, name).await?;
    if let Some(ttl) = spec.time_to_live_specification.as_ref().filter(|t| t.enabled) {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(&ttl.attribute_name)
                    .enabled(true)
                    .build()
                    .map_err(|e| error("ttl", &e))?,
            )
            .send()
            .await
            .map_err(|e| error("ttl", &DisplayErrorContext(e)))?;
    }
    Ok(())
}

fn key_schema(elements: &[KeyElement]) -> Result<Vec<KeySchemaElement>, String> {
    elements
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Polls DescribeTable: the SDK's table-exists waiter waits at least 20 s even when the
/// emulator creates tables instantly.
async fn wait_active(client: &Client, name: &str) -> Result<(), String> {
    for _ in 0..100 {
        let described = client.describe_table().table_name(name).send().await;
        if let Ok(output) = described
            && output.table.and_then(|t| t.table_status) == Some(TableStatus::Active)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("table {name} did not become active"))
}
