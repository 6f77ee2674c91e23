import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TentacleCore
import TentacleRender
@testable import TentacleServer
import TentacleStore
import Testing

/// What the web dashboard needs from the server: its files, the compact map, cross-site request
/// protection for the session cookie, and the live dashboard topics.
@Suite("Dashboard API")
struct DashboardAPITests {
    static let origin = HTTPField.Name("Origin")!
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    static func signIn(_ api: API, _ username: String = "admin") async throws -> String {
        let login = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: LoginTests.login(username, Fixture.password))
        #expect(login.status == .ok)
        return try LoginTests.sessionCookie(login)
    }

    @Test func crossSiteRequestsWithTheSessionCookieAreRefused() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let cookie = try await Self.signIn(api)
                let body = #"{"name": "from a page"}"#
                let foreign = try await api.send(.post, "/v1/tokens", as: .anonymous, json: body, headers: [.cookie: cookie, Self.origin: "http://evil.example"])
                #expect(foreign.status == .forbidden)
                #expect(foreign.apiError?.code == "forbidden")
                #expect(foreign.apiError?.message.contains("cross-site request refused") == true, "\(foreign.text)")
                let otherPort = try await api.send(.post, "/v1/tokens", as: .anonymous, json: body, headers: [.cookie: cookie, Self.origin: "http://localhost:9999"])
                #expect(otherPort.status == .forbidden, "another port is another origin")
                let site = try await api.send(.post, "/v1/tokens", as: .anonymous, json: body, headers: [.cookie: cookie, Self.fetchSite: "cross-site"])
                #expect(site.status == .forbidden)
                let referer = try await api.send(.post, "/v1/tokens", as: .anonymous, json: body, headers: [.cookie: cookie, .referer: "https://evil.example/page"])
                #expect(referer.status == .forbidden)
                let logout = try await api.send(.post, "/v1/auth/logout", as: .anonymous, headers: [.cookie: cookie, Self.origin: "http://evil.example"])
                #expect(logout.status == .forbidden, "signing someone out is a change too")
                #expect(try await api.send(.get, "/v1/tokens", as: .anonymous).status == .unauthorized)
                #expect(try await fx.store.tokens(userId: "usr-admin").filter { $0.kind == .api && $0.name == "from a page" }.isEmpty, "nothing changed")

                let same = try await api.send(.post, "/v1/tokens", as: .anonymous, json: body, headers: [.cookie: cookie, Self.origin: "http://localhost"])
                #expect(same.status == .created, "\(same.text)")
                let sameSite = try await api.send(.post, "/v1/tokens", as: .anonymous, json: body, headers: [.cookie: cookie, Self.fetchSite: "same-origin", .referer: "http://localhost/#/map"])
                #expect(sameSite.status == .created)
                let read = try await api.send(.get, "/v1/me", as: .anonymous, headers: [.cookie: cookie, Self.origin: "http://evil.example"])
                #expect(read.status == .ok, "reading changes nothing; the browser keeps the answer from the other site")
                let bearer = try await api.send(.post, "/v1/tokens", json: body, headers: [Self.origin: "http://evil.example"])
                #expect(bearer.status == .created, "bearer tokens are never sent by a browser on its own")
            }
        }
    }

    @Test func theMapListsEveryVisibleDisplayInOneCompactAnswer() async throws {
        struct Body: Decodable {
            var fields: [String]
            var items: [[Value]]
        }
        enum Value: Decodable, Equatable {
            case text(String), number(Double)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let s = try? c.decode(String.self) { self = .text(s) } else { self = .number(try c.decode(Double.self)) }
            }
        }
        try await Fixture.with { fx in
            try await fx.test { api in
                let all = try await api.send(.get, "/v1/map/displays", as: .role(.viewer))
                #expect(all.status == .ok)
                let body = try all.decode(Body.self)
                #expect(body.fields == ["id", "name", "lat", "lon", "status", "district", "poleId", "alert"])
                #expect(body.items.map { $0[0] } == [.text("north-1"), .text("north-2"), .text("south-1")])
                #expect(body.items[2] == [.text("south-1"), .text("Display south-1"), .number(52.5), .number(13.4), .text("offline"), .text("south"), .text("pole-south-1"), .number(0)])
                let north = try await api.send(.get, "/v1/map/displays", as: .user("publisher-north")).decode(Body.self)
                #expect(north.items.map { $0[0] } == [.text("north-1"), .text("north-2")], "scoped users see their districts only")
                #expect(try await api.send(.get, "/v1/map/displays", as: .anonymous).status == .unauthorized)
            }
        }
    }

    @Test func aDisplayShowingAnAlertOutranksOnePending() {
        let marks = MapController.alertMarks([
            "a": (targets: ["d1", "d2"], shown: ["d1"]),
            "b": (targets: ["d1", "d3"], shown: []),
        ])
        #expect(marks == ["d1": .shown, "d2": .pending, "d3": .pending])
    }

    @Test func theDashboardFilesAreServedWithTheirTypes() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let page = try await api.send(.get, "/", as: .anonymous)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.text.contains(#"<script type="module" src="/app/main.js">"#))
                let script = try await api.send(.get, "/app/main.js", as: .anonymous)
                #expect(script.status == .ok)
                #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(script.headers[.cacheControl] == "no-cache", "a new server version is picked up on reload")
                let style = try await api.send(.get, "/app/style.css", as: .anonymous)
                #expect(style.headers[.contentType] == "text/css; charset=utf-8")
                for bad in ["/app/..%2Fopenapi.yaml", "/app/.hidden.js", "/app/missing.js", "/app/index.html"] {
                    #expect(try await api.send(.get, bad, as: .anonymous).status == .notFound, "\(bad)")
                }
            }
        }
    }

    @Test func anUnsavedLayoutIsPreviewedAsTheAuthorTypes() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let draft = try await api.send(.post, "/v1/layouts/preview.png?scale=2", as: .role(.publisher), json: Content.template("pole-128x64"))
                #expect(draft.status == .ok, "\(draft.text.prefix(300))")
                #expect(draft.headers[.contentType] == "image/png")
                let png = try PNG.decode(Array(draft.body.readableBytesView))
                #expect(png.width == 256 && png.height == 128)
                let bad = try await api.send(.post, "/v1/layouts/preview.png", as: .role(.publisher), json: #"{"version": 1, "width": 0, "height": 32, "regions": []}"#)
                #expect(bad.status == .unprocessableContent)
                #expect(bad.apiError?.issues?.contains { $0.field == "layout.width" } == true, "\(bad.text)")
                #expect(try await api.send(.post, "/v1/layouts/preview.png", as: .role(.viewer), json: Content.template("pole-128x64")).status == .forbidden)
                #expect(try await fx.store.layouts().isEmpty, "a preview stores nothing")
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func displayStatusChangesAndApprovalsArriveLive() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                #expect(try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-1")).status == .created)
                async let stream = api.send(.get, "/v1/events?topics=displays,campaigns&limit=2", as: .role(.viewer))
                try await api.waitForEventStreams(1)
                try await fx.store.recordPresence([PresenceUpdate(displayId: "north-2", status: .online, lastSeen: Fixture.start)])
                _ = try await api.approve("cmp-1", revision: 1)
                let text = try await stream.text
                #expect(text.contains(#"event: display\#ndata: {"alert":0,"id":"north-2","lastSeen":"2026-01-01T00:00:00Z","status":"online"}"#), "\(text)")
                #expect(text.contains(#"event: campaign\#ndata: {"id":"cmp-1","revision":1,"state":"approved"}"#), "\(text)")
                #expect(!text.contains("north-1"), "only what changed after the stream opened")
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func scopedUsersHearOnlyTheirDistrictsAndCampaigns() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                async let stream = api.send(.get, "/v1/events?topics=displays&limit=1", as: .user("publisher-north"))
                try await api.waitForEventStreams(1)
                try await fx.store.recordPresence([PresenceUpdate(displayId: "south-1", status: .online, lastSeen: Fixture.start)])
                try await Task.sleep(for: .milliseconds(1500))
                try await fx.store.recordPresence([PresenceUpdate(displayId: "north-1", status: .online, lastSeen: Fixture.start)])
                let text = try await stream.text
                #expect(text.contains(#""id":"north-1""#))
                #expect(!text.contains("south-1"))
            }
        }
    }
}
