//! Rustdoc from spec text.
//!
//! Descriptions are Markdown written for web pages. Two things in them would
//! hurt a user's crate: fenced blocks without a language and indented blocks
//! become doctests (which fail), so fences are marked `text` and indentation
//! that would start a code block is removed.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Docs;

/// `#[doc = "..."]` attributes for a list of paragraphs (empty ones skipped).
pub fn doc_attrs(paragraphs: &[Option<&str>]) -> TokenStream {
    let mut text = String::new();
    for p in paragraphs.iter().flatten() {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&sanitize(p));
    }
    lines_to_attrs(&text)
}

/// The paragraphs of a [`Docs`] followed by `extra`, for [`doc_attrs`]: the
/// title, the description unless it repeats the title, then polvo's notes.
pub fn paragraphs<'a>(docs: &'a Docs, extra: &[Option<&'a str>]) -> Vec<Option<&'a str>> {
    let mut paragraphs: Vec<Option<&str>> = vec![docs.title.as_deref()];
    if docs.description.as_deref().map(str::trim) != docs.title.as_deref().map(str::trim) {
        paragraphs.push(docs.description.as_deref());
    }
    paragraphs.extend(docs.notes.iter().map(|n| Some(n.as_str())));
    paragraphs.extend_from_slice(extra);
    paragraphs
}

fn lines_to_attrs(text: &str) -> TokenStream {
    if text.is_empty() {
        return TokenStream::new();
    }
    let lines = text.lines().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote! { #( #[doc = #lines] )* }
}

/// Makes Markdown safe for rustdoc: fences get the `text` language and
/// lines are de-indented outside fences, so nothing becomes a doctest.
pub fn sanitize(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut fence: Option<String> = None;
    for line in markdown.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = line.trim_start();
        let marker = if trimmed.starts_with("```") {
            Some("```")
        } else if trimmed.starts_with("~~~") {
            Some("~~~")
        } else {
            None
        };
        match (&fence, marker) {
            (None, Some(m)) => {
                let run: String = trimmed.chars().take_while(|c| *c == m.as_bytes()[0] as char).collect();
                fence = Some(run.clone());
                out.push_str(&run);
                out.push_str("text");
            }
            (Some(open), Some(_))
                if trimmed.starts_with(open.as_str()) && trimmed.trim_end().chars().all(|c| open.starts_with(c)) =>
            {
                out.push_str(open);
                fence = None;
            }
            (Some(_), _) => out.push_str(line),
            (None, None) => out.push_str(trimmed),
        }
        out.push('\n');
    }
    if let Some(open) = fence {
        // An unclosed fence would swallow everything after it.
        out.push_str(&open);
        out.push('\n');
    }
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    out
}

/// Code-formats a piece of text for docs: `` `text` ``, with backticks inside made safe.
pub fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_text() {
        assert_eq!(sanitize("a\n```\nlet x;\n```\nb"), "a\n```text\nlet x;\n```\nb");
        assert_eq!(sanitize("```json\n{}\n```"), "```text\n{}\n```");
    }

    #[test]
    fn indented_blocks_are_flattened() {
        assert_eq!(sanitize("a\n\n    code\nb"), "a\n\ncode\nb");
    }

    #[test]
    fn unclosed_fences_are_closed() {
        assert_eq!(sanitize("```\nx"), "```text\nx\n```");
    }

    #[test]
    fn empty_docs_give_no_attributes() {
        assert!(doc_attrs(&[None, Some("  ")]).is_empty());
    }
}
