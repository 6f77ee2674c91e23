import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: SensorRepository {
    public func createSensor(_ s: Sensor, audit: AuditEvent) async throws {
        try await write { connection in
            try await connection.query(
                """
                INSERT INTO sensors (id, kind, metrics, display_id, pole_id, lat, lon, district, created_at)
                VALUES (\(s.id), \(s.kind.rawValue), \(s.metrics.joined(separator: ",")), \(s.displayId), \(s.poleId), \(s.lat), \(s.lon),
                    \(s.district), \(Reading.milliseconds(s.createdAt)))
                """, logger: logger)
            try await self.append(audit, connection)
        }
    }

    public func sensor(id: String) async throws -> Sensor? {
        try await read { connection in
            try await Self.sensors(connection.query("\(unescaped: Self.sensorColumns) WHERE id = \(id)", logger: logger)).first
        }
    }

    public func sensors(scope: DistrictScope) async throws -> [Sensor] {
        try await read { connection in
            switch scope {
            case .all:
                try await Self.sensors(connection.query("\(unescaped: Self.sensorColumns) ORDER BY id", logger: logger))
            case .only(let allowed):
                try await Self.sensors(
                    connection.query("\(unescaped: Self.sensorColumns) WHERE district = ANY(\(allowed.sorted())) ORDER BY id", logger: logger))
            }
        }
    }

    public func deleteSensor(id: String, audit: AuditEvent) async throws {
        try await write { connection in
            let deleted = try await connection.countRows("DELETE FROM sensors WHERE id = \(id) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError(.notFound, "sensor '\(id)' not found") }
            try await self.append(audit, connection)
        }
    }

    private static let sensorColumns = "SELECT id, kind, metrics, display_id, pole_id, lat, lon, district, created_at FROM sensors"

    private static func sensors(_ rows: PostgresRowSequence) async throws -> [Sensor] {
        var sensors: [Sensor] = []
        for try await (id, kind, metrics, displayId, poleId, lat, lon, district, created) in rows.decode(
            (String, String, String, String?, String?, Double, Double, String, Int64).self)
        {
            sensors.append(Sensor(
                id: id, kind: Sensor.Kind(rawValue: kind) ?? .other, metrics: metrics.split(separator: ",").map(String.init),
                displayId: displayId, poleId: poleId, lat: lat, lon: lon, district: district,
                createdAt: Date(timeIntervalSince1970: Double(created) / 1000)))
        }
        return sensors
    }
}
