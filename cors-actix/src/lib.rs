//! cors-actix
