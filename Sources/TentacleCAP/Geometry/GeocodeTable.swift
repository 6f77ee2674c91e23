/// Maps CAP geocodes to the city's district codes: `[valueName: [value: districtCode]]`.
///
/// CAP geocodes name areas in some scheme (`EMMA_ID` `EI807`, `SAME` `006037`, ...); the city says
/// which of its districts each one means. Names and values match exactly; unknown geocodes reach no display.
public struct GeocodeTable: Hashable, Sendable {
    public var districts: [String: [String: String]]

    public init(_ districts: [String: [String: String]] = [:]) {
        self.districts = districts
    }

    /// The district the geocode stands for, if the table knows it.
    public func district(for geocode: CAPNamedValue) -> String? {
        districts[geocode.valueName]?[geocode.value]
    }
}
