//! What a request's writes wait for: the confirmation that its caller's session is live and
//! is as the token said.
//!
//! A signed route runs on the caller its access token names while the session is read
//! with the route's first read, so that the check costs no round trip of its own
//! (`functions::api::router`). Reads may go ahead on that claim: what they find is thrown
//! away unless the session confirms it. Writes may not: every write of the store and of
//! the bucket first waits here, and is refused if the claim was not confirmed.

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::oneshot;

/// The gate a request's writes pass; clones share one outcome.
#[derive(Clone)]
pub struct WriteGate(Shared<BoxFuture<'static, bool>>);

/// Opens or shuts the gate, once.
pub struct GateKeeper(oneshot::Sender<bool>);

impl std::fmt::Debug for WriteGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteGate")
    }
}

impl WriteGate {
    /// A shut gate, and the keeper that decides it.
    pub fn pending() -> (GateKeeper, WriteGate) {
        let (keeper, decision) = oneshot::channel();
        // A keeper dropped without deciding (its request failed) keeps the gate shut.
        let gate = decision.map(|decided| decided.unwrap_or(false)).boxed().shared();
        (GateKeeper(keeper), WriteGate(gate))
    }

    /// Waits for the decision: whether writes may go ahead.
    pub async fn opens(&self) -> bool {
        self.0.clone().await
    }
}

impl GateKeeper {
    pub fn decide(self, open: bool) {
        // The gate's side gone means no write waits any more: nothing to tell.
        let _ = self.0.send(open);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_clone_waits_for_the_one_decision() {
        let (keeper, gate) = WriteGate::pending();
        let other = gate.clone();
        let waiting = tokio::spawn(async move { other.opens().await });
        keeper.decide(true);
        assert!(gate.opens().await);
        assert!(waiting.await.unwrap());
    }

    #[tokio::test]
    async fn a_keeper_gone_without_deciding_keeps_it_shut() {
        let (keeper, gate) = WriteGate::pending();
        drop(keeper);
        assert!(!gate.opens().await);
        let (keeper, gate) = WriteGate::pending();
        keeper.decide(false);
        assert!(!gate.opens().await);
    }
}
