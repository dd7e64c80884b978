//! Reading an agent's SQLite store: opened read-only (the agent may be writing it), one query.

use std::path::Path;

use crate::event::{FileData, IssueKind};

/// The rows `sql` selects from the database at `path`, each mapped by `f`; `None` (reported in
/// `fd` as unreadable, so it is read again next time) when the database cannot be read.
pub(crate) fn rows<T>(
    fd: &mut FileData,
    path: &Path,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Option<Vec<T>> {
    let read = || -> rusqlite::Result<Vec<T>> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = rusqlite::Connection::open_with_flags(path, flags)?;
        let mut st = db.prepare(sql)?;
        let rows = st.query_map([], f)?;
        rows.collect()
    };
    match read() {
        Ok(r) => Some(r),
        Err(_) => {
            fd.issues.push((0, IssueKind::Unreadable));
            None
        }
    }
}
