//! Telling a storage outage from a bug: what a store error says about the
//! disk or the database, so the API can say clearly what is wrong (and
//! that nothing was changed) instead of "internal error".

use std::error::Error as StdError;

/// A failure of the storage underneath, not of the request or the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// The disk or the database is full (ENOSPC, `SQLITE_FULL`, PostgreSQL
    /// `53100 disk_full`, a quota).
    Full,
    /// The database cannot be reached or is shutting down (a broken or
    /// refused connection, the pool timing out, PostgreSQL class 08 or
    /// `57P0x`, SQLite busy past its timeout).
    Unreachable,
}

/// The storage fault anywhere in `e`'s chain of causes, if there is one.
pub fn storage_fault(e: &anyhow::Error) -> Option<StorageFault> {
    e.chain().find_map(fault_of)
}

fn fault_of(e: &(dyn StdError + 'static)) -> Option<StorageFault> {
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        return io_fault(io);
    }
    let sql = e.downcast_ref::<sqlx::Error>()?;
    match sql {
        sqlx::Error::Io(io) => io_fault(io).or(Some(StorageFault::Unreachable)),
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => Some(StorageFault::Unreachable),
        sqlx::Error::Database(db) => database_fault(db.code().as_deref().unwrap_or_default()),
        _ => None,
    }
}

fn io_fault(io: &std::io::Error) -> Option<StorageFault> {
    use std::io::ErrorKind as K;
    match io.kind() {
        K::StorageFull | K::QuotaExceeded | K::FileTooLarge => Some(StorageFault::Full),
        K::ConnectionRefused
        | K::ConnectionReset
        | K::ConnectionAborted
        | K::NotConnected
        | K::BrokenPipe
        | K::UnexpectedEof
        | K::TimedOut => Some(StorageFault::Unreachable),
        _ => None,
    }
}

/// PostgreSQL SQLSTATEs (always five characters, often all digits) and
/// SQLite result codes (a number of at most four digits, primary or
/// extended: the primary is the low byte).
fn database_fault(code: &str) -> Option<StorageFault> {
    if code.len() < 5
        && let Ok(n) = code.parse::<u32>()
    {
        return match n & 0xff {
            13 => Some(StorageFault::Full),                // SQLITE_FULL
            5 | 6 | 10 => Some(StorageFault::Unreachable), // BUSY, LOCKED, IOERR
            _ => None,
        };
    }
    match code {
        "53100" => Some(StorageFault::Full),
        c if c.starts_with("08") || c.starts_with("57P") || c == "53300" => {
            Some(StorageFault::Unreachable)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_both_backends() {
        assert_eq!(database_fault("13"), Some(StorageFault::Full));
        assert_eq!(database_fault("5"), Some(StorageFault::Unreachable));
        assert_eq!(database_fault("2067"), None); // SQLITE_CONSTRAINT_UNIQUE
        assert_eq!(database_fault("53100"), Some(StorageFault::Full));
        assert_eq!(database_fault("57P01"), Some(StorageFault::Unreachable));
        assert_eq!(database_fault("08006"), Some(StorageFault::Unreachable));
        assert_eq!(database_fault("23505"), None); // unique_violation
    }

    #[test]
    fn found_through_context() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let e = anyhow::Error::new(full).context("writing a photo");
        assert_eq!(storage_fault(&e), Some(StorageFault::Full));
        let e = anyhow::Error::new(sqlx::Error::PoolTimedOut).context("a query");
        assert_eq!(storage_fault(&e), Some(StorageFault::Unreachable));
        assert_eq!(storage_fault(&anyhow::anyhow!("a bug")), None);
    }
}
