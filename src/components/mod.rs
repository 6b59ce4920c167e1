//! One file per component. Components render state from the stores and dispatch
//! actions; they do not call the server themselves.

pub mod app_shell;
pub mod chat_window;
pub mod composer;
pub mod connection_status;
pub mod dialog_list;
pub mod dialog_row;
pub mod inbox_tabs;
pub mod message_item;
pub mod no_access;
