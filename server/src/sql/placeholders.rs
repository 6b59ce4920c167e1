//! SQLite's placeholders (`?1`, `?`, `:name`) rewritten as PostgreSQL's `$n`.

/// `sql` with every placeholder outside quotes and comments written `$n`. Named
/// placeholders take the position of their name in `names` (an unknown name is an error).
pub fn to_postgres(sql: &str, names: &[&str]) -> Result<String, String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' => {
                let end = sql[i + 1..].find(c as char).map_or(sql.len(), |e| i + 1 + e + 1);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(sql.len(), |e| i + e);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'?' => {
                let digits = sql[i + 1..].bytes().take_while(u8::is_ascii_digit).count();
                let n = if digits == 0 {
                    next += 1;
                    next
                } else {
                    let n: usize =
                        sql[i + 1..i + 1 + digits].parse().map_err(|_| "a placeholder number".to_string())?;
                    next = next.max(n);
                    n
                };
                out.push('$');
                out.push_str(&n.to_string());
                i += 1 + digits;
            }
            b':' if bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                && (i == 0 || bytes[i - 1] != b':') =>
            {
                let len = 1 + sql[i + 1..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
                let name = &sql[i..i + len];
                let n = names.iter().position(|k| *k == name).ok_or_else(|| format!("no value for {name}"))?;
                out.push('$');
                out.push_str(&(n + 1).to_string());
                i += len;
            }
            _ => {
                let len = sql[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&sql[i..i + len]);
                i += len;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::to_postgres;

    #[test]
    fn numbered_and_bare_placeholders_become_dollars() {
        assert_eq!(
            to_postgres("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR d = ?1", &[]).unwrap(),
            "SELECT a FROM t WHERE b = $1 AND c = $2 OR d = $1"
        );
        assert_eq!(to_postgres("INSERT INTO t VALUES (?, ?, ?)", &[]).unwrap(), "INSERT INTO t VALUES ($1, $2, $3)");
    }

    #[test]
    fn named_placeholders_take_their_position() {
        assert_eq!(
            to_postgres("UPDATE t SET a = :a WHERE id = :id AND b = :a", &[":id", ":a"]).unwrap(),
            "UPDATE t SET a = $2 WHERE id = $1 AND b = $2"
        );
        assert!(to_postgres("SELECT :missing", &[":id"]).unwrap_err().contains(":missing"));
    }

    #[test]
    fn quotes_comments_and_casts_are_left_alone() {
        assert_eq!(
            to_postgres("SELECT '?1 :a', \"x?\" -- why ?2\n, b::text FROM t WHERE c = ?1", &[]).unwrap(),
            "SELECT '?1 :a', \"x?\" -- why ?2\n, b::text FROM t WHERE c = $1"
        );
        assert_eq!(to_postgres("SELECT 'ö' || ?", &[]).unwrap(), "SELECT 'ö' || $1");
    }
}
