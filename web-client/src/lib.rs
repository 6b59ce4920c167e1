//! Browser-side access to the External Lines server, shared by the operator SPA and
//! the website widget: JSON over fetch with the server's error messages, and typed
//! socket frames, uploads with progress, and the light or dark theme.

pub mod base;
pub mod http;
pub mod socket;
pub mod theme;
pub mod upload;
pub mod words;
