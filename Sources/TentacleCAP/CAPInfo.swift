public import Foundation
public import TentacleCore

/// One CAP `info` block: the event, its urgency, severity and certainty, texts in one language, and areas.
public struct CAPInfo: Hashable, Sendable {
    /// CAP `category`.
    public enum Category: String, Hashable, Sendable, CaseIterable {
        case geo = "Geo", met = "Met", safety = "Safety", security = "Security", rescue = "Rescue", fire = "Fire"
        case health = "Health", env = "Env", transport = "Transport", infra = "Infra", cbrne = "CBRNE", other = "Other"
    }

    /// CAP `responseType`.
    public enum ResponseType: String, Hashable, Sendable, CaseIterable {
        case shelter = "Shelter", evacuate = "Evacuate", prepare = "Prepare", execute = "Execute", avoid = "Avoid"
        case monitor = "Monitor", assess = "Assess", allClear = "AllClear", `none` = "None"
    }

    /// CAP `urgency`.
    public enum Urgency: String, Hashable, Sendable, CaseIterable {
        case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"
    }

    /// CAP `certainty`; the CAP 1.0 value "Very Likely" is read as `likely`, as CAP 1.1 and 1.2 direct.
    public enum Certainty: String, Hashable, Sendable, CaseIterable {
        case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely", unknown = "Unknown"
    }

    /// "en-US" when the block has no `language` (the CAP default).
    public var language: String
    public var categories: [Category]
    public var event: String
    public var responseTypes: [ResponseType]
    public var urgency: Urgency
    public var severity: AlertSeverity
    public var certainty: Certainty
    public var audience: String?
    public var eventCodes: [CAPNamedValue]
    public var effective: Date?
    public var onset: Date?
    public var expires: Date?
    public var senderName: String?
    public var headline: String?
    public var description: String?
    public var instruction: String?
    public var web: String?
    public var contact: String?
    public var parameters: [CAPNamedValue]
    public var resources: [CAPResource]
    public var areas: [CAPArea]

    public static let defaultLanguage = "en-US"

    public init(
        language: String = CAPInfo.defaultLanguage, categories: [Category], event: String, responseTypes: [ResponseType] = [],
        urgency: Urgency, severity: AlertSeverity, certainty: Certainty, audience: String? = nil, eventCodes: [CAPNamedValue] = [],
        effective: Date? = nil, onset: Date? = nil, expires: Date? = nil, senderName: String? = nil, headline: String? = nil,
        description: String? = nil, instruction: String? = nil, web: String? = nil, contact: String? = nil,
        parameters: [CAPNamedValue] = [], resources: [CAPResource] = [], areas: [CAPArea] = []
    ) {
        self.language = language
        self.categories = categories
        self.event = event
        self.responseTypes = responseTypes
        self.urgency = urgency
        self.severity = severity
        self.certainty = certainty
        self.audience = audience
        self.eventCodes = eventCodes
        self.effective = effective
        self.onset = onset
        self.expires = expires
        self.senderName = senderName
        self.headline = headline
        self.description = description
        self.instruction = instruction
        self.web = web
        self.contact = contact
        self.parameters = parameters
        self.resources = resources
        self.areas = areas
    }
}

/// A CAP `valueName`/`value` pair, as used by `eventCode`, `parameter` and `geocode`.
public struct CAPNamedValue: Hashable, Sendable {
    public var valueName: String
    public var value: String

    public init(valueName: String, value: String) {
        self.valueName = valueName
        self.value = value
    }
}

/// A CAP `resource`: a file (image, audio, document) that goes with an info block.
public struct CAPResource: Hashable, Sendable {
    public var resourceDesc: String
    public var mimeType: String
    /// Size in bytes.
    public var size: Int?
    public var uri: String?
    /// The content itself, base64-encoded, when the sender embedded it.
    public var derefUri: String?
    /// SHA-1 of the content, hex.
    public var digest: String?

    public init(resourceDesc: String, mimeType: String, size: Int? = nil, uri: String? = nil, derefUri: String? = nil, digest: String? = nil) {
        self.resourceDesc = resourceDesc
        self.mimeType = mimeType
        self.size = size
        self.uri = uri
        self.derefUri = derefUri
        self.digest = digest
    }
}
