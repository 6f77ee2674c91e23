import Foundation
@testable import TentacleCore
import Testing

@Suite struct SubscriptionDocumentTests {
    static func parse(_ json: String) throws(NGSIQueryError) -> SubscriptionDocument {
        try SubscriptionDocument(json: Data(json.utf8), defaultId: "urn:ngsi-ld:Subscription:default")
    }

    static let full = #"""
        {"id": "urn:ngsi-ld:Subscription:dust", "type": "Subscription", "subscriptionName": "Dust", "description": "PM2.5 over 35",
         "entities": [{"type": "AirQualityObserved", "idPattern": ".*north.*"}, {"type": "Display", "id": "urn:ngsi-ld:Display:d-1"}],
         "watchedAttributes": ["pm25"], "q": "pm25>35", "geoQ": {"georel": "near;maxDistance==2000", "geometry": "Point", "coordinates": [13.4, 52.5]},
         "notification": {"attributes": ["pm25"], "format": "keyValues", "endpoint": {"uri": "https://city.example/hook", "accept": "application/ld+json"}},
         "throttling": 5, "expiresAt": "2027-01-01T00:00:00Z", "isActive": false, "jsonldContext": "http://tentacle/ctx"}
        """#

    @Test func everyMemberIsReadAndWrittenBack() throws {
        let d = try Self.parse(Self.full)
        #expect(d.id == "urn:ngsi-ld:Subscription:dust" && d.name == "Dust" && d.description == "PM2.5 over 35")
        #expect(d.watchedAttributes == ["pm25"] && d.q == "pm25>35" && d.notifiedAttributes == ["pm25"])
        #expect(d.format == .keyValues && d.endpoint == "https://city.example/hook" && d.accept == "application/ld+json")
        #expect(d.throttling == 5 && d.expiresAt == ReadingTime.parse("2027-01-01T00:00:00Z") && !d.isActive && d.jsonldContext == "http://tentacle/ctx")
        #expect(d.selector.types == ["AirQualityObserved", "Display"] && d.selector.geo != nil && d.selector.query != nil)
        // The stored form reads back to the same subscription.
        let again = try SubscriptionDocument(json: Data(d.json), defaultId: "other")
        #expect(again.json == d.json && again.id == d.id)
        let minimal = try Self.parse(#"{"watchedAttributes": ["LAeq"], "notification": {"endpoint": {"uri": "http://127.0.0.1:9/"}}}"#)
        #expect(minimal.id == "urn:ngsi-ld:Subscription:default" && minimal.format == .normalized && minimal.accept == "application/json")
        #expect(minimal.isActive && minimal.throttling == 0 && minimal.selector.targets.isEmpty)
    }

    @Test func aPercentEncodedQueryIsReadDecodedAndABadOneStillFails() throws {
        // ngsildclient's SubscriptionBuilder escapes q as for a URL.
        let d = try Self.parse(#"{"watchedAttributes": ["pm25"], "q": "pm25%3E50;pm10%3C%3D80", "notification": {"endpoint": {"uri": "http://127.0.0.1:9/"}}}"#)
        #expect(d.q == "pm25>50;pm10<=80" && d.selector.query != nil)
        #expect(throws: NGSIQueryError.self) {
            try Self.parse(#"{"watchedAttributes": ["pm25"], "q": "pm25%3E%3E50", "notification": {"endpoint": {"uri": "http://127.0.0.1:9/"}}}"#)
        }
    }

    @Test func changesConcernASubscriptionByTargetWatchedAttributeQueryAndPlace() throws {
        let d = try Self.parse(Self.full)
        func aq(_ id: String, pm25: Double, lat: Double = 52.5) -> ContextEntity {
            ContextEntity(id: id, type: "AirQualityObserved", attributes: ["pm25": .property(.number(pm25)), "location": .geo(lat: lat, lon: 13.4)])
        }
        #expect(d.concerns(aq("urn:ngsi-ld:AirQualityObserved:north-1", pm25: 40), changed: ["pm25"]))
        #expect(!d.concerns(aq("urn:ngsi-ld:AirQualityObserved:north-1", pm25: 40), changed: ["no2"]), "not a watched attribute")
        #expect(!d.concerns(aq("urn:ngsi-ld:AirQualityObserved:north-1", pm25: 30), changed: ["pm25"]), "q fails")
        #expect(!d.concerns(aq("urn:ngsi-ld:AirQualityObserved:south-1", pm25: 40), changed: ["pm25"]), "idPattern fails")
        #expect(!d.concerns(aq("urn:ngsi-ld:AirQualityObserved:north-1", pm25: 40, lat: 52.6), changed: ["pm25"]), "11 km away")
    }

    @Test func badDocumentsNameTheMemberAtFault() {
        let endpoint = #""notification": {"endpoint": {"uri": "http://x/"}}"#
        let cases: [(String, String)] = [
            ("[]", "body"), ("{", "body"),
            (#"{"type": "Entity", "watchedAttributes": ["a"], \#(endpoint)}"#, "type"),
            (#"{"id": "no scheme", "watchedAttributes": ["a"], \#(endpoint)}"#, "id"),
            (#"{"id": 7, "watchedAttributes": ["a"], \#(endpoint)}"#, "id"),
            (#"{\#(endpoint)}"#, "entities"),
            (#"{"entities": [], \#(endpoint)}"#, "entities"),
            (#"{"entities": [{"id": "x"}], \#(endpoint)}"#, "entities[0].type"),
            (#"{"entities": [{"type": "Display", "colour": 1}], \#(endpoint)}"#, "entities[0].colour"),
            (#"{"entities": [{"type": "Display", "idPattern": "("}], \#(endpoint)}"#, "entities[0].idPattern"),
            (#"{"watchedAttributes": [], \#(endpoint)}"#, "watchedAttributes"),
            (#"{"watchedAttributes": [""], \#(endpoint)}"#, "watchedAttributes[0]"),
            (#"{"watchedAttributes": ["a"], "q": "a>", \#(endpoint)}"#, "q"),
            (#"{"watchedAttributes": ["a"], "geoQ": "near", \#(endpoint)}"#, "geoQ"),
            (#"{"watchedAttributes": ["a"], "geoQ": {"georel": "within", "geometry": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]}, \#(endpoint)}"#, "geoQ.coordinates"),
            (#"{"watchedAttributes": ["a"]}"#, "notification"),
            (#"{"watchedAttributes": ["a"], "notification": {"endpoint": {}}}"#, "notification.endpoint.uri"),
            (#"{"watchedAttributes": ["a"], "notification": {"endpoint": {"uri": "mailto:a@b"}}}"#, "notification.endpoint.uri"),
            (#"{"watchedAttributes": ["a"], "notification": {"endpoint": {"uri": "http://x/", "accept": "text/csv"}}}"#, "notification.endpoint.accept"),
            (#"{"watchedAttributes": ["a"], "notification": {"format": "x", "endpoint": {"uri": "http://x/"}}}"#, "notification.format"),
            (#"{"watchedAttributes": ["a"], "notification": {"sender": 1, "endpoint": {"uri": "http://x/"}}}"#, "notification.sender"),
            (#"{"watchedAttributes": ["a"], "throttling": "5", \#(endpoint)}"#, "throttling"),
            (#"{"watchedAttributes": ["a"], "expiresAt": "tomorrow", \#(endpoint)}"#, "expiresAt"),
            (#"{"watchedAttributes": ["a"], "isActive": "yes", \#(endpoint)}"#, "isActive"),
            (#"{"watchedAttributes": ["a"], "timeInterval": 10, \#(endpoint)}"#, "timeInterval"),
            (#"{"watchedAttributes": ["a"], "jsonldContext": "nope", \#(endpoint)}"#, "jsonldContext"),
        ]
        for (json, parameter) in cases {
            do {
                _ = try Self.parse(json)
                Issue.record("accepted: \(json)")
            } catch {
                #expect(error.parameter == parameter, "\(json): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
    }
}
