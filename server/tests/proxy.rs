//! Two instances behind nginx running the project's own configuration
//! (`deploy/nginx.conf`, as the README tells to deploy it): sign-in, the operator and
//! widget sockets through the upgrade, a page's requests from the proxy's origin, an
//! upload above nginx's default 1 MB limit, and one instance going away.

mod common;

use common::{dialog_named, TestServer};
use el_protocol::events::Event;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// nginx with `deploy/nginx.conf` in front of two instances, stopped when dropped.
struct Nginx {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `deploy/nginx.conf` with the test's ports in place of 8080, 8081 and 8082.
fn site(port: u16, instances: [&TestServer; 2]) -> String {
    let site = std::fs::read_to_string(repo("deploy/nginx.conf")).expect("deploy/nginx.conf");
    let mut replaced = site.clone();
    for (from, to) in [
        ("listen 8080;", format!("listen 127.0.0.1:{port};")),
        ("server 127.0.0.1:8081 ", format!("server {} ", instances[0].host())),
        ("server 127.0.0.1:8082 ", format!("server {} ", instances[1].host())),
    ] {
        assert_eq!(replaced.matches(from).count(), 1, "deploy/nginx.conf has `{from}` once");
        replaced = replaced.replace(from, &to);
    }
    replaced
}

impl Nginx {
    fn start(instances: [&TestServer; 2]) -> Nginx {
        let installed = Command::new("bash").arg(repo("scripts/nginx.sh")).output().expect("scripts/nginx.sh runs");
        assert!(installed.status.success(), "nginx installs: {}", String::from_utf8_lossy(&installed.stderr));
        let nginx = String::from_utf8(installed.stdout).unwrap().trim().to_string();
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let d = dir.path().display();
        std::fs::write(dir.path().join("site.conf"), site(port, instances)).unwrap();
        // As root, workers would run as `nobody` and could not use the temporary paths.
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"));
        let main = format!(
            "{user}daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log warn;
             events {{ worker_connections 1024; }}
             http {{
                 access_log off;
                 client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
                 uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
                 include {d}/site.conf;
             }}",
            user = if root { "user root; " } else { "" },
        );
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let conf = dir.path().join("nginx.conf");
        let child = Command::new(&nginx)
            .args(["-p", &d.to_string(), "-e", &format!("{d}/error.log"), "-c"])
            .arg(&conf)
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
            assert!(started.elapsed() < Duration::from_secs(10), "nginx did not start: {log}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { child, base: format!("http://127.0.0.1:{port}"), _dir: dir }
    }
}

#[tokio::test]
async fn two_instances_behind_the_documented_nginx_serve_as_one() {
    let a = TestServer::start_with(|c| c.trusted_proxy_header = Some("X-Forwarded-For".into())).await;
    let b = a.beside().await;
    let nginx = Nginx::start([&a, &b]);
    let proxy = a.through(&nginx.base);

    // Signed in and live through the proxy (the socket's origin check sees the proxy's host).
    let anna = proxy.operator("anna").await;
    let mut anna_ws = anna.compact_socket(anna.inbox().await.as_of).await;
    anna_ws.replay().await;
    let visitor = proxy.visitor("Olena").await;
    let mut visitor_ws = visitor.socket().await;
    assert_eq!(visitor.send("Hello through the proxy", "v-1").await.status(), 200);
    match anna_ws.event().await.1.event {
        Event::MessageCreated { message, .. } => assert_eq!(message.text, "Hello through the proxy"),
        other => panic!("unexpected {other:?}"),
    }
    let id = dialog_named(&anna.inbox().await, "Olena").expect("the dialog");

    // A page's own request (it carries the page's origin) is accepted; another site's is not.
    let reply = |origin: &str| {
        anna.http
            .post(proxy.url(&format!("/api/dialogs/{id}/reply")))
            .header("origin", origin)
            .json(&serde_json::json!({}))
    };
    assert_eq!(reply("https://elsewhere.example").send().await.unwrap().status(), 403);
    assert_eq!(reply(&proxy.base).send().await.unwrap().status(), 200);

    // A 5 MB file goes up through the proxy and comes back whole, from either instance.
    let bytes: Vec<u8> = (0..220_000).flat_map(|i| format!("line {i:06} of the report\n").into_bytes()).collect();
    assert!(bytes.len() > 5 * 1024 * 1024);
    let uploaded = anna.upload(id, "report.txt", bytes.clone()).await;
    assert_eq!(uploaded.status(), 200, "{}", uploaded.text().await.unwrap());
    let file: el_protocol::api::Attachment = uploaded.json().await.unwrap();
    assert_eq!(anna.send_files(id, "Here it is", "a-1", &[&file.id]).await.status(), 200);
    for _ in 0..2 {
        let back = anna.get(&format!("/api/files/{}", file.id)).await;
        assert_eq!(back.status(), 200);
        assert!(back.bytes().await.unwrap() == bytes, "the file comes back whole");
    }

    // One instance goes away: the proxy sends everything to the other, the sockets
    // reconnect through it and resume where they were.
    let (mut seq, _) = anna_ws.event().await;
    while let Some(el_protocol::events::Frame::Event { seq: s, .. }) =
        anna_ws.frame_within::<el_protocol::events::UserEvent>(300).await
    {
        seq = s;
    }
    drop(visitor_ws.frame_within::<el_protocol::api::WidgetMessage>(300).await);
    let mut a = a;
    a.server.take().unwrap().shutdown().await.unwrap();
    let mut anna_ws = anna.compact_socket(seq).await;
    anna_ws.replay().await;
    for n in 0..4 {
        assert_eq!(visitor.send(&format!("Still there? {n}"), &format!("v-2-{n}")).await.status(), 200);
        match anna_ws.event().await.1.event {
            Event::MessageCreated { message, .. } => assert_eq!(message.text, format!("Still there? {n}")),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(anna.chat(id).await.messages.last().unwrap().text, "Still there? 3");
}
