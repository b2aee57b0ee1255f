//! Building a whole [`Service`] from loaded documents.

use indexmap::IndexMap;
use serde_json::Value;

use super::auth::{AuthModel, SectionPlace, SpecSchemes};
use super::operations::{BuiltOperation, METHODS, OperationBuilder, RawOperation};
use super::recursion::make_finite;
use super::renames::Claims;
use super::schema::{SpecLayout, child_pointer, non_empty, same_schema, schemas_pointer};
use super::section::{PolvoSection, RenameConfig, SectionSource, parse_section};
use super::types::TypeBuilder;
use super::{Group, Operation, Server, Service, TypeId};
use crate::SerdeImpls;
use crate::diag::Diagnostics;
use crate::load::{DocId, DocumentSet, Place};
use crate::naming::{self, GroupNames, ModuleScope, OperationNames, ServiceScope, ServiceTypes};

/// How the module is named and where the `x-polvo` section may be.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// A name the user gave; it wins over everything.
    pub module: Option<String>,
    /// The name used when neither the user nor the section gives one.
    pub fallback_module: String,
    /// A sidecar document holding the section.
    pub sidecar: Option<DocId>,
    /// Which operations to generate.
    pub filter: OperationFilter,
    /// The serde impls the user asked for; `None` leaves it to the section.
    pub serde_impls: Option<SerdeImpls>,
    /// How required properties decode; `None` leaves it to the section.
    pub decoding: Option<crate::Decoding>,
}

/// A subset of a service's operations: those with one of `tags`, and those
/// named in `operations` (by `operationId` or generated method name). Empty
/// means every operation.
#[derive(Clone, Debug, Default)]
pub struct OperationFilter {
    /// Tags to keep.
    pub tags: Vec<String>,
    /// Operations to keep.
    pub operations: Vec<String>,
}

impl OperationFilter {
    fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.operations.is_empty()
    }

    /// Keeps the operations the filter names; reports names that match nothing.
    fn apply<'a>(&self, ops: Vec<RawOperation<'a>>, file: &str, diags: &mut Diagnostics) -> Vec<RawOperation<'a>> {
        if self.is_empty() {
            return ops;
        }
        let has_tag = |op: &RawOperation<'_>, tag: &str| {
            op.value
                .get("tags")
                .and_then(Value::as_array)
                .is_some_and(|tags| tags.iter().filter_map(Value::as_str).any(|t| t.eq_ignore_ascii_case(tag)))
        };
        let named = |op: &RawOperation<'_>, name: &str| {
            op.is_named(name) || op.method_name(true).0 == name || op.method_name(false).0 == name
        };
        for tag in &self.tags {
            if !ops.iter().any(|op| has_tag(op, tag)) {
                let mut known: Vec<&str> = ops
                    .iter()
                    .flat_map(|op| {
                        op.value.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
                    })
                    .collect();
                known.sort_unstable();
                known.dedup();
                diags.error(
                    file,
                    "",
                    format!("`tags` names `{tag}`, which no operation has; the tags are {}", known.join(", ")),
                );
            }
        }
        for name in &self.operations {
            if !ops.iter().any(|op| named(op, name)) {
                diags.error(
                    file,
                    "",
                    format!(
                        "`operations` names `{name}`, which is no operationId, method and path (`GET /pets/{{id}}`) or method name of the spec"
                    ),
                );
            }
        }
        ops.into_iter()
            .filter(|op| self.tags.iter().any(|t| has_tag(op, t)) || self.operations.iter().any(|n| named(op, n)))
            .collect()
    }
}

