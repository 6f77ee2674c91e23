import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleRender
import TentacleStore
import Testing

/// Layouts through the API: validated by the renderer's rules, with field paths a form can point at.
@Suite("Layout API")
struct LayoutAPITests {
    struct LayoutView: Decodable {
        var id: String
        var name: String
        var width: Int
        var height: Int
        var createdBy: String
    }

    struct TemplateView: Decodable {
        var id: String
        var width: Int
        var height: Int
    }

    @Test func templatesCoverTheCommonPanelSizes() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let templates = try await api.send(.get, "/v1/layouts/templates", as: .role(.viewer)).decode(Items<TemplateView>.self).items
                let sizes = templates.map { "\($0.width)x\($0.height)" }
                #expect(Set(sizes) == ["64x32", "128x64", "192x96", "384x192"])
                #expect(sizes.count == 4)
            }
        }
    }

    @Test("each template can be posted as a layout", arguments: ["light-pole-64x32", "pole-128x64", "bus-stop-192x96", "roadside-384x192"])
    func createFromTemplate(template: String) async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let created = try await api.createLayout("lay-\(template)", template: template).decode(LayoutView.self)
                let expected = try Layout(json: Data(Content.template(template).utf8))
                #expect(created.width == expected.width && created.height == expected.height)
                #expect(created.createdBy == "publisher")
                let fetched = try await api.send(.get, "/v1/layouts/lay-\(template)", as: .role(.viewer))
                #expect(fetched.status == .ok)
                #expect(try fetched.decode(LayoutView.self).name == "Layout lay-\(template)")
                let listed = try await api.send(.get, "/v1/layouts", as: .role(.viewer)).decode(Items<LayoutView>.self)
                #expect(listed.items.map(\.id) == ["lay-\(template)"])
                let audit = try await fx.store.auditEntries(AuditQuery(action: "layout.create", objectId: "lay-\(template)", limit: 10))
                #expect(audit.map(\.actor) == ["publisher"])
            }
        }
    }

    static func textLayout(x: Int = 0, font: String = "5x8") -> String {
        """
        {"version": 1, "width": 64, "height": 32, "regions": [
          {"id": "main", "x": \(x), "y": 0, "width": 64, "height": 32,
           "playlist": [{"duration": 5, "widget": {"type": "text", "text": "Hello", "style": {"font": "\(font)"}}}]}]}
        """
    }

    @Test func invalidLayoutsAre422WithFieldPaths() async throws {
        let missingAsset = Content.imageLayout(sha256: String(repeating: "ab", count: 32), width: 64, height: 32)
        let cases: [(document: String, field: String)] = [
            (Self.textLayout(x: 10), "layout.regions[main].x"),
            (Self.textLayout(font: "comic-sans"), "layout.regions[main].playlist[0].widget.style.font"),
            (missingAsset, "layout.regions[picture].playlist[0].widget.asset"),
        ]
        try await Fixture.with { fx in
            try await fx.test { api in
                for (i, c) in cases.enumerated() {
                    let response = try await api.send(.post, "/v1/layouts", as: .role(.publisher), json: Content.layoutBody("bad-\(i)", document: c.document))
                    #expect(response.status == .unprocessableContent, "\(c.field): \(response.text)")
                    #expect(response.apiError?.code == "validation_failed")
                    #expect(response.apiError?.issues?.map(\.field) == [c.field], "\(response.text)")
                }
                #expect(try await fx.store.layouts().isEmpty)
            }
        }
    }

    @Test func malformedLayoutJSONIs400() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let wrongType = try await api.send(
                    .post, "/v1/layouts", as: .role(.publisher),
                    json: Content.layoutBody("bad", document: #"{"version": 1, "width": "wide", "height": 32, "regions": []}"#))
                #expect(wrongType.status == .badRequest, "\(wrongType.text)")
                #expect(wrongType.apiError?.field == "layout.width")

                let notJSON = try await api.send(.post, "/v1/layouts", as: .role(.publisher), json: #"{"name": "x", "layout": {"width": 64,"#)
                #expect(notJSON.status == .badRequest)

                let notAnObject = try await api.send(.post, "/v1/layouts", as: .role(.publisher), json: #"{"name": "x", "layout": [1, 2]}"#)
                #expect(notAnObject.status == .badRequest, "\(notAnObject.text)")
                #expect(notAnObject.apiError?.field == "layout", "\(notAnObject.text)")
                #expect(try await fx.store.layouts().isEmpty)
            }
        }
    }

    /// Coordinates near the end of `Int` are refused by name instead of overflowing `x + width`.
    @Test func hugeCoordinatesAre400NamingTheField() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                let cases: [(field: String, x: String, width: String)] = [
                    ("width", "1000000", "9223372036854775000"), ("width", "1000000", "9223372036854000000"), ("x", "9223372036854775807", "10"),
                    ("x", "-9223372036854775808", "10"), ("x", "1000001", "10"), ("width", "5", "1000001"),
                ]
                for (index, (name, x, width)) in cases.enumerated() {
                    let document = """
                        {"version": 1, "width": 128, "height": 64, "regions": [{"id": "r", "x": \(x), "y": 0, "width": \(width), "height": 8,
                          "playlist": [{"duration": 5, "widget": {"type": "text", "text": "Hi"}}]}]}
                        """
                    let field = "layout.regions[0].\(name)"
                    for (method, uri) in [(HTTPRequest.Method.post, "/v1/layouts"), (.put, "/v1/layouts/lay-pole")] {
                        let response = try await api.send(method, uri, as: .role(.publisher), json: Content.layoutBody(method == .post ? "huge-\(index)" : "lay-pole", document: document))
                        #expect(response.status == .badRequest, "\(x) + \(width): \(response.text)")
                        #expect(response.apiError?.field == field, "\(x) + \(width): \(response.text)")
                    }
                }
                #expect(try await fx.store.layouts().map(\.id) == ["lay-pole"])
                #expect(try await api.send(.get, "/v1/layouts/lay-pole/preview.png", as: .role(.viewer)).status == .ok)
            }
        }
    }

    @Test func putReplacesTheDocument() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-1", template: "pole-128x64")
                let replaced = try await api.send(
                    .put, "/v1/layouts/lay-1", as: .role(.publisher),
                    json: Content.layoutBody("lay-1", document: Content.template("light-pole-64x32"), name: "Smaller"))
                #expect(replaced.status == .ok, "\(replaced.text)")
                let fetched = try await api.send(.get, "/v1/layouts/lay-1", as: .role(.viewer)).decode(LayoutView.self)
                #expect(fetched.name == "Smaller")
                #expect(fetched.width == 64 && fetched.height == 32)
                let preview = try await api.frame("/v1/layouts/lay-1/preview.png?at=2026-01-01T08:00:00Z")
                #expect(preview.width == 64 && preview.height == 32)

                let invalid = try await api.send(.put, "/v1/layouts/lay-1", as: .role(.publisher), json: Content.layoutBody("lay-1", document: Self.textLayout(x: 10)))
                #expect(invalid.status == .unprocessableContent)
                let renamed = try await api.send(.put, "/v1/layouts/lay-1", as: .role(.publisher), json: Content.layoutBody("lay-2", document: Self.textLayout()))
                #expect(renamed.status == .unprocessableContent)
                #expect(renamed.apiError?.field == "id")
                #expect(try await api.send(.get, "/v1/layouts/lay-1", as: .role(.viewer)).decode(LayoutView.self).width == 64)
                let missing = try await api.send(.put, "/v1/layouts/nope", as: .role(.publisher), json: Content.layoutBody("nope", document: Self.textLayout()))
                #expect(missing.status == .notFound)
            }
        }
    }

    /// A live campaign's content changes only through an approved revision: its layout cannot be edited
    /// in place, by anyone in any district; a new layout reaches the street once the revision using it is approved.
    @Test func aLayoutShownByACampaignChangesOnlyThroughApproval() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.createLayout("lay-south")
                try await api.publish(Content.campaign("cmp-1"))
                try await api.publish(Content.campaign("cmp-south", target: #"{"districts": ["south"]}"#, playlist: [("lay-south", 10)]))
                let preview = "/v1/displays/north-1/preview.png?at=2026-01-01T08:00:00Z"
                let before = try await api.frame(preview)
                let changed = Content.template("pole-128x64").replacingOccurrences(of: "#002040", with: "#FF0000")
                let stored = try await fx.store.layout(id: "lay-pole")?.document

                for (caller, layout) in [(Caller.role(.publisher), "lay-pole"), (.role(.admin), "lay-pole"), (.user("publisher-north"), "lay-south")] {
                    let edit = try await api.send(.put, "/v1/layouts/\(layout)", as: caller, json: Content.layoutBody(layout, document: changed))
                    #expect(edit.status == .conflict, "\(caller) \(layout): \(edit.text)")
                    #expect(edit.apiError?.message.contains("new layout") == true)
                }
                #expect(try await fx.store.layout(id: "lay-pole")?.document == stored)
                #expect(try await api.frame(preview) == before)

                try await api.createLayout("lay-pole-2", document: changed)
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-pole-2", 10)]))
                #expect(try await api.frame(preview) == before, "a pending revision does not change the street")
                let pendingEdit = try await api.send(.put, "/v1/layouts/lay-pole-2", as: .role(.publisher), json: Content.layoutBody("lay-pole-2", document: Content.template("pole-128x64")))
                #expect(pendingEdit.status == .conflict, "what the approver reviews cannot change under them")

                try await api.approve("cmp-1", revision: 2)
                #expect(try await api.frame(preview) != before)
                // No longer shown by any live or pending revision, the old layout is free to edit.
                let free = try await api.send(.put, "/v1/layouts/lay-pole", as: .role(.publisher), json: Content.layoutBody("lay-pole", document: changed))
                #expect(free.status == .ok, "\(free.text)")
            }
        }
    }

    /// Editing a default layout changes those displays at once, so it takes the right to set that default.
    @Test func editingADefaultLayoutNeedsTheRightToSetThatDefault() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for id in ["lay-city", "lay-stops", "lay-south", "lay-north"] { try await api.createLayout(id) }
                let defaults = #"{"byDisplay": {"south-1": "lay-south", "north-1": "lay-north"}, "byGroup": {"bus-stops": "lay-stops"}, "global": "lay-city"}"#
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: defaults).status == .ok)
                let document = Content.template("pole-128x64").replacingOccurrences(of: "#002040", with: "#FF0000")
                let stored = try await fx.store.layout(id: "lay-city")?.document
                func edit(_ id: String, as caller: Caller) async throws -> HTTPResponse.Status {
                    try await api.send(.put, "/v1/layouts/\(id)", as: caller, json: Content.layoutBody(id, document: document)).status
                }
                #expect(try await edit("lay-city", as: .role(.publisher)) == .forbidden)
                #expect(try await edit("lay-stops", as: .user("publisher-north")) == .forbidden)
                #expect(try await edit("lay-south", as: .user("publisher-north")) == .forbidden)
                #expect(try await fx.store.layout(id: "lay-city")?.document == stored)
                #expect(try await edit("lay-north", as: .user("publisher-north")) == .ok)
                #expect(try await edit("lay-stops", as: .role(.publisher)) == .ok)
                #expect(try await edit("lay-city", as: .role(.admin)) == .ok)
            }
        }
    }

    @Test func aLayoutInUseCannotBeDeleted() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.createLayout("lay-default")
                let created = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-1"))
                #expect(created.status == .created)
                // Even a campaign still waiting for approval holds on to its layouts.
                let inUse = try await api.send(.delete, "/v1/layouts/lay-pole", as: .role(.publisher))
                #expect(inUse.status == .conflict, "\(inUse.text)")
                #expect(inUse.apiError?.message.contains("cmp-1") == true)

                let defaults = try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"global": "lay-default"}"#)
                #expect(defaults.status == .ok, "\(defaults.text)")
                #expect(try await api.send(.delete, "/v1/layouts/lay-default", as: .role(.publisher)).status == .conflict)

                #expect(try await api.send(.delete, "/v1/campaigns/cmp-1", as: .role(.publisher)).status == .noContent)
                #expect(try await api.send(.delete, "/v1/layouts/lay-pole", as: .role(.publisher)).status == .noContent)
                #expect(try await api.send(.get, "/v1/layouts/lay-pole", as: .role(.viewer)).status == .notFound)
                #expect(try await api.send(.delete, "/v1/layouts/lay-pole", as: .role(.publisher)).status == .notFound)
            }
        }
    }
}
