//! Reads template.yaml, so that the local stack serves exactly the routes, the WebSocket API,
//! the event rules and the table that AWS would get, and a function's binary can be started
//! with the environment Lambda would give it: no second list to keep in sync.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_norway::{Mapping, Value};

/// An `HttpApi` event of a function: `METHOD /path` (method may be `ANY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    pub function: String,
    pub method: String,
    pub path: String,
}

/// The route API Gateway takes when no other matches.
pub const DEFAULT_ROUTE: &str = "$default";

impl HttpRoute {
    pub fn is_default(&self) -> bool {
        self.path == DEFAULT_ROUTE
    }

    pub fn route_key(&self) -> String {
        if self.is_default() { DEFAULT_ROUTE.to_owned() } else { format!("{} {}", self.method, self.path) }
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

/// The WebSocket API (`AWS::ApiGatewayV2::Api` with ProtocolType WEBSOCKET).
#[derive(Debug, Clone, Default)]
pub struct WebSocketSpec {
    /// Which part of a message picks its route, e.g. `$request.body.action`.
    pub route_selection_expression: String,
    pub routes: Vec<WebSocketRoute>,
}

/// A route of the WebSocket API and the function its Lambda proxy integration invokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketRoute {
    /// `$connect`, `$disconnect`, `$default` or a value of the route selection expression.
    pub route_key: String,
    pub function: String,
    /// Whether a RouteResponse sends the function's answer back to the client.
    pub responds: bool,
}

/// A function's `EventBridgeRule` event: which bus events it receives.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRule {
    pub function: String,
    /// The rule's event pattern, as EventBridge reads it (JSON).
    pub pattern: serde_json::Value,
    /// How often Lambda retries an asynchronous invocation that failed: the function's
    /// EventInvokeConfig.MaximumRetryAttempts (Lambda's default 2). EventBridge hands Lambda
    /// the event asynchronously, so the function's errors are retried by Lambda under this
    /// setting; the rule's RetryPolicy only covers failures to hand the event over, which
    /// cannot happen in-process.
    pub invoke_retries: u32,
}

/// A function's `Schedule` event: EventBridge invokes the function every `period`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSpec {
    pub function: String,
    /// The event's key under the function's Events; with the function, it names the rule.
    pub event_name: String,
    /// As template.yaml writes it: `rate(15 minutes)`.
    pub expression: String,
    pub period: Duration,
}

/// An `AWS::S3::Bucket`: its logical id and the CORS rules S3 answers browsers with.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketSpec {
    pub name: String,
    pub cors_rules: Vec<CorsRule>,
}

/// A rule of a bucket's CorsConfiguration, in CloudFormation's own field names.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CorsRule {
    /// Origins, each possibly with one `*` wildcard (`*` alone allows any origin).
    #[serde(skip)]
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    /// Request headers a preflight may ask for, each possibly with one `*` wildcard.
    #[serde(default)]
    pub allowed_headers: Vec<String>,
    #[serde(default)]
    pub exposed_headers: Vec<String>,
    pub max_age: Option<u64>,
}

/// An `AWS::Serverless::Function`: its binary and the environment Lambda starts it with.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// `Metadata.BuildProperties.Binary`: its binary in functions/src/bin.
    pub binary: String,
    /// `Globals.Function.Environment.Variables` with the function's own variables over them.
    pub environment: BTreeMap<String, EnvValue>,
}

/// A value of a function's environment as template.yaml writes it. A reference is known only
/// once CloudFormation has deployed the stack, so it is kept for whoever starts the function
/// to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    /// `!Ref X`: a parameter's value, or the name or ARN of resource X.
    Ref(String),
    /// `!GetAtt X.Y`, as `X.Y`.
    GetAtt(String),
    /// `!Sub "..."`, as written.
    Sub(String),
}

/// Lambda retries a failed asynchronous invocation twice unless configured otherwise.
const DEFAULT_ASYNC_RETRIES: u32 = 2;

