//! cors-macros
