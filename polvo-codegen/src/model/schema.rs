//! A read-only view of a schema object that hides the differences between
//! OpenAPI 3.0 (`nullable`) and 3.1 (`type: [T, "null"]`, `const`, boolean
//! schemas).

use serde_json::{Map, Value};

use crate::load::{Place, pointer};

/// Keywords that only document a schema: two schemas that differ only in
/// these describe the same values.
pub const DOC_KEYWORDS: &[&str] = &["description", "title", "example", "examples", "externalDocs", "$comment"];
/// Keywords whose value maps names to schemas.
pub const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties", "$defs", "definitions"];
/// Keywords whose value is one schema.
pub const SCHEMA_KEYWORDS: &[&str] = &["items", "additionalProperties", "not", "contains", "propertyNames"];
/// Keywords whose value is a list of schemas.
pub const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "oneOf", "anyOf", "prefixItems"];

/// A schema value and where it is.
#[derive(Clone, Copy, Debug)]
pub struct SchemaView<'a, 'p> {
    /// The schema itself.
    pub value: &'a Value,
    /// Its document.
    pub doc: usize,
    /// Its JSON pointer, borrowed from the caller's storage.
    pub pointer: &'p str,
}

/// What `additionalProperties` says.
#[derive(Clone, Copy, Debug)]
pub enum Additional<'a> {
    /// Not given, or `true`/`{}`: any extra property is allowed.
    Any,
    /// `false`: no extra properties.
    Forbidden,
    /// A schema for every extra property.
    Schema(&'a Value),
}

impl<'a> SchemaView<'a, '_> {
    /// The place of this schema.
    pub fn place(&self) -> Place {
        Place { doc: self.doc, pointer: self.pointer.to_owned() }
    }

    /// The schema's members, or `None` for a boolean schema or a non-object.
    pub fn object(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// A member.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.object().and_then(|m| m.get(key))
    }

    /// A string member.
    pub fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    /// `$ref`, if the schema is a reference.
    pub fn reference(&self) -> Option<&'a str> {
        self.str("$ref")
    }

    /// `description`, trimmed, if not empty.
    pub fn description(&self) -> Option<String> {
        non_empty(self.str("description"))
    }

    /// `title`, trimmed, if not empty.
    pub fn title(&self) -> Option<String> {
        non_empty(self.str("title"))
    }

    /// `format`.
    pub fn format(&self) -> Option<&'a str> {
        self.str("format")
    }

    /// The non-null names in `type` (a string in 3.0, a string or array in 3.1).
    pub fn types(&self) -> Vec<&'a str> {
        match self.get("type") {
            Some(Value::String(t)) if t != "null" => vec![t.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the schema admits `null`: 3.0 `nullable: true`, `null` in a
    /// 3.1 `type` array, a `null` in `enum`, or a `{type: null}` branch of
    /// `oneOf`/`anyOf`.
    pub fn is_nullable(&self) -> bool {
        if self.get("nullable").and_then(Value::as_bool) == Some(true) {
            return true;
        }
        match self.get("type") {
            Some(Value::String(t)) if t == "null" => return true,
            Some(Value::Array(items)) if items.iter().any(|t| t == "null") => return true,
            _ => {}
        }
        if self.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().any(Value::is_null)) {
            return true;
        }
        ["oneOf", "anyOf"]
            .iter()
            .any(|key| self.get(key).and_then(Value::as_array).is_some_and(|items| items.iter().any(is_null_schema)))
    }

    /// The allowed values, from `enum` or 3.1 `const`, without `null`.
    pub fn enum_values(&self) -> Option<Vec<&'a Value>> {
        if let Some(values) = self.get("enum").and_then(Value::as_array) {
            return Some(values.iter().filter(|v| !v.is_null()).collect());
        }
        self.get("const").filter(|v| !v.is_null()).map(|v| vec![v])
    }

    /// `properties`, when it is an object.
    pub fn properties(&self) -> Option<&'a Map<String, Value>> {
        self.get("properties").and_then(Value::as_object)
    }

    /// The names in `required`.
    pub fn required(&self) -> Vec<&'a str> {
        self.get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// `additionalProperties`.
    pub fn additional(&self) -> Additional<'a> {
        match self.get("additionalProperties") {
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(v @ Value::Object(m)) if !m.is_empty() => Additional::Schema(v),
            _ => Additional::Any,
        }
    }

    /// A list-valued member (`allOf`, `oneOf`, `anyOf`).
    pub fn list(&self, key: &str) -> Option<&'a Vec<Value>> {
        self.get(key).and_then(Value::as_array)
    }

    /// `readOnly`.
    pub fn read_only(&self) -> bool {
        self.get("readOnly").and_then(Value::as_bool) == Some(true)
    }

    /// `writeOnly`.
    pub fn write_only(&self) -> bool {
        self.get("writeOnly").and_then(Value::as_bool) == Some(true)
    }

    /// `deprecated`.
    pub fn deprecated(&self) -> bool {
        self.get("deprecated").and_then(Value::as_bool) == Some(true)
    }
}

