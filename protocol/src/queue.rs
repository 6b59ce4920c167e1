//! The queue: how a channel's new dialogs reach operators. "Everyone at once" shows
//! them in every operator's Unassigned tab; "in turn" offers each to one available
//! operator at a time for the channel's offer time, then to the next. The rules are
//! here, pure; the server keeps the state and applies them.

use crate::api::{ChannelKind, Offer, UserSummary};
use crate::names::read_by_name;
use crate::{ChannelId, DialogId, Millis, UserId};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// How a channel's new dialogs reach operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// Every operator sees them in Unassigned at once.
    #[default]
    Everyone,
    /// Offered to one available operator at a time.
    InTurn,
}

read_by_name!(Routing {
    Everyone = "everyone",
    InTurn = "in_turn",
});

impl Routing {
    pub const ALL: [Routing; 2] = [Routing::Everyone, Routing::InTurn];

    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Everyone => "everyone",
            Routing::InTurn => "in_turn",
        }
    }

    pub fn parse(s: &str) -> Option<Routing> {
        Routing::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether an operator takes new dialogs now (their own choice; being connected is
/// the other half of being available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    #[default]
    Online,
    Away,
}

read_by_name!(Presence {
    Online = "online",
    Away = "away",
});

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
        }
    }

    pub fn parse(s: &str) -> Option<Presence> {
        [Presence::Online, Presence::Away].into_iter().find(|p| p.as_str() == s)
    }
}

/// How long a dialog may be offered to one operator, in seconds.
pub const OFFER_SECONDS: RangeInclusive<u32> = 10..=600;
/// The most active dialogs an operator's maximum may be set to.
pub const MAX_ACTIVE: RangeInclusive<u32> = 1..=100;

/// An operator as the queue weighs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user: UserId,
    pub presence: Presence,
    /// Has the app open (a live socket).
    pub connected: bool,
    /// Active dialogs they are a member of.
    pub active: u32,
    /// Dialogs offered to them now.
    pub offered: u32,
    /// Their maximum of active dialogs (offers included); `None`: no maximum.
    pub max_active: Option<u32>,
    /// When a dialog was last offered to them (0: never).
    pub last_offer_at: Millis,
}

impl Candidate {
    /// Their active dialogs and offers reach their maximum.
    pub fn at_capacity(&self) -> bool {
        self.max_active.is_some_and(|max| self.active + self.offered >= max)
    }

    /// May a dialog be offered to them now?
    pub fn available(&self) -> bool {
        self.presence == Presence::Online && self.connected && !self.at_capacity()
    }
}

/// Whom a waiting dialog is offered to next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub user: UserId,
    /// Every available operator had been offered the dialog: a new round starts (the
    /// caller forgets who was tried).
    pub new_round: bool,
}

/// The available operator whose last offer is the oldest (ties: the lower id), among
/// those not `tried` for this dialog in this round; when all available ones were
/// tried, a new round starts. `None` when nobody is available.
pub fn next_operator(candidates: &[Candidate], tried: &[UserId]) -> Option<Pick> {
    let first = |untried_only: bool| {
        candidates
            .iter()
            .filter(|c| c.available() && !(untried_only && tried.contains(&c.user)))
            .min_by_key(|c| (c.last_offer_at, c.user))
            .map(|c| c.user)
    };
    match first(true) {
        Some(user) => Some(Pick { user, new_round: false }),
        None => first(false).map(|user| Pick { user, new_round: true }),
    }
}

/// `m:ss` left of an offer that ends at `until` (never below zero), as its countdown
/// shows.
pub fn time_left(until: Millis, now: Millis) -> String {
    let seconds = ((until - now).max(0) + 999) / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// A channel's queue settings (`PUT /api/queue/channels/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRouting {
    pub routing: Routing,
    pub offer_seconds: u32,
}

impl SetRouting {
    /// The settings if they are within bounds, else what is wrong.
    pub fn checked(self) -> Result<SetRouting, String> {
        if !OFFER_SECONDS.contains(&self.offer_seconds) {
            return Err(format!(
                "The offer time must be from {} to {} seconds.",
                OFFER_SECONDS.start(),
                OFFER_SECONDS.end()
            ));
        }
        Ok(self)
    }
}

/// An operator's maximum of active dialogs (`PUT /api/queue/operators/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCapacity {
    /// `None`: no maximum.
    pub max_active: Option<u32>,
}

impl SetCapacity {
    /// The maximum if it is within bounds, else what is wrong.
    pub fn checked(self) -> Result<SetCapacity, String> {
        match self.max_active {
            Some(max) if !MAX_ACTIVE.contains(&max) => Err(format!(
                "The maximum of active dialogs must be from {} to {}, or none.",
                MAX_ACTIVE.start(),
                MAX_ACTIVE.end()
            )),
            _ => Ok(self),
        }
    }
}

