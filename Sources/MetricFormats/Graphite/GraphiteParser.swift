#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Graphite plaintext parser, as Telegraf's: `path[;k=v...] value [timestamp]`.
///
/// A line has exactly two or three whitespace-separated fields. The value is a Go float (`NaN` and
/// `+Inf` included); the timestamp is float Unix seconds between 1901-12-13 and 2038-01-19, and `-1`
/// or none means "now" (the metric gets no timestamp, the receiver decides). The path goes through
/// the template engine (``GraphiteTemplateEngine``, `--templates`, `--separator`); `;k=v` tags
/// override template tags, and `--default-tags` fill the gaps.
///
///     var parser = try GraphiteParser(options: FormatOptions())
///     parser.parse(text: Array("servers.web01.load 0.5 1700000000\n".utf8), into: collector)
public struct GraphiteParser: MetricParser {
    public let engine: GraphiteTemplateEngine
    let defaultTags: [Tag]
    /// No templates in play: the path is the measurement.
    let keepsWholePath: Bool
    /// The Strings of recently seen paths: a repeated path is not made into a String again, and the
    /// serializers find its series by the String's identity.
    let paths = ByteCache<String>(ways: 4, setBits: 10, initialSetBits: 4, maxKeyBytes: GraphiteParser.maxKeptPathBytes, empty: "")
    /// Longer paths are made into a String every time.
    static let maxKeptPathBytes = 128

    /// Seconds since the epoch of 1901-12-13 and 2038-01-19 (00:00 UTC), Telegraf's bounds.
    static let minSeconds: Int64 = -2_147_558_400
    static let maxSeconds: Int64 = 2_147_472_000

    public init(options: FormatOptions) throws(FormatError) {
        engine = try GraphiteTemplateEngine(templates: options.templates, joiner: options.graphite.separator)
        defaultTags = options.defaultTags
        keepsWholePath = engine.keepsWholePath
    }

    public mutating func parse(line raw: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        // Up to four fields: the fourth only to say there is one too many.
        var starts = (0, 0, 0, 0)
        var ends = (0, 0, 0, 0)
        var count = 0
        var i = 0
        let n = raw.count
        while i < n && count < 4 {
            while i < n, case let w = Self.whitespaceWidth(raw, i), w > 0 { i += w }
            if i == n { break }
            let s = i
            while i < n && Self.whitespaceWidth(raw, i) == 0 { i += 1 }
            switch count {
            case 0:
                starts.0 = s
                ends.0 = i
            case 1:
                starts.1 = s
                ends.1 = i
            case 2:
                starts.2 = s
                ends.2 = i
            default:
                starts.3 = s
                ends.3 = i
            }
            count += 1
        }
        if count == 0 { return }
        if count == 1 {
            handler.report(.error(line: number, column: ends.0 + 1, "expected a value after the path: a graphite line is 'path value [timestamp]'"))
            return
        }
        if count == 4 {
            handler.report(.error(line: number, column: starts.3 + 1, "too many fields: a graphite line is 'path value [timestamp]'"))
            return
        }
        let pathBytes = UnsafeBufferPointer(rebasing: raw[starts.0..<ends.0])
        var nameEnd = pathBytes.count
        for k in 0..<pathBytes.count where pathBytes[k] == ASCII.semicolon {
            nameEnd = k
            break
        }
        if nameEnd == 0 {
            handler.report(.error(line: number, column: starts.0 + 1, "empty metric path before ';'"))
            return
        }

        let valueBytes = UnsafeBufferPointer(rebasing: raw[starts.1..<ends.1])
        let value: Double
        switch GoNumber.parseFloat(valueBytes) {
        case .value(let v): value = v
        case .invalid:
            handler.report(.error(line: number, column: starts.1 + 1, "invalid value \"\(String(bytes: valueBytes))\": not a number"))
            return
        case .outOfRange:
            handler.report(.error(line: number, column: starts.1 + 1, "value \(String(bytes: valueBytes)) is out of range for a 64-bit float"))
            return
        }

        var field = "value"
        var timestamp: Int64?
        if count == 3 {
            let tsBytes = UnsafeBufferPointer(rebasing: raw[starts.2..<ends.2])
            switch GoNumber.parseFloat(tsBytes) {
            case .value(let t):
                if t != -1 {
                    guard let ns = Self.nanoseconds(fromSeconds: t) else {
                        handler.report(.error(line: number, column: starts.2 + 1, Self.rangeMessage(String(bytes: tsBytes), t)))
                        return
                    }
                    timestamp = ns
                }
            case .invalid:
                handler.report(.error(line: number, column: starts.2 + 1, "invalid timestamp \"\(String(bytes: tsBytes))\": not a number (graphite timestamps are Unix seconds)"))
                return
            case .outOfRange:
                handler.report(.error(line: number, column: starts.2 + 1, Self.rangeMessage(String(bytes: tsBytes), .infinity)))
                return
            }
        }

        let name = nameEnd <= Self.maxKeptPathBytes ? paths.string(pathBytes.baseAddress!, nameEnd) : String(bytes: pathBytes, 0..<nameEnd)
        var metric = Metric(name: name)
        if !keepsWholePath {
            let match = engine.apply(Substring(name))
            metric.tags.reserveCapacity(match.tags.count + defaultTags.count)
            for t in match.tags where !t.key.isEmpty && !t.value.isEmpty { metric.tags.append(t) }
            if !match.measurement.isEmpty { metric.name = match.measurement }
            if !match.field.isEmpty { field = match.field }
        }
        if nameEnd < pathBytes.count {
            Self.addPathTags(UnsafeBufferPointer(rebasing: pathBytes[(nameEnd + 1)...]), to: &metric)
        }
        for t in defaultTags where metric.tag(t.key) == nil { metric.tags.append(t) }
        metric.sortTags()
        metric.fields = [Field(field, .float(value))]
        metric.timestamp = timestamp
        handler.handle(metric)
    }

