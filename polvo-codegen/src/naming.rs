//! Every rule that turns a name from a spec into a Rust identifier: casing
//! and escaping, the names of types, fields, enum and union variants,
//! operations, parameters, groups, modules, response enums and their
//! variants, scheme functions and environment variables.
//!
//! The rules are deterministic: the same input gives the same identifier on
//! every run. Uniqueness within a scope is the job of [`Namespace`]; the
//! scopes of a service module are [`ServiceScope`] and [`ModuleScope`], and
//! the model claims every name through them, so the emitter only reads names.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// Rust keywords (strict and reserved, through edition 2024) that can be
/// written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing `_`.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate"];

/// Splits a name into ASCII words: symbols separate words, letters and
/// digits are kept, and other characters are spelled as `uXXXX` so that
/// distinct non-ASCII names stay distinct.
fn ascii_words(name: &str, spell_symbols: bool) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_ascii() {
            match (spell_symbols, symbol_word(c)) {
                (true, Some(word)) => {
                    out.push(' ');
                    out.push_str(word);
                    out.push(' ');
                }
                _ => out.push(' '),
            }
        } else if c.is_alphanumeric() {
            out.push_str(&format!(" u{:x} ", c as u32));
        } else {
            out.push(' ');
        }
    }
    out
}

/// The English word for an ASCII symbol, used when names differ only in symbols.
fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '+' => "plus",
        '-' => "minus",
        '.' => "dot",
        '/' => "slash",
        '\\' => "backslash",
        '*' => "star",
        '@' => "at",
        '#' => "hash",
        '$' => "dollar",
        '%' => "percent",
        '&' => "and",
        '|' => "pipe",
        '=' => "eq",
        '<' => "lt",
        '>' => "gt",
        '!' => "not",
        '?' => "question",
        ':' => "colon",
        ',' => "comma",
        '~' => "tilde",
        '^' => "caret",
        '(' | ')' => "paren",
        '[' | ']' => "bracket",
        '{' | '}' => "brace",
        _ => return None,
    })
}

/// `snake_case` from any name: `petId` → `pet_id`, `X-Rate-Limit` →
/// `x_rate_limit`. Empty when the name has no letters or digits.
pub fn snake(name: &str) -> String {
    ascii_words(name, false).to_snake_case()
}

/// `PascalCase` from any name: `pet_status` → `PetStatus`, `Etc/GMT+1` → `EtcGmt1`.
pub fn pascal(name: &str) -> String {
    ascii_words(name, false).to_upper_camel_case()
}

/// `PascalCase` that spells symbols as words: `Etc/GMT+1` → `EtcSlashGmtPlus1`.
/// Used when plain [`pascal`] makes two values collide.
pub fn pascal_spelled(name: &str) -> String {
    ascii_words(name, true).to_upper_camel_case()
}

/// `snake_case` that spells symbols as words.
pub fn snake_spelled(name: &str) -> String {
    ascii_words(name, true).to_snake_case()
}

/// A snake_case identifier for a field, parameter, method or module:
/// keywords become raw identifiers (`r#type`), `self`/`super`/`crate` get a
/// trailing `_`, a leading digit gets a leading `_`, and an empty name
/// becomes `fallback`.
pub fn snake_ident(name: &str, fallback: &str) -> String {
    let mut s = snake(name);
    if s.is_empty() {
        s = fallback.to_owned();
    }
    escape(s)
}

/// A PascalCase identifier for a type or variant, with the same rules as
/// [`snake_ident`].
pub fn pascal_ident(name: &str, fallback: &str) -> String {
    let mut s = pascal(name);
    if s.is_empty() {
        s = fallback.to_owned();
    }
    escape(s)
}

/// Makes a cased name a valid identifier.
pub fn escape(mut s: String) -> String {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if NON_RAW_KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    } else if RAW_KEYWORDS.contains(&s.as_str()) {
        s.insert_str(0, "r#");
    }
    s
}

/// The identifier without a raw prefix, for building derived names.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// A scope of identifiers: hands out each name once, suffixing repeats
/// deterministically (`pet`, `pet_2`, … or `Pet`, `Pet2`, …).
#[derive(Clone, Debug, Default)]
pub struct Namespace {
    used: HashSet<String>,
}

impl Namespace {
    /// An empty scope.
    pub fn new() -> Self {
        Namespace::default()
    }

    /// A scope in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace { used: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Whether `ident` is taken.
    pub fn contains(&self, ident: &str) -> bool {
        self.used.contains(unraw(ident))
    }

