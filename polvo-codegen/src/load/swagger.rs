//! Reading Swagger 2.0 into the OpenAPI 3.0 shapes the rest of polvo reads.
//!
//! The document is converted in place and keeps its layout: `definitions`,
//! top-level `parameters` and `responses` stay where they are (converted), so
//! every `$ref` and every JSON pointer in a diagnostic still names the place
//! in the file the user wrote. What changes:
//! - `host`, `basePath` and `schemes` become `servers`;
//! - `body` and `formData` parameters become a `requestBody`, with the media
//!   types of `consumes` (multipart when a part is a file);
//! - other parameters get a `schema`, and `collectionFormat` a `style`;
//! - responses get `content` for each type of `produces`;
//! - `securityDefinitions` become `components.securitySchemes`;
//! - `type: file` becomes a binary string, `x-nullable` `nullable`, and a
//!   string `discriminator` an object.

use serde_json::{Map, Value, json};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Whether a parsed document is Swagger 2.0.
pub fn is_swagger(root: &Value) -> bool {
    root.get("swagger").and_then(version_text).is_some_and(|v| v == "2" || v.starts_with("2."))
}

/// A version field as text. YAML reads an unquoted `swagger: 2.0` or
/// `openapi: 3.0` as a number, which still names the version.
pub fn version_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Converts a Swagger 2.0 document to OpenAPI 3.0.3 in place.
pub fn convert(root: &mut Value) {
    fix_schemas(root);
    let Some(doc) = root.as_object_mut() else { return };
    let consumes = media_list(doc.get("consumes"), "application/json");
    let produces = media_list(doc.get("produces"), "application/json");

    // Servers.
    let host = doc.get("host").and_then(Value::as_str).map(str::to_owned);
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("").trim_end_matches('/').to_owned();
    let schemes: Vec<String> = doc
        .get("schemes")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let scheme = if schemes.iter().any(|s| s == "https") || schemes.is_empty() { "https" } else { schemes[0].as_str() };
    let url = match host {
        Some(host) => format!("{scheme}://{host}{base}"),
        None => {
            if base.is_empty() {
                "/".to_owned()
            } else {
                base
            }
        }
    };
    doc.insert("servers".into(), json!([{ "url": url }]));

    // Shared parameters and responses, converted where they are.
    let shared_params = doc.get("parameters").cloned().unwrap_or(Value::Null);
    if let Some(Value::Object(params)) = doc.get_mut("parameters") {
        for param in params.values_mut() {
            if !matches!(param.get("in").and_then(Value::as_str), Some("body" | "formData")) {
                *param = parameter(param);
            }
        }
    }
    if let Some(Value::Object(responses)) = doc.get_mut("responses") {
        for response in responses.values_mut() {
            *response = self::response(response, &produces);
        }
    }

    // Operations.
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            let path_params: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            item.remove("parameters");
            for method in METHODS {
                let Some(Value::Object(op)) = item.get_mut(*method) else { continue };
                operation(op, &path_params, &shared_params, &consumes, &produces);
            }
        }
    }

    // Security schemes.
    if let Some(Value::Object(definitions)) = doc.remove("securityDefinitions") {
        let schemes: Map<String, Value> = definitions.into_iter().map(|(k, v)| (k, security_scheme(&v))).collect();
        let components = doc.entry("components").or_insert_with(|| json!({}));
        if let Some(components) = components.as_object_mut() {
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
    }
    doc.insert("openapi".into(), json!("3.0.3"));
}

fn media_list(value: Option<&Value>, default: &str) -> Vec<String> {
    let list: Vec<String> = value
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if list.is_empty() { vec![default.to_owned()] } else { list }
}

/// Schema differences, everywhere in the document.
fn fix_schemas(value: &mut Value) {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("file") {
                    map.insert("type".into(), json!("string"));
                    map.insert("format".into(), json!("binary"));
                }
                if let Some(nullable) = map.remove("x-nullable") {
                    map.insert("nullable".into(), nullable);
                }
                if let Some(Value::String(property)) = map.get("discriminator").cloned() {
                    map.insert("discriminator".into(), json!({ "propertyName": property }));
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(value);
}

/// The schema keywords a 2.0 non-body parameter carries directly.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "minimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "exclusiveMaximum",
    "exclusiveMinimum",
];

