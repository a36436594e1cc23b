#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Streaming parser of the Wavefront data format, `<name> <value> [<timestamp>] [k=v ...]`, as
/// Telegraf's wavefront parser reads it.
///
/// - Separators are runs of spaces and tabs. Unquoted names, tag keys and tag values are made of
///   ASCII letters, digits and `- _ . / , \`; `∆` or `Δ` may only come first. A `"quoted"` literal may
///   hold anything; a `"` after a backslash does not end it, and the backslash is kept.
/// - The value must parse as a float and becomes the single float field `value`.
/// - The timestamp's unit comes from its digit count: 19 ns, 16 µs, 13 ms (truncated to whole
///   seconds), 10 s. Other lengths are errors, except a zero, which means "now" (nil).
/// - `source` is an ordinary tag; `options.defaultTags` override parsed tags, as in Telegraf.
///
/// Telegraf fails the whole input on a bad line; here the line is reported and skipped. Blank lines are
/// skipped, and a CR before the newline is dropped.
public struct WavefrontParser: MetricParser {
    let defaultTags: [Tag]
    /// Names seen on earlier lines.
    let tokens = ByteCache.tokens()
    /// The tags (sorted, default tags in) of recently seen tag sections, by the section's bytes:
    /// a repeated section (`source="web-00" "cpu"="cpu0"`) costs one hash and one comparison, and
    /// gives the same array again, which the serializers' series caches find by its bits.
    let tagSections = ByteCache<[Tag]>(ways: 2, setBits: 10, initialSetBits: 4, maxKeyBytes: 256, empty: [])

    public init(options: FormatOptions) throws(FormatError) {
        defaultTags = options.defaultTags
    }

    /// A parse failure at a 0-based byte offset.
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    public mutating func parse(line raw: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        let line = raw.droppingTrailingCR()
        var blank = true
        for b in line where !ASCII.isBlank(b) {
            blank = false
            break
        }
        if blank { return }
        do {
            let metric = try parseMetric(line)
            handler.handle(metric)
        } catch {
            handler.report(.error(line: number, column: error.offset + 1, error.message))
        }
    }

