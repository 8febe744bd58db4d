import GRDB
import GRDBSQLite

/// A statement bound and stepped through SQLite's C API, for the few statements that run for
/// every message (a PutEvents with 10 events matched by 5 rules writes 50).
///
/// GRDB's `execute(arguments:)` boxes each argument as an existential, checks them, and nests
/// one closure per string to bind it without a copy; on the message INSERT that was a third of
/// the store writer's time. Here values are bound in place, strings copied once by SQLite.
///
/// What this gives up, and why that is safe where it is used: GRDB's per-statement bookkeeping
/// (transaction observers, region tracking, autocommit transitions). Use it only for
/// statements on tables no `TransactionObserver` or `ValueObservation` watches, inside a
/// transaction the caller already opened through the store.
struct DirectStatement {
    private let statement: Statement
    private let connection: OpaquePointer

    /// The statement for `sql`, compiled once per connection (GRDB's statement cache).
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        connection = db.sqliteConnection!
    }

    /// Binds values with `bind`, runs the statement, then resets it for the next use; returns
    /// the connection's last inserted rowid (the new row's, after an INSERT).
    /// A failure throws GRDB's `DatabaseError`, as any other statement would.
    @discardableResult
    func execute(_ bind: (inout Bindings) -> Void) throws -> Int64 {
        try run(bind) { code in
            var code = code
            while code == SQLITE_ROW { code = sqlite3_step(statement.sqliteStatement) }
            try check(code)
            return sqlite3_last_insert_rowid(connection)
        }
    }

    /// Binds values with `bind`, runs the query and hands its first row to `read` (nil when it
    /// has none), then resets the statement.
    func fetchFirst<T>(_ bind: (inout Bindings) -> Void, read: (Columns) throws -> T) throws -> T? {
        try run(bind) { code in
            if code == SQLITE_ROW { return try read(Columns(statement: statement.sqliteStatement)) }
            try check(code)
            return nil
        }
    }

    private func run<T>(_ bind: (inout Bindings) -> Void, _ stepped: (Int32) throws -> T) throws -> T {
        defer {
            sqlite3_reset(statement.sqliteStatement)
            sqlite3_clear_bindings(statement.sqliteStatement)
        }
        var bindings = Bindings(statement: statement.sqliteStatement)
        bind(&bindings)
        precondition(bindings.count == sqlite3_bind_parameter_count(statement.sqliteStatement),
                     "DirectStatement: \(bindings.count) values bound for \(statement.sql)")
        return try stepped(sqlite3_step(statement.sqliteStatement))
    }

    private func check(_ code: Int32) throws {
        guard code != SQLITE_DONE else { return }
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)),
                            sql: statement.sql)
    }

    /// A statement's parameters, bound left to right.
    struct Bindings {
        fileprivate let statement: OpaquePointer
        fileprivate private(set) var count: Int32 = 0

        mutating func bind(_ value: Int64) {
            count += 1
            sqlite3_bind_int64(statement, count, value)
        }

        mutating func bind(_ value: Int64?) {
            guard let value else { return bindNull() }
            bind(value)
        }

        mutating func bind(_ value: String?) {
            guard var value else { return bindNull() }
            count += 1
            let position = count, statement = self.statement
            value.withUTF8 { bytes in
                // An empty buffer may have no address, and SQLite reads a null pointer as NULL, not "".
                let base = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 1)!
                _ = sqlite3_bind_text(statement, position, base.assumingMemoryBound(to: CChar.self),
                                      Int32(bytes.count), DirectStatement.transient)
            }
        }

        mutating func bind(_ bytes: [UInt8]) {
            count += 1
            let position = count, statement = self.statement
            bytes.withUnsafeBytes { buffer in
                // An empty buffer may have no address, and SQLite reads a null pointer as NULL.
                let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                _ = sqlite3_bind_blob(statement, position, base, Int32(buffer.count), DirectStatement.transient)
            }
        }

        mutating func bindNull() {
            count += 1
            sqlite3_bind_null(statement, count)
        }
    }

    /// The current row of a query, read by column index (from 0).
    struct Columns {
        fileprivate let statement: OpaquePointer

        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

        func optionalInt64(_ column: Int32) -> Int64? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : int64(column)
        }

        func text(_ column: Int32) -> String {
            guard let bytes = sqlite3_column_text(statement, column) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))),
                          as: UTF8.self)
        }
    }

    /// SQLite's SQLITE_TRANSIENT: copy the bytes now (the Swift buffer does not outlive the call).
    fileprivate static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