/// A 2.0 parameter (not body or form data) as a 3.0 parameter.
fn parameter(param: &Value) -> Value {
    let Some(p) = param.as_object() else { return param.clone() };
    if p.contains_key("$ref") {
        return param.clone();
    }
    let mut out = Map::new();
    let mut schema = Map::new();
    for (key, value) in p {
        if SCHEMA_KEYS.contains(&key.as_str()) {
            schema.insert(key.clone(), value.clone());
        } else if key != "collectionFormat" && key != "allowEmptyValue" {
            out.insert(key.clone(), value.clone());
        }
    }
    let location = p.get("in").and_then(Value::as_str).unwrap_or("query");
    match (p.get("collectionFormat").and_then(Value::as_str), location) {
        (Some("multi"), _) => {
            out.insert("style".into(), json!("form"));
            out.insert("explode".into(), json!(true));
        }
        (Some("ssv"), "query") => {
            out.insert("style".into(), json!("spaceDelimited"));
            out.insert("explode".into(), json!(false));
        }
        (Some("pipes"), "query") => {
            out.insert("style".into(), json!("pipeDelimited"));
            out.insert("explode".into(), json!(false));
        }
        (_, "query") if schema.get("type").and_then(Value::as_str) == Some("array") => {
            // `csv`, the 2.0 default.
            out.insert("style".into(), json!("form"));
            out.insert("explode".into(), json!(false));
        }
        _ => {}
    }
    out.insert("schema".into(), Value::Object(schema));
    Value::Object(out)
}