#[derive(Debug, Clone)]
pub struct Template {
    pub routes: Vec<HttpRoute>,
    pub table: TableSpec,
    pub cors: Cors,
    pub websocket: WebSocketSpec,
    pub event_rules: Vec<EventRule>,
    pub schedules: Vec<ScheduleSpec>,
    pub buckets: Vec<BucketSpec>,
    pub functions: Vec<FunctionSpec>,
    /// Each parameter's Default, as text: what a stack deployed with defaults has.
    pub parameter_defaults: HashMap<String, String>,
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
                        // An event without Path and Method is the API's `$default` route.
                        let (path, method) = match (field("Path"), field("Method")) {
                            (None, None) => (DEFAULT_ROUTE.to_owned(), "ANY".to_owned()),
                            (Some(path), method) => (path, method.unwrap_or_else(|| "ANY".into()).to_uppercase()),
                            (None, Some(_)) => {
                                return Err(format!("an HttpApi event of {name} has a Method but no Path"));
                            }
                        };
                        routes.push(HttpRoute { function: name.to_owned(), method, path });
                    }
                }
                _ => {}
            }
        }
        let table = table.ok_or("template.yaml declares no AWS::DynamoDB::Table")?;
        let websocket = websocket_spec(resources)?;
        let event_rules = event_rules(resources)?;
        let schedules = schedules(resources)?;
        let parameters = doc.get("Parameters").unwrap_or(&Value::Null);
        let buckets = buckets(resources, parameters)?;
        let functions = functions(resources, doc.get("Globals").unwrap_or(&Value::Null))?;
        let parameter_defaults = parameters
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(name, parameter)| Some((name.as_str()?.to_owned(), scalar_text(parameter.get("Default")?)?)))
            .collect();
        Ok(Template { routes, table, cors, websocket, event_rules, schedules, buckets, functions, parameter_defaults })
    }
}

/// Each resource of type `kind`: its logical id and its Properties.
fn resources_of_type<'a>(resources: &'a Mapping, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
    resources
        .iter()
        .filter(move |(_, resource)| resource.get("Type").and_then(Value::as_str) == Some(kind))
        .map(|(name, resource)| (name.as_str().unwrap_or_default(), resource.get("Properties").unwrap_or(&Value::Null)))
}

/// A property as plain text, with a `!Ref`/`!Sub` tag taken off (`!Ref X` gives `X`).
fn text_property(properties: &Value, key: &str) -> Option<String> {
    properties.get(key).cloned().map(untagged).and_then(|value| value.as_str().map(str::to_owned))
}

/// The names a `!Sub` string substitutes: `a/${B}/${C.Arn}` gives `B`, `C.Arn`.
fn substitutions(text: &str) -> Vec<&str> {
    text.split("${").skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect()
}

/// The WebSocket API's routes, each resolved through its integration to a function.
fn websocket_spec(resources: &Mapping) -> Result<WebSocketSpec, String> {
    let apis: HashMap<&str, String> = resources_of_type(resources, "AWS::ApiGatewayV2::Api")
        .filter(|(_, props)| text_property(props, "ProtocolType").as_deref() == Some("WEBSOCKET"))
        .map(|(name, props)| (name, text_property(props, "RouteSelectionExpression").unwrap_or_default()))
        .collect();
    if apis.len() > 1 {
        return Err("template.yaml declares more than one WebSocket API; the local gateway serves one".into());
    }
    let Some(route_selection_expression) = apis.values().next().cloned() else {
        return Ok(WebSocketSpec::default());
    };
    let integration_functions: HashMap<&str, String> = resources_of_type(resources, "AWS::ApiGatewayV2::Integration")
        .filter_map(|(name, props)| {
            let uri = text_property(props, "IntegrationUri")?;
            let function = substitutions(&uri).into_iter().find_map(|s| s.strip_suffix(".Arn"))?.to_owned();
            Some((name, function))
        })
        .collect();
    let responding_routes: HashSet<String> = resources_of_type(resources, "AWS::ApiGatewayV2::RouteResponse")
        .filter_map(|(_, props)| text_property(props, "RouteId"))
        .collect();
    let mut routes = Vec::new();
    for (name, props) in resources_of_type(resources, "AWS::ApiGatewayV2::Route") {
        if !text_property(props, "ApiId").is_some_and(|api| apis.contains_key(api.as_str())) {
            continue;
        }
        let route_key = text_property(props, "RouteKey").ok_or_else(|| format!("route {name} has no RouteKey"))?;
        let target = text_property(props, "Target").unwrap_or_default();
        let function = target
            .strip_prefix("integrations/")
            .and_then(|integration| substitutions(integration).first().copied())
            .and_then(|integration| integration_functions.get(integration))
            .ok_or_else(|| format!("route {name} does not target a Lambda integration of template.yaml"))?;
        routes.push(WebSocketRoute {
            route_key,
            function: function.clone(),
            responds: responding_routes.contains(name),
        });
    }
    Ok(WebSocketSpec { route_selection_expression, routes })
}

