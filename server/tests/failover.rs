//! Two server processes on one database; one is killed (`kill -9`) while a client's
//! messages stream in. The client's retries go to the other, and the operator's client
//! reconnects to it and ends with every message exactly once, in order.

mod common;

use common::{dialog_named, Operator, TestServer, Visitor};
use el_protocol::api::SendMessage;
use el_protocol::events::{Event, Frame, UserEvent};
use futures_util::StreamExt;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A server process, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server binary on the database and files of `server`, on a free port.
fn spawn(server: &TestServer) -> Process {
    let config = &server.config;
    let mut child = Command::new(env!("CARGO_BIN_EXE_external-lines-server"))
        .env("DATABASE_URL", &config.database)
        .env("FILES_DIR", &config.files_dir)
        .env("SPA_DIR", &config.spa_dir)
        .env("WIDGET_DIR", &config.widget_dir)
        .env("PORT", "0")
        .env("WIDGET_MESSAGES_PER_MINUTE", "100000")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("the server prints its address").unwrap();
        if let Some(url) = line.trim().strip_prefix("Operator inbox:") {
            break url.trim().trim_end_matches('/').to_string();
        }
    };
    // Keep reading so the process never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Process { child, base }
}

const MESSAGES: usize = 2000;
const KILL_AFTER: usize = 600;

/// Sends every message, retrying one that failed (the instance died under it) on the
/// other instance with the same key, as the widget does behind a proxy.
async fn stream_messages(visitor: Visitor, bases: [String; 2], failovers: Arc<AtomicUsize>) {
    let mut base = 0;
    for i in 0..MESSAGES {
        let body =
            SendMessage { text: format!("msg {i}"), client_msg_id: format!("k-{i}"), attachments: vec![], note: false };
        loop {
            let sent = visitor
                .http
                .post(format!("{}/api/widget/messages", bases[base]))
                .bearer_auth(&visitor.session.token)
                .json(&body)
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            match sent {
                Ok(r) if r.status() == 200 => break,
                Ok(r) if r.status().is_client_error() => panic!("message {i} refused: {}", r.status()),
                _ => {
                    base = 1;
                    failovers.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_under_load_loses_and_repeats_nothing() {
    let setup = TestServer::start().await;
    let a = Arc::new(Mutex::new(Some(spawn(&setup))));
    let b = spawn(&setup);
    let a_base = a.lock().unwrap().as_ref().unwrap().base.clone();

    let on =
        |base: &str, op: &Operator| Operator { http: op.http.clone(), cookie: op.cookie.clone(), base: base.into() };
    let signed_in = setup.operator("anna").await;
    let anna = on(&a_base, &signed_in);
    let visitor = Visitor { base: a_base.clone(), ..setup.visitor("Streamer").await };
    assert_eq!(visitor.send("first", "k-first").await.status(), 200);
    let id = dialog_named(&anna.inbox().await, "Streamer").unwrap();
    assert_eq!(anna.reply(id).await.status(), 200);
    let mut ws = anna.socket(anna.inbox().await.as_of).await;
    ws.replay().await;

    let failovers = Arc::new(AtomicUsize::new(0));
    let sender = tokio::spawn(stream_messages(visitor, [a_base.clone(), b.base.clone()], failovers.clone()));

    // What the operator's client sees: on A until it dies, then on B from where it was.
    let (mut texts, mut last_seq, mut reconnects) = (Vec::<String>::new(), 0, 0);
    let deadline = Instant::now() + Duration::from_secs(120);
    while texts.len() < MESSAGES {
        assert!(Instant::now() < deadline, "only {} of {MESSAGES} messages arrived", texts.len());
        let next = tokio::time::timeout(Duration::from_secs(10), ws.ws.next()).await;
        let text = match next {
            Ok(Some(Ok(WsMessage::Text(t)))) => t,
            Ok(Some(Ok(_))) => continue,
            // The socket died with its instance: reconnect to the other, from `last_seq`.
            _ => {
                reconnects += 1;
                assert!(reconnects <= 3, "reconnected {reconnects} times");
                ws = on(&b.base, &signed_in).socket(last_seq).await;
                continue;
            }
        };
        match serde_json::from_str::<Frame<UserEvent>>(&text).unwrap() {
            Frame::Event { seq, event } => {
                assert!(seq > last_seq, "event {seq} after {last_seq}");
                last_seq = seq;
                if let Event::MessageCreated { message, dialog } = event.event {
                    if dialog.id.0 == id && message.text.starts_with("msg ") {
                        texts.push(message.text);
                    }
                }
            }
            Frame::Resync { reason } => panic!("told to resync: {reason}"),
            Frame::Live { .. } | Frame::Typing { .. } => {}
        }
        if texts.len() == KILL_AFTER {
            if let Some(mut killed) = a.lock().unwrap().take() {
                killed.child.kill().unwrap(); // SIGKILL: no shutdown, no goodbye
                killed.child.wait().unwrap();
            }
        }
    }
    sender.await.unwrap();
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("msg {i}")).collect();
    assert!(texts == expected, "every message once, in order");
    assert_eq!(reconnects, 1, "one reconnect, to the surviving instance");
    assert!(failovers.load(Ordering::Relaxed) >= 1, "the sender met the dead instance");
    // What the database holds says the same.
    assert_eq!(setup.count_sql("SELECT COUNT(*) FROM messages WHERE body LIKE 'msg %'"), MESSAGES as i64);
    assert_eq!(setup.count_sql("SELECT COUNT(DISTINCT body) FROM messages WHERE body LIKE 'msg %'"), MESSAGES as i64);
}
