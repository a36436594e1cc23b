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
    /// The scan state at the end of `pending` (or of the overlong record being skipped).
    private var state = ScanState.fieldStart

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
            state = Self.advance(line, from: state, delimiter: delimiter, trimLeadingSpace: trimLeadingSpace)
            if state != .quoted { overlong = false }
            return .none
        }
        if pending.isEmpty {
            if line.isEmpty { return .none }
            if let comment, line[0] == comment { return .none }
            guard line.contains(ASCII.quote) else { return split(line, firstLine: number, newlines: []) }
            state = Self.advance(line, from: .fieldStart, delimiter: delimiter, trimLeadingSpace: trimLeadingSpace)
            if state == .quoted {
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
            state = Self.advance(line, from: state, delimiter: delimiter, trimLeadingSpace: trimLeadingSpace)
            overlong = state == .quoted
            return .error(start, 1, "record longer than \(maxRecordBytes) bytes: skipped (a quoted field is not closed, or raise --max-line)")
        }
        pending.append(contentsOf: line)
        state = Self.advance(line, from: state, delimiter: delimiter, trimLeadingSpace: trimLeadingSpace)
        if state == .quoted {
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

    /// Where a scan of record text stands: only `quoted` at the end of a line means the record goes on.
    enum ScanState {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    /// Runs the quoting state machine over `b` from `state`; linear, so a long multi-line record is
    /// scanned once, line by line, not again from its start. Malformed quoting ends the quoted state
    /// (``split(_:firstLine:newlines:)`` reports it).
    static func advance(_ b: UnsafeBufferPointer<UInt8>, from state: ScanState, delimiter: UInt8, trimLeadingSpace: Bool) -> ScanState {
        var s = state
        for c in b {
            switch s {
            case .fieldStart:
                if c == ASCII.quote {
                    s = .quoted
                } else if c == delimiter {
                    s = .fieldStart
                } else if !(trimLeadingSpace && (c == ASCII.space || c == ASCII.tab)) {
                    s = .unquoted
                }
            case .unquoted:
                if c == delimiter { s = .fieldStart }
            case .quoted:
                if c == ASCII.quote { s = .quoteInQuoted }
            case .quoteInQuoted:
                if c == ASCII.quote {
                    s = .quoted
                } else if c == delimiter {
                    s = .fieldStart
                } else {
                    s = .unquoted
                }
            }
        }
        return s
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
