//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! consumer can run a change, its audit row and its outbox event in one transaction.

pub mod payments;