/// The `EventBridgeRule` events of every function.
fn event_rules(resources: &Mapping) -> Result<Vec<EventRule>, String> {
    let mut rules = Vec::new();
    for (name, props) in resources_of_type(resources, "AWS::Serverless::Function") {
        let invoke_retries = props
            .get("EventInvokeConfig")
            .and_then(|config| config.get("MaximumRetryAttempts"))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(DEFAULT_ASYNC_RETRIES);
        let events = props.get("Events").and_then(Value::as_mapping);
        for event in events.into_iter().flat_map(|m| m.values()) {
            if event.get("Type").and_then(Value::as_str) != Some("EventBridgeRule") {
                continue;
            }
            let pattern = event
                .get("Properties")
                .and_then(|p| p.get("Pattern"))
                .ok_or_else(|| format!("an EventBridgeRule event of {name} has no Pattern"))?;
            let pattern = serde_json::to_value(untagged(pattern.clone()))
                .map_err(|e| format!("the Pattern of an EventBridgeRule event of {name}: {e}"))?;
            rules.push(EventRule { function: name.to_owned(), pattern, invoke_retries });
        }
    }
    Ok(rules)
}

/// The `Schedule` events of every function.
fn schedules(resources: &Mapping) -> Result<Vec<ScheduleSpec>, String> {
    let mut schedules = Vec::new();
    for (name, props) in resources_of_type(resources, "AWS::Serverless::Function") {
        let events = props.get("Events").and_then(Value::as_mapping);
        for (event_name, event) in events.into_iter().flatten() {
            if event.get("Type").and_then(Value::as_str) != Some("Schedule") {
                continue;
            }
            let event_name = event_name.as_str().unwrap_or_default();
            let expression = event
                .get("Properties")
                .and_then(|props| text_property(props, "Schedule"))
                .ok_or_else(|| format!("the Schedule event {event_name} of {name} has no Schedule"))?;
            let period =
                rate_period(&expression).map_err(|e| format!("the Schedule event {event_name} of {name}: {e}"))?;
            schedules.push(ScheduleSpec {
                function: name.to_owned(),
                event_name: event_name.to_owned(),
                expression,
                period,
            });
        }
    }
    Ok(schedules)
}

/// How often a `rate(...)` expression fires. As EventBridge, takes a positive whole number
/// whose unit is singular for 1 and plural otherwise.
fn rate_period(expression: &str) -> Result<Duration, String> {
    if expression.starts_with("cron(") {
        return Err(format!("{expression}: the local gateway runs rate(...) schedules only"));
    }
    let malformed = || {
        format!(
            "{expression} is not a rate expression EventBridge accepts: rate(1 minute|hour|day) or \
             rate(<n> minutes|hours|days)"
        )
    };
    let (value, unit) = expression
        .strip_prefix("rate(")
        .and_then(|rate| rate.strip_suffix(')'))
        .and_then(|rate| rate.split_once(' '))
        .ok_or_else(malformed)?;
    let value: u64 = value.parse().map_err(|_| malformed())?;
    let unit_seconds = match (value, unit) {
        (1, "minute") | (2.., "minutes") => 60,
        (1, "hour") | (2.., "hours") => 60 * 60,
        (1, "day") | (2.., "days") => 24 * 60 * 60,
        _ => return Err(malformed()),
    };
    let seconds = value.checked_mul(unit_seconds).ok_or_else(|| format!("{expression} is too long a period"))?;
    Ok(Duration::from_secs(seconds))
}

