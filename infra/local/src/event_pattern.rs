//! EventBridge event patterns, as far as TeamSync's rules need them: each key of a pattern
//! names a field of the event; an array lists the values it may have, a nested object
//! matches the fields of a nested object (`detail`). Every key must match, and a field the
//! event lacks fails its key unless the pattern asks for `{"exists": false}`. An event field
//! holding an array matches when any of its elements does.
//!
//! Of the content filters, `prefix`, `anything-but` (a value or a list) and `exists` are
//! understood; any other is refused when the pattern is read, so a rule never silently
//! matches differently here than in AWS.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(Vec<(String, FieldPattern)>);

#[derive(Debug, Clone, PartialEq)]
enum FieldPattern {
    Nested(Pattern),
    AnyOf(Vec<Allowed>),
}

#[derive(Debug, Clone, PartialEq)]
enum Allowed {
    Exactly(Value),
    Prefix(String),
    AnythingBut(Vec<Value>),
    Exists(bool),
}

impl Pattern {
    pub fn parse(json: &Value) -> Result<Pattern, String> {
        let fields = json.as_object().filter(|f| !f.is_empty()).ok_or("an event pattern is a non-empty JSON object")?;
        fields
            .iter()
            .map(|(key, value)| {
                let field = match value {
                    Value::Object(_) => FieldPattern::Nested(Pattern::parse(value)?),
                    Value::Array(values) => {
                        FieldPattern::AnyOf(values.iter().map(Allowed::parse).collect::<Result<_, _>>()?)
                    }
                    _ => return Err(format!("pattern key {key:?}: expected an array of values or a nested pattern")),
                };
                Ok((key.clone(), field))
            })
            .collect::<Result<_, _>>()
            .map(Pattern)
    }

    pub fn matches(&self, event: &Value) -> bool {
        self.0.iter().all(|(key, field)| field.matches(event.get(key)))
    }
}

impl FieldPattern {
    fn matches(&self, value: Option<&Value>) -> bool {
        match self {
            FieldPattern::Nested(pattern) => value.is_some_and(|v| v.is_object() && pattern.matches(v)),
            FieldPattern::AnyOf(allowed) => allowed.iter().any(|a| a.matches(value)),
        }
    }
}

impl Allowed {
    fn parse(json: &Value) -> Result<Allowed, String> {
        let Value::Object(filter) = json else {
            return Ok(Allowed::Exactly(json.clone()));
        };
        let unsupported = || format!("the local event bus does not support the content filter {json}");
        let [(name, operand)] = filter.iter().collect::<Vec<_>>()[..] else {
            return Err(unsupported());
        };
        match (name.as_str(), operand) {
            ("prefix", Value::String(prefix)) => Ok(Allowed::Prefix(prefix.clone())),
            ("anything-but", Value::Array(values)) => Ok(Allowed::AnythingBut(values.clone())),
            ("anything-but", Value::String(_) | Value::Number(_)) => Ok(Allowed::AnythingBut(vec![operand.clone()])),
            ("exists", Value::Bool(wanted)) => Ok(Allowed::Exists(*wanted)),
            _ => Err(unsupported()),
        }
    }

    fn matches(&self, value: Option<&Value>) -> bool {
        match value {
            None => *self == Allowed::Exists(false),
            Some(Value::Array(items)) => items.iter().any(|item| self.matches_one(item)),
            Some(value) => self.matches_one(value),
        }
    }

    /// Whether a value the event has is allowed.
    fn matches_one(&self, value: &Value) -> bool {
        match self {
            Allowed::Exactly(expected) => same(expected, value),
            Allowed::Prefix(prefix) => value.as_str().is_some_and(|text| text.starts_with(prefix.as_str())),
            Allowed::AnythingBut(excluded) => !excluded.iter().any(|e| same(e, value)),
            Allowed::Exists(wanted) => *wanted,
        }
    }
}

/// EventBridge compares numbers by value (`5` matches `5.0`), everything else exactly.
fn same(expected: &Value, actual: &Value) -> bool {
    match (expected.as_f64(), actual.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => expected == actual,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event() -> Value {
        json!({
            "source": "teamsync",
            "detail-type": "TaskUpdated",
            "detail": {"project_id": 7, "status": "done", "labels": ["urgent", "ui"], "team": {"id": 3}},
        })
    }

    fn matches(pattern: Value) -> bool {
        Pattern::parse(&pattern).unwrap().matches(&event())
    }

    #[test]
    fn exact_values_any_of_a_list() {
        assert!(matches(json!({"source": ["teamsync"]})));
        assert!(matches(json!({"source": ["other", "teamsync"], "detail-type": ["TaskUpdated"]})));
        assert!(!matches(json!({"source": ["other"]})));
        assert!(!matches(json!({"source": ["teamsync"], "detail-type": ["TaskCreated"]})));
        assert!(!matches(json!({"source": []})));
    }

    #[test]
    fn nested_objects_match_nested_fields() {
        assert!(matches(json!({"detail": {"status": ["done"], "team": {"id": [3]}}})));
        assert!(matches(json!({"detail": {"project_id": [7.0]}})));
        assert!(!matches(json!({"detail": {"team": {"id": [4]}}})));
        assert!(!matches(json!({"detail-type": {"status": ["done"]}})));
    }

    #[test]
    fn a_missing_field_fails_unless_asked_to_be_absent() {
        assert!(!matches(json!({"detail": {"task_id": [1]}})));
        assert!(!matches(json!({"resources": ["x"]})));
        assert!(matches(json!({"detail": {"task_id": [{"exists": false}], "status": [{"exists": true}]}})));
        assert!(!matches(json!({"detail": {"status": [{"exists": false}]}})));
    }

    #[test]
    fn an_array_field_matches_when_any_element_does() {
        assert!(matches(json!({"detail": {"labels": ["ui"]}})));
        assert!(!matches(json!({"detail": {"labels": ["backend"]}})));
    }

    #[test]
    fn prefix_and_anything_but() {
        assert!(matches(json!({"detail-type": [{"prefix": "Task"}]})));
        assert!(!matches(json!({"detail-type": [{"prefix": "Project"}]})));
        assert!(matches(json!({"detail-type": [{"anything-but": ["TaskDeleted", "TaskCreated"]}]})));
        assert!(!matches(json!({"detail-type": [{"anything-but": "TaskUpdated"}]})));
    }

    #[test]
    fn unsupported_patterns_are_refused() {
        for pattern in [
            json!({"detail": {"project_id": [{"numeric": [">", 5]}]}}),
            json!({"source": "teamsync"}),
            json!({}),
            json!({"source": [{"prefix": "a", "suffix": "b"}]}),
        ] {
            assert!(Pattern::parse(&pattern).is_err(), "{pattern}");
        }
    }
}
