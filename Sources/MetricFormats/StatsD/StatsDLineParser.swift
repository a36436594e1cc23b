#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Reads StatsD lines into ``StatsDSample``s at the byte level, following Telegraf's `inputs.statsd`
/// line rules without aggregating: the API that `convert`, `listen`, `load` and aggregation share.
///
/// A line is `bucket:value|type[|@rate][:value|type[|@rate]...]`, with Influx-style bucket tags
/// (`name,k=v`) and, with ``StatsDOptions/datadogExtensions``, DogStatsD segments: `|#k:v,bare`
/// tags, `|c:<container id>`, `|T<unix seconds>`. Those segments are taken out before the line is
/// split on `:`, so tag values may hold `:`. A bad sample ends its line with an error; the samples
/// before it on the line have already been handed out, as in Telegraf.
///
///     var reader = StatsDLineParser(options: StatsDOptions())
///     reader.parse(lineBytes, number: 1) { event in
///         switch event {
///         case .sample(let s, let timestamp): ...
///         case .diagnostic(let d): ...
///         }
///     }
public struct StatsDLineParser {
    public enum Event {
        /// One sample; `timestamp` (nanoseconds) when the line carried DogStatsD `|T`.
        case sample(StatsDSample, timestamp: Int64?)
        /// An error (the rest of the line is skipped) or a note (something ignored).
        case diagnostic(Diagnostic)
    }

    /// Most tags (bucket and DogStatsD together) one line may carry.
    public static let maxTagsPerLine = 1000

    public var options: StatsDOptions
    /// The line without its DogStatsD segments, when some were taken out.
    private var scratch: [UInt8] = []
    /// Where each piece of `scratch` came from: (offset in scratch, offset in the line).
    /// Empty when the parsed text is `line[start...]`.
    private var pieces: [(dst: Int, src: Int)] = []
    /// Where the parsed text starts in the line, when `pieces` is empty.
    private var start = 0
    /// The DogStatsD `#` tag segments (after the `#`) and the kept container id (after `c:`) taken
    /// out of the line, as offsets in the line, in line order.
    var tagSegments: ArraySlice<StatsDTagSet.Segment> { segmentStore[..<segmentCount] }
    /// The segments of the line are the first `segmentCount`; later ones are left from earlier lines
    /// (emptying an array costs more than overwriting it).
    private(set) var segmentStore: [StatsDTagSet.Segment] = []
    private(set) var segmentCount = 0
    /// The tags of recently seen tag sections (bucket tags and DogStatsD segments): a repeated
    /// section costs one hash and one comparison, and gives the same arrays again.
    let tagSets = StatsDTagSet.cache()
    /// Bucket names seen on earlier lines.
    let tokens = ByteCache.tokens()
    /// The key of a line's tag section when it is not one piece of the line.
    var tagKey: [UInt8] = []
    /// Tags added to every metric's tags where the sample has no tag of their key (the metric
    /// level's default tags; samples do not carry them).
    var metricDefaultTags: [Tag] = []

    public init(options: StatsDOptions) {
        self.options = options
        scratch.reserveCapacity(256)
    }

