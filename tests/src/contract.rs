//! The contract check of the test client: every answer a black-box test receives must be
//! one that `openapi/teamsync.yaml` documents for its route and status, with the body its
//! schema describes and the headers it requires. So a changed field, a new status or a
//! forgotten route fails the test that met it, and the document cannot drift from the code.
//! The same holds for every message a test's WebSocket receives.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use teamsync_local::openapi::{self, Operation};
use teamsync_local::project_root;

/// The document and the validators compiled from it so far (one per route and status).
struct Contract {
    document: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| {
    let document = openapi::load(&project_root()).unwrap_or_else(|e| panic!("{e}"));
    let operations = openapi::operations(&document);
    Contract { document, operations, validators: Mutex::default() }
});

/// Where the API answers: the routes the document covers. The local stack's own routes
/// (`/_local/`) and the reference page are not part of the contract.
fn in_contract(path: &str) -> bool {
    (path.starts_with("/api/") || path.starts_with("/.well-known/")) && !is_reference(path)
}

/// The document and its page, served by the local stack beside the API.
pub fn is_reference(path: &str) -> bool {
    path.starts_with("/api/openapi.") || path == "/api/docs" || path.starts_with("/api/docs/")
}

/// Checks one answer: Err says what breaks the contract.
pub fn check(method: &str, path: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    if !in_contract(path) || method == "OPTIONS" {
        return Ok(());
    }
    let contract = &*CONTRACT;
    let templates = contract.operations.iter().map(|op| op.path.as_str());
    let Some(template) = openapi::template_of(templates, path) else {
        // What no route takes: the catch-all's 404.
        return contract.check_error(status, 404, body, "an undocumented path");
    };
    let Some(operation) = contract.operations.iter().find(|op| op.path == template && op.method == method) else {
        // HTTP's 405 names what the path takes: the methods the document gives it.
        let mut documented: Vec<&str> =
            contract.operations.iter().filter(|op| op.path == template).map(|op| op.method.as_str()).collect();
        let allow = headers.get("allow").and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut allowed: Vec<&str> = allow.split(',').map(str::trim).filter(|m| !m.is_empty()).collect();
        documented.sort_unstable();
        allowed.sort_unstable();
        if status == 405 && allowed != documented {
            return Err(format!("{method} {path}: 405 with Allow '{allow}', not the documented {documented:?}"));
        }
        return contract.check_error(status, 405, body, "a method the path does not document");
    };
    contract.check_operation(operation, status, headers, body)
}

/// Checks a message the WebSocket API sent: it must be one the document's
/// `WsServerMessage` describes (its `x-websocket` part lists them).
pub fn check_ws_message(message: &Value) -> Result<(), String> {
    let schema = json!({"$ref": "#/components/schemas/WsServerMessage"});
    CONTRACT.validate("the WebSocket message", &schema, message.to_string().as_bytes())
}

impl Contract {
    fn check_error(&self, status: u16, expected: u16, body: &[u8], what: &str) -> Result<(), String> {
        if status != expected {
            return Err(format!("{what} answered {status}, not {expected}"));
        }
        self.validate("#/components/schemas/Error", &json!({"$ref": "#/components/schemas/Error"}), body)
    }

    fn check_operation(&self, op: &Operation, status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
        let responses = &self.document.pointer(&op.pointer).expect("an operation's own pointer")["responses"];
        let response = responses.get(status.to_string()).or_else(|| responses.get("default"));
        let Some(response) = response else {
            return Err(format!("{} {} does not document the status {status}", op.method, op.path));
        };
        let response = self.resolve(response);
        if let Some(documented) = response["headers"].as_object() {
            for (name, header) in documented {
                let header = self.resolve(header);
                if header["required"] == true && !headers.contains_key(name.as_str()) {
                    return Err(format!("{} {} {status} lacks its header {name}", op.method, op.path));
                }
            }
        }
        let Some(schema) = response.pointer("/content/application~1json/schema") else {
            return Ok(());
        };
        let key = format!("{} {} {status}", op.method, op.path);
        self.validate(&key, schema, body)
    }

    /// A `$ref` to a component, followed; anything else as it is.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.document.pointer(pointer).unwrap_or(value),
            None => value,
        }
    }

    fn validate(&self, key: &str, schema: &Value, body: &[u8]) -> Result<(), String> {
        let instance: Value = serde_json::from_slice(body)
            .map_err(|_| format!("{key}: the body is not JSON: {}", String::from_utf8_lossy(body)))?;
        let validator = self.validator(key, schema)?;
        let problems: Vec<String> =
            validator.iter_errors(&instance).map(|e| format!("at '{}': {e}", e.instance_path())).take(8).collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{key}: the body does not match the document:\n  {}\nbody: {instance}", problems.join("\n  ")))
        }
    }

    /// The validator of one schema of the document, compiled once. Its root carries the
    /// document's components, so that `#/components/...` references resolve as in the document.
    fn validator(&self, key: &str, schema: &Value) -> Result<Arc<jsonschema::Validator>, String> {
        let mut validators = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(validator) = validators.get(key) {
            return Ok(validator.clone());
        }
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.document["components"],
            "allOf": [schema],
        });
        let validator = jsonschema::draft202012::options()
            .build(&root)
            .map_err(|e| format!("{key}: the document's schema does not compile: {e}"))?;
        let validator = Arc::new(validator);
        validators.insert(key.to_owned(), validator.clone());
        Ok(validator)
    }
}
