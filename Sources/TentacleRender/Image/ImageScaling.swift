/// How an image's pixels are resampled to a new size.
public enum ImageFilter: String, Codable, Sendable, CaseIterable {
    /// Each target pixel copies the source pixel under its centre: crisp pixel art, no new colours.
    case nearest
    /// Each target pixel averages the source area it covers: smooth photos and logos when shrinking.
    case box
}

/// How an image's aspect ratio meets its region's.
public enum ImageFit: String, Codable, Sendable, CaseIterable {
    /// The whole image shows, centred, with the region's background around it.
    case fit
    /// The image covers the region, centred, with the overflow cut off.
    case fill
    /// The image is scaled to the region exactly, ignoring its aspect ratio.
    case stretch
}

extension Frame {
    /// This image resampled to fill `rect`'s size according to `fit`; the result is always `rect`'s size.
    ///
    /// Uncovered parts (for `.fit`) take `background`. `.fill` crops the source before scaling, so a
    /// very thin source never grows into an enormous intermediate frame.
    public func scaled(toWidth width: Int, height: Int, filter: ImageFilter, fit: ImageFit, background: RGB = .black) -> Frame {
        var out = Frame(width: width, height: height, background: background)
        let w = out.width, h = out.height
        switch fit {
        case .stretch:
            out.draw(resampled(crop: (0, 0, Double(self.width), Double(self.height)), toWidth: w, height: h, filter: filter), x: 0, y: 0)
        case .fit:
            let s = min(Double(w) / Double(self.width), Double(h) / Double(self.height))
            let sw = max(1, min(w, Int((Double(self.width) * s).rounded())))
            let sh = max(1, min(h, Int((Double(self.height) * s).rounded())))
            let scaled = resampled(crop: (0, 0, Double(self.width), Double(self.height)), toWidth: sw, height: sh, filter: filter)
            out.draw(scaled, x: (w - sw) / 2, y: (h - sh) / 2)
        case .fill:
            let s = max(Double(w) / Double(self.width), Double(h) / Double(self.height))
            let cw = Double(w) / s, ch = Double(h) / s
            let crop = ((Double(self.width) - cw) / 2, (Double(self.height) - ch) / 2, cw, ch)
            out.draw(resampled(crop: crop, toWidth: w, height: h, filter: filter), x: 0, y: 0)
        }
        return out
    }

    /// The source area `crop` (x, y, width, height in source pixels) resampled to `width` × `height`.
    private func resampled(crop: (Double, Double, Double, Double), toWidth width: Int, height: Int, filter: ImageFilter) -> Frame {
        if crop == (0, 0, Double(self.width), Double(self.height)), width == self.width, height == self.height {
            return self
        }
        let xs = Frame.taps(from: crop.0, length: crop.2, sourceCount: self.width, targetCount: width, filter: filter)
        let ys = Frame.taps(from: crop.1, length: crop.3, sourceCount: self.height, targetCount: height, filter: filter)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let sw = self.width
        bytes.withUnsafeBufferPointer { src in
            for ty in 0..<height {
                for tx in 0..<width {
                    var r = 0.0, g = 0.0, b = 0.0
                    for (sy, wy) in ys[ty] {
                        for (sx, wx) in xs[tx] {
                            let weight = wy * wx
                            let i = (sy * sw + sx) * 3
                            r += Double(src[i]) * weight
                            g += Double(src[i + 1]) * weight
                            b += Double(src[i + 2]) * weight
                        }
                    }
                    let o = (ty * width + tx) * 3
                    out[o] = UInt8(min(255, max(0, r.rounded())))
                    out[o + 1] = UInt8(min(255, max(0, g.rounded())))
                    out[o + 2] = UInt8(min(255, max(0, b.rounded())))
                }
            }
        }
        return Frame(width: width, height: height, bytes: out) ?? Frame(width: width, height: height)
    }

    /// For each target pixel along one axis, the source pixels it reads and their weights (summing to 1).
    private static func taps(from start: Double, length: Double, sourceCount: Int, targetCount: Int, filter: ImageFilter) -> [[(Int, Double)]] {
        let step = length / Double(targetCount)
        return (0..<targetCount).map { t in
            let lo = start + Double(t) * step
            let hi = lo + step
            switch filter {
            case .nearest:
                let centre = Int(((lo + hi) / 2).rounded(.down))
                return [(min(max(centre, 0), sourceCount - 1), 1)]
            case .box:
                var taps: [(Int, Double)] = []
                var s = Int(lo.rounded(.down))
                while Double(s) < hi {
                    let cover = min(hi, Double(s + 1)) - max(lo, Double(s))
                    if cover > 0 { taps.append((min(max(s, 0), sourceCount - 1), cover / step)) }
                    s += 1
                }
                return taps.isEmpty ? [(min(max(Int(lo), 0), sourceCount - 1), 1)] : taps
            }
        }
    }

    /// Copies `source` with its top-left at (x, y), clipped to `clip` and the frame, a row at a time.
    mutating func draw(_ source: Frame, x: Int, y: Int, clip: Rect? = nil) {
        let target = bounds.intersection(clip ?? bounds).intersection(Rect(x: x, y: y, width: source.width, height: source.height))
        guard !target.isEmpty else { return }
        let width = self.width
        source.bytes.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBufferPointer { dst in
                for ty in target.y..<target.maxY {
                    let from = ((ty - y) * source.width + (target.x - x)) * 3
                    let to = (ty * width + target.x) * 3
                    UnsafeMutableRawPointer(dst.baseAddress! + to)
                        .copyMemory(from: src.baseAddress! + from, byteCount: target.width * 3)
                }
            }
        }
    }
}
