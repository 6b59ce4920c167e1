//! One file per route.

pub mod home;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod settings;
