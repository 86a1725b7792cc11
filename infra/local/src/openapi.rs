//! The API's contract, `openapi/teamsync.yaml`: read as JSON, for the gateway to serve (with
//! its reference page) and for the black-box tests to check every answer against.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Where the document lives in the repository.
pub fn document_path(root: &Path) -> PathBuf {
    root.join("openapi/teamsync.yaml")
}

/// The document as JSON. YAML allows keys JSON does not (the response codes `200:` are
/// numbers): every key becomes its text.
pub fn load(root: &Path) -> Result<Value, String> {
    let path = document_path(root);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let yaml: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| format!("{} is not YAML: {e}", path.display()))?;
    to_json(yaml)
}

fn to_json(yaml: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Yaml;
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => serde_json::to_value(&n).map_err(|e| e.to_string())?,
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => return Err(format!("a key that is not text: {other:?}")),
                };
                object.insert(key, to_json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => to_json(tagged.value)?,
    })
}

/// An operation of the document: its method, path template and where it sits.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    /// The JSON pointer of its operation object (`/paths/~1api~1projects~1/get`).
    pub pointer: String,
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Every operation of the document.
pub fn operations(document: &Value) -> Vec<Operation> {
    let Some(paths) = document["paths"].as_object() else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for (path, item) in paths {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            all.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                pointer: format!("/paths/{}/{method}", escape(path)),
            });
        }
    }
    all
}

/// A JSON pointer's escape of one key.
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Whether a concrete path is an instance of a path template (`{name}` takes one segment).
/// A trailing slash is not significant, as it is not to the functions' routers.
pub fn path_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// A concrete path for a route pattern (of a route table, template.yaml or the document):
/// every `{param}` given a value.
pub fn sample_path(pattern: &str) -> String {
    pattern.split('/').map(|part| if part.starts_with('{') { "7" } else { part }).collect::<Vec<_>>().join("/")
}

/// The template that names a path, preferring literal segments over parameters, as the
/// routers do (`/api/tasks/list/` before `/api/tasks/{id}/`).
pub fn template_of<'a>(templates: impl IntoIterator<Item = &'a str>, path: &str) -> Option<&'a str> {
    templates
        .into_iter()
        .filter(|t| path_matches(t, path))
        .max_by_key(|t| t.split('/').map(|s| if s.starts_with('{') { 0 } else { 1 }).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_takes_the_most_literal_template() {
        let templates = ["/api/tasks/{id}/", "/api/tasks/list/", "/api/tasks/{id}/history/"];
        assert_eq!(template_of(templates, "/api/tasks/list/"), Some("/api/tasks/list/"));
        assert_eq!(template_of(templates, "/api/tasks/12"), Some("/api/tasks/{id}/"));
        assert_eq!(template_of(templates, "/api/tasks/12/history/"), Some("/api/tasks/{id}/history/"));
        assert_eq!(template_of(templates, "/api/tasks/"), None);
        assert_eq!(template_of(templates, "/api/tasks//"), None);
    }
}
