//! Where the bytes of files live: files in a directory beside the SQLite database (the
//! embedded default), or the `file_bytes` table when the database is PostgreSQL, so
//! that every instance on it reaches every file.

use super::store;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::sql::Dialect;
use crate::AppState;
use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// The bytes of files, by id.
pub enum ByteStore {
    Disk(PathBuf),
    Database(Db),
}

/// Leading bytes kept from a stream to recognise its type.
pub const SNIFF_BYTES: usize = 512;

/// What a bounded stream held: its first bytes and its size.
pub struct Streamed {
    pub head: Vec<u8>,
    pub size: u64,
}

/// Why a stream was not kept.
pub enum Refused {
    /// Over the limit (nothing kept).
    TooLarge,
    Failed(AppError),
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> AppError {
    move |e| AppError::Internal(format!("{what} file: {e}"))
}

impl ByteStore {
    /// The store this server uses.
    pub fn of(state: &AppState) -> ByteStore {
        match state.db.dialect() {
            Dialect::Sqlite => ByteStore::Disk(state.config.files_dir.clone()),
            Dialect::Postgres => ByteStore::Database(state.db.clone()),
        }
    }

    async fn dir(dir: &PathBuf) -> AppResult<()> {
        tokio::fs::create_dir_all(dir).await.map_err(|e| AppError::Internal(format!("files dir: {e}")))
    }

    /// Keeps `bytes` as file `id`.
    pub async fn put(&self, id: &str, bytes: Vec<u8>) -> AppResult<()> {
        match self {
            ByteStore::Disk(dir) => {
                Self::dir(dir).await?;
                tokio::fs::write(dir.join(id), bytes).await.map_err(io("writing"))
            }
            ByteStore::Database(db) => {
                let id = id.to_string();
                db.write_unordered(move |tx| store::put_bytes(tx, &id, &bytes)).await
            }
        }
    }

    /// Keeps a request body as file `id`, refusing it (keeping nothing) past `limit`
    /// bytes.
    pub async fn put_stream(&self, id: &str, body: Body, limit: u64) -> Result<Streamed, Refused> {
        let mut stream = body.into_data_stream();
        let mut got = Streamed { head: Vec::with_capacity(SNIFF_BYTES), size: 0 };
        let mut file = match self {
            ByteStore::Disk(dir) => {
                Self::dir(dir).await.map_err(Refused::Failed)?;
                Some(tokio::fs::File::create(dir.join(id)).await.map_err(|e| Refused::Failed(io("writing")(e)))?)
            }
            ByteStore::Database(_) => None,
        };
        let mut held = Vec::new();
        let outcome = async {
            while let Some(chunk) = stream.next().await {
                let chunk: Bytes =
                    chunk.map_err(|_| Refused::Failed(AppError::BadRequest("The upload was interrupted.".into())))?;
                got.size += chunk.len() as u64;
                if got.size > limit {
                    return Err(Refused::TooLarge);
                }
                let room = SNIFF_BYTES.saturating_sub(got.head.len());
                got.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
                match file.as_mut() {
                    Some(file) => file.write_all(&chunk).await.map_err(|e| Refused::Failed(io("writing")(e)))?,
                    None => held.extend_from_slice(&chunk),
                }
            }
            if let Some(file) = file.as_mut() {
                file.flush().await.map_err(|e| Refused::Failed(io("writing")(e)))?;
            }
            Ok(())
        }
        .await;
        if let Err(refused) = outcome {
            self.remove(id).await;
            return Err(refused);
        }
        if let ByteStore::Database(_) = self {
            self.put(id, held).await.map_err(Refused::Failed)?;
        }
        Ok(got)
    }

    /// The bytes of file `id` (`None`: there is no such file).
    pub async fn get(&self, id: &str) -> AppResult<Option<Vec<u8>>> {
        match self {
            ByteStore::Disk(dir) => match tokio::fs::read(dir.join(id)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io("reading")(e)),
            },
            ByteStore::Database(db) => {
                let id = id.to_string();
                db.read(move |conn| store::bytes(conn, &id)).await
            }
        }
    }

    /// Removes file `id`, if it is there (a failure is only logged: at worst bytes stay
    /// that nothing refers to).
    pub async fn remove(&self, id: &str) {
        let removed = match self {
            ByteStore::Disk(dir) => match tokio::fs::remove_file(dir.join(id)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("removing")(e)),
                _ => Ok(()),
            },
            ByteStore::Database(db) => {
                let id = id.to_string();
                db.write_unordered(move |tx| store::remove_bytes(tx, &id)).await
            }
        };
        if let Err(e) = removed {
            tracing::warn!(error = %e, "removing a file's bytes failed");
        }
    }
}