/// A 2.0 response as a 3.0 response.
fn response(response: &Value, produces: &[String]) -> Value {
    let Some(r) = response.as_object() else { return response.clone() };
    if r.contains_key("$ref") {
        return response.clone();
    }
    let mut out = r.clone();
    if let Some(schema) = out.remove("schema") {
        let content: Map<String, Value> = produces.iter().map(|m| (m.clone(), json!({ "schema": schema }))).collect();
        out.insert("content".into(), Value::Object(content));
    }
    if let Some(Value::Object(headers)) = out.get_mut("headers") {
        for header in headers.values_mut() {
            if let Some(h) = header.as_object() {
                let schema: Map<String, Value> = h
                    .iter()
                    .filter(|(k, _)| SCHEMA_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let mut converted: Map<String, Value> = h
                    .iter()
                    .filter(|(k, _)| !SCHEMA_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                converted.insert("schema".into(), Value::Object(schema));
                *header = Value::Object(converted);
            }
        }
    }
    out.insert("description".into(), r.get("description").cloned().unwrap_or_else(|| json!("")));
    Value::Object(out)
}

/// Follows a `#/parameters/X` reference into the document's shared parameters.
fn resolve_param<'a>(param: &'a Value, shared: &'a Value) -> &'a Value {
    match param.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/parameters/")) {
        Some(name) => shared.get(crate::load::pointer::unescape(name)).unwrap_or(param),
        None => param,
    }
}

fn operation(
    op: &mut Map<String, Value>,
    path_params: &[Value],
    shared: &Value,
    consumes: &[String],
    produces: &[String],
) {
    let consumes = match op.get("consumes") {
        Some(v) => media_list(Some(v), "application/json"),
        None => consumes.to_vec(),
    };
    let produces = match op.get("produces") {
        Some(v) => media_list(Some(v), "application/json"),
        None => produces.to_vec(),
    };
    // Path-level parameters, overridden by the operation's own.
    let own: Vec<Value> = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let key = |p: &Value| {
        let p = resolve_param(p, shared);
        (p.get("name").cloned(), p.get("in").cloned())
    };
    let mut all: Vec<Value> = path_params.iter().filter(|p| !own.iter().any(|o| key(o) == key(p))).cloned().collect();
    all.extend(own);

    let mut params = Vec::new();
    let mut body = None;
    let mut form = Map::new();
    let mut form_required = Vec::new();
    let mut has_file = false;
    for param in &all {
        let resolved = resolve_param(param, shared);
        match resolved.get("in").and_then(Value::as_str) {
            Some("body") => body = Some(resolved.clone()),
            Some("formData") => {
                let converted = parameter(resolved);
                let name = resolved.get("name").and_then(Value::as_str).unwrap_or("field").to_owned();
                let mut schema = converted.get("schema").cloned().unwrap_or_else(|| json!({}));
                if let (Some(description), Some(s)) = (resolved.get("description"), schema.as_object_mut()) {
                    s.insert("description".into(), description.clone());
                }
                has_file |= schema.get("format").and_then(Value::as_str) == Some("binary");
                if resolved.get("required").and_then(Value::as_bool) == Some(true) {
                    form_required.push(json!(name));
                }
                form.insert(name, schema);
            }
            _ => params.push(if param.get("$ref").is_some() { param.clone() } else { parameter(resolved) }),
        }
    }
    op.insert("parameters".into(), Value::Array(params));
    op.remove("consumes");
    op.remove("produces");
    if let Some(body) = body {
        let schema = body.get("schema").cloned().unwrap_or_else(|| json!({}));
        let content: Map<String, Value> = consumes.iter().map(|m| (m.clone(), json!({ "schema": schema }))).collect();
        let mut request =
            json!({ "content": content, "required": body.get("required").cloned().unwrap_or(json!(false)) });
        if let Some(description) = body.get("description") {
            request["description"] = description.clone();
        }
        op.insert("requestBody".into(), request);
    } else if !form.is_empty() {
        let media = if has_file || consumes.iter().any(|m| m.starts_with("multipart/")) {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut schema = json!({ "type": "object", "properties": form });
        if !form_required.is_empty() {
            schema["required"] = Value::Array(form_required.clone());
        }
        op.insert(
            "requestBody".into(),
            json!({ "content": { media: { "schema": schema } }, "required": !form_required.is_empty() }),
        );
    }
    if let Some(Value::Object(responses)) = op.get_mut("responses") {
        for r in responses.values_mut() {
            *r = response(r, &produces);
        }
    }
}

fn security_scheme(definition: &Value) -> Value {
    match definition.get("type").and_then(Value::as_str) {
        Some("basic") => json!({ "type": "http", "scheme": "basic", "description": definition.get("description") }),
        Some("oauth2") => {
            let flow = match definition.get("flow").and_then(Value::as_str) {
                Some("implicit") => "implicit",
                Some("password") => "password",
                Some("application") => "clientCredentials",
                _ => "authorizationCode",
            };
            let mut details = Map::new();
            for key in ["authorizationUrl", "tokenUrl", "scopes"] {
                if let Some(v) = definition.get(key) {
                    details.insert(key.into(), v.clone());
                }
            }
            details.entry("scopes").or_insert_with(|| json!({}));
            json!({ "type": "oauth2", "flows": { flow: details } })
        }
        _ => definition.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_the_shapes_that_differ() {
        let mut doc = json!({
            "swagger": "2.0",
            "info": {"title": "T", "version": "1"},
            "host": "api.example.com",
            "basePath": "/v1/",
            "schemes": ["http", "https"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "securityDefinitions": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "basic": {"type": "basic"},
                "oauth": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": {"r": "read"}}
            },
            "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer", "format": "int32"}},
            "paths": {
                "/pets": {
                    "parameters": [{"$ref": "#/parameters/limit"}],
                    "get": {
                        "parameters": [{"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"}],
                        "responses": {"200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}}
                    },
                    "post": {
                        "parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}],
                        "responses": {"201": {"description": "created"}}
                    }
                },
                "/pets/{id}/photo": {
                    "post": {
                        "consumes": ["multipart/form-data"],
                        "parameters": [
                            {"name": "id", "in": "path", "required": true, "type": "string"},
                            {"name": "file", "in": "formData", "type": "file", "required": true},
                            {"name": "note", "in": "formData", "type": "string"}
                        ],
                        "responses": {"200": {"description": "ok"}}
                    }
                }
            },
            "definitions": {"Pet": {"type": "object", "discriminator": "kind", "properties": {"kind": {"type": "string"}, "nick": {"type": "string", "x-nullable": true}}}}
        });
        convert(&mut doc);
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(doc["servers"][0]["url"], "https://api.example.com/v1");
        let get = &doc["paths"]["/pets"]["get"];
        assert_eq!(get["parameters"][0], json!({"$ref": "#/parameters/limit"}));
        assert_eq!(doc["parameters"]["limit"]["schema"], json!({"type": "integer", "format": "int32"}));
        assert_eq!(get["parameters"][1]["style"], "form");
        assert_eq!(get["parameters"][1]["explode"], true);
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
            "#/definitions/Pet"
        );
        let post = &doc["paths"]["/pets"]["post"];
        assert_eq!(post["requestBody"]["required"], true);
        assert_eq!(post["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/definitions/Pet");
        let upload = &doc["paths"]["/pets/{id}/photo"]["post"];
        let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
        assert_eq!(form["properties"]["file"], json!({"type": "string", "format": "binary"}));
        assert_eq!(form["required"], json!(["file"]));
        assert_eq!(upload["parameters"][0]["schema"], json!({"type": "string"}));
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["basic"]["scheme"], "basic");
        assert_eq!(schemes["oauth"]["flows"]["authorizationCode"]["tokenUrl"], "https://a/token");
        assert_eq!(schemes["key"]["name"], "X-Key");
        assert_eq!(doc["definitions"]["Pet"]["discriminator"], json!({"propertyName": "kind"}));
        assert_eq!(doc["definitions"]["Pet"]["properties"]["nick"]["nullable"], true);
    }
}
