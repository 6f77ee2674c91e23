import Foundation
import TentacleRender

/// One output of the player, as chosen on the command line (`--sink`); see docs/output.md.
public enum SinkConfiguration: Hashable, Sendable {
    case null
    /// A preview in this terminal, at most `fps` frames a second.
    case terminal(fps: Int)
    /// Every `every`th frame into `folder`, keeping the newest `keep` files (0: all).
    case png(folder: String, every: Int, keep: Int)
    case sacn(E131Sink.Settings, MappingOptions)
    case artNet(host: String, port: UInt16, MappingOptions)

    /// Builds the sink for a `width`×`height` display: looks up hosts, opens sockets, creates
    /// folders. A mapping that does not fit the display throws a `SinkConfigurationError`
    /// naming the option ("panel", "universe").
    public func makeSink(for width: Int, height: Int) throws -> any FrameSink {
        switch self {
        case .null:
            NullSink()
        case .terminal(let fps):
            TerminalSink(fps: fps)
        case .png(let folder, let every, let keep):
            try PNGSink(folder: URL(filePath: folder), every: every, keep: keep)
        case .sacn(let settings, let options):
            try E131Sink(mapping: options.mapping(width: width, height: height), settings: settings)
        case .artNet(let host, let port, let options):
            try ArtNetSink(mapping: options.mapping(width: width, height: height), host: host, port: port)
        }
    }
}
