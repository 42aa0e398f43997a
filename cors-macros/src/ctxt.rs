//! Collects every error of one expansion, so that all are reported at once.

use proc_macro2::{Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use std::cell::RefCell;
use std::fmt::Display;

/// Where something is written, from its first token to its last. Stable
/// proc macros cannot join spans, but an error spanned over two tokens is
/// shown over the whole range, as `syn::Error::new_spanned` does: `-1`
/// is underlined whole, not only its `-`.
#[derive(Clone, Copy)]
pub struct SpanRange {
    pub start: Span,
    pub end: Span,
}

impl SpanRange {
    /// The range of `tokens`, or the call site when there are none.
    pub fn of(tokens: &impl ToTokens) -> Self {
        let mut tokens = tokens.to_token_stream().into_iter();
        let start = tokens.next().map_or_else(Span::call_site, |t| t.span());
        let end = tokens.last().map_or(start, |t| t.span());
        SpanRange { start, end }
    }
}

impl From<Span> for SpanRange {
    fn from(span: Span) -> Self {
        SpanRange {
            start: span,
            end: span,
        }
    }
}

impl ToTokens for SpanRange {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for span in [self.start, self.end] {
            let mut punct = Punct::new('~', Spacing::Alone);
            punct.set_span(span);
            tokens.extend([TokenTree::from(punct)]);
        }
    }
}

#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn error(&self, span: impl Into<SpanRange>, message: impl Display) {
        self.push(syn::Error::new_spanned(span.into(), message));
    }

    pub fn push(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.borrow().is_empty()
    }

    /// All errors combined into one, or `None`.
    pub fn finish(self) -> Option<syn::Error> {
        self.errors.into_inner().into_iter().reduce(|mut all, e| {
            all.combine(e);
            all
        })
    }
}
