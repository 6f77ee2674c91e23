import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

@Suite struct NGSILDTests {
    static let ld = HTTPFields([HTTPField(name: .accept, value: "application/ld+json")])

    /// A sensor on north-1 (air quality), one on a pole in the south (noise), and readings of both and of the display itself.
    static func seed(_ api: API, _ fx: Fixture) async throws {
        fx.clock.advance(by: 3 * 3600)
        for body in [
            #"{"id": "aq-n1", "kind": "air-quality", "metrics": ["pm25", "no2", "humidity_pct"], "displayId": "north-1"}"#,
            #"{"id": "noise-s", "kind": "noise", "metrics": ["noise_dba"], "poleId": "S-7", "lat": 52.0, "lon": 13.0, "district": "south"}"#,
        ] {
            let r = try await api.send(.post, "/v1/sensors", json: body)
            #expect(r.status == .created, "\(r.text)")
        }
        let batches = [
            #"{"source": "aq-n1", "sequence": 1, "readings": [{"metric": "pm25", "time": "2026-01-01T00:00:00Z", "value": 12}, {"metric": "pm25", "time": "2026-01-01T00:30:00Z", "value": 20}, {"metric": "pm25", "time": "2026-01-01T01:10:00Z", "value": 41}, {"metric": "humidity_pct", "time": "2026-01-01T01:10:00Z", "value": 55}]}"#,
            #"{"source": "noise-s", "sequence": 1, "readings": [{"metric": "noise_dba", "time": "2026-01-01T01:00:00Z", "value": 63.5}]}"#,
            #"{"source": "north-1", "sequence": 1, "readings": [{"metric": "brightness_pct", "time": "2026-01-01T01:00:00Z", "value": 80}]}"#,
        ]
        for batch in batches {
            let r = try await api.send(.post, "/v1/readings", json: batch)
            #expect(r.status == .created, "\(r.text)")
        }
    }

