//! A PostgreSQL connection behind the door: statements prepared once, values converted
//! by the types PostgreSQL declares for parameters and columns.

use super::translate::to_postgres;
use super::{Binds, Error, Result, Value};
use postgres::types::{to_sql_checked, IsNull, Type};
use std::collections::HashMap;

/// The channel a commit that appended events notifies (every instance listens).
pub const CHANNEL: &str = "el_events";

/// One PostgreSQL session with its prepared statements.
pub struct PgConn {
    pub client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    /// The open transaction appended events: its commit notifies [`CHANNEL`].
    pub(super) notify: bool,
}

impl PgConn {
    pub fn new(client: postgres::Client) -> PgConn {
        PgConn { client, statements: HashMap::new(), notify: false }
    }

    /// Commits the open transaction, notifying [`CHANNEL`] (in the same round trip)
    /// when it appended events.
    pub fn commit(&mut self) -> Result<()> {
        let commit =
            if std::mem::take(&mut self.notify) { format!("NOTIFY {CHANNEL}; COMMIT") } else { "COMMIT".into() };
        Ok(self.client.batch_execute(&commit)?)
    }

    /// Rolls the open transaction back (nothing to notify).
    pub fn rollback(&mut self) -> Result<()> {
        self.notify = false;
        Ok(self.client.batch_execute("ROLLBACK")?)
    }

    fn statement(&mut self, sql: &str, binds: &Binds<'_>) -> Result<postgres::Statement> {
        let names: Vec<&str> = match binds {
            Binds::Positional(_) => Vec::new(),
            Binds::Named(p) => p.iter().map(|(name, _)| *name).collect(),
        };
        let key = if names.is_empty() { sql.to_owned() } else { format!("{sql}\u{0}{}", names.join(",")) };
        if let Some(s) = self.statements.get(&key) {
            return Ok(s.clone());
        }
        let translated = to_postgres(sql, &names).map_err(|e| Error::Conversion(0, e))?;
        let prepared = self.client.prepare(&translated).map_err(|error| Error::PgIn { error, sql: translated })?;
        self.statements.insert(key, prepared.clone());
        Ok(prepared)
    }

    fn values(binds: &Binds<'_>) -> Vec<Param> {
        match binds {
            Binds::Positional(p) => p.iter().map(|v| Param(v.to_value())).collect(),
            Binds::Named(p) => p.iter().map(|(_, v)| Param(v.to_value())).collect(),
        }
    }

    pub(super) fn execute(&mut self, sql: &str, binds: Binds<'_>) -> Result<usize> {
        let statement = self.statement(sql, &binds)?;
        let values = Self::values(&binds);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let done = self.client.execute(&statement, &refs).map_err(|error| Error::PgIn { error, sql: sql.into() })?;
        Ok(done as usize)
    }

    pub(super) fn query(&mut self, sql: &str, binds: Binds<'_>) -> Result<Vec<postgres::Row>> {
        let statement = self.statement(sql, &binds)?;
        let values = Self::values(&binds);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        self.client.query(&statement, &refs).map_err(|error| Error::PgIn { error, sql: sql.into() })
    }
}

/// A bound value, written as whatever type PostgreSQL expects for its parameter.
#[derive(Debug)]
struct Param(Value);

type Boxed = Box<dyn std::error::Error + Sync + Send>;

impl postgres::types::ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut postgres::types::private::BytesMut) -> Result<IsNull, Boxed> {
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Int(i), &Type::TEXT | &Type::VARCHAR) => i.to_string().to_sql(ty, out),
            (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Real(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out),
            (Value::Text(s), &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME | &Type::UNKNOWN) => {
                s.as_str().to_sql(ty, out)
            }
            (Value::Blob(b), &Type::BYTEA) => b.as_slice().to_sql(ty, out),
            (v, ty) => Err(format!("cannot bind {v:?} as {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Column `i` of a row as a [`Value`].
pub(super) fn column(row: &postgres::Row, i: usize) -> Result<Value> {
    let ty = row.columns().get(i).ok_or_else(|| Error::Conversion(i, "no such column".into()))?.type_().clone();
    let v = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(|v| Value::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(|v| Value::Real(v.into())),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        }
        other => return Err(Error::Conversion(i, format!("a column of type {other} (cast it in the query)"))),
    };
    Ok(v.unwrap_or(Value::Null))
}
