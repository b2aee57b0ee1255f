//! Snapshots of the code generated for the project's own small specs.
//! Review changes with `cargo insta review`.

mod support;

fn snapshot(spec: &str, module: &str) {
    let path = support::root().join("tests/specs").join(spec);
    let source = support::generate_source(&path, module).unwrap_or_else(|d| panic!("{spec} should generate:\n{d}"));
    insta::assert_snapshot!(module, source);
}

#[test]
fn models() {
    snapshot("models.yaml", "models");
}

#[test]
fn models_3_1() {
    snapshot("models-3.1.yaml", "models_3_1");
}

#[test]
fn operations() {
    snapshot("operations.yaml", "operations");
}

/// The `pages`/`items` methods of each pagination style.
#[test]
fn pagination() {
    snapshot("pagination/cursor.yaml", "pagination_cursor");
    snapshot("pagination/link.yaml", "pagination_link");
    snapshot("pagination/offset.yaml", "pagination_offset");
    snapshot("pagination/page.yaml", "pagination_page");
}

/// A spec without operationIds: the names come from the paths, short.
#[test]
fn no_operation_ids() {
    snapshot("no-operation-ids.yaml", "no_operation_ids");
}

/// The payload types of the webhooks the section selects: a `$ref` body
/// aliases its component, an inline one gets a type in `types`; a schema
/// only an unselected webhook reaches (`Refund`) is not generated.
#[test]
fn webhooks() {
    snapshot("webhooks/bookings.yaml", "bookings");
}

/// `send_events()` and `send_stream()` next to `send()`.
#[test]
fn streaming() {
    snapshot("streaming/files.yaml", "streaming");
}

/// Parameters named like the builders' escape hatches (`query`, `header`,
/// `send_raw`, …) get a `_2` suffix; schema-less responses keep their body.
#[test]
fn escape_hatches() {
    snapshot("escape-hatches.yaml", "escape_hatches");
}

#[test]
fn split_files() {
    snapshot("split/api.yaml", "split");
}

/// Each type a generated module declares, by name, with its definition's
/// text (from `pub struct`/`pub enum`/`pub type` to its end).
fn definitions(source: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed
            .strip_prefix("pub struct ")
            .or_else(|| trimmed.strip_prefix("pub enum "))
            .or_else(|| trimmed.strip_prefix("pub type "))
        else {
            continue;
        };
        let name = rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_owned();
        let mut text = line.to_owned();
        if !line.trim_end().ends_with(';') {
            let end = format!("{}}}", &line[..line.len() - trimmed.len()]);
            for body in lines.by_ref() {
                text.push('\n');
                text.push_str(body);
                if body == end {
                    break;
                }
            }
        }
        out.insert(name, text);
    }
    out
}

/// The type names a generated module declares.
fn declared_types(source: &str) -> Vec<String> {
    definitions(source).into_keys().collect()
}

#[test]
fn names_stay_put_when_unrelated_parts_of_the_spec_change() {
    let original_path = support::root().join("tests/specs/operations.yaml");
    let original = std::fs::read_to_string(&original_path).unwrap();
    // A new operation before all others, with inline types of its own, and a new schema.
    let edited = original
        .replace(
            "paths:\n",
            "paths:\n  /reports:\n    get:\n      operationId: getReports\n      tags: [reports]\n      parameters:\n        - {name: kind, in: query, schema: {type: string, enum: [daily, weekly]}}\n      responses:\n        \"200\":\n          description: Reports.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  count: {type: integer}\n",
        )
        .replace("components:\n  schemas:\n", "components:\n  schemas:\n    Report:\n      type: object\n      properties:\n        id: {type: string}\n");
    let dir = std::env::temp_dir().join(format!("polvo-stable-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let edited_path = dir.join("operations.yaml");
    std::fs::write(&edited_path, edited).unwrap();

    let before = support::generate_source(&original_path, "operations").unwrap();
    let after = support::generate_source(&edited_path, "operations").unwrap();
    let after_types = declared_types(&after);
    for name in declared_types(&before) {
        assert!(after_types.contains(&name), "`{name}` was renamed by an unrelated edit");
    }
    // And each name still means the same type.
    let after_definitions = definitions(&after);
    let before_definitions = definitions(&before);
    assert!(before_definitions.len() > 20 && before_definitions.values().any(|d| d.lines().count() > 5));
    for (name, definition) in before_definitions {
        assert_eq!(after_definitions.get(&name), Some(&definition), "`{name}` changed with an unrelated edit");
    }
    assert!(
        after_types.contains(&"GetReportsKind".to_owned()) && after_types.contains(&"GetReportsResponse".to_owned())
    );
    let _ = std::fs::remove_dir_all(&dir);
}
