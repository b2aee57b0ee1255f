//! Which types travel into requests and which out of responses.
//!
//! A type only sent needs `Serialize`, a type only received needs
//! `Deserialize` (webhook payloads are received too), and a type no
//! operation or selected webhook reaches is not needed by a client at all.
//! Deriving just what is needed is most of what keeps a large API's
//! compile time down, so it is the default; [`SerdeImpls::Both`] gives
//! every type that is needed at all both impls, for users who store or
//! forward API objects.

use super::recursion::mentioned;
use super::{EventData, Operation, Outcome, Service, TypeDef, TypeId, TypeKind};
use crate::SerdeImpls;

/// Marks every type's [`super::Usage`].
pub fn mark_usage(service: &mut Service, impls: SerdeImpls) {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let operations = service.groups.iter().flat_map(|g| g.operations.iter()).chain(service.ungrouped.iter());
    for op in operations {
        collect_sent(op, &mut sent);
        collect_received(op, &mut received);
    }
    let has_operations = !sent.is_empty() || !received.is_empty();
    // Webhook payloads arrive in requests to the user's server: received.
    for hook in service.webhooks.iter().flat_map(|w| &w.hooks) {
        mentioned(&hook.payload, &mut received);
    }
    let types = &mut service.types;
    propagate(types, sent, |def| &mut def.usage.serialize);
    propagate(types, received, |def| &mut def.usage.deserialize);
    if !has_operations {
        // A spec of schemas alone: every schema is wanted, for reading.
        for def in types.iter_mut() {
            def.usage.deserialize = true;
        }
    }
    if impls == SerdeImpls::Both {
        for def in types.iter_mut().filter(|def| def.usage.is_used()) {
            def.usage.serialize = true;
            def.usage.deserialize = true;
        }
    }
}

fn collect_sent(op: &Operation, out: &mut Vec<TypeId>) {
    for p in &op.params {
        mentioned(&p.ty, out);
    }
    if let Some(body) = &op.body {
        mentioned(&body.ty, out);
    }
}

fn collect_received(op: &Operation, out: &mut Vec<TypeId>) {
    for outcome in [&op.responses.success_type, &op.responses.error_type] {
        match outcome {
            Outcome::Nothing => {}
            Outcome::Single(t) | Outcome::Optional(t) => mentioned(t, out),
            Outcome::Enum { variants, .. } => variants.iter().flat_map(|(_, t)| t).for_each(|t| mentioned(t, out)),
        }
    }
    if let Some(EventData::Json(data)) = &op.streaming.events {
        mentioned(data, out);
    }
}

/// Sets `flag` on every type reachable from `roots`.
fn propagate(types: &mut [TypeDef], mut stack: Vec<TypeId>, flag: impl Fn(&mut TypeDef) -> &mut bool) {
    while let Some(id) = stack.pop() {
        let Some(def) = types.get_mut(id) else { continue };
        let seen = flag(def);
        if *seen {
            continue;
        }
        *seen = true;
        match &def.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| mentioned(&f.ty, &mut stack));
                if let Some(extra) = &s.additional {
                    mentioned(&extra.ty, &mut stack);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| mentioned(&v.ty, &mut stack)),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => mentioned(t, &mut stack),
            TypeKind::StringEnum(_) => {}
        }
    }
}
