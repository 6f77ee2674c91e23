import Foundation
import Synchronization

/// Finds JSON object keys, at any depth, that a `Decodable` type never asks for.
///
/// The type is decoded once more through a decoder that records every key each keyed container
/// is asked about (decoded, checked with `contains`, or read as null); a key of an object that the
/// type opened but never asked about is unknown. So one mechanism covers every body and every
/// nested value (`schedule.window`, `target.district`, a widget's `colour`), and a type's own
/// `CodingKeys` are the only list of its fields.
enum UnknownFields {
    /// The first unknown key in document order (keys sorted within an object), with the keys its object allows.
    struct Found: Equatable {
        /// The key's path: keys dotted, array indices in brackets ("schedule.windows[0].begin").
        var path: String
        var allowed: [String]
    }

    /// Nil when every key is read by `type`, or when `data` does not decode as `type` (decoding reports that).
    static func first<T: Decodable>(_ type: T.Type, in data: Data, dates: JSONDecoder.DateDecodingStrategy = .iso8601) -> Found? {
        let tracker = Tracker()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = dates
        decoder.userInfo[Tracker.key] = tracker
        guard (try? decoder.decode(Probe<T>.self, from: data)) != nil,
              let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return tracker.state.withLock { seen in Self.walk(tree, path: "", seen) }
    }

    private static func walk(_ value: Any, path: String, _ seen: Seen) -> Found? {
        if let object = value as? [String: Any] {
            guard let asked = seen.asked[path] else { return nil }
            for key in object.keys.sorted() where !(object[key] is NSNull) {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard asked.contains(key) else { return Found(path: child, allowed: asked.sorted()) }
                if let found = walk(object[key]!, path: child, seen) { return found }
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                if let found = walk(element, path: "\(path)[\(index)]", seen) { return found }
            }
        }
        return nil
    }

    /// Keys asked for, by the path of the object they were asked of.
    fileprivate struct Seen {
        var asked: [String: Set<String>] = [:]
    }

    fileprivate final class Tracker: Sendable {
        static let key = CodingUserInfoKey(rawValue: "tentacle.unknownFields")!
        let state = Mutex(Seen())

        func opened(_ path: String) {
            state.withLock { _ = $0.asked[path, default: []] }
        }

        func asked(_ key: String, at path: String) {
            state.withLock { _ = $0.asked[path, default: []].insert(key) }
        }
    }

    /// Decodes `T` through the tracking decoder.
    private struct Probe<T: Decodable>: Decodable {
        init(from decoder: any Decoder) throws {
            guard let tracker = decoder.userInfo[Tracker.key] as? Tracker else { return }
            _ = try T(from: TrackingDecoder(base: decoder, path: "", tracker: tracker))
        }
    }
}

/// Values JSONDecoder reads by its own strategies rather than by their `init(from:)`.
private func isLeaf<T>(_ type: T.Type) -> Bool {
    type == Date.self || type == Data.self || type == URL.self || type == Decimal.self
}

private struct TrackingDecoder: Decoder {
    let base: any Decoder
    let path: String
    let tracker: UnknownFields.Tracker

    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        tracker.opened(path)
        return KeyedDecodingContainer(TrackingKeyedContainer(base: try base.container(keyedBy: type), path: path, tracker: tracker))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        TrackingUnkeyedContainer(base: try base.unkeyedContainer(), path: path, tracker: tracker)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TrackingSingleValueContainer(base: try base.singleValueContainer(), decoder: self)
    }
}

private struct TrackingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let base: KeyedDecodingContainer<Key>
    let path: String
    let tracker: UnknownFields.Tracker

    var codingPath: [any CodingKey] { base.codingPath }
    var allKeys: [Key] { base.allKeys }

    private func ask(_ key: Key) -> String {
        tracker.asked(key.stringValue, at: path)
        return path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)"
    }

    func contains(_ key: Key) -> Bool {
        _ = ask(key)
        return base.contains(key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        _ = ask(key)
        return try base.decodeNil(forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { _ = ask(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { _ = ask(key); return try base.decode(type, forKey: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let child = ask(key)
        guard !isLeaf(type), base.contains(key) else { return try base.decode(type, forKey: key) }
        return try T(from: TrackingDecoder(base: try base.superDecoder(forKey: key), path: child, tracker: tracker))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let child = ask(key)
        tracker.opened(child)
        return KeyedDecodingContainer(TrackingKeyedContainer<NestedKey>(base: try base.nestedContainer(keyedBy: type, forKey: key), path: child, tracker: tracker))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        TrackingUnkeyedContainer(base: try base.nestedUnkeyedContainer(forKey: key), path: ask(key), tracker: tracker)
    }

    func superDecoder() throws -> any Decoder {
        try base.superDecoder()
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TrackingDecoder(base: try base.superDecoder(forKey: key), path: ask(key), tracker: tracker)
    }
}

private struct TrackingUnkeyedContainer: UnkeyedDecodingContainer {
    var base: any UnkeyedDecodingContainer
    let path: String
    let tracker: UnknownFields.Tracker

    var codingPath: [any CodingKey] { base.codingPath }
    var count: Int? { base.count }
    var isAtEnd: Bool { base.isAtEnd }
    var currentIndex: Int { base.currentIndex }
    private var child: String { "\(path)[\(base.currentIndex)]" }

    mutating func decodeNil() throws -> Bool { try base.decodeNil() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try base.decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isLeaf(type) else { return try base.decode(type) }
        let path = child
        return try T(from: TrackingDecoder(base: try base.superDecoder(), path: path, tracker: tracker))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = child
        tracker.opened(path)
        return KeyedDecodingContainer(TrackingKeyedContainer<NestedKey>(base: try base.nestedContainer(keyedBy: type), path: path, tracker: tracker))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = child
        return TrackingUnkeyedContainer(base: try base.nestedUnkeyedContainer(), path: path, tracker: tracker)
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = child
        return TrackingDecoder(base: try base.superDecoder(), path: path, tracker: tracker)
    }
}

private struct TrackingSingleValueContainer: SingleValueDecodingContainer {
    let base: any SingleValueDecodingContainer
    let decoder: TrackingDecoder

    var codingPath: [any CodingKey] { base.codingPath }

    func decodeNil() -> Bool { base.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    func decode(_ type: String.Type) throws -> String { try base.decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isLeaf(type) else { return try base.decode(type) }
        return try T(from: decoder)
    }
}
