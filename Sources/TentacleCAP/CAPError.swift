/// Why a CAP document was refused, with the path of the element at fault.
public struct CAPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem; compare against the static members (new kinds may be added).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String {
            case tooLarge, forbiddenDeclaration, unsupportedEncoding, malformed, truncated
            case tooDeep, tooManyElements, textTooLong
            case wrongNamespace, unsupportedVersion
            case unknownElement, duplicateElement, missingElement, invalidValue, invalidGeometry
        }

        private let code: Code

        private init(_ code: Code) {
            self.code = code
        }

        /// The document is bigger than `CAPLimits.maxBytes`.
        public static let tooLarge = Kind(.tooLarge)
        /// The document declares a DOCTYPE or an ENTITY.
        public static let forbiddenDeclaration = Kind(.forbiddenDeclaration)
        /// The document is not UTF-8 (or an ASCII-compatible encoding it declares).
        public static let unsupportedEncoding = Kind(.unsupportedEncoding)
        /// The XML is not well-formed.
        public static let malformed = Kind(.malformed)
        /// The document ends before its root element is closed.
        public static let truncated = Kind(.truncated)
        /// Elements are nested deeper than `CAPLimits.maxDepth`.
        public static let tooDeep = Kind(.tooDeep)
        /// The document has more elements than `CAPLimits.maxElements`.
        public static let tooManyElements = Kind(.tooManyElements)
        /// An element's text or an attribute value is longer than `CAPLimits.maxTextBytes`.
        public static let textTooLong = Kind(.textTooLong)
        /// The root is not a CAP 1.2 `alert`.
        public static let wrongNamespace = Kind(.wrongNamespace)
        /// The root is a CAP 1.1 or 1.0 `alert`.
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// An element in the CAP namespace that CAP 1.2 does not define at that place.
        public static let unknownElement = Kind(.unknownElement)
        /// An element that CAP allows once appears again.
        public static let duplicateElement = Kind(.duplicateElement)
        /// A required element is absent.
        public static let missingElement = Kind(.missingElement)
        /// An element's text is not a value CAP allows (enumeration, time, number, references).
        public static let invalidValue = Kind(.invalidValue)
        /// A polygon or circle is malformed (too few points, not closed, out of range).
        public static let invalidGeometry = Kind(.invalidGeometry)

        public var description: String { code.rawValue }
    }

    public let kind: Kind
    /// `document` for problems with the bytes as a whole, else a dotted element path such as
    /// `alert.info[0].area[1].polygon[0]` (repeatable elements carry their index).
    public let path: String
    /// What is wrong, in words an emergency manager can act on.
    public let reason: String

    init(_ kind: Kind, _ path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
