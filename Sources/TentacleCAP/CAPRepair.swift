/// Something a real feed sends that the parser mended instead of refusing, named by its path,
/// e.g. `alert.info[0].area[1].polygon[0]: empty polygon ignored`.
public struct CAPRepair: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var note: String

    public init(path: String, note: String) {
        self.path = path
        self.note = note
    }

    public var description: String { "\(path): \(note)" }
}

/// The repairs of one parse, collected as the decoder walks the document.
final class RepairLog {
    private(set) var repairs: [CAPRepair] = []

    func note(_ path: String, _ note: String) {
        repairs.append(CAPRepair(path: path, note: note))
    }
}
