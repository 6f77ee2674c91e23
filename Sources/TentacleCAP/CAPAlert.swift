public import Foundation

/// A validated CAP 1.2 alert message: the `alert` element and everything in it.
public struct CAPAlert: Hashable, Sendable {
    /// CAP `status`: who the message is for.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        case actual = "Actual", exercise = "Exercise", system = "System", test = "Test", draft = "Draft"
    }

    /// CAP `msgType`: what the message does to earlier ones.
    public enum MessageType: String, Hashable, Sendable, CaseIterable {
        case alert = "Alert", update = "Update", cancel = "Cancel", ack = "Ack", error = "Error"
    }

    /// CAP `scope`: who may see the message.
    public enum Scope: String, Hashable, Sendable, CaseIterable {
        case `public` = "Public", restricted = "Restricted", `private` = "Private"
    }

    public var identifier: String
    public var sender: String
    public var sent: Date
    public var status: Status
    public var msgType: MessageType
    public var source: String?
    public var scope: Scope
    public var restriction: String?
    public var addresses: String?
    public var codes: [String]
    public var note: String?
    /// The earlier messages an Update, Cancel or Ack refers to.
    public var references: [CAPReference]
    public var incidents: String?
    /// One block per language (or per audience); a Cancel often has none.
    public var infos: [CAPInfo]
    /// What the parser mended rather than refused (empty polygons, longitudes past ±180).
    public var repairs: [CAPRepair]

    public init(
        identifier: String, sender: String, sent: Date, status: Status, msgType: MessageType, source: String? = nil,
        scope: Scope, restriction: String? = nil, addresses: String? = nil, codes: [String] = [], note: String? = nil,
        references: [CAPReference] = [], incidents: String? = nil, infos: [CAPInfo] = [], repairs: [CAPRepair] = []
    ) {
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.status = status
        self.msgType = msgType
        self.source = source
        self.scope = scope
        self.restriction = restriction
        self.addresses = addresses
        self.codes = codes
        self.note = note
        self.references = references
        self.incidents = incidents
        self.infos = infos
        self.repairs = repairs
    }
}

/// One entry of CAP `references`: the earlier message's sender, identifier and sent time.
public struct CAPReference: Hashable, Sendable {
    public var sender: String
    public var identifier: String
    public var sent: Date

    public init(sender: String, identifier: String, sent: Date) {
        self.sender = sender
        self.identifier = identifier
        self.sent = sent
    }

    /// Whether this entry names `alert` (same sender, identifier and instant).
    public func refers(to alert: CAPAlert) -> Bool {
        sender == alert.sender && identifier == alert.identifier && sent == alert.sent
    }
}
