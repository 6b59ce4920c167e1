//! The inbox store: the user's dialogs by tab, the open chat, and the socket's state.

use crate::format::lowercase;
use el_protocol::alerts::{alert_for, Alert};
use el_protocol::api::{
    ChatSnapshot, Cursor, DialogPage, DialogSummary, InboxSnapshot, Message, MessagePage, UserSummary,
};
use el_protocol::chat::ChatLog;
use el_protocol::events::{Event, UserEvent, TYPING_SHOWN_MS};
use el_protocol::inbox::{Inbox, Tab};
use el_protocol::outbox::Outbox;
use el_protocol::replies::QuickReply;
use el_protocol::search::SearchResults;
use el_protocol::{DialogId, MessageId, Seq, UserId};
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

/// The live connection as the user should see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Loading the inbox and opening the socket.
    Connecting,
    /// Up to date and streaming.
    Live,
    /// Lost; trying again.
    Reconnecting,
    /// Stopped: the app was updated since this page opened, and this build's live part
    /// is gone from the server; a reload brings the new one.
    Updated,
}

/// Inbox store, provided in context.
#[derive(Clone, Copy)]
pub struct InboxStore {
    /// Changed only through the store's methods, which also tell the rows (below).
    pub inbox: RwSignal<Inbox>,
    /// Each dialog row's own signal: an event touches the row of its dialog, not every
    /// row on screen (rows read the inbox untracked and follow this instead).
    rows: StoredValue<HashMap<DialogId, ArcTrigger>>,
    /// The chat open on screen, if any.
    pub chat: RwSignal<Option<ChatLog>>,
    pub connection: RwSignal<Connection>,
    /// False until the first snapshot arrives: the lists are loading, not empty.
    pub loaded: RwSignal<bool>,
    /// The time now (ms), ticking every half minute, for labels like "waiting 4 min".
    pub clock: RwSignal<i64>,
    /// Sent messages the server has not confirmed yet.
    pub outbox: RwSignal<Outbox>,
    /// Unsent text per dialog, kept while the user switches between chats.
    pub drafts: StoredValue<HashMap<DialogId, String>>,
    /// Tabs whose next page is being fetched.
    paging: StoredValue<HashSet<Tab>>,
    /// The open chat's older page being fetched: the message it ends before.
    pub loading_older: RwSignal<Option<MessageId>>,
    /// The search typed over the list, and what it found last: both stay while the
    /// user opens the results one after another.
    pub search: RwSignal<String>,
    pub found: RwSignal<Option<SearchResults>>,
    /// Who is typing in which dialog, until when (ms since the epoch).
    pub typing: RwSignal<HashMap<DialogId, (String, f64)>>,
    /// The user's quick replies, read once a session (the Quick replies page keeps
    /// them current).
    pub replies: RwSignal<Option<Vec<QuickReply>>>,
    /// Dialogs shown outside the inbox's tabs (a CRM card's dialog block), kept current
    /// from the socket while shown.
    pub watched: RwSignal<HashMap<DialogId, DialogSummary>>,
}

/// Whom a tab's store belongs to before anyone is signed in.
pub const NOBODY: UserId = UserId(0);

impl InboxStore {
    pub fn new(me: UserId) -> Self {
        InboxStore {
            inbox: RwSignal::new(Inbox::new(me)),
            rows: StoredValue::new(HashMap::new()),
            chat: RwSignal::new(None),
            connection: RwSignal::new(Connection::Connecting),
            loaded: RwSignal::new(false),
            clock: RwSignal::new(js_sys::Date::now() as i64),
            outbox: RwSignal::new(Outbox::default()),
            drafts: StoredValue::new(HashMap::new()),
            paging: StoredValue::new(HashSet::new()),
            loading_older: RwSignal::new(None),
            search: RwSignal::new(String::new()),
            found: RwSignal::new(None),
            typing: RwSignal::new(HashMap::new()),
            replies: RwSignal::new(None),
            watched: RwSignal::new(HashMap::new()),
        }
    }

