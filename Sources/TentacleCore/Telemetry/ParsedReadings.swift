/// A batch as a parser read it, with where each reading came from.
public struct ParsedBatch: Hashable, Sendable {
    public var batch: ReadingBatch
    /// The row of each reading in `batch.readings`: its line for NDJSON, CSV and line protocol,
    /// its 1-based position in `readings` for a JSON batch. Validation issues name these rows.
    public var rows: [Int]

    public init(batch: ReadingBatch, rows: [Int]) {
        self.batch = batch
        self.rows = rows
    }
}

/// What a parser made of a request body: the batches it read and the rows it could not read.
///
/// A body-level issue (malformed JSON, a wrong CSV header) has no row and comes with no batches;
/// row issues leave that row out of its batch and the rest are still returned.
public struct ParsedReadings: Hashable, Sendable {
    public var batches: [ParsedBatch]
    public var issues: [FieldIssue]

    public init(batches: [ParsedBatch] = [], issues: [FieldIssue] = []) {
        self.batches = batches
        self.issues = issues
    }

    /// The number of readings read, across batches.
    public var readingCount: Int { batches.reduce(0) { $0 + $1.batch.readings.count } }
}

/// Gathers one reading per row into batches by (source, sequence), in order of first appearance.
struct BatchGrouper {
    private struct Key: Hashable {
        var source: String
        var sequence: Int64
    }

    private var index: [Key: Int] = [:]
    private(set) var batches: [ParsedBatch] = []

    mutating func add(_ reading: Reading, sequence: Int64, row: Int) {
        // Rows of one batch usually come together; skip hashing while they do.
        if let last = batches.indices.last, batches[last].batch.sequence == sequence, batches[last].batch.source == reading.source {
            batches[last].batch.readings.append(reading)
            batches[last].rows.append(row)
            return
        }
        let key = Key(source: reading.source, sequence: sequence)
        if let i = index[key] {
            batches[i].batch.readings.append(reading)
            batches[i].rows.append(row)
        } else {
            index[key] = batches.count
            batches.append(ParsedBatch(batch: ReadingBatch(source: reading.source, sequence: sequence, readings: [reading]), rows: [row]))
        }
    }
}
