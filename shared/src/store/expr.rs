//! Condition and update expressions with their placeholders, shared by single writes and
//! transactions.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// A condition on one action, with its placeholders.
pub struct Condition {
    pub(super) expression: String,
    pub(super) names: Vec<(String, String)>,
    pub(super) values: Vec<(String, AttributeValue)>,
}

impl Condition {
    /// The item must not exist yet (a create, a uniqueness guard).
    pub fn absent() -> Condition {
        Condition::new("attribute_not_exists(pk)")
    }

    /// The item must exist.
    pub fn present() -> Condition {
        Condition::new("attribute_exists(pk)")
    }

    pub fn new(expression: &str) -> Condition {
        Condition { expression: expression.to_owned(), names: Vec::new(), values: Vec::new() }
    }

    pub fn name(mut self, placeholder: &str, attribute: &str) -> Condition {
        self.names.push((placeholder.to_owned(), attribute.to_owned()));
        self
    }

    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Condition {
        self.values.push((placeholder.to_owned(), value));
        self
    }
}

/// An update expression with its placeholders.
pub struct Change {
    pub(super) expression: String,
    pub(super) names: Vec<(String, String)>,
    pub(super) values: Vec<(String, AttributeValue)>,
}

impl Change {
    pub fn new(expression: &str) -> Change {
        Change { expression: expression.to_owned(), names: Vec::new(), values: Vec::new() }
    }

    pub fn name(mut self, placeholder: &str, attribute: &str) -> Change {
        self.names.push((placeholder.to_owned(), attribute.to_owned()));
        self
    }

    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Change {
        self.values.push((placeholder.to_owned(), value));
        self
    }

    /// The same placeholders under another expression.
    pub(super) fn expression(mut self, expression: &str) -> Change {
        self.expression = expression.to_owned();
        self
    }

    /// Adds `delta` to a number attribute (creating it from zero).
    pub fn add(counter: &str, delta: i64) -> Change {
        Change::add_all(&[(counter, delta)])
    }

    /// Adds to several number attributes at once (each created from zero).
    pub fn add_all(counters: &[(&str, i64)]) -> Change {
        let mut change = Change::new("");
        let mut terms = Vec::with_capacity(counters.len());
        for (i, (counter, delta)) in counters.iter().enumerate() {
            terms.push(format!("#c{i} :c{i}"));
            change =
                change.name(&format!("#c{i}"), counter).value(&format!(":c{i}"), AttributeValue::N(delta.to_string()));
        }
        change.expression(&format!("ADD {}", terms.join(", ")))
    }

    /// Adds `delta` to a counter and one to the record's version, so that a writer holding
    /// the version read before is refused.
    pub fn add_versioned(counter: &str, delta: i64) -> Change {
        Change::add_all(&[(counter, delta), (super::record::VERSION, 1)])
    }
}

/// A change and a condition merged into the four optional parts every SDK write builder
/// takes, placeholders of both combined.
pub(super) struct Expressions {
    pub update: Option<String>,
    pub condition: Option<String>,
    pub names: Option<HashMap<String, String>>,
    pub values: Option<HashMap<String, AttributeValue>>,
}

impl Expressions {
    pub(super) fn of(change: Option<Change>, condition: Option<Condition>) -> Expressions {
        let (mut names, mut values) = (Vec::new(), Vec::new());
        let update = change.map(|change| {
            names.extend(change.names);
            values.extend(change.values);
            change.expression
        });
        let condition = condition.map(|condition| {
            names.extend(condition.names);
            values.extend(condition.values);
            condition.expression
        });
        Expressions {
            update,
            condition,
            names: (!names.is_empty()).then(|| names.into_iter().collect()),
            values: (!values.is_empty()).then(|| values.into_iter().collect()),
        }
    }
}
