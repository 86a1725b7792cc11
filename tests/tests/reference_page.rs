//! The API reference page (`/api/docs/`) works in a browser: headless Chromium (Debian's,
//! installed by the test bootstrap) loads it, signs in through its form, sends one request
//! with "Try it out" and sees the answer. Chromium is driven over the DevTools protocol, on
//! the WebSocket client the tests already use.

use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use teamsync_tests::{PASSWORD, Stack};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

const WAIT: Duration = Duration::from_secs(20);

/// A headless Chromium and one page of it, driven over the DevTools protocol.
struct Browser {
    _process: Child,
    _profile: Profile,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
}

/// The browser's throwaway profile directory, removed when dropped.
struct Profile(std::path::PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    async fn open(url: &str) -> Browser {
        let profile = Profile(std::env::temp_dir().join(format!("teamsync-chromium-{}", uuid::Uuid::new_v4())));
        // Without the background-networking flags Chromium keeps calling out, and this
        // machine's closed network refuses it.
        let mut process = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", profile.0.display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts (make test's bootstrap installs Debian's)");
        let mut lines = BufReader::new(process.stderr.take().unwrap()).lines();
        let endpoint = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium ended without its DevTools endpoint");
        })
        .await
        .expect("chromium's DevTools endpoint within the wait");
        // Chromium keeps writing to stderr: drain it, so that it never blocks.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (socket, _) = connect_async(endpoint.as_str()).await.expect("the DevTools WebSocket");
        let mut browser = Browser { _process: process, _profile: profile, socket, session: String::new(), next_id: 0 };
        let target = browser.call("Target.createTarget", json!({"url": url}), false).await;
        let attached = browser
            .call("Target.attachToTarget", json!({"targetId": target["targetId"], "flatten": true}), false)
            .await;
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        browser
    }

    /// One DevTools command, to the browser or to the page's session; its result.
    async fn call(&mut self, method: &str, params: Value, on_page: bool) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut command = json!({"id": id, "method": method, "params": params});
        if on_page {
            command["sessionId"] = json!(self.session);
        }
        self.socket.send(Message::text(command.to_string())).await.unwrap();
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next()).await.expect("a DevTools answer");
            let Some(Ok(Message::Text(text))) = frame else { continue };
            let message: Value = serde_json::from_str(&text).unwrap();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression on the page.
    async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
                true,
            )
            .await;
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }

    /// Waits until a JavaScript expression is true on the page.
    async fn until(&mut self, what: &str, expression: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.eval(expression).await != json!(true) {
            if tokio::time::Instant::now() > deadline {
                let page = self.eval("document.body.innerText.slice(0, 2000)").await;
                panic!("timed out waiting until {what}; the page shows:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The operation block of `method path` on the page (Swagger UI marks each with its path).
fn operation(method: &str, path: &str) -> String {
    format!(
        "[...document.querySelectorAll('.opblock')].find(b => \
           b.querySelector('.opblock-summary-method')?.textContent === '{method}' && \
           b.querySelector('.opblock-summary-path')?.getAttribute('data-path') === '{path}')"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_signs_in_on_the_reference_page_and_tries_a_request() {
    let stack = Stack::start().await;
    let user = stack.register("reader", json!({"nickname": "Page Reader"})).await;
    let mut browser = Browser::open(&format!("{}/api/docs/", stack.url)).await;

    let me = operation("GET", "/api/auth/me/");
    browser.until("the reference shows the operations", &format!("!!({me})")).await;

    browser
        .eval(&format!(
            "document.getElementById('username').value = 'reader'; \
             document.getElementById('password').value = '{PASSWORD}'; \
             document.getElementById('sign-in-button').click(); true"
        ))
        .await;
    browser
        .until(
            "the page says who is signed in",
            "document.getElementById('signed-in').textContent === 'Signed in as reader'",
        )
        .await;

    // Open "GET /api/auth/me/" and execute it: the page sends it with the token.
    browser.eval(&format!("({me}).querySelector('button.opblock-summary-control').click(); true")).await;
    browser.until("the operation opens", &format!("!!({me}).querySelector('button.execute')")).await;
    // A click before the page has wired the form up does nothing: click until it answers.
    let answered = format!("!!({me}).querySelector('.live-responses-table tr.response .response-col_status')");
    let mut clicks = 0;
    while browser.eval(&answered).await != json!(true) {
        if clicks == 10 {
            let shown = browser.eval(&format!("({me}).innerText")).await;
            panic!(
                "the page never showed an answer to Execute; the operation shows:\n{}",
                shown.as_str().unwrap_or("")
            );
        }
        browser.eval(&format!("({me}).querySelector('button.execute').click(); true")).await;
        clicks += 1;
        let _ = tokio::time::timeout(Duration::from_secs(3), browser.until("the answer shows", &answered)).await;
    }

    let status = browser
        .eval(&format!(
            "({me}).querySelector('.live-responses-table tr.response .response-col_status').textContent.trim()"
        ))
        .await;
    let body = browser
        .eval(&format!(
            "({me}).querySelector('.live-responses-table tr.response .response-col_description pre').textContent"
        ))
        .await;
    assert_eq!(status, "200", "{body}");
    let answer: Value = serde_json::from_str(body.as_str().unwrap()).expect("the page shows the JSON answer");
    assert_eq!(
        (answer["data"]["id"].clone(), answer["data"]["username"].clone()),
        (user["id"].clone(), json!("reader"))
    );
}
