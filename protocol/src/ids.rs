//! Typed identifiers, so a dialog id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A Space employee (operator, manager, administrator).
    UserId,
    /// A role that carries CRM permissions.
    RoleId,
    /// A conversation with one client on one channel.
    DialogId,
    /// One message in a dialog.
    MessageId,
    /// A connected messenger bot or website widget.
    ChannelId,
    /// An end customer, who may write from several channels.
    ClientId,
    /// A CRM record: a lead, contact, company or deal.
    RecordId,
);

/// Position in the global event log. Snapshots are valid "as of" one.
pub type Seq = i64;

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;
