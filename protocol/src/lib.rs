//! The single contract between the External Lines server, the operator SPA and the
//! website widget: ids, REST bodies, socket frames, the permission model and the pure
//! inbox reducer. Everything here is plain data and pure functions, tested natively.

pub mod alerts;
pub mod api;
pub mod chat;
pub mod counts;
pub mod crm;
pub mod embed;
pub mod events;
mod fields;
pub mod ids;
pub mod inbox;
pub mod integrations;
pub mod json;
pub mod markdown;
mod names;
pub mod notices;
pub mod outbox;
pub mod permissions;
pub mod queue;
pub mod replies;
pub mod search;
pub mod templates;

pub use ids::*;
pub use names::Named;