    /// Takes `ident`, or the first free suffixed form of it.
    pub fn claim(&mut self, ident: &str) -> String {
        let plain = unraw(ident);
        if self.used.insert(plain.to_owned()) {
            return ident.to_owned();
        }
        let snake_like = plain.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
        let mut n = 2;
        loop {
            let candidate = if snake_like { format!("{plain}_{n}") } else { format!("{plain}{n}") };
            if self.used.insert(candidate.clone()) {
                return escape(candidate);
            }
            n += 1;
        }
    }
}

/// The names of the `types` module, one per schema type: component schemas
/// claim theirs first ([`Self::component`]), so an inline type never takes
/// a component's name; inline schemas are named after where they appear
/// ([`Self::at`], [`Self::inline`]). Nothing else names into that module, so
/// it is apart from the service module's [`ServiceScope`].
#[derive(Clone, Debug, Default)]
pub struct TypeNames {
    names: Namespace,
}

impl TypeNames {
    /// Claims the type of the component schema `key` (`pet` → `Pet`).
    pub fn component(&mut self, key: &str) -> String {
        self.names.claim(&component_type(key))
    }

    /// Claims the type of a schema at pointer `tokens` of file `file` (see
    /// [`type_at`]).
    pub fn at(&mut self, tokens: &[String], file: &str, hint: &str) -> String {
        self.names.claim(&type_at(tokens, file, hint))
    }

    /// Claims the type of an inline schema named after `hint` (`PetStatus`).
    pub fn inline(&mut self, hint: &str) -> String {
        self.names.claim(&inline_type(hint))
    }
}

/// The names of a struct's fields: each property's name in snake_case, with
/// symbols spelled out where plain snake_case would make two properties
/// collide (`+1` and `-1` → `plus_1`, `minus_1`), and the field that keeps
/// the other properties, `additional_properties` unless a property took it.
#[derive(Debug)]
pub struct FieldNames {
    names: Namespace,
    colliding: HashSet<String>,
}

impl FieldNames {
    /// The scope of a struct whose properties are `keys`.
    pub fn new<'n>(keys: impl Iterator<Item = &'n str>) -> Self {
        FieldNames { names: Namespace::new(), colliding: colliding_snake_names(keys) }
    }

    /// Claims the field of the property `key`.
    pub fn property(&mut self, key: &str) -> String {
        self.names.claim(&snake_ident(&spelled_if(key, &self.colliding), "field"))
    }

    /// Claims the field that keeps the properties the struct does not name.
    pub fn additional(&mut self) -> String {
        self.names.claim("additional_properties")
    }
}

/// The snake_case forms that two or more of `names` share.
pub fn colliding_snake_names<'n>(names: impl Iterator<Item = &'n str>) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut colliding = HashSet::new();
    for name in names {
        let snake = snake(name);
        if !seen.insert(snake.clone()) {
            colliding.insert(snake);
        }
    }
    colliding
}

/// `name` with its symbols spelled out (`+1` → `plus 1`) when its plain
/// snake_case form collides with another name's; otherwise `name`.
pub fn spelled_if(name: &str, colliding: &HashSet<String>) -> String {
    if colliding.contains(&snake(name)) {
        let spelled = snake_spelled(name);
        if !spelled.is_empty() {
            return spelled;
        }
    }
    name.to_owned()
}

/// Variant names for the values of a string enum: PascalCase of each value;
/// values that collide that way are spelled out (`Etc/GMT+1` →
/// `EtcSlashGmtPlus1`); anything still equal gets a numeric suffix. Also the
/// name of the catch-all variant for values the spec does not list:
/// `Unknown`, unless a value took it.
pub fn enum_variants(values: &[&str]) -> (Vec<String>, String) {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for v in values {
        *counts.entry(pascal(v)).or_default() += 1;
    }
    let mut names = Namespace::new();
    let variants = values
        .iter()
        .map(|v| {
            let plain = pascal(v);
            let base = if counts.get(&plain).copied().unwrap_or(0) > 1 { pascal_spelled(v) } else { plain };
            let base = if base.is_empty() { "Empty".to_owned() } else { base };
            names.claim(&escape(base))
        })
        .collect();
    (variants, names.claim("Unknown"))
}

/// Methods and associated items of the generated `Client` that operations
/// and group accessors must not take.
const CLIENT_RESERVED: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "from_core",
    "core",
    "clone",
    "fmt",
    "http_client",
    "from_env",
    "for_tenant",
    "tenant",
    "auth",
    "auth_url",
    "start_login",
    "fetch_access_token",
];

/// Items of the service module (and of each group module) that builders
/// and enums must not take.
const MODULE_RESERVED_TYPES: &[&str] =
    &["Client", "Option", "Result", "Vec", "String", "Box", "Some", "None", "Ok", "Err"];

