//! Who is signed in, what their role allows, and the Space's users by id.

use el_protocol::api::{Me, UserSummary};
use el_protocol::UserId;
use leptos::prelude::*;
use std::collections::HashMap;

/// The sign-in state.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Asking the server whether a session exists.
    Checking,
    SignedOut,
    SignedIn(Me),
}

/// Session store, provided in context.
#[derive(Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
    pub users: RwSignal<HashMap<UserId, UserSummary>>,
    /// Grows with each sign-in, so work started for an older session can stop.
    pub epoch: RwSignal<u64>,
}

impl Session {
    pub fn new() -> Self {
        Session {
            state: RwSignal::new(SessionState::Checking),
            users: RwSignal::new(HashMap::new()),
            epoch: RwSignal::new(0),
        }
    }

    /// The signed-in user, tracked.
    pub fn me(&self) -> Option<Me> {
        self.state.with(|s| match s {
            SessionState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// The signed-in user's id, untracked.
    /// Reads the signed-in user without copying them or tracking the read.
    pub fn with_me<R>(&self, f: impl FnOnce(&Me) -> R) -> Option<R> {
        self.state.with_untracked(|s| match s {
            SessionState::SignedIn(me) => Some(f(me)),
            _ => None,
        })
    }

    pub fn my_id(&self) -> Option<UserId> {
        self.state.with_untracked(|s| match s {
            SessionState::SignedIn(me) => Some(me.user.id),
            _ => None,
        })
    }

    /// Whether the session of `epoch` (read when it began) is still the current one.
    pub fn still(&self, epoch: u64) -> bool {
        self.epoch.get_untracked() == epoch
    }

    pub fn signed_in(&self, me: Me) {
        self.epoch.update(|e| *e += 1);
        self.state.set(SessionState::SignedIn(me));
    }

    /// Replaces the signed-in user's details (after a settings change) in place.
    pub fn update_me(&self, me: Me) {
        self.state.set(SessionState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        self.epoch.update(|e| *e += 1);
        self.state.set(SessionState::SignedOut);
    }

    /// A user's display name, or a neutral label for unknown ids.
    pub fn user_name(&self, id: UserId) -> String {
        self.users.with(|u| u.get(&id).map(|u| u.name.clone())).unwrap_or_else(|| tr!(another_user).into())
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}