/// Builds the service model of the root documents `roots`, reporting every
/// problem to `diags`, the generation's one sink. Diagnostics are reported
/// in the order of the phases below: the service's own checks, then the
/// types and operations.
pub fn build(docs: &DocumentSet, roots: &[DocId], options: &BuildOptions, diags: &mut Diagnostics) -> Service {
    let roots = checked_roots(docs, roots, diags);
    // The `x-polvo` section: in the spec, or in the sidecar.
    let section = section(docs, &roots, options.sidecar, diags);
    if section.as_ref().is_none_or(|s| s.section.webhooks.is_none()) {
        roots.iter().for_each(|&doc| note_webhooks(docs, doc, diags));
    }
    let names = ServiceNames::new(options, section.as_ref().map(|s| &s.section));
    let servers = roots.first().map(|&doc| servers(docs, doc)).unwrap_or_default();
    let auth = auth_model(docs, &roots, section.as_ref(), &servers, &names.env_prefix, diags);

    let empty_renames = RenameConfig::default();
    let renames = section.as_ref().map_or(&empty_renames, |s| &s.section.rename);
    let reporter = RenameReporter { section: section.as_ref() };
    let layout = ServiceLayout::new(docs, &roots);

    let mut claims = Claims::default();
    let mut types = TypeBuilder::new(docs, diags);
    let decoding = options.decoding.or_else(|| section.as_ref().and_then(|s| s.section.decode)).unwrap_or_default();
    types.lenient = decoding == crate::Decoding::Lenient;
    let renamed_types = register_components(&layout, renames, &mut types, &mut claims);
    if renamed_types < renames.types.len() {
        check_type_renames(&layout, renames, &reporter, types.diags());
    }
    let mut raw_ops = collect_operations(docs, &roots, types.diags());
    super::path_names::assign(&mut raw_ops, |op| {
        layout.group_of_doc(op.doc).or_else(|| op.first_tag().map(str::to_owned))
    });
    // Renames may name operations the selection leaves out.
    let all_ops = raw_ops.clone();
    let operation_ids: Vec<String> = all_ops.iter().filter_map(|op| op.operation_id().map(str::to_owned)).collect();
    let raw_ops = match roots.first() {
        Some(&doc) => options.filter.apply(raw_ops, docs.name(doc), types.diags()),
        None => raw_ops,
    };
    let grouping = Grouping::new(&layout, &raw_ops);
    let mut scopes = ServiceScope::default();
    let named = name_operations(&grouping, &raw_ops, renames, &mut scopes, &mut claims);
    check_operation_renames(renames, &grouping, (&raw_ops, &all_ops), &claims, &reporter, types.diags());
    check_operation_settings(section.as_ref(), &all_ops, types.diags());
    types.define_pending();

    let mut builder = OperationBuilder { types: &mut types, auth: &auth };
    let groups = build_groups(&grouping, named.groups, &raw_ops, &mut builder, &mut scopes.types);
    let ungrouped = build_ungrouped(named.ungrouped, &raw_ops, &mut builder, &mut scopes.client, &mut scopes.types);
    let webhooks = super::webhooks::build(&mut types, &roots, section.as_ref(), &mut scopes);

    let mut type_defs = types.finish();
    make_finite(&mut type_defs);

    let info = roots.first().and_then(|&doc| docs.doc(doc).root.get("info"));
    let text = |key: &str| non_empty(info.and_then(|i| i.get(key)).and_then(Value::as_str));
    let mut service = Service {
        module: names.module,
        title: text("title"),
        description: text("description"),
        version: text("version"),
        servers,
        groups,
        ungrouped,
        types: type_defs,
        notes: Vec::new(),
        auth,
        webhooks,
    };
    super::pagination::detect(&mut service, section.as_ref(), &operation_ids, diags);
    let serde_impls =
        options.serde_impls.or_else(|| section.as_ref().and_then(|s| s.section.serde)).unwrap_or_default();
    super::usage::mark_usage(&mut service, serde_impls);
    let declared = section.as_ref().and_then(|s| s.section.idempotency_header.as_deref());
    mark_idempotency_headers(&mut service, declared);
    if decoding == crate::Decoding::Lenient {
        service.notes.push(
            "Decoded leniently (`decode: lenient`): every property is an `Option`, so a reply that leaves out \
             a property the spec marks `required`, or sends `null` for it, decodes with `None` there."
                .to_owned(),
        );
    }
    service
}

