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
        Condition {
            expression: expression.to_owned(),
            names: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn name(mut self, placeholder: &str, attribute: &str) -> Condition {
        self.names
            .push((placeholder.to_owned(), attribute.to_owned()));
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
        Change {
            expression: expression.to_owned(),
            names: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn name(mut self, placeholder: &str, attribute: &str) -> Change {
        self.names
            .push((placeholder.to_owned(), attribute.to_owned()));
        self
    }

    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Change {
        self.values.push((placeholder.to_owned(), value));
        self
    }
}

pub(super) fn names(pairs: Vec<(String, String)>) -> Option<HashMap<String, String>> {
    (!pairs.is_empty()).then(|| pairs.into_iter().collect())
}

pub(super) fn values(
    pairs: Vec<(String, AttributeValue)>,
) -> Option<HashMap<String, AttributeValue>> {
    (!pairs.is_empty()).then(|| pairs.into_iter().collect())
}
