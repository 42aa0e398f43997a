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

/// The errors of one expansion. It cannot lose them: every `Ctxt` must end
/// in [`Ctxt::finish`] (or [`Ctxt::discard`], for a context whose findings
/// are reported elsewhere), or dropping it panics, which turns a forgotten
/// error into a failed build instead of silently wrong code.
pub struct Ctxt {
    /// `None` once finished.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Default for Ctxt {
    fn default() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }
}

impl Ctxt {
    pub fn error(&self, span: impl Into<SpanRange>, message: impl Display) {
        self.push(syn::Error::new_spanned(span.into(), message));
    }

    pub fn push(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.errors.borrow().as_ref().is_some_and(|e| !e.is_empty())
    }

    /// All errors combined into one, or `None`.
    pub fn finish(self) -> Option<syn::Error> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        errors.into_iter().reduce(|mut all, e| {
            all.combine(e);
            all
        })
    }

    /// Ends a context used only to read values, whose errors the caller
    /// reports through another context.
    pub fn discard(self) {
        self.errors.borrow_mut().take();
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("cors-macros: a Ctxt was dropped without finish(); its errors would be lost");
        }
    }
}
