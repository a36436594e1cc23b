/// JSON input, streamed whatever the layout: one object per line (NDJSON), pretty-printed objects
/// over many lines, a top-level array of objects read element by element (flat memory for a huge
/// array), `null`, whitespace between values and a leading UTF-8 BOM.
///
/// Each top-level value (or element of a top-level array) is one record, held while it spans lines
/// and bounded by `maxLineBytes`. A record is read with ``JSONReader`` and turned into metrics by
/// ``JSONRecordDecoder``: Telegraf's serializer shape is read back as the metric it describes, any
/// other object the way Telegraf's JSON parser reads it. A bad record is reported at the line and
/// column of its offending byte and skipped; reading goes on with the next value.
public struct JSONParser: MetricParser {
    private enum ArrayExpect { case firstValue, value, commaOrEnd, any }
    private enum RecordKind { case container, string, scalar }
    private struct Segment {
        var offset: Int
        var line: Int
        var column: Int
    }

    let decoder: JSONRecordDecoder
    let maxBytes: Int
    let strict: Bool
    /// Off in tests that check the direct reading of the serializer shape against the general one.
    var readsDirectly = true

    private var atStart = true
    // A top-level array being streamed.
    private var topArray = false
    private var arrayExpect = ArrayExpect.firstValue
    private var arrayLine = 0, arrayColumn = 0
    private var arrayFailed = false
    private var held: [Metric] = []
    private var heldOrigins: [MetricOrigin] = []
    // The record being read.
    private var inRecord = false
    private var kind = RecordKind.container
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var stack: [UInt8] = []
    private var lastSignificant: UInt8 = 0
    private var pending: [UInt8] = []
    private var segments: [Segment] = []
    private var overlong = false
    private var startLine = 0, startColumn = 0
    private var lastLineEnd = (line: 0, column: 0)
    /// Where a line ended inside a string: a newline in a string literal when another line follows,
    /// the end of the input when none does (reported then).
    private var stringBreak: (line: Int, column: Int)?
    /// The end of the last line seen at all: where an unclosed top-level array is reported.
    private var inputEnd = (line: 1, column: 1)

    public init(options: FormatOptions) throws(FormatError) {
        decoder = try JSONRecordDecoder(options: options)
        maxBytes = options.maxLineBytes
        strict = options.json.strict
    }

