//! Notifications (seed 001 §7): items in each recipient's inbox, written in the same
//! transaction as the change that causes them and kept 90 days.

pub mod inbox;
pub mod model;
