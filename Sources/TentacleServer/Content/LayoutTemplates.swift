import Foundation
import TentacleRender

/// Starter layouts for the common panel sizes, shipped with the server.
package struct LayoutTemplate: Sendable {
    package var id: String
    var name: String
    package var document: String
}

/// Body of `GET /v1/layouts/templates`: the template and its document as JSON.
struct TemplateBody: Encodable {
    var template: LayoutTemplate

    enum CodingKeys: String, CodingKey { case id, name, width, height, layout }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let layout = try Layout(json: Data(template.document.utf8))
        try c.encode(template.id, forKey: .id)
        try c.encode(template.name, forKey: .name)
        try c.encode(layout.width, forKey: .width)
        try c.encode(layout.height, forKey: .height)
        try c.encode(RawJSON(text: template.document), forKey: .layout)
    }
}

package enum LayoutTemplates {
    static let catalogue: [(id: String, name: String)] = [
        ("light-pole-64x32", "Light pole 64×32: clock and PM2.5"),
        ("pole-128x64", "Pole 128×64: news line, clock, PM2.5"),
        ("bus-stop-192x96", "Bus stop 192×96: route marquee, clock, PM2.5, stop name"),
        ("roadside-384x192", "Roadside board 384×192: headline, large clock, PM2.5 and temperature"),
    ]

    package static let all: [LayoutTemplate] = catalogue.compactMap { entry in
        guard let url = Bundle.module.url(forResource: entry.id, withExtension: "json", subdirectory: "Public/templates"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return nil }
        return LayoutTemplate(id: entry.id, name: entry.name, document: text)
    }
}