    /// Parses one line (no `\n`; surrounding whitespace and a CR are ignored).
    /// - Parameters:
    ///   - line: the line's bytes; columns in diagnostics count from its first byte.
    ///   - number: the 1-based line number diagnostics carry.
    ///   - body: receives samples and diagnostics in line order.
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>, number: Int, _ body: (Event) -> Void) {
        parseLine(line, number: number, withMetricTags: false) { event, _ in body(event) }
    }

    /// ``parse(_:number:_:)``, handing each sample over with its metric's tags too when `withMetricTags`
    /// (else empty): the sample's tags, `metric_type` and ``metricDefaultTags``, sorted by key, the
    /// last of a repeated key kept. A repeated tag section gives the same array again.
    @inline(__always)
    mutating func parseLine(_ line: UnsafeBufferPointer<UInt8>, number: Int, withMetricTags: Bool, _ body: (Event, [Tag]) -> Void) {
        var s = 0
        var e = line.count
        while s < e, ASCII.isWhitespace(line[s]) { s += 1 }
        while e > s, ASCII.isWhitespace(line[e - 1]) { e -= 1 }
        if s == e { return }

        if options.datadogExtensions {
            if e - s >= 3, line[s] == UInt8(ascii: "_"), line[s + 1] == UInt8(ascii: "e"), line[s + 2] == UInt8(ascii: "{") {
                body(.diagnostic(Diagnostic(.note, line: number, column: s + 1, "DogStatsD event skipped: it is not a metric")), [])
                return
            }
            if e - s >= 4, line[s] == UInt8(ascii: "_"), line[s + 1] == UInt8(ascii: "s"), line[s + 2] == UInt8(ascii: "c"), line[s + 3] == ASCII.pipe {
                body(.diagnostic(Diagnostic(.note, line: number, column: s + 1, "DogStatsD service check skipped: it is not a metric")), [])
                return
            }
        }

        segmentCount = 0
        if !pieces.isEmpty { pieces.removeAll(keepingCapacity: true) }
        start = s
        var timestamp: Int64? = nil
        // The text to parse: the line, the part of it before the segments taken out, or `scratch`.
        var keptEnd = e
        if options.datadogExtensions {
            keptEnd = takeExtensions(line, s, e, &timestamp)
        }
        if keptEnd < 0 {
            scratch.withUnsafeBufferPointer { buf in
                parseSamples(buf, line, number: number, timestamp: timestamp, withMetricTags: withMetricTags, body)
            }
        } else {
            parseSamples(UnsafeBufferPointer(rebasing: line[s..<keptEnd]), line, number: number, timestamp: timestamp, withMetricTags: withMetricTags, body)
        }
    }

    /// The 1-based column in the original line of `offset` in the parsed text.
    private func column(_ offset: Int) -> Int {
        if pieces.isEmpty { return start + offset + 1 }
        // Binary search for the last piece starting at or before `offset` (a long line may have many).
        var lo = 0
        var hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if pieces[mid].dst <= offset { lo = mid } else { hi = mid - 1 }
        }
        return pieces[lo].src + (offset - pieces[lo].dst) + 1
    }

    /// Takes DogStatsD `#tags`, `c:container` and `T<unix>` segments out of `line[s..<e]`, noting
    /// the tag segments in `tagSegments`. Returns the end of the text left to parse when it is
    /// `line[s..<end]` (nothing taken out, or only segments at the end: the usual `|#tags`), else -1:
    /// then `scratch` holds it and `pieces` maps it.
    private mutating func takeExtensions(_ line: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ timestamp: inout Int64?) -> Int {
        var removed = false
        // The kept text is `line[s..<prefixEnd]` until a segment is kept after one taken out; from
        // then on it is copied into `scratch`.
        var copying = false
        var prefixEnd = s
        var segStart = s
        var first = true
        // The segment after `name:value` is the type (`a:1|c:2|g` is a counter and a gauge); a
        // container id comes after it.
        var typePosition = false
        while segStart <= e {
            let segEnd = Self.pipe(line, segStart, e)
            var keep = true
            if !first, segEnd > segStart {
                let c = line[segStart]
                if c == ASCII.hash {
                    addSegment(StatsDTagSet.Segment(start: segStart + 1, end: segEnd, isContainer: false))
                    keep = false
                } else if c == UInt8(ascii: "c"), segEnd - segStart >= 2, line[segStart + 1] == ASCII.colon,
                    !typePosition, !Self.nextSegmentIsType(line, segEnd, e)
                {
                    // `|c:<id>` is a container id, unless it is a counter followed by the next
                    // sample of a multi-value line (`a:1|c:2|g`, `a:1|c:2|q` with its bad second
                    // type reported and its counter kept).
                    if options.datadogKeepContainerTag && segEnd - segStart > 2 {
                        addSegment(StatsDTagSet.Segment(start: segStart + 2, end: segEnd, isContainer: true))
                    }
                    keep = false
                } else if c == UInt8(ascii: "T"), segEnd - segStart >= 2, let secs = Self.parseDigits(line, segStart + 1, segEnd) {
                    let (ns, overflow) = secs.multipliedReportingOverflow(by: 1_000_000_000)
                    if !overflow { timestamp = ns }
                    keep = false
                }
            }
            if keep {
                if !removed {
                    prefixEnd = segEnd
                } else {
                    if !copying {
                        scratch.removeAll(keepingCapacity: true)
                        pieces.append((0, s))
                        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: line[s..<prefixEnd]))
                        copying = true
                    }
                    // The `|` before the segment comes along, mapped to its own column.
                    pieces.append((scratch.count, segStart - 1))
                    scratch.append(ASCII.pipe)
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: line[segStart..<segEnd]))
                }
            } else {
                removed = true
            }
            typePosition = first
            first = false
            segStart = segEnd + 1
        }
        return copying ? -1 : prefixEnd
    }

    private mutating func addSegment(_ segment: StatsDTagSet.Segment) {
        if segmentCount < segmentStore.count {
            segmentStore[segmentCount] = segment
        } else {
            segmentStore.append(segment)
        }
        segmentCount += 1
    }

    /// The offset of the first `|` in `line[from..<e]`, or `e`.
    @inline(__always)
    private static func pipe(_ line: UnsafeBufferPointer<UInt8>, _ from: Int, _ e: Int) -> Int {
        guard from < e, let base = line.baseAddress, let hit = memchr(base + from, Int32(ASCII.pipe), e - from) else { return e }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// True when the segment after the `|` at `pipe` is exactly a StatsD type (`g`, `ms`, ...).
    private static func nextSegmentIsType(_ line: UnsafeBufferPointer<UInt8>, _ pipe: Int, _ e: Int) -> Bool {
        guard pipe < e else { return false }
        var end = pipe + 1
        while end < e, line[end] != ASCII.pipe, line[end] != ASCII.colon { end += 1 }
        return kind(line, pipe + 1, end) != nil
    }

    /// Decimal digits only, no sign; nil when empty, not digits, or too large.
    private static func parseDigits(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        if s >= e { return nil }
        var v: Int64 = 0
        for i in s..<e {
            let d = b[i] &- ASCII.zero
            if d > 9 { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    /// DogStatsD tags `k:v,bare,k2:v:with:colons`: a bare key is `true`, as is an empty value.
    static func parseDogStatsDTags(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, into tags: inout [Tag]) {
        var itemStart = s
        while itemStart < e {
            var itemEnd = itemStart
            var colon = -1
            while itemEnd < e, b[itemEnd] != ASCII.comma {
                if colon < 0, b[itemEnd] == ASCII.colon { colon = itemEnd }
                itemEnd += 1
            }
            if colon < 0 {
                if itemEnd > itemStart { tags.append(Tag(String(bytes: b, itemStart..<itemEnd), "true")) }
            } else if colon > itemStart {
                let key = String(bytes: b, itemStart..<colon)
                tags.append(Tag(key, colon + 1 < itemEnd ? String(bytes: b, (colon + 1)..<itemEnd) : "true"))
            }
            itemStart = itemEnd + 1
        }
    }

    /// The sample kind named by `b[s..<e]`.
    @inline(__always)
    static func kind(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> StatsDSample.Kind? {
        switch e - s {
        case 1:
            switch b[s] {
            case UInt8(ascii: "c"): return .counter
            case UInt8(ascii: "g"): return .gauge
            case UInt8(ascii: "s"): return .set
            case UInt8(ascii: "h"): return .histogram
            case UInt8(ascii: "d"): return .distribution
            default: return nil
            }
        case 2:
            return b[s] == UInt8(ascii: "m") && b[s + 1] == UInt8(ascii: "s") ? .timing : nil
        default:
            return nil
        }
    }

    /// Parses `bucket:bit:bit...` (extension segments already out) in `b`; the tag segments are
    /// in `line`.
    @inline(__always)
    private mutating func parseSamples(
        _ b: UnsafeBufferPointer<UInt8>, _ lineBytes: UnsafeBufferPointer<UInt8>, number line: Int, timestamp: Int64?, withMetricTags: Bool, _ body: (Event, [Tag]) -> Void
    ) {
        let n = b.count
        var colon = 0
        while colon < n, b[colon] != ASCII.colon { colon += 1 }
        if colon == n {
            var pipe = 0
            while pipe < n, b[pipe] != ASCII.pipe { pipe += 1 }
            body(.diagnostic(.error(line: line, column: column(pipe), "expected ':' between the bucket and the value (bucket:value|type)")), [])
            return
        }
        // Bucket: `name[,k=v,...]`.
        var nameEnd = 0
        while nameEnd < colon, b[nameEnd] != ASCII.comma { nameEnd += 1 }
        if nameEnd == 0 {
            body(.diagnostic(.error(line: line, column: column(0), "empty bucket name")), [])
            return
        }
        let bucket = tokens.string(b.baseAddress!, nameEnd)
        // The tags, from the cache when the same bucket tags and segments came before.
        let slot = tagSetSlot(b, nameEnd, colon, lineBytes)
        let tags = slot >= 0 ? tagSets[slot].sample : Self.parseTags(b, nameEnd, colon, lineBytes, tagSegments)
        // Every sample of the line carries every tag: bound the product a long line can ask for.
        if tags.count > Self.maxTagsPerLine {
            body(.diagnostic(.error(line: line, column: column(0), "more than \(Self.maxTagsPerLine) tags on one line: skipped")), [])
            return
        }

        var bitStart = colon + 1
        while bitStart <= n {
            var bitEnd = bitStart
            while bitEnd < n, b[bitEnd] != ASCII.colon { bitEnd += 1 }
            // value|type[|rate[|ignored...]]
            var p1 = bitStart
            while p1 < bitEnd, b[p1] != ASCII.pipe { p1 += 1 }
            if p1 == bitEnd {
                body(.diagnostic(.error(line: line, column: column(bitEnd), "expected '|' and a metric type after the value")), [])
                return
            }
            var p2 = p1 + 1
            while p2 < bitEnd, b[p2] != ASCII.pipe { p2 += 1 }
            guard let kind = Self.kind(b, p1 + 1, p2) else {
                let text = String(bytes: b, (p1 + 1)..<p2)
                body(
                    .diagnostic(
                        .error(
                            line: line, column: column(p1 + 1), text.isEmpty ? "missing metric type after '|'" : "invalid metric type \"\(text)\" (expected c, g, s, ms, h or d)")),
                    [])
                return
            }
            if p1 == bitStart {
                body(.diagnostic(.error(line: line, column: column(bitStart), "empty value")), [])
                return
            }
            let first = b[bitStart]
            let signed = first == ASCII.plus || first == ASCII.minus
            if signed && kind != .gauge && kind != .counter {
                body(
                    .diagnostic(
                        .error(line: line, column: column(bitStart), "'\(first == ASCII.plus ? "+" : "-")' is allowed only for counters and gauges, not for type \(kind.rawValue)")),
                    [])
                return
            }
            let value: StatsDSample.Value
            switch kind {
            case .set:
                value = .member(String(bytes: b, bitStart..<p1))
            case .counter:
                if let v = Self.parseInteger(b, bitStart, p1) {
                    value = .integer(v)
                } else if let v = Self.parseFloat(b, bitStart, p1) {
                    value = .number(v)
                } else {
                    body(.diagnostic(.error(line: line, column: column(bitStart), Self.badNumber(b, bitStart, p1))), [])
                    return
                }
            default:
                if let v = Self.parseFloat(b, bitStart, p1) {
                    value = .number(v)
                } else {
                    body(.diagnostic(.error(line: line, column: column(bitStart), Self.badNumber(b, bitStart, p1))), [])
                    return
                }
            }
            // A third part is a sample rate only with `@`; a bad one is ignored, as in Telegraf.
            var rate: Double? = nil
            if p2 < bitEnd {
                var p3 = p2 + 1
                while p3 < bitEnd, b[p3] != ASCII.pipe { p3 += 1 }
                if p3 > p2 + 1 {
                    var hasAt = false
                    for i in (p2 + 1)..<p3 where b[i] == ASCII.at {
                        hasAt = true
                        break
                    }
                    if hasAt && p3 - (p2 + 1) > 1 {
                        if let r = Self.parseFloat(b, p2 + 2, p3), r != 0 {
                            rate = r
                        } else if Self.parseFloat(b, p2 + 2, p3) == nil {
                            body(.diagnostic(Diagnostic(.note, line: line, column: column(p2 + 1), "sample rate \"\(String(bytes: b, (p2 + 1)..<p3))\" ignored: not a number")), [])
                        }
                    } else {
                        body(
                            .diagnostic(Diagnostic(.note, line: line, column: column(p2 + 1), "\"\(String(bytes: b, (p2 + 1)..<p3))\" ignored: a sample rate is written @RATE")), []
                        )
                    }
                }
            }
            if kind == .distribution && !(options.datadogDistributions && options.datadogExtensions) {
                body(
                    .diagnostic(Diagnostic(.note, line: line, column: column(bitStart), "distribution sample skipped (needs --datadog-distributions and --datadog-extensions)")), []
                )
            } else {
                let sample = StatsDSample(bucket: bucket, value: value, kind: kind, sampleRate: rate, isDelta: signed && kind == .gauge, tags: tags)
                body(.sample(sample, timestamp: timestamp), withMetricTags ? metricTags(slot, tags, kind) : [])
            }
            bitStart = bitEnd + 1
        }
    }

    /// Go's `ParseInt(s, 10, 64)` on `b[s..<e]`, as Telegraf reads a counter first; nil when not
    /// that shape or out of range (then it may still be a float).
    @inline(__always) static func parseInteger(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        GoNumber.parseInt(UnsafeBufferPointer(rebasing: b[s..<e])).value
    }

    /// Go's `ParseFloat(s, 64)` on `b[s..<e]`, finite values only: nil for a syntax error, out of
    /// range, and for `NaN` and the infinities, which no aggregate can carry.
    @inline(__always) static func parseFloat(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        guard let v = GoNumber.parseFloat(UnsafeBufferPointer(rebasing: b[s..<e])).value, v.isFinite else { return nil }
        return v
    }

    private static func badNumber(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        let text = String(bytes: b, s..<e)
        switch GoNumber.parseFloat(UnsafeBufferPointer(rebasing: b[s..<e])) {
        case .value: return "invalid value \"\(text)\": only finite numbers are accepted"
        case .outOfRange: return "invalid value \"\(text)\": out of range for a 64-bit float"
        case .invalid: return "invalid value \"\(text)\": expected a number"
        }
    }
}
