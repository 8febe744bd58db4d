import Foundation
import GRDB
import Testing
@testable import Stack

/// The statements bound through SQLite's C API must behave as GRDB's do: values stored exactly
/// (an empty string is not NULL), failures thrown as `DatabaseError` without poisoning the
/// statement, and their changes inside the transaction they ran in.
@Suite struct DirectStatementTests {
    static let table = """
        CREATE TABLE sample (id INTEGER PRIMARY KEY, label TEXT NOT NULL CHECK (label <> 'refused'),
                             note TEXT, amount INTEGER)
        """

    @Test func bindsTextIntegersAndNullsExactly() async throws {
        let stack = try TemporaryStack()
        let rows = try await stack.store.write { db -> [[String?]] in
            try db.execute(sql: Self.table)
            let insert = try DirectStatement(db, sql: "INSERT INTO sample (label, note, amount) VALUES (?, ?, ?)")
            let first = try insert.execute { $0.bind(""); $0.bind(String?.none); $0.bind(Int64(-7)) }
            let second = try insert.execute { $0.bind("naïve ✓ tail"); $0.bind("n"); $0.bind(Int64?.none) }
            #expect(second == first + 1)
            return try Row.fetchAll(db, sql: """
                SELECT label, note, quote(amount), CAST(length(CAST(label AS BLOB)) AS TEXT) FROM sample ORDER BY id
                """).map { row in (0..<4).map { row[$0] as String? } }
        }
        #expect(rows == [["", nil, "-7", "0"], ["naïve ✓ tail", "n", "NULL", String("naïve ✓ tail".utf8.count)]])
    }

    @Test func aFailedStatementThrowsAndCanRunAgain() async throws {
        let stack = try TemporaryStack()
        let labels = try await stack.store.write { db -> [String] in
            try db.execute(sql: Self.table)
            let insert = try DirectStatement(db, sql: "INSERT INTO sample (label) VALUES (?)")
            #expect {
                try insert.execute { $0.bind("refused") }
            } throws: { error in
                (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
            }
            try insert.execute { $0.bind("accepted") }
            return try String.fetchAll(db, sql: "SELECT label FROM sample")
        }
        #expect(labels == ["accepted"])
    }

    @Test func fetchFirstReadsTheFirstRowOrNothing() async throws {
        let stack = try TemporaryStack()
        let (found, missing) = try await stack.store.write { db -> ((String, Int64?)?, String?) in
            try db.execute(sql: Self.table)
            try db.execute(sql: "INSERT INTO sample (label, amount) VALUES ('a', NULL), ('b', 2)")
            let query = try DirectStatement(db, sql: "SELECT label, amount FROM sample WHERE label >= ? ORDER BY label")
            let found = try query.fetchFirst({ $0.bind("a") }) { ($0.text(0), $0.optionalInt64(1)) }
            let missing = try query.fetchFirst({ $0.bind("z") }) { $0.text(0) }
            return (found, missing)
        }
        #expect(found?.0 == "a" && found?.1 == nil)
        #expect(missing == nil)
    }
}
