/// A brightness curve that cannot be used: the point at fault and why.
public struct BrightnessCurveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The point at fault, counted from 1; nil when the curve as a whole is wrong.
    public let point: Int?
    /// The point as written, when it came from text.
    public let text: String?
    public let reason: String

    init(point: Int?, text: String? = nil, _ reason: String) {
        self.point = point
        self.text = text
        self.reason = reason
    }

    public var description: String {
        switch (point, text) {
        case (let point?, let text?): "brightness curve point \(point) \"\(text)\": \(reason)"
        case (let point?, nil): "brightness curve point \(point): \(reason)"
        case (nil, _): "brightness curve: \(reason)"
        }
    }
}
