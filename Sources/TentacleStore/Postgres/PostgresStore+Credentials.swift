public import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: CredentialRepository {
    public func issueCredential(_ credential: DeviceCredential, secretHash: String, replacingExisting: Bool, audit: AuditEvent) async throws {
        try await write { connection in
            guard try await connection.hasRows("SELECT 1 FROM displays WHERE id = \(credential.displayId)", logger: logger) else {
                throw StoreError.notFound("display", credential.displayId)
            }
            if replacingExisting {
                try await connection.query(
                    """
                    UPDATE device_credentials SET revoked_at = \(MillisecondStamp(credential.createdAt))
                    WHERE display_id = \(credential.displayId) AND revoked_at IS NULL
                    """, logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO device_credentials (id, display_id, secret_hash, created_at, revoked_at)
                VALUES (\(credential.id), \(credential.displayId), \(secretHash), \(MillisecondStamp(credential.createdAt)), NULL)
                """, logger: logger)
            try await self.append(audit, connection)
        }
    }

    public func credentials(displayId: String) async throws -> [DeviceCredential] {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT id, display_id, created_at, revoked_at FROM device_credentials WHERE display_id = \(displayId) ORDER BY created_at, id",
                logger: logger)
            var credentials: [DeviceCredential] = []
            for try await (id, displayId, createdAt, revokedAt) in rows.decode((String, String, MillisecondStamp, MillisecondStamp?).self) {
                credentials.append(DeviceCredential(id: id, displayId: displayId, createdAt: createdAt.date, revokedAt: revokedAt?.date))
            }
            return credentials
        }
    }

    @discardableResult
    public func revokeCredentials(displayId: String, at time: Date, audit: AuditEvent) async throws -> Int {
        try await write { connection in
            guard try await connection.hasRows("SELECT 1 FROM displays WHERE id = \(displayId)", logger: logger) else {
                throw StoreError.notFound("display", displayId)
            }
            let revoked = try await connection.countRows(
                """
                UPDATE device_credentials SET revoked_at = \(MillisecondStamp(time))
                WHERE display_id = \(displayId) AND revoked_at IS NULL RETURNING 1
                """, logger: logger)
            try await self.append(audit, connection)
            return revoked
        }
    }

    public func displayForCredential(secretHash: String) async throws -> Display? {
        try await read { connection in
            try await Self.fetchDisplays(
                """
                \(unescaped: Self.displayColumns)
                WHERE id = (SELECT display_id FROM device_credentials WHERE secret_hash = \(secretHash) AND revoked_at IS NULL)
                """, connection, logger
            ).first
        }
    }
}
