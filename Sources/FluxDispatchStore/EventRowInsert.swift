import FluxDispatchCore
import GRDB
import GRDBSQLite

/// The `INSERT` of one event row, the one statement every recorded request runs, bound with
/// SQLite's own `sqlite3_bind_*` calls instead of GRDB's `StatementArguments`.
///
/// Why: GRDB builds an array of 23 `DatabaseValue`s for this statement, copies each string into
/// it, then binds and frees them; in the receiver's profile that was about as much CPU as SQLite's
/// own work for the row (a quarter of a duplicate's write). Binding each value straight from the
/// record does the same with no intermediate array.
///
/// The statement is still GRDB's (prepared, cached and finalized by the connection), and runs inside
/// a GRDB transaction. Stepping it directly skips only GRDB's statement hooks: transaction observers
/// (the store registers none), its tracking of transaction-control statements (this is not one),
/// and its refusal to run a statement once SQLite has rolled the transaction back on its own (after
/// a full disk, say), which `insert` checks itself. A failed step leaves the statement reusable:
/// it is reset before each use.
enum EventRowInsert {
    static let sql = """
        INSERT INTO event (received_at, source_address, product, environment, reason, reason_class, severity,
            message, object_kind, object_name, object_namespace, revision, commit_sha, dispatch_repo, event_type,
            dedup_key, outcome, http_status, github_status, duration_ms, detail, body, payload)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the record's row; returns its id.
    static func insert(_ r: EventRecord, in db: Database) throws -> Int64 {
        // Outside a transaction the row would be committed alone, whatever became of the rest of
        // the event's writes.
        guard db.isInsideTransaction else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "the event's transaction was rolled back", sql: sql)
        }
        let statement = try db.cachedStatement(sql: sql)
        let raw = statement.sqliteStatement
        // A cached statement may still hold its last run's state; bindings need a reset one.
        sqlite3_reset(raw)
        defer { sqlite3_reset(raw) }
        let e = r.event
        var row = Binder(raw)
        row.bind(r.receivedAt)
        row.bind(r.sourceAddress)
        row.bind(e.product)
        row.bind(e.environment)
        row.bind(e.reason)
        row.bind(r.reasonClass.rawValue)
        row.bind(e.severity)
        row.bind(e.message)
        row.bind(e.involvedObject.kind)
        row.bind(e.involvedObject.name)
        row.bind(e.involvedObject.namespace)
        row.bind(e.revision)
        row.bind(Revision.commitSHA(ofOriginRevision: e.originRevision))
        row.bind(r.dispatchRepo)
        row.bind(r.eventType)
        row.bind(r.dedupKey)
        row.bind(r.outcome.rawValue)
        row.bind(Int64(r.httpStatus))
        row.bind(r.githubStatus.map(Int64.init))
        row.bind(r.durationMilliseconds)
        row.bind(r.detail)
        row.bind(r.body)
        row.bind(r.payload)
        try row.check(db)
        let code = sqlite3_step(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: sql)
        }
        return db.lastInsertedRowID
    }

    /// Binds values to the statement's parameters in order, keeping the first failure (binding
    /// fails only on a value SQLite cannot take, such as a string over its length limit).
    struct Binder {
        private let statement: OpaquePointer
        private var index: CInt = 1
        private var failure: CInt = SQLITE_OK

        init(_ statement: OpaquePointer) { self.statement = statement }

        mutating func bind(_ value: Int64) {
            record(sqlite3_bind_int64(statement, index, value))
        }

        mutating func bind(_ value: Double) {
            record(sqlite3_bind_double(statement, index, value))
        }

        mutating func bind(_ value: String) {
            var value = value
            // SQLITE_TRANSIENT: SQLite copies the bytes, which live only for this call.
            let code = value.withUTF8 { text -> CInt in
                // An empty string is text, not NULL: it needs a pointer too.
                guard let base = text.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
                return base.withMemoryRebound(to: CChar.self, capacity: text.count) {
                    sqlite3_bind_text(statement, index, $0, CInt(text.count), Self.transient)
                }
            }
            record(code)
        }

        mutating func bind(_ value: Int64?) {
            if let value { bind(value) } else { record(sqlite3_bind_null(statement, index)) }
        }

        mutating func bind(_ value: String?) {
            if let value { bind(value) } else { record(sqlite3_bind_null(statement, index)) }
        }

        /// Throws if a bind failed, or if the values did not match the statement's parameters.
        func check(_ db: Database) throws {
            if failure != SQLITE_OK {
                throw DatabaseError(resultCode: ResultCode(rawValue: failure), message: db.lastErrorMessage, sql: EventRowInsert.sql)
            }
            guard index - 1 == sqlite3_bind_parameter_count(statement) else {
                throw DatabaseError(
                    resultCode: .SQLITE_MISUSE,
                    message: "bound \(index - 1) values to a statement with \(sqlite3_bind_parameter_count(statement)) parameters",
                    sql: EventRowInsert.sql)
            }
        }

        private mutating func record(_ code: CInt) {
            if code != SQLITE_OK && failure == SQLITE_OK { failure = code }
            index += 1
        }

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }
}
