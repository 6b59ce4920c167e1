//! The files being attached in one composer: each is checked against the server's
//! limits before it is sent, uploads at once with its progress, and can be cancelled.
//! Finished uploads go out with the next message.

use crate::api;
use el_protocol::api::{Attachment, UploadLimits};
use el_protocol::DialogId;
use el_web_client::upload::{Cancel, CANCELLED};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Where one file stands.
#[derive(Clone, PartialEq)]
pub enum UploadState {
    /// On its way; the share sent so far, 0 to 1.
    Uploading(f64),
    /// Stored: it goes with the next message.
    Done(Attachment),
    /// Refused or interrupted, with the reason.
    Failed(String),
}

/// One file of the composer.
#[derive(Clone)]
pub struct FileUpload {
    pub key: u64,
    pub name: String,
    pub size: u64,
    pub state: UploadState,
    cancel: Option<Cancel>,
}

/// The composer's files (browser-only values, so local signals).
#[derive(Clone, Copy)]
pub struct Uploads {
    items: RwSignal<Vec<FileUpload>, LocalStorage>,
    /// Why the last files could not be attached, for the user.
    pub refusal: RwSignal<Option<String>>,
    next_key: StoredValue<u64>,
    dialog: DialogId,
    limits: UploadLimits,
}

impl Uploads {
    pub fn new(dialog: DialogId, limits: UploadLimits) -> Self {
        Uploads {
            items: RwSignal::new_local(Vec::new()),
            refusal: RwSignal::new(None),
            next_key: StoredValue::new(0),
            dialog,
            limits,
        }
    }

    /// The files, as the tray shows them.
    pub fn items(&self) -> Vec<FileUpload> {
        self.items.get()
    }

    /// Some file is still uploading.
    pub fn busy(&self) -> bool {
        self.items.with(|v| v.iter().any(|f| matches!(f.state, UploadState::Uploading(_))))
    }

    /// Some file is ready to go.
    pub fn ready(&self) -> bool {
        self.items.with(|v| v.iter().any(|f| matches!(f.state, UploadState::Done(_))))
    }

    /// Starts uploading `files`; those over the limits are refused with the reason.
    pub fn add(&self, files: Vec<web_sys::File>) {
        let mut refusals = Vec::new();
        for file in files {
            let (name, size) = (file.name(), file.size() as u64);
            let attached =
                self.items.with_untracked(|v| v.iter().filter(|f| !matches!(f.state, UploadState::Failed(_))).count());
            if let Some(reason) = self.limits.refusal(&name, size, attached) {
                refusals.push(reason);
                continue;
            }
            self.start(file, name, size);
        }
        self.refusal.set((!refusals.is_empty()).then(|| refusals.join(" ")));
    }

    fn start(&self, file: web_sys::File, name: String, size: u64) {
        let key = self.next_key.try_update_value(|k| {
            *k += 1;
            *k
        });
        let Some(key) = key else { return };
        let items = self.items;
        let set = move |state: UploadState| {
            items.update(|v| {
                if let Some(f) = v.iter_mut().find(|f| f.key == key) {
                    f.state = state;
                }
            })
        };
        match api::upload(self.dialog, &file, move |share| set(UploadState::Uploading(share))) {
            Ok(upload) => {
                let cancel = Some(upload.canceller());
                items.update(|v| v.push(FileUpload { key, name, size, state: UploadState::Uploading(0.0), cancel }));
                spawn_local(async move {
                    match upload.finish::<Attachment>().await {
                        Ok(attachment) => set(UploadState::Done(attachment)),
                        Err(f) if f.message == CANCELLED => items.update(|v| v.retain(|f| f.key != key)),
                        Err(f) => set(UploadState::Failed(f.message)),
                    }
                });
            }
            Err(f) => items.update(|v| {
                v.push(FileUpload { key, name, size, state: UploadState::Failed(f.message), cancel: None })
            }),
        }
    }

    /// Stops an upload, or takes a finished or failed file off the message.
    pub fn remove(&self, key: u64) {
        let cancel = self.items.with_untracked(|v| v.iter().find(|f| f.key == key).and_then(|f| f.cancel.clone()));
        let uploading = self
            .items
            .with_untracked(|v| v.iter().any(|f| f.key == key && matches!(f.state, UploadState::Uploading(_))));
        match cancel {
            Some(cancel) if uploading => cancel.cancel(),
            _ => self.items.update(|v| v.retain(|f| f.key != key)),
        }
    }

    /// The finished files, taken off the composer to go with a message.
    pub fn take_done(&self) -> Vec<Attachment> {
        let mut done = Vec::new();
        self.items.update(|v| {
            v.retain(|f| match &f.state {
                UploadState::Done(a) => {
                    done.push(a.clone());
                    false
                }
                _ => true,
            })
        });
        done
    }

    /// Stops every upload still under way (the chat is closing).
    pub fn cancel_all(&self) {
        let cancels: Vec<Cancel> = self.items.with_untracked(|v| {
            v.iter().filter(|f| matches!(f.state, UploadState::Uploading(_))).filter_map(|f| f.cancel.clone()).collect()
        });
        for c in cancels {
            c.cancel();
        }
    }
}
