import FluxDispatchCore
@testable import FluxDispatchStore
import Foundation
import GRDB
import XCTest

/// `EventRowInsert` steps its statement outside GRDB's statement hooks, so it keeps the one of them
/// that matters to a write: it never runs outside a transaction.
final class EventRowInsertTests: XCTestCase {
    func testRefusesToInsertOutsideATransaction() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("row-insert-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        try StateStore(path: path).close()  // created and migrated

        let event = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "apps", namespace: "ns"), reason: "ReconciliationSucceeded",
            message: "ok", metadata: ["product": "p", "env": "e", "dispatch_repo": "Altinn/p"])
        let record = EventRecord(
            receivedAt: 1, sourceAddress: "127.0.0.1", event: event, reasonClass: .success, dispatchRepo: "Altinn/p",
            eventType: "flux-deploy", dedupKey: nil, outcome: .duplicate, httpStatus: 200, githubStatus: nil,
            durationMilliseconds: 0, detail: "", body: "{}", payload: nil)
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in
            XCTAssertThrowsError(try EventRowInsert.insert(record, in: db)) { error in
                XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_ABORT)
            }
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event"), 0)
            // Inside one it inserts, and the statement is reusable after the refusal.
            try db.inTransaction {
                _ = try EventRowInsert.insert(record, in: db)
                return .commit
            }
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event"), 1)
        }
    }
}
