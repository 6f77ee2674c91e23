/// A centred interval tree over the latitude spans of a ring's edges.
///
/// A horizontal ray at latitude `y` can only meet the edges whose span holds `y`; the tree hands
/// exactly those over in O(log n + k) (k of them), in O(n) memory, however long or short the edges.
struct EdgeIndex: Sendable {
    private struct Node: Sendable {
        var center: Double
        /// The node's edges: `byLow[start..<end]` ascending by low end, `byHigh[start..<end]` descending by high end.
        var start: Int
        var end: Int
        var left: Int
        var right: Int
    }

    private var nodes: [Node] = []
    private var byLow: [Int32] = []
    private var byHigh: [Int32] = []
    private let low: [Double]
    private let high: [Double]
    private var root = -1

    init(low: [Double], high: [Double]) {
        self.low = low
        self.high = high
        byLow.reserveCapacity(low.count)
        byHigh.reserveCapacity(low.count)
        // Sorting by midpoint once keeps every partition sorted too, so each node takes its median for free.
        let middle = zip(low, high).map { ($0 + $1) / 2 }
        let sorted = (0..<Int32(low.count)).sorted { middle[Int($0)] < middle[Int($1)] }
        root = build(sorted)
    }

    private mutating func build(_ edges: [Int32]) -> Int {
        guard !edges.isEmpty else { return -1 }
        let median = Int(edges[edges.count / 2])
        let center = (low[median] + high[median]) / 2
        var left: [Int32] = [], right: [Int32] = [], here: [Int32] = []
        for e in edges {
            if high[Int(e)] < center {
                left.append(e)
            } else if low[Int(e)] > center {
                right.append(e)
            } else {
                here.append(e)
            }
        }
        let start = byLow.count
        byLow.append(contentsOf: here.sorted { low[Int($0)] < low[Int($1)] })
        byHigh.append(contentsOf: here.sorted { high[Int($0)] > high[Int($1)] })
        let slot = nodes.count
        nodes.append(Node(center: center, start: start, end: byLow.count, left: -1, right: -1))
        let l = build(left)
        let r = build(right)
        nodes[slot].left = l
        nodes[slot].right = r
        return slot
    }

    /// Calls `body` with every edge whose span holds `y`.
    func forEach(containing y: Double, _ body: (Int) -> Void) {
        var slot = root
        while slot >= 0 {
            let node = nodes[slot]
            if y < node.center {
                for i in node.start..<node.end {
                    let e = Int(byLow[i])
                    if low[e] > y { break }
                    body(e)
                }
                slot = node.left
            } else if y > node.center {
                for i in node.start..<node.end {
                    let e = Int(byHigh[i])
                    if high[e] < y { break }
                    body(e)
                }
                slot = node.right
            } else {
                for i in node.start..<node.end { body(Int(byLow[i])) }
                return
            }
        }
    }
}
