//! Where the server's pages live: the root, or the base path a host site gave
//! External Lines (`/space/lines`), which the server writes into every page it sends
//! as `<meta name="el-base" content="/space/lines">`. Paths the apps use are written from
//! the root (`/api/me`) and placed under the base here.

thread_local! {
    static BASE: String = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name='el-base']").ok().flatten())
        .and_then(|meta| meta.get_attribute("content"))
        .map(|content| checked(&content))
        .unwrap_or_default();
}

/// `content` when it is a base path (`/name[/name...]`), without a trailing slash; the
/// root (`""`) otherwise.
fn checked(content: &str) -> String {
    let path = content.trim().trim_end_matches('/');
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b));
    if safe {
        path.to_string()
    } else {
        String::new()
    }
}

/// The base path (`""` at the root, else `/space/lines`).
pub fn path() -> String {
    BASE.with(String::clone)
}

/// `path` of ours (`/api/me`) as the browser reaches it (`/space/lines/api/me`); other
/// addresses as they are.
pub fn at(path: &str) -> String {
    if path.starts_with('/') && !path.starts_with("//") {
        BASE.with(|base| format!("{base}{path}"))
    } else {
        path.to_string()
    }
}

/// The app's own path of an address the browser shows (`/space/lines/lines/7` gives
/// `/lines/7`), or `None` when it is not under the base path.
pub fn within(address: &str) -> Option<String> {
    BASE.with(|base| {
        let rest = address.strip_prefix(base.as_str())?;
        (rest.starts_with('/') || rest.is_empty()).then(|| {
            if rest.is_empty() {
                "/".to_string()
            } else {
                rest.to_string()
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn only_a_base_path_is_taken_from_the_page() {
        assert_eq!(checked("/space/lines/"), "/space/lines");
        assert_eq!(checked(""), "");
        for hostile in ["//evil.example", "https://evil.example", "/a\"b", "javascript:alert(1)", "/a b"] {
            assert_eq!(checked(hostile), "", "{hostile}");
        }
    }
}