/// The header that carries the idempotency key of each operation: one the
/// operation declares as a header parameter (the section's name, or
/// `Idempotency-Key`), else the section's header for `POST` and `PATCH`.
fn mark_idempotency_headers(service: &mut Service, declared: Option<&str>) {
    let name = declared.unwrap_or("Idempotency-Key");
    let operations = service.groups.iter_mut().flat_map(|g| g.operations.iter_mut()).chain(&mut service.ungrouped);
    for op in operations {
        let parameter = op
            .params
            .iter()
            .find(|p| p.location == super::ParamLocation::Header && p.wire_name.eq_ignore_ascii_case(name))
            .map(|p| p.wire_name.clone());
        let unsafe_method = matches!(op.http_method.as_str(), "POST" | "PATCH");
        op.idempotency_header = parameter.or_else(|| declared.filter(|_| unsafe_method).map(str::to_owned));
    }
}

/// The roots whose OpenAPI version polvo reads.
fn checked_roots(docs: &DocumentSet, roots: &[DocId], diags: &mut Diagnostics) -> Vec<DocId> {
    roots.iter().copied().filter(|&doc| check_version(docs, doc, diags)).collect()
}

/// The module's name and the prefix of its environment variables.
struct ServiceNames {
    /// The module (`snake_case`).
    module: String,
    /// The prefix of default environment variable names (upper case).
    env_prefix: String,
}

impl ServiceNames {
    /// The user's name wins, then the section's, then the fallback.
    fn new(options: &BuildOptions, section: Option<&PolvoSection>) -> Self {
        let source = options
            .module
            .clone()
            .or_else(|| section.and_then(|s| s.name.clone()))
            .unwrap_or_else(|| options.fallback_module.clone());
        let env_prefix = match section {
            Some(s) => naming::env_prefix(s.env_prefix.clone(), s.name.as_deref(), &source),
            None => naming::env_prefix(None, None, &source),
        };
        ServiceNames { module: naming::service_module(&source), env_prefix }
    }
}

/// The security schemes of the first root, with the section's additions.
fn auth_model(
    docs: &DocumentSet,
    roots: &[DocId],
    section: Option<&SectionSource>,
    servers: &[Server],
    env_prefix: &str,
    diags: &mut Diagnostics,
) -> AuthModel {
    let Some(&doc) = roots.first() else { return AuthModel::default() };
    let spec = SpecSchemes {
        file: docs.name(doc),
        root: &docs.doc(doc).root,
        // A Swagger 2.0 file keeps its `swagger` key when read as 3.0.
        layout: SpecLayout::of(&docs.doc(doc).root),
        server: servers.first().map(|s| s.url.as_str()),
    };
    let section = section.map(|s| (&s.section, SectionPlace { file: &s.file, pointer: &s.pointer }));
    super::auth::build_auth(&spec, section, env_prefix, diags)
}

/// Reports problems of the section's renames where the section has them.
struct RenameReporter<'s> {
    /// The section (renames exist only when there is one).
    section: Option<&'s SectionSource>,
}

impl RenameReporter<'_> {
    /// An error at `rename/<kind>/<key>` of the section.
    fn error(&self, diags: &mut Diagnostics, kind: &str, key: &str, message: String) {
        if let Some(s) = self.section {
            diags.error(
                &s.file,
                &format!("{}/rename/{kind}/{}", s.pointer, crate::load::pointer::escape(key)),
                message,
            );
        }
    }
}

/// The service's root documents and, with several, the group each file is.
struct ServiceLayout<'d> {
    /// The documents.
    docs: &'d DocumentSet,
    /// The root documents whose version polvo reads.
    roots: &'d [DocId],
    /// With several files, each file is a group, named after its title.
    file_groups: Vec<(DocId, String)>,
}

impl<'d> ServiceLayout<'d> {
    fn new(docs: &'d DocumentSet, roots: &'d [DocId]) -> Self {
        let file_groups = if roots.len() > 1 {
            roots
                .iter()
                .map(|&doc| {
                    let title = docs.doc(doc).root.pointer("/info/title").and_then(Value::as_str).unwrap_or_default();
                    (doc, naming::file_group(title, docs.name(doc)))
                })
                .collect()
        } else {
            Vec::new()
        };
        ServiceLayout { docs, roots, file_groups }
    }

