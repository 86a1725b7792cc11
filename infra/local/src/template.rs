//! Reads template.yaml, so that the local stack serves exactly the routes and the table that
//! AWS would get: no second list to keep in sync.

use std::path::Path;

use serde::Deserialize;
use serde_norway::Value;

/// An `HttpApi` event of a function: `METHOD /path` (method may be `ANY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    pub function: String,
    pub method: String,
    pub path: String,
}

impl HttpRoute {
    pub fn route_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The table's shape, in CloudFormation's own field names.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableSpec {
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<SecondaryIndex>,
    pub time_to_live_specification: Option<TimeToLive>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecondaryIndex {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: Projection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    pub projection_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLive {
    pub attribute_name: String,
    pub enabled: bool,
}

/// CORS of the HttpApi, as API Gateway applies it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cors {
    #[serde(default)]
    pub allow_headers: Vec<String>,
    #[serde(default)]
    pub allow_methods: Vec<String>,
    #[serde(default)]
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub routes: Vec<HttpRoute>,
    pub table: TableSpec,
    pub cors: Cors,
}

impl Template {
    pub fn load(path: &Path) -> Result<Template, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Template::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Template, String> {
        let doc: Value = serde_norway::from_str(text).map_err(|e| format!("template.yaml: {e}"))?;
        let resources = doc.get("Resources").and_then(Value::as_mapping).ok_or("template.yaml has no Resources")?;
        let mut routes = Vec::new();
        let mut table = None;
        let mut cors = Cors::default();
        for (name, resource) in resources {
            let name = name.as_str().unwrap_or_default();
            let kind = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
            let properties = resource.get("Properties").cloned().unwrap_or(Value::Null);
            match kind {
                "AWS::DynamoDB::Table" => {
                    let spec: TableSpec =
                        serde_norway::from_value(untagged(properties)).map_err(|e| format!("table {name}: {e}"))?;
                    table = Some(spec);
                }
                "AWS::Serverless::HttpApi" => {
                    if let Some(config) = properties.get("CorsConfiguration") {
                        cors = serde_norway::from_value(untagged(config.clone()))
                            .map_err(|e| format!("CORS of {name}: {e}"))?;
                    }
                }
                "AWS::Serverless::Function" => {
                    let events = properties.get("Events").and_then(Value::as_mapping);
                    for event in events.into_iter().flat_map(|m| m.values()) {
                        if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                            continue;
                        }
                        let props = event.get("Properties");
                        let field =
                            |key: &str| props.and_then(|p| p.get(key)).and_then(Value::as_str).map(str::to_owned);
                        let path = field("Path").ok_or_else(|| format!("an HttpApi event of {name} has no Path"))?;
                        let method = field("Method").unwrap_or_else(|| "ANY".into()).to_uppercase();
                        routes.push(HttpRoute { function: name.to_owned(), method, path });
                    }
                }
                _ => {}
            }
        }
        let table = table.ok_or("template.yaml declares no AWS::DynamoDB::Table")?;
        Ok(Template { routes, table, cors })
    }
}

/// Replaces CloudFormation's `!Ref`-style tags by their plain values, which the local
/// stack does not need to resolve.
fn untagged(value: Value) -> Value {
    match value {
        Value::Tagged(tagged) => untagged(tagged.value),
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(untagged).collect()),
        Value::Mapping(map) => Value::Mapping(map.into_iter().map(|(k, v)| (k, untagged(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_projects_template() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let template = Template::load(&path).unwrap();
        assert!(template.routes.iter().any(|r| r.function == "IdentityFunction" && r.path == "/api/auth/{proxy+}"));
        assert_eq!(template.table.key_schema[0].attribute_name, "pk");
        assert!(template.table.time_to_live_specification.as_ref().is_some_and(|t| t.enabled));
        assert!(template.cors.allow_headers.iter().any(|h| h == "Authorization"));
    }
}
