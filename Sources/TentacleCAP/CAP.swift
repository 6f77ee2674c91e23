public import Foundation

/// CAP 1.2 parsing: `CAP.parse` turns a document into a validated `CAPAlert` or a `CAPError`.
///
/// Only CAP 1.2 is read; a CAP 1.1 or 1.0 document is refused with a message saying so.
public enum CAP {
    /// The CAP 1.2 XML namespace.
    public static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"

    /// Namespaces of earlier CAP versions, to name them in the refusal.
    static let olderNamespaces = [
        "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
        "urn:oasis:names:tc:emergency:cap:1.0": "1.0",
        "http://www.incident.com/cap/1.0": "1.0",
    ]

    /// Parses and validates a CAP 1.2 document (see docs/alerts.md for the rules).
    public static func parse(_ data: Data, limits: CAPLimits = .default) throws(CAPError) -> CAPAlert {
        try data.withUnsafeBytes { bytes in
            Result { () throws(CAPError) in try DocumentScreen.check(bytes, limits: limits) }
        }.get()
        let root = try ElementTree.build(data, limits: limits)
        return try AlertDecoder.alert(root)
    }

    /// Parses and validates a CAP 1.2 document given as bytes.
    public static func parse(_ bytes: [UInt8], limits: CAPLimits = .default) throws(CAPError) -> CAPAlert {
        try parse(Data(bytes), limits: limits)
    }
}
