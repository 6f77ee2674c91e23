public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A warning agency's index of alerts: an Atom feed or an RSS channel whose entries link to CAP
/// documents, or a single CAP document served at a fixed address.
///
/// Feed documents are untrusted like CAP ones: the same byte screen (UTF-8 only, no DOCTYPE or
/// ENTITY, so nothing expands and nothing external is read) and limits on size, depth and count.
public struct AlertFeedDocument: Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case atom, rss, cap
    }

    /// One alert the feed lists.
    public struct Entry: Hashable, Sendable {
        /// The entry's own id (Atom `id`, RSS `guid`, else its first link).
        public var id: String
        public var title: String
        /// Where the CAP document is, absolute http or https addresses only, best first.
        public var capLinks: [String]

        public init(id: String, title: String, capLinks: [String]) {
            self.id = id
            self.title = title
            self.capLinks = capLinks
        }
    }

    public var kind: Kind
    public var entries: [Entry]

    /// Limits for feed indexes: 4 MiB, depth 32, 100,000 elements, 64 KiB per text.
    public static let limits = CAPLimits(maxBytes: 4 << 20, maxDepth: 32, maxElements: 100_000, maxTextBytes: 64 * 1024)
    /// The most entries read from one feed; agencies list tens, a few hundred at most.
    public static let maxEntries = 1000

    /// Reads an Atom or RSS index, or recognises a CAP document (`kind` cap, no entries: the
    /// document is the alert). Relative links are resolved against `base`.
    public static func parse(_ bytes: [UInt8], base: URL? = nil, limits: CAPLimits = Self.limits) throws(CAPError) -> AlertFeedDocument {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(CAPError) in try DocumentScreen.check(raw, limits: limits) }
        }.get()
        let data = Data(bytes)
        let parser = XMLParser(data: data)
        let reader = FeedReader(limits: limits, base: base)
        parser.delegate = reader
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if let error = reader.error { throw error }
        guard let kind = reader.kind else {
            throw CAPError(.wrongNamespace, "document", "is neither an Atom feed, an RSS channel nor a CAP 1.2 alert (root '\(reader.rootName.prefix(40))')")
        }
        if kind != .cap, reader.openElements > 0 {
            throw CAPError(.truncated, "document", "ends before its \(reader.rootName) element is closed")
        }
        if !ok, kind != .cap {
            let line = parser.lineNumber
            throw CAPError(.malformed, "document", "is not well-formed XML near line \(line)")
        }
        return AlertFeedDocument(kind: kind, entries: reader.entries)
    }

    private final class FeedReader: NSObject, XMLParserDelegate {
        static let atom = "http://www.w3.org/2005/Atom"

        let limits: CAPLimits
        let base: URL?
        var kind: Kind?
        var rootName = ""
        var entries: [Entry] = []
        var error: CAPError?

        private var depth = 0
        var openElements: Int { depth }
        private var elements = 0
        private var text = ""
        private var entry: (id: String, title: String, links: [(url: String, rank: Int)], guid: String)?

        init(limits: CAPLimits, base: URL?) {
            self.limits = limits
            self.base = base
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            depth += 1
            elements += 1
            if depth > limits.maxDepth { return fail(parser, CAPError(.tooDeep, "document", "nests elements deeper than \(limits.maxDepth)")) }
            if elements > limits.maxElements { return fail(parser, CAPError(.tooManyElements, "document", "has more than \(limits.maxElements) elements")) }
            if attributes.values.contains(where: { $0.utf8.count > limits.maxTextBytes }) {
                return fail(parser, CAPError(.textTooLong, "document", "has an attribute longer than \(limits.maxTextBytes) bytes"))
            }
            text = ""
            if depth == 1 {
                rootName = name
                switch (name, namespaceURI ?? "") {
                case ("feed", Self.atom): kind = .atom
                case ("rss", _), ("RDF", _): kind = .rss
                case ("alert", CAP.namespace): kind = .cap; parser.abortParsing()
                default: parser.abortParsing()
                }
                return
            }
            switch (kind, name) {
            case (.atom, "entry"), (.rss, "item"):
                guard entries.count < AlertFeedDocument.maxEntries else { return }
                entry = ("", "", [], "")
            case (.atom, "link"):
                guard entry != nil, let href = attributes["href"] else { return }
                let type = (attributes["type"] ?? "").lowercased(), rel = attributes["rel"] ?? "alternate"
                addLink(href, rank: type.contains("cap") ? 0 : rel == "alternate" ? 1 : 3)
            case (.rss, "enclosure"):
                guard entry != nil, let url = attributes["url"] else { return }
                addLink(url, rank: (attributes["type"] ?? "").lowercased().contains("cap") ? 0 : 2)
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard entry != nil else { return }
            text += string
            if text.utf8.count > limits.maxTextBytes {
                fail(parser, CAPError(.textTooLong, "document", "has an element text longer than \(limits.maxTextBytes) bytes"))
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { depth -= 1 }
            guard entry != nil else { return }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch (kind, name) {
            case (.atom, "id"), (.rss, "guid"):
                if entry!.id.isEmpty { entry!.id = value }
                if kind == .rss { entry!.guid = value }
            case (.atom, "title"), (.rss, "title"):
                if entry!.title.isEmpty { entry!.title = value }
            case (.rss, "link"):
                addLink(value, rank: 1)
            case (.atom, "entry"), (.rss, "item"):
                var done = entry!
                entry = nil
                // An RSS guid that is an address is also where the alert is.
                if !done.guid.isEmpty { addLink(done.guid, rank: 2, to: &done) }
                let links = done.links.sorted { $0.rank < $1.rank }.map(\.url)
                var unique: [String] = []
                for link in links where !unique.contains(link) { unique.append(link) }
                let id = done.id.isEmpty ? (unique.first ?? "") : done.id
                if !id.isEmpty { entries.append(Entry(id: String(id.prefix(1024)), title: String(done.title.prefix(512)), capLinks: unique)) }
            default: break
            }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard entry != nil else { return }
            text += String(decoding: block, as: UTF8.self)
        }

        private func addLink(_ raw: String, rank: Int) {
            guard entry != nil else { return }
            var e = entry!
            addLink(raw, rank: rank, to: &e)
            entry = e
        }

        private func addLink(_ raw: String, rank: Int, to e: inout (id: String, title: String, links: [(url: String, rank: Int)], guid: String)) {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.utf8.count <= 2048, let url = URL(string: trimmed, relativeTo: base)?.absoluteURL,
                  let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
            else { return }
            if e.links.count < 8 { e.links.append((url.absoluteString, rank)) }
        }

        private func fail(_ parser: XMLParser, _ error: CAPError) {
            if self.error == nil { self.error = error }
            parser.abortParsing()
        }
    }
}
