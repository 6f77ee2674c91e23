import Foundation
import TentacleCore
@testable import TentacleSimulation
import Testing

struct SharedMessagesTests {
    static let samples: [ServerMessage] = [
        .schedule(.init(
            version: "v1", campaigns: [], defaultLayout: nil,
            layouts: [.init(id: "l", document: #"{"type":"layout","regions":[{"type":"text","text":"\"type\":\"alert\""}]}"#)],
            assets: [])),
        .alert(.init(id: "a", severity: .severe, sent: 0, expires: nil, texts: [.init(language: "en", headline: "h", instruction: "i")],
                     rotateSeconds: 6, replaces: [])),
        .alertCancel(.init(ids: ["a"])),
        .ping(.init(t: 1)),
        .received(.init(seq: 1, duplicate: false)),
    ]

    @Test(arguments: samples)
    func theTopLevelTypeIsFoundOnTheBytes(message: ServerMessage) {
        #expect(SharedMessages.topLevelType(String(decoding: message.encoded(), as: UTF8.self)) == message.type)
    }

    @Test func textWithoutATypeHasNone() {
        for text in ["", "{}", #"{"v":1}"#, #"{"type":"#, #"{"type":"unterminated"#, #"{"type":""#] {
            #expect(SharedMessages.topLevelType(text) == nil, "\(text)")
        }
        #expect(SharedMessages.topLevelType(#"{"type":""}"#) == "")
    }

    @Test func sharedMessagesDecodeLikeTheirOwnDecoder() throws {
        let shared = SharedMessages()
        for message in Self.samples {
            let text = String(decoding: message.encoded(), as: UTF8.self)
            #expect(try shared.decode(text) == message)
            #expect(try shared.decode(text) == message)
        }
    }
}
