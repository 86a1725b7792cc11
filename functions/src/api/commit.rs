//! Where a planned change is made: its writes committed (with the idempotency record of the
//! request's key, when it sent one), then its events published. No other place commits the
//! last step of a change or announces one.

use std::future::Future;

use jiff::Timestamp;
use serde_json::Value;

use teamsync::AppContext;
use teamsync::error::{Error, Guard, StoreError};
use teamsync::idempotency::{self, IdempotencyKey};
use teamsync::messages::Msg;
use teamsync::plan::Plan;

/// Commits the plan, then publishes its events; answers its value.
pub async fn commit<T>(ctx: &AppContext, plan: Plan<T>) -> Result<T, Error> {
    let (writes, failures, events, value) = plan.into_parts();
    writes.commit().await.map_err(|failure| failures.explain(failure))?;
    ctx.events.publish_all(events).await;
    Ok(value)
}

/// A create that a retry with the same `Idempotency-Key` and body answers as the first time
/// did, creating nothing: the answer `render` shapes is stored in the same transaction as
/// the change. Of two concurrent requests with one key, one creates and the other answers
/// its result.
pub async fn create_once<T>(
    ctx: &AppContext,
    key: Option<IdempotencyKey>,
    now: Timestamp,
    plan: impl Future<Output = Result<Plan<T>, Error>>,
    render: impl FnOnce(T) -> Result<Value, Error>,
) -> Result<Value, Error> {
    if let Some(key) = &key
        && let Some(answer) = idempotency::replay(&ctx.db, key, now).await?
    {
        return Ok(answer);
    }
    let (writes, failures, events, value) = plan.await?.into_parts();
    let answer = render(value)?;
    let writes = match &key {
        Some(key) => key.stage(writes, &answer, now)?,
        None => writes,
    };
    match (writes.commit().await, &key) {
        (Ok(()), _) => {}
        (Err(StoreError::Guard(Guard::IdempotencyKeyFree)), Some(key)) => {
            let first = idempotency::replay(&ctx.db, key, now).await?;
            return first.ok_or_else(|| Error::conflict("Idempotency-Key", Msg::Conflict));
        }
        (Err(failure), _) => return Err(failures.explain(failure)),
    }
    ctx.events.publish_all(events).await;
    Ok(answer)
}