    /// The group of a file in a service of several files.
    fn group_of_doc(&self, doc: DocId) -> Option<String> {
        self.file_groups.iter().find(|(d, _)| *d == doc).map(|(_, g)| g.clone())
    }
}

/// Registers every component schema of the roots under its final name: its
/// rename, or its key (with its file's group in front when another file
/// defines a different schema of that key). A schema another file defines
/// the same way is the same type. Returns how many schemas were renamed.
fn register_components(
    layout: &ServiceLayout<'_>,
    renames: &RenameConfig,
    types: &mut TypeBuilder<'_>,
    claims: &mut Claims,
) -> usize {
    let mut renamed_types = 0;
    let docs = layout.docs;
    // (document, schema name, type) of every component registered so far.
    let mut registered: Vec<(DocId, String, TypeId)> = Vec::new();
    for &doc in layout.roots {
        let schemas_at = schemas_pointer(&docs.doc(doc).root);
        let Some(schemas) = docs.doc(doc).root.pointer(schemas_at).and_then(Value::as_object) else { continue };
        for key in schemas.keys() {
            let place = Place { doc, pointer: child_pointer(schemas_at, &[key]) };
            let earlier: Vec<&(DocId, String, TypeId)> = registered.iter().filter(|(_, k, _)| k == key).collect();
            if let Some((_, _, id)) =
                earlier.iter().find(|(other, _, _)| same_component(docs, (*other, key), (doc, key)))
            {
                types.alias_place(place, *id);
                continue;
            }
            let renamed = renames.types.get(key);
            renamed_types += usize::from(renamed.is_some());
            let name: String = match (renamed, earlier.is_empty(), layout.group_of_doc(doc)) {
                (Some(new), _, _) => new.clone(),
                // Same name, different schema: the file's group tells them apart.
                (None, false, Some(group)) => naming::grouped_component(&group, key),
                (None, _, _) => key.clone(),
            };
            claims.types.push((key.clone(), naming::component_type(&name)));
            let id = types.register_component(place, &name);
            registered.push((doc, key.clone(), id));
        }
    }
    renamed_types
}

/// Reports type renames of schemas no root defines.
fn check_type_renames(
    layout: &ServiceLayout<'_>,
    renames: &RenameConfig,
    reporter: &RenameReporter<'_>,
    diags: &mut Diagnostics,
) {
    for key in renames.types.keys() {
        let exists = layout.roots.iter().any(|&doc| {
            let root = &layout.docs.doc(doc).root;
            root.pointer(schemas_pointer(root)).and_then(|s| s.get(key)).is_some()
        });
        if !exists {
            let place = schema_places(layout.docs, layout.roots);
            reporter.error(diags, "types", key, format!("there is no schema `{key}` in {place} to rename"));
        }
    }
}

/// Which operations go into which group, and which sit on the client.
struct Grouping {
    /// Operation indexes by group (tag or file), in the order of the
    /// top-level `tags` list, then of first use; no empty groups.
    by_tag: IndexMap<String, Vec<usize>>,
    /// The descriptions of the top-level tags.
    tag_docs: IndexMap<String, Option<String>>,
    /// Operations without a tag.
    ungrouped: Vec<usize>,
}

