//! The one door store code uses to reach the database. The same calls (shaped like
//! rusqlite's: `execute`, `query_row`, `prepare_cached(..).query_map`, `params!`) run on
//! SQLite through rusqlite and on PostgreSQL through the `postgres` driver. On SQLite
//! they go straight to rusqlite; on PostgreSQL placeholders (`?1`, `?`, `:name`) are
//! rewritten to `$n`, statements are prepared once per connection, and values convert
//! by the column's and parameter's declared types.

mod pg;
mod translate;
mod value;

pub use pg::{PgConn, CHANNEL};
pub use value::{FromSql, ToSql, Value};

use std::cell::RefCell;

/// A database error from either backend, or a value that did not convert.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Lite(#[from] rusqlite::Error),
    #[error("{}", pg_message(.0))]
    Pg(#[from] postgres::Error),
    #[error("{} in: {sql}", pg_message(.error))]
    PgIn { error: postgres::Error, sql: String },
    #[error("the query returned no rows")]
    NoRows,
    #[error("column {0}: {1}")]
    Conversion(usize, String),
}

/// PostgreSQL's own words for an error (its Display says only "db error").
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {}{}",
            db.code().code(),
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        None => e.to_string(),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A UNIQUE (or primary key) constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Error::Lite(rusqlite::Error::SqliteFailure(f, _)) => {
                f.code == rusqlite::ErrorCode::ConstraintViolation
                    && matches!(
                        f.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    )
            }
            Error::Pg(e) | Error::PgIn { error: e, .. } => {
                e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

/// `.optional()` on a one-row query: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) | Err(Error::Lite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The parameters of one statement.
pub enum Binds<'a> {
    Positional(&'a [&'a dyn ToSql]),
    Named(&'a [(&'a str, &'a dyn ToSql)]),
}

/// What a statement can take as parameters: `params![..]`, `[a, b]`, `[]`, or a slice
/// of `(":name", &value)` pairs.
pub trait Params {
    fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R;
}

impl Params for &[&dyn ToSql] {
    fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R {
        f(Binds::Positional(self))
    }
}

impl Params for [&dyn ToSql; 0] {
    fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R {
        f(Binds::Positional(&[]))
    }
}

impl Params for &[(&str, &dyn ToSql)] {
    fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R {
        f(Binds::Named(self))
    }
}

impl Params for &Vec<(&str, &dyn ToSql)> {
    fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R {
        f(Binds::Named(self))
    }
}

macro_rules! array_params {
    ($($n:literal)+) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R {
                let refs: [&dyn ToSql; $n] = std::array::from_fn(|i| &self[i] as &dyn ToSql);
                f(Binds::Positional(&refs))
            }
        }
        impl Params for &[(&str, &dyn ToSql); $n] {
            fn bind<R>(self, f: impl FnOnce(Binds<'_>) -> R) -> R {
                f(Binds::Named(self))
            }
        }
    )+};
}
array_params!(1 2 3 4 5 6 7 8);

/// Positional parameters of mixed types, as in rusqlite.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::sql::ToSql]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::sql::ToSql),+] as &[&dyn $crate::sql::ToSql]
    };
}
pub use crate::params;

/// Which database a connection talks to, for the few statements that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection inside the transaction the caller opened for it.
pub enum Connection<'c> {
    Lite(&'c rusqlite::Connection),
    Pg(RefCell<&'c mut PgConn>),
}

impl<'c> From<&'c rusqlite::Connection> for Connection<'c> {
    fn from(c: &'c rusqlite::Connection) -> Self {
        Connection::Lite(c)
    }
}

impl<'c> Connection<'c> {
    pub fn dialect(&self) -> Dialect {
        match self {
            Connection::Lite(_) => Dialect::Sqlite,
            Connection::Pg(_) => Dialect::Postgres,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        params.bind(|binds| match self {
            Connection::Lite(c) => Ok(match binds {
                Binds::Positional(p) => c.execute(sql, rusqlite::params_from_iter(p.iter()))?,
                Binds::Named(p) => c.execute(sql, lite_named(p).as_slice())?,
            }),
            Connection::Pg(c) => c.borrow_mut().execute(sql, binds),
        })
    }

    /// Runs statements with no parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Connection::Lite(c) => Ok(c.execute_batch(sql)?),
            Connection::Pg(c) => Ok(c.borrow_mut().client.batch_execute(sql)?),
        }
    }

    /// Commits the transaction the caller opened (on PostgreSQL, waking the other
    /// instances when it appended events: see [`Connection::notify_on_commit`]).
    pub fn commit(&self) -> Result<()> {
        match self {
            Connection::Lite(c) => Ok(c.execute_batch("COMMIT")?),
            Connection::Pg(c) => c.borrow_mut().commit(),
        }
    }

    /// Rolls back the transaction the caller opened (on PostgreSQL, forgetting that it
    /// was to notify).
    pub fn rollback(&self) -> Result<()> {
        match self {
            Connection::Lite(c) => Ok(c.execute_batch("ROLLBACK")?),
            Connection::Pg(c) => c.borrow_mut().rollback(),
        }
    }

    /// Marks that the open transaction appended events: on PostgreSQL its commit
    /// notifies [`CHANNEL`], so every instance's feed looks at once (SQLite: nothing).
    pub fn notify_on_commit(&self) {
        if let Connection::Pg(c) = self {
            c.borrow_mut().notify = true;
        }
    }

    /// The first row of a query, mapped; `Error::NoRows` when there is none.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row) -> Result<T>) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// A statement, prepared once per connection.
    pub fn prepare_cached<'s>(&'s self, sql: &str) -> Result<Statement<'s, 'c>> {
        match self {
            Connection::Lite(c) => Ok(Statement::Lite(c.prepare_cached(sql)?)),
            Connection::Pg(_) => Ok(Statement::Pg { conn: self, sql: sql.to_owned() }),
        }
    }

    /// The id the last insert into a table with a generated key was given.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match self {
            Connection::Lite(c) => Ok(c.last_insert_rowid()),
            Connection::Pg(_) => self.query_row("SELECT lastval()", [], |r| r.get(0)),
        }
    }
}

