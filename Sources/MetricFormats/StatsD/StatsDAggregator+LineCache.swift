/// The fast lane of `listen --aggregate`: a line whose shape (bucket, type and DogStatsD tags; the
/// line without its value and rate) was seen since the last flush goes straight to its series, with
/// only the value (and rate) parsed, no strings built and no tags sorted.
///
/// Only single-sample lines `bucket[,k=v]:value|type[|@rate][|#tags]` take it; anything else
/// (several samples, a container id or timestamp segment, a value that does not parse, a note) goes
/// through ``StatsDLineParser`` and ``add(_:name:tags:field:)``, which decide, and then
/// ``rememberLine(_:)`` records the shape. Both lanes give the same aggregates (tested).
///
///     if !agg.addKnownLine(line) {
///         // full parse; then, when the line gave exactly one sample and no diagnostic:
///         agg.rememberLine(line)
///     }
extension StatsDAggregator {
    /// The parts of a single-sample line, or nil when it has another shape.
    struct LineShape {
        var start: Int
        var colon: Int
        var valueEnd: Int
        var typeEnd: Int
        var kind: StatsDSample.Kind
        /// Start (after `@`) and end of the rate segment.
        var rate: Range<Int>?
    }

    static func shape(_ b: UnsafeBufferPointer<UInt8>, datadog: Bool) -> LineShape? {
        var s = 0
        var e = b.count
        while s < e, ASCII.isWhitespace(b[s]) { s += 1 }
        while e > s, ASCII.isWhitespace(b[e - 1]) { e -= 1 }
        var colon = s
        while colon < e, b[colon] != ASCII.colon { colon += 1 }
        guard colon > s, colon < e else { return nil }
        var p1 = colon + 1
        while p1 < e, b[p1] != ASCII.pipe {
            if b[p1] == ASCII.colon { return nil }
            p1 += 1
        }
        guard p1 > colon + 1, p1 < e else { return nil }
        var typeEnd = p1 + 1
        while typeEnd < e, b[typeEnd] != ASCII.pipe { typeEnd += 1 }
        guard let kind = StatsDLineParser.kind(b, p1 + 1, typeEnd), kind != .distribution else { return nil }
        var rate: Range<Int>? = nil
        var seg = typeEnd
        while seg < e {
            let segStart = seg + 1
            var segEnd = segStart
            while segEnd < e, b[segEnd] != ASCII.pipe { segEnd += 1 }
            guard segEnd > segStart else { return nil }
            switch b[segStart] {
            case ASCII.hash:
                guard datadog else { return nil }
            case ASCII.at:
                guard rate == nil, segEnd - segStart > 1 else { return nil }
                for i in segStart..<segEnd where b[i] == ASCII.colon { return nil }
                rate = (segStart + 1)..<segEnd
            default:
                return nil
            }
            seg = segEnd
        }
        return LineShape(start: s, colon: colon, valueEnd: p1, typeEnd: typeEnd, kind: kind, rate: rate)
    }

    /// The cache key of a shape: the bucket, the type and the `#` segments, in line order.
    mutating func makeKey(_ b: UnsafeBufferPointer<UInt8>, _ sh: LineShape) {
        lineKey.removeAll(keepingCapacity: true)
        lineKey.append(contentsOf: UnsafeBufferPointer(rebasing: b[sh.start..<sh.colon]))
        lineKey.append(ASCII.pipe)
        lineKey.append(contentsOf: UnsafeBufferPointer(rebasing: b[(sh.valueEnd + 1)..<sh.typeEnd]))
        var seg = sh.typeEnd
        var e = b.count
        while e > seg, ASCII.isWhitespace(b[e - 1]) { e -= 1 }
        while seg < e {
            var segEnd = seg + 1
            while segEnd < e, b[segEnd] != ASCII.pipe { segEnd += 1 }
            if b[seg + 1] == ASCII.hash { lineKey.append(contentsOf: UnsafeBufferPointer(rebasing: b[seg..<segEnd])) }
            seg = segEnd
        }
    }

    /// Adds the line's sample when its shape is known; false when the line must take the full path
    /// (unknown shape, or anything the full path would report).
    public mutating func addKnownLine(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if lineCache.isEmpty { return false }
        guard let sh = Self.shape(b, datadog: datadogLines) else { return false }
        makeKey(b, sh)
        guard let i = lineCache[lineKey] else { return false }
        let vs = sh.colon + 1
        let signed = b[vs] == ASCII.plus || b[vs] == ASCII.minus
        if signed && sh.kind != .gauge && sh.kind != .counter { return false }
        let value: StatsDSample.Value
        switch sh.kind {
        case .set:
            value = .member(String(decoding: UnsafeBufferPointer(rebasing: b[vs..<sh.valueEnd]), as: UTF8.self))
        case .counter:
            if let v = StatsDLineParser.parseInteger(b, vs, sh.valueEnd) {
                value = .integer(v)
            } else if let v = StatsDLineParser.parseFloat(b, vs, sh.valueEnd) {
                value = .number(v)
            } else {
                return false
            }
        default:
            guard let v = StatsDLineParser.parseFloat(b, vs, sh.valueEnd) else { return false }
            value = .number(v)
        }
        var rate: Double? = nil
        if let r = sh.rate {
            guard let v = StatsDLineParser.parseFloat(b, r.lowerBound, r.upperBound) else { return false }
            if v != 0 { rate = v }
        }
        // A full set refuses (and counts) here exactly as on the full path.
        _ = apply(i, value, rate: rate, isDelta: signed && sh.kind == .gauge)
        return true
    }

    /// Records the shape of a line that the full path turned into exactly one sample, added to
    /// ``lastAdded`` without a diagnostic. Only a series' second sample in an interval is remembered:
    /// with many series that get one sample each, remembering would cost more than it saves.
    public mutating func rememberLine(_ b: UnsafeBufferPointer<UInt8>) {
        guard lastAddedExisted, let i = lastAdded, let sh = Self.shape(b, datadog: datadogLines) else { return }
        if lineCache.count >= 2 * options.maxSeries { lineCache.removeAll() }
        makeKey(b, sh)
        lineCache[lineKey] = i
    }
}
