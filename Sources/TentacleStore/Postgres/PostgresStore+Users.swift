public import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: UserRepository {
    public func userCount() async throws -> Int {
        try await read { connection in Int(try await connection.integer("SELECT COUNT(*) FROM users", logger: logger)) }
    }

    public func createUser(_ user: User, passwordHash: String, audit: AuditEvent?) async throws {
        try await write { connection in
            if try await connection.hasRows("SELECT 1 FROM users WHERE username = \(user.username)", logger: logger) {
                throw StoreError(.conflict, field: "username", "user '\(user.username)' already exists")
            }
            try await connection.query(
                """
                INSERT INTO users (id, username, role, districts, password_hash, created_at)
                VALUES (\(user.id), \(user.username), \(user.role.rawValue), \(user.districts.joined(separator: ",")), \(passwordHash),
                    \(MillisecondStamp(user.createdAt)))
                """, logger: logger)
            if let audit { try await self.append(audit, connection) }
        }
    }

    public func user(id: String) async throws -> User? {
        try await read { connection in
            try await Self.users(connection.query("\(unescaped: Self.userColumns) WHERE id = \(id)", logger: logger)).first?.user
        }
    }

    public func credentials(username: String) async throws -> (user: User, passwordHash: String)? {
        try await read { connection in
            try await Self.users(connection.query("\(unescaped: Self.userColumns) WHERE username = \(username)", logger: logger)).first
        }
    }

    public func users() async throws -> [User] {
        try await read { connection in
            try await Self.users(connection.query("\(unescaped: Self.userColumns) ORDER BY username", logger: logger)).map(\.user)
        }
    }

    public func updateUser(_ user: User, passwordHash: String?, revokingTokensAt: Date?, audit: AuditEvent) async throws {
        try await write { connection in
            let changed = try await connection.countRows(
                """
                UPDATE users SET role = \(user.role.rawValue), districts = \(user.districts.joined(separator: ",")),
                    password_hash = COALESCE(\(passwordHash), password_hash)
                WHERE id = \(user.id) RETURNING 1
                """, logger: logger)
            guard changed == 1 else { throw StoreError.notFound("user", user.id) }
            if let revokingTokensAt {
                try await connection.query(
                    """
                    UPDATE api_tokens SET revoked_at = \(MillisecondStamp(revokingTokensAt))
                    WHERE user_id = \(user.id) AND revoked_at IS NULL
                    """, logger: logger)
            }
            try await self.append(audit, connection)
        }
    }

    public func deleteUser(id: String, audit: AuditEvent) async throws {
        try await write { connection in
            let deleted = try await connection.countRows("DELETE FROM users WHERE id = \(id) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("user", id) }
            try await self.append(audit, connection)
        }
    }

    public func createToken(_ token: APIToken, secretHash: String, audit: AuditEvent?) async throws {
        try await write { connection in
            try await connection.query(
                """
                INSERT INTO api_tokens (id, user_id, name, kind, secret_hash, created_at, expires_at, revoked_at)
                VALUES (\(token.id), \(token.userId), \(token.name), \(token.kind.rawValue), \(secretHash), \(MillisecondStamp(token.createdAt)),
                    \(token.expiresAt.map(MillisecondStamp.init)), \(token.revokedAt.map(MillisecondStamp.init)))
                """, logger: logger)
            if let audit { try await self.append(audit, connection) }
        }
    }

    public func activeToken(secretHash: String, at time: Date) async throws -> (token: APIToken, user: User)? {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT t.id, t.user_id, t.name, t.kind, t.created_at, t.expires_at, t.revoked_at,
                       u.username, u.role, u.districts, u.created_at
                FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.secret_hash = \(secretHash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > \(MillisecondStamp(time)))
                """, logger: logger)
            for try await (id, userId, name, kind, createdAt, expiresAt, revokedAt, username, role, districts, userCreatedAt) in rows.decode(
                (String, String, String, String, MillisecondStamp, MillisecondStamp?, MillisecondStamp?, String, String, String,
                 MillisecondStamp).self)
            {
                let token = APIToken(
                    id: id, userId: userId, name: name, kind: APIToken.Kind(rawValue: kind) ?? .api, createdAt: createdAt.date,
                    expiresAt: expiresAt?.date, revokedAt: revokedAt?.date)
                return (token, Self.user(id: userId, username: username, role: role, districts: districts, createdAt: userCreatedAt.date))
            }
            return nil
        }
    }

    public func tokens(userId: String) async throws -> [APIToken] {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT id, user_id, name, kind, created_at, expires_at, revoked_at FROM api_tokens
                WHERE user_id = \(userId) AND kind = 'api' ORDER BY created_at, id
                """, logger: logger)
            var tokens: [APIToken] = []
            for try await (id, userId, name, kind, createdAt, expiresAt, revokedAt) in rows.decode(
                (String, String, String, String, MillisecondStamp, MillisecondStamp?, MillisecondStamp?).self)
            {
                tokens.append(APIToken(
                    id: id, userId: userId, name: name, kind: APIToken.Kind(rawValue: kind) ?? .api, createdAt: createdAt.date,
                    expiresAt: expiresAt?.date, revokedAt: revokedAt?.date))
            }
            return tokens
        }
    }

    public func revokeToken(id: String, userId: String, at time: Date, audit: AuditEvent?) async throws {
        try await write { connection in
            let changed = try await connection.countRows(
                """
                UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, \(MillisecondStamp(time)))
                WHERE id = \(id) AND user_id = \(userId) RETURNING 1
                """, logger: logger)
            guard changed == 1 else { throw StoreError.notFound("token", id) }
            if let audit { try await self.append(audit, connection) }
        }
    }

    private static let userColumns = "SELECT id, username, role, districts, password_hash, created_at FROM users"

    private static func users(_ rows: PostgresRowSequence) async throws -> [(user: User, passwordHash: String)] {
        var users: [(user: User, passwordHash: String)] = []
        let columns = rows.decode((String, String, String, String, String, MillisecondStamp).self)
        for try await (id, username, role, districts, passwordHash, createdAt) in columns {
            users.append((user(id: id, username: username, role: role, districts: districts, createdAt: createdAt.date), passwordHash))
        }
        return users
    }

    private static func user(id: String, username: String, role: String, districts: String, createdAt: Date) -> User {
        User(
            id: id, username: username, role: Role(rawValue: role) ?? .viewer, districts: districts.split(separator: ",").map(String.init),
            createdAt: createdAt)
    }
}