fn lite_named<'a>(p: &'a [(&'a str, &'a dyn ToSql)]) -> Vec<(&'a str, &'a dyn rusqlite::ToSql)> {
    p.iter().map(|(name, v)| (*name, v as &dyn rusqlite::ToSql)).collect()
}

/// A prepared statement.
pub enum Statement<'s, 'c> {
    Lite(rusqlite::CachedStatement<'s>),
    Pg { conn: &'s Connection<'c>, sql: String },
}

impl Statement<'_, '_> {
    /// Every row of the query, mapped by `f` as they are read.
    pub fn query_map<'q, T, F>(&'q mut self, params: impl Params, f: F) -> Result<MappedRows<'q, F>>
    where
        F: FnMut(&Row) -> Result<T>,
    {
        let rows = params.bind(|binds| -> Result<_> {
            Ok(match self {
                Statement::Lite(s) => {
                    bind_lite(s, binds)?;
                    Rows::Lite(s.raw_query())
                }
                Statement::Pg { conn: Connection::Pg(c), sql } => {
                    Rows::Pg(c.borrow_mut().query(sql, binds)?.into_iter())
                }
                Statement::Pg { .. } => unreachable!("a PostgreSQL statement on a SQLite connection"),
            })
        })?;
        Ok(MappedRows { rows, f })
    }

    /// The first row, mapped; `Error::NoRows` when there is none.
    pub fn query_row<T>(&mut self, params: impl Params, f: impl FnOnce(&Row) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut rows = self.query_map(params, |r| (f.take().expect("called once"))(r))?;
        rows.next().unwrap_or(Err(Error::NoRows))
    }

    /// Runs the statement; the number of rows it changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        params.bind(|binds| match self {
            Statement::Lite(s) => {
                bind_lite(s, binds)?;
                Ok(s.raw_execute()?)
            }
            Statement::Pg { conn: Connection::Pg(c), sql } => c.borrow_mut().execute(sql, binds),
            Statement::Pg { .. } => unreachable!("a PostgreSQL statement on a SQLite connection"),
        })
    }
}

fn bind_lite(s: &mut rusqlite::Statement<'_>, binds: Binds<'_>) -> Result<()> {
    match binds {
        Binds::Positional(p) => {
            let expected = s.parameter_count();
            if p.len() != expected {
                return Err(rusqlite::Error::InvalidParameterCount(p.len(), expected).into());
            }
            for (i, v) in p.iter().enumerate() {
                s.raw_bind_parameter(i + 1, v)?;
            }
        }
        Binds::Named(p) => {
            for (name, v) in p {
                let Some(i) = s.parameter_index(name)? else {
                    return Err(rusqlite::Error::InvalidParameterName(name.to_string()).into());
                };
                s.raw_bind_parameter(i, v)?;
            }
        }
    }
    Ok(())
}

enum Rows<'q> {
    Lite(rusqlite::Rows<'q>),
    Pg(std::vec::IntoIter<postgres::Row>),
}

/// The rows of a query, each mapped as it is read.
pub struct MappedRows<'q, F> {
    rows: Rows<'q>,
    f: F,
}

impl<T, F: FnMut(&Row) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match &mut self.rows {
            Rows::Lite(rows) => match rows.next() {
                Ok(Some(r)) => Some((self.f)(&Row::Lite(r))),
                Ok(None) => None,
                Err(e) => Some(Err(e.into())),
            },
            Rows::Pg(rows) => rows.next().map(|r| (self.f)(&Row::Pg(&r))),
        }
    }
}

/// How a column is named when read: by position, from 0.
pub trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of a result.
pub enum Row<'r, 's> {
    Lite(&'r rusqlite::Row<'s>),
    Pg(&'r postgres::Row),
}

impl Row<'_, '_> {
    /// Column `i` (from 0) as `T`.
    pub fn get<I: RowIndex, T: FromSql>(&self, i: I) -> Result<T> {
        let i = i.index();
        match self {
            Row::Lite(r) => Ok(r.get(i)?),
            Row::Pg(r) => T::from_value(pg::column(r, i)?).map_err(|e| Error::Conversion(i, e)),
        }
    }
}