    static func json(_ r: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(r.text.utf8))
    }

    @Test func entitiesAreTentaclesRecordsInSmartDataModelsShapes() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.seed(api, fx)
                let r = try await api.send(.get, "/ngsi-ld/v1/entities?type=AirQualityObserved&options=keyValues")
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.headers[.contentType] == "application/json")
                #expect(r.headers[HTTPField.Name("Link")!]?.contains("jsonldContexts/tentacle>; rel=\"http://www.w3.org/ns/json-ld#context\"") == true)
                let list = try #require(try Self.json(r) as? [[String: Any]])
                #expect(list.count == 1)
                let aq = try #require(list.first)
                #expect(aq["id"] as? String == "urn:ngsi-ld:AirQualityObserved:aq-n1")
                #expect(aq["pm25"] as? Double == 41)
                #expect(aq["relativeHumidity"] as? Double == 0.55)
                #expect(aq["refDevice"] as? String == "urn:ngsi-ld:Device:aq-n1")
                #expect(aq["dateObserved"] as? String == "2026-01-01T01:10:00Z")
                #expect((aq["location"] as? [String: Any])?["coordinates"] as? [Double] == [13.4, 52.5])
                #expect(aq["no2"] == nil, "declared but never measured")

                // Normalized: Properties with observedAt and unit codes; ld+json puts @context in the body.
                let n = try await api.send(.get, "/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-n1", headers: Self.ld)
                #expect(n.headers[.contentType] == "application/ld+json" && n.headers[HTTPField.Name("Link")!] == nil)
                let entity = try #require(try Self.json(n) as? [String: Any])
                let pm25 = try #require(entity["pm25"] as? [String: Any])
                #expect(pm25["type"] as? String == "Property" && pm25["value"] as? Double == 41 && pm25["unitCode"] as? String == "GQ")
                #expect(pm25["observedAt"] as? String == "2026-01-01T01:10:00Z")
                #expect((entity["location"] as? [String: Any])?["type"] as? String == "GeoProperty")
                #expect((entity["refDevice"] as? [String: Any])?["object"] as? String == "urn:ngsi-ld:Device:aq-n1")
                #expect((entity["@context"] as? [String])?.first?.hasSuffix("/ngsi-ld/v1/jsonldContexts/tentacle") == true)

                // The display carries its panel readings and what it reported showing last; its pole is a Streetlight pointing back at it.
                let plays = [
                    PlayRecord(displayId: "north-1", kind: "default", layoutId: "welcome", campaignId: nil, revision: nil, alertId: nil, start: 1_767_225_600_000, end: 1_767_225_660_000),
                    PlayRecord(displayId: "north-1", kind: "campaign", layoutId: "l-1", campaignId: "c-1", revision: 2, alertId: nil, start: 1_767_225_660_000, end: 1_767_225_720_000),
                ]
                #expect(try await fx.store.recordPlays([PlayBatch(displayId: "north-1", seq: 1, plays: plays)], at: fx.clock.now) == [true])
                let display = try #require(try Self.json(try await api.send(.get, "/ngsi-ld/v1/entities/urn:ngsi-ld:Display:north-1?options=keyValues")) as? [String: Any])
                #expect(display["brightness"] as? Double == 80 && display["status"] as? String == "offline")
                #expect((display["showing"] as? [String: String]) == ["kind": "campaign", "layout": "l-1", "campaign": "c-1"])
                let listed = try await api.send(.get, "/ngsi-ld/v1/entities?type=Display&q=showing%5Bcampaign%5D==%22c-1%22")
                #expect(listed.text.contains("urn:ngsi-ld:Display:north-1") && !listed.text.contains("north-2"), "\(listed.text)")
                #expect((display["resolution"] as? [String: Any])?["width"] as? Double == 128)
                #expect(display["refStreetlight"] as? String == "urn:ngsi-ld:Streetlight:pole-north-1")
                let pole = try #require(try Self.json(try await api.send(.get, "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:pole-north-1?options=keyValues")) as? [String: Any])
                #expect(pole["refDevice"] as? [String] == ["urn:ngsi-ld:Device:aq-n1", "urn:ngsi-ld:Display:north-1"])

                let types = try await api.send(.get, "/ngsi-ld/v1/types")
                #expect(types.text.contains(#""typeList":["AirQualityObserved","Device","DeviceMeasurement","Display","NoiseLevelObserved","Streetlight","WeatherObserved"]"#))
                let context = try await api.send(.get, "/ngsi-ld/v1/jsonldContexts/tentacle", as: .anonymous)
                #expect(context.status == .ok && context.text.contains("ngsi-ld-core-context") && context.text.contains(#""Display""#))
            }
        }
    }

    @Test func queriesFilterByTypeIdQueryPlaceAndPage() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.seed(api, fx)
                func ids(_ query: String, as caller: Caller = .role(.admin)) async throws -> [String] {
                    let r = try await api.send(.get, "/ngsi-ld/v1/entities?\(query)", as: caller)
                    #expect(r.status == .ok, "\(query): \(r.text)")
                    return (try Self.json(r) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                }
                #expect(try await ids("type=Display").count == 3)
                #expect(try await ids("type=Device,NoiseLevelObserved") == ["urn:ngsi-ld:Device:aq-n1", "urn:ngsi-ld:Device:noise-s", "urn:ngsi-ld:NoiseLevelObserved:noise-s"])
                #expect(try await ids("idPattern=urn:ngsi-ld:Display:north-.*") == ["urn:ngsi-ld:Display:north-1", "urn:ngsi-ld:Display:north-2"])
                #expect(try await ids("id=urn:ngsi-ld:Display:south-1,urn:ngsi-ld:Device:noise-s") == ["urn:ngsi-ld:Device:noise-s", "urn:ngsi-ld:Display:south-1"])
                #expect(try await ids("q=pm25%3E40") == ["urn:ngsi-ld:AirQualityObserved:aq-n1"])
                #expect(try await ids("q=pm25%3E41") == [])
                #expect(try await ids("type=Display&q=status==%22offline%22;resolution%5Bwidth%5D==128").count == 3)
                #expect(try await ids("attrs=LAeq") == ["urn:ngsi-ld:NoiseLevelObserved:noise-s"])
                // Near north (52.5, 13.4): the south sensor is about 60 km away.
                let near = try await ids("type=Device&georel=near;maxDistance==5000&geometry=Point&coordinates=%5B13.4,52.5%5D")
                #expect(near == ["urn:ngsi-ld:Device:aq-n1"])
                let within = try await ids(
                    "type=Device&geoQ=" + "georel=within&geometry=Polygon&coordinates=[[[12.9,51.9],[13.1,51.9],[13.1,52.1],[12.9,52.1],[12.9,51.9]]]".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                #expect(within == ["urn:ngsi-ld:Device:noise-s"])

                // Pages and the count.
                let page = try await api.send(.get, "/ngsi-ld/v1/entities?type=Display&limit=2&offset=1&count=true")
                #expect(page.headers[NGSIEntityController.resultsCount] == "3")
                #expect((try Self.json(page) as? [Any])?.count == 2)
                let count = try await api.send(.get, "/ngsi-ld/v1/entities?type=Display&limit=0&count=true")
                #expect(count.status == .ok && count.text == "[]" && count.headers[NGSIEntityController.resultsCount] == "3")

                // District scoping: a north operator sees nothing of the south.
                #expect(try await ids("type=Device", as: .user("operator-north")) == ["urn:ngsi-ld:Device:aq-n1"])
                let hidden = try await api.send(.get, "/ngsi-ld/v1/entities/urn:ngsi-ld:Device:noise-s", as: .user("operator-north"))
                #expect(hidden.status == .notFound)
            }
        }
    }

    @Test func badRequestsAreProblemDetailsNamingWhatIsWrong() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let cases: [(String, HTTPResponse.Status, String, String)] = [
                    ("/ngsi-ld/v1/entities?q=pm25%3E", .badRequest, "BadRequestData", "q:"),
                    ("/ngsi-ld/v1/entities?georel=near&geometry=Point&coordinates=%5B13,52%5D", .badRequest, "BadRequestData", "georel"),
                    ("/ngsi-ld/v1/entities?georel=within&geometry=Point", .badRequest, "BadRequestData", "coordinates together"),
                    ("/ngsi-ld/v1/entities?limit=5000", .badRequest, "BadRequestData", "limit"),
                    ("/ngsi-ld/v1/entities?idPattern=(", .badRequest, "BadRequestData", "idPattern"),
                    ("/ngsi-ld/v1/entities?options=fancy", .badRequest, "BadRequestData", "options"),
                    ("/ngsi-ld/v1/entities/urn:ngsi-ld:Display:nowhere", .notFound, "ResourceNotFound", "nowhere"),
                    ("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Display:north-1?timerel=after", .badRequest, "BadRequestData", "timeAt"),
                    ("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Display:north-1?timerel=after&timeAt=2026-01-01T00:00:00Z&aggrMethods=stddev&aggrPeriodDuration=PT1H", .badRequest, "BadRequestData", "stddev"),
                    ("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Display:north-1?timerel=after&timeAt=2026-01-01T00:00:00Z&aggrMethods=avg&aggrPeriodDuration=PT30S", .badRequest, "BadRequestData", "minutes"),
                ]
                for (uri, status, type, detail) in cases {
                    let r = try await api.send(.get, uri)
                    #expect(r.status == status, "\(uri): \(r.text)")
                    let body = try #require(try Self.json(r) as? [String: Any], "\(uri)")
                    #expect(body["type"] as? String == "https://uri.etsi.org/ngsi-ld/errors/\(type)", "\(uri): \(r.text)")
                    #expect((body["detail"] as? String)?.contains(detail) == true, "\(uri): \(r.text)")
                    #expect(body["status"] as? Int == Int(status.code) && body["title"] is String)
                }
                let anonymous = try await api.send(.get, "/ngsi-ld/v1/entities", as: .anonymous)
                #expect(anonymous.status == .unauthorized && anonymous.text.contains(#""status":401"#))
                let html = try await api.send(.get, "/ngsi-ld/v1/entities", headers: [.accept: "text/html"])
                #expect(html.status == .notAcceptable && html.text.contains("NotAcceptable"))
                for (method, uri) in [(HTTPRequest.Method.get, "/ngsi-ld/v1/csourceRegistrations"), (.post, "/ngsi-ld/v1/entityOperations/upsert"), (.put, "/ngsi-ld/v1/attributes/pm25")] {
                    let r = try await api.send(method, uri, json: "[]")
                    #expect(r.status == .notFound && r.text.contains("errors/ResourceNotFound") && r.text.contains("not part of"), "\(uri): \(r.text)")
                }
                let create = try await api.send(.post, "/ngsi-ld/v1/entities", json: #"{"id": "urn:ngsi-ld:Display:x", "type": "Display"}"#)
                #expect(create.status == .unprocessableContent && create.text.contains("OperationNotSupported"))
                let delete = try await api.send(.delete, "/ngsi-ld/v1/entities/urn:ngsi-ld:Display:north-1")
                #expect(delete.status == .unprocessableContent && delete.text.contains("OperationNotSupported"))
            }
        }
    }

    @Test func temporalSeriesComeFromReadingsAndAggregatesFromRollups() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.seed(api, fx)
                let id = "urn:ngsi-ld:AirQualityObserved:aq-n1"
                let window = "timerel=between&timeAt=2026-01-01T00:00:00Z&endTimeAt=2026-01-01T02:00:00Z"
                let r = try await api.send(.get, "/ngsi-ld/v1/temporal/entities/\(id)?\(window)&attrs=pm25")
                #expect(r.status == .ok, "\(r.text)")
                let entity = try #require(try Self.json(r) as? [String: Any])
                let instances = try #require(entity["pm25"] as? [[String: Any]])
                #expect(instances.map { $0["value"] as? Double } == [12, 20, 41])
                #expect(instances.map { $0["observedAt"] as? String } == ["2026-01-01T00:00:00Z", "2026-01-01T00:30:00Z", "2026-01-01T01:10:00Z"])
                #expect(entity["relativeHumidity"] == nil, "attrs picks pm25 only")

                let last = try #require(try Self.json(try await api.send(.get, "/ngsi-ld/v1/temporal/entities/\(id)?\(window)&lastN=2&options=temporalValues")) as? [String: Any])
                let values = try #require((last["pm25"] as? [String: Any])?["values"] as? [[Any]])
                #expect(values.map { $0[0] as? Double } == [20, 41])
                let humidity = try #require((last["relativeHumidity"] as? [String: Any])?["values"] as? [[Any]])
                #expect(humidity.first?[0] as? Double == 0.55)

                // Before and after.
                let before = try #require(try Self.json(try await api.send(.get, "/ngsi-ld/v1/temporal/entities/\(id)?timerel=before&timeAt=2026-01-01T00:30:00Z&attrs=pm25")) as? [String: Any])
                #expect((before["pm25"] as? [[String: Any]])?.count == 1)

                let aggregated = try await api.send(.get, "/ngsi-ld/v1/temporal/entities/\(id)?\(window)&attrs=pm25&aggrMethods=avg,max,totalCount&aggrPeriodDuration=PT1H")
                #expect(aggregated.status == .ok, "\(aggregated.text)")
                let agg = try #require((try Self.json(aggregated) as? [String: Any])?["pm25"] as? [String: Any])
                #expect((agg["avg"] as? [[Any]])?.map { $0[0] as? Double } == [16, 41])
                #expect((agg["max"] as? [[Any]])?.map { $0[0] as? Double } == [20, 41])
                #expect((agg["totalCount"] as? [[Any]])?.map { $0[0] as? Double } == [2, 1])
                #expect((agg["avg"] as? [[Any]])?.first?[1] as? String == "2026-01-01T00:00:00Z")
                #expect((agg["avg"] as? [[Any]])?.first?[2] as? String == "2026-01-01T01:00:00Z")
                let minutes = try await api.send(.get, "/ngsi-ld/v1/temporal/entities/\(id)?\(window)&attrs=pm25&aggrMethods=sum&aggrPeriodDuration=PT30M")
                #expect((((try Self.json(minutes) as? [String: Any])?["pm25"] as? [String: Any])?["sum"] as? [[Any]])?.map { $0[0] as? Double } == [12, 20, 41])

                let list = try await api.send(.get, "/ngsi-ld/v1/temporal/entities?type=AirQualityObserved,NoiseLevelObserved&\(window)&count=true")
                #expect(list.status == .ok && list.headers[NGSIEntityController.resultsCount] == "2", "\(list.text)")
                #expect(list.text.contains(#""LAeq":[{"type":"Property","value":63.5"#))
            }
        }
    }

    @Test func subscriptionsAreValidatedOwnedAndKeptWithTheirStatus() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.seed(api, fx)
                let good = #"{"id": "urn:ngsi-ld:Subscription:dust", "type": "Subscription", "entities": [{"type": "AirQualityObserved"}], "watchedAttributes": ["pm25"], "q": "pm25>35", "notification": {"format": "keyValues", "endpoint": {"uri": "http://127.0.0.1:9/hook", "accept": "application/json"}}}"#
                let created = try await api.send(.post, "/ngsi-ld/v1/subscriptions", as: .role(.viewer), json: good)
                #expect(created.status == .created, "\(created.text)")
                #expect(created.headers[.location] == "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust")
                #expect(try await api.send(.post, "/ngsi-ld/v1/subscriptions", as: .role(.viewer), json: good).status == .conflict)

                let bad: [(String, String)] = [
                    (#"{"type": "Subscription", "notification": {"endpoint": {"uri": "http://x/"}}}"#, "entities"),
                    (#"{"entities": [{"type": "Bus"}], "notification": {"endpoint": {"uri": "http://x/"}}}"#, "entities[0].type"),
                    (#"{"watchedAttributes": ["pm25"], "notification": {"endpoint": {"uri": "ftp://x/"}}}"#, "notification.endpoint.uri"),
                    (#"{"watchedAttributes": ["pm25"]}"#, "notification"),
                    (#"{"watchedAttributes": ["pm25"], "q": "pm25>>1", "notification": {"endpoint": {"uri": "http://x/"}}}"#, "q"),
                    (#"{"watchedAttributes": ["pm25"], "throttling": -1, "notification": {"endpoint": {"uri": "http://x/"}}}"#, "throttling"),
                    (#"{"watchedAttributes": ["pm25"], "colour": "red", "notification": {"endpoint": {"uri": "http://x/"}}}"#, "colour"),
                    (#"{"watchedAttributes": ["pm25"], "timeInterval": 60, "notification": {"endpoint": {"uri": "http://x/"}}}"#, "timeInterval"),
                    (#"{"watchedAttributes": ["pm25"], "geoQ": {"georel": "near", "geometry": "Point", "coordinates": [13, 52]}, "notification": {"endpoint": {"uri": "http://x/"}}}"#, "geoQ.georel"),
                    (#"{"watchedAttributes": ["pm25"], "notification": {"format": "xml", "endpoint": {"uri": "http://x/"}}}"#, "notification.format"),
                    ("[1]", "the body"),
                ]
                let before = try await fx.store.subscriptions().count
                for (body, field) in bad {
                    let r = try await api.send(.post, "/ngsi-ld/v1/subscriptions", json: body)
                    #expect(r.status == .badRequest, "\(body): \(r.text)")
                    #expect(r.text.contains(#""detail":"\#(field)"#), "\(body): \(r.text)")
                }
                #expect(try await fx.store.subscriptions().count == before, "nothing stored")

                let shown = try #require(try Self.json(try await api.send(.get, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.viewer))) as? [String: Any])
                #expect(shown["status"] as? String == "active" && shown["q"] as? String == "pm25>35")
                #expect((shown["notification"] as? [String: Any])?["timesSent"] as? Double == 0)
                // Someone else's subscription is not there for them; an unscoped admin sees all.
                #expect(try await api.send(.get, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.operator)).status == .notFound)
                #expect(try await api.send(.get, "/ngsi-ld/v1/subscriptions", as: .role(.operator)).text == "[]")
                #expect(try await api.send(.get, "/ngsi-ld/v1/subscriptions").text.contains("dust"))

                let paused = try await api.send(.patch, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.viewer), json: #"{"isActive": false, "notification": {"format": "normalized"}}"#)
                #expect(paused.status == .noContent, "\(paused.text)")
                let after = try #require(try Self.json(try await api.send(.get, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.viewer))) as? [String: Any])
                #expect(after["status"] as? String == "paused")
                let endpoint = ((after["notification"] as? [String: Any])?["endpoint"] as? [String: Any])?["uri"] as? String
                #expect(endpoint == "http://127.0.0.1:9/hook" && (after["notification"] as? [String: Any])?["format"] as? String == "normalized")
                #expect(try await api.send(.patch, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.viewer), json: #"{"q": "pm25>"}"#).status == .badRequest)

                #expect(try await api.send(.delete, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.viewer)).status == .noContent)
                #expect(try await api.send(.get, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:dust", as: .role(.viewer)).status == .notFound)
            }
        }
    }

    @Test func storedReadingsQueueNotificationsInTheirOwnTransaction() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.seed(api, fx)
                let body = #"{"id": "urn:ngsi-ld:Subscription:dust", "entities": [{"type": "AirQualityObserved"}], "watchedAttributes": ["pm25"], "q": "pm25>35", "notification": {"format": "keyValues", "attributes": ["pm25"], "endpoint": {"uri": "http://127.0.0.1:9/hook"}}}"#
                #expect(try await api.send(.post, "/ngsi-ld/v1/subscriptions", as: .user("operator-north"), json: body).status == .created)
                let south = #"{"id": "urn:ngsi-ld:Subscription:south-noise", "entities": [{"type": "NoiseLevelObserved"}], "notification": {"endpoint": {"uri": "http://127.0.0.1:9/hook"}}, "watchedAttributes": ["LAeq"]}"#
                #expect(try await api.send(.post, "/ngsi-ld/v1/subscriptions", as: .user("operator-north"), json: south).status == .created)
                let readings = #"{"source": "aq-n1", "sequence": 2, "readings": [{"metric": "pm25", "time": "2026-01-01T02:00:00Z", "value": 30}, {"metric": "pm25", "time": "2026-01-01T02:01:00Z", "value": 50}, {"metric": "no2", "time": "2026-01-01T02:01:00Z", "value": 10}, {"metric": "pm25", "time": "2026-01-01T01:59:00Z", "value": 90}]}"#
                #expect(try await api.send(.post, "/v1/readings", json: readings).status == .created)
                #expect(try await api.send(.post, "/v1/readings", json: readings).status.code < 300, "a duplicate batch")
                let noise = #"{"source": "noise-s", "sequence": 2, "readings": [{"metric": "noise_dba", "time": "2026-01-01T02:00:00Z", "value": 70}]}"#
                #expect(try await api.send(.post, "/v1/readings", json: noise).status == .created)

                // pm25 30 fails q, 50 passes, the late 90 is not the latest value; the south is outside the owner's districts.
                let due = try await fx.store.dueNotifications(at: .max, limit: 10)
                #expect(due.count == 1)
                #expect(try await fx.store.queuedNotificationCount(subscription: "urn:ngsi-ld:Subscription:dust") == 1)
                #expect(try await fx.store.queuedNotificationCount(subscription: "urn:ngsi-ld:Subscription:south-noise") == 0)
                let first = try #require(due.first)
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(first.payload.utf8)) as? [String: Any])
                #expect(payload["type"] as? String == "Notification" && payload["subscriptionId"] as? String == "urn:ngsi-ld:Subscription:dust")
                let data = try #require(payload["data"] as? [[String: Any]])
                #expect(data.count == 1 && data[0]["pm25"] as? Double == 50 && data[0]["id"] as? String == "urn:ngsi-ld:AirQualityObserved:aq-n1")
                #expect(data[0]["location"] == nil, "notification.attributes keeps pm25 only")
                #expect((payload["id"] as? String)?.hasPrefix("urn:ngsi-ld:Notification:") == true)
            }
        }
    }
}
