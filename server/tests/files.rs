//! Attachments: uploads under limits and an allow list of sniffed types, files that
//! join exactly one message of their sender, and downloads only for who may see them.

mod common;

use common::TestServer;
use el_protocol::api::{ApiError, Attachment, ChatSnapshot, Message, WidgetMessage};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

fn stored_files(server: &TestServer) -> usize {
    server.stored_files()
}

async fn attachment(r: reqwest::Response) -> Attachment {
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn refusal(r: reqwest::Response) -> (u16, String) {
    (r.status().as_u16(), r.json::<ApiError>().await.unwrap().message)
}

#[tokio::test]
async fn an_operator_sends_files_the_client_and_colleagues_receive_them() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    let photo = attachment(anna.upload(id, "photo.png", PNG.to_vec()).await).await;
    let offer = attachment(anna.upload(id, "Комерційна пропозиція.pdf", PDF.to_vec()).await).await;
    assert_eq!((photo.content_type.as_str(), photo.size), ("image/png", PNG.len() as u64));
    assert!(photo.is_image() && !offer.is_image());

    let r = anna.send_files(id, "Here is our **offer**", "m-files", &[&photo.id, &offer.id]).await;
    assert_eq!(r.status(), 200);
    let sent: Message = r.json().await.unwrap();
    let names: Vec<_> = sent.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["photo.png", "Комерційна пропозиція.pdf"], "in the order attached");
    let chat: ChatSnapshot = anna.chat(id).await;
    assert_eq!(chat.messages.last().unwrap().attachments, sent.attachments, "kept with the message");

    // Images show inline; other files download under their name; never sniffed.
    let png = anna.get(&format!("/api/files/{}", photo.id)).await;
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(png.headers()["content-disposition"], "inline");
    assert_eq!(png.headers()["x-content-type-options"], "nosniff");
    assert_eq!(png.bytes().await.unwrap().as_ref(), PNG);
    let pdf = anna.get(&format!("/api/files/{}", offer.id)).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let disposition = pdf.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%D0%9A"), "{disposition}");

    // Bob's role may open others' dialogs; Erin's may not, and learns nothing.
    assert_eq!(server.operator("bob").await.get(&format!("/api/files/{}", photo.id)).await.status(), 200);
    let erin = server.operator("erin").await;
    assert_eq!(erin.get(&format!("/api/files/{}", photo.id)).await.status(), 404);

    // The client gets the files with the message, and may download them; nobody else.
    let conversation = visitor.conversation().await;
    let received: &WidgetMessage = conversation.messages.last().unwrap();
    assert_eq!(received.attachments.len(), 2);
    let url = |token: &str| server.url(&format!("/api/widget/files/{}?token={token}", offer.id));
    let own = reqwest::get(url(&visitor.session.token)).await.unwrap();
    assert_eq!((own.status().as_u16(), own.bytes().await.unwrap().as_ref()), (200, PDF));
    let stranger = server.visitor("Stranger").await;
    assert_eq!(reqwest::get(url(&stranger.session.token)).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(url("not-a-token")).await.unwrap().status(), 401);
}

/// Uploads a body sent in `chunks`, without a declared length.
async fn upload_stream(
    op: &common::Operator,
    dialog: i64,
    name: &str,
    chunks: Vec<std::io::Result<Vec<u8>>>,
) -> reqwest::Result<reqwest::Response> {
    op.http
        .post(format!("{}/api/dialogs/{dialog}/files", op.base))
        .query(&[("name", name)])
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
}

#[tokio::test]
async fn limits_refuse_with_clear_messages_and_store_nothing() {
    let server = TestServer::start_with(|c| {
        c.max_file_mb = 1;
        c.max_files = 2;
    })
    .await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    assert_eq!((anna.me().await.limits.max_file_bytes, anna.me().await.limits.max_files), (1024 * 1024, 2));

    let big = [PDF, &vec![b' '; 1024 * 1024]].concat();
    assert_eq!(
        refusal(anna.upload(id, "scan.pdf", big.clone()).await).await,
        (413, "“scan.pdf” is too large: files up to 1 MB can be sent.".into())
    );
    // Without a declared length (streamed), the limit holds all the same.
    let chunks = big.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    assert_eq!(upload_stream(&anna, id, "scan.pdf", chunks).await.unwrap().status(), 413);
    let (code, message) = refusal(anna.upload(id, "setup.exe", b"MZ\x90\0\x03\0\0\0".to_vec()).await).await;
    assert_eq!(code, 415);
    assert!(message.starts_with("“setup.exe” cannot be sent"), "{message}");
    assert_eq!(refusal(anna.upload(id, "empty.txt", vec![]).await).await.0, 400);
    // An upload cut off half way (the sender cancelled, the network dropped).
    let cut = vec![Ok(PDF.to_vec()), Err(std::io::Error::other("cancelled"))];
    let _ = upload_stream(&anna, id, "half.pdf", cut).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(stored_files(&server), 0, "nothing refused or cut off is left on disk");

    let mut files = Vec::new();
    for i in 0..3 {
        files.push(attachment(anna.upload(id, &format!("p{i}.png"), PNG.to_vec()).await).await);
    }
    let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        refusal(anna.send_files(id, "three", "m-3", &ids).await).await,
        (413, "A message can carry at most 2 files.".into())
    );
    assert_eq!(anna.chat(id).await.messages.iter().filter(|m| !m.attachments.is_empty()).count(), 0);
}

