import CZlib
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// The city map's answer: written without the JSON encoder, gzipped for clients that take it.
@Suite("Map answer")
struct MapAnswerTests {
    @Test func everyStringReadsBackAsItWasWritten() throws {
        var strings = ["", "plain", #"quote " and \ backslash"#, "new\nline\ttab\rreturn", "\u{0}\u{1}\u{1f}\u{7f}", "Bahnhofstraße 北京 🚏", "</script>"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let scalars = (0..<Int.random(in: 0...20, using: &generator)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0...0x2_FFFF, using: &generator))
            }
            strings.append(String(String.UnicodeScalarView(scalars)))
        }
        for string in strings {
            var out: [UInt8] = []
            JSONText.appendString(string, to: &out)
            let back = try JSONDecoder().decode(String.self, from: Data(out))
            #expect(back == string, "\(out)")
        }
    }

    @Test(arguments: [0.0, -0.0, 52.5, -13.404954, 1e-7, 179.99999999, -90, 90, 0.1 + 0.2, 1e300])
    func numbersReadBackExactly(_ value: Double) throws {
        var out: [UInt8] = []
        JSONText.appendNumber(value, to: &out)
        #expect(try JSONDecoder().decode(Double.self, from: Data(out)) == value, "\(String(decoding: out, as: UTF8.self))")
    }

    @Test func acceptEncodingIsRead() {
        #expect(Gzip.accepted("gzip"))
        #expect(Gzip.accepted("gzip, deflate, br"))
        #expect(Gzip.accepted("br;q=1.0, GZIP;q=0.5"))
        #expect(Gzip.accepted("*"))
        #expect(!Gzip.accepted(nil))
        #expect(!Gzip.accepted("identity"))
        #expect(!Gzip.accepted("gzip;q=0"))
        #expect(!Gzip.accepted("gzip; q=0.000"))
        #expect(!Gzip.accepted("x-gzip-like"))
    }

    @Test func theMapIsGzippedForClientsThatTakeItAndReadsTheSame() async throws {
        try await Fixture.with { fx in
            for i in 0..<300 {
                try await fx.addDisplay("pole-\(i)", district: i % 2 == 0 ? "north" : "south", lat: 52 + Double(i) / 1000, lon: 13 + Double(i) / 700)
            }
            try await fx.test { api in
                let plain = try await api.send(.get, "/v1/map/displays", as: .role(.viewer))
                #expect(plain.headers[.contentEncoding] == nil)
                #expect(plain.headers[.vary] == "Accept-Encoding")
                let packed = try await api.send(.get, "/v1/map/displays", as: .role(.viewer), headers: [.acceptEncoding: "gzip, deflate"])
                #expect(packed.headers[.contentEncoding] == "gzip")
                #expect(packed.body.readableBytes * 3 < plain.body.readableBytes, "gzip makes the markers much smaller")
                let unpacked = try Self.gunzip(Array(packed.body.readableBytesView))
                #expect(unpacked == Array(plain.body.readableBytesView))
                let json = try #require(try JSONSerialization.jsonObject(with: Data(unpacked)) as? [String: Any])
                #expect((json["items"] as? [Any])?.count == 303)
            }
        }
    }

    @Test func aDisplayNameWithQuotesAndControlCharactersIsValidJSON() async throws {
        try await Fixture.with { fx in
            let input = DisplayInput(
                name: "Stop \"Main\" \\ north\u{1}", width: 64, height: 32, lat: 52.52, lon: 13.405, district: "north", poleId: nil,
                groups: [], tags: [], timezone: "UTC")
            try await fx.store.createDisplay(Display(creating: input, id: "quoted", at: Fixture.start), audit: Fixture.event("display.create", "display", "quoted"))
            try await fx.test { api in
                let answer = try await api.send(.get, "/v1/map/displays", as: .role(.viewer))
                let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView)) as? [String: Any])
                let row = try #require((json["items"] as? [[Any]])?.first { $0.first as? String == "quoted" })
                #expect(row[1] as? String == "Stop \"Main\" \\ north\u{1}")
                #expect(row[2] as? Double == 52.52 && row[3] as? Double == 13.405)
                #expect(row[6] as? String == "", "no pole id is an empty string")
            }
        }
    }

    /// Inflates one gzip member with zlib.
    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw GunzipError() }
        defer { inflateEnd(&stream) }
        var input = bytes
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw GunzipError() }
                out += chunk[..<produced]
            } while status != Z_STREAM_END
        }
        return out
    }

    struct GunzipError: Error {}
}
