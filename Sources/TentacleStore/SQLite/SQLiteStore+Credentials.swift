public import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: CredentialRepository {
    public func issueCredential(_ credential: DeviceCredential, secretHash: String, replacingExisting: Bool, audit: AuditEvent) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM displays WHERE id = ?", arguments: [credential.displayId]) == true else {
                throw StoreError.notFound("display", credential.displayId)
            }
            if replacingExisting {
                try db.execute(
                    sql: "UPDATE device_credentials SET revoked_at = ? WHERE display_id = ? AND revoked_at IS NULL",
                    arguments: [credential.createdAt, credential.displayId])
            }
            try db.execute(
                sql: "INSERT INTO device_credentials (id, display_id, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)",
                arguments: [credential.id, credential.displayId, secretHash, credential.createdAt])
            try self.append(audit, db)
        }
    }

    public func credentials(displayId: String) async throws -> [DeviceCredential] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM device_credentials WHERE display_id = ? ORDER BY created_at, id", arguments: [displayId]
            ).map { row in
                DeviceCredential(id: row["id"], displayId: row["display_id"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    @discardableResult
    public func revokeCredentials(displayId: String, at time: Date, audit: AuditEvent) async throws -> Int {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM displays WHERE id = ?", arguments: [displayId]) == true else {
                throw StoreError.notFound("display", displayId)
            }
            try db.execute(
                sql: "UPDATE device_credentials SET revoked_at = ? WHERE display_id = ? AND revoked_at IS NULL",
                arguments: [time, displayId])
            let n = db.changesCount
            try self.append(audit, db)
            return n
        }
    }

    public func displayForCredential(secretHash: String) async throws -> Display? {
        try await read { db in
            try Self.fetchDisplays(
                db,
                sql: """
                    SELECT d.* FROM device_credentials c JOIN displays d ON d.id = c.display_id
                    WHERE c.secret_hash = ? AND c.revoked_at IS NULL
                    """,
                arguments: [secretHash]
            ).first
        }
    }
}