    /// Where the next page of `tab` starts, unless the tab is whole or the page is
    /// already on its way (then `None`, and nothing is to be fetched).
    pub fn begin_page(&self, tab: Tab) -> Option<Cursor> {
        let cursor = self.inbox.with_untracked(|i| i.next_page(tab))?;
        self.paging.try_update_value(|p| p.insert(tab)).unwrap_or(false).then_some(cursor)
    }

    /// Takes in the page fetched from `cursor`, unless the inbox was reloaded meanwhile
    /// (the page would then leave a gap).
    pub fn end_page(&self, tab: Tab, cursor: Cursor, page: Option<DialogPage>) {
        self.paging.update_value(|p| {
            p.remove(&tab);
        });
        if let Some(page) = page {
            if self.inbox.with_untracked(|i| i.next_page(tab)) == Some(cursor) {
                self.inbox.update(|i| i.apply_page(page));
                self.touch_rows(None);
            }
        }
    }

    /// Replaces the inbox with a fresh snapshot.
    /// A session of `me` begins in this tab: everything another user left here (their
    /// chat, drafts, unsent messages, search, quick replies) is forgotten. The same
    /// user signing in again keeps their drafts and unsent messages.
    pub fn begin(&self, me: UserId) {
        let before = self.inbox.with_untracked(|i| i.me());
        if before == me {
            return;
        }
        self.inbox.set(Inbox::new(me));
        self.touch_rows(None);
        self.loaded.set(false);
        if before == NOBODY {
            // A fresh tab: a chat a deep link loaded before the user was known is theirs.
            return;
        }
        self.chat.set(None);
        self.outbox.set(Outbox::default());
        self.drafts.set_value(HashMap::new());
        self.paging.set_value(HashSet::new());
        self.loading_older.set(None);
        self.search.set(String::new());
        self.found.set(None);
        self.typing.set(HashMap::new());
        self.replies.set(None);
    }

    pub fn load(&self, me: UserId, snapshot: InboxSnapshot) {
        self.inbox.set(Inbox::from_snapshot(me, snapshot));
        self.touch_rows(None);
        self.loaded.set(true);
    }

    /// The signal that dialog `id`'s row follows: it fires whenever what the inbox
    /// knows of that dialog (its summary, its unread count) may have changed.
    pub fn row_changed(&self, id: DialogId) -> ArcTrigger {
        self.rows.try_update_value(|rows| rows.entry(id).or_default().clone()).unwrap_or_default()
    }

    /// Tells the row of `id` (or every row, for `None`) that its dialog may have changed.
    fn touch_rows(&self, id: Option<DialogId>) {
        self.rows.with_value(|rows| match id {
            Some(id) => rows.get(&id).into_iter().for_each(ArcTrigger::notify),
            None => rows.values().for_each(ArcTrigger::notify),
        });
    }

    /// The log position the inbox reflects.
    pub fn as_of(&self) -> Seq {
        self.inbox.with_untracked(|i| i.as_of())
    }

    /// What user `me` should be told of the event at `seq`, judged before it is applied
    /// (nothing while the socket replays what was missed).
    pub fn alert(&self, seq: Seq, event: &UserEvent, me: &UserSummary) -> Option<Alert> {
        let live = self.connection.get_untracked() == Connection::Live;
        self.inbox.with_untracked(|i| alert_for(i, me, &event.event, lowercase).filter(|_| live && seq > i.as_of()))
    }

    /// Applies one socket event to the inbox and to the open chat.
    pub fn apply(&self, seq: Seq, event: &UserEvent) {
        if let Event::MessageCreated { dialog, .. } = &event.event {
            // Whoever typed there has most likely just sent it.
            if self.typing.with_untracked(|t| t.contains_key(&dialog.id)) {
                self.typing.update(|t| {
                    t.remove(&dialog.id);
                });
            }
        }
        self.inbox.update(|i| i.apply_user_event(seq, event));
        self.touch_rows(Some(event.event.dialog_id()));
        if let Some(dialog) = event.event.summary() {
            if self.watched.with_untracked(|w| w.contains_key(&dialog.id)) {
                self.watched.update(|w| {
                    w.insert(dialog.id, dialog.clone());
                });
            }
        }
        // Only the open chat's own events touch it (and what shows it).
        if self.shows_chat(event.event.dialog_id()) {
            self.chat.update(|c| {
                if let Some(chat) = c {
                    chat.apply(&event.event);
                }
            });
        }
    }

