/// Assembles CSV records from lines and splits them into fields, as Go's `encoding/csv` reads them
/// (RFC 4180: a quoted field may hold the delimiter, `""` for a quote, and raw newlines).
///
/// A record whose quoted field is still open at the end of a line is kept pending, up to
/// `maxRecordBytes`, and completed by the following lines. Empty lines and comment lines are skipped.
/// A CR before a newline is dropped (inside quotes too, so CRLF becomes LF as in Go).
struct CSVRecordReader {
    /// One split record: its fields and where each starts, for error positions.
    struct Record {
        var fields: [String] = []
        /// Byte offset of each field's first byte within the record text.
        var offsets: [Int] = []
        /// Line number of the record's first line.
        var line = 0
        /// Offsets of the newlines inside the record (multi-line records).
        var newlines: [Int] = []

        /// 1-based line and column of a byte offset in the record.
        func position(_ offset: Int) -> (line: Int, column: Int) {
            var l = line
            var start = 0
            for nl in newlines where nl < offset {
                l += 1
                start = nl + 1
            }
            return (l, offset - start + 1)
        }
    }

    enum Outcome {
        /// Nothing to do yet (skipped line, or a record continues on the next line).
        case none
        case record
        /// The record is malformed: line, column, message.
        case error(Int, Int, String)
    }

    let delimiter: UInt8
    let comment: UInt8?
    let trimLeadingSpace: Bool
    let maxRecordBytes: Int

    private(set) var record = Record()
    private var pending: [UInt8] = []
    private var pendingLine = 0
    private var pendingNewlines: [Int] = []
    private var overlong = false

    init(delimiter: UInt8, comment: UInt8?, trimLeadingSpace: Bool, maxRecordBytes: Int) {
        self.delimiter = delimiter
        self.comment = comment
        self.trimLeadingSpace = trimLeadingSpace
        self.maxRecordBytes = maxRecordBytes
    }

    /// True while a multi-line record waits for its next line.
    var isPending: Bool { !pending.isEmpty || overlong }

    /// Feeds one line (without its `\n`); when it completes a record, `record` holds it.
    mutating func feed(_ raw: UnsafeBufferPointer<UInt8>, number: Int) -> Outcome {
        let line = raw.droppingTrailingCR()
        if overlong {
            // Skip up to the line that closes the overlong quoted field.
            if Self.closesQuote(line, delimiter: delimiter) {
                overlong = false
            }
            return .none
        }
        if pending.isEmpty {
            if line.isEmpty { return .none }
            if let comment, line[0] == comment { return .none }
            if Self.endsInsideQuotes(line, delimiter: delimiter, trimLeadingSpace: trimLeadingSpace) {
                pending.append(contentsOf: line)
                pending.append(ASCII.newline)
                pendingNewlines = [line.count]
                pendingLine = number
                return .none
            }
            return split(line, firstLine: number, newlines: [])
        }
        if pending.count + line.count > maxRecordBytes {
            let start = pendingLine
            pending.removeAll(keepingCapacity: true)
            overlong = !Self.closesQuote(line, delimiter: delimiter)
            return .error(start, 1, "record longer than \(maxRecordBytes) bytes: skipped (a quoted field is not closed, or raise --max-line)")
        }
        pending.append(contentsOf: line)
        let whole = pending.withUnsafeBufferPointer { Self.endsInsideQuotes($0, delimiter: delimiter, trimLeadingSpace: trimLeadingSpace) }
        if whole {
            pendingNewlines.append(pending.count)
            pending.append(ASCII.newline)
            return .none
        }
        let out = pending.withUnsafeBufferPointer { split($0, firstLine: pendingLine, newlines: pendingNewlines) }
        pending.removeAll(keepingCapacity: true)
        return out
    }

    /// End of input: a record still open is an error.
    mutating func finish() -> Outcome {
        if overlong {
            overlong = false
            return .none
        }
        guard !pending.isEmpty else { return .none }
        let start = pendingLine
        pending.removeAll(keepingCapacity: true)
        return .error(start, 1, "quoted field is not closed at the end of the input")
    }

    /// Whether a line, read as the continuation of an open quoted field, closes it.
    static func closesQuote(_ b: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Bool {
        var quotes = 0
        for c in b where c == ASCII.quote { quotes += 1 }
        return quotes % 2 == 1
    }

    /// Whether the text ends inside a quoted field (so the record goes on after the newline).
    static func endsInsideQuotes(_ b: UnsafeBufferPointer<UInt8>, delimiter: UInt8, trimLeadingSpace: Bool) -> Bool {
        var i = 0
        let n = b.count
        // Fast path: no quote at all.
        guard b.contains(ASCII.quote) else { return false }
        while i <= n {
            // Field start.
            if trimLeadingSpace {
                while i < n, b[i] == ASCII.space || b[i] == ASCII.tab { i += 1 }
            }
            if i < n, b[i] == ASCII.quote {
                i += 1
                while true {
                    guard i < n else { return true }
                    if b[i] == ASCII.quote {
                        if i + 1 < n, b[i + 1] == ASCII.quote {
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    i += 1
                }
                // After the closing quote: a delimiter, the end, or garbage (an error split() reports).
                if i < n, b[i] != delimiter { return false }
            } else {
                while i < n, b[i] != delimiter { i += 1 }
            }
            if i >= n { return false }
            i += 1  // the delimiter
            if i == n { return false }
        }
        return false
    }

    /// Splits a complete record into `record`.
    private mutating func split(_ b: UnsafeBufferPointer<UInt8>, firstLine: Int, newlines: [Int]) -> Outcome {
        record.fields.removeAll(keepingCapacity: true)
        record.offsets.removeAll(keepingCapacity: true)
        record.line = firstLine
        record.newlines = newlines
        let n = b.count
        var i = 0
        var field: [UInt8] = []
        while true {
            if trimLeadingSpace {
                while i < n, b[i] == ASCII.space || b[i] == ASCII.tab { i += 1 }
            }
            let start = i
            if i < n, b[i] == ASCII.quote {
                field.removeAll(keepingCapacity: true)
                i += 1
                var closed = false
                while i < n {
                    let c = b[i]
                    if c == ASCII.quote {
                        if i + 1 < n, b[i + 1] == ASCII.quote {
                            field.append(ASCII.quote)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    field.append(c)
                    i += 1
                }
                if !closed {
                    let p = record.position(start)
                    return .error(p.line, p.column, "quoted field is not closed")
                }
                if i < n, b[i] != delimiter {
                    let p = record.position(i)
                    return .error(p.line, p.column, "extraneous or missing \" in quoted field")
                }
                record.fields.append(String(decoding: field, as: UTF8.self))
            } else {
                var j = i
                while j < n, b[j] != delimiter {
                    if b[j] == ASCII.quote {
                        let p = record.position(j)
                        return .error(p.line, p.column, "bare \" in non-quoted field")
                    }
                    j += 1
                }
                record.fields.append(String(bytes: b, i..<j))
                i = j
            }
            record.offsets.append(start)
            if i >= n { break }
            i += 1  // delimiter
        }
        return .record
    }
}
