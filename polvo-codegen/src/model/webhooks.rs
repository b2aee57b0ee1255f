//! The webhooks a spec describes: OpenAPI 3.1 `webhooks`, or the
//! `x-webhooks` extension of the same shape in GitHub's 3.0 spec. Each is a
//! path item whose operation's request body is the payload the API sends
//! to the user's server.
//!
//! Payload types are generated only for the webhooks the `x-polvo`
//! section's `webhooks` key selects: GitHub describes 270, and a client
//! that does not receive them should not compile them.

use serde_json::Value;

use super::operations::{METHODS, is_json_media};
use super::schema::{child_pointer, non_empty};
use super::section::{SectionSource, WebhookSelection};
use super::types::{At, TypeBuilder};
use super::{Docs, TypeRef, Webhook, Webhooks};
use crate::diag::Diagnostics;
use crate::load::{DocId, DocumentSet, Place, pointer};
use crate::naming::{self, ServiceScope};

/// The keys a document describes webhooks under, the standard one first.
const WEBHOOK_KEYS: &[&str] = &["webhooks", "x-webhooks"];

/// How many names an unknown-name error lists before it only counts the rest.
const LISTED_NAMES: usize = 12;

/// A webhook as the spec describes it.
struct Described<'a> {
    /// Its name (the key under `webhooks`).
    name: &'a str,
    /// Its path item.
    item: &'a Value,
    /// Where the path item is.
    place: Place,
}

/// The webhooks the section selects, each with its payload type, in a
/// module claimed in `scopes` after the groups; `None` when it selects none.
pub fn build<'a>(
    types: &mut TypeBuilder<'a>,
    roots: &[DocId],
    section: Option<&SectionSource>,
    scopes: &mut ServiceScope,
) -> Option<Webhooks> {
    let source = section?;
    let selection = source.section.webhooks.as_ref()?;
    let docs = types.documents();
    let chosen = select(described(docs, roots), selection, source, types.diags());
    if chosen.is_empty() {
        return None;
    }
    let mut scope = naming::webhook_scope();
    let mut hooks: Vec<Webhook> = Vec::with_capacity(chosen.len());
    for hook in chosen {
        let type_name = scope.claim(&naming::pascal_ident(hook.name, "Webhook"));
        if let Some(mut webhook) = payload(types, &hook, type_name) {
            let file = docs.name(webhook.place.doc);
            drop_repeated_operation_id(&mut webhook, &hooks, file, types.diags());
            hooks.push(webhook);
        }
    }
    if hooks.is_empty() {
        return None;
    }
    Some(Webhooks { module: scopes.claim_module("webhooks"), event_enum: scope.claim("Event"), hooks })
}

/// Every webhook of the roots, in document order; a name met again is the
/// first one's.
fn described<'a>(docs: &'a DocumentSet, roots: &[DocId]) -> Vec<Described<'a>> {
    let mut out: Vec<Described<'a>> = Vec::new();
    for &doc in roots {
        for key in WEBHOOK_KEYS {
            let Some(map) = docs.doc(doc).root.get(*key).and_then(Value::as_object) else { continue };
            for (name, item) in map {
                if !out.iter().any(|d| d.name == name) {
                    out.push(Described {
                        name,
                        item,
                        place: Place { doc, pointer: child_pointer(&format!("/{key}"), &[name]) },
                    });
                }
            }
        }
    }
    out
}

/// The webhooks `selection` names, in spec order; names that match none are
/// errors at their place in the section.
fn select<'a>(
    all: Vec<Described<'a>>,
    selection: &WebhookSelection,
    source: &SectionSource,
    diags: &mut Diagnostics,
) -> Vec<Described<'a>> {
    let at = format!("{}/webhooks", source.pointer);
    match selection {
        WebhookSelection::All(false) => Vec::new(),
        WebhookSelection::All(true) => {
            if all.is_empty() {
                diags.warning(&source.file, &at, "`webhooks: true`, but the spec describes no webhooks");
            }
            all
        }
        WebhookSelection::Named(names) => {
            for (index, name) in names.iter().enumerate() {
                if !all.iter().any(|d| d.name == name) {
                    let message = format!("`{name}` is no webhook of the spec; {}", known_names(&all));
                    diags.error(&source.file, &format!("{at}/{index}"), message);
                }
            }
            all.into_iter().filter(|d| names.iter().any(|n| n == d.name)).collect()
        }
    }
}

