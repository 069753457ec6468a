//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! handler or consumer can run a change and its outbox event in one transaction.

pub mod orders;