#[tokio::test]
async fn only_who_may_write_uploads_and_a_file_joins_one_message_of_its_sender() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let (_, other) = server.dialog_from("Taras").await;
    let bob = server.operator("bob").await;
    assert_eq!(refusal(anna.upload(other, "a.png", PNG.to_vec()).await).await.0, 403, "Reply first");
    assert_eq!(refusal(bob.upload(id, "a.png", PNG.to_vec()).await).await.0, 403, "Join first");
    assert_eq!(server.operator("erin").await.upload(id, "a.png", PNG.to_vec()).await.status(), 404);

    let photo = attachment(anna.upload(id, "a.png", PNG.to_vec()).await).await;
    // Bob took another dialog: he cannot send Anna's upload there.
    assert_eq!(bob.reply(other).await.status(), 200);
    let (code, message) = refusal(bob.send_files(other, "hi", "b-1", &[&photo.id]).await).await;
    assert_eq!((code, message.as_str()), (400, "An attached file is no longer available: attach it again."));

    // Sent once; the same send retried stores one message; the file cannot be reused.
    let first: Message = anna.send_files(id, "", "a-1", &[&photo.id]).await.json().await.unwrap();
    let again: Message = anna.send_files(id, "", "a-1", &[&photo.id]).await.json().await.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(refusal(anna.send_files(id, "", "a-2", &[&photo.id]).await).await.0, 400);
    let inbox = anna.inbox().await;
    let preview = &inbox.dialogs().find(|d| d.id.0 == id).unwrap().last_message.as_ref().unwrap().text;
    assert_eq!(preview, "File: a.png", "a message of files only is previewed by their names");
}

#[tokio::test]
async fn a_client_sends_a_file_back() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    let scan = attachment(visitor.upload("passport.pdf", PDF.to_vec()).await).await;
    assert_eq!(visitor.send_files("Here it is", "v-2", &[&scan.id]).await.status(), 200);
    let chat = anna.chat(id).await;
    assert_eq!(chat.messages.last().unwrap().attachments[0].name, "passport.pdf");
    assert_eq!(anna.get(&format!("/api/files/{}", scan.id)).await.status(), 200);
    // Another visitor cannot attach it.
    let other = server.visitor("Other").await;
    assert_eq!(other.send_files("mine?", "o-1", &[&scan.id]).await.status(), 400);
}

#[tokio::test]
async fn a_website_channels_visitors_share_an_hourly_upload_budget() {
    let server = TestServer::start_with(|c| c.widget_upload_mb_per_hour = 1).await;
    let file = [PDF, &vec![b' '; 400 * 1024]].concat();
    let (a, b) = (server.visitor("A").await, server.visitor("B").await);
    attachment(a.upload("one.pdf", file.clone()).await).await;
    attachment(b.upload("two.pdf", file.clone()).await).await;
    // Another visitor of the same channel: the channel's hour is used up.
    let c = server.visitor("C").await;
    let (code, message) = refusal(c.upload("three.pdf", file.clone()).await).await;
    assert_eq!(code, 429);
    assert!(message.starts_with("This chat has received too many files in the last hour."), "{message}");
    // Nothing was kept of the refused file, and text still goes through.
    assert_eq!(c.send("Did you get my file?", "c-1").await.status(), 200);
    // The other website channel has its own budget.
    let shop = server.visitor_on(el_server::demo::DEMO_SHOP_KEY, "D", None).await;
    attachment(shop.upload("four.pdf", file).await).await;
}

#[tokio::test]
async fn abandoned_uploads_are_swept() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let kept = attachment(anna.upload(id, "new.png", PNG.to_vec()).await).await;
    let old = attachment(anna.upload(id, "old.png", PNG.to_vec()).await).await;
    let state = server.server.as_ref().unwrap().state.clone();
    let old_id = old.id.clone();
    state.db.run(move |c| Ok(c.execute("UPDATE uploads SET created_at = 0 WHERE id = ?1", [old_id])?)).await.unwrap();
    assert_eq!(el_server::files::sweep_abandoned(&state).await.unwrap(), 1);
    assert!(!server.has_file(&old.id) && server.has_file(&kept.id));
    assert_eq!(anna.send_files(id, "", "a", &[&old.id]).await.status(), 400);
    assert_eq!(anna.send_files(id, "", "b", &[&kept.id]).await.status(), 200);
}

#[tokio::test]
async fn files_waiting_for_a_message_are_bounded_per_sender() {
    let server = TestServer::start_with(|c| c.max_files = 1).await;
    let visitor = server.visitor("Olena").await;
    for name in ["a.txt", "b.txt", "c.txt", "d.txt"] {
        assert_eq!(visitor.upload(name, b"hello".to_vec()).await.status(), 200);
    }
    let r = visitor.upload("e.txt", b"hello".to_vec()).await;
    assert_eq!(r.status(), 429);
    let body: el_protocol::api::ApiError = r.json().await.unwrap();
    assert_eq!(body.message, "4 files are waiting to be sent: send or remove them before adding more.");
    assert_eq!(server.visitor("Taras").await.upload("d.txt", b"hello".to_vec()).await.status(), 200, "per sender");
}
