#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Telegraf's JSON to Telegraf's JSON without building a ``Metric``: a record that is already what
/// ``JSONParser`` followed by ``JSONSerializer`` writes for it is copied as it is, after one scan
/// that proves it (about a tenth of the full way's work for a `listen --from json --to json`
/// datagram, measured with callgrind).
///
/// Taken: one object on the line, compact, with the serializer's members in its order
/// (`{"fields":{...},"name":"...","tags":{...},"timestamp":N}`), field and tag keys non-empty,
/// without escapes and in strictly increasing byte order (so sorted as Go's `encoding/json` sorts
/// map keys, and without repeats, which the parser would merge); tag values non-empty strings; field
/// values strings, `true`, `false` or numbers the serializer writes with the same bytes
/// (``JSONSerializer/isVerbatimInteger(_:unsigned:)``, ``JSONSerializer/verbatimFloat(_:)``);
/// strings of valid UTF-8 without a character JSON escapes other than `\"` and `\\` (spelled the same
/// both ways); a timestamp of plain digits that is at least 1970-04-26 in nanoseconds once read in
/// `--json-timestamp-units` (earlier ones may draw the wrong-unit warning). Anything else is declined.
public final class JSONDirect: DirectPath {
    public var now: Int64
    public private(set) var directLines = 0
    public var route: String { "JSON to JSON" }
    let units: Int64
    private let byteClass = JSONText.byteClass

    /// A direct path from JSON to JSON; nil when the options read or write anything but the
    /// serializer shape as it is (Telegraf's parser options, a query, default tags, a time layout,
    /// nested fields, a batch).
    public init?(options: FormatOptions, now: Int64) {
        let json = options.json
        guard options.defaultTags.isEmpty, json.inputShape != .flat, !json.usesTelegrafParserOptions, json.query == nil,
            json.timestampFormat == nil, json.nestedFieldsInclude.isEmpty, json.nestedFieldsExclude.isEmpty, !json.batch,
            json.timestampUnits > 0
        else { return nil }
        units = json.timestampUnits
        self.now = now
    }

