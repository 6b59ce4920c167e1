//! Reading internally tagged objects field by field.
//!
//! serde's derive reads an internally tagged enum (`{"type": "...", ...}`) and a
//! flattened struct by buffering the whole object first, which builds a second reader
//! of every type inside it: in the app's wasm that doubled the code for summaries and
//! messages, and one notice reader alone was 38 KB. The types that cross the socket read
//! instead a plain struct of every kind's fields (each as it comes, in any order, the tag
//! among them) and then build the kind the tag names (`#[serde(try_from = ...)]`); what
//! they write is unchanged.

/// A field an object of its kind must have.
pub(crate) fn needed<T>(field: Option<T>, name: &str) -> Result<T, String> {
    field.ok_or_else(|| format!("missing field `{name}`"))
}
