import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TentacleCore
import TentacleRender
@testable import TentacleServer
import TentacleStore
import Testing

/// One registered route and who may call it.
///
/// Callers in `allowed` get `success`; anyone else is refused: 401 without a user token (no
/// token, or a device token on a user route), 403 for a user whose role lacks the permission.
struct Endpoint: Sendable, CustomTestStringConvertible {
    /// One request ready to send.
    struct Call: Sendable {
        var uri: String
        var json: String?
        var body: String?
        var bytes: [UInt8]?
        var contentType: String?
    }

    let method: HTTPRequest.Method
    /// The path as the router names it, e.g. `/v1/displays/{id}`.
    let path: String
    let allowed: Set<Caller>
    let success: HTTPResponse.Status
    /// Builds the call for one caller; `n` is unique per caller, so each call may create its own object.
    let prepare: @Sendable (Fixture, Caller, Int) async throws -> Call

    var route: String { "\(method.rawValue) \(path)" }
    var testDescription: String { route }

    func expected(for caller: Caller) -> HTTPResponse.Status {
        if allowed.contains(caller) { return success }
        switch caller {
        case .anonymous, .device: return .unauthorized
        case .role, .user: return path.hasPrefix("/v1/devices/") ? .unauthorized : .forbidden
        }
    }
}

extension Endpoint {
    init(
        _ method: HTTPRequest.Method, _ path: String, _ allowed: Set<Caller>, _ success: HTTPResponse.Status = .ok,
        prepare: @escaping @Sendable (Fixture, Caller, Int) async throws -> Call
    ) {
        self.init(method: method, path: path, allowed: allowed, success: success, prepare: prepare)
    }

    init(_ method: HTTPRequest.Method, _ path: String, _ allowed: Set<Caller>, _ success: HTTPResponse.Status = .ok, uri: String? = nil) {
        self.init(method, path, allowed, success) { _, _, _ in Call(uri: uri ?? path) }
    }
}

// The expected matrix, written out rather than derived from AccessPolicy so the two check each other.
private let anyone = Set(Caller.all)
private let everyRole = Set(Caller.roles)
private let admin: Set<Caller> = [.role(.admin)]
private let adminAndOperator: Set<Caller> = [.role(.admin), .role(.operator)]
private let writers: Set<Caller> = [.role(.admin), .role(.publisher)]
private let reviewers: Set<Caller> = [.role(.admin), .role(.approver)]
private let deviceOnly: Set<Caller> = [.device]
private let alerters: Set<Caller> = [.role(.admin), .role(.alerter)]
private let ruleWriters: Set<Caller> = [.role(.admin), .role(.operator), .role(.publisher)]

private func json(_ uri: String, _ json: String) -> Endpoint.Call { .init(uri: uri, json: json) }

/// A call on layout `lay-<n>`, stored first; `suffix` follows the layout's URI.
private func onLayout(_ suffix: String = "", json body: (@Sendable (Int) -> String)? = nil) -> @Sendable (Fixture, Caller, Int) async throws -> Endpoint.Call {
    { fx, _, n in
        try await fx.addLayout("lay-\(n)")
        return Endpoint.Call(uri: "/v1/layouts/lay-\(n)\(suffix)", json: body?(n))
    }
}

/// A call on campaign `cmp-<n>`, stored first as a pending revision 1 by the publisher.
private func onCampaign(_ suffix: String = "", json body: (@Sendable (Int) -> String)? = nil) -> @Sendable (Fixture, Caller, Int) async throws -> Endpoint.Call {
    { fx, _, n in
        try await fx.addCampaign("cmp-\(n)")
        return Endpoint.Call(uri: "/v1/campaigns/cmp-\(n)\(suffix)", json: body?(n))
    }
}

/// The user a caller's own objects belong to (the admin's for callers without a user).
private func ownerId(_ caller: Caller) -> String { "usr-\(caller.username ?? "admin")" }

