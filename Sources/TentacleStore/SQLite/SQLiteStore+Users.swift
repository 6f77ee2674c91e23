public import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: UserRepository {
    public func userCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    public func createUser(_ user: User, passwordHash: String, audit: AuditEvent?) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [user.username]) == true {
                throw StoreError(.conflict, field: "username", "user '\(user.username)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO users (id, username, role, districts, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [user.id, user.username, user.role.rawValue, user.districts.joined(separator: ","), passwordHash, user.createdAt])
            if let audit { try self.append(audit, db) }
        }
    }

    public func user(id: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]).map(Self.user)
        }
    }

    public func credentials(username: String) async throws -> (user: User, passwordHash: String)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE username = ?", arguments: [username])
                .map { (Self.user($0), $0["password_hash"]) }
        }
    }

    public func users() async throws -> [User] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY username").map(Self.user)
        }
    }

    public func updateUser(_ user: User, passwordHash: String?, revokingTokensAt: Date?, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET role = ?, districts = ?, password_hash = COALESCE(?, password_hash) WHERE id = ?",
                arguments: [user.role.rawValue, user.districts.joined(separator: ","), passwordHash, user.id])
            guard db.changesCount == 1 else { throw StoreError.notFound("user", user.id) }
            if let revokingTokensAt {
                try db.execute(
                    sql: "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", arguments: [revokingTokensAt, user.id])
            }
            try self.append(audit, db)
        }
    }

    public func deleteUser(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("user", id) }
            try self.append(audit, db)
        }
    }

    public func createToken(_ token: APIToken, secretHash: String, audit: AuditEvent?) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (id, user_id, name, kind, secret_hash, created_at, expires_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.id, token.userId, token.name, token.kind.rawValue, secretHash, token.createdAt, token.expiresAt,
                    token.revokedAt,
                ])
            if let audit { try self.append(audit, db) }
        }
    }

    public func activeToken(secretHash: String, at time: Date) async throws -> (token: APIToken, user: User)? {
        try await read { db in
            let sql = """
                SELECT t.id AS t_id, t.user_id, t.name, t.kind, t.created_at AS t_created_at, t.expires_at, t.revoked_at,
                       u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.secret_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)
                """
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [secretHash, time]) else { return nil }
            let token = APIToken(
                id: row["t_id"], userId: row["user_id"], name: row["name"],
                kind: APIToken.Kind(rawValue: row["kind"]) ?? .api, createdAt: row["t_created_at"],
                expiresAt: row["expires_at"], revokedAt: row["revoked_at"])
            return (token, Self.user(row))
        }
    }

    public func tokens(userId: String) async throws -> [APIToken] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM api_tokens WHERE user_id = ? AND kind = 'api' ORDER BY created_at, id", arguments: [userId]
            ).map { row in
                APIToken(
                    id: row["id"], userId: row["user_id"], name: row["name"], kind: APIToken.Kind(rawValue: row["kind"]) ?? .api,
                    createdAt: row["created_at"], expiresAt: row["expires_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    public func revokeToken(id: String, userId: String, at time: Date, audit: AuditEvent?) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?",
                arguments: [time, id, userId])
            guard db.changesCount == 1 else { throw StoreError.notFound("token", id) }
            if let audit { try self.append(audit, db) }
        }
    }

    private static func user(_ row: Row) -> User {
        let districts: String = row["districts"]
        return User(
            id: row["id"], username: row["username"], role: Role(rawValue: row["role"]) ?? .viewer,
            districts: districts.split(separator: ",").map(String.init), createdAt: row["created_at"])
    }
}
