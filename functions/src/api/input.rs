//! Reading untrusted JSON input field by field.
//!
//! [`Fields`] collects every problem in the body before answering, so a client gets all its
//! field errors in one 400 instead of one per attempt. Each field is handed to a parser that
//! returns a validated type (a `Username`, an `Email`): past this point the core never
//! re-checks input.

use serde_json::{Map, Value};
use teamsync::Error;
use teamsync::error::FieldErrors;
use teamsync::messages::Msg;

pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Value) -> Result<Self, Error> {
        match body {
            Value::Object(object) => Ok(Self { object, errors: FieldErrors::new() }),
            _ => Err(Error::field("body", Msg::BodyMustBeObject)),
        }
    }

    /// A string field that must be present and valid.
    pub fn required<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, Msg>) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.errors.add(name, Msg::Required);
                None
            }
            Some(_) => self.optional(name, parse),
        }
    }

    /// A string field that may be absent or null; when given it must be valid.
    pub fn optional<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, Msg>) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => match parse(text) {
                Ok(value) => Some(value),
                Err(msg) => {
                    self.errors.add(name, msg);
                    None
                }
            },
            Some(_) => {
                self.errors.add(name, Msg::MustBeString);
                None
            }
        }
    }

    /// The first of several accepted names (aliases such as `phone` / `telephone`) that is
    /// present. Problems are reported under the name the client used.
    pub fn optional_alias<T>(&mut self, names: &[&str], parse: impl FnOnce(&str) -> Result<T, Msg>) -> Option<T> {
        let name = names.iter().find(|n| self.object.get(**n).is_some_and(|v| !v.is_null()))?;
        self.optional(name, parse)
    }

    /// A field of any JSON type that must be present and valid.
    pub fn required_value<T>(&mut self, name: &str, parse: impl FnOnce(&Value) -> Result<T, Msg>) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.errors.add(name, Msg::Required);
                None
            }
            Some(value) => self.checked(name, parse(value)),
        }
    }

    /// A field of any JSON type that may be absent or null.
    pub fn optional_value<T>(&mut self, name: &str, parse: impl FnOnce(&Value) -> Result<T, Msg>) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(value) => self.checked(name, parse(value)),
        }
    }

    /// PATCH semantics for a clearable string field: absent → `None` (leave it), null or
    /// `""` → `Some(None)` (clear it), a value → `Some(Some(parsed))`.
    pub fn patch<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, Msg>) -> Option<Option<T>> {
        match self.object.get(name)? {
            Value::Null => Some(None),
            Value::String(text) if text.trim().is_empty() => Some(None),
            Value::String(text) => self.checked(name, parse(text)).map(Some),
            _ => {
                self.errors.add(name, Msg::MustBeString);
                None
            }
        }
    }

    fn checked<T>(&mut self, name: &str, outcome: Result<T, Msg>) -> Option<T> {
        outcome.map_err(|msg| self.errors.add(name, msg)).ok()
    }

    /// Whether the client sent the field at all (even as null): PATCH semantics.
    pub fn contains(&self, name: &str) -> bool {
        self.object.contains_key(name)
    }

    pub fn error(&mut self, name: &str, msg: Msg) {
        self.errors.add(name, msg);
    }

    pub fn has_error(&self, name: &str) -> bool {
        self.errors.has(name)
    }

    /// Ends reading: every problem found so far, or nothing. After `Ok`, each `required`
    /// call above returned `Some`.
    pub fn finish(self) -> Result<(), Error> {
        if self.errors.is_empty() { Ok(()) } else { Err(Error::Invalid(self.errors)) }
    }
}

/// Unwraps a field that [`Fields::finish`] has already proven present.
pub fn present<T>(value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| Error::bug("a required field passed validation without a value"))
}

/// Any string, as given (a password confirmation, a token).
pub fn text(text: &str) -> Result<String, Msg> {
    Ok(text.to_owned())
}

/// A string without its surrounding whitespace (a search).
pub fn trimmed(text: &str) -> Result<String, Msg> {
    Ok(text.trim().to_owned())
}

/// `true`/`false` (or `1`/`0`), as query strings send booleans.
pub fn boolean(text: &str) -> Result<bool, Msg> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Msg::MustBeBoolean),
    }
}

/// Optional text that clients also send as `""`: blank means "not given".
pub fn blank_or<T>(parse: impl FnOnce(&str) -> Result<T, Msg>) -> impl FnOnce(&str) -> Result<Option<T>, Msg> {
    move |text| if text.trim().is_empty() { Ok(None) } else { parse(text).map(Some) }
}

/// A whole number from `min` to `max`, as a query string sends it (`level=2`, `month=11`).
pub fn integer_in(min: u64, max: u64) -> impl FnOnce(&str) -> Result<u64, Msg> {
    move |text| text.trim().parse().ok().filter(|n| (min..=max).contains(n)).ok_or(Msg::OutOfRange { min, max })
}

/// A positive integer id in a query string (`project_id=7`).
pub fn positive_id(text: &str) -> Result<u64, Msg> {
    text.trim().parse().ok().filter(|n| *n > 0).ok_or(Msg::MustBeInteger)
}

/// A positive integer id. Strings of digits are refused: ids are JSON integers.
pub fn id(value: &Value) -> Result<u64, Msg> {
    value.as_u64().filter(|n| *n > 0).ok_or(Msg::MustBeInteger)
}

/// An id that may name nobody: `0` or null (the client sends `0` for "no one").
pub fn id_or_none(value: &Value) -> Result<Option<u64>, Msg> {
    match value {
        Value::Null => Ok(None),
        _ if value.as_u64() == Some(0) => Ok(None),
        _ => id(value).map(Some),
    }
}

/// A list of ids, without repeats, in the order given.
pub fn id_list(value: &Value) -> Result<Vec<u64>, Msg> {
    let items = value.as_array().ok_or(Msg::MustBeIdList)?;
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = id(item).map_err(|_| Msg::MustBeIdList)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use teamsync::validate::bounded_text;

    #[test]
    fn collects_every_problem_before_answering() {
        let body = json!({"a": 5, "c": "  "});
        let mut fields = Fields::new(&body).unwrap();
        assert!(fields.required("a", |t| bounded_text(t, 1, 5)).is_none());
        assert!(fields.required("b", |t| bounded_text(t, 1, 5)).is_none());
        assert!(fields.optional("c", |t| bounded_text(t, 1, 5)).is_none());
        let Error::Invalid(errors) = fields.finish().unwrap_err() else { panic!() };
        let found: Vec<_> = errors.iter().map(|(k, v)| (k.as_str(), v[0].clone())).collect();
        assert_eq!(found, vec![("a", Msg::MustBeString), ("b", Msg::Required), ("c", Msg::Required)]);
    }

    #[test]
    fn zero_or_null_names_nobody() {
        assert_eq!(id_or_none(&json!(0)), Ok(None));
        assert_eq!(id_or_none(&json!(null)), Ok(None));
        assert_eq!(id_or_none(&json!(7)), Ok(Some(7)));
        for bad in [json!(-1), json!("7"), json!(1.5), json!([])] {
            assert_eq!(id_or_none(&bad), Err(Msg::MustBeInteger), "{bad}");
        }
    }

    #[test]
    fn aliases() {
        let body = json!({"telephone": "123"});
        let mut fields = Fields::new(&body).unwrap();
        assert_eq!(fields.optional_alias(&["phone", "telephone"], |t| Ok(t.to_owned())), Some("123".into()));
        assert!(fields.finish().is_ok());
        assert!(Fields::new(&json!([1])).is_err());
    }
}