/// Builds the pointer of a child of a schema.
pub fn child_pointer(parent: &str, tokens: &[&str]) -> String {
    let mut out = parent.to_owned();
    for token in tokens {
        out.push('/');
        out.push_str(&pointer::escape(token));
    }
    out
}

/// Whether a schema only admits `null` (`{type: "null"}` or `{const: null}`).
pub fn is_null_schema(value: &Value) -> bool {
    match value.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(items)) => !items.is_empty() && items.iter().all(|t| t == "null"),
        _ => {
            value.get("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_null))
                || value.get("const").is_some_and(Value::is_null)
        }
    }
}

/// `Some(trimmed)` for a non-empty string.
pub fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Where a document keeps its named schemas and security schemes: under
/// `components` in OpenAPI 3, at the top level in a Swagger 2.0 file (read
/// in place, see [`crate::load::swagger`]). Worked out once per file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecLayout {
    /// Whether the file is Swagger 2.0.
    pub swagger: bool,
}

impl SpecLayout {
    /// The layout of the file whose root is `root`.
    pub(crate) fn of(root: &Value) -> Self {
        SpecLayout { swagger: crate::load::swagger::is_swagger(root) }
    }

    /// The pointer of the named schemas.
    pub(crate) fn schemas_pointer(self) -> &'static str {
        if self.swagger { "/definitions" } else { "/components/schemas" }
    }

    /// The named schemas' place as users write it, for messages.
    pub(crate) fn schemas_name(self) -> &'static str {
        if self.swagger { "definitions" } else { "components.schemas" }
    }

    /// The pointer of the security schemes, for diagnostics.
    pub(crate) fn schemes_pointer(self) -> &'static str {
        if self.swagger { "/securityDefinitions" } else { "/components/securitySchemes" }
    }
}

/// Where the document whose root is `root` keeps its named schemas.
pub(super) fn schemas_pointer(root: &Value) -> &'static str {
    SpecLayout::of(root).schemas_pointer()
}

/// A schema without its documentation keywords, at every depth (a property
/// named `description` is data and stays). Schemas that describe the same
/// values and differ only in their docs are equal this way.
pub fn without_docs(value: &Value) -> Value {
    let Value::Object(map) = value else { return value.clone() };
    let stripped = map
        .iter()
        .filter(|(k, _)| !DOC_KEYWORDS.contains(&k.as_str()))
        .map(|(k, v)| {
            let keyword = k.as_str();
            let v = match v {
                Value::Object(props) if SCHEMA_MAP_KEYWORDS.contains(&keyword) => {
                    Value::Object(props.iter().map(|(name, s)| (name.clone(), without_docs(s))).collect())
                }
                Value::Array(items) if SCHEMA_LIST_KEYWORDS.contains(&keyword) => {
                    Value::Array(items.iter().map(without_docs).collect())
                }
                schema if SCHEMA_KEYWORDS.contains(&keyword) => without_docs(schema),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    Value::Object(stripped)
}

/// Whether two schemas describe the same values: equal but for their
/// documentation keywords, at any depth (key order aside).
pub fn same_schema(a: &Value, b: &Value) -> bool {
    without_docs(a) == without_docs(b)
}

#[cfg(test)]
mod tests {
    use super::same_schema;
    use serde_json::json;

    #[test]
    fn schemas_that_differ_only_in_their_docs_are_the_same() {
        let a =
            json!({"type": "object", "description": "A", "properties": {"id": {"type": "string", "description": "x"}}});
        let b = json!({"type": "object", "description": "B", "properties": {"id": {"type": "string", "example": "1"}}});
        assert!(same_schema(&a, &b));
        // A property named `description` is data, not documentation.
        let c = json!({"type": "object", "properties": {"description": {"type": "string"}}});
        let d = json!({"type": "object", "properties": {}});
        assert!(!same_schema(&c, &d));
        let e = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
        assert!(!same_schema(&a, &e));
        let f = json!({"oneOf": [{"type": "string", "title": "s"}, {"type": "integer"}]});
        let g = json!({"oneOf": [{"type": "string"}, {"type": "integer", "description": "n"}]});
        assert!(same_schema(&f, &g));
        assert!(!same_schema(&f, &json!({"oneOf": [{"type": "string"}]})));
    }
}
