//! Every rule that turns a name from a spec into a Rust identifier.
//!
//! The rules are deterministic: the same input gives the same identifier on
//! every run. Uniqueness within a scope is the job of [`Namespace`].

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
}