impl Grouping {
    /// Groups operations by file (several files) or first tag.
    fn new(layout: &ServiceLayout<'_>, raw_ops: &[RawOperation<'_>]) -> Self {
        let mut tag_order: Vec<String> = Vec::new();
        let mut tag_docs: IndexMap<String, Option<String>> = IndexMap::new();
        for &doc in layout.roots {
            for tag in layout.docs.doc(doc).root.get("tags").and_then(Value::as_array).into_iter().flatten() {
                if let Some(name) = tag.get("name").and_then(Value::as_str) {
                    tag_docs
                        .entry(name.to_owned())
                        .or_insert_with(|| non_empty(tag.get("description").and_then(Value::as_str)));
                    tag_order.push(name.to_owned());
                }
            }
        }
        let mut by_tag: IndexMap<String, Vec<usize>> = if layout.file_groups.is_empty() {
            tag_order.iter().map(|t| (t.clone(), Vec::new())).collect()
        } else {
            layout.file_groups.iter().map(|(_, g)| (g.clone(), Vec::new())).collect()
        };
        let mut ungrouped = Vec::new();
        for (i, raw) in raw_ops.iter().enumerate() {
            match (layout.group_of_doc(raw.doc), raw.first_tag()) {
                (Some(group), _) => by_tag.entry(group).or_default().push(i),
                (None, Some(tag)) => by_tag.entry(tag.to_owned()).or_default().push(i),
                (None, None) => ungrouped.push(i),
            }
        }
        by_tag.retain(|_, ops| !ops.is_empty());
        Grouping { by_tag, tag_docs, ungrouped }
    }
}

/// Reports group and operation renames that name nothing of `all_ops` (the
/// spec's operations before any selection) or collide with the names
/// `claims` records for `raw_ops` (those selected).
fn check_operation_renames(
    renames: &RenameConfig,
    grouping: &Grouping,
    (raw_ops, all_ops): (&[RawOperation<'_>], &[RawOperation<'_>]),
    claims: &Claims,
    reporter: &RenameReporter<'_>,
    diags: &mut Diagnostics,
) {
    for tag in renames.groups.keys() {
        if !grouping.by_tag.contains_key(tag) {
            reporter.error(diags, "groups", tag, format!("no operation has the tag `{tag}`"));
        }
    }
    super::renames::report_collisions(renames, claims, raw_ops, &mut |kind, key, message| {
        reporter.error(diags, kind, key, message)
    });
    for name in renames.operations.keys() {
        if !all_ops.iter().any(|op| op.is_named(name)) {
            reporter.error(
                diags,
                "operations",
                name,
                format!("no operation has the operationId `{name}`, nor is it the method and path of one (`GET /pets/{{id}}`)"),
            );
        }
    }
}

