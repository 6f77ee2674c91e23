import Foundation
import TentacleRender

extension SinkConfiguration {
    /// Reads one `--sink` value: `null`, `terminal[?fps=10]`, `png:FOLDER[?every=25&keep=0]`,
    /// `sacn[://HOST[:PORT]][?universe=1&priority=100&sync=0&name=Tentacle&cid=UUID&ttl=1&interface=IP]`
    /// or `artnet://HOST[:PORT][?net=0&subnet=0&universe=0]`, where sacn and artnet also take
    /// the mapping options `panel=64x32`, `wiring=`, `chain=` (`row-major` or `serpentine`),
    /// `order=rgb|rbg|grb|gbr|brg|bgr` and `panel-universe=true|false`. Option values may be
    /// percent-encoded. The error names the part at fault and carries the whole text.
    public init(parsing text: String) throws(SinkConfigurationError) {
        do {
            self = try Self.parse(text)
        } catch var error {
            error.text = text
            throw error
        }
    }

    private static func parse(_ text: String) throws(SinkConfigurationError) -> SinkConfiguration {
        let head = text.prefix { $0 != "?" }
        var query = try Query(text.dropFirst(head.count + 1))
        let scheme = head.prefix { $0 != ":" }
        let rest = head.dropFirst(scheme.count)
        let configuration: SinkConfiguration
        switch scheme.lowercased() {
        case "null":
            try noAddress(rest, scheme: scheme)
            configuration = .null
        case "terminal":
            try noAddress(rest, scheme: scheme)
            configuration = .terminal(fps: try query.int("fps", in: TerminalSink.fpsRange) ?? 10)
        case "png":
            guard rest.hasPrefix(":"), rest.count > 1 else {
                throw SinkConfigurationError("folder", "is missing: write png:FOLDER, e.g. png:frames")
            }
            guard !rest.hasPrefix("://") else {
                throw SinkConfigurationError("folder", "write png:FOLDER without \"//\", e.g. png:frames or png:/var/lib/tentacle/frames")
            }
            configuration = .png(
                folder: String(rest.dropFirst()),
                every: try query.int("every", in: 1...Int.max) ?? 25,
                keep: try query.int("keep", in: 0...Int.max) ?? 0)
        case "sacn":
            let address = try hostAndPort(rest, scheme: "sacn", defaultPort: E131.port)
            let universe = try query.int("universe", in: E131.universeRange) ?? 1
            let settings = try E131Sink.Settings(
                destination: address.map { .unicast(host: $0.host, port: $0.port) } ?? .multicast,
                priority: try query.int("priority") ?? E131.defaultPriority,
                sourceName: query.string("name") ?? "Tentacle",
                cid: try query.uuid("cid"),
                syncUniverse: try query.int("sync") ?? 0,
                multicastTTL: try query.int("ttl"),
                multicastInterface: query.string("interface"))
            configuration = .sacn(settings, try mappingOptions(&query, startUniverse: universe))
        case "artnet":
            guard let address = try hostAndPort(rest, scheme: "artnet", defaultPort: ArtNet.port) else {
                throw SinkConfigurationError("host", "is missing: write artnet://HOST, e.g. artnet://10.0.0.50, or a broadcast address")
            }
            let net = try query.int("net", in: 0...127) ?? 0
            let subnet = try query.int("subnet", in: 0...15) ?? 0
            let universe = try query.int("universe", in: 0...15) ?? 0
            let options = try mappingOptions(&query, startUniverse: net << 8 | subnet << 4 | universe)
            configuration = .artNet(host: address.host, port: address.port, options)
        case "":
            throw SinkConfigurationError("sink", "names no kind of sink; write \(schemes)")
        default:
            throw SinkConfigurationError(String(scheme), "is not a kind of sink; write \(schemes)")
        }
        try query.finish(scheme: scheme.lowercased())
        return configuration
    }

    private static let schemes = "null, terminal, png:FOLDER, sacn[://HOST] or artnet://HOST"

    private static func noAddress(_ rest: Substring, scheme: Substring) throws(SinkConfigurationError) {
        guard rest.isEmpty else { throw SinkConfigurationError(String(scheme), "takes no address; found \"\(rest)\"") }
    }

