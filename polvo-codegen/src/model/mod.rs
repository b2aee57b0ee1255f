//! The intermediate model of a service: what the emitter turns into Rust.
//!
//! Every name here is final: sanitized, unique in its scope and stable
//! across runs. Everything polvo could not express precisely has already
//! been turned into a looser type with a note in its docs.

pub mod auth;
mod endpoints;
mod operations;
mod pagination;
mod path_names;
mod recursion;
mod renames;
mod schema;
pub mod section;
mod service;
mod streaming;
mod types;
mod usage;
mod webhooks;

pub use service::{BuildOptions, OperationFilter, build};
pub use streaming::{EventData, Streaming};
pub use types::MAX_SCHEMA_DEPTH;

use crate::load::Place;

/// Index of a [`TypeDef`] in [`Service::types`].
pub type TypeId = usize;

/// A whole service, ready to emit.
#[derive(Clone, Debug)]
pub struct Service {
    /// The module name (`snake_case`).
    pub module: String,
    /// `info.title`.
    pub title: Option<String>,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version`.
    pub version: Option<String>,
    /// Candidate base URLs, the default first.
    pub servers: Vec<Server>,
    /// Operation groups, by first tag; untagged operations are in `ungrouped`.
    pub groups: Vec<Group>,
    /// Operations without a tag, exposed on the client itself.
    pub ungrouped: Vec<Operation>,
    /// Every named type.
    pub types: Vec<TypeDef>,
    /// Notes for the service-level docs (degraded constructs and the like).
    pub notes: Vec<String>,
    /// The security schemes.
    pub auth: auth::AuthModel,
    /// The payload types of the webhooks the `x-polvo` section selects.
    pub webhooks: Option<Webhooks>,
}

/// The webhooks whose payloads get types: requests the API sends to the
/// user's server.
#[derive(Clone, Debug)]
pub struct Webhooks {
    /// The module holding them (`webhooks`, unless a group took it).
    pub module: String,
    /// The enum over their payloads (`Event`, unless a webhook took it).
    pub event_enum: String,
    /// The webhooks, in spec order; never empty.
    pub hooks: Vec<Webhook>,
}

/// One webhook and the type of its payload.
#[derive(Clone, Debug)]
pub struct Webhook {
    /// Its name, as the spec writes it.
    pub name: String,
    /// The payload's name in the `webhooks` module (`PascalCase`), also the
    /// enum's variant.
    pub type_name: String,
    /// The payload's type.
    pub payload: TypeRef,
    /// The operation's `operationId`, when it has one no earlier webhook
    /// has (GitHub's spec writes `{event}/{action}`: `pull-request/opened`).
    pub operation_id: Option<String>,
    /// The operation's `summary` and `description`.
    pub docs: Docs,
    /// Where the spec describes it.
    pub place: Place,
}

/// A server the service can be reached at.
#[derive(Clone, Debug)]
pub struct Server {
    /// The URL with server variables replaced by their defaults.
    pub url: String,
    /// `description`.
    pub description: Option<String>,
}

/// Operations sharing a tag, reached through `client.<accessor>()`.
#[derive(Clone, Debug)]
pub struct Group {
    /// The tag as written in the spec.
    pub tag: String,
    /// The module holding the group's builders (`snake_case`).
    pub module: String,
    /// The accessor method on the client (`snake_case`).
    pub accessor: String,
    /// The group's struct (`PascalCase`).
    pub struct_name: String,
    /// The tag's description.
    pub description: Option<String>,
    /// The group's operations.
    pub operations: Vec<Operation>,
}

/// One HTTP operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The method on the group (`snake_case`).
    pub method_name: String,
    /// The request builder type (`PascalCase`), unique in the service
    /// module and its group modules.
    pub builder_name: String,
    /// `operationId`, when the spec has one.
    pub operation_id: Option<String>,
    /// The HTTP method, upper case.
    pub http_method: String,
    /// The path template as written, such as `/pets/{petId}`.
    pub path: String,
    /// The path template split into literal text and parameters.
    pub path_parts: Vec<PathPart>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Parameters, path ones first, in spec order otherwise.
    pub params: Vec<Param>,
    /// The request body, if the operation takes one.
    pub body: Option<RequestBody>,
    /// How responses decode.
    pub responses: Responses,
    /// Notes for the docs (degraded constructs and the like).
    pub notes: Vec<String>,
    /// The security alternatives (`None` when the service has no schemes).
    pub security: Option<Vec<Vec<String>>>,
    /// Whether this operation defines its success and error enums (the
    /// extra methods of other media types share the original's).
    pub emits_outcomes: bool,
    /// How the operation's results continue on further pages, if they do.
    pub pagination: Option<Pagination>,
    /// Where the operation is in the spec.
    pub place: Place,
    /// The header that carries an idempotency key, when the operation has
    /// one (a header parameter the spec declares, or the `x-polvo`
    /// section's `idempotency_header` for `POST` and `PATCH`): the runtime
    /// sets a key once per call and retries the request with it.
    pub idempotency_header: Option<String>,
    /// How a successful answer can be streamed (`send_events()`,
    /// `send_stream()`).
    pub streaming: Streaming,
}

/// How a paginated operation's results continue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// How the next page is found.
    pub style: PageStyle,
    /// The parameter (index into [`Operation::params`]) the next page's
    /// value goes into.
    pub param: usize,
    /// The path from the success body to its items array (empty: the body
    /// is the array).
    pub items: Vec<FieldStep>,
    /// The items' type.
    pub item: TypeRef,
    /// A boolean field of the body saying whether more pages follow.
    pub has_more: Option<Vec<FieldStep>>,
}

/// How the next page of a paginated operation is found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageStyle {
    /// A cursor read from this path of the body.
    Cursor(Vec<FieldStep>),
    /// A cursor read from this path of the page's last item.
    LastItem(Vec<FieldStep>),
    /// The parameter's value in the `Link` header's `rel="next"` URL.
    Link,
    /// An offset, advanced by the number of items received.
    Offset,
    /// A page number, advanced by one from `start` (the first page's).
    PageNumber {
        /// The number of the first page.
        start: i64,
    },
}

/// One field on a path through response types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldStep {
    /// The field's Rust name.
    pub field: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// Whether its value is boxed.
    pub boxed: bool,
}

/// A piece of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text.
    Literal(String),
    /// The value of the parameter at this index of [`Operation::params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
    /// In the `Cookie` header.
    Cookie,
}

