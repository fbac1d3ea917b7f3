//! One module per page of the app.

pub mod comparison;
pub mod export;
pub mod filters;
pub mod history;
pub mod keys;
pub mod live;
pub mod login;
pub mod review;
pub mod segment;
pub mod session;
pub mod tables;
