//! The routes of one function, declared with their handlers: a route says whether it needs
//! a signed-in caller (`signed`, whose handler receives the [`Caller`]) or answers anyone
//! (`public`). API Gateway sends a whole endpoint group to one Lambda; this table picks the
//! handler. Every route answers with and without its trailing slash.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::Method;
use jiff::Timestamp;
use lambda_http::Request;
use serde_json::Value;
use teamsync::auth::{Caller, live_caller};
use teamsync::keys;
use teamsync::messages::Msg;
use teamsync::store::{Ride, WriteGate};
use teamsync::{AppContext, Error};

use super::{Reply, RequestMeta};

/// One request as a handler receives it.
#[derive(Clone)]
pub struct Call {
    pub ctx: AppContext,
    /// Shared, so that a signed route can run again on the same request (see [`Router::run`]).
    pub req: Arc<Request>,
    pub params: PathParams,
    pub meta: RequestMeta,
    /// The request's "now", taken once at the edge.
    pub now: Timestamp,
}

impl Call {
    /// An integer id segment of the path; anything else names nothing here (404).
    pub fn id(&self, name: &str) -> Result<u64, Error> {
        self.params.id(name)
    }

    /// The body as JSON (see [`super::body_json`]).
    pub fn body(&self) -> Result<Value, Error> {
        super::body_json(&self.req)
    }

    /// The query string as a JSON object of strings.
    pub fn query(&self) -> Value {
        super::query_object(&self.req)
    }
}

type Answer = Pin<Box<dyn Future<Output = Result<Reply, Error>> + Send>>;

#[derive(Clone)]
enum Handler {
    Public(Arc<dyn Fn(Call) -> Answer + Send + Sync>),
    Signed(Arc<dyn Fn(Call, Caller) -> Answer + Send + Sync>),
}

/// A function's routes.
#[derive(Clone, Default)]
pub struct Routes {
    table: Vec<(Method, &'static str, Handler)>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    /// A route anyone may call. Patterns are matchit's (`/api/users/{username}`), written
    /// without a trailing slash.
    pub fn public<F, Fut>(mut self, method: Method, path: &'static str, handler: F) -> Routes
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        self.table.push((method, path, Handler::Public(Arc::new(move |call| Box::pin(handler(call))))));
        self
    }

    /// A route for signed-in callers: the token and its session are checked before the
    /// handler runs, and it receives the caller.
    pub fn signed<F, Fut>(mut self, method: Method, path: &'static str, handler: F) -> Routes
    where
        F: Fn(Call, Caller) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        let handler = move |call, caller| -> Answer { Box::pin(handler(call, caller)) };
        self.table.push((method, path, Handler::Signed(Arc::new(handler))));
        self
    }

    /// Every route, as `(method, pattern)`.
    pub fn list(&self) -> impl Iterator<Item = (&Method, &'static str)> {
        self.table.iter().map(|(method, path, _)| (method, *path))
    }
}

/// The `{name}` segments of a matched route.
#[derive(Debug, Default, Clone)]
pub struct PathParams(HashMap<String, String>);

impl PathParams {
    pub fn get(&self, name: &str) -> Result<&str, Error> {
        self.0.get(name).map(String::as_str).ok_or_else(|| Error::bug(format!("route has no {{{name}}}")))
    }

    /// An integer id segment; anything else names nothing here (404).
    pub fn id(&self, name: &str) -> Result<u64, Error> {
        self.get(name)?.parse().ok().filter(|id| *id > 0).ok_or(Error::not_found(Msg::RouteNotFound))
    }
}

/// The routes, matched.
pub(super) struct Router {
    paths: matchit::Router<Vec<(Method, Handler)>>,
}

impl Router {
    /// Panics on a malformed or duplicate pattern: the table is static, and the tests build
    /// every function's.
    pub(super) fn new(routes: Routes) -> Router {
        let mut grouped: Vec<(&str, Vec<(Method, Handler)>)> = Vec::new();
        for (method, path, handler) in routes.table {
            match grouped.iter_mut().find(|(p, _)| *p == path) {
                Some((_, methods)) => methods.push((method, handler)),
                None => grouped.push((path, vec![(method, handler)])),
            }
        }
        let mut paths = matchit::Router::new();
        for (path, methods) in grouped {
            if let Err(error) = paths.insert(path, methods) {
                panic!("bad route {path}: {error}");
            }
        }
        Router { paths }
    }

    /// Runs the request's route: 404 for an unknown path, 405 for a known path with another
    /// method, 401 for a signed route without a live session.
    ///
    /// A signed route's session is read with the handler's own first read, not before it:
    /// the handler starts as the caller the token claims, its writes wait for the session
    /// (a [`WriteGate`]), and its answer stands only if the session confirms that caller. A
    /// session that has ended answers 401; one whose role or team changed since the token
    /// was signed runs the handler again as the session says.
    pub(super) async fn run(&self, ctx: &AppContext, req: Request, meta: RequestMeta) -> Result<Reply, Error> {
        let path = req.uri().path();
        let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
        let matched = self.paths.at(path).map_err(|_| Error::not_found(Msg::RouteNotFound))?;
        let handler =
            matched.value.iter().find(|(method, _)| method == req.method()).map(|(_, handler)| handler.clone());
        let Some(handler) = handler else {
            let allow = matched.value.iter().map(|(method, _)| method.as_str()).collect::<Vec<_>>().join(", ");
            return Err(Error::MethodNotAllowed { allow });
        };
        let params = PathParams(matched.params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect());
        let now = Timestamp::now();
        let call = |ctx: AppContext, req| Call { ctx, req, params, meta, now };
        match handler {
            Handler::Public(handler) => handler(call(ctx.clone(), Arc::new(req))).await,
            Handler::Signed(handler) => {
                let claimed = super::claimed_caller(ctx, &req)?;
                let (keeper, gate) = WriteGate::pending();
                let (seat, ride) = Ride::offer(keys::session(claimed.user_id, &claimed.session_id));
                let call = call(ctx.for_request(gate, seat), Arc::new(req));
                let session = async {
                    let session = ride.get(&ctx.db).await.map_err(Error::from).and_then(|s| live_caller(s, now));
                    keeper.decide(session.as_ref().is_ok_and(|caller| *caller == claimed));
                    session
                };
                // The handler first, so that its first point read can take the session's key
                // along (see `Ride`); `join` polls in order, tokio's `join!` does not.
                let (answer, session) =
                    futures_util::future::join(handler(call.clone(), claimed.clone()), session).await;
                match session? {
                    caller if caller == claimed => answer,
                    caller => handler(Call { ctx: ctx.clone(), ..call }, caller).await,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(call: Call) -> impl Future<Output = Result<Reply, Error>> {
        let path = call.req.uri().path().to_owned();
        async move { Reply::ok(Msg::Success, path) }
    }

    #[test]
    fn a_table_lists_its_routes_and_refuses_a_duplicate() {
        let routes = Routes::new()
            .public(Method::GET, "/api/users", answer)
            .public(Method::POST, "/api/users", answer)
            .signed(Method::GET, "/api/users/{username}", |call, _caller| answer(call));
        let listed: Vec<(Method, &str)> = routes.list().map(|(m, p)| (m.clone(), p)).collect();
        assert_eq!(listed[2], (Method::GET, "/api/users/{username}"));
        let router = Router::new(routes.clone());
        assert!(router.paths.at("/api/users/alice").is_ok());
        let twice = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Router::new(routes.public(Method::GET, "/api/users/{name}", answer))
        }));
        assert!(twice.is_err(), "two patterns for one path");
    }
}