/// The S3 buckets and their CORS rules.
fn buckets(resources: &Mapping, parameters: &Value) -> Result<Vec<BucketSpec>, String> {
    let mut buckets = Vec::new();
    for (name, props) in resources_of_type(resources, "AWS::S3::Bucket") {
        let rules = props.get("CorsConfiguration").and_then(|cors| cors.get("CorsRules")).and_then(Value::as_sequence);
        let mut cors_rules = Vec::new();
        for rule in rules.into_iter().flatten() {
            let mut cors_rule: CorsRule = serde_norway::from_value(untagged(rule.clone()))
                .map_err(|e| format!("a CORS rule of bucket {name}: {e}"))?;
            let origins = rule.get("AllowedOrigins").and_then(Value::as_sequence);
            cors_rule.allowed_origins = origins.into_iter().flatten().map(|o| origin(o, parameters)).collect();
            cors_rules.push(cors_rule);
        }
        buckets.push(BucketSpec { name: name.to_owned(), cors_rules });
    }
    Ok(buckets)
}

/// An allowed origin. A `!Ref` to a parameter is that parameter's default, as a stack
/// deployed with defaults has it; what the local stack cannot resolve allows any origin.
fn origin(value: &Value, parameters: &Value) -> String {
    let resolved = match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged
            .value
            .as_str()
            .and_then(|parameter| parameters.get(parameter))
            .and_then(|parameter| parameter.get("Default"))
            .and_then(Value::as_str),
        Value::Tagged(_) => None,
        plain => plain.as_str(),
    };
    resolved.unwrap_or("*").to_owned()
}

/// Every function's binary and environment.
fn functions(resources: &Mapping, globals: &Value) -> Result<Vec<FunctionSpec>, String> {
    let shared = environment(globals.get("Function"), "Globals.Function")?;
    let mut functions = Vec::new();
    for (name, resource) in resources {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let name = name.as_str().unwrap_or_default();
        let binary = resource
            .get("Metadata")
            .and_then(|metadata| metadata.get("BuildProperties"))
            .and_then(|build| text_property(build, "Binary"))
            .ok_or_else(|| format!("function {name} has no Metadata.BuildProperties.Binary"))?;
        let mut variables = shared.clone();
        variables.extend(environment(resource.get("Properties"), name)?);
        functions.push(FunctionSpec { logical_id: name.to_owned(), binary, environment: variables });
    }
    Ok(functions)
}

/// The `Environment.Variables` of `holder` (a function's Properties or Globals.Function).
fn environment(holder: Option<&Value>, owner: &str) -> Result<BTreeMap<String, EnvValue>, String> {
    let variables = holder.and_then(|h| h.get("Environment")).and_then(|e| e.get("Variables"));
    let mut environment = BTreeMap::new();
    for (name, value) in variables.and_then(Value::as_mapping).into_iter().flatten() {
        let name = name.as_str().ok_or_else(|| format!("a variable of {owner} is not named by text"))?;
        let value = env_value(value).ok_or_else(|| {
            format!("the variable {name} of {owner} is neither a literal nor a !Ref, !GetAtt or !Sub of one text")
        })?;
        environment.insert(name.to_owned(), value);
    }
    Ok(environment)
}

/// A variable's value, or `None` for a form other than a literal, `!Ref`, `!GetAtt` or `!Sub`.
fn env_value(value: &Value) -> Option<EnvValue> {
    let Value::Tagged(tagged) = value else {
        return scalar_text(value).map(EnvValue::Literal);
    };
    let text = match &tagged.value {
        // `!GetAtt [X, Y]` is `!GetAtt X.Y`.
        Value::Sequence(parts) if tagged.tag == "GetAtt" => {
            parts.iter().map(|part| part.as_str()).collect::<Option<Vec<_>>>()?.join(".")
        }
        plain => plain.as_str()?.to_owned(),
    };
    if tagged.tag == "Ref" {
        Some(EnvValue::Ref(text))
    } else if tagged.tag == "GetAtt" {
        Some(EnvValue::GetAtt(text))
    } else if tagged.tag == "Sub" {
        Some(EnvValue::Sub(text))
    } else {
        None
    }
}

