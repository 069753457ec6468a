//! Request and response types of the cart, and its rules as pure functions.

pub mod cart;
pub mod checkout;