let endpoints: [Endpoint] = [
    Endpoint(.get, "/", anyone),
    Endpoint(.get, "/healthz", anyone),
    Endpoint(.get, "/metrics", anyone),
    Endpoint(.get, "/openapi.yaml", anyone),
    Endpoint(.get, "/app/{file}", anyone, uri: "/app/main.js"),
    Endpoint(.get, "/v1/map/displays", everyRole),
    Endpoint(.post, "/v1/layouts/preview.png", writers) { _, _, _ in json("/v1/layouts/preview.png", Content.template("pole-128x64")) },
    Endpoint(.get, "/v1/version", anyone),
    Endpoint(.post, "/v1/auth/login", anyone) { _, _, _ in
        json("/v1/auth/login", #"{"username": "viewer", "password": "\#(Fixture.password)"}"#)
    },
    Endpoint(.post, "/v1/auth/logout", everyRole, .noContent),
    Endpoint(.get, "/v1/me", everyRole),

    Endpoint(.get, "/v1/tokens", everyRole),
    Endpoint(.post, "/v1/tokens", everyRole, .created) { _, _, _ in json("/v1/tokens", #"{"name": "matrix"}"#) },
    Endpoint(.delete, "/v1/tokens/{id}", everyRole, .noContent) { fx, caller, n in
        try await fx.addToken(for: ownerId(caller), secret: "tnt_matrix-\(n)", id: "tok-matrix-\(n)")
        return Endpoint.Call(uri: "/v1/tokens/tok-matrix-\(n)")
    },

    Endpoint(.get, "/v1/users", admin),
    Endpoint(.post, "/v1/users", admin, .created) { _, _, n in
        json("/v1/users", #"{"username": "new-\#(n)", "password": "\#(Fixture.password)", "role": "viewer"}"#)
    },
    Endpoint(.get, "/v1/users/{id}", admin, uri: "/v1/users/usr-viewer"),
    // A user no caller signs in as: a new scope revokes the tokens of the user changed.
    Endpoint(.patch, "/v1/users/{id}", admin) { _, _, _ in json("/v1/users/usr-operator-north", #"{"districts": ["east"]}"#) },
    Endpoint(.delete, "/v1/users/{id}", admin, .noContent) { fx, _, n in
        let user = User(id: "usr-matrix-\(n)", username: "matrix-\(n)", role: .viewer, districts: [], createdAt: Fixture.start)
        try await fx.store.createUser(user, passwordHash: "x", audit: Fixture.event("user.create", "user", user.id))
        return Endpoint.Call(uri: "/v1/users/\(user.id)")
    },

    Endpoint(.get, "/v1/displays", everyRole),
    Endpoint(.post, "/v1/displays", adminAndOperator, .created) { _, _, n in
        json("/v1/displays", #"{"id": "m-\#(n)", "name": "M", "width": 64, "height": 32, "lat": 52.5, "lon": 13.4, "district": "east", "timezone": "UTC"}"#)
    },
    Endpoint(.post, "/v1/displays/import", adminAndOperator, .created) { _, _, n in
        Endpoint.Call(
            uri: "/v1/displays/import",
            body: "id,name,width,height,lat,lon,district,timezone\nimp-\(n),Imported,64,32,52.5,13.4,east,UTC\n", contentType: "text/csv")
    },
    Endpoint(.get, "/v1/displays/{id}", everyRole, uri: "/v1/displays/north-1"),
    Endpoint(.patch, "/v1/displays/{id}", adminAndOperator) { _, _, n in json("/v1/displays/north-2", #"{"notes": "matrix \#(n)"}"#) },
    Endpoint(.delete, "/v1/displays/{id}", adminAndOperator, .noContent) { fx, _, n in
        try await fx.addDisplay("gone-\(n)", district: "east")
        return Endpoint.Call(uri: "/v1/displays/gone-\(n)")
    },
    Endpoint(.get, "/v1/displays/{id}/credentials", adminAndOperator, uri: "/v1/displays/south-1/credentials"),
    Endpoint(.post, "/v1/displays/{id}/credentials", adminAndOperator, .created) { fx, _, n in
        try await fx.addDisplay("cred-\(n)", district: "east")
        return Endpoint.Call(uri: "/v1/displays/cred-\(n)/credentials")
    },
    Endpoint(.delete, "/v1/displays/{id}/credentials", adminAndOperator, .noContent, uri: "/v1/displays/south-1/credentials"),

    Endpoint(.get, "/v1/districts", everyRole),
    Endpoint(.post, "/v1/districts", admin, .created) { _, _, n in json("/v1/districts", #"{"code": "new-\#(n)", "name": "New"}"#) },
    Endpoint(.get, "/v1/districts/{code}", everyRole, uri: "/v1/districts/north"),
    Endpoint(.patch, "/v1/districts/{code}", admin) { _, _, n in json("/v1/districts/east", #"{"name": "East \#(n)"}"#) },
    Endpoint(.delete, "/v1/districts/{code}", admin, .noContent) { fx, _, n in
        try await fx.store.createDistrict(District(code: "empty-\(n)", name: "Empty"), audit: Fixture.event("district.create", "district", "empty-\(n)"))
        return Endpoint.Call(uri: "/v1/districts/empty-\(n)")
    },

    Endpoint(.get, "/v1/groups", everyRole),
    Endpoint(.post, "/v1/groups", adminAndOperator, .created) { _, _, n in json("/v1/groups", #"{"code": "grp-\#(n)", "name": "G"}"#) },
    Endpoint(.get, "/v1/groups/{code}", everyRole, uri: "/v1/groups/bus-stops"),
    Endpoint(.patch, "/v1/groups/{code}", adminAndOperator) { _, _, n in json("/v1/groups/bus-stops", #"{"description": "d \#(n)"}"#) },
    Endpoint(.delete, "/v1/groups/{code}", adminAndOperator, .noContent) { fx, _, n in
        try await fx.store.createGroup(DisplayGroup(code: "unused-\(n)", name: "Unused"), audit: Fixture.event("group.create", "group", "unused-\(n)"))
        return Endpoint.Call(uri: "/v1/groups/unused-\(n)")
    },

    Endpoint(.get, "/v1/assets", everyRole),
    Endpoint(.post, "/v1/assets", writers, .created) { _, _, n in
        Endpoint.Call(uri: "/v1/assets", bytes: Content.png(seed: n), contentType: "image/png")
    },
    Endpoint(.get, "/v1/assets/{sha256}", everyRole) { fx, _, n in
        let png = Content.png(seed: 100 + n)
        let sha = Content.sha256Hex(png)
        let record = AssetRecord(sha256: sha, width: 4, height: 3, byteCount: png.count, uploadedBy: "fixture", uploadedAt: Fixture.start)
        try await fx.store.putAsset(record, bytes: png, audit: Fixture.event("asset.upload", "asset", sha))
        return Endpoint.Call(uri: "/v1/assets/\(sha)")
    },

    Endpoint(.get, "/v1/layouts", everyRole),
    Endpoint(.get, "/v1/layouts/templates", everyRole),
    Endpoint(.post, "/v1/layouts", writers, .created) { _, _, n in
        json("/v1/layouts", Content.layoutBody("lay-new-\(n)", document: Content.template("light-pole-64x32")))
    },
    Endpoint(.get, "/v1/layouts/{id}", everyRole, prepare: onLayout()),
    Endpoint(.put, "/v1/layouts/{id}", writers, prepare: onLayout { n in Content.layoutBody("lay-\(n)", document: Content.template("light-pole-64x32")) }),
    Endpoint(.delete, "/v1/layouts/{id}", writers, .noContent, prepare: onLayout()),
    Endpoint(.get, "/v1/layouts/{id}/preview.png", everyRole, prepare: onLayout("/preview.png")),

    Endpoint(.get, "/v1/campaigns", everyRole),
    Endpoint(.post, "/v1/campaigns", writers, .created) { fx, _, n in
        try await fx.addLayout("lay-\(n)")
        return json("/v1/campaigns", Content.campaign("cmp-new-\(n)", playlist: [("lay-\(n)", 10)]))
    },
    Endpoint(.get, "/v1/campaigns/{id}", everyRole, prepare: onCampaign()),
    Endpoint(.put, "/v1/campaigns/{id}", writers, prepare: onCampaign { n in Content.campaign("cmp-\(n)", playlist: [("lay-cmp-\(n)", 20)]) }),
    Endpoint(.delete, "/v1/campaigns/{id}", writers, .noContent, prepare: onCampaign()),
    // Revision 1 is the publisher's, so the admin reviews someone else's work.
    Endpoint(.post, "/v1/campaigns/{id}/revisions/{revision}/approve", reviewers, prepare: onCampaign("/revisions/1/approve")),
    Endpoint(.post, "/v1/campaigns/{id}/revisions/{revision}/reject", reviewers, prepare: onCampaign("/revisions/1/reject") { _ in #"{"reason": "not on our poles"}"# }),
    Endpoint(.get, "/v1/campaigns/{id}/coverage", everyRole, prepare: onCampaign("/coverage")),

    Endpoint(.get, "/v1/displays/{id}/now", everyRole, uri: "/v1/displays/north-1/now"),
    Endpoint(.get, "/v1/displays/{id}/preview.png", everyRole, uri: "/v1/displays/north-1/preview.png"),
    Endpoint(.get, "/v1/displays/{id}/snapshot", everyRole, uri: "/v1/displays/north-1/snapshot"),
    Endpoint(.get, "/v1/default-layouts", everyRole),
    Endpoint(.put, "/v1/default-layouts", writers) { fx, _, n in
        try await fx.addLayout("lay-\(n)")
        return json("/v1/default-layouts", #"{"byDisplay": {"north-1": "lay-\#(n)"}, "byGroup": {"bus-stops": "lay-\#(n)"}}"#)
    },
    Endpoint(.get, "/v1/districts/{code}/approval", everyRole, uri: "/v1/districts/north/approval"),
    Endpoint(.put, "/v1/districts/{code}/approval", admin) { _, _, n in
        json("/v1/districts/east/approval", #"{"required": \#(n % 2 == 0)}"#)
    },

    Endpoint(.get, "/v1/audit", admin),
    Endpoint(.get, "/v1/devices/me", deviceOnly),
    // A plain request to the channel is told to upgrade; the WebSocket itself is tested in DeviceChannelTests.
    Endpoint(.get, "/v1/devices/channel", deviceOnly, HTTPResponse.Status(code: 426)),
    Endpoint(.get, "/v1/displays/{id}/commands", everyRole, uri: "/v1/displays/north-1/commands"),
    // Permission is checked before presence: an allowed caller learns the display is not connected.
    Endpoint(.post, "/v1/displays/{id}/commands", adminAndOperator, .conflict) { _, _, _ in
        json("/v1/displays/north-1/commands", #"{"command": "reload"}"#)
    },
    Endpoint(.get, "/v1/displays/{id}/screenshot.png", everyRole) { fx, _, _ in
        try await fx.store.saveScreenshot(
            displayId: "north-1", StoredScreenshot(png: PNG.encode(Frame(width: 2, height: 2)), takenAt: Fixture.start, receivedAt: Fixture.start))
        return Endpoint.Call(uri: "/v1/displays/north-1/screenshot.png")
    },
    Endpoint(.get, "/v1/displays/{id}/plays", everyRole, uri: "/v1/displays/north-1/plays"),
    Endpoint(.post, "/v1/alerts", alerters, .created) { _, caller, n in
        Endpoint.Call(uri: "/v1/alerts", body: CAPDocument.alert("matrix-\(caller)-\(n)".replacingOccurrences(of: " ", with: "-")), contentType: "application/cap+xml")
    },
    Endpoint(.get, "/v1/alerts", everyRole),
    Endpoint(.get, "/v1/sensors", everyRole),
    Endpoint(.post, "/v1/sensors", adminAndOperator, .created) { _, caller, n in
        json("/v1/sensors", #"{"id": "s-\#(n)-\#(caller.description.replacingOccurrences(of: " ", with: "-"))", "kind": "noise", "metrics": ["noise_dba"], "displayId": "north-1"}"#)
    },
    Endpoint(.get, "/v1/sensors/{id}", everyRole) { fx, _, n in
        try await fx.store.createSensor(
            Sensor(id: "seen-\(n)", kind: .light, metrics: ["lux"], displayId: nil, poleId: nil, lat: 52.5, lon: 13.4, district: "north", createdAt: Fixture.start),
            audit: Fixture.event("sensor.create", "sensor", "seen-\(n)"))
        return Endpoint.Call(uri: "/v1/sensors/seen-\(n)")
    },
    Endpoint(.delete, "/v1/sensors/{id}", adminAndOperator, .noContent) { fx, _, n in
        try await fx.store.createSensor(
            Sensor(id: "gone-\(n)", kind: .light, metrics: ["lux"], displayId: nil, poleId: nil, lat: 52.5, lon: 13.4, district: "north", createdAt: Fixture.start),
            audit: Fixture.event("sensor.create", "sensor", "gone-\(n)"))
        return Endpoint.Call(uri: "/v1/sensors/gone-\(n)")
    },
    Endpoint(.get, "/v1/alerts/{id}", everyRole) { fx, _, n in
        try await fx.store.createAlert(
            AlertRecord(
                id: "stored-\(n)", sender: "s", sent: Fixture.start, status: "Actual", msgType: "Alert", severity: .minor, headline: "h",
                expires: nil, state: .silent, references: [], postedBy: "fixture", receivedAt: Fixture.start, targeted: 0),
            xml: "<alert/>", notice: nil, targets: [], settling: [:], audit: Fixture.event("alert.post", "alert", "stored-\(n)"))
        return Endpoint.Call(uri: "/v1/alerts/stored-\(n)")
    },
    Endpoint(.get, "/v1/alert-feeds", everyRole),
    Endpoint(.post, "/v1/alert-feeds", alerters, .created) { _, _, n in
        json("/v1/alert-feeds", #"{"id": "matrix-\#(n)", "url": "http://127.0.0.1:9/matrix-\#(n).atom", "kind": "atom"}"#)
    },
    Endpoint(.get, "/v1/alert-feeds/{id}", everyRole) { fx, _, n in
        try await matrixFeed(fx, n)
        return Endpoint.Call(uri: "/v1/alert-feeds/feed-\(n)")
    },
    Endpoint(.patch, "/v1/alert-feeds/{id}", alerters) { fx, _, n in
        try await matrixFeed(fx, n)
        return json("/v1/alert-feeds/feed-\(n)", #"{"enabled": false}"#)
    },
    Endpoint(.delete, "/v1/alert-feeds/{id}", alerters, .noContent) { fx, _, n in
        try await matrixFeed(fx, n)
        return Endpoint.Call(uri: "/v1/alert-feeds/feed-\(n)")
    },
    Endpoint(.post, "/v1/alert-feeds/{id}/poll", alerters) { fx, _, n in
        try await matrixFeed(fx, n)
        return Endpoint.Call(uri: "/v1/alert-feeds/feed-\(n)/poll")
    },
    Endpoint(.post, "/v1/readings", adminAndOperator, .created) { _, _, n in
        json("/v1/readings", #"{"source": "north-1", "sequence": \#(n), "readings": [{"metric": "pm25", "time": "2026-01-01T00:00:00Z", "value": 12}]}"#)
    },
    Endpoint(.post, "/v1/write", adminAndOperator, .noContent) { _, _, n in
        Endpoint.Call(uri: "/v1/write?precision=ms&sequence=\(n)", body: "air,source=north-1 pm25=12 1767225600000", contentType: "text/plain")
    },
    Endpoint(.get, "/v1/readings", everyRole, uri: "/v1/readings?source=north-1&metric=pm25"),
    Endpoint(.get, "/v1/readings/latest", everyRole),
    Endpoint(.get, "/v1/events", everyRole, uri: "/v1/events?topics=readings&limit=0"),
    Endpoint(.get, "/v1/readings/aggregate", everyRole, uri: "/v1/readings/aggregate?metric=pm25"),
    Endpoint(.get, "/v1/readings/export.csv", everyRole, uri: "/v1/readings/export.csv?source=north-1"),
    Endpoint(.get, "/v1/metrics", everyRole),
    Endpoint(.post, "/v1/metrics", admin, .created) { _, _, n in
        json("/v1/metrics", #"{"name": "matrix_\#(n)", "unit": "ppm", "min": 0, "max": 5000, "description": "Matrix test"}"#)
    },
    Endpoint(.get, "/v1/alarms", everyRole),
    Endpoint(.post, "/v1/alarms/{id}/acknowledge", adminAndOperator) { fx, _, n in
        // Each call acknowledges an alarm of its own.
        let alarm = try await fx.store.applyAlarmEvent(
            HealthAlarmEvent(display: "matrix-\(n)", kind: .supplyVoltage, change: .raised, severity: .warning, time: 1, value: 4, message: "low"))
        return Endpoint.Call(uri: "/v1/alarms/\(try #require(alarm?.id))/acknowledge")
    },
    Endpoint(.get, "/v1/rules", everyRole),
    Endpoint(.post, "/v1/rules", ruleWriters, .created) { _, _, n in
        json("/v1/rules", matrixRuleBody("matrix-rule-\(n)"))
    },
    Endpoint(.get, "/v1/rules/{id}", everyRole) { fx, _, n in
        try await matrixRule(fx, n)
        return Endpoint.Call(uri: "/v1/rules/rule-\(n)")
    },
    Endpoint(.put, "/v1/rules/{id}", ruleWriters) { fx, _, n in
        try await matrixRule(fx, n)
        return json("/v1/rules/rule-\(n)", matrixRuleBody("rule-\(n)"))
    },
    Endpoint(.delete, "/v1/rules/{id}", ruleWriters, .noContent) { fx, _, n in
        try await matrixRule(fx, n)
        return Endpoint.Call(uri: "/v1/rules/rule-\(n)")
    },
    Endpoint(.post, "/v1/rules/{id}/approve", reviewers) { fx, _, n in
        try await matrixRule(fx, n)
        return Endpoint.Call(uri: "/v1/rules/rule-\(n)/approve")
    },
    Endpoint(.get, "/v1/rules/{id}/events", everyRole) { fx, _, n in
        try await matrixRule(fx, n)
        return Endpoint.Call(uri: "/v1/rules/rule-\(n)/events")
    },
    Endpoint(.get, "/v1/rules/{id}/deliveries", everyRole) { fx, _, n in
        try await matrixRule(fx, n)
        return Endpoint.Call(uri: "/v1/rules/rule-\(n)/deliveries")
    },

    // NGSI-LD: every caller with readTelemetry reads; subscriptions belong to their owner.
    Endpoint(.get, "/ngsi-ld/v1/jsonldContexts/tentacle", anyone),
    Endpoint(.get, "/ngsi-ld/v1/entities", everyRole, uri: "/ngsi-ld/v1/entities?type=Display"),
    Endpoint(.get, "/ngsi-ld/v1/entities/{id}", everyRole, uri: "/ngsi-ld/v1/entities/urn:ngsi-ld:Display:north-1"),
    Endpoint(.post, "/ngsi-ld/v1/entities", everyRole, .unprocessableContent) { _, _, _ in
        json("/ngsi-ld/v1/entities", #"{"id": "urn:ngsi-ld:Display:x", "type": "Display"}"#)
    },
    Endpoint(.patch, "/ngsi-ld/v1/entities/{id}", everyRole, .unprocessableContent) { _, _, _ in
        json("/ngsi-ld/v1/entities/urn:ngsi-ld:Display:north-1", #"{"brightness": 10}"#)
    },
    Endpoint(.delete, "/ngsi-ld/v1/entities/{id}", everyRole, .unprocessableContent, uri: "/ngsi-ld/v1/entities/urn:ngsi-ld:Display:north-1"),
    Endpoint(.get, "/ngsi-ld/v1/types", everyRole),
    Endpoint(.get, "/ngsi-ld/v1/temporal/entities", everyRole,
             uri: "/ngsi-ld/v1/temporal/entities?type=AirQualityObserved&timerel=before&timeAt=2026-01-02T00:00:00Z"),
    Endpoint(.get, "/ngsi-ld/v1/temporal/entities/{id}", everyRole,
             uri: "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Display:north-1?timerel=before&timeAt=2026-01-02T00:00:00Z"),
    Endpoint(.get, "/ngsi-ld/v1/subscriptions", everyRole),
    Endpoint(.post, "/ngsi-ld/v1/subscriptions", everyRole, .created) { _, _, n in
        json("/ngsi-ld/v1/subscriptions", matrixSubscriptionBody(n))
    },
    Endpoint(.get, "/ngsi-ld/v1/subscriptions/{id}", everyRole, prepare: onSubscription()),
    Endpoint(.patch, "/ngsi-ld/v1/subscriptions/{id}", everyRole, .noContent, prepare: onSubscription(json: #"{"throttling": 5}"#)),
    Endpoint(.delete, "/ngsi-ld/v1/subscriptions/{id}", everyRole, .noContent, prepare: onSubscription()),
    // Paths outside the API answer 404 in ProblemDetails, to signed-in callers only.
    Endpoint(.get, "/ngsi-ld/v1/**", everyRole, .notFound, uri: "/ngsi-ld/v1/csourceRegistrations"),
    Endpoint(.post, "/ngsi-ld/v1/**", everyRole, .notFound, uri: "/ngsi-ld/v1/entityOperations/upsert"),
    Endpoint(.put, "/ngsi-ld/v1/**", everyRole, .notFound, uri: "/ngsi-ld/v1/attributes/pm25"),
    Endpoint(.patch, "/ngsi-ld/v1/**", everyRole, .notFound, uri: "/ngsi-ld/v1/attributes/pm25"),
    Endpoint(.delete, "/ngsi-ld/v1/**", everyRole, .notFound, uri: "/ngsi-ld/v1/attributes/pm25"),
]

private func matrixSubscriptionBody(_ n: Int) -> String {
    #"{"id": "urn:ngsi-ld:Subscription:matrix-\#(n)", "type": "Subscription", "entities": [{"type": "AirQualityObserved"}], "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}}}"#
}

/// A call on subscription `matrix-<n>`, stored first as the caller's own (the admin's for callers without a user).
private func onSubscription(json body: String? = nil) -> @Sendable (Fixture, Caller, Int) async throws -> Endpoint.Call {
    { fx, caller, n in
        let id = "urn:ngsi-ld:Subscription:matrix-\(n)"
        let record = SubscriptionRecord(
            id: id, owner: ownerId(caller), document: matrixSubscriptionBody(n), isActive: true, createdAt: 0, modifiedAt: 0)
        try await fx.store.createSubscription(record, audit: Fixture.event("subscription.create", "subscription", id))
        return Endpoint.Call(uri: "/ngsi-ld/v1/subscriptions/\(id)", json: body)
    }
}

private func matrixRuleBody(_ id: String) -> String {
    #"{"id": "\#(id)", "name": "Matrix", "condition": {"metric": "pm25", "threshold": 75, "forSeconds": 600, "clearThreshold": 55, "clearForSeconds": 600, "area": {"districts": ["north"]}}, "actions": {"webhook": "http://127.0.0.1:9/hook"}}"#
}

/// A pending rule written by someone else than any caller, so every approver may approve it.
private func matrixRule(_ fx: Fixture, _ n: Int) async throws {
    let condition = Rule(
        id: "rule-\(n)", metric: "pm25", threshold: 75, forSeconds: 600, clearThreshold: 55, clearForSeconds: 600, area: .districts(["north"]))
    try await fx.store.createRule(
        CityRule(id: "rule-\(n)", name: "rule \(n)", condition: condition, actions: .init(webhook: "http://127.0.0.1:9/hook"), createdBy: "usr-fixture", createdAt: Fixture.start),
        audit: Fixture.event("rule.create", "rule", "rule-\(n)"))
}

/// A feed on a port nobody listens on: polling it fails at once, which is all the matrix needs.
private func matrixFeed(_ fx: Fixture, _ n: Int) async throws {
    try await fx.store.createFeed(
        AlertFeed(id: "feed-\(n)", name: "feed \(n)", url: "http://127.0.0.1:9/feed-\(n).atom", kind: "atom", intervalSeconds: 300, createdBy: "fixture",
                  posterScope: nil, createdAt: Fixture.start),
        audit: Fixture.event("feed.create", "feed", "feed-\(n)"))
}

@Suite("Role × endpoint access matrix")
struct AccessMatrixTests {
    @Test func theMatrixCoversEveryRegisteredRouteAndNoOther() async throws {
        try await Fixture.with { fx in
            let router = buildRouter(store: fx.store, configuration: fx.configuration)
            let registered = router.routes.map { "\($0.method.rawValue) \($0.path)" }
            let listed = endpoints.map(\.route)
            #expect(Set(listed).count == listed.count, "an endpoint is listed twice")
            let missing = Set(registered).subtracting(listed).sorted()
            let extra = Set(listed).subtracting(registered).sorted()
            #expect(missing.isEmpty, "routes without a matrix entry: \(missing)")
            #expect(extra.isEmpty, "matrix entries for routes that do not exist: \(extra)")
        }
    }

    @Test("every caller gets the expected status", arguments: endpoints)
    func accessMatrix(endpoint: Endpoint) async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for (n, caller) in Caller.all.enumerated() {
                    let call = try await endpoint.prepare(fx, caller, n)
                    let response = try await api.send(
                        endpoint.method, call.uri, as: caller, json: call.json, body: call.body, bytes: call.bytes, contentType: call.contentType)
                    let expected = endpoint.expected(for: caller)
                    #expect(response.status == expected, "\(endpoint.route) as \(caller): \(response.text.prefix(300))")
                    if endpoint.path.hasPrefix("/ngsi-ld/") {
                        // NGSI-LD answers refusals as ProblemDetails carrying the status.
                        if expected == .unauthorized || expected == .forbidden {
                            #expect(response.text.contains(#""status":\#(expected.code)"#), "\(endpoint.route) as \(caller): \(response.text.prefix(300))")
                        }
                    } else {
                        switch expected {
                        case .unauthorized: #expect(response.apiError?.code == "unauthorized")
                        case .forbidden: #expect(response.apiError?.code == "forbidden")
                        default: break
                        }
                    }
                }
            }
        }
    }
}