    mutating func parseMetric(_ b: UnsafeBufferPointer<UInt8>) throws(Failure) -> Metric {
        let n = b.count
        var i = 0
        // Name.
        let nameToken = try Self.literalRange(b, &i)
        guard let nameRange = nameToken, !nameRange.isEmpty else {
            throw Failure(offset: 0, message: nameToken == nil ? "expected metric name" : "empty metric name")
        }
        guard i < n else { throw Failure(offset: n, message: "expected metric value after the name") }
        guard Self.isSeparator(b[i]) else {
            throw Failure(offset: i, message: "unexpected \(Self.describe(b, i)) in metric name")
        }
        Self.skipSeparators(b, &i)
        guard i < n else { throw Failure(offset: n, message: "expected metric value after the name") }

        // Value: an optional minus, then letters, digits, dots, minus signs and an exponent's plus,
        // read as a Go float.
        let valueStart = i
        if b[i] == ASCII.minus { i += 1 }
        while i < n, Self.isValueByte(b[i]) || (b[i] == ASCII.plus && i > valueStart && b[i - 1] | 0x20 == UInt8(ascii: "e")) { i += 1 }
        guard i > valueStart else {
            throw Failure(offset: i, message: "expected metric value, found \(Self.describe(b, i))")
        }
        guard let value = GoNumber.parseFloat(UnsafeBufferPointer(rebasing: b[valueStart..<i])).value else {
            throw Failure(offset: valueStart, message: "invalid metric value \"\(String(bytes: b, valueStart..<i))\"")
        }
        try Self.expectSeparatorOrEnd(b, i, after: "metric value")
        Self.skipSeparators(b, &i)

        // Optional timestamp: a run of digits.
        var timestamp: Int64? = nil
        if i < n, ASCII.isDigit(b[i]) {
            let tsStart = i
            var ts: Int64 = 0
            var overflow = false
            while i < n, ASCII.isDigit(b[i]) {
                let (m, o1) = ts.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] &- ASCII.zero))
                overflow = overflow || o1 || o2
                ts = a
                i += 1
            }
            let digits = i - tsStart
            // Whole seconds of the timestamp in its unit (nil for the zero that means "now").
            var seconds: Int64? = nil
            if !overflow {
                switch digits {
                case 19: seconds = ts / 1_000_000_000
                case 16: seconds = ts / 1_000_000
                case 13: seconds = ts / 1_000
                case 10: seconds = ts
                default:
                    if ts != 0 {
                        throw Failure(
                            offset: tsStart,
                            message: "invalid timestamp \"\(String(bytes: b, tsStart..<i))\": expected 10 (s), 13 (ms), 16 (us) or 19 (ns) digits")
                    }
                }
            }
            if overflow || seconds != nil {
                // Seconds past 2262 do not fit in nanoseconds.
                let (ns, over) = (seconds ?? 0).multipliedReportingOverflow(by: 1_000_000_000)
                if overflow || over {
                    throw Failure(
                        offset: tsStart,
                        message: "timestamp \"\(String(bytes: b, tsStart..<i))\" is out of range: the latest is 2262-04-11T23:47:16Z")
                }
                timestamp = ns
            }
            try Self.expectSeparatorOrEnd(b, i, after: "timestamp")
            Self.skipSeparators(b, &i)
        }

        let name = tokens.string(b.baseAddress! + nameRange.lowerBound, nameRange.count)
        // Point tags: the same section as before gives the same tags.
        let p = b.baseAddress! + i
        let h = ByteCache<[Tag]>.hash(p, n - i)
        let slot = tagSections.find(p, n - i, hash: h)
        let tags: [Tag]
        if slot >= 0 {
            tags = tagSections[slot]
        } else {
            tags = try parseTags(b, i)
            tagSections.insert(p, n - i, hash: h, tags)
        }
        return Metric(name: name, tags: tags, fields: [Field("value", .float(value))], timestamp: timestamp)
    }

    /// The point tags of `b[i...]` (`key=value`, separated by whitespace), sorted by key, the last
    /// of a repeated key kept: default tags come last, so they win.
    func parseTags(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) throws(Failure) -> [Tag] {
        let n = b.count
        var i = start
        var tags: [Tag] = []
        while i < n {
            let keyStart = i
            guard let key = try Self.literal(b, &i), !key.isEmpty else {
                throw Failure(offset: keyStart, message: "expected tag key, found \(Self.describe(b, keyStart))")
            }
            guard i < n, b[i] == ASCII.equals else {
                throw Failure(offset: i, message: "expected '=' after tag key \"\(key)\", found \(Self.describe(b, i))")
            }
            i += 1
            let valueAt = i
            let tagValue = try Self.literal(b, &i) ?? ""
            if i == valueAt, i < n, !Self.isSeparator(b[i]) {
                throw Failure(offset: i, message: "unexpected \(Self.describe(b, i)) in the value of tag \"\(key)\"")
            }
            try Self.expectSeparatorOrEnd(b, i, after: "tag \"\(key)\"")
            Self.skipSeparators(b, &i)
            // An empty value cannot be carried as a tag: it is dropped.
            if tagValue.isEmpty { continue }
            tags.append(Tag(key, tagValue))
        }
        tags += defaultTags
        tags.sortByKeyKeepingLast()
        return tags
    }

    // MARK: - Tokens

    /// Reads a quoted or unquoted literal at `i`; nil when there is none (the byte at `i` cannot start one).
    static func literal(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Failure) -> String? {
        guard let range = try literalRange(b, &i) else { return nil }
        return String(bytes: b, range)
    }

    /// ``literal(_:_:)``'s bytes: the range of its text (inside the quotes of a quoted one).
    @inline(__always)
    static func literalRange(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Failure) -> Range<Int>? {
        let n = b.count
        guard i < n else { return nil }
        if b[i] == ASCII.quote {
            let open = i
            var j = i + 1
            var escaped = false
            while j < n {
                let c = b[j]
                if c == ASCII.quote && !escaped { break }
                escaped = c == ASCII.backslash
                j += 1
            }
            guard j < n else { throw Failure(offset: open, message: "quoted string is not closed") }
            i = j + 1
            return (open + 1)..<j
        }
        let start = i
        var j = i
        if let d = deltaLength(b, j) { j += d }
        while j < n {
            let c = b[j]
            if isLiteralByte(c) {
                j += 1
            } else if deltaLength(b, j) != nil {
                throw Failure(offset: j, message: "∆ is allowed only as the first character of a name")
            } else if c == ASCII.quote {
                throw Failure(offset: j, message: "found quote inside unquoted literal")
            } else {
                break
            }
        }
        i = j
        if j == start { return nil }
        return start..<j
    }

    /// The byte length of `∆` (U+2206) or `Δ` (U+0394) at `i`, if one is there.
    @inline(__always) static func deltaLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = b.count
        if i + 2 < n, b[i] == 0xE2, b[i + 1] == 0x88, b[i + 2] == 0x86 { return 3 }
        if i + 1 < n, b[i] == 0xCE, b[i + 1] == 0x94 { return 2 }
        return nil
    }

    /// Letters, digits and `- _ . / \ ,`.
    @inline(__always) static func isLiteralByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), ASCII.zero...ASCII.nine:
            return true
        case ASCII.minus, UInt8(ascii: "_"), ASCII.dot, UInt8(ascii: "/"), ASCII.backslash, ASCII.comma:
            return true
        default:
            return false
        }
    }

    /// What the value token may hold after its first byte: letters, digits, `.` and `-` (and `+` right
    /// after an `e`, for `1e+5`).
    @inline(__always) static func isValueByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), ASCII.zero...ASCII.nine, ASCII.dot, ASCII.minus:
            return true
        default:
            return false
        }
    }

    @inline(__always) static func isSeparator(_ c: UInt8) -> Bool { c == ASCII.space || c == ASCII.tab }

    @inline(__always) static func skipSeparators(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, isSeparator(b[i]) { i += 1 }
    }

    static func expectSeparatorOrEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, after what: String) throws(Failure) {
        if i < b.count, !isSeparator(b[i]) {
            throw Failure(offset: i, message: "unexpected \(describe(b, i)) after \(what)")
        }
    }

    /// `'x'` for a printable ASCII byte, `byte 0xNN` otherwise, `end of line` past the end.
    static func describe(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> String {
        guard i < b.count else { return "end of line" }
        let c = b[i]
        if c > 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        if c == ASCII.space { return "' '" }
        let hex = String(c, radix: 16, uppercase: true)
        return "byte 0x\(c < 16 ? "0" : "")\(hex)"
    }
}