    public mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        if let at = stringBreak {
            // A next line came: the string did hold a newline.
            stringBreak = nil
            handler.report(.error(line: at.line, column: at.column, "invalid character '\\n' in string literal"))
        }
        let n = line.count
        inputEnd = (number, n + 1)
        var i = 0
        if atStart {
            atStart = false
            if n >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF { i = 3 }
        }
        if inRecord {
            // A new object at the start of a line where no value can start: the open record was cut short.
            if n > 0, line[0] == UInt8(ascii: "{"), !expectingValue {
                handler.report(.error(line: lastLineEnd.line, column: lastLineEnd.column, unclosedMessage()))
                endRecord(failed: true, handler)
            } else {
                guard continueRecord(line, from: &i, number: number, handler) else { return }
            }
        }
        while i < n {
            let c = line[i]
            if c == ASCII.space || c == ASCII.tab || c == ASCII.cr {
                i += 1
                continue
            }
            if topArray {
                switch arrayExpect {
                case .commaOrEnd, .any:
                    if c == ASCII.comma {
                        arrayExpect = .value
                        i += 1
                        continue
                    }
                    if c == UInt8(ascii: "]") {
                        endArray(handler)
                        i += 1
                        continue
                    }
                    if arrayExpect == .commaOrEnd {
                        handler.report(.error(line: number, column: i + 1, "invalid character \(JSONReader.describe(c)) after array element"))
                        arrayExpect = .any
                        return
                    }
                case .firstValue:
                    if c == UInt8(ascii: "]") {
                        endArray(handler)
                        i += 1
                        continue
                    }
                case .value:
                    if c == UInt8(ascii: "]") || c == ASCII.comma {
                        handler.report(.error(line: number, column: i + 1, "invalid character \(JSONReader.describe(c)) looking for beginning of value"))
                        i += 1
                        continue
                    }
                }
            } else if c == UInt8(ascii: "[") && decoder.streamsArrays {
                topArray = true
                arrayExpect = .firstValue
                arrayLine = number
                arrayColumn = i + 1
                arrayFailed = false
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["): kind = .container
            case ASCII.quote: kind = .string
            case ASCII.minus, ASCII.zero...ASCII.nine, UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): kind = .scalar
            default:
                // Not JSON: the rest of the line cannot be resynchronised on, skip it.
                handler.report(.error(line: number, column: i + 1, "invalid character \(JSONReader.describe(c)) looking for beginning of value"))
                if topArray { arrayExpect = .any }
                return
            }
            // Fastest: a metric in the serializer shape, read straight into a Metric.
            if c == UInt8(ascii: "{"), readsDirectly, decoder.readsMetricsDirectly {
                var direct = JSONReader(line, at: i)
                if let (metric, origin) = decoder.readMetricDirectly(&direct, locate: { offset in (number, offset + 1) }) {
                    startLine = number
                    startColumn = i + 1
                    if strict && topArray {
                        held.append(metric)
                        heldOrigins.append(origin)
                    } else {
                        handler.handle(metric, origin: origin)
                    }
                    endRecord(failed: false, handler)
                    i = direct.pos
                    continue
                }
            }
            // Fast path: a value complete on this line is read in place, without the structural scan.
            var reader = JSONReader(line, at: i)
            if let value = try? reader.readValue() {
                startLine = number
                startColumn = i + 1
                decodeValue(value, at: i, place: { offset in (number, offset + 1) }, handler: handler)
                endRecord(failed: false, handler)
                i = reader.pos
                continue
            }
            inRecord = true
            depth = 0
            inString = false
            escaped = false
            stack.removeAll(keepingCapacity: true)
            lastSignificant = 0
            pending.removeAll(keepingCapacity: true)
            segments.removeAll(keepingCapacity: true)
            overlong = false
            startLine = number
            startColumn = i + 1
            guard continueRecord(line, from: &i, number: number, handler) else { return }
        }
    }

    /// Not inside a record or a top-level array (a line there continues it).
    public var isBetweenRecords: Bool { !inRecord && !topArray && stringBreak == nil }

    public mutating func lineWentDirect() { atStart = false }

    public mutating func finish(into handler: MetricHandler) {
        defer { atStart = true }  // the next input may start with its own BOM
        if let at = stringBreak {
            // The input (a file, a datagram, a connection) ended inside the string.
            stringBreak = nil
            handler.report(.error(line: at.line, column: at.column, "unexpected end of JSON input in a string literal"))
        }
        if inRecord {
            if kind == .scalar && !overlong {
                completeRecord(handler)
            } else {
                let end = lastLineEnd.line > 0 ? lastLineEnd : inputEnd
                handler.report(.error(line: end.line, column: end.column, unclosedMessage()))
                endRecord(failed: true, handler)
            }
        }
        if topArray {
            handler.report(.error(line: inputEnd.line, column: inputEnd.column, "unexpected end of JSON input: the array opened at \(arrayLine):\(arrayColumn) is not closed"))
            if strict && !held.isEmpty {
                handler.report(.error(line: arrayLine, column: arrayColumn, "--json-strict: \(held.count) metrics of the unclosed array are dropped"))
            }
            held.removeAll()
            heldOrigins.removeAll()
            topArray = false
        }
    }

    private var expectingValue: Bool {
        lastSignificant == ASCII.colon || lastSignificant == UInt8(ascii: "[")
            || (lastSignificant == ASCII.comma && stack.last == UInt8(ascii: "["))
    }

    private func unclosedMessage() -> String {
        let what = kind == .string ? "string" : (stack.first == UInt8(ascii: "[") ? "array" : "object")
        return "unexpected end of JSON input: the \(what) opened at \(startLine):\(startColumn) is not closed"
    }

    /// Scans the open record from `i`; returns false when the line is used up.
    private mutating func continueRecord(_ line: UnsafeBufferPointer<UInt8>, from i: inout Int, number: Int, _ handler: MetricHandler) -> Bool {
        let n = line.count
        let segStart = i
        var done = false
        switch kind {
        case .container:
            while i < n {
                let b = line[i]
                i += 1
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == ASCII.backslash {
                        escaped = true
                    } else if b == ASCII.quote {
                        inString = false
                        lastSignificant = b
                    }
                    continue
                }
                switch b {
                case ASCII.quote:
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if stack.count < 1024 { stack.append(b) }
                    lastSignificant = b
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if !stack.isEmpty { stack.removeLast() }
                    lastSignificant = b
                case ASCII.space, ASCII.tab, ASCII.cr:
                    break
                default:
                    lastSignificant = b
                }
                if depth == 0 {
                    done = true
                    break
                }
            }
        case .string:
            var k = i
            if !inString {
                inString = true
                k += 1  // the opening quote
            }
            while k < n {
                let b = line[k]
                k += 1
                if escaped {
                    escaped = false
                } else if b == ASCII.backslash {
                    escaped = true
                } else if b == ASCII.quote {
                    done = true
                    break
                }
            }
            inString = !done
            i = k
        case .scalar:
            while i < n {
                let b = line[i]
                if b == ASCII.space || b == ASCII.tab || b == ASCII.cr || b == ASCII.comma || b == UInt8(ascii: "]")
                    || b == UInt8(ascii: "}") || b == UInt8(ascii: "[") || b == UInt8(ascii: "{") || b == ASCII.quote
                {
                    break
                }
                i += 1
            }
            done = true
        }
        let segment = UnsafeBufferPointer(rebasing: line[segStart..<i])
        if done {
            if pending.isEmpty && !overlong {
                if segment.count > maxBytes {
                    handler.report(.error(line: number, column: segStart + maxBytes + 1, "JSON value longer than \(maxBytes) bytes: skipped (raise --max-line)"))
                    endRecord(failed: true, handler)
                    return true
                }
                decode(segment, place: { offset in (number, segStart + 1 + offset) }, handler: handler)
                endRecord(failed: false, handler)
            } else {
                append(segment, number: number, column: segStart + 1, handler)
                completeRecord(handler)
            }
            if syntaxFailed {
                // The value's end is uncertain after a syntax error: resynchronise at the next line.
                syntaxFailed = false
                if topArray { arrayExpect = .any }
                return false
            }
            return true
        }
        // The line ends inside the record.
        if inString {
            // Reported when it is known whether a newline or the end of the input followed.
            stringBreak = (number, n + 1)
            endRecord(failed: true, handler)
            return false
        }
        append(segment, number: number, column: segStart + 1, handler)
        if !overlong { pending.append(ASCII.newline) }
        lastLineEnd = (number, n + 1)
        return false
    }

    private mutating func append(_ segment: UnsafeBufferPointer<UInt8>, number: Int, column: Int, _ handler: MetricHandler) {
        if overlong { return }
        if pending.count + segment.count > maxBytes {
            handler.report(.error(line: number, column: column + (maxBytes - pending.count), "JSON value longer than \(maxBytes) bytes: skipped (raise --max-line)"))
            overlong = true
            pending.removeAll(keepingCapacity: true)
            segments.removeAll(keepingCapacity: true)
            return
        }
        segments.append(Segment(offset: pending.count, line: number, column: column))
        pending.append(contentsOf: segment)
    }

    private mutating func completeRecord(_ handler: MetricHandler) {
        if overlong {
            endRecord(failed: true, handler)
            return
        }
        let segs = segments
        let record = pending
        let first = (startLine, startColumn)
        record.withUnsafeBufferPointer { buf in
            decode(
                buf,
                place: { offset in
                    if segs.isEmpty { return first }
                    var k = segs.count - 1
                    while k > 0 && segs[k].offset > offset { k -= 1 }
                    let s = segs[max(k, 0)]
                    return (s.line, s.column + offset - s.offset)
                }, handler: handler)
        }
        endRecord(failed: false, handler)
    }

    private var recordFailed = false
    private var syntaxFailed = false

    private mutating func decode(_ buf: UnsafeBufferPointer<UInt8>, place: (Int) -> (Int, Int), handler: MetricHandler) {
        var reader = JSONReader(buf)
        let value: JSONValue
        do {
            value = try reader.readDocument()
        } catch {
            let (l, c) = place(error.offset)
            handler.report(.error(line: l, column: c, error.message))
            recordFailed = true
            syntaxFailed = true
            return
        }
        decodeValue(value, place: place, handler: handler)
    }

    private mutating func decodeValue(_ value: JSONValue, at start: Int = 0, place: (Int) -> (Int, Int), handler: MetricHandler) {
        var failed = false
        let holding = strict && topArray
        var out: [Metric] = []
        var origins: [MetricOrigin] = []
        decoder.decode(
            value, at: start, inArray: topArray, locate: place,
            emit: { m, origin in
                if holding {
                    out.append(m)
                    origins.append(origin)
                } else {
                    handler.handle(m, origin: origin)
                }
            },
            fail: { offset, message in
                let (l, c) = place(offset)
                handler.report(.error(line: l, column: c, message))
                failed = true
            })
        if failed { recordFailed = true }
        if holding {
            held.append(contentsOf: out)
            heldOrigins.append(contentsOf: origins)
        }
    }

    private mutating func endRecord(failed: Bool, _ handler: MetricHandler) {
        if failed || recordFailed { arrayFailed = true }
        recordFailed = false
        inRecord = false
        pending.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        if topArray { arrayExpect = .commaOrEnd }
    }

    private mutating func endArray(_ handler: MetricHandler) {
        topArray = false
        if strict {
            if arrayFailed {
                if !held.isEmpty {
                    handler.report(.error(line: arrayLine, column: arrayColumn, "--json-strict: an element of this array failed, so its \(held.count) other metrics are dropped"))
                }
            } else {
                for (m, origin) in zip(held, heldOrigins) { handler.handle(m, origin: origin) }
            }
            held.removeAll()
            heldOrigins.removeAll()
        }
        arrayFailed = false
    }
}
