//! Records the DynamoDB calls the functions make, with when each started and ended and how
//! many items each read, so the benchmark can print per route how many calls, sequential
//! round trips and items read a request costs. Attached to the local stack's DynamoDB client only on request.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub started: Instant,
    pub ended: Option<Instant>,
    /// The items it read: a Query's or a BatchGetItem's items, a GetItem's one if found.
    pub items_read: usize,
}

#[derive(Debug, Clone, Default)]
pub struct CallRecorder {
    calls: Arc<Mutex<Vec<Call>>>,
}

/// Which recorded call an execution is, kept in the execution's own config bag.
#[derive(Debug, Clone)]
struct CallIndex(usize);

impl Storable for CallIndex {
    type Storer = StoreReplace<Self>;
}

impl CallRecorder {
    /// The calls recorded since the last `take`.
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Sequential round trips: the longest chain of calls each of which started after the
    /// one before it had ended. Calls in flight together share a trip, however long one of
    /// them takes: a slow read beside two quick ones in a row still makes two trips.
    pub fn round_trips(calls: &[Call]) -> usize {
        let mut depths: Vec<usize> = Vec::with_capacity(calls.len());
        for call in calls {
            let before = calls
                .iter()
                .zip(&depths)
                .filter(|(earlier, _)| earlier.ended.is_some_and(|end| end <= call.started))
                .map(|(_, depth)| *depth)
                .max()
                .unwrap_or(0);
            depths.push(before + 1);
        }
        depths.into_iter().max().unwrap_or(0)
    }
}

impl Intercept for CallRecorder {
    fn name(&self) -> &'static str {
        "CallRecorder"
    }

    fn read_before_execution(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.push(Call { operation: String::new(), started: Instant::now(), ended: None, items_read: 0 });
        cfg.interceptor_state().store_put(CallIndex(calls.len() - 1));
        Ok(())
    }

    /// The operation's name, from the request's `X-Amz-Target` (`DynamoDB_20120810.Query`).
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        if let Some(CallIndex(index)) = cfg.load::<CallIndex>() {
            let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(call) = calls.get_mut(*index) {
                call.operation = operation;
            }
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(output) = context.output_or_error() else { return Ok(()) };
        let items_read = if let Some(query) = output.downcast_ref::<QueryOutput>() {
            query.count.max(0) as usize
        } else if let Some(get) = output.downcast_ref::<GetItemOutput>() {
            usize::from(get.item.is_some())
        } else if let Some(batch) = output.downcast_ref::<BatchGetItemOutput>() {
            batch.responses.iter().flat_map(|tables| tables.values()).map(Vec::len).sum()
        } else {
            0
        };
        if let Some(CallIndex(index)) = cfg.load::<CallIndex>() {
            let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(call) = calls.get_mut(*index) {
                call.items_read = items_read;
            }
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        _: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(CallIndex(index)) = cfg.load::<CallIndex>() {
            let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(call) = calls.get_mut(*index) {
                call.ended = Some(Instant::now());
            }
        }
        Ok(())
    }
}
