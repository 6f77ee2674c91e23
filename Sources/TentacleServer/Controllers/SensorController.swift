import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Sensors on poles and displays: what they measure and where, so their readings can be placed.
struct SensorController {
    let env: ServerEnvironment

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("sensors") { _, context in
            let p = try context.user(.readTelemetry)
            return try JSONBody.response(["items": try await env.store.sensors(scope: p.scope)])
        }
        group.post("sensors", use: create)
        group.get("sensors/:id") { _, context in
            try JSONBody.response(try await visible(context, .readTelemetry))
        }
        group.delete("sensors/:id") { _, context in
            let p = try context.user(.writeDisplays)
            let sensor = try await visible(context, .writeDisplays)
            try await env.store.deleteSensor(id: sensor.id, audit: env.audit(p, "sensor.delete", "sensor", sensor.id, "removed \(sensor.kind.rawValue) sensor"))
            return Response(status: .noContent)
        }
    }

    private func visible(_ context: AppRequestContext, _ permission: Permission) async throws -> Sensor {
        let p = try context.user(permission)
        let id = try context.parameters.require("id")
        guard let sensor = try await env.store.sensor(id: id), p.scope.contains(sensor.district) else { throw APIError.notFound("sensor", id) }
        return sensor
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let input = try await JSONBody.decode(SensorInput.self, from: request, allowedFields: SensorInput.fieldNames, limit: env.configuration.maxBodyBytes)
        try ValidationError.check(input.issues(catalogue: try await env.telemetry.metrics(env.store)))
        var lat = input.lat ?? 0, lon = input.lon ?? 0, district = input.district ?? "", pole = input.poleId
        if let displayId = input.displayId {
            guard let display = try await env.store.display(id: displayId), p.scope.contains(display.district) else {
                throw ValidationError(field: "displayId", "display '\(displayId.prefix(80))' not found")
            }
            (lat, lon, district) = (display.lat, display.lon, display.district)
            pole = pole ?? display.poleId
        } else {
            guard try await env.store.district(code: district) != nil else { throw ValidationError(field: "district", "district '\(district.prefix(40))' not found") }
            try DisplayProvisioning.checkScope(p, district: district)
        }
        // Fields were checked above: id, kind and metrics are present and valid.
        let sensor = Sensor(
            id: input.id ?? "", kind: Sensor.Kind(rawValue: input.kind ?? "") ?? .other, metrics: input.metrics ?? [], displayId: input.displayId,
            poleId: pole, lat: lat, lon: lon, district: district, createdAt: env.clock())
        try await env.store.createSensor(
            sensor, audit: env.audit(p, "sensor.create", "sensor", sensor.id, "registered \(sensor.kind.rawValue) sensor measuring \(sensor.metrics.joined(separator: ", "))"))
        return try JSONBody.response(sensor, status: .created)
    }
}