/// The signed-in operator sets themselves Online or Away (`PUT /api/me/presence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPresence {
    pub presence: Presence,
}

/// A channel and how its dialogs are distributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelQueue {
    pub channel_id: ChannelId,
    pub kind: ChannelKind,
    pub name: String,
    pub routing: Routing,
    pub offer_seconds: u32,
}

/// An operator as the Queue page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueOperator {
    pub user: UserSummary,
    pub presence: Presence,
    /// Has the app open now.
    pub connected: bool,
    pub active: u32,
    pub offered: u32,
    pub max_active: Option<u32>,
}

impl QueueOperator {
    /// Their active dialogs and offers reach their maximum.
    pub fn at_capacity(&self) -> bool {
        self.max_active.is_some_and(|max| self.active + self.offered >= max)
    }
}

/// A dialog waiting in an "in turn" queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingDialog {
    pub dialog_id: DialogId,
    pub name: String,
    pub channel_name: String,
    /// When it came (the dialog's creation).
    pub since: Millis,
    /// Whom it is offered to now; `None` while nobody is available.
    pub offer: Option<Offer>,
}

/// `GET /api/queue`, for administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueOverview {
    /// The server's clock, for the offers' countdowns.
    pub now: Millis,
    pub channels: Vec<ChannelQueue>,
    /// Operators (users who may work in External Lines), by name.
    pub operators: Vec<QueueOperator>,
    /// Oldest first.
    pub waiting: Vec<WaitingDialog>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: i64, last_offer_at: Millis) -> Candidate {
        Candidate {
            user: UserId(id),
            presence: Presence::Online,
            connected: true,
            active: 0,
            offered: 0,
            max_active: None,
            last_offer_at,
        }
    }

    #[test]
    fn the_operator_waiting_longest_since_an_offer_is_next() {
        let ops = [op(1, 50), op(2, 10), op(3, 10)];
        assert_eq!(next_operator(&ops, &[]), Some(Pick { user: UserId(2), new_round: false }));
        assert_eq!(next_operator(&ops, &[UserId(2)]), Some(Pick { user: UserId(3), new_round: false }));
        assert_eq!(next_operator(&ops, &[UserId(2), UserId(3)]), Some(Pick { user: UserId(1), new_round: false }));
        // Everyone let it pass: a new round from the first in turn.
        let all = [UserId(1), UserId(2), UserId(3)];
        assert_eq!(next_operator(&ops, &all), Some(Pick { user: UserId(2), new_round: true }));
    }

    #[test]
    fn away_offline_and_full_operators_are_passed_over() {
        let away = Candidate { presence: Presence::Away, ..op(1, 0) };
        let offline = Candidate { connected: false, ..op(2, 0) };
        let full = Candidate { active: 2, offered: 1, max_active: Some(3), ..op(3, 0) };
        let room = Candidate { active: 2, max_active: Some(3), ..op(4, 99) };
        assert!(full.at_capacity() && !room.at_capacity());
        let ops = [away.clone(), offline.clone(), full.clone(), room];
        assert_eq!(next_operator(&ops, &[]), Some(Pick { user: UserId(4), new_round: false }));
        assert_eq!(next_operator(&[away, offline, full], &[]), None);
        assert_eq!(next_operator(&[], &[]), None);
    }

    #[test]
    fn settings_out_of_bounds_are_refused_with_the_bounds() {
        let set = |offer_seconds| SetRouting { routing: Routing::InTurn, offer_seconds }.checked();
        assert!(set(10).is_ok() && set(600).is_ok());
        assert_eq!(set(9).unwrap_err(), "The offer time must be from 10 to 600 seconds.");
        assert!(set(601).is_err());
        let cap = |max_active| SetCapacity { max_active }.checked();
        assert!(cap(None).is_ok() && cap(Some(1)).is_ok() && cap(Some(100)).is_ok());
        assert!(cap(Some(0)).is_err() && cap(Some(101)).is_err());
    }

    #[test]
    fn the_time_left_rounds_up_to_whole_seconds() {
        assert_eq!(time_left(60_000, 0), "1:00");
        assert_eq!(time_left(42_001, 0), "0:43");
        assert_eq!(time_left(5, 10), "0:00");
    }

    #[test]
    fn names_round_trip() {
        for r in Routing::ALL {
            assert_eq!(Routing::parse(r.as_str()), Some(r));
        }
        assert_eq!(serde_json::to_string(&Routing::InTurn).unwrap(), "\"in_turn\"");
        assert_eq!(Presence::parse("away"), Some(Presence::Away));
        assert_eq!(Presence::parse("busy"), None);
    }
}
