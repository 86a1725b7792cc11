//! Identity: users, teams, sessions. The rules of seed 001 §2 and seed 002's user module.

pub mod accounts;
pub mod directory;
pub mod model;
pub mod repo;
pub mod sessions;