/// Reports keys of the section's `operations` that name no operation of
/// the spec (by `operationId`, or by method and path).
fn check_operation_settings(section: Option<&SectionSource>, all_ops: &[RawOperation<'_>], diags: &mut Diagnostics) {
    let Some(source) = section else { return };
    for key in source.section.operations.keys() {
        if !all_ops.iter().any(|op| op.is_named(key)) {
            diags.error(
                &source.file,
                &format!("{}/operations/{}", source.pointer, crate::load::pointer::escape(key)),
                format!("`{key}` is no operationId of the spec, nor the method and path of an operation (`GET /pets/{{id}}`)"),
            );
        }
    }
}

/// Every group and operation of the service with its names claimed.
struct NamedOperations {
    /// Each group (in [`Grouping::by_tag`] order) with its operations.
    groups: Vec<(GroupNames, Vec<(usize, OperationNames)>)>,
    /// The client's own operations.
    ungrouped: Vec<(usize, OperationNames)>,
}

/// Claims the names of every group and operation, in the order the
/// generated code lists them, recording what each asked for in `claims`.
fn name_operations(
    grouping: &Grouping,
    raw_ops: &[RawOperation<'_>],
    renames: &RenameConfig,
    scopes: &mut ServiceScope,
    claims: &mut Claims,
) -> NamedOperations {
    claims.operations = vec![(None, String::new()); raw_ops.len()];
    let mut claim =
        |raw_index: usize, group: Option<(usize, &str)>, scope: &mut ModuleScope, types: &mut ServiceTypes| {
            let raw = &raw_ops[raw_index];
            let (base, dropped_group) = raw.method_base(group.is_some(), renames);
            claims.operations[raw_index] = (group.map(|(i, _)| i), naming::method_ident(&base));
            let dropped = group.map(|(_, name)| name).filter(|_| dropped_group);
            (raw_index, scope.claim_operation(types, &base, raw.first_tag(), dropped))
        };
    let mut groups = Vec::with_capacity(grouping.by_tag.len());
    for (index, (tag, ops)) in grouping.by_tag.iter().enumerate() {
        let group_name = renames.groups.get(tag).map_or(tag.as_str(), String::as_str);
        claims.groups.push((tag.clone(), naming::group_module(group_name)));
        let mut names = scopes.claim_group(group_name);
        let operations =
            ops.iter().map(|&i| claim(i, Some((index, group_name)), &mut names.scope, &mut scopes.types)).collect();
        groups.push((names, operations));
    }
    let ungrouped = grouping.ungrouped.iter().map(|&i| claim(i, None, &mut scopes.client, &mut scopes.types)).collect();
    NamedOperations { groups, ungrouped }
}

/// Builds each group and its operations under the names claimed for them.
fn build_groups<'a>(
    grouping: &Grouping,
    named: Vec<(GroupNames, Vec<(usize, OperationNames)>)>,
    raw_ops: &[RawOperation<'a>],
    builder: &mut OperationBuilder<'_, 'a>,
    types: &mut ServiceTypes,
) -> Vec<Group> {
    let mut groups = Vec::with_capacity(named.len());
    for ((tag, _), (names, ops)) in grouping.by_tag.iter().zip(named) {
        let GroupNames { module, accessor, struct_name, mut scope } = names;
        let mut operations: Vec<BuiltOperation> =
            ops.into_iter().map(|(i, names)| builder.build(&raw_ops[i], names)).collect();
        claim_outcome_names(&mut operations, types);
        let operations = with_alternative_bodies(operations, &mut scope, types);
        groups.push(Group {
            tag: tag.clone(),
            module,
            accessor,
            struct_name,
            description: grouping.tag_docs.get(tag).cloned().flatten(),
            operations,
        });
    }
    groups
}

/// Builds the operations without a group, which sit on the client.
fn build_ungrouped<'a>(
    named: Vec<(usize, OperationNames)>,
    raw_ops: &[RawOperation<'a>],
    builder: &mut OperationBuilder<'_, 'a>,
    scope: &mut ModuleScope,
    types: &mut ServiceTypes,
) -> Vec<Operation> {
    let mut ungrouped: Vec<BuiltOperation> =
        named.into_iter().map(|(i, names)| builder.build(&raw_ops[i], names)).collect();
    claim_outcome_names(&mut ungrouped, types);
    with_alternative_bodies(ungrouped, scope, types)
}

/// The `x-polvo` section of the first root, or of the sidecar.
fn section(
    docs: &DocumentSet,
    roots: &[DocId],
    sidecar: Option<DocId>,
    diags: &mut Diagnostics,
) -> Option<SectionSource> {
    if let Some(doc) = sidecar {
        let file = docs.name(doc).to_owned();
        if let Some(&root) = roots.first()
            && docs.doc(root).root.get("x-polvo").is_some()
        {
            diags.warning(
                docs.name(root),
                "/x-polvo",
                format!("the sidecar `{file}` is used; this `x-polvo` section is ignored"),
            );
        }
        let section = parse_section(&docs.doc(doc).root, &file, "", diags)?;
        return Some(SectionSource { section, file, pointer: String::new() });
    }
    let &doc = roots.first()?;
    let value = docs.doc(doc).root.get("x-polvo")?;
    let file = docs.name(doc).to_owned();
    let section = parse_section(value, &file, "/x-polvo", diags)?;
    Some(SectionSource { section, file, pointer: "/x-polvo".to_owned() })
}

/// Adds, after each operation whose body can be sent in several media
/// types, one operation per extra media type: `create_booking_xml` next to
/// `create_booking`. They share the original's response enums.
fn with_alternative_bodies(
    operations: Vec<BuiltOperation>,
    scope: &mut ModuleScope,
    types: &mut ServiceTypes,
) -> Vec<Operation> {
    let mut out = Vec::with_capacity(operations.len());
    for BuiltOperation { operation: mut op, alternative_bodies: alternatives } in operations {
        let mut extra = Vec::new();
        for (suffix, body) in alternatives {
            let mut alt = op.clone();
            (alt.method_name, alt.builder_name) = scope.claim_alternative(types, &op.method_name, &suffix);
            let main = op.body.as_ref().map(|b| b.content_type.clone()).unwrap_or_default();
            alt.notes.push(format!(
                "Sends the body as `{}`; [`{}`](Self::{}) sends `{main}`.",
                body.content_type,
                naming::unraw(&op.method_name),
                naming::unraw(&op.method_name)
            ));
            alt.body = Some(body);
            alt.emits_outcomes = false;
            extra.push(alt);
        }
        if !extra.is_empty() {
            let list: Vec<String> = extra
                .iter()
                .map(|a| {
                    format!(
                        "`{}` with [`{}`](Self::{})",
                        a.body.as_ref().map(|b| b.content_type.as_str()).unwrap_or(""),
                        naming::unraw(&a.method_name),
                        naming::unraw(&a.method_name)
                    )
                })
                .collect();
            op.notes.push(format!("The body can also be sent as {}.", list.join(", ")));
        }
        out.push(op);
        out.extend(extra);
    }
    out
}

/// Gives the success and error enums of operations unique names in the service.
fn claim_outcome_names(operations: &mut [BuiltOperation], types: &mut ServiceTypes) {
    for op in operations {
        let responses = &mut op.operation.responses;
        for outcome in [&mut responses.success_type, &mut responses.error_type] {
            if let super::Outcome::Enum { name, .. } = outcome {
                *name = types.claim(name);
            }
        }
    }
}

/// Whether two files define a component schema identically, including every
/// component it refers to (by the same local names).
fn same_component(docs: &DocumentSet, a: (DocId, &str), b: (DocId, &str)) -> bool {
    let schema = |doc: DocId, name: &str| {
        let root = &docs.doc(doc).root;
        root.pointer(schemas_pointer(root)).and_then(|s| s.get(name))
    };
    let mut queue = vec![a.1.to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        match (schema(a.0, &name), schema(b.0, &name)) {
            (Some(x), Some(y)) if same_schema(x, y) => collect_local_schema_refs(x, &mut queue),
            _ => return false,
        }
    }
    true
}

/// Where the service's files keep their named schemas, for messages:
/// `` `definitions` ``, `` `components.schemas` ``, or both when the files mix.
fn schema_places(docs: &DocumentSet, roots: &[DocId]) -> String {
    let mut places: Vec<&str> = Vec::new();
    for &doc in roots {
        let name = SpecLayout::of(&docs.doc(doc).root).schemas_name();
        if !places.contains(&name) {
            places.push(name);
        }
    }
    if places.is_empty() {
        places.push(SpecLayout { swagger: false }.schemas_name());
    }
    places.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(" or ")
}

fn collect_local_schema_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/").or_else(|| r.strip_prefix("#/definitions/")))
            {
                out.push(crate::load::pointer::unescape(name));
            }
            map.values().for_each(|v| collect_local_schema_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_local_schema_refs(v, out)),
        _ => {}
    }
}

