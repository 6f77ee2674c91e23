import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A CAP element as read: its local name, text and CAP child elements (foreign ones are left out).
struct ElementNode {
    var name: String
    var text = ""
    var children: [ElementNode] = []
}

/// Reads the XML into a tree of CAP elements with XMLParser, enforcing the limits as it goes.
///
/// The root must be a CAP 1.2 `alert`. Inside it, elements of any other namespace (an XML-DSig
/// `ds:Signature`, vendor extensions) are skipped with everything in them; elements without a
/// namespace are read as CAP ones, since some feeds prefix only the root (`<cap:alert>`).
enum ElementTree {
    static func build(_ data: Data, limits: CAPLimits) throws(CAPError) -> ElementNode {
        let parser = XMLParser(data: data)
        let builder = Builder(data: data, limits: limits)
        parser.delegate = builder
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        // A refused root loses only to truncation: a cut inside the root tag can look like another name.
        if let error = builder.error, error.kind == .truncated || builder.refusal == nil { throw error }
        if let refusal = builder.refusal { throw refusal }
        guard let root = builder.root else {
            if let open = builder.openPath { throw CAPError(.truncated, open, "the document ends before this element is closed") }
            throw CAPError(.malformed, "document", "has no root element")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        private struct Frame {
            /// Nil for an element outside the CAP namespace, which is skipped with its content.
            var node: ElementNode?
            var label: String
            var textBytes = 0
            var seen: [String: Int] = [:]
        }

        let data: Data
        let limits: CAPLimits
        private var stack: [Frame] = []
        private var elements = 0
        private(set) var root: ElementNode?
        private(set) var error: CAPError?
        /// Why the root is not a CAP 1.2 alert; the rest is still read, to tell a truncated document apart.
        private(set) var refusal: CAPError?

        init(data: Data, limits: CAPLimits) {
            self.data = data
            self.limits = limits
        }

        /// Whether the parser stands at the end of the input (the column may lag by one), where a
        /// complaint about an unfinished tag or comment means the document was cut off.
        private func atEndOfInput(_ parser: XMLParser) -> Bool {
            let lastLine = data.lastIndex(of: 0x0A).map { $0 + 1 } ?? data.startIndex
            let line = data.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let column = String(decoding: data[lastLine...], as: UTF8.self).unicodeScalars.count + 1
            return parser.lineNumber == line && parser.columnNumber >= column - 1
        }

        /// The path of the innermost open element, if any.
        var openPath: String? {
            stack.isEmpty ? nil : stack.map(\.label).joined(separator: ".")
        }

        private func path(adding label: String) -> String {
            (stack.map(\.label) + [label]).joined(separator: ".")
        }

        private func fail(_ parser: XMLParser, _ error: CAPError) {
            if self.error == nil { self.error = error }
            parser.abortParsing()
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            guard error == nil else { return }
            let namespace = namespaceURI ?? ""
            if stack.isEmpty {
                refusal = Self.rootRefusal(name: name, qualifiedName: qualifiedName ?? name, namespace: namespace)
            }
            let inCAP = stack.last.map { $0.node != nil } ?? true
            let read = refusal == nil && inCAP && (stack.isEmpty || namespace == CAP.namespace || namespace.isEmpty)
            var label = read ? name : (qualifiedName ?? name)
            if read, !stack.isEmpty, CAPSchema.repeatable.contains(name) {
                let index = stack[stack.count - 1].seen[name, default: 0]
                stack[stack.count - 1].seen[name] = index + 1
                label += "[\(index)]"
            }
            elements += 1
            if elements > limits.maxElements {
                return fail(parser, CAPError(.tooManyElements, path(adding: label), "the document has more than \(limits.maxElements) elements"))
            }
            if stack.count + 1 > limits.maxDepth {
                return fail(parser, CAPError(.tooDeep, path(adding: label), "elements are nested more than \(limits.maxDepth) deep"))
            }
            if let (attribute, _) = attributes.first(where: { $0.value.utf8.count > limits.maxTextBytes }) {
                return fail(parser, CAPError(
                    .textTooLong, path(adding: label), "attribute '\(attribute.prefix(40))' is longer than \(limits.maxTextBytes) bytes"
                ))
            }
            stack.append(Frame(node: read ? ElementNode(name: name) : nil, label: label))
        }

        private static func rootRefusal(name: String, qualifiedName: String, namespace: String) -> CAPError? {
            if namespace == CAP.namespace {
                return name == "alert" ? nil : CAPError(.wrongNamespace, qualifiedName, "the root element must be <alert>")
            }
            if let version = CAP.olderNamespaces[namespace] {
                return CAPError(.unsupportedVersion, qualifiedName, "CAP \(version) is not supported; send CAP 1.2 (namespace \(CAP.namespace))")
            }
            if namespace.isEmpty {
                return CAPError(.wrongNamespace, qualifiedName, "has no namespace; a CAP 1.2 alert is <alert xmlns=\"\(CAP.namespace)\">")
            }
            return CAPError(.wrongNamespace, qualifiedName, "namespace '\(namespace.prefix(100))' is not CAP 1.2 (\(CAP.namespace))")
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard error == nil, let frame = stack.popLast() else { return }
            guard let node = frame.node else { return }
            if stack.isEmpty {
                root = node
            } else if stack[stack.count - 1].node != nil {
                stack[stack.count - 1].node!.children.append(node)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            append(parser, string)
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            append(parser, String(decoding: block, as: UTF8.self))
        }

        private func append(_ parser: XMLParser, _ text: String) {
            guard error == nil, !stack.isEmpty, stack[stack.count - 1].node != nil else { return }
            stack[stack.count - 1].textBytes += text.utf8.count
            if stack[stack.count - 1].textBytes > limits.maxTextBytes {
                return fail(parser, CAPError(.textTooLong, openPath ?? "document", "the text is longer than \(limits.maxTextBytes) bytes"))
            }
            stack[stack.count - 1].node!.text += text
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            guard error == nil else { return }
            let code = LibXML2Error(rawValue: (parseError as NSError).code)
            let place = "line \(parser.lineNumber), column \(parser.columnNumber)"
            let error: CAPError
            switch (code, openPath) {
            case (.documentEnd?, nil) where root != nil:
                error = CAPError(.malformed, "document", "has content after the closing </alert> (\(place))")
            case (.documentEnd?, let open?):
                error = CAPError(.truncated, open, "the document ends before this element is closed (\(place))")
            case (_, let open) where atEndOfInput(parser):
                error = CAPError(.truncated, open ?? "document", "the document ends before \(open == nil ? "its root element" : "this element") is closed (\(place))")
            default:
                let what = code?.explanation ?? "parser error \((parseError as NSError).code)"
                error = CAPError(.malformed, openPath ?? "document", "the XML is not well-formed: \(what) (\(place))")
            }
            fail(parser, error)
        }
    }

    /// libxml2's error numbers, which XMLParser reports as the error code. They are compared as
    /// numbers because swift-corelibs-foundation's `XMLParser.ErrorCode` cases are off by one from them.
    private enum LibXML2Error: Int {
        case documentEmpty = 4, documentEnd = 5
        case invalidHexCharRef = 6, invalidDecimalCharRef = 7, invalidCharRef = 8, invalidChar = 9
        case undeclaredEntity = 26, lessThanInAttribute = 38, attributeNotStarted = 39, attributeNotFinished = 40
        case attributeRedefined = 42, nameRequired = 68, lessThanRequired = 72, greaterThanRequired = 73
        case tagNameMismatch = 76, tagNotFinished = 77, entityLoop = 89

        var explanation: String {
            switch self {
            case .documentEmpty, .documentEnd: return "the document is empty or ends early"
            case .invalidHexCharRef, .invalidDecimalCharRef, .invalidCharRef, .invalidChar: return "it contains a character XML does not allow"
            case .undeclaredEntity, .entityLoop:
                return "it refers to an entity that is not declared (only &amp; &lt; &gt; &quot; &apos; and character references are allowed)"
            case .lessThanInAttribute, .attributeNotStarted, .attributeNotFinished, .attributeRedefined: return "an attribute is malformed"
            case .nameRequired, .lessThanRequired, .greaterThanRequired: return "a tag is malformed"
            case .tagNameMismatch: return "a closing tag does not match the open element"
            case .tagNotFinished: return "an element is not closed"
            }
        }
    }
}
