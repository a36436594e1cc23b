#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Line protocol to Telegraf's JSON, or to line protocol again, without building a ``Metric``: line
/// by line straight from input bytes to output bytes, byte for byte what ``InfluxParser`` followed by
/// ``JSONSerializer`` or ``InfluxSerializer`` writes.
///
/// It takes only lines whose every part it can copy: a header (measurement and tags) seen before,
/// the field keys the last line of that header had, values whose output spelling is a copy of their
/// bytes (integers; floats of at most 15 significant digits without an exponent or leading zeros,
/// less any trailing zeros; strings of valid UTF-8, for JSON without characters it escapes), and a
/// timestamp after 1970-04-26, or none (JSON then takes the run's time, line protocol writes none).
/// Any other line is declined, with nothing written, and goes through the parser and the
/// serializer, which also report every error. What stands for the header in the output (`},"name":...,"tags":{...},
/// "timestamp":` for JSON, the escaped and sorted `name,tags ` for line protocol) and the sorted JSON
/// key texts are learned from the full parser's metric for the first line of each header.
///
/// Why 15 digits suffice: two different decimals of at most 15 significant digits never read as one
/// double (DBL_DIG), so such a text is the shortest that reads back as its value, which is what both
/// serializers write (Go's shortest formatting); fixed notation covers [1e-6, 1e21), which 15 digits
/// without an exponent and at most five zeros after `0.` stay in.
public final class InfluxDirect {
    /// The output format.
    public enum Output: Sendable { case json, influx }

    static let setBits = 8
    static let ways = 4
    static let slotCount = ways << setBits
    static let maxHeaderBytes = InfluxHeaderCache.maxHeaderBytes
    static let maxKeys = InfluxHeaderCache.maxKeys
    static let maxKeyBytes = InfluxHeaderCache.maxKeyBytes
    /// `"key":` texts of one header's fields, and its series text.
    static let maxKeyTextBytes = 512
    static let maxSeriesBytes = 1024
    /// A header whose field keys changed this many times in a row, each time before eight lines were
    /// written with them, is left to the full path (lines that take turns with two key sets would
    /// otherwise be parsed twice each).
    static let maxLearning = 64
    static let settled = 8

    let output: Output
    let precision: TimestampPrecision
    let omitTimestamp: Bool
    /// The time JSON gives a line without a timestamp (the serializer context's `now`); a listener
    /// moves it as lines arrive.
    public var now: Int64
    let uintSupport: Bool
    /// Lines written here, for tests and statistics.
    public private(set) var directLines = 0

    // Per slot, flat storage (no object per header: nothing to count per line).
    private let headerBytes: UnsafeMutablePointer<UInt8>
    private let headerLengths: UnsafeMutablePointer<Int>
    private let seriesText: UnsafeMutablePointer<UInt8>
    private let seriesLengths: UnsafeMutablePointer<Int>
    /// Field keys in input order: bytes one after the other, key `n` ending at `keyEnds[n]`; -1 keys:
    /// none usable (yet).
    private let keyBytes: UnsafeMutablePointer<UInt8>
    private let keyEnds: UnsafeMutablePointer<Int>
    private let keyCounts: UnsafeMutablePointer<Int>
    /// Changes of the keys in a row, and lines written since the last one.
    private let learned: UnsafeMutablePointer<Int>
    private let written: UnsafeMutablePointer<Int>
    /// Output order (indexes into input order) and each output key's `"key":` text.
    private let order: UnsafeMutablePointer<Int>
    private let keyText: UnsafeMutablePointer<UInt8>
    private let keyTextEnds: UnsafeMutablePointer<Int>
    /// Per set, the way the next new header replaces.
    private let nextWay: UnsafeMutablePointer<Int>

    /// The values of the line being written, by input position: start and count in the line (a
    /// number without its suffix, a string with its quotes) and what it is.
    private let valueKinds = UnsafeMutablePointer<ValueKind>.allocate(capacity: InfluxDirect.maxKeys)
    private let valueStarts = UnsafeMutablePointer<Int>.allocate(capacity: InfluxDirect.maxKeys)
    private let valueCounts = UnsafeMutablePointer<Int>.allocate(capacity: InfluxDirect.maxKeys)
    private let line = InfluxLineBuffer(capacity: 1024)
    private let timestampText: JSONTimestampText
    private let byteClass = InfluxByteClass.table
    /// Per byte of a string field: 0 when the output has it as it is (the escapes `\"` and `\\`, and
    /// UTF-8 sequences, are checked apart). JSON escapes control characters and `<`, `>`, `&`; line
    /// protocol only `"` and `\`.
    private let stringClass: UnsafePointer<UInt8>