/// Webhooks (OpenAPI 3.1) are requests the API sends, not calls a client
/// makes: unless the section's `webhooks` key selects them, they get no
/// code, and the module docs say so.
fn note_webhooks(docs: &DocumentSet, doc: DocId, diags: &mut Diagnostics) {
    let Some(hooks) = docs.doc(doc).root.get("webhooks").and_then(Value::as_object) else { return };
    if hooks.is_empty() {
        return;
    }
    let names: Vec<String> = hooks.keys().map(|k| format!("`{k}`")).collect();
    diags.warning(
        docs.name(doc),
        "/webhooks",
        format!(
            "the spec describes webhooks ({}), requests the API sends to your server; the section's `webhooks` key (`webhooks: true`, or a list of names) generates their payload types",
            names.join(", ")
        ),
    );
}

/// Checks `openapi`/`swagger`, reporting unsupported versions.
fn check_version(docs: &DocumentSet, doc: DocId, diags: &mut Diagnostics) -> bool {
    let root = &docs.doc(doc).root;
    let name = docs.name(doc);
    if !root.is_object() {
        diags.error(name, "", "the document is not an object; an OpenAPI description starts with `openapi: 3.x`");
        return false;
    }
    let openapi = root.get("openapi").map(|v| (crate::load::swagger::version_text(v), v));
    match (openapi, root.get("swagger")) {
        (Some((Some(v), _)), _) if v.starts_with("3.0") || v.starts_with("3.1") => true,
        (Some((_, v)), _) => {
            diags.error(
                name,
                "/openapi",
                format!("unsupported OpenAPI version {v}; polvo reads OpenAPI 3.0.x and 3.1.x, and Swagger 2.0"),
            );
            false
        }
        (None, Some(v)) => {
            diags.error(
                name,
                "/swagger",
                format!("unsupported Swagger version {v}; polvo reads Swagger 2.0, and OpenAPI 3.0.x and 3.1.x"),
            );
            false
        }
        (None, None) => {
            diags.error(name, "", "no `openapi` version field; polvo reads OpenAPI 3.0.x and 3.1.x, and Swagger 2.0");
            false
        }
    }
}

