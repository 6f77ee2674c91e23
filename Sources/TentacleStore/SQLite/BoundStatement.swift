package import GRDB
import GRDBSQLite

/// A cached GRDB statement run with values bound straight through SQLite's C API, for the
/// ingest path where GRDB's argument arrays (a boxed value per column per row) cost more than
/// SQLite's own work. Used only inside a transaction GRDB opened, on its connection.
package struct BoundStatement {
    private let handle: OpaquePointer
    private let db: Database

    package init(_ db: Database, sql: String) throws {
        self.db = db
        self.handle = try db.cachedStatement(sql: sql).sqliteStatement
    }

    package func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ value: Double) {
        sqlite3_bind_double(handle, index, value)
    }

    package func bind(_ index: Int32, _ value: String) {
        // SQLITE_TRANSIENT: SQLite copies the text before the call returns.
        sqlite3_bind_text(handle, index, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            // A zero-length blob still needs a non-null pointer, or SQLite binds NULL.
            let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            sqlite3_bind_blob(handle, index, base, Int32(raw.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }

    /// Steps the statement once and hands its first row to `read` (nil when there is none), then
    /// resets it. The row's columns are valid only inside `read`.
    func first<T>(_ read: (Columns) -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return read(Columns(handle: handle))
        case SQLITE_DONE: return nil
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// The current row of a stepped statement.
    struct Columns {
        fileprivate let handle: OpaquePointer

        func int64(_ column: Int32) -> Int64 {
            sqlite3_column_int64(handle, column)
        }

        func blob(_ column: Int32) -> UnsafeRawBufferPointer {
            // The pointer first, then the size, as SQLite's documentation asks.
            let base = sqlite3_column_blob(handle, column)
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return UnsafeRawBufferPointer(start: base, count: count)
        }
    }

    /// Steps the statement once (it must not return rows) and resets it for the next values.
    package func run() throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
