//! Creates the table as template.yaml declares it.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};

use crate::template::{KeyElement, TableSpec};

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
    request.send().await.map_err(|e| error("create", &aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
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
            .map_err(|e| error("ttl", &aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
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