/// Every operation of the roots, in document order.
fn collect_operations<'a>(docs: &'a DocumentSet, roots: &[DocId], diags: &mut Diagnostics) -> Vec<RawOperation<'a>> {
    let mut out = Vec::new();
    for &doc in roots {
        let Some(paths) = docs.doc(doc).root.get("paths").and_then(Value::as_object) else { continue };
        for (path, item) in paths {
            if path.starts_with("x-") {
                continue;
            }
            let item_pointer = child_pointer("/paths", &[path]);
            let (item, item_doc, item_pointer) = match item.get("$ref").and_then(Value::as_str) {
                Some(_) => match docs.follow(&Place { doc, pointer: item_pointer.clone() }) {
                    Ok((place, value)) => (value, place.doc, place.pointer),
                    Err(message) => {
                        diags.error(docs.name(doc), &child_pointer(&item_pointer, &["$ref"]), message);
                        continue;
                    }
                },
                None => (item, doc, item_pointer),
            };
            let Some(item_map) = item.as_object() else {
                diags.error(docs.name(doc), &item_pointer, "a path item must be an object");
                continue;
            };
            let path_params: Vec<(&Value, String)> = item_map
                .get("parameters")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .enumerate()
                        .map(|(i, v)| (v, child_pointer(&item_pointer, &["parameters", &i.to_string()])))
                        .collect()
                })
                .unwrap_or_default();
            for (key, value) in item_map {
                let Some(&method) = METHODS.iter().find(|m| **m == key.as_str()) else { continue };
                if !value.is_object() {
                    diags.error(
                        docs.name(item_doc),
                        &child_pointer(&item_pointer, &[key]),
                        "an operation must be an object",
                    );
                    continue;
                }
                out.push(RawOperation {
                    doc: item_doc,
                    path,
                    method,
                    value,
                    pointer: child_pointer(&item_pointer, &[key]),
                    path_params: path_params.clone(),
                    path_name: None,
                });
            }
        }
    }
    out
}

/// The servers of a document, with variables replaced by their defaults.
fn servers(docs: &DocumentSet, doc: DocId) -> Vec<Server> {
    let root = &docs.doc(doc).root;
    root.get("servers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|server| {
                    let mut url = server.get("url").and_then(Value::as_str)?.to_owned();
                    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
                        for (name, var) in vars {
                            let default = var.get("default").and_then(Value::as_str).unwrap_or_default();
                            url = url.replace(&format!("{{{name}}}"), default);
                        }
                    }
                    Some(Server { url, description: non_empty(server.get("description").and_then(Value::as_str)) })
                })
                .collect()
        })
        .unwrap_or_default()
}