/// The names an unknown name could have meant, for its error.
fn known_names(all: &[Described<'_>]) -> String {
    if all.is_empty() {
        return "the spec describes no webhooks (under `webhooks` or `x-webhooks`)".to_owned();
    }
    let listed: Vec<String> = all.iter().take(LISTED_NAMES).map(|d| format!("`{}`", d.name)).collect();
    let rest = all.len().saturating_sub(LISTED_NAMES);
    let more = if rest > 0 { format!(" and {rest} more") } else { String::new() };
    format!("its webhooks are {}{more}", listed.join(", "))
}

/// The webhook with the type of its operation's JSON request body, named
/// `type_name` when the body is an inline schema that needs a type. A
/// webhook without a JSON body gets no type, and a warning says so.
fn payload<'a>(types: &mut TypeBuilder<'a>, hook: &Described<'a>, type_name: String) -> Option<Webhook> {
    let docs = types.documents();
    let (item, item_place) = follow(docs, hook.item, &hook.place, types.diags())?;
    let operation = METHODS.iter().find_map(|&method| {
        let op = item.get(method).filter(|op| op.get("requestBody").is_some())?;
        Some((op, child_pointer(&item_place.pointer, &[method])))
    });
    let body = operation.and_then(|(op, op_pointer)| {
        let place = Place { doc: item_place.doc, pointer: child_pointer(&op_pointer, &["requestBody"]) };
        let (body, body_place) = follow(docs, op.get("requestBody")?, &place, types.diags())?;
        let (media, media_value) = body.get("content")?.as_object()?.iter().find(|(m, _)| is_json_media(m))?;
        let schema_pointer = child_pointer(&body_place.pointer, &["content", media, "schema"]);
        Some((op, media_value.get("schema")?, body_place.doc, schema_pointer))
    });
    let Some((op, schema, doc, schema_pointer)) = body else {
        let message = format!("the webhook `{}` has no JSON request body, so it gets no payload type", hook.name);
        types.diags().warning(docs.name(hook.place.doc), &hook.place.pointer, message);
        return None;
    };
    let payload = types.type_of(At { value: schema, doc, pointer: &schema_pointer }, &type_name);
    document_inline_payload(types, &payload, hook);
    let text = |key: &str| non_empty(op.get(key).or_else(|| item.get(key)).and_then(Value::as_str));
    let docs = Docs { title: text("summary"), description: text("description"), notes: Vec::new() };
    let operation_id = non_empty(op.get("operationId").and_then(Value::as_str));
    Some(Webhook { name: hook.name.to_owned(), type_name, payload, operation_id, docs, place: hook.place.clone() })
}

/// Takes from `webhook` an `operationId` an earlier webhook already has
/// (the spec's ids should be unique; only the first decodes by it), with a
/// warning at the webhook.
fn drop_repeated_operation_id(webhook: &mut Webhook, earlier: &[Webhook], file: &str, diags: &mut Diagnostics) {
    let Some(id) = webhook.operation_id.as_deref() else { return };
    let Some(first) = earlier.iter().find(|hook| hook.operation_id.as_deref() == Some(id)) else { return };
    let message = format!(
        "the webhook `{}` has the operationId `{id}` of the webhook `{}`; only `{}` is decoded by that operation id",
        webhook.name, first.name, first.name
    );
    diags.warning(file, &webhook.place.pointer, message);
    webhook.operation_id = None;
}

/// Gives a payload type made for the webhook's inline body, when its
/// schema says nothing of itself, a line saying what it is.
fn document_inline_payload(types: &mut TypeBuilder<'_>, payload: &TypeRef, hook: &Described<'_>) {
    let TypeRef::Named(id) = *payload else { return };
    let def = &mut types.types[id];
    let inline = def.place.doc == hook.place.doc && def.place.pointer.starts_with(&format!("{}/", hook.place.pointer));
    if inline && def.docs.title.is_none() && def.docs.description.is_none() {
        def.docs.title = Some(format!("The payload of the `{}` webhook.", hook.name));
    }
}

/// The value a `$ref` at `place` leads to (or `value` itself when it is
/// none), reporting a dangling one.
fn follow<'a>(
    docs: &'a DocumentSet,
    value: &'a Value,
    place: &Place,
    diags: &mut Diagnostics,
) -> Option<(&'a Value, Place)> {
    if value.get("$ref").is_none() {
        return Some((value, place.clone()));
    }
    match docs.follow(place) {
        Ok((target_place, target)) => Some((target, target_place)),
        Err(message) => {
            let at = format!("{}/{}", place.pointer, pointer::escape("$ref"));
            diags.error(docs.name(place.doc), &at, message);
            None
        }
    }
}