/// Modules of the service module that groups must not take.
const MODULE_RESERVED_MODULES: &[&str] = &["types", "client", "auth"];

/// Methods and fields of a request builder that parameters and the body
/// must not take; a parameter named so gets a `_2` suffix (`query_2`).
const BUILDER_RESERVED: &[&str] = &[
    "client",
    "send",
    "send_response",
    "new",
    "pages",
    "items",
    "with_options",
    "call_options",
    "send_events",
    "send_stream",
    // The escape hatches for what the spec forgot, and what they use.
    "query",
    "header",
    "json_body",
    "body_bytes",
    "send_raw",
    "extras",
    "into_request",
];

/// The name of the service module: `source` in snake_case, `api` if empty.
pub fn service_module(source: &str) -> String {
    snake_ident(source, "api")
}

/// The group of a file in a service of several: its title when short
/// (HubSpot's CRM files are titled `Contacts`, `Companies`, …), else the
/// stem of its file name.
pub fn file_group(title: &str, file: &str) -> String {
    if !title.is_empty() && title.split_whitespace().count() <= 3 {
        return snake(title);
    }
    let name = file.rsplit('/').next().unwrap_or(file);
    snake(name.rsplit_once('.').map_or(name, |(stem, _)| stem))
}

/// The name of a component schema's type (claimed in the types' scope).
pub fn component_type(key: &str) -> String {
    pascal_ident(key, "Schema")
}

/// The name of an inline schema's type, made from where it appears.
pub fn inline_type(hint: &str) -> String {
    pascal_ident(hint, "Anonymous")
}

/// The name a schema's type gets from the pointer `tokens` of its place: the
/// file's stem for a whole file, the last token, or `hint` where the last
/// token says nothing (`items`, a list index, a property of an inline schema).
pub fn type_at(tokens: &[String], file: &str, hint: &str) -> String {
    let structural = ["schema", "items", "additionalProperties", "not", "content", "allOf", "oneOf", "anyOf"];
    let name = match tokens {
        [] => {
            let stem = file.rsplit('/').next().unwrap_or(file);
            stem.split('.').next().unwrap_or(stem).to_owned()
        }
        [.., parent, _] if parent == "properties" || parent == "allOf" || parent == "oneOf" || parent == "anyOf" => {
            hint.to_owned()
        }
        [.., last] if structural.contains(&last.as_str()) || last.parse::<usize>().is_ok() => hint.to_owned(),
        [.., last] => last.clone(),
    };
    component_type(&name)
}

/// The method name an operation gets, and whether it dropped a `group/`
/// prefix of the operationId (then inline types are named with the group
/// too): its `operationId` in snake_case, cleaned of noise such as HubSpot's
/// `get-/crm/v3/objects/contacts_getPage` (→ `get_page`) and GitHub's
/// `repos/list-for-org` (→ `list_for_org`, in its tag's group), or, without
/// one, the method and path (`GET /pets/{petId}` → `get_pets_by_pet_id`).
pub fn operation_method(operation_id: Option<&str>, method: &str, path: &str, grouped: bool) -> (String, bool) {
    let mut dropped_group = false;
    if let Some(id) = operation_id {
        let mut id = id;
        for sep in ["-", "_", " ", ""] {
            let prefix = format!("{method}{sep}{path}");
            if let (Some(head), Some(rest)) = (id.get(..prefix.len()), id.get(prefix.len()..))
                && !rest.is_empty()
                && head.eq_ignore_ascii_case(&prefix)
            {
                id = rest;
                break;
            }
        }
        if grouped
            && let Some((_, last)) = id.rsplit_once('/')
            && !snake(last).is_empty()
        {
            id = last;
            dropped_group = true;
        }
        let snake = snake(id);
        if !snake.is_empty() {
            return (snake, dropped_group);
        }
    }
    let mut words = vec![method.to_owned()];
    let path = path.split('#').next().unwrap_or(path);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            words.push(format!("by {param}"));
        } else {
            words.push(segment.to_owned());
        }
    }
    (snake(&words.join(" ")), false)
}

/// The identifier of an operation's method made from `base`.
pub fn method_ident(base: &str) -> String {
    snake_ident(base, "call")
}

/// The suffix of the extra method that sends a body of the media type
/// whose parameterless, lower-case form is `base`: `xml`, `form`,
/// `multipart`, `text`, `bytes`, or the subtype in snake_case.
pub fn media_suffix(base: &str) -> String {
    match base {
        "application/x-www-form-urlencoded" => "form".to_owned(),
        "multipart/form-data" => "multipart".to_owned(),
        "application/octet-stream" => "bytes".to_owned(),
        "text/plain" => "text".to_owned(),
        "application/xml" | "text/xml" => "xml".to_owned(),
        "application/json" | "*/*" => "json".to_owned(),
        _ => {
            let subtype = base.rsplit('/').next().unwrap_or(base);
            let subtype = subtype.strip_prefix("x-").unwrap_or(subtype);
            let name = snake(subtype.trim_end_matches("+json").trim_start_matches("vnd."));
            if name.is_empty() { "body".to_owned() } else { name }
        }
    }
}

