import Foundation
import Testing
@testable import TentacleAgent
@testable import TentacleRender

/// `--sink` strings: every kind and option read right, every mistake named by its part.
@Suite struct SinkConfigurationTests {
    static let cid = UUID(uuidString: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8")!

    @Test func nullTerminalAndPNG() throws {
        #expect(try SinkConfiguration(parsing: "null") == .null)
        #expect(try SinkConfiguration(parsing: "NULL") == .null)
        #expect(try SinkConfiguration(parsing: "terminal") == .terminal(fps: 10))
        #expect(try SinkConfiguration(parsing: "terminal?fps=25") == .terminal(fps: 25))
        #expect(try SinkConfiguration(parsing: "png:frames") == .png(folder: "frames", every: 25, keep: 0))
        #expect(try SinkConfiguration(parsing: "png:/var/lib/tentacle/frames?every=1&keep=100")
            == .png(folder: "/var/lib/tentacle/frames", every: 1, keep: 100))
        #expect(try SinkConfiguration(parsing: "png:C:frames") == .png(folder: "C:frames", every: 25, keep: 0))
    }

    @Test func sacnMulticastIsTheDefault() throws {
        #expect(try SinkConfiguration(parsing: "sacn") == .sacn(try .init(), MappingOptions(startUniverse: 1)))
        #expect(try SinkConfiguration(parsing: "sacn?ttl=4&interface=192.168.50.2&universe=200")
            == .sacn(try .init(multicastTTL: 4, multicastInterface: "192.168.50.2"), MappingOptions(startUniverse: 200)))
    }

    @Test func sacnUnicastWithEverySetting() throws {
        #expect(try SinkConfiguration(parsing: "sacn://10.0.0.5")
            == .sacn(try .init(destination: .unicast(host: "10.0.0.5", port: 5568)), MappingOptions(startUniverse: 1)))
        let text = "sacn://controller-3.local:6000?universe=3&priority=150&sync=1000&name=Bus%20stop%20%2312&cid=\(Self.cid.uuidString.lowercased())"
        let settings = try E131Sink.Settings(
            destination: .unicast(host: "controller-3.local", port: 6000), priority: 150,
            sourceName: "Bus stop #12", cid: Self.cid, syncUniverse: 1000)
        #expect(try SinkConfiguration(parsing: text) == .sacn(settings, MappingOptions(startUniverse: 3)))
    }

    @Test func artNet() throws {
        #expect(try SinkConfiguration(parsing: "artnet://10.0.0.255") == .artNet(host: "10.0.0.255", port: 6454, MappingOptions(startUniverse: 0)))
        #expect(try SinkConfiguration(parsing: "artnet://node.local:6455?net=1&subnet=2&universe=3")
            == .artNet(host: "node.local", port: 6455, MappingOptions(startUniverse: 0x123)))
        #expect(try SinkConfiguration(parsing: "artnet://n?net=127&subnet=15&universe=15")
            == .artNet(host: "n", port: 6454, MappingOptions(startUniverse: 0x7FFF)))
    }

    @Test func mappingOptions() throws {
        let expected = MappingOptions(
            panelWidth: 64, panelHeight: 32, wiring: .serpentine, chain: .serpentine, colorOrder: .grb,
            startUniverse: 1, panelStartsUniverse: true)
        #expect(try SinkConfiguration(parsing: "sacn?panel=64x32&wiring=serpentine&chain=serpentine&order=grb&panel-universe=true")
            == .sacn(try .init(), expected))
        #expect(try SinkConfiguration(parsing: "artnet://n?order=BGR&panel=64X32&wiring=row-major&panel-universe=false")
            == .artNet(host: "n", port: 6454, MappingOptions(panelWidth: 64, panelHeight: 32, colorOrder: .bgr, startUniverse: 0)))
    }

    static let mistakes: [(text: String, part: String)] = [
        ("", "sink"),
        ("?fps=3", "sink"),
        ("dmx://10.0.0.5", "dmx"),
        ("null:x", "null"),
        ("null?fps=3", "fps"),
        ("terminal://x", "terminal"),
        ("terminal?fps=0", "fps"),
        ("terminal?fps=61", "fps"),
        ("terminal?fps=fast", "fps"),
        ("terminal?every=2", "every"),
        ("png", "folder"),
        ("png:", "folder"),
        ("png://frames", "folder"),
        ("png:f?every=0", "every"),
        ("png:f?keep=-1", "keep"),
        ("png:f?universe=1", "universe"),
        ("sacn:10.0.0.5", "sacn"),
        ("sacn://", "host"),
        ("sacn://:5568", "host"),
        ("sacn://[::1]:5568", "host"),
        ("sacn://fe80::1", "host"),
        ("sacn://bus stop", "host"),
        ("sacn://10.0.0.5/path", "host"),
        ("sacn://10.0.0.5:", "port"),
        ("sacn://10.0.0.5:0", "port"),
        ("sacn://10.0.0.5:65536", "port"),
        ("sacn://10.0.0.5:http", "port"),
        ("sacn?universe=0", "universe"),
        ("sacn?universe=64000", "universe"),
        ("sacn?universe=one", "universe"),
        ("sacn?universe=99999999999999999999", "universe"),
        ("sacn?priority=201", "priority"),
        ("sacn?priority=-1", "priority"),
        ("sacn?sync=64000", "sync"),
        ("sacn?name=", "name"),
        ("sacn?name=\(String(repeating: "x", count: 64))", "name"),
        ("sacn?cid=not-a-uuid", "cid"),
        ("sacn?ttl=0", "ttl"),
        ("sacn?ttl=256", "ttl"),
        ("sacn://10.0.0.5?ttl=2", "ttl"),
        ("sacn://10.0.0.5?interface=10.0.0.1", "interface"),
        ("sacn?interface=eth0", "interface"),
        ("sacn?universe=1&universe=2", "universe"),
        ("sacn?universe", "universe"),
        ("sacn?=3", "options"),
        ("sacn?net=1", "net"),
        ("sacn?panel=64", "panel"),
        ("sacn?panel=0x32", "panel"),
        ("sacn?panel=64x32x2", "panel"),
        ("sacn?wiring=zigzag", "wiring"),
        ("sacn?chain=diagonal", "chain"),
        ("sacn?order=rgbw", "order"),
        ("sacn?panel-universe=yes", "panel-universe"),
        ("artnet", "host"),
        ("artnet://", "host"),
        ("artnet://10.0.0.5:99999", "port"),
        ("artnet://h?net=128", "net"),
        ("artnet://h?subnet=16", "subnet"),
        ("artnet://h?universe=16", "universe"),
        ("artnet://h?universe=-1", "universe"),
        ("artnet://h?priority=100", "priority"),
    ]

    @Test(arguments: mistakes)
    func mistakesAreNamed(text: String, part: String) throws {
        let error = try #require(throws: SinkConfigurationError.self) { try SinkConfiguration(parsing: text) }
        #expect(error.part == part)
        #expect(error.text == text)
        #expect(error.description.hasPrefix("sink \"\(text)\": \(part): "))
        #expect(!error.reason.isEmpty)
    }

    @Test func messagesSayWhatToWrite() throws {
        func message(_ text: String) -> String {
            do {
                _ = try SinkConfiguration(parsing: text)
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(message("dmx") == "sink \"dmx\": dmx: is not a kind of sink; write null, terminal, png:FOLDER, sacn[://HOST] or artnet://HOST")
        #expect(message("sacn?universe=0") == "sink \"sacn?universe=0\": universe: must be 1...63999, not 0")
        #expect(message("sacn?wiring=zigzag") == "sink \"sacn?wiring=zigzag\": wiring: \"zigzag\" is not one of row-major, serpentine")
        #expect(message("terminal?every=2") == "sink \"terminal?every=2\": every: is not an option of terminal, which takes fps")
        #expect(message("null?fps=3") == "sink \"null?fps=3\": fps: is not an option of null, which takes no options")
        #expect(message("sacn://10.0.0.5?ttl=2") == "sink \"sacn://10.0.0.5?ttl=2\": ttl: applies to multicast only, and this sink sends to 10.0.0.5")
    }

    @Test func makeSinkBuildsEachKind() throws {
        #expect(try SinkConfiguration(parsing: "null").makeSink(for: 192, height: 96) is NullSink)
        #expect(try SinkConfiguration(parsing: "terminal?fps=5").makeSink(for: 192, height: 96).description == "terminal at most 5 fps")
        let folder = FileManager.default.temporaryDirectory.appending(path: "tentacle-make-sink-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = try SinkConfiguration(parsing: "png:\(folder.path)?every=5").makeSink(for: 192, height: 96)
        #expect(png.description == "png every 5th frame to \(folder.path)")
        #expect(FileManager.default.fileExists(atPath: folder.path))
        let sacn = try SinkConfiguration(parsing: "sacn").makeSink(for: 192, height: 96)
        #expect(sacn.description == "sacn multicast universes 1-109")
        sacn.close()
        let artNet = try SinkConfiguration(parsing: "artnet://127.0.0.1?universe=4").makeSink(for: 192, height: 96)
        #expect(artNet.description == "artnet 127.0.0.1:6454 port-addresses 0:0:4-0:7:0")
        artNet.close()
    }

    @Test func mappingOptionsReachTheMapping() throws {
        let sink = try #require(try SinkConfiguration(
            parsing: "sacn://127.0.0.1?universe=9&panel=2x2&wiring=serpentine&chain=serpentine&order=grb&panel-universe=true"
        ).makeSink(for: 4, height: 4) as? E131Sink)
        let expected = try PixelMapping(
            width: 4, height: 4, panelWidth: 2, panelHeight: 2,
            panelOrder: PixelMapping.panelOrder(columns: 2, rows: 2, wiring: .serpentine),
            wiring: .serpentine, colorOrder: .grb, startUniverse: 9, panelStartsUniverse: true)
        #expect(sink.mapping == expected)
        #expect(sink.mapping.universeCount == 4)
    }

    static let misfits: [(text: String, width: Int, height: Int, part: String)] = [
        ("sacn?panel=64x32", 100, 32, "panel"),
        ("sacn?panel=64x32", 128, 48, "panel"),
        ("artnet://127.0.0.1?panel=256x32", 192, 96, "panel"),
        // 192×96 needs 109 universes: from 63892 the last would pass 63999.
        ("sacn?universe=63892", 192, 96, "universe"),
        // Port-address 32767 leaves room for one universe only.
        ("artnet://127.0.0.1?net=127&subnet=15&universe=15", 20, 20, "universe"),
    ]

    @Test(arguments: misfits)
    func aMappingThatDoesNotFitTheDisplayNamesTheOption(text: String, width: Int, height: Int, part: String) throws {
        let configuration = try SinkConfiguration(parsing: text)
        let error = try #require(throws: SinkConfigurationError.self) { try configuration.makeSink(for: width, height: height) }
        #expect(error.part == part)
        #expect(error.reason.contains("does not fit the \(width)×\(height) display"))
    }

    @Test func nullSinkCountsFrames() throws {
        let sink = NullSink()
        for _ in 0..<3 { try sink.send(Frame(width: 2, height: 2)) }
        sink.close()
        #expect(sink.frameCount == 3)
        #expect(sink.description == "null")
    }
}
