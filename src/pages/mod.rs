//! One file per route.

pub mod api_keys;
pub mod crm_card;
pub mod crm_list;
pub mod embed;
pub mod home;
pub mod inbox;
pub mod integrations;
pub mod login;
pub mod not_found;
pub mod queue;
pub mod quick_replies;
pub mod roles;
pub mod settings;
