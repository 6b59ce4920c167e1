//! A small JSON reader for what the app reads on its first screen and in its live part
//! (the user, the inbox's pages, the employees, an error, the socket's frames:
//! [`bodies`]), without serde.
//!
//! serde's derive makes a reader of several kilobytes of code for every type, generic
//! over serde_json's parser; the first screen's dozen types were a tenth of the app's
//! first download, and serde_json came with them. Here a type's reader is one loop over
//! its object's keys ([`read_struct!`]) over one non-generic reader of JSON's tokens,
//! faster than serde_json on these bodies. What it reads is what the server's serde
//! writes, with serde's defaults for fields left out: the tests read back what serde
//! writes, and refuse what serde refuses. The server, the other pages' calls and the
//! tests keep serde.

mod bodies;

use crate::names::Named;
use std::borrow::Cow;

/// Deepest nesting of arrays and objects a skipped value may have.
const MAX_DEPTH: usize = 64;

/// `T` read from the JSON `text`; `None` when it is not JSON or not a `T`.
pub fn from_slice<T: Read>(text: &[u8]) -> Option<T> {
    let mut r = Reader { text: std::str::from_utf8(text).ok()?, at: 0 };
    let value = T::read(&mut r)?;
    r.end().then_some(value)
}

/// A position in a JSON text (checked as UTF-8 once, as a whole: the reader cuts it
/// only next to the ASCII bytes of JSON's syntax).
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not white space (not taken).
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes().get(self.at) {
            self.at += 1;
        }
        self.bytes().get(self.at).copied()
    }

    /// Takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// Takes `word` (`true`, `null`...) if it comes next.
    fn word(&mut self, word: &[u8]) -> bool {
        self.peek();
        let next = self.bytes()[self.at..].starts_with(word);
        self.at += if next { word.len() } else { 0 };
        next
    }

    fn end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Takes `null` if it comes next.
    pub fn null(&mut self) -> bool {
        self.word(b"null")
    }

    pub fn bool(&mut self) -> Option<bool> {
        if self.word(b"true") {
            Some(true)
        } else if self.word(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// A whole number (as serde reads an integer: no fraction, no exponent).
    pub fn int(&mut self) -> Option<i64> {
        self.peek();
        let bytes = self.bytes();
        let negative = bytes.get(self.at) == Some(&b'-');
        self.at += usize::from(negative);
        let digits = bytes[self.at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let number = &bytes[self.at..self.at + digits];
        self.at += digits;
        let leading_zero = digits > 1 && number[0] == b'0';
        if digits == 0 || leading_zero || matches!(bytes.get(self.at), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        // Counted towards the negative side, which holds one number more.
        let magnitude = number.iter().try_fold(0i64, |n, d| n.checked_mul(10)?.checked_sub(i64::from(d - b'0')))?;
        if negative {
            Some(magnitude)
        } else {
            magnitude.checked_neg()
        }
    }

    /// A string, its escapes read.
    pub fn string(&mut self) -> Option<String> {
        self.quoted().map(Cow::into_owned)
    }

    /// A string as it is in the text when it has no escapes.
    fn quoted(&mut self) -> Option<Cow<'a, str>> {
        if !self.eat(b'"') {
            return None;
        }
        let head = self.plain();
        match self.bytes().get(self.at)? {
            b'"' => {
                self.at += 1;
                Some(Cow::Borrowed(head))
            }
            b'\\' => self.escaped(head.to_string()).map(Cow::Owned),
            _ => None, // a control character, which JSON writes escaped
        }
    }

    /// The string's characters up to its end, an escape or a control character.
    fn plain(&mut self) -> &'a str {
        let start = self.at;
        self.at += self.bytes()[start..].iter().take_while(|&&b| b != b'"' && b != b'\\' && b >= 0x20).count();
        &self.text[start..self.at]
    }

    /// The rest of a string from its first escape, after `read`.
    fn escaped(&mut self, mut read: String) -> Option<String> {
        loop {
            read.push_str(self.plain());
            let byte = *self.bytes().get(self.at)?;
            self.at += 1;
            match byte {
                b'"' => return Some(read),
                b'\\' => {
                    let escape = *self.bytes().get(self.at)?;
                    self.at += 1;
                    read.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.code_point()?,
                        _ => return None,
                    });
                }
                _ => return None,
            }
        }
    }

    /// A `\u` escape's character (two escapes for one beyond the first plane).
    fn code_point(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first);
        }
        if !self.bytes()[self.at..].starts_with(b"\\u") {
            return None;
        }
        self.at += 2;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// An object: `field` is called with each key, and reads its value (or skips it).
    pub fn object(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.quoted()?;
            if !self.eat(b':') {
                return None;
            }
            field(self, &key)?;
            if !self.eat(b',') {
                return self.eat(b'}').then_some(());
            }
        }
    }

    /// An array: `item` reads each of its values.
    pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(());
        }
        loop {
            item(self)?;
            if !self.eat(b',') {
                return self.eat(b']').then_some(());
            }
        }
    }

    /// Passes over a value of any kind (a field the reader does not know).
    pub fn skip(&mut self) -> Option<()> {
        self.skip_within(MAX_DEPTH)
    }

    fn skip_within(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.quoted().map(drop),
            b'{' if depth > 0 => self.object(|r, _| r.skip_within(depth - 1)),
            b'[' if depth > 0 => self.array(|r| r.skip_within(depth - 1)),
            b't' | b'f' => self.bool().map(drop),
            b'n' => self.null().then_some(()),
            b'-' | b'0'..=b'9' => {
                let number = self.bytes()[self.at..]
                    .iter()
                    .take_while(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'));
                self.at += number.count();
                Some(())
            }
            _ => None,
        }
    }
}