    /// The byte length of the whitespace character at `i`, 0 if there is none: Go's
    /// `unicode.IsSpace`, which Telegraf's `strings.Fields` splits on (NBSP and U+3000 included).
    @inline(__always) static func whitespaceWidth(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return ASCII.isWhitespace(c) ? 1 : 0 }
        if c < 0xC2 || c > 0xE3 { return 0 }
        let n = b.count
        guard i + 1 < n else { return 0 }
        let c1 = b[i + 1]
        switch c {
        case 0xC2: return c1 == 0x85 || c1 == 0xA0 ? 2 : 0
        case 0xE1: return i + 2 < n && c1 == 0x9A && b[i + 2] == 0x80 ? 3 : 0
        case 0xE2:
            guard i + 2 < n else { return 0 }
            let c2 = b[i + 2]
            if c1 == 0x80 { return c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF ? 3 : 0 }
            return c1 == 0x81 && c2 == 0x9F ? 3 : 0
        case 0xE3: return i + 2 < n && c1 == 0x80 && b[i + 2] == 0x80 ? 3 : 0
        default: return 0
        }
    }

    /// `k=v;k=v` after the path, with Telegraf's rules: a part that is not exactly one `=` between a
    /// non-empty key and value, a key with `!` or `^`, or a value starting with `~` is dropped.
    static func addPathTags(_ b: UnsafeBufferPointer<UInt8>, to metric: inout Metric) {
        var positions = KeyPositions()
        var start = 0
        while start <= b.count {
            var end = start
            var eq = -1
            var eqCount = 0
            var badKey = false
            while end < b.count && b[end] != ASCII.semicolon {
                let c = b[end]
                if c == ASCII.equals {
                    eqCount += 1
                    if eq < 0 { eq = end }
                } else if eq < 0 && (c == UInt8(ascii: "!") || c == UInt8(ascii: "^")) {
                    badKey = true
                }
                end += 1
            }
            if eqCount == 1 && eq > start && eq + 1 < end && !badKey && b[eq + 1] != UInt8(ascii: "~") {
                metric.setTag(String(bytes: b, start..<eq), String(bytes: b, (eq + 1)..<end), positions: &positions)
            }
            start = end + 1
        }
    }

    /// Float Unix seconds to nanoseconds as Telegraf computes them (whole seconds truncated toward
    /// zero, plus the fraction above the floor); nil outside 1901-12-13 ... 2038-01-19.
    static func nanoseconds(fromSeconds t: Double) -> Int64? {
        guard t.isFinite, t > -3e9, t < 3e9 else { return nil }  // the bounds are ±2.2e9 s; keeps ns in Int64
        let seconds = Int64(t)
        let fraction = Int64((t - t.rounded(.down)) * 1e9)
        let ns = seconds * 1_000_000_000 + fraction
        guard ns >= minSeconds * 1_000_000_000, ns <= maxSeconds * 1_000_000_000 else { return nil }
        return ns
    }

    static func rangeMessage(_ text: String, _ t: Double) -> String {
        var s = "timestamp \(text) is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19"
        for (unit, scale) in [("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9)] {
            let v = t / scale
            if v.isFinite, abs(v) > 1e8, nanoseconds(fromSeconds: v) != nil {
                s += "; this looks like \(unit)"
                break
            }
        }
        return s
    }
}
