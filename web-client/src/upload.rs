//! File uploads with progress and cancel. `fetch` cannot report how much of a body was
//! sent, so this uses `XMLHttpRequest`; answers and errors read like [`crate::http`]'s.

use crate::http::{refusal, Failure};
use crate::words::{say, Problem};
use futures::channel::oneshot;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{ProgressEvent, XmlHttpRequest};

/// An upload under way.
pub struct Upload {
    xhr: XmlHttpRequest,
    done: oneshot::Receiver<Result<(u16, String), Failure>>,
    _handlers: Vec<Closure<dyn FnMut(ProgressEvent)>>,
}

/// Stops an upload (the server keeps nothing of it).
#[derive(Clone)]
pub struct Cancel(XmlHttpRequest);

impl Cancel {
    pub fn cancel(&self) {
        let _ = self.0.abort();
    }
}

/// The message shown for an upload the user stopped.
pub const CANCELLED: &str = "Upload cancelled.";

impl Upload {
    /// Starts `POST url` with `body`; `on_progress` gets the share sent so far (0 to 1).
    pub fn start(
        url: &str,
        bearer: Option<&str>,
        body: &web_sys::Blob,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<Upload, Failure> {
        let unreachable = |_| Failure { status: 0, message: say(Problem::UploadNotStarted) };
        let xhr = XmlHttpRequest::new().map_err(unreachable)?;
        xhr.open("POST", &crate::base::at(url)).map_err(unreachable)?;
        if let Some(token) = bearer.map(str::to_string).or_else(crate::http::session_token) {
            xhr.set_request_header("Authorization", &format!("Bearer {token}")).map_err(unreachable)?;
        }
        let (tx, done) = oneshot::channel();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let finish = move |result: Result<(u16, String), Failure>| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(result);
            }
        };
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                on_progress((e.loaded() / e.total()).min(1.0));
            }
        });
        let answered = {
            let (xhr, finish) = (xhr.clone(), finish.clone());
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
                let status = xhr.status().unwrap_or(0);
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                finish(Ok((status, text)));
            })
        };
        let failed = {
            let finish = finish.clone();
            Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
                finish(Err(Failure { status: 0, message: say(Problem::UploadInterrupted) }))
            })
        };
        let aborted = Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
            finish(Err(Failure { status: 0, message: CANCELLED.into() }))
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        xhr.set_onload(Some(answered.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(aborted.as_ref().unchecked_ref()));
        xhr.send_with_opt_blob(Some(body)).map_err(unreachable)?;
        Ok(Upload { xhr, done, _handlers: vec![progress, answered, failed, aborted] })
    }

    /// A handle that stops this upload.
    pub fn canceller(&self) -> Cancel {
        Cancel(self.xhr.clone())
    }

    /// The server's answer once the upload ends, as its status and body (for a page
    /// that reads JSON its own way); a failure only when there was no answer.
    pub async fn finish_raw(self) -> Result<(u16, String), Failure> {
        self.done.await.map_err(|_| Failure { status: 0, message: CANCELLED.into() })?
    }

    /// The server's answer once the upload ends.
    pub async fn finish<T: DeserializeOwned>(self) -> Result<T, Failure> {
        let (status, text) = self.finish_raw().await?;
        if !(200..300).contains(&status) {
            return Err(refusal(status, text.as_bytes()));
        }
        serde_json::from_str(&text).map_err(|_| Failure { status: 200, message: say(Problem::Unreadable) })
    }
}
