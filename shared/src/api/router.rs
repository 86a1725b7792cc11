//! Routing inside one function. API Gateway sends a whole endpoint group to one Lambda; this
//! table picks the handler. Every route answers with and without its trailing slash.

use std::collections::HashMap;

use http::Method;

use crate::error::Error;
use crate::i18n::Msg;

pub struct Router<R> {
    paths: matchit::Router<Vec<(Method, R)>>,
}

/// The `{name}` segments of a matched route.
#[derive(Debug, Default)]
pub struct PathParams(HashMap<String, String>);

impl PathParams {
    pub fn get(&self, name: &str) -> Result<&str, Error> {
        self.0.get(name).map(String::as_str).ok_or_else(|| Error::bug(format!("route has no {{{name}}}")))
    }
}

impl PathParams {
    /// An integer id segment; anything else names nothing here (404).
    pub fn id(&self, name: &str) -> Result<u64, Error> {
        self.get(name)?
            .parse()
            .ok()
            .filter(|id| *id > 0)
            .ok_or(Error::NotFound { msg: Msg::RouteNotFound, fields: Default::default() })
    }
}

impl<R: Copy> Router<R> {
    /// Builds the table. Patterns are matchit's (`/api/users/{username}`), written without a
    /// trailing slash. Panics on a malformed or duplicate pattern: the table is static, and
    /// each function's tests build it.
    pub fn new(routes: &[(Method, &str, R)]) -> Self {
        let mut grouped: Vec<(&str, Vec<(Method, R)>)> = Vec::new();
        for (method, path, route) in routes {
            match grouped.iter_mut().find(|(p, _)| p == path) {
                Some((_, methods)) => methods.push((method.clone(), *route)),
                None => grouped.push((path, vec![(method.clone(), *route)])),
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

    /// The route for a request: 404 for an unknown path, 405 for a known path with
    /// another method.
    pub fn at(&self, method: &Method, path: &str) -> Result<(R, PathParams), Error> {
        let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
        let matched =
            self.paths.at(path).map_err(|_| Error::NotFound { msg: Msg::RouteNotFound, fields: Default::default() })?;
        let route =
            matched.value.iter().find(|(m, _)| m == method).map(|(_, route)| *route).ok_or(Error::MethodNotAllowed)?;
        let params = matched.params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Ok((route, PathParams(params)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum R {
        List,
        Create,
        One,
    }

    #[test]
    fn matches_with_and_without_trailing_slash_and_tells_404_from_405() {
        let router = Router::new(&[
            (Method::GET, "/api/users", R::List),
            (Method::POST, "/api/users", R::Create),
            (Method::GET, "/api/users/{username}", R::One),
        ]);
        assert_eq!(router.at(&Method::GET, "/api/users/").unwrap().0, R::List);
        assert_eq!(router.at(&Method::POST, "/api/users").unwrap().0, R::Create);
        let (route, params) = router.at(&Method::GET, "/api/users/alice/").unwrap();
        assert_eq!((route, params.get("username").unwrap()), (R::One, "alice"));
        assert!(matches!(router.at(&Method::DELETE, "/api/users"), Err(Error::MethodNotAllowed)));
        assert!(matches!(router.at(&Method::GET, "/api/nope"), Err(Error::NotFound { .. })));
    }
}
