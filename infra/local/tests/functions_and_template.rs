//! The functions' own list and route tables (`functions::FUNCTIONS`) and template.yaml say
//! the same: every route a function declares reaches that function through API Gateway's
//! route selection, every HTTP route of the template reaches a route its function serves,
//! and every function is a resource of the template, built from a binary that exists.

use std::path::Path;

use functions::{FUNCTIONS, Kind};
use http::Method;
use teamsync_local::gateway::match_route;
use teamsync_local::openapi::sample_path;
use teamsync_local::project_root;
use teamsync_local::template::Template;

fn template() -> Template {
    Template::load(&project_root().join("template.yaml")).unwrap()
}

fn http_routes() -> Vec<(&'static str, Method, &'static str)> {
    let mut all = Vec::new();
    for function in FUNCTIONS {
        if let Kind::Http(routes) = function.kind {
            all.extend(routes().list().map(|(method, path)| (function.logical_id, method.clone(), path)));
        }
    }
    all
}

#[test]
fn every_declared_route_reaches_its_function() {
    let template = template();
    for (function, method, pattern) in http_routes() {
        let path = sample_path(pattern);
        let matched = match_route(&template.routes, &method, &path);
        let reached = matched.map(|m| m.route.function.clone());
        assert_eq!(reached.as_deref(), Some(function), "{method} {pattern} ({path}) in template.yaml");
    }
}

#[test]
fn every_template_route_is_served_by_its_function() {
    let template = template();
    let declared = http_routes();
    for route in &template.routes {
        if route.is_default() {
            // What no route takes: an HTTP function, whose routes answer an unknown path
            // with the 404 envelope.
            let function = FUNCTIONS.iter().find(|f| f.logical_id == route.function);
            assert!(function.is_some_and(|f| matches!(f.kind, Kind::Http(_))), "$default goes to {}", route.function);
            continue;
        }
        let served = declared.iter().any(|(function, method, pattern)| {
            let same_method = route.method == "ANY" || route.method == method.as_str();
            *function == route.function
                && same_method
                && match_route(std::slice::from_ref(route), method, &sample_path(pattern)).is_some()
        });
        assert!(served, "template.yaml routes {} to {}, which serves nothing there", route.route_key(), route.function);
    }
}

#[test]
fn every_function_is_in_the_template_with_its_binary() {
    let text = std::fs::read_to_string(project_root().join("template.yaml")).unwrap();
    let template: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let resources = template["Resources"].as_mapping().unwrap();
    let in_template: Vec<(&str, &str)> = resources
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, resource)| {
            (id.as_str().unwrap(), resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or(""))
        })
        .collect();
    let listed: Vec<(&str, &str)> = FUNCTIONS.iter().map(|f| (f.logical_id, f.binary)).collect();
    let mut sorted_template = in_template.clone();
    sorted_template.sort();
    let mut sorted_listed = listed.clone();
    sorted_listed.sort();
    assert_eq!(sorted_listed, sorted_template, "functions::FUNCTIONS and template.yaml's functions");
    for (_, binary) in listed {
        let source = project_root().join("functions/src/bin").join(format!("{binary}.rs"));
        assert!(Path::new(&source).exists(), "{} is missing", source.display());
    }
}

/// A function's resource in template.yaml, as text: its lines, up to the next resource
/// (the next line indented by two spaces).
fn resource_text(template: &str, logical_id: &str) -> String {
    let is_resource = |line: &str| line.starts_with("  ") && line[2..].starts_with(|c: char| c.is_ascii_alphabetic());
    let mut lines = template.lines().skip_while(|line| *line != format!("  {logical_id}:"));
    let first = lines.next().unwrap_or_else(|| panic!("{logical_id} is not in template.yaml"));
    std::iter::once(first).chain(lines.take_while(|line| !is_resource(line))).collect::<Vec<_>>().join("\n")
}

#[test]
fn each_function_builds_the_clients_its_template_permissions_call() {
    let text = std::fs::read_to_string(project_root().join("template.yaml")).unwrap();
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .build();
    let settings = teamsync::config::Settings::from_lookup(|name| match name {
        "TEAMSYNC_TABLE" => Some("table".into()),
        "TEAMSYNC_WS_ENDPOINT" => Some("https://ws.example.com/prod".into()),
        _ => None,
    })
    .unwrap();
    for function in FUNCTIONS {
        let resource = resource_text(&text, function.logical_id);
        let clients = (function.clients)(&sdk, &settings);
        let id = function.logical_id;
        assert_eq!(clients.eventbridge.is_some(), resource.contains("EventPublisherPolicy"), "{id}: events");
        assert_eq!(clients.s3.is_some(), resource.contains("s3:"), "{id}: the bucket");
        assert_eq!(clients.connections.is_some(), resource.contains("execute-api:ManageConnections"), "{id}: pushes");
        // Only what signs tokens or derives the public key reads the seed; every function
        // but the one that derives it is handed the public key, the others with no secret
        // to read at init.
        let reads_seed = matches!(id, "IdentityFunction" | "SetupFunction");
        let derives_key = id == "SetupFunction";
        assert_eq!(resource.contains("TEAMSYNC_JWT_SEED_SECRET_ARN: !Ref JwtSeedSecret"), reads_seed, "{id}: the seed");
        assert_eq!(
            resource.contains("TEAMSYNC_JWT_PUBLIC_KEY: !GetAtt Setup.PublicKey"),
            !derives_key,
            "{id}: the key"
        );
    }
}
