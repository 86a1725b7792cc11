//! A change the domain has decided on but not made: the writes of one transaction, the
//! events that announce it, and the answer. The edges make it (commit, then publish), so a
//! change is announced only once it is stored, and in one place; the domain never commits
//! the last step of a change nor publishes.

use crate::error::{Error, Guard, StoreError};
use crate::events::DomainEvent;
use crate::store::Transaction;

#[must_use = "a plan does nothing until an edge commits it"]
pub struct Plan<T> {
    /// What to write, all or nothing; empty when the change was made in steps already.
    pub writes: Transaction,
    /// What to publish once the writes are stored.
    pub events: Vec<DomainEvent>,
    pub value: T,
    /// What a failed guard means to this change's caller where [`Guard::meaning`] does not
    /// say it (a version the client named with `If-Match` is stale, not a conflict).
    meanings: Vec<(Guard, Error)>,
}

impl<T> Plan<T> {
    pub fn new(writes: Transaction, value: T) -> Plan<T> {
        Plan { writes, events: Vec::new(), value, meanings: Vec::new() }
    }

    pub fn announce(mut self, event: DomainEvent) -> Plan<T> {
        self.events.push(event);
        self
    }

    pub fn announce_all(mut self, events: impl IntoIterator<Item = DomainEvent>) -> Plan<T> {
        self.events.extend(events);
        self
    }

    /// `guard` failing means `error` here.
    pub fn meaning(mut self, guard: Guard, error: Error) -> Plan<T> {
        self.meanings.push((guard, error));
        self
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Plan<U> {
        Plan { writes: self.writes, events: self.events, value: f(self.value), meanings: self.meanings }
    }

    /// The writes and the rest, for the edge to commit: what a failed commit means comes
    /// with them.
    pub fn into_parts(self) -> (Transaction, Failures, Vec<DomainEvent>, T) {
        (self.writes, Failures(self.meanings), self.events, self.value)
    }
}

/// What a failed commit of a plan means.
pub struct Failures(Vec<(Guard, Error)>);

impl Failures {
    pub fn explain(mut self, failure: StoreError) -> Error {
        match failure.guard().and_then(|guard| self.0.iter().position(|(g, _)| *g == guard)) {
            Some(index) => self.0.swap_remove(index).1,
            None => failure.into(),
        }
    }
}
