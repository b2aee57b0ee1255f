//! Parsing spec text into a JSON value, choosing the format by extension.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

use crate::diag::{Diagnostic, Location, Severity};

/// The text formats a spec can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON, for files ending in `.json`.
    Json,
    /// YAML, for files ending in `.yaml` or `.yml`.
    Yaml,
}

impl Format {
    /// The format a file name's extension names, if any.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(Format::Yaml)
        } else {
            None
        }
    }
}

/// How deeply arrays and objects may nest in a JSON spec: serde_json's own
/// recursion limit, which polvo keeps (it refuses the 128th level).
pub const MAX_JSON_NESTING: usize = 127;

/// How deeply sequences and mappings may nest in a YAML spec: serde_yaml's
/// own recursion limit, which polvo keeps (it refuses the 129th level).
pub const MAX_YAML_NESTING: usize = 128;

impl Format {
    /// How deeply the parser of this format lets text nest.
    pub fn max_nesting(self) -> usize {
        match self {
            Format::Json => MAX_JSON_NESTING,
            Format::Yaml => MAX_YAML_NESTING,
        }
    }
}

/// Parses `text` as `format`, reporting syntax errors (including duplicate
/// keys, and nesting deeper than [`Format::max_nesting`]) with their line and
/// column in `file`.
pub fn parse(file: &str, text: &str, format: Format) -> Result<Value, Diagnostic> {
    let located = |line: usize, column: usize, message: String| Diagnostic {
        severity: Severity::Error,
        file: file.to_owned(),
        location: if line > 0 { Location::LineColumn(line, column) } else { Location::File },
        message,
    };
    match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let value = StrictValue::deserialize_from(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| {
                located(
                    e.line(),
                    e.column(),
                    format!("invalid JSON: {}", explain(strip_position(&e.to_string()), format)),
                )
            })?;
            Ok(value)
        }
        Format::Yaml => {
            let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
                let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
                located(line, column, format!("invalid YAML: {}", explain(strip_position(&e.to_string()), format)))
            })?;
            yaml_to_json(yaml).map_err(|message| located(0, 0, format!("invalid YAML: {message}")))
        }
    }
}

/// serde's message for text nested too deeply, with what the limit is.
fn explain(message: String, format: Format) -> String {
    if message.starts_with("recursion limit exceeded") {
        let limit = format.max_nesting();
        format!("{message}: arrays and objects nest more than {limit} levels deep, which polvo does not read")
    } else {
        message
    }
}

/// serde's messages carry " at line L column C"; the location is reported
/// separately, so that part is dropped wherever it appears.
fn strip_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else { return message.to_owned() };
    let rest = &message[start + " at line ".len()..];
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let line_len = digits(rest);
    let after_line = &rest[line_len..];
    let Some(after_column) = after_line.strip_prefix(" column ") else { return message.to_owned() };
    let column_len = digits(after_column);
    if line_len == 0 || column_len == 0 {
        return message.to_owned();
    }
    format!("{}{}", &message[..start], &after_column[column_len..])
}

/// Converts a YAML value into JSON, turning non-string keys (YAML allows
/// `200:` as an integer key) into their string form.
fn yaml_to_json(value: serde_yaml::Value) -> Result<Value, String> {
    Ok(match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64().and_then(Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?)
        }
        serde_yaml::Value::Mapping(mapping) => {
            let mut map = Map::with_capacity(mapping.len());
            for (key, value) in mapping {
                let key = match key {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Null => "null".to_owned(),
                    other => return Err(format!("a mapping key must be a scalar, found {other:?}")),
                };
                map.insert(key, yaml_to_json(value)?);
            }
            Value::Object(map)
        }
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// A JSON value whose objects must not repeat a key: serde_json would keep
/// the last one silently, hiding a mistake in the spec.
struct StrictValue(Value);

impl StrictValue {
    fn deserialize_from<'de, D: Deserializer<'de>>(de: D) -> Result<Value, D::Error> {
        de.deserialize_any(StrictVisitor).map(|v| v.0)
    }
}

impl<'de> de::Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<StrictValue, E> {
        Ok(StrictValue(Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null)))
    }
    fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }
    fn visit_none<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<StrictValue, D::Error> {
        de.deserialize_any(StrictVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue(Value::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictValue, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}` in an object")));
            }
            let StrictValue(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(StrictValue(Value::Object(map)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_arrays(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn json_reads_nesting_up_to_its_limit_and_says_the_limit_past_it() {
        assert!(parse("x.json", &nested_arrays(MAX_JSON_NESTING), Format::Json).is_ok());
        let err = parse("x.json", &nested_arrays(MAX_JSON_NESTING + 1), Format::Json).unwrap_err();
        assert!(err.message.contains(&format!("nest more than {MAX_JSON_NESTING} levels deep")), "{}", err.message);
    }

    #[test]
    fn yaml_reads_nesting_up_to_its_limit_and_says_the_limit_past_it() {
        for (name, text) in [
            ("flow", nested_arrays(MAX_YAML_NESTING)),
            ("block", (0..MAX_YAML_NESTING).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>()),
        ] {
            assert!(parse("x.yaml", &text, Format::Yaml).is_ok(), "{name}");
        }
        for (name, text) in [
            ("flow", nested_arrays(MAX_YAML_NESTING + 1)),
            ("block", (0..=MAX_YAML_NESTING).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>()),
        ] {
            let err = parse("x.yaml", &text, Format::Yaml).unwrap_err();
            assert!(
                err.message.contains(&format!("nest more than {MAX_YAML_NESTING} levels deep")),
                "{name}: {}",
                err.message
            );
        }
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(Format::from_file_name("a.JSON"), Some(Format::Json));
        assert_eq!(Format::from_file_name("a.yml"), Some(Format::Yaml));
        assert_eq!(Format::from_file_name("a.yaml"), Some(Format::Yaml));
        assert_eq!(Format::from_file_name("a.txt"), None);
    }

    #[test]
    fn json_duplicate_keys_are_errors_with_position() {
        let err = parse("x.json", "{\n  \"a\": 1,\n  \"a\": 2\n}", Format::Json).unwrap_err();
        assert_eq!(err.location, Location::LineColumn(3, 5));
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
    }

    #[test]
    fn json_syntax_error_keeps_position() {
        let err = parse("x.json", "{\"a\": [1, 2}", Format::Json).unwrap_err();
        assert!(matches!(err.location, Location::LineColumn(1, _)));
        assert!(err.message.starts_with("invalid JSON"));
    }

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse("x.yaml", "responses:\n  200:\n    description: ok\n", Format::Yaml).unwrap();
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn yaml_errors_have_positions() {
        let err = parse("x.yaml", "a: [1, 2\nb: 3\n", Format::Yaml).unwrap_err();
        assert!(matches!(err.location, Location::LineColumn(_, _)), "{err:?}");
        let dup = parse("x.yaml", "a: 1\na: 2\n", Format::Yaml).unwrap_err();
        assert!(dup.message.contains("duplicate"), "{}", dup.message);
    }

    #[test]
    fn positions_are_stripped_from_messages() {
        assert_eq!(strip_position("bad thing at line 3 column 4"), "bad thing");
        assert_eq!(strip_position("bad at line 9 column 1, while parsing"), "bad, while parsing");
        assert_eq!(strip_position("no position"), "no position");
    }

    #[test]
    fn yaml_is_not_json_fallback() {
        // A JSON file that is invalid JSON is reported as JSON, even though
        // YAML would accept it.
        let err = parse("x.json", "a: 1", Format::Json).unwrap_err();
        assert!(err.message.starts_with("invalid JSON"));
    }
}
