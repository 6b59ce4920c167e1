//! Clients: the people who write to the company, each with an account per channel
//! (a website visitor's token, a messenger's user id). They are created and matched
//! only in [`store`], whichever channel they write from.

pub mod store;