/// How a query parameter is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStyle {
    /// `style: form` (the default).
    Form,
    /// `style: spaceDelimited`.
    SpaceDelimited,
    /// `style: pipeDelimited`.
    PipeDelimited,
    /// `style: deepObject`.
    DeepObject,
}

/// One parameter of an operation.
#[derive(Clone, Debug)]
pub struct Param {
    /// The name on the wire.
    pub wire_name: String,
    /// The argument or builder-method name (`snake_case`).
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Required parameters are arguments of the operation method.
    pub required: bool,
    /// Its type (never wrapped in `Option`; optionality is `required`).
    pub ty: TypeRef,
    /// Serialization style for query parameters.
    pub style: QueryStyle,
    /// `explode`.
    pub explode: bool,
    /// The parameter uses `content` with a JSON media type: its value is
    /// sent as JSON text.
    pub json: bool,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
}

/// How a request body is encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json` and `+json` types.
    Json,
    /// `application/x-www-form-urlencoded`, with per-property styles from `encoding`.
    Form {
        /// Properties whose `encoding` says `style: deepObject`.
        deep_object: Vec<String>,
    },
    /// `multipart/form-data`.
    Multipart,
    /// Any other media type, sent as raw bytes with that content type.
    Bytes,
    /// `text/*`, sent as a string with that content type.
    Text,
}

/// A request body.
#[derive(Clone, Debug)]
pub struct RequestBody {
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// The media type sent as `Content-Type`.
    pub content_type: String,
    /// The Rust type of the body.
    pub ty: TypeRef,
    /// Whether the body is required (an argument) or optional (a builder method).
    pub required: bool,
    /// `description`.
    pub description: Option<String>,
}

/// Which statuses a response entry covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusMatch {
    /// One status code.
    Code(u16),
    /// A class such as `4XX`: the first digit.
    Class(u16),
    /// `default`.
    Default,
}

/// How a response body is decoded.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseBody {
    /// No body (or none documented).
    Empty,
    /// JSON into a type.
    Json(TypeRef),
    /// Text into a `String`.
    Text,
    /// Raw bytes.
    Bytes,
}

/// One documented response.
#[derive(Clone, Debug)]
pub struct Response {
    /// The statuses it covers.
    pub status: StatusMatch,
    /// How its body decodes.
    pub body: ResponseBody,
    /// `description`.
    pub description: Option<String>,
    /// The variant of the operation's success or error enum it decodes into,
    /// when the operation has one.
    pub variant: Option<String>,
}

/// The responses of an operation, split into success and error.
#[derive(Clone, Debug)]
pub struct Responses {
    /// 2xx responses (and `default` when nothing else is a success).
    pub success: Vec<Response>,
    /// Other documented responses.
    pub errors: Vec<Response>,
    /// The type a successful call returns.
    pub success_type: Outcome,
    /// The type of `polvo::Error<E>`'s `E`.
    pub error_type: Outcome,
    /// The names of the `links` the responses declare (not generated; the
    /// operation's docs mention them).
    pub links: Vec<String>,
    /// The media types the responses are decoded from, for the `Accept`
    /// header: success responses' first, each once.
    pub accept: Vec<String>,
}