    /// 0 for ASCII but `"` and `\`. Written once at first use and only read after that.
    nonisolated(unsafe) static let influxStringClass: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = b >= 0x80 ? 2 : (b == Int(ASCII.quote) || b == Int(ASCII.backslash) ? 1 : 0) }
        return UnsafePointer(t)
    }()

    /// Learns a header from the metric the full parser makes of its line.
    private var parser: InfluxParser
    private let catcher = MetricCatcher()
    /// Writes a learned header in line protocol.
    private var headerWriter: InfluxSerializer?

    /// A direct path to `output`; nil when the options ask for something only the full path does
    /// (default tags; for JSON a time layout, nested fields or a batch; for line protocol sorted
    /// fields or a line length limit).
    public init?(options: FormatOptions, output: Output, now: Int64) {
        let json = options.json
        let influx = options.influx
        guard options.defaultTags.isEmpty, let parser = try? InfluxParser(options: options) else { return nil }
        switch output {
        case .json:
            guard json.timestampFormat == nil, json.nestedFieldsInclude.isEmpty, json.nestedFieldsExclude.isEmpty, !json.batch,
                json.timestampUnits > 0
            else { return nil }
        case .influx:
            guard !influx.sortFields, influx.maxLineBytes == 0 else { return nil }
        }
        self.output = output
        self.parser = parser
        stringClass = output == .json ? JSONText.byteClass : Self.influxStringClass
        precision = influx.precision
        timestampText = JSONTimestampText(units: json.timestampUnits)
        omitTimestamp = influx.omitTimestamp
        self.now = now
        uintSupport = influx.uintSupport
        headerWriter = try? InfluxSerializer(options: options)
        let n = Self.slotCount
        headerBytes = .allocate(capacity: n * Self.maxHeaderBytes)
        headerLengths = .allocate(capacity: n)
        headerLengths.initialize(repeating: -1, count: n)
        seriesText = .allocate(capacity: n * Self.maxSeriesBytes)
        seriesLengths = .allocate(capacity: n)
        seriesLengths.initialize(repeating: 0, count: n)
        // Eight spare bytes: a short key is compared with one eight-byte load.
        keyBytes = .allocate(capacity: n * Self.maxKeyBytes + 8)
        keyBytes.initialize(repeating: 0, count: n * Self.maxKeyBytes + 8)
        keyEnds = .allocate(capacity: n * Self.maxKeys)
        keyCounts = .allocate(capacity: n)
        keyCounts.initialize(repeating: -1, count: n)
        learned = .allocate(capacity: n)
        learned.initialize(repeating: 0, count: n)
        written = .allocate(capacity: n)
        written.initialize(repeating: 0, count: n)
        order = .allocate(capacity: n * Self.maxKeys)
        keyText = .allocate(capacity: n * Self.maxKeyTextBytes)
        keyTextEnds = .allocate(capacity: n * Self.maxKeys)
        nextWay = .allocate(capacity: 1 << Self.setBits)
        nextWay.initialize(repeating: 0, count: 1 << Self.setBits)
    }

    deinit {
        headerBytes.deallocate()
        headerLengths.deallocate()
        seriesText.deallocate()
        seriesLengths.deallocate()
        keyBytes.deallocate()
        keyEnds.deallocate()
        keyCounts.deallocate()
        learned.deallocate()
        written.deallocate()
        order.deallocate()
        keyText.deallocate()
        keyTextEnds.deallocate()
        nextWay.deallocate()
        valueKinds.deallocate()
        valueStarts.deallocate()
        valueCounts.deallocate()
    }

    /// Writes the output line for one line of line protocol (without its `\n`) into `out`, or declines
    /// (returns false, writes nothing) and leaves it to the parser and the serializer. Only for a
    /// line that starts a record: not while the parser holds an unfinished string.
    public func transcode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard let p = input.baseAddress, input.count > 0 else { return false }
        let end = input.count
        let stop = p[end - 1] == ASCII.cr ? end - 1 : end
        let first = p[0]
        if InfluxParser.isSpace(first) || first == ASCII.hash { return false }
        guard let h = InfluxHeaderCache.headerEnd(p, 0, stop, byteClass), h > 0, h <= Self.maxHeaderBytes, h < stop,
            InfluxParser.isSpace(p[h])
        else { return false }
        let set = InfluxHeaderCache.slot(p, h) & ((1 << Self.setBits) - 1)
        var slot = find(set, p, h)
        if slot < 0 || keyCounts[slot] < 0 {
            slot = learn(input, set, slot, h)
            if slot < 0 || keyCounts[slot] < 0 { return false }
        }
        switch write(slot, p, h, stop) {
        case .done: break
        case .declined: return false
        case .keysDiffer:
            // The header's fields changed: learn this line's keys and try once more.
            slot = learn(input, set, slot, h)
            if slot < 0 || keyCounts[slot] < 0 || write(slot, p, h, stop) != .done { return false }
        }
        out.append(contentsOf: line.bytes)
        written[slot] &+= 1
        directLines += 1
        return true
    }

    /// The slot holding header `p[0..<n]` in its set, or -1.
    @inline(__always)
    private func find(_ set: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let firstSlot = set &* Self.ways
        for slot in firstSlot..<(firstSlot &+ Self.ways)
        where headerLengths[slot] == n && memcmp(headerBytes + slot &* Self.maxHeaderBytes, p, n) == 0 {
            return slot
        }
        return -1
    }

    // MARK: - Learning

    /// Parses the line with the full parser and keeps what its metric says about the header (in
    /// `slot`, or a new slot of `set` when -1) and its field keys. Returns the slot, or -1 when the
    /// line gave no metric or the header takes no more learning.
    private func learn(_ input: UnsafeBufferPointer<UInt8>, _ set: Int, _ known: Int, _ h: Int) -> Int {
        if known >= 0 {
            if written[known] >= Self.settled { learned[known] = 0 }
            if learned[known] >= Self.maxLearning { return -1 }
        }
        catcher.metric = nil
        parser.parse(line: input, number: 1, into: catcher)
        // A line that ends inside a string leaves the parser waiting for more: drop that.
        if parser.isPending { parser.finish(into: catcher) }
        guard let metric = catcher.metric else { return -1 }
        var slot = known
        if slot < 0 {
            guard seriesText(metric), line.count <= Self.maxSeriesBytes else { return -1 }
            slot = set &* Self.ways &+ nextWay[set]
            nextWay[set] = (nextWay[set] &+ 1) & (Self.ways &- 1)
            input.baseAddress.map { (headerBytes + slot &* Self.maxHeaderBytes).update(from: $0, count: h) }
            headerLengths[slot] = h
            (seriesText + slot &* Self.maxSeriesBytes).update(from: line.base, count: line.count)
            seriesLengths[slot] = line.count
            learned[slot] = 0
        }
        learned[slot] += 1
        written[slot] = 0
        keyCounts[slot] = -1
        learnKeys(slot, metric.fields.map(\.key))
        return slot
    }

    /// What stands for the metric's header in the output, into `line`; false when writing it says
    /// anything (a tag dropped or trimmed is the full path's to report).
    private func seriesText(_ metric: Metric) -> Bool {
        line.removeAll()
        switch output {
        case .json:
            JSONSerializer.appendSeries(metric, to: line)
            return true
        case .influx:
            guard var writer = headerWriter else { return false }
            var said = false
            let context = SerializerContext(now: 0) { _ in said = true }
            writer.header.removeAll()
            let built = writer.buildHeader(InfluxSerializer.withSortedTags(metric), context)
            headerWriter = writer
            guard built, !said else { return false }
            line.append(writer.header)
            return true
        }
    }

    /// Keeps the field keys when each can be matched by its bytes alone: no byte that ends or escapes
    /// a key, and all within the limits.
    private func learnKeys(_ slot: Int, _ keys: [String]) {
        guard !keys.isEmpty, keys.count <= Self.maxKeys else { return }
        let bytes = keyBytes + slot &* Self.maxKeyBytes
        let ends = keyEnds + slot &* Self.maxKeys
        var used = 0
        for (k, key) in keys.enumerated() {
            let utf8 = Array(key.utf8)
            guard used + utf8.count <= Self.maxKeyBytes,
                !utf8.contains(where: { byteClass[Int($0)] != 0 || $0 == ASCII.quote })
            else { return }
            for b in utf8 {
                bytes[used] = b
                used += 1
            }
            ends[k] = used
        }
        let plan = JSONKeyPlan(keys: keys)
        // Repeats were merged by the parser, so every key is in the plan.
        guard plan.order.count == keys.count, plan.text.count <= Self.maxKeyTextBytes else { return }
        (order + slot &* Self.maxKeys).update(from: plan.order, count: keys.count)
        (keyText + slot &* Self.maxKeyTextBytes).update(from: plan.text.base, count: plan.text.count)
        (keyTextEnds + slot &* Self.maxKeys).update(from: plan.ends, count: keys.count)
        keyCounts[slot] = keys.count
    }

    // MARK: - Writing

    private enum Outcome { case done, declined, keysDiffer }

    /// What a value is: how its copied bytes are completed in the output.
    enum ValueKind { case float, int, uint, string, yes, no }

    /// Reads the fields and the timestamp after the header (`h` bytes) and writes the output line
    /// into `line`.
    private func write(_ slot: Int, _ p: UnsafePointer<UInt8>, _ h: Int, _ stop: Int) -> Outcome {
        var i = h
        while i < stop && InfluxParser.isSpace(p[i]) { i &+= 1 }
        let count = keyCounts[slot]
        let bytes = keyBytes + slot &* Self.maxKeyBytes
        let ends = keyEnds + slot &* Self.maxKeys
        var from = 0
        for k in 0..<count {
            let n = ends[k] &- from
            guard i &+ n < stop, p[i &+ n] == ASCII.equals,
                InfluxParser.sameKey(bytes + from, p + i, n, readable: stop &- i)
            else { return .keysDiffer }
            from = ends[k]
            i &+= n &+ 1
            guard i < stop else { return .declined }
            let start = i
            let b = p[i]
            if b == ASCII.quote {
                guard let close = stringEnd(p, i, stop) else { return .declined }
                i = close &+ 1
                valueKinds[k] = .string
                valueStarts[k] = start
                valueCounts[k] = i &- start
            } else if ASCII.isDigit(b) || b == ASCII.minus {
                guard let (kind, length, next) = number(p, i, stop) else { return .declined }
                valueKinds[k] = kind
                valueStarts[k] = start
                valueCounts[k] = length
                i = next
            } else if b == UInt8(ascii: "t") || b == UInt8(ascii: "T") || b == UInt8(ascii: "f") || b == UInt8(ascii: "F") {
                var j = i
                while j < stop && !InfluxParser.isSpace(p[j]) && p[j] != ASCII.comma { j &+= 1 }
                guard let value = InfluxParser.boolValue(p + i, j &- i) else { return .declined }
                valueKinds[k] = value ? .yes : .no
                i = j
            } else {
                return .declined
            }
            // A comma after every value but the last, whitespace (or the end) after the last.
            if k &+ 1 < count {
                guard i < stop else { return .keysDiffer }
                let c = p[i]
                if c == ASCII.comma {
                    i &+= 1
                } else {
                    return InfluxParser.isSpace(c) ? .keysDiffer : .declined
                }
            } else if i < stop && !InfluxParser.isSpace(p[i]) {
                return p[i] == ASCII.comma ? .keysDiffer : .declined
            }
        }
        // The timestamp: digits only (no sign), in range, and not before 1970-04-26 in nanoseconds
        // (earlier ones may be in the wrong unit, which the full path warns about), or none.
        while i < stop && InfluxParser.isSpace(p[i]) { i &+= 1 }
        let digitStart = i
        let value = InfluxParser.timestampDigits(p, &i, stop)
        let digits = i &- digitStart
        guard digits <= 19, value <= UInt64(Int64.max) else { return .declined }
        while i < stop && InfluxParser.isSpace(p[i]) { i &+= 1 }
        guard i == stop else { return .declined }
        var ns: Int64 = -1
        if digits > 0 {
            guard let n = precision.toNanoseconds(Int64(value)), n >= 10_000_000_000_000_000 else { return .declined }
            ns = n
        }
        line.removeAll()
        switch output {
        case .json:
            writeJSON(slot, p, count, ns >= 0 ? ns : now)
        case .influx:
            // Without uint support a uint is written as an integer: copied when its at most 18 digits
            // are sure to fit Int64; a longer one goes to the serializer, which reports one too large.
            guard uintSupport || !(0..<count).contains(where: { valueKinds[$0] == .uint && valueCounts[$0] > 18 }) else {
                return .declined
            }
            writeInflux(slot, p, count, omitTimestamp || ns < 0 ? nil : value)
        }
        return .done
    }

    /// `{"fields":{...` in key order, then the series text and the timestamp.
    @inline(__always)
    private func writeJSON(_ slot: Int, _ p: UnsafePointer<UInt8>, _ count: Int, _ ns: Int64) {
        line.append(ascii: "{\"fields\":{")
        let outOrder = order + slot &* Self.maxKeys
        let texts = keyText + slot &* Self.maxKeyTextBytes
        let textEnds = keyTextEnds + slot &* Self.maxKeys
        var textStart = 0
        for n in 0..<count {
            if n > 0 { line.append(ASCII.comma) }
            line.append(texts + textStart, textEnds[n] &- textStart)
            textStart = textEnds[n]
            appendValue(outOrder[n], p)
        }
        line.append(seriesText + slot &* Self.maxSeriesBytes, seriesLengths[slot])
        timestampText.append(ns, to: line)
        line.append(UInt8(ascii: "}"))
        line.append(ASCII.newline)
    }

    /// The header, the fields in their order, the timestamp in the input's precision (its value).
    @inline(__always)
    private func writeInflux(_ slot: Int, _ p: UnsafePointer<UInt8>, _ count: Int, _ timestamp: UInt64?) {
        line.append(seriesText + slot &* Self.maxSeriesBytes, seriesLengths[slot])
        let bytes = keyBytes + slot &* Self.maxKeyBytes
        let ends = keyEnds + slot &* Self.maxKeys
        var from = 0
        for k in 0..<count {
            if k > 0 { line.append(ASCII.comma) }
            line.append(bytes + from, ends[k] &- from)
            from = ends[k]
            line.append(ASCII.equals)
            appendValue(k, p)
            switch valueKinds[k] {
            case .int: line.append(UInt8(ascii: "i"))
            case .uint: line.append(uintSupport ? UInt8(ascii: "u") : UInt8(ascii: "i"))
            default: break
            }
        }
        if let timestamp {
            line.append(ASCII.space)
            line.append(timestamp)
        }
        line.append(ASCII.newline)
    }

    /// Value `k` of the line: its bytes, or `true`/`false`.
    @inline(__always)
    private func appendValue(_ k: Int, _ p: UnsafePointer<UInt8>) {
        switch valueKinds[k] {
        case .yes: line.append(ascii: "true")
        case .no: line.append(ascii: "false")
        default: line.append(p + valueStarts[k], valueCounts[k])
        }
    }

    /// The closing quote of a string field opening at `p[i]`, when its text is the same in the
    /// output: only the escapes `\"` and `\\` (JSON's own too), valid UTF-8, and ASCII the output
    /// leaves as it is.
    @inline(__always)
    private func stringEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ stop: Int) -> Int? {
        var j = i &+ 1
        while j < stop {
            let b = p[j]
            if stringClass[Int(b)] == 0 {
                j &+= 1
                continue
            }
            if b == ASCII.quote { return j }
            if b >= 0x80 {
                // Valid UTF-8 is copied (the full path would replace invalid bytes); JSON escapes
                // U+2028 and U+2029.
                let n = JSONText.utf8SequenceLength(UnsafeBufferPointer(start: p, count: stop), j)
                let lineSeparator = n == 3 && b == 0xE2 && p[j &+ 1] == 0x80 && p[j &+ 2] & 0xFE == 0xA8
                guard n > 0, !(output == .json && lineSeparator) else { return nil }
                j &+= n
                continue
            }
            guard b == ASCII.backslash, j &+ 1 < stop, p[j &+ 1] == ASCII.quote || p[j &+ 1] == ASCII.backslash else {
                return nil
            }
            j &+= 2
        }
        return nil
    }

    /// A number at `p[i]` whose output text is its own digits: returns what it is, how many bytes to
    /// copy (without a suffix) and where the field goes on (after an `i` or `u` suffix), or nil to
    /// decline.
    @inline(__always)
    private func number(_ p: UnsafePointer<UInt8>, _ i: Int, _ stop: Int) -> (ValueKind, Int, Int)? {
        var j = i
        let negative = p[j] == ASCII.minus
        if negative { j &+= 1 }
        let intStart = j
        j = Self.digitsEnd(p, j, stop)
        let intDigits = j &- intStart
        // No digits, or a leading zero (an error for integers, another spelling for floats).
        guard intDigits > 0, intDigits == 1 || p[intStart] != ASCII.zero else { return nil }
        let zeroInt = p[intStart] == ASCII.zero
        let c: UInt8 = j < stop ? p[j] : 0
        if c == UInt8(ascii: "i") {
            // Up to 18 digits are in Int64's range; `-0i` is written as 0.
            guard intDigits <= 18, !(negative && zeroInt) else { return nil }
            return (.int, j &- i, j &+ 1)
        }
        if c == UInt8(ascii: "u") {
            guard !negative, intDigits <= 19 else { return nil }
            return (.uint, j &- i, j &+ 1)
        }
        var significant = zeroInt ? 0 : intDigits
        var copyEnd = j
        if c == ASCII.dot {
            j &+= 1
            let fracStart = j
            j = Self.digitsEnd(p, j, stop)
            // Neither output has trailing zeros, nor a point without digits after it.
            var fracEnd = j
            while fracEnd > fracStart && p[fracEnd &- 1] == ASCII.zero { fracEnd &-= 1 }
            let fracDigits = fracEnd &- fracStart
            copyEnd = fracDigits > 0 ? fracEnd : fracStart &- 1
            if fracDigits == 0 {
                if zeroInt {
                    guard !negative else { return nil }
                    significant = 1
                }
            } else if zeroInt {
                var zeros = 0
                while p[fracStart &+ zeros] == ASCII.zero { zeros &+= 1 }
                // Below 1e-6 JSON takes an exponent (and line protocol a longer path to its text).
                guard zeros <= 5 else { return nil }
                significant = fracDigits &- zeros
            } else {
                significant &+= fracDigits
            }
        } else if zeroInt {
            // 0 is written as 0; -0 is left to the full path.
            guard !negative else { return nil }
            significant = 1
        }
        guard significant <= 15 else { return nil }
        // An exponent or anything else glued to the number is for the full path to judge.
        if j < stop, p[j] != ASCII.comma, !InfluxParser.isSpace(p[j]) { return nil }
        return (.float, copyEnd &- i, j)
    }

    /// The end of the run of ASCII digits from `p[j]`: eight bytes at a time while eight are left.
    @inline(__always)
    static func digitsEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ stop: Int) -> Int {
        var j = start
        let raw = UnsafeRawPointer(p)
        while j &+ 8 <= stop {
            let n = digitRun(raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            j &+= n
            if n < 8 { return j }
        }
        while j < stop && ASCII.isDigit(p[j]) { j &+= 1 }
        return j
    }

    /// How many of the eight bytes of `w`, from the first (lowest), are ASCII digits before another byte.
    @inline(__always)
    static func digitRun(_ w: UInt64) -> Int {
        // With the top bits cleared no byte carries into the next: bit 7 of each byte of the sums says
        // `byte >= '0'` and `byte > '9'`; a byte with its top bit set is not a digit.
        let low = w & 0x7F7F_7F7F_7F7F_7F7F
        let digit = (low &+ 0x5050_5050_5050_5050) & ~(low &+ 0x4646_4646_4646_4646) & ~w & 0x8080_8080_8080_8080
        return (~digit & 0x8080_8080_8080_8080).trailingZeroBitCount &>> 3
    }
}

/// Keeps the last metric a parser hands over; findings are dropped (the full path reports them).
private final class MetricCatcher: MetricHandler {
    var metric: Metric?
    func handle(_ metric: Metric) { self.metric = metric }
    func report(_ diagnostic: Diagnostic) {}
}
