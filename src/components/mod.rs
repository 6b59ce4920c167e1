//! One file per component. Components render state from the stores and dispatch
//! actions; only the CRM blocks (made to be embedded in other cards by an entity
//! reference) load what they show through `api` themselves.

pub mod app_shell;
pub mod attachment_list;
pub mod avatar;
pub mod channel_icon;
pub mod chat_window;
pub mod composer;
pub mod confirm_modal;
pub mod connection_status;
pub mod crm_connections;
pub mod deal_form;
pub mod dialog_block;
pub mod dialog_info;
pub mod dialog_list;
pub mod dialog_menu;
pub mod dialog_row;
pub mod external_lines_field;
pub mod inbox_tabs;
pub mod join_banner;
pub mod link;
pub mod message_item;
pub mod modal;
pub mod no_access;
pub mod notify_banner;
pub mod offer_countdown;
pub mod pending_item;
pub mod presence_toggle;
pub mod record_form;
pub mod search_panel;
pub mod shortcuts_help;
pub mod template_picker;
pub mod upload_tray;
pub mod user_picker;
pub mod when;