/// What the success (or error) responses of an operation decode into.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Nothing: `()` for success, `polvo::NoErrorBody` for errors.
    Nothing,
    /// One type for every documented response.
    Single(TypeRef),
    /// One type, but some documented responses have no body: `Option<T>`.
    Optional(TypeRef),
    /// Several types: an enum generated next to the operation.
    Enum {
        /// The enum's name.
        name: String,
        /// Variants, one per status, named after it (`Created`): name,
        /// payload (`None` for bodiless statuses).
        variants: Vec<(String, Option<TypeRef>)>,
    },
}

/// A reference to a type, as used in a field, parameter or body.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// A named type from [`Service::types`].
    Named(TypeId),
    /// A primitive.
    Primitive(Primitive),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `HashMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>`.
    Option(Box<TypeRef>),
    /// `Box<T>`, inserted to break recursion.
    Box(Box<TypeRef>),
    /// Any JSON value.
    Json,
    /// A JSON object with any members.
    JsonObject,
    /// Binary content in a request (`format: binary`): `polvo::Binary`.
    Binary,
    /// The raw bytes of a response body: `polvo::Bytes`.
    Bytes,
    /// No value (`()`).
    Unit,
}

/// Primitive types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `chrono::DateTime<Utc>`.
    DateTime,
    /// `chrono::NaiveDate`.
    Date,
    /// `uuid::Uuid`.
    Uuid,
}

/// A named type.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// The Rust name (`PascalCase`, unique in `types`).
    pub name: String,
    /// `title`, `description` and notes, for the docs.
    pub docs: Docs,
    /// What kind of type it is.
    pub kind: TypeKind,
    /// Where it is defined in the spec.
    pub place: Place,
    /// Which directions the type travels in, deciding its serde impls.
    pub usage: Usage,
}

/// Which way a type travels: into requests (it must serialize), out of
/// responses (it must deserialize), or both. A type with neither is reached
/// by no operation and is not emitted (unless the spec has no operations).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Sent in a request.
    pub serialize: bool,
    /// Received in a response.
    pub deserialize: bool,
}

impl Usage {
    /// Whether the type is used at all.
    pub fn is_used(self) -> bool {
        self.serialize || self.deserialize
    }
}

/// Documentation gathered for an item.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    /// `title` or `summary`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// polvo's own notes (fallbacks, deprecated, read-only, …).
    pub notes: Vec<String>,
}

/// The shape of a named type.
#[derive(Clone, Debug)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct(StructDef),
    /// An enum of string values that still decodes unknown ones.
    StringEnum(StringEnumDef),
    /// A `oneOf`/`anyOf` union.
    Union(UnionDef),
    /// `pub type Name = T;`
    Alias(TypeRef),
    /// `pub struct Name(pub T);` — for aliases that refer to themselves.
    Newtype(TypeRef),
}

/// A struct.
#[derive(Clone, Debug, Default)]
pub struct StructDef {
    /// The fields, in spec order.
    pub fields: Vec<Field>,
    /// The map that captures properties the struct does not name
    /// (`additionalProperties`), flattened into it.
    pub additional: Option<AdditionalProperties>,
}

/// The flattened map of a struct's other properties.
#[derive(Clone, Debug)]
pub struct AdditionalProperties {
    /// The field name (`snake_case`, unique among the struct's fields).
    pub field: String,
    /// The type of each value.
    pub ty: TypeRef,
}

/// A string enum.
#[derive(Clone, Debug)]
pub struct StringEnumDef {
    /// The values the spec lists.
    pub values: Vec<EnumValue>,
    /// The catch-all variant that keeps any other value (unique among the variants).
    pub unknown: String,
}

/// A struct field.
#[derive(Clone, Debug)]
pub struct Field {
    /// The property name on the wire.
    pub wire_name: String,
    /// The field name (`snake_case`).
    pub rust_name: String,
    /// The field type, including any `Option` and `Box`.
    pub ty: TypeRef,
    /// Whether the property is required.
    pub required: bool,
    /// Docs.
    pub docs: Docs,
}

/// One value of a string enum.
#[derive(Clone, Debug)]
pub struct EnumValue {
    /// The value on the wire.
    pub wire: String,
    /// The variant name.
    pub variant: String,
    /// Docs.
    pub docs: Docs,
}

/// A union.
#[derive(Clone, Debug)]
pub struct UnionDef {
    /// The variants, in the order they are tried when decoding.
    pub variants: Vec<UnionVariant>,
    /// The discriminating property, if the spec names one.
    pub discriminator: Option<String>,
}

/// One variant of a union.
#[derive(Clone, Debug)]
pub struct UnionVariant {
    /// The variant name.
    pub name: String,
    /// Its payload.
    pub ty: TypeRef,
    /// The discriminator values that select this variant.
    pub tags: Vec<String>,
    /// Docs.
    pub docs: Docs,
}