/// The scope of a request builder's methods: its parameters and body.
pub fn builder_scope() -> Namespace {
    Namespace::with_reserved(BUILDER_RESERVED)
}

/// The scope of the `webhooks` module's types: one per webhook, then the
/// enum over them; the standard names its code uses are taken.
pub fn webhook_scope() -> Namespace {
    Namespace::with_reserved(MODULE_RESERVED_TYPES)
}

/// The identifier of a parameter.
pub fn param_ident(wire_name: &str) -> String {
    snake_ident(wire_name, "param")
}

/// The name of an inline type of a response body: `{prefix}Response`,
/// `{prefix}Response201` when there are several successes,
/// `{prefix}Error404`, `{prefix}Response4xx`, `{prefix}DefaultResponse`.
pub fn response_type(prefix: &str, status: &crate::model::StatusMatch, success: bool, several: bool) -> String {
    use crate::model::StatusMatch;
    match (success, several, status) {
        (true, false, _) => format!("{prefix}Response"),
        (true, true, StatusMatch::Code(c)) => format!("{prefix}Response{c}"),
        (false, _, StatusMatch::Code(c)) => format!("{prefix}Error{c}"),
        (_, _, StatusMatch::Class(c)) => format!("{prefix}Response{c}xx"),
        (_, _, StatusMatch::Default) => format!("{prefix}DefaultResponse"),
    }
}

/// The variant of a response enum for a status: its IANA reason phrase in
/// PascalCase (`Ok`, `Created`, `MultiStatus`, `NotFound`), `Status{code}`
/// for an unregistered code, the class's name for a range (`Success` for
/// `2XX`, `ClientError` for `4XX`), and `Other` for `default`.
pub fn status_variant(status: &crate::model::StatusMatch) -> String {
    use crate::model::StatusMatch;
    match status {
        StatusMatch::Code(code) => match reason_phrase(*code) {
            Some(reason) => pascal(reason),
            None => format!("Status{code}"),
        },
        StatusMatch::Class(class) => match class {
            1 => "Informational".into(),
            2 => "Success".into(),
            3 => "Redirection".into(),
            4 => "ClientError".into(),
            5 => "ServerError".into(),
            _ => format!("Status{class}xx"),
        },
        StatusMatch::Default => "Other".into(),
    }
}

/// The reason phrases of the HTTP status codes registered with IANA
/// (RFC 9110 and the RFCs it lists).
fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// The names of one operation.
#[derive(Clone, Debug)]
pub struct OperationNames {
    /// The method (`snake_case`).
    pub method: String,
    /// The request builder (`PascalCase`), unique in the service module.
    pub builder: String,
    /// What the names of the operation's inline types start with.
    pub type_prefix: String,
}

/// The names of one module of operations: the client (ungrouped operations)
/// or a group. Methods are claimed here, the module's types (builders and
/// response enums) in the service's [`ServiceTypes`], so that no two groups
/// export the same name and any of them can be imported together.
#[derive(Clone, Debug)]
pub struct ModuleScope {
    /// Methods: of the client, or of the group's struct.
    methods: Namespace,
    /// The group's name in PascalCase, which its builders start with; empty
    /// for the client.
    group: String,
    /// The words of the group's name in snake_case.
    group_words: Vec<String>,
}

/// The PascalCase types of a service module and its group modules: group
/// structs, request builders and response enums, each name handed out once
/// in the whole service. The schemas are apart, in the `types` module.
#[derive(Clone, Debug)]
pub struct ServiceTypes {
    names: Namespace,
}

impl ServiceTypes {
    /// Claims the name of a success or error enum.
    pub fn claim(&mut self, name: &str) -> String {
        self.names.claim(name)
    }
}

