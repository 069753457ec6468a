//! Request and response types of the reviews, and their rules as pure functions.

pub mod review;
pub mod summary;
