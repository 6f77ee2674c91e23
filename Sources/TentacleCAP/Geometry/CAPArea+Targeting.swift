extension CAPArea {
    /// Whether a display at (`lat`, `lon`) in `district` is in the area: inside or on one of its
    /// polygons or circles, or in a district one of its geocodes maps to through `geocodes`.
    public func contains(lat: Double, lon: Double, district: String? = nil, geocodes: GeocodeTable = GeocodeTable()) -> Bool {
        if polygons.contains(where: { $0.contains(lat: lat, lon: lon) }) { return true }
        if circles.contains(where: { $0.contains(lat: lat, lon: lon) }) { return true }
        guard let district else { return false }
        return self.geocodes.contains { geocodes.district(for: $0) == district }
    }

    /// The district codes the area's geocodes map to, sorted, each once.
    public func districts(in geocodes: GeocodeTable) -> [String] {
        Set(self.geocodes.compactMap(geocodes.district(for:))).sorted()
    }
}

extension CAPInfo {
    /// Whether any of the block's areas contains the display; a block without areas contains nothing.
    public func covers(lat: Double, lon: Double, district: String? = nil, geocodes: GeocodeTable = GeocodeTable()) -> Bool {
        areas.contains { $0.contains(lat: lat, lon: lon, district: district, geocodes: geocodes) }
    }
}

extension CAPAlert {
    /// Whether any area of any info block contains the display.
    public func covers(lat: Double, lon: Double, district: String? = nil, geocodes: GeocodeTable = GeocodeTable()) -> Bool {
        infos.contains { $0.covers(lat: lat, lon: lon, district: district, geocodes: geocodes) }
    }
}