impl ModuleScope {
    /// Claims the method, builder and inline-type prefix of an operation
    /// whose method is asked for as `base`. Two operations of a module that
    /// want one name are told apart by their `tag` (`archive` and
    /// `batch_archive`) before a number has to. With `dropped_group`, the
    /// inline types start with the group (`issues/list-for-repo` in group
    /// `issues` → `list_for_repo`, types `IssuesListForRepo…`).
    pub fn claim_operation(
        &mut self,
        types: &mut ServiceTypes,
        base: &str,
        tag: Option<&str>,
        dropped_group: Option<&str>,
    ) -> OperationNames {
        let mut ident = method_ident(base);
        if self.methods.contains(&ident)
            && let Some(tag) = tag
        {
            let tagged = method_ident(&format!("{tag} {base}"));
            if !self.methods.contains(&tagged) {
                ident = tagged;
            }
        }
        let method = self.methods.claim(&ident);
        let builder = types.claim(&self.builder_name(&method));
        let plain = pascal_ident(unraw(&method), "Call");
        let type_prefix = match dropped_group {
            Some(group) => format!("{}{}", pascal(group), plain.trim_start_matches('_')),
            None => plain,
        };
        OperationNames { method, builder, type_prefix }
    }

    /// Claims the method and builder of the extra method of `method` that
    /// sends the body as another media type (`create_booking_xml`).
    pub fn claim_alternative(&mut self, types: &mut ServiceTypes, method: &str, suffix: &str) -> (String, String) {
        let method = self.methods.claim(&method_ident(&format!("{}_{suffix}", unraw(method))));
        let builder = types.claim(&self.builder_name(&method));
        (method, builder)
    }

    /// The builder a method of this module asks for: the method in
    /// PascalCase (`get_pet` → `GetPet`) where it names the group already
    /// (`pets`, singular or plural), else after the group's name (`basic` +
    /// `create` → `BasicCreate`), so that two groups' builders differ.
    fn builder_name(&self, method: &str) -> String {
        let method = unraw(method);
        let name = if self.group.is_empty() || names_group(method, &self.group_words) {
            pascal(method)
        } else {
            format!("{}{}", self.group, pascal(method))
        };
        escape(if name.is_empty() { "Call".to_owned() } else { name })
    }
}

/// Whether the snake_case `method` has the words of a group among its own,
/// in order, the last one singular or plural (`get_pet` and `list_pets`
/// name the group `pets`).
fn names_group(method: &str, group_words: &[String]) -> bool {
    let words: Vec<&str> = method.split('_').filter(|w| !w.is_empty()).collect();
    let Some((last, head)) = group_words.split_last() else { return false };
    let same = |word: &str, group: &str| {
        word == group || word.strip_suffix('s') == Some(group) || group.strip_suffix('s') == Some(word)
    };
    words.windows(group_words.len()).any(|window| {
        let (window_last, window_head) = window.split_last().unwrap_or((&"", &[]));
        window_head.iter().zip(head).all(|(w, g)| *w == g) && same(window_last, last)
    })
}

/// The names of a group.
#[derive(Clone, Debug)]
pub struct GroupNames {
    /// Its module (`snake_case`).
    pub module: String,
    /// The client's accessor method.
    pub accessor: String,
    /// Its struct (`PascalCase`).
    pub struct_name: String,
    /// The scope of its operations.
    pub scope: ModuleScope,
}

/// Every name of a service module that its parts share: group modules,
/// the client's methods (see [`ModuleScope`]) and the types of the service
/// module and its groups ([`ServiceTypes`]).
#[derive(Clone, Debug)]
pub struct ServiceScope {
    modules: Namespace,
    /// The client and the service module's own operations.
    pub client: ModuleScope,
    /// The types of the service module and its group modules.
    pub types: ServiceTypes,
}

impl Default for ServiceScope {
    fn default() -> Self {
        ServiceScope {
            modules: Namespace::with_reserved(MODULE_RESERVED_MODULES),
            client: ModuleScope {
                methods: Namespace::with_reserved(CLIENT_RESERVED),
                group: String::new(),
                group_words: Vec::new(),
            },
            types: ServiceTypes { names: Namespace::with_reserved(MODULE_RESERVED_TYPES) },
        }
    }
}

impl ServiceScope {
    /// Claims the module, accessor and struct of the group named `name`
    /// (the tag or its rename), and gives the scope of its operations.
    pub fn claim_group(&mut self, name: &str) -> GroupNames {
        let module = self.modules.claim(&snake_ident(name, "default"));
        let accessor = self.client.methods.claim(&module);
        let base = pascal(name);
        let group = if base.is_empty() { "Default".to_owned() } else { base };
        let struct_name = self.types.claim(&escape(format!("{group}Api")));
        let group_words = snake(name).split('_').filter(|w| !w.is_empty()).map(str::to_owned).collect();
        let scope = ModuleScope { methods: Namespace::new(), group, group_words };
        GroupNames { module, accessor, struct_name, scope }
    }

    /// Claims a module of the service's own, such as `webhooks`, after
    /// the groups (a group keeps its name; the module gets `webhooks_2`).
    pub fn claim_module(&mut self, name: &str) -> String {
        self.modules.claim(name)
    }
}