    /// `://HOST[:PORT]`, or nil when `rest` is empty. IPv4 addresses and host names only.
    private static func hostAndPort(
        _ rest: Substring, scheme: String, defaultPort: UInt16
    ) throws(SinkConfigurationError) -> (host: String, port: UInt16)? {
        guard !rest.isEmpty else { return nil }
        guard rest.hasPrefix("://") else {
            throw SinkConfigurationError(scheme, "write \(scheme)://HOST or \(scheme)://HOST:PORT, not \"\(scheme)\(rest)\"")
        }
        let authority = rest.dropFirst(3)
        if authority.hasPrefix("[") || authority.filter({ $0 == ":" }).count > 1 {
            throw SinkConfigurationError("host", "IPv6 is not supported; use an IPv4 address or a host name")
        }
        let host = authority.prefix { $0 != ":" }
        guard !host.isEmpty else { throw SinkConfigurationError("host", "is missing after \(scheme)://") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
            throw SinkConfigurationError("host", "\"\(host)\" is not a host name or IPv4 address")
        }
        guard host.count < authority.count else { return (String(host), defaultPort) }
        let portText = authority.dropFirst(host.count + 1)
        guard let port = UInt16(portText), port != 0 else {
            throw SinkConfigurationError("port", "must be a number 1...65535, not \"\(portText)\"")
        }
        return (String(host), port)
    }

    private static func mappingOptions(_ query: inout Query, startUniverse: Int) throws(SinkConfigurationError) -> MappingOptions {
        var options = MappingOptions(startUniverse: startUniverse)
        if let panel = query.string("panel") {
            let sides = panel.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard sides.count == 2, let width = Int(sides[0]), let height = Int(sides[1]),
                  (1...Frame.maxWidth).contains(width), (1...Frame.maxHeight).contains(height) else {
                throw SinkConfigurationError("panel", "write WIDTHxHEIGHT in pixels, e.g. 64x32, not \"\(panel)\"")
            }
            options.panelWidth = width
            options.panelHeight = height
        }
        options.wiring = try query.choice("wiring", wirings) ?? .rowMajor
        options.chain = try query.choice("chain", wirings) ?? .rowMajor
        options.colorOrder = try query.choice("order", colorOrders) ?? .rgb
        options.panelStartsUniverse = try query.choice("panel-universe", ["true": true, "false": false]) ?? false
        return options
    }

    private static let wirings: KeyValuePairs<String, PixelMapping.Wiring> = ["row-major": .rowMajor, "serpentine": .serpentine]
    private static let colorOrders: KeyValuePairs<String, PixelMapping.ColorOrder> =
        ["rgb": .rgb, "rbg": .rbg, "grb": .grb, "gbr": .gbr, "brg": .brg, "bgr": .bgr]
}

/// The `key=value&...` options after "?": each may be given once, and every one must be read
/// by the time `finish` is called, or it was not meant for this sink.
private struct Query {
    private var values: [(key: String, value: String)] = []
    /// The names asked for, in order: the options this kind of sink takes.
    private var known: [String] = []

    init(_ text: Substring) throws(SinkConfigurationError) {
        for item in text.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            guard parts.count == 2, !key.isEmpty else {
                throw SinkConfigurationError(key.isEmpty ? "options" : key, "write key=value, not \"\(item)\"")
            }
            guard !values.contains(where: { $0.key == key }) else {
                throw SinkConfigurationError(key, "is given twice")
            }
            values.append((key, parts[1].removingPercentEncoding ?? String(parts[1])))
        }
    }

    mutating func string(_ key: String) -> String? {
        known.append(key)
        return values.first { $0.key == key }?.value
    }

    mutating func int(_ key: String) throws(SinkConfigurationError) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text) else { throw SinkConfigurationError(key, "\"\(text)\" is not a whole number") }
        return value
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(SinkConfigurationError) -> Int? {
        guard let value = try int(key) else { return nil }
        try SinkConfigurationError.check(key, value, in: range)
        return value
    }

    mutating func uuid(_ key: String) throws(SinkConfigurationError) -> UUID? {
        guard let text = string(key) else { return nil }
        guard let uuid = UUID(uuidString: text) else {
            throw SinkConfigurationError(key, "\"\(text)\" is not a UUID like 6BA7B810-9DAD-11D1-80B4-00C04FD430C8")
        }
        return uuid
    }

    mutating func choice<Value>(_ key: String, _ choices: KeyValuePairs<String, Value>) throws(SinkConfigurationError) -> Value? {
        guard let text = string(key) else { return nil }
        guard let value = choices.first(where: { $0.key == text.lowercased() })?.value else {
            throw SinkConfigurationError(key, "\"\(text)\" is not one of \(choices.map(\.key).joined(separator: ", "))")
        }
        return value
    }

    /// Throws for an option no one asked for.
    func finish(scheme: String) throws(SinkConfigurationError) {
        guard let unknown = values.first(where: { !known.contains($0.key) }) else { return }
        let takes = known.isEmpty ? "takes no options" : "takes \(known.joined(separator: ", "))"
        throw SinkConfigurationError(unknown.key, "is not an option of \(scheme), which \(takes)")
    }
}
