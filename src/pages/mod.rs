//! One file per route.

pub mod crm_card;
pub mod crm_list;
pub mod home;
pub mod inbox;
pub mod integrations;
pub mod login;
pub mod not_found;
pub mod queue;
pub mod quick_replies;
pub mod roles;
pub mod settings;
