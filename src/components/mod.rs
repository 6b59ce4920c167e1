//! One file per component. Components render state from the stores and dispatch
//! actions; they do not call the server themselves.

pub mod app_shell;
pub mod attachment_list;
pub mod avatar;
pub mod chat_window;
pub mod composer;
pub mod confirm_modal;
pub mod connection_status;
pub mod dialog_info;
pub mod dialog_list;
pub mod dialog_menu;
pub mod dialog_row;
pub mod inbox_tabs;
pub mod join_banner;
pub mod message_item;
pub mod modal;
pub mod no_access;
pub mod pending_item;
pub mod upload_tray;
pub mod user_picker;
