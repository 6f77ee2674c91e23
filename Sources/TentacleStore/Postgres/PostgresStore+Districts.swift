import PostgresNIO
public import TentacleCore

extension PostgresStore: DistrictRepository {
    public func createDistrict(_ district: District, audit: AuditEvent) async throws {
        let boundary = try district.boundary.map(Self.json)
        try await write { connection in
            if try await connection.hasRows("SELECT 1 FROM districts WHERE code = \(district.code)", logger: logger) {
                throw StoreError(.conflict, field: "code", "district '\(district.code)' already exists")
            }
            try await connection.query(
                "INSERT INTO districts (code, name, boundary) VALUES (\(district.code), \(district.name), \(boundary))", logger: logger)
            try await self.append(audit, connection)
        }
    }

    public func district(code: String) async throws -> District? {
        try await read { connection in
            try await Self.districts(
                connection.query("SELECT code, name, boundary FROM districts WHERE code = \(code)", logger: logger)
            ).first
        }
    }

    public func districts() async throws -> [District] {
        try await read { connection in
            try await Self.districts(connection.query("SELECT code, name, boundary FROM districts ORDER BY code", logger: logger))
        }
    }

    public func updateDistrict(_ district: District, audit: AuditEvent) async throws {
        let boundary = try district.boundary.map(Self.json)
        try await write { connection in
            let changed = try await connection.countRows(
                "UPDATE districts SET name = \(district.name), boundary = \(boundary) WHERE code = \(district.code) RETURNING 1",
                logger: logger)
            guard changed == 1 else { throw StoreError.notFound("district", district.code) }
            try await self.append(audit, connection)
        }
    }

    public func deleteDistrict(code: String, audit: AuditEvent) async throws {
        try await write { connection in
            let inUse = try await connection.integer("SELECT COUNT(*) FROM displays WHERE district = \(code)", logger: logger)
            if inUse > 0 {
                throw StoreError(.conflict, "district '\(code)' still has \(inUse) displays; move or delete them first")
            }
            let deleted = try await connection.countRows("DELETE FROM districts WHERE code = \(code) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("district", code) }
            try await self.append(audit, connection)
        }
    }

    public func createGroup(_ group: DisplayGroup, audit: AuditEvent) async throws {
        try await write { connection in
            if try await connection.hasRows("SELECT 1 FROM groups WHERE code = \(group.code)", logger: logger) {
                throw StoreError(.conflict, field: "code", "group '\(group.code)' already exists")
            }
            try await connection.query(
                "INSERT INTO groups (code, name, description) VALUES (\(group.code), \(group.name), \(group.description))", logger: logger)
            try await self.append(audit, connection)
        }
    }

    public func group(code: String) async throws -> DisplayGroup? {
        try await read { connection in
            try await Self.groups(connection.query("SELECT code, name, description FROM groups WHERE code = \(code)", logger: logger)).first
        }
    }

    public func groups() async throws -> [DisplayGroup] {
        try await read { connection in
            try await Self.groups(connection.query("SELECT code, name, description FROM groups ORDER BY code", logger: logger))
        }
    }

    public func updateGroup(_ group: DisplayGroup, audit: AuditEvent) async throws {
        try await write { connection in
            let changed = try await connection.countRows(
                "UPDATE groups SET name = \(group.name), description = \(group.description) WHERE code = \(group.code) RETURNING 1",
                logger: logger)
            guard changed == 1 else { throw StoreError.notFound("group", group.code) }
            try await self.append(audit, connection)
        }
    }

    public func deleteGroup(code: String, audit: AuditEvent) async throws {
        try await write { connection in
            let inUse = try await connection.integer("SELECT COUNT(*) FROM display_groups WHERE group_code = \(code)", logger: logger)
            if inUse > 0 {
                throw StoreError(.conflict, "group '\(code)' still has \(inUse) displays; remove them from it first")
            }
            let deleted = try await connection.countRows("DELETE FROM groups WHERE code = \(code) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("group", code) }
            try await self.append(audit, connection)
        }
    }

    private static func districts(_ rows: PostgresRowSequence) async throws -> [District] {
        var districts: [District] = []
        for try await (code, name, boundary) in rows.decode((String, String, String?).self) {
            districts.append(District(code: code, name: name, boundary: boundary.flatMap { try? decode(GeoGeometry.self, json: $0) }))
        }
        return districts
    }

    private static func groups(_ rows: PostgresRowSequence) async throws -> [DisplayGroup] {
        var groups: [DisplayGroup] = []
        for try await (code, name, description) in rows.decode((String, String, String).self) {
            groups.append(DisplayGroup(code: code, name: name, description: description))
        }
        return groups
    }
}
