//! Values crossing the door: what store code binds and reads, for both backends.

/// A value as PostgreSQL statements take and give it (SQLite uses rusqlite's own).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value store code can bind: anything rusqlite binds that also has a [`Value`].
pub trait ToSql: rusqlite::ToSql {
    fn to_value(&self) -> Value;
}

macro_rules! int_to_sql {
    ($($t:ty)+) => {$(
        impl ToSql for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
    )+};
}
int_to_sql!(i64 i32 i16 i8 u32 u16 u8 usize u64);

impl ToSql for bool {
    fn to_value(&self) -> Value {
        Value::Int(*self as i64)
    }
}

impl ToSql for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToSql for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToSql for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToSql for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToSql for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToSql::to_value)
    }
}

/// A value store code can read: anything rusqlite reads that also converts from a
/// [`Value`] (PostgreSQL's booleans arrive as 0 or 1).
pub trait FromSql: rusqlite::types::FromSql + Sized {
    fn from_value(v: Value) -> Result<Self, String>;
}

fn wrong(v: &Value, wanted: &str) -> String {
    format!("{v:?} is not {wanted}")
}

macro_rules! int_from_sql {
    ($($t:ty)+) => {$(
        impl FromSql for $t {
            fn from_value(v: Value) -> Result<Self, String> {
                match v {
                    Value::Int(i) => <$t>::try_from(i).map_err(|e| format!("{i}: {e}")),
                    other => Err(wrong(&other, stringify!($t))),
                }
            }
        }
    )+};
}
int_from_sql!(i64 i32 u32 u16 u8 usize u64);

impl FromSql for bool {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i != 0),
            other => Err(wrong(&other, "a boolean")),
        }
    }
}

impl FromSql for f64 {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(wrong(&other, "a number")),
        }
    }
}

impl FromSql for String {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(wrong(&other, "text")),
        }
    }
}

impl FromSql for Vec<u8> {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(wrong(&other, "bytes")),
        }
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}
