//! A statement written for SQLite, as PostgreSQL takes it: placeholders (`?1`, `?`,
//! `:name`) become `$n`, and `LIKE` becomes `ILIKE` (SQLite's LIKE ignores case).

/// `sql` with every placeholder outside quotes and comments written `$n`, and every
/// `LIKE` written `ILIKE`. Named placeholders take the position of their name in
/// `names` (an unknown name is an error).
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
            b'L' | b'l'
                if sql[i..].len() >= 4
                    && sql[i..i + 4].eq_ignore_ascii_case("like")
                    && !word_char(bytes.get(i + 4))
                    && (i == 0 || !word_char(bytes.get(i - 1))) =>
            {
                out.push_str("ILIKE");
                i += 4;
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

fn word_char(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
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

    #[test]
    fn like_ignores_case_as_in_sqlite() {
        assert_eq!(
            to_postgres("SELECT unlike FROM t WHERE a LIKE ?1 OR b like 'LIKE' OR c ILIKE ?1", &[]).unwrap(),
            "SELECT unlike FROM t WHERE a ILIKE $1 OR b ILIKE 'LIKE' OR c ILIKE $1"
        );
    }
}
