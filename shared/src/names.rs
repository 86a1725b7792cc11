//! The names of enums as the API and the table spell them: serde's, and no other. A
//! variant's name is what its `#[serde(rename_all)]` makes it; parsing, printing and
//! listing the choices all go through serde, so a new variant needs no hand-kept list.

use serde::Serialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use crate::messages::Msg;

/// The name serde gives a unit variant (`in_progress`, `TaskCreated`).
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        // Only unit variants have names; anything else is a caller's mistake, and shows.
        other => format!("{other:?}"),
    }
}

/// The variant named `text` (surrounding space ignored); otherwise the choices.
pub fn parse_name<T: DeserializeOwned>(text: &str) -> Result<T, Msg> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
        .map_err(|_| Msg::MustBeOneOf(variants::<T>()))
}

/// Every name serde accepts for the enum's variants (aliases included), in declaration order.
pub fn variants<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut found: &'static [&'static str] = &[];
    let _ = T::deserialize(VariantNames { found: &mut found });
    found
}

/// A deserializer that answers nothing, but notes the variant names an enum asks for.
struct VariantNames<'a> {
    found: &'a mut &'static [&'static str],
}

#[derive(Debug)]
struct NotAnEnum;

impl std::fmt::Display for NotAnEnum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("only the variant names were wanted")
    }
}

impl std::error::Error for NotAnEnum {}

impl de::Error for NotAnEnum {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        NotAnEnum
    }
}

impl<'de> Deserializer<'de> for VariantNames<'_> {
    type Error = NotAnEnum;

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, NotAnEnum> {
        *self.found = variants;
        Err(NotAnEnum)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, NotAnEnum> {
        Err(NotAnEnum)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        DeepRed,
        #[serde(alias = "grey")]
        Gray,
    }

    #[test]
    fn serde_spells_parses_and_lists() {
        assert_eq!(name_of(&Colour::DeepRed), "deep_red");
        assert_eq!(parse_name::<Colour>(" deep_red "), Ok(Colour::DeepRed));
        assert_eq!(parse_name::<Colour>("grey"), Ok(Colour::Gray), "aliases parse");
        assert_eq!(variants::<Colour>(), &["deep_red", "gray", "grey"]);
        assert_eq!(parse_name::<Colour>("blue"), Err(Msg::MustBeOneOf(&["deep_red", "gray", "grey"])));
    }
}