/// A text, number or boolean as the text a variable or parameter holds.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
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

    fn real_template() -> Template {
        Template::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")).unwrap()
    }

    #[test]
    fn reads_the_projects_template() {
        let template = real_template();
        assert!(template.routes.iter().any(|r| r.function == "IdentityFunction" && r.path == "/api/auth/{proxy+}"));
        assert_eq!(template.table.key_schema[0].attribute_name, "pk");
        assert!(template.table.time_to_live_specification.as_ref().is_some_and(|t| t.enabled));
        assert!(template.cors.allow_headers.iter().any(|h| h == "Authorization"));
    }

    #[test]
    fn reads_the_websocket_routes_through_their_integration() {
        let websocket = real_template().websocket;
        assert_eq!(websocket.route_selection_expression, "$request.body.action");
        let mut routes: Vec<(&str, &str, bool)> =
            websocket.routes.iter().map(|r| (r.route_key.as_str(), r.function.as_str(), r.responds)).collect();
        routes.sort();
        assert_eq!(
            routes,
            [("$connect", "WsFunction", false), ("$default", "WsFunction", true), ("$disconnect", "WsFunction", false)]
        );
    }

    #[test]
    fn reads_the_event_rules_of_functions() {
        let rules = real_template().event_rules;
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].function, "NotifierFunction");
        assert_eq!(rules[0].pattern, serde_json::json!({"source": ["teamsync"]}));
        assert_eq!(rules[0].invoke_retries, 2);
    }

    #[test]
    fn reads_the_schedules_of_functions() {
        let schedules = real_template().schedules;
        assert_eq!(
            schedules,
            [ScheduleSpec {
                function: "SchedulerFunction".into(),
                event_name: "Reminders".into(),
                expression: "rate(15 minutes)".into(),
                period: Duration::from_secs(15 * 60),
            }]
        );
    }

    #[test]
    fn a_rate_is_read_as_eventbridge_reads_it() {
        let minutes = |n: u64| Ok(Duration::from_secs(n * 60));
        assert_eq!(rate_period("rate(1 minute)"), minutes(1));
        assert_eq!(rate_period("rate(15 minutes)"), minutes(15));
        assert_eq!(rate_period("rate(1 hour)"), minutes(60));
        assert_eq!(rate_period("rate(2 hours)"), minutes(120));
        assert_eq!(rate_period("rate(1 day)"), minutes(24 * 60));
        assert_eq!(rate_period("rate(3 days)"), minutes(3 * 24 * 60));
        for refused in [
            "rate(0 minutes)",
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(5 weeks)",
            "rate(5minutes)",
            "every 5 minutes",
        ] {
            let error = rate_period(refused).unwrap_err();
            assert!(error.contains("rate(1 minute|hour|day)"), "{refused}: {error}");
        }
        let error = rate_period("cron(0 12 * * ? *)").unwrap_err();
        assert!(error.contains("rate(...) schedules only"), "{error}");
    }

    #[test]
    fn a_cron_schedule_is_refused_naming_its_event() {
        let text = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { AttributeDefinitions: [], KeySchema: [] }
  Nightly:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Cleanup: { Type: Schedule, Properties: { Schedule: "cron(0 3 * * ? *)" } }
"#;
        let error = Template::parse(text).unwrap_err();
        assert!(error.contains("the Schedule event Cleanup of Nightly: cron(0 3 * * ? *)"), "{error}");
    }

    #[test]
    fn reads_the_buckets_cors_rules_with_the_origin_parameters_default() {
        let buckets = real_template().buckets;
        assert_eq!(buckets.len(), 1);
        assert_eq!(buckets[0].name, "AttachmentsBucket");
        let rule = &buckets[0].cors_rules[0];
        assert_eq!(rule.allowed_origins, ["*"]);
        assert_eq!(rule.allowed_methods, ["PUT", "GET", "HEAD"]);
        assert_eq!(rule.allowed_headers, ["Content-Type", "Content-Length"]);
        assert_eq!(rule.exposed_headers, ["ETag", "Content-Disposition"]);
        assert_eq!(rule.max_age, Some(3000));
    }

    #[test]
    fn a_bucket_origin_resolves_a_parameter_and_allows_any_origin_when_it_cannot() {
        let text = r#"
Parameters:
  Origin: { Type: String, Default: "https://app.example.com" }
  NoDefault: { Type: String }
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { AttributeDefinitions: [], KeySchema: [] }
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      CorsConfiguration:
        CorsRules:
          - AllowedOrigins: [!Ref Origin, !Ref NoDefault, !Sub "https://${Domain}", "http://localhost:*"]
            AllowedMethods: [GET]
  Plain:
    Type: AWS::S3::Bucket
"#;
        let buckets = Template::parse(text).unwrap().buckets;
        let origins = &buckets.iter().find(|b| b.name == "Bucket").unwrap().cors_rules[0].allowed_origins;
        assert_eq!(origins, &["https://app.example.com", "*", "*", "http://localhost:*"]);
        assert!(buckets.iter().find(|b| b.name == "Plain").unwrap().cors_rules.is_empty());
    }

    #[test]
    fn reads_each_functions_binary_and_environment_over_the_globals() {
        let template = real_template();
        let function = |id: &str| template.functions.iter().find(|f| f.logical_id == id).unwrap();
        let identity = function("IdentityFunction");
        assert_eq!(identity.binary, "identity");
        let variable = |name: &str| identity.environment.get(name).cloned();
        assert_eq!(variable("TEAMSYNC_TABLE"), Some(EnvValue::Ref("Table".into())));
        assert_eq!(variable("TEAMSYNC_JWT_SEED_SECRET_ARN"), Some(EnvValue::Ref("JwtSeedSecret".into())));
        assert_eq!(variable("RUST_LOG"), Some(EnvValue::Literal("info".into())));
        assert!(!function("ProjectsFunction").environment.contains_key("TEAMSYNC_ADMIN_USERNAME"));
        assert!(matches!(
            function("NotifierFunction").environment.get("TEAMSYNC_WS_ENDPOINT"),
            Some(EnvValue::Sub(url)) if url.contains("${WebSocketApi}")
        ));
        assert_eq!(template.parameter_defaults.get("AdminUsername").map(String::as_str), Some("admin"));
        assert_eq!(template.parameter_defaults.get("LogRetentionDays").map(String::as_str), Some("30"));
    }

    #[test]
    fn a_functions_own_variable_wins_and_each_reference_form_is_kept() {
        let text = r#"
Globals:
  Function:
    Environment:
      Variables: { LEVEL: info, SIZE: 512, TABLE: !Ref Table }
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { AttributeDefinitions: [], KeySchema: [] }
  Worker:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: worker } }
    Properties:
      Environment:
        Variables:
          LEVEL: debug
          KEY: !GetAtt Setup.PublicKey
          ARN: !GetAtt [Table, Arn]
          URL: !Sub "https://${Api}.example.com"