/// A type read from JSON as serde reads what the server writes; `None` when the value
/// is not one.
pub trait Read: Sized {
    fn read(r: &mut Reader) -> Option<Self>;

    /// The value of a field left out of its object: none (the object is refused), but
    /// `None` for an `Option`, as serde reads it.
    fn missing() -> Option<Self> {
        None
    }
}

impl Read for String {
    fn read(r: &mut Reader) -> Option<Self> {
        r.string()
    }
}

impl Read for bool {
    fn read(r: &mut Reader) -> Option<Self> {
        r.bool()
    }
}

impl Read for i64 {
    fn read(r: &mut Reader) -> Option<Self> {
        r.int()
    }
}

/// Unsigned numbers, refused when negative or too large.
macro_rules! read_unsigned {
    ($($ty:ty),+) => {$(
        impl Read for $ty {
            fn read(r: &mut Reader) -> Option<Self> {
                r.int()?.try_into().ok()
            }
        }
    )+};
}

read_unsigned!(u32, u64, usize);

impl<T: Read> Read for Option<T> {
    fn read(r: &mut Reader) -> Option<Self> {
        if r.null() {
            Some(None)
        } else {
            T::read(r).map(Some)
        }
    }

    fn missing() -> Option<Self> {
        Some(None)
    }
}

impl<T: Read> Read for Vec<T> {
    fn read(r: &mut Reader) -> Option<Self> {
        let mut items = Vec::new();
        r.array(|r| {
            items.push(T::read(r)?);
            Some(())
        })?;
        Some(items)
    }
}

impl<A: Read, B: Read> Read for (A, B) {
    fn read(r: &mut Reader) -> Option<Self> {
        let mut items = (None, None);
        let mut count = 0;
        r.array(|r| {
            count += 1;
            match count {
                1 => items.0 = Some(A::read(r)?),
                2 => items.1 = Some(B::read(r)?),
                _ => return None,
            }
            Some(())
        })?;
        Some((items.0?, items.1?))
    }
}

/// A unit enum by its name ([`Named`]).
pub fn named<T: Named>(r: &mut Reader) -> Option<T> {
    T::from_name(&r.quoted()?)
}

