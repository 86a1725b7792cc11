//! One item that rides with a request's first point read: the session check's.
//!
//! A signed route reads its session item while the handler reads what it needs
//! (`functions::api::router`). Sent apart, the two are two HTTP exchanges, each a request to
//! sign, send and parse: most of a warm read's CPU. So the session's key waits in a seat on
//! the request's table, and the handler's first `get` or `get_many` takes it along in the
//! same BatchGetItem. The router polls the handler first, so that its first reads have
//! started before the session check looks: if none took the key, the check reads it at once,
//! alone; if the read that took it fails or is dropped, the check reads it again.

use std::sync::{Arc, Mutex, PoisonError};

use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use super::{Db, Item, from_item};
use crate::error::StoreError;
use crate::keys::Key;

/// Where the key waits: on the request's table ([`Db::for_request`]); clones share it.
#[derive(Clone, Debug)]
pub struct Seat(Arc<Mutex<Option<Rider>>>);

/// The key, and where its item goes once read.
#[derive(Debug)]
pub(super) struct Rider {
    pub(super) key: Key,
    pub(super) item: oneshot::Sender<Option<Item>>,
}

/// The waiting side: the item, however it comes.
#[derive(Debug)]
pub struct Ride {
    key: Key,
    seat: Seat,
    item: oneshot::Receiver<Option<Item>>,
}

impl Ride {
    /// A seat for `key`, to hand the request's table, and the ride that waits for its item.
    pub fn offer(key: Key) -> (Seat, Ride) {
        let (sender, item) = oneshot::channel();
        let seat = Seat(Arc::new(Mutex::new(Some(Rider { key: key.clone(), item: sender }))));
        (seat.clone(), Ride { key, seat, item })
    }

    /// The item (a consistent read), carried by a read that started before this was first
    /// polled, or else read now.
    pub async fn get<T: DeserializeOwned>(self, db: &Db) -> Result<Option<T>, StoreError> {
        // Still in its seat: nobody took the key. A dropped sender: the read that took it
        // failed or was dropped. Either way, read it now.
        let carried = if self.seat.take().is_some() { Err(()) } else { self.item.await.map_err(drop) };
        let item = match carried {
            Ok(item) => item,
            Err(()) => db.read_keys(std::slice::from_ref(&self.key)).await?.remove(&self.key),
        };
        item.map(from_item).transpose()
    }
}

impl Seat {
    /// The rider, if it is still waiting: whoever takes it reads its key.
    pub(super) fn take(&self) -> Option<Rider> {
        // Only ever taken whole: a panic cannot leave it half-changed.
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}