/// The identifier of a group's module when its name is `name`.
pub fn group_module(name: &str) -> String {
    snake_ident(name, "default")
}

/// The scope of the functions of the generated `auth` module, one per scheme.
pub fn scheme_fn_scope() -> Namespace {
    Namespace::with_reserved(&["super", "self"])
}

/// The identifier of a scheme's function in the `auth` module.
pub fn scheme_fn(scheme: &str) -> String {
    snake_ident(scheme, "scheme")
}

/// The name hint of an inline type inside `owner`, at its property (or
/// parameter) `key`: `Pet` + `status` → `PetStatus`.
pub fn member_type(owner: &str, key: &str) -> String {
    format!("{owner}{}", pascal(key))
}

/// The name of a component schema that another file of the service defines
/// differently: its file's group in front (`Contacts` + `Filter`).
pub fn grouped_component(group: &str, key: &str) -> String {
    format!("{}{}", pascal(group), pascal(key))
}

/// The prefix of the service's environment variables, from the section's
/// `env_prefix`, or the name (section's, else the module source).
pub fn env_prefix(explicit: Option<String>, name: Option<&str>, source: &str) -> String {
    explicit.or_else(|| name.map(snake)).unwrap_or_else(|| snake(source)).to_ascii_uppercase()
}

/// A default environment variable: `PREFIX_SUFFIX`, or
/// `PREFIX_SCHEME_SUFFIX` when several schemes would share the name.
pub fn env_var(prefix: &str, scheme: &str, shared: bool, suffix: &str) -> String {
    if shared {
        format!("{prefix}_{}_{suffix}", snake(scheme).to_ascii_uppercase())
    } else {
        format!("{prefix}_{suffix}")
    }
}

/// The name a union variant starts from, before its type is known: the
/// last token of its `$ref`, else its `title`, else the word for its JSON
/// `kind` (`String`, `Integer`, `Number`, `Boolean`, `Array`, `Object`;
/// `None` for enums and objects with properties), else `Variant{n}`.
pub fn union_variant(reference: Option<&str>, title: Option<&str>, kind: Option<&str>, index: usize) -> String {
    for text in [reference, title].into_iter().flatten() {
        let name = pascal(text);
        if !name.is_empty() {
            return name;
        }
    }
    match kind {
        Some("string") => "String".into(),
        Some("integer") => "Integer".into(),
        Some("number") => "Number".into(),
        Some("boolean") => "Boolean".into(),
        Some("array") => "Array".into(),
        Some("object") => "Object".into(),
        _ => format!("Variant{}", index + 1),
    }
}

/// How the section names an operation besides its `operationId`: its
/// method and path, `GET /pets/{id}`.
pub fn operation_key(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_ascii_uppercase())
}

/// Whether `key` names the operation `method path` as [`operation_key`]
/// writes it; the method in any case, spaces around it ignored.
pub fn is_operation_key(key: &str, method: &str, path: &str) -> bool {
    key.trim().split_once(char::is_whitespace).is_some_and(|(m, p)| m.eq_ignore_ascii_case(method) && p.trim() == path)
}

/// The shapes a method name made from a path can take, shortest first;
/// an operation takes the longer one where the shorter is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathNameShape {
    /// The literal segments after the common prefix and the group's own
    /// name, a segment followed by a parameter singular:
    /// `DELETE /api/contents/{path}/checkpoints/{id}` in `contents` →
    /// `delete_checkpoint`.
    Short,
    /// The same with the parameters: `delete_by_path_checkpoints_by_id`.
    WithParameters,
    /// Every segment: `delete_api_contents_by_path_checkpoints_by_id`.
    Full,
}