/// [`Read`] for the struct `$ty` from an object with a key for each of its `$field`s
/// (the field's name, or `as "key"`; in any order, unknown keys skipped; a key twice:
/// the last one), each read as its type; a field left out is refused unless it is an
/// `Option` (`None`) or has a `= $default` (a function giving the value, as serde's
/// `#[serde(default = ...)]`). A struct generic over `$g` is read for every `$g: Read`.
macro_rules! read_struct {
    ($ty:ident $(<$g:ident>)? { $($field:ident $(as $key:literal)? $(= $default:expr)?),+ $(,)? }) => {
        impl $(<$g: $crate::json::Read>)? $crate::json::Read for $ty $(<$g>)? {
            fn read(r: &mut $crate::json::Reader) -> Option<Self> {
                $(let mut $field = None;)+
                r.object(|r, key| {
                    match key {
                        $(read_struct!(@key $field $(, $key)?) => $field = Some($crate::json::Read::read(r)?),)+
                        _ => r.skip()?,
                    }
                    Some(())
                })?;
                Some($ty { $($field: read_struct!(@or $field $(, $default)?),)+ })
            }
        }
    };
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident, $key:literal) => { $key };
    (@or $field:ident) => { $field.or_else($crate::json::Read::missing)? };
    (@or $field:ident, $default:expr) => { $field.unwrap_or_else($default) };
}

/// [`Read`] for each `$ty` through the plain struct of its fields `$fields`
/// (`TryFrom<$fields>`: a tagged enum, built from the kind its tag names).
macro_rules! read_through {
    ($($ty:ident $(<$g:ident>)? <- $fields:ident),+ $(,)?) => {$(
        impl $(<$g: $crate::json::Read>)? $crate::json::Read for $ty $(<$g>)? {
            fn read(r: &mut $crate::json::Reader) -> Option<Self> {
                <$fields $(<$g>)? as $crate::json::Read>::read(r)?.try_into().ok()
            }
        }
    )+};
}
pub(crate) use read_struct;
pub(crate) use read_through;

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: Read>(text: &str) -> Option<T> {
        from_slice(text.as_bytes())
    }

    #[test]
    fn strings_read_their_escapes_as_serde_does() {
        for s in ["", "plain", "Олена 🙂", "a\"b\\c/d", "\u{8}\u{c}\n\r\t\u{1}", "<b>&amp;</b>", "\u{ffff}\u{10ffff}"]
        {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(read::<String>(&json).as_deref(), Some(s), "{json}");
        }
        assert_eq!(read::<String>(r#""\u0416\ud83d\ude42\/""#).as_deref(), Some("Ж🙂/"));
        assert_eq!(from_slice::<String>(b"\"\xff\""), None, "not UTF-8");
        for bad in [
            r#""open"#,
            "\"a\u{1}b\"",
            r#""\x""#,
            r#""\ud83d""#,
            r#""\ud83dx""#,
            r#""\ud83d\u0041""#,
            r#""\u12""#,
            r#""\u+123""#,
            "'a'",
            "\"\\",
        ] {
            assert_eq!(read::<String>(bad), None, "{bad}");
            assert!(serde_json::from_str::<String>(bad).is_err(), "serde reads {bad}");
        }
    }

    #[test]
    fn numbers_are_whole_as_serde_reads_integers() {
        assert_eq!(read::<i64>(" -42 "), Some(-42));
        assert_eq!(read::<i64>("9223372036854775807"), Some(i64::MAX));
        assert_eq!(read::<i64>("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(read::<i64>("-0"), Some(0));
        assert_eq!(read::<u64>("0"), Some(0));
        for bad in ["1.5", "1e3", "-", "", "9223372036854775808", "\"1\"", "1 2", "+1", "01"] {
            assert_eq!(read::<i64>(bad), None, "{bad}");
        }
        assert_eq!(read::<u32>("-1"), None);
        assert_eq!(read::<u32>("4294967296"), None);
    }

    #[test]
    fn lists_options_pairs_and_unknown_values() {
        assert_eq!(read::<Vec<Option<bool>>>("[true, null ,false]"), Some(vec![Some(true), None, Some(false)]));
        assert_eq!(read::<Vec<i64>>("[]"), Some(vec![]));
        assert_eq!(read::<Vec<(i64, u32)>>("[[5,2],[7,1]]"), Some(vec![(5, 2), (7, 1)]));
        for bad in ["[1,]", "[1 2]", "[[5]]", "[[5,2,1]]", "{}", "[1"] {
            assert_eq!(read::<Vec<(i64, u32)>>(bad), None, "{bad}");
        }
        let mut r = Reader { text: r#"{"a": [1.5e-3, {"b": "\"}"}, true, null], "c": -0.1} 7"#, at: 0 };
        assert_eq!(r.skip(), Some(()));
        assert_eq!(r.int(), Some(7));
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(Reader { text: &deep, at: 0 }.skip(), None);
    }
}
