import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: SensorRepository {
    public func createSensor(_ s: Sensor, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO sensors (id, kind, metrics, display_id, pole_id, lat, lon, district, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [s.id, s.kind.rawValue, s.metrics.joined(separator: ","), s.displayId, s.poleId, s.lat, s.lon, s.district,
                            Reading.milliseconds(s.createdAt)])
            try self.append(audit, db)
        }
    }

    private static func sensor(_ row: Row) -> Sensor {
        let metrics: String = row[2], created: Int64 = row[8]
        return Sensor(
            id: row[0], kind: Sensor.Kind(rawValue: row[1]) ?? .other, metrics: metrics.split(separator: ",").map(String.init),
            displayId: row[3], poleId: row[4], lat: row[5], lon: row[6], district: row[7],
            createdAt: Date(timeIntervalSince1970: Double(created) / 1000))
    }

    private static let columns = "id, kind, metrics, display_id, pole_id, lat, lon, district, created_at"

    public func sensor(id: String) async throws -> Sensor? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM sensors WHERE id = ?", arguments: [id]).map(Self.sensor) }
    }

    public func sensors(scope: DistrictScope) async throws -> [Sensor] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM sensors ORDER BY id").map(Self.sensor).filter { scope.contains($0.district) }
        }
    }

    public func deleteSensor(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM sensors WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "sensor '\(id)' not found") }
            try self.append(audit, db)
        }
    }
}