    /// `name` is typing in `dialog`: shown for a few seconds unless heard again.
    pub fn heard_typing(&self, dialog: DialogId, name: String) {
        let until = js_sys::Date::now() + f64::from(TYPING_SHOWN_MS);
        self.typing.update(|t| {
            t.insert(dialog, (name, until));
        });
        let typing = self.typing;
        set_timeout(
            move || {
                let now = js_sys::Date::now();
                if typing.with_untracked(|t| t.get(&dialog).is_some_and(|(_, until)| *until <= now)) {
                    typing.update(|t| {
                        t.remove(&dialog);
                    });
                }
            },
            std::time::Duration::from_millis(u64::from(TYPING_SHOWN_MS) + 50),
        );
    }

    /// Keeps `dialogs` (as just read) current until [`InboxStore::unwatch`].
    pub fn watch(&self, dialogs: &[DialogSummary]) {
        self.watched.update(|w| w.extend(dialogs.iter().map(|d| (d.id, d.clone()))));
    }

    pub fn unwatch(&self, ids: &[DialogId]) {
        self.watched.update(|w| w.retain(|id, _| !ids.contains(id)));
    }

    /// The open chat is the one of `id`.
    pub fn shows_chat(&self, id: DialogId) -> bool {
        self.chat.with_untracked(|c| c.as_ref().is_some_and(|c| c.dialog.id == id))
    }

    /// Takes in a dialog the server returned for our own action.
    pub fn observe(&self, dialog: DialogSummary) {
        self.inbox.update(|i| i.observe(dialog.clone()));
        self.touch_rows(Some(dialog.id));
        self.chat.update(|c| {
            if let Some(chat) = c.as_mut().filter(|c| c.dialog.id == dialog.id) {
                chat.dialog = dialog;
            }
        });
    }

    /// Shows a chat.
    pub fn open_chat(&self, snapshot: ChatSnapshot) {
        self.chat.set(Some(ChatLog::from_snapshot(snapshot)));
    }

    /// Where the open chat's next older page ends, unless the chat is whole or that
    /// page is already on its way (then `None`, and nothing is to be fetched).
    pub fn begin_older(&self) -> Option<(DialogId, MessageId)> {
        let (id, before) =
            self.chat.with_untracked(|c| c.as_ref().and_then(|c| Some((c.dialog.id, c.older_page()?))))?;
        if self.loading_older.get_untracked() == Some(before) {
            return None;
        }
        self.loading_older.set(Some(before));
        Some((id, before))
    }

    /// Takes in the older page of chat `id` (`None`: it failed), if that chat is still open.
    pub fn end_older(&self, id: DialogId, before: MessageId, page: Option<MessagePage>) {
        if self.loading_older.get_untracked() == Some(before) {
            self.loading_older.set(None);
        }
        if let Some(page) = page {
            self.chat.update(|c| {
                if let Some(chat) = c.as_mut().filter(|c| c.dialog.id == id) {
                    chat.prepend(before, page);
                }
            });
        }
    }

    /// Adds our own sent message to the open chat (the socket's copy is then ignored).
    pub fn add_message(&self, message: Message) {
        self.chat.update(|c| {
            if let Some(chat) = c {
                chat.add(message);
            }
        });
    }
}

/// What components ask for; the page decides how it is done (and tests replace it).
#[derive(Clone, Copy)]
pub struct InboxActions {
    /// Open a dialog in the chat window.
    pub open: Callback<DialogId>,
    /// Take an Unassigned dialog (Reply).
    pub reply: Callback<DialogId>,
    /// Our own action moved this dialog: show the tab it is in now.
    pub follow: Callback<DialogId>,
    /// The list of this tab is scrolled to its end: fetch the next page.
    pub more: Callback<Tab>,
    /// The open chat is scrolled to its top: fetch its older messages.
    pub older: Callback<()>,
    /// The open chat could not be loaded (offline, say): why.
    pub chat_failed: Callback<String>,
    /// Close the chat and show the list (the Back control on a phone).
    pub back: Callback<()>,
}
