//! Files both ways: the operator attaches an image (watching its progress bar) to a
//! formatted message, the client sees both in the widget and sends a file back.

use el_e2e::{Harness, ENTER, PNG_1X1};
use serde_json::json;

/// A real 1x1 PNG, padded after its end (viewers ignore the rest) so the upload lasts.
fn padded_png() -> Vec<u8> {
    [PNG_1X1, &vec![0u8; 4 * 1024 * 1024]].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_goes_to_the_client_with_progress_and_a_file_comes_back() {
    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("sofa-photo.png");
    std::fs::write(&photo, padded_png()).unwrap();
    let price_list = dir.path().join("price-list.pdf");
    std::fs::write(&price_list, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").unwrap();

    let client = h.browser().await;
    client.write_in_widget("/widget/demo", Some("Olena Files"), "Can you send a photo of the sofa?").await;

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Olena Files").await;
    anna.click(".dialog-row__reply").await;
    anna.find(".composer__input").await;
    anna.js(
        "window.__sawProgress = false;
         new MutationObserver(() => {
           if (document.querySelector('progress.upload__progress')) window.__sawProgress = true;
         }).observe(document.body, {subtree: true, childList: true});",
        vec![],
    )
    .await;
    anna.find(".composer__file-input").await.send_keys(photo.to_str().unwrap()).await.unwrap();
    anna.wait_until("the upload to finish", "return document.querySelector('.upload[data-state=done]')", vec![]).await;
    assert_eq!(anna.js("return window.__sawProgress", vec![]).await, json!(true), "a progress bar was shown");
    assert_eq!(anna.texts(".upload__name").await, ["sofa-photo.png"]);
    anna.type_into(".composer__input", "**Here** it is, in grey.").await;
    anna.type_into(".composer__input", ENTER).await;
    anna.wait_image("the thumbnail in the chat", ".message--mine .attachment--image img").await;
    anna.wait_text(".message--mine strong", "Here").await;
    assert!(anna.js("return !document.querySelector('.upload')", vec![]).await.as_bool().unwrap(), "tray emptied");
    anna.wait_text(".dialog-row__preview", "Here").await;

    // The client sees the formatted text and the image, loaded through their session.
    client.wait_text(".bubble strong", "Here").await;
    client.wait_image("the image in the widget", ".bubble__image").await;

    // The client sends a file back; Anna gets it as a download chip.
    client.find(".widget__file-input").await.send_keys(price_list.to_str().unwrap()).await.unwrap();
    client.wait_text(".bubble--mine .bubble__file", "price-list.pdf").await;
    anna.wait_text(".message--client .attachment--file", "price-list.pdf").await;
    let href = anna
        .js("return document.querySelector('.message--client .attachment--file a').getAttribute('href')", vec![])
        .await;
    assert!(href.as_str().unwrap().starts_with("/api/files/"), "{href}");

    anna.screenshot("/tmp/e2e-attachments-anna.png").await;
    anna.assert_accessible("a chat with an image and a file").await;
    client.assert_accessible("the widget with an image and a file").await;
    client.screenshot("/tmp/e2e-attachments-client.png").await;
    for b in [anna, client] {
        b.close().await;
    }
}
