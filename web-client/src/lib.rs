//! Browser-side access to the External Lines server, shared by the operator SPA and
//! the website widget: JSON over fetch with the server's error messages, and typed
//! socket frames, and uploads with progress.

pub mod http;
pub mod socket;
pub mod upload;