    public func transcode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard let p = input.baseAddress, scan(p, input.count) else { return false }
        out.append(contentsOf: input)
        out.append(ASCII.newline)
        directLines &+= 1
        return true
    }

    /// Whether the `n` bytes at `p` are one record the serializer writes as it is.
    private func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        @inline(__always) func literal(_ at: Int, _ word: StaticString) -> Int {
            let k = word.utf8CodeUnitCount
            guard n &- at >= k, memcmp(p + at, word.utf8Start, k) == 0 else { return -1 }
            return at &+ k
        }
        var i = literal(0, "{\"fields\":{")
        guard i > 0 else { return false }
        // Fields: at least one, keys increasing.
        i = members(p, n, i) { p, n, i in fieldValue(p, n, i) }
        guard i > 0 else { return false }
        i = literal(i, ",\"name\":")
        guard i > 0 else { return false }
        i = string(p, n, i, allowEmpty: false)
        guard i > 0 else { return false }
        i = literal(i, ",\"tags\":{")
        guard i > 0, i < n else { return false }
        if p[i] == UInt8(ascii: "}") {
            i &+= 1
        } else {
            i = members(p, n, i) { p, n, i in string(p, n, i, allowEmpty: false) }
            guard i > 0 else { return false }
        }
        i = literal(i, ",\"timestamp\":")
        guard i > 0 else { return false }
        // The timestamp: at most 18 digits, no leading zero, in range once in nanoseconds, and not
        // before 1970-04-26 (10^16 ns), then the closing brace ends the line.
        var value: Int64 = 0
        let digitsStart = i
        while i < n, p[i] &- ASCII.zero < 10 {
            value = value &* 10 &+ Int64(p[i] &- ASCII.zero)
            i &+= 1
        }
        let digits = i &- digitsStart
        guard digits > 0, digits <= 18, p[digitsStart] != ASCII.zero, i == n &- 1, p[i] == UInt8(ascii: "}") else { return false }
        let (ns, overflow) = value.multipliedReportingOverflow(by: units)
        return !overflow && ns >= 10_000_000_000_000_000
    }

    /// The members of an object from its first key at `i` to its closing brace, keys increasing,
    /// each value read by `value` (the index after it, or -1). Returns the index after the brace, or -1.
    @inline(__always)
    private func members(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, value: (UnsafePointer<UInt8>, Int, Int) -> Int) -> Int {
        var i = start
        var lastKey = -1
        var lastKeyCount = 0
        while true {
            let keyStart = i &+ 1
            let keyEnd = key(p, n, i)
            guard keyEnd > 0, increasing(p, lastKey, lastKeyCount, keyStart, keyEnd &- 1 &- keyStart) else { return -1 }
            lastKey = keyStart
            lastKeyCount = keyEnd &- 1 &- keyStart
            guard keyEnd < n, p[keyEnd] == ASCII.colon, keyEnd &+ 1 < n else { return -1 }
            i = value(p, n, keyEnd &+ 1)
            guard i > 0, i < n else { return -1 }
            if p[i] == ASCII.comma {
                i &+= 1
                continue
            }
            return p[i] == UInt8(ascii: "}") ? i &+ 1 : -1
        }
    }

    /// A field value at `i`: a string, `true`, `false` or a number. Returns the index after it, or -1.
    @inline(__always)
    private func fieldValue(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        switch p[i] {
        case ASCII.quote: string(p, n, i, allowEmpty: true)
        case UInt8(ascii: "t"): n &- i >= 4 && memcmp(p + i, "true", 4) == 0 ? i &+ 4 : -1
        case UInt8(ascii: "f"): n &- i >= 5 && memcmp(p + i, "false", 5) == 0 ? i &+ 5 : -1
        default: number(p, n, i)
        }
    }

    /// A key at `i` (its quote): non-empty, without escapes (so it sorts by its own bytes). Returns
    /// the index after its closing quote, or -1.
    @inline(__always)
    private func key(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        string(p, n, i, allowEmpty: false, allowEscapes: false)
    }

    /// A string at `i` (its quote) written the same by the serializer: valid UTF-8, no character
    /// JSON escapes except `\"` and `\\`. Returns the index after its closing quote, or -1.
    @inline(__always)
    private func string(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, allowEmpty: Bool, allowEscapes: Bool = true) -> Int {
        guard i < n, p[i] == ASCII.quote else { return -1 }
        var j = i &+ 1
        while j < n {
            j = plainRun(p, n, j)
            guard j < n else { return -1 }
            let b = p[j]
            if b == ASCII.quote { return allowEmpty || j > i &+ 1 ? j &+ 1 : -1 }
            if b == ASCII.backslash {
                guard allowEscapes, j &+ 1 < n, p[j &+ 1] == ASCII.quote || p[j &+ 1] == ASCII.backslash else { return -1 }
                j &+= 2
                continue
            }
            guard b >= 0x80 else { return -1 }
            let k = sequenceLength(p, n, j)
            guard k > 0 else { return -1 }
            j &+= k
        }
        return -1
    }

    /// The index of the first byte from `start` on that JSON does not write as it is in a string (a
    /// quote, a backslash, a control, `<`, `>`, `&` or a byte of a multi-byte sequence), or `n`.
    /// (Testing eight bytes at a time was measured slower: most keys and values are shorter than 16.)
    @inline(__always)
    private func plainRun(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> Int {
        // Walked by pointer: with an index the compiler kept a counter for each derived value.
        let cls = byteClass
        let end = p + n
        var q = p + start
        while q < end, cls[Int(q.pointee)] == 0 { q += 1 }
        return q - p
    }

    /// The length of the valid UTF-8 sequence at `j`, or 0 when it is invalid or is U+2028 or U+2029
    /// (which JSON escapes).
    @inline(__always)
    private func sequenceLength(_ p: UnsafePointer<UInt8>, _ n: Int, _ j: Int) -> Int {
        let k = JSONText.utf8SequenceLength(UnsafeBufferPointer(start: p, count: n), j)
        if k == 3, p[j] == 0xE2, p[j &+ 1] == 0x80, p[j &+ 2] & 0xFE == 0xA8 { return 0 }
        return k
    }

    /// A number at `i` that the serializer writes with the same bytes. Returns the index after it,
    /// or -1.
    @inline(__always)
    private func number(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        var j = i
        let negative = p[j] == ASCII.minus
        if negative { j &+= 1 }
        let intStart = j
        while j < n, p[j] &- ASCII.zero < 10 { j &+= 1 }
        let intDigits = j &- intStart
        guard intDigits > 0, j < n else { return -1 }
        var hasDot = false
        var fracDigits = 0
        if p[j] == ASCII.dot {
            hasDot = true
            j &+= 1
            let fracStart = j
            while j < n, p[j] &- ASCII.zero < 10 { j &+= 1 }
            fracDigits = j &- fracStart
            guard fracDigits > 0, j < n else { return -1 }
        }
        // An exponent, or anything else but the end of the value: not taken.
        guard p[j] == ASCII.comma || p[j] == UInt8(ascii: "}") else { return -1 }
        let text = DecimalText(p: p + i, negative: negative, intDigits: intDigits, hasDot: hasDot, fracDigits: fracDigits, hasExponent: false)
        if hasDot {
            return JSONSerializer.verbatimFloat(text) == j &- i ? j : -1
        }
        return JSONSerializer.isVerbatimInteger(text, unsigned: false) ? j : -1
    }

    /// Whether the key at `start` (`count` bytes) sorts after the previous one (none when
    /// `lastStart` is -1), as Go sorts map keys: by bytes, a prefix first.
    @inline(__always)
    private func increasing(_ p: UnsafePointer<UInt8>, _ lastStart: Int, _ lastCount: Int, _ start: Int, _ count: Int) -> Bool {
        guard lastStart >= 0 else { return true }
        let c = memcmp(p + lastStart, p + start, min(lastCount, count))
        return c < 0 || (c == 0 && lastCount < count)
    }
}