"#;
        let functions = Template::parse(text).unwrap().functions;
        let environment: Vec<(&str, &EnvValue)> =
            functions[0].environment.iter().map(|(name, value)| (name.as_str(), value)).collect();
        assert_eq!(
            environment,
            [
                ("ARN", &EnvValue::GetAtt("Table.Arn".into())),
                ("KEY", &EnvValue::GetAtt("Setup.PublicKey".into())),
                ("LEVEL", &EnvValue::Literal("debug".into())),
                ("SIZE", &EnvValue::Literal("512".into())),
                ("TABLE", &EnvValue::Ref("Table".into())),
                ("URL", &EnvValue::Sub("https://${Api}.example.com".into())),
            ]
        );
    }

    #[test]
    fn a_variable_of_another_form_or_a_function_without_binary_is_an_error() {
        let text = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { AttributeDefinitions: [], KeySchema: [] }
  Worker:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: worker } }
    Properties:
      Environment:
        Variables: { NAME: !Join ["-", [a, b]] }
"#;
        let error = Template::parse(text).unwrap_err();
        assert!(error.contains("the variable NAME of Worker"), "{error}");
        let without_binary = text.replace("    Metadata: { BuildProperties: { Binary: worker } }\n", "");
        let error = Template::parse(&without_binary).unwrap_err();
        assert!(error.contains("function Worker has no Metadata.BuildProperties.Binary"), "{error}");
    }

    #[test]
    fn a_route_to_an_unknown_integration_is_an_error() {
        let text = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { AttributeDefinitions: [], KeySchema: [] }
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: { ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref Api, RouteKey: $default, Target: !Sub "integrations/${Missing}" }
"#;
        let error = Template::parse(text).unwrap_err();
        assert!(error.contains("route Route"), "{error}");
    }
}