/// Where the segments of a path start to say something: the number of
/// leading literal segments every path shares (`/api/`, `/v1/`), kept short
/// enough that each path keeps one segment.
pub fn common_path_prefix<'p>(paths: impl IntoIterator<Item = &'p str>) -> usize {
    let mut prefix: Option<Vec<&str>> = None;
    let mut shortest = usize::MAX;
    for path in paths {
        let segments = path_segments(path);
        shortest = shortest.min(segments.len());
        let literal: Vec<&str> = segments.iter().take_while(|s| !is_parameter(s)).copied().collect();
        prefix = Some(match prefix {
            None => literal,
            Some(common) => common.iter().zip(&literal).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    prefix.map_or(0, |common| common.len().min(shortest.saturating_sub(1)))
}

/// The method name of an operation without an `operationId`, made from its
/// HTTP method and path in the given shape. `prefix` leading segments are
/// dropped (see [`common_path_prefix`]) and then, except in the full shape,
/// a first segment naming `group` (singular or plural). `GET /get` is `get`.
pub fn path_method(method: &str, path: &str, prefix: usize, group: Option<&str>, shape: PathNameShape) -> String {
    let segments = path_segments(path);
    let mut rest: &[&str] =
        if shape == PathNameShape::Full { &segments } else { &segments[prefix.min(segments.len())..] };
    if shape != PathNameShape::Full
        && let (Some(group), Some(first)) = (group, rest.first())
        && !is_parameter(first)
        && names_group(&snake(first), &group_words(group))
        && snake(first).split('_').count() == group_words(group).len()
    {
        rest = &rest[1..];
    }
    let mut words = vec![method.to_owned()];
    for (i, segment) in rest.iter().enumerate() {
        match (is_parameter(segment), shape) {
            (true, PathNameShape::Short) => {}
            (true, _) => words.push(format!("by {}", &segment[1..segment.len() - 1])),
            (false, PathNameShape::Short) if rest.get(i + 1).is_some_and(|next| is_parameter(next)) => {
                words.push(singular(segment))
            }
            (false, _) => words.push((*segment).to_owned()),
        }
    }
    if words.len() == 2 && snake(&words[1]) == snake(method) {
        words.pop();
    }
    snake(&words.join(" "))
}

/// The segments of a path without its `#fragment` (AWS's `/#X-Amz-Target=…`).
fn path_segments(path: &str) -> Vec<&str> {
    let path = path.split('#').next().unwrap_or(path);
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// `{param}`.
fn is_parameter(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}')
}

/// The snake_case words of a group's name.
fn group_words(group: &str) -> Vec<String> {
    snake(group).split('_').filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// A plural English word made singular the simple way (`checkpoints` →
/// `checkpoint`, `policies` → `policy`); other words as they are
/// (`status`, `address`, `data`).
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies").filter(|stem| stem.len() > 1) {
        return format!("{stem}y");
    }
    match word.strip_suffix('s') {
        Some(stem) if stem.len() > 2 && !stem.ends_with(['s', 'u']) => stem.to_owned(),
        _ => word.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_rules() {
        assert_eq!(snake_ident("petId", "x"), "pet_id");
        assert_eq!(snake_ident("X-Rate-Limit", "x"), "x_rate_limit");
        assert_eq!(snake_ident("HTTPStatus", "x"), "http_status");
        assert_eq!(snake_ident("next_token", "x"), snake_ident("nextToken", "x"));
        assert_eq!(snake_ident("$expand", "x"), "expand");
        assert_eq!(snake_ident("a.b", "x"), "a_b");
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(snake_ident("type", "x"), "r#type");
        assert_eq!(snake_ident("match", "x"), "r#match");
        assert_eq!(snake_ident("async", "x"), "r#async");
        assert_eq!(snake_ident("gen", "x"), "r#gen");
    }

    #[test]
    fn self_like_keywords_get_a_suffix() {
        assert_eq!(snake_ident("self", "x"), "self_");
        assert_eq!(snake_ident("super", "x"), "super_");
        assert_eq!(snake_ident("crate", "x"), "crate_");
        assert_eq!(pascal_ident("self", "X"), "Self_");
    }

    #[test]
    fn leading_digits_get_an_underscore() {
        assert_eq!(snake_ident("2fa", "x"), "_2fa");
        assert_eq!(pascal_ident("200_response", "X"), "_200Response");
        assert_eq!(pascal_ident("1", "X"), "_1");
    }

    #[test]
    fn empty_and_symbol_only_names_use_the_fallback() {
        assert_eq!(snake_ident("", "value"), "value");
        assert_eq!(snake_ident("---", "value"), "value");
        assert_eq!(pascal_ident("", "Empty"), "Empty");
    }

    #[test]
    fn non_ascii_letters_are_spelled_not_dropped() {
        assert_eq!(snake_ident("größe", "x"), "gr_uf6_udf_e");
        assert_ne!(pascal_ident("中", "X"), pascal_ident("文", "X"));
    }

    #[test]
    fn symbols_can_be_spelled_to_separate_values() {
        assert_eq!(pascal("Etc/GMT+1"), pascal("Etc/GMT-1"));
        assert_eq!(pascal_spelled("Etc/GMT+1"), "EtcSlashGmtPlus1");
        assert_eq!(pascal_spelled("Etc/GMT-1"), "EtcSlashGmtMinus1");
        assert_eq!(snake_spelled("a+b"), "a_plus_b");
    }

    #[test]
    fn pascal_rules() {
        assert_eq!(pascal_ident("pet_status", "X"), "PetStatus");
        assert_eq!(pascal_ident("Links-Self", "X"), "LinksSelf");
        assert_eq!(pascal_ident("simplePublicObject", "X"), "SimplePublicObject");
    }

    #[test]
    fn namespace_suffixes_repeats() {
        let mut ns = Namespace::with_reserved(&["send"]);
        assert_eq!(ns.claim("send"), "send_2");
        assert_eq!(ns.claim("pet"), "pet");
        assert_eq!(ns.claim("pet"), "pet_2");
        assert_eq!(ns.claim("Pet"), "Pet");
        assert_eq!(ns.claim("Pet"), "Pet2");
        assert_eq!(ns.claim("r#type"), "r#type");
        assert_eq!(ns.claim("r#type"), "type_2");
        assert!(ns.contains("r#type"));
    }

    /// Exposed so tests can check the rules of enum naming.
    fn enum_variant_names(values: &[&str]) -> Vec<String> {
        enum_variants(values).0
    }

    #[test]
    fn enum_values_are_pascal_case() {
        assert_eq!(enum_variant_names(&["available", "on-hold", "SOLD_OUT"]), ["Available", "OnHold", "SoldOut"]);
    }

    #[test]
    fn enum_values_that_collide_are_spelled_out() {
        assert_eq!(
            enum_variant_names(&["Etc/GMT+1", "Etc/GMT-1", "UTC"]),
            ["EtcSlashGmtPlus1", "EtcSlashGmtMinus1", "Utc"]
        );
        assert_eq!(enum_variant_names(&["+1", "-1"]), ["Plus1", "Minus1"]);
    }

    #[test]
    fn enum_values_that_still_collide_get_suffixes() {
        assert_eq!(enum_variant_names(&["NOT_ACTIVATED", "not_activated"]), ["NotActivated", "NotActivated2"]);
    }

    #[test]
    fn odd_enum_values() {
        assert_eq!(enum_variant_names(&["", "1", "self", "*"]), ["Empty", "_1", "Self_", "Star"]);
    }

    #[test]
    fn response_variants_are_named_after_the_status() {
        use crate::model::StatusMatch;
        let name = |s| status_variant(&s);
        assert_eq!(name(StatusMatch::Code(200)), "Ok");
        assert_eq!(name(StatusMatch::Code(201)), "Created");
        assert_eq!(name(StatusMatch::Code(204)), "NoContent");
        assert_eq!(name(StatusMatch::Code(207)), "MultiStatus");
        assert_eq!(name(StatusMatch::Code(404)), "NotFound");
        assert_eq!(name(StatusMatch::Code(414)), "UriTooLong");
        assert_eq!(name(StatusMatch::Code(422)), "UnprocessableContent");
        assert_eq!(name(StatusMatch::Code(505)), "HttpVersionNotSupported");
        assert_eq!(name(StatusMatch::Code(299)), "Status299");
        assert_eq!(name(StatusMatch::Class(2)), "Success");
        assert_eq!(name(StatusMatch::Class(4)), "ClientError");
        assert_eq!(name(StatusMatch::Class(5)), "ServerError");
        assert_eq!(name(StatusMatch::Default), "Other");
    }

    #[test]
    fn builders_name_their_group_once() {
        let mut service = ServiceScope::default();
        let mut basic = service.claim_group("basic").scope;
        let mut batch = service.claim_group("batch").scope;
        let mut pets = service.claim_group("pets").scope;
        let types = &mut service.types;
        assert_eq!(basic.claim_operation(types, "create", None, None).builder, "BasicCreate");
        assert_eq!(batch.claim_operation(types, "create", None, None).builder, "BatchCreate");
        assert_eq!(pets.claim_operation(types, "get_pet", None, None).builder, "GetPet");
        assert_eq!(pets.claim_operation(types, "list_pets", None, None).builder, "ListPets");
        assert_eq!(pets.claim_operation(types, "petition", None, None).builder, "PetsPetition");
        let mut client = service.client.clone();
        assert_eq!(client.claim_operation(&mut service.types, "create", None, None).builder, "Create");
        let mut store = service.claim_group("store").scope;
        assert_eq!(store.claim_operation(&mut service.types, "get_pet", None, None).builder, "StoreGetPet");
        // One name per service: another group's `GetPet` gets a number.
        let mut pet = service.claim_group("pet").scope;
        assert_eq!(pet.claim_operation(&mut service.types, "get_pet", None, None).builder, "GetPet2");
    }

    #[test]
    fn colliding_property_names_are_spelled_out() {
        let colliding = colliding_snake_names(["+1", "-1", "name"].into_iter());
        assert_eq!(spelled_if("+1", &colliding), "plus_1");
        assert_eq!(spelled_if("-1", &colliding), "minus_1");
        assert_eq!(spelled_if("name", &colliding), "name");
    }
}
