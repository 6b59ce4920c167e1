//! Reactive state. The state changes themselves are the pure reducers of
//! `el_protocol` (`Inbox`, `ChatLog`), tested natively; these stores wrap them in
//! signals, put them in context, and keep them in sync with the server.

pub mod batch;
pub mod chat_calls;
pub mod inbox;
pub mod outbox;
pub mod session;
pub mod sync;
pub mod uploads;

pub use inbox::{Connection, InboxActions, InboxStore};
pub use session::{Session, SessionState};
