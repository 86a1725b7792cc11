//! openapi/teamsync.yaml and the code say the same: every route a function serves is an
//! operation of the document and every operation is a route a function serves, every route
//! of template.yaml (HTTP and WebSocket) is in it, and every example it shows is an answer
//! its own schema accepts. (That each answer the tests receive matches the document is the
//! test client's check, tests/src/contract.rs; that the document is valid OpenAPI 3.1 is
//! `make lint`'s.)

use std::collections::BTreeSet;

use functions::{FUNCTIONS, Kind};
use reqwest::Method;
use serde_json::{Value, json};
use teamsync_local::gateway::match_route;
use teamsync_local::openapi::{self, escape, sample_path};
use teamsync_local::project_root;
use teamsync_local::template::Template;

fn document() -> Value {
    openapi::load(&project_root()).unwrap()
}

/// A route as both sides can spell it: `GET /api/tasks/{}` (parameter names and the trailing
/// slash are not significant).
fn normalised(method: &str, path: &str) -> String {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').map(|s| if s.starts_with('{') { "{}" } else { s }).collect();
    format!("{} {}", method.to_ascii_uppercase(), segments.join("/"))
}

#[test]
fn the_document_and_the_functions_route_tables_list_the_same_routes() {
    let mut served = BTreeSet::new();
    for function in FUNCTIONS {
        if let Kind::Http(routes) = function.kind {
            served.extend(routes().list().map(|(method, path)| normalised(method.as_str(), path)));
        }
    }
    let documented: BTreeSet<String> =
        openapi::operations(&document()).iter().map(|op| normalised(&op.method, &op.path)).collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "routes the functions serve and the document lacks: {undocumented:#?}");
    assert!(unserved.is_empty(), "operations of the document no function serves: {unserved:#?}");
}

#[test]
fn every_route_of_template_yaml_leads_to_operations_of_the_document() {
    let template = Template::load(&project_root().join("template.yaml")).unwrap();
    let operations = openapi::operations(&document());
    for route in template.routes.iter().filter(|route| !route.is_default()) {
        let reached = operations.iter().any(|op| {
            let method: Method = op.method.parse().unwrap();
            (route.method == "ANY" || route.method == op.method)
                && match_route(std::slice::from_ref(route), &method, &sample_path(&op.path)).is_some()
        });
        assert!(reached, "template.yaml's {} reaches no operation of the document", route.route_key());
    }
}

#[test]
fn the_websocket_routes_of_template_yaml_are_documented() {
    let template = Template::load(&project_root().join("template.yaml")).unwrap();
    let document = document();
    let routes = document["x-websocket"]["routes"].as_object().expect("x-websocket.routes");
    for route in &template.websocket.routes {
        assert!(routes.contains_key(&route.route_key), "x-websocket.routes lacks {}", route.route_key);
    }
}

#[test]
fn every_example_is_an_answer_its_schema_accepts() {
    let document = document();
    let mut checked = 0;
    for op in openapi::operations(&document) {
        let responses = document.pointer(&format!("{}/responses", op.pointer)).and_then(Value::as_object);
        for status in responses.into_iter().flat_map(|responses| responses.keys()) {
            let media = format!("{}/responses/{}/content/application~1json", op.pointer, escape(status));
            let Some(content) = document.pointer(&media) else { continue };
            let examples = content.get("example").into_iter().chain(
                content["examples"].as_object().into_iter().flatten().filter_map(|(_, example)| example.get("value")),
            );
            for example in examples {
                let root = json!({"components": document["components"], "allOf": [content["schema"]]});
                let validator = jsonschema::draft202012::new(&root).unwrap();
                let problems: Vec<String> = validator.iter_errors(example).map(|e| e.to_string()).collect();
                assert!(problems.is_empty(), "{} {} {status}: its example {problems:?}", op.method, op.path);
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} examples: most routes should show a real answer");
}

#[test]
fn every_link_leads_to_an_operation_of_the_document() {
    let document = document();
    let ids: BTreeSet<&str> = document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .filter_map(|(_, operation)| operation["operationId"].as_str())
        .collect();
    let mut links = 0;
    for op in openapi::operations(&document) {
        let responses = document.pointer(&format!("{}/responses", op.pointer)).and_then(Value::as_object);
        for response in responses.into_iter().flat_map(|responses| responses.values()) {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                let target = link["operationId"].as_str().unwrap_or("");
                assert!(ids.contains(target), "{} {}: link {name} names no operation ({target})", op.method, op.path);
                links += 1;
            }
        }
    }
    assert!(links > 0, "the creates link to what may follow them");
}
