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
/// It reads each line with ``InfluxTokenizer`` (the parser's grammar) and takes only lines whose
/// every part it can copy: a header (measurement and tags) seen before, the field keys the last line
/// of that header had, values the output serializer says it writes with their own bytes (its
/// `+Verbatim` extension: integers sure to be in range; floats of at most 15 significant digits
/// without an exponent or leading zeros, less any trailing zeros, see
/// ``DecimalText/shortestFixedPrefix()``; strings of valid UTF-8, for JSON without characters it
/// escapes), and a timestamp after 1970-04-26, or none (JSON then takes the run's time, line
/// protocol writes none). Any other line, and any line the tokenizer rejects, is declined, with
/// nothing written, and goes through the parser and the serializer, which also report every error.
/// What stands for the header in the output (`},"name":...,"tags":{...},"timestamp":` for JSON, the
/// escaped and sorted `name,tags ` for line protocol) and the sorted JSON key texts are learned from
/// the full parser's metric for the first line of each header, and kept per header in a
/// ``ByteCache`` keyed by the header's bytes.
public final class InfluxDirect: DirectPath {
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
    /// The time JSON gives a line without a timestamp (the serializer context's `now`); a listener
    /// moves it as lines arrive.
    public var now: Int64
    /// Lines written here, for tests and statistics.
    public private(set) var directLines = 0
    public var route: String { output == .json ? "line protocol to JSON" : "line protocol to line protocol" }

    // Per slot, flat storage (no object per header: nothing to count per line).
    /// The headers learned, by their bytes; the slot number indexes the flat storage below (the
    /// cache does not grow, so a slot number stays valid until its header is replaced).
    private let headers = ByteCache<HeaderState>(ways: InfluxDirect.ways, setBits: InfluxDirect.setBits, maxKeyBytes: InfluxDirect.maxHeaderBytes, empty: HeaderState())
    private let seriesText: UnsafeMutablePointer<UInt8>
    /// Field keys in input order: bytes one after the other, key `n` ending at `keyEnds[n]`; -1 keys:
    /// none usable (yet).
    private let keyBytes: UnsafeMutablePointer<UInt8>
    private let keyEnds: UnsafeMutablePointer<Int>
    /// Output order (indexes into input order) and each output key's `"key":` text.
    private let order: UnsafeMutablePointer<Int>
    private let keyText: UnsafeMutablePointer<UInt8>
    private let keyTextEnds: UnsafeMutablePointer<Int>

    /// The values of the line being written, by input position: start and count in the line (a
    /// number without its suffix, a string with its quotes) and what it is.
    private let valueKinds = UnsafeMutablePointer<ValueKind>.allocate(capacity: InfluxDirect.maxKeys)
    private let valueStarts = UnsafeMutablePointer<Int>.allocate(capacity: InfluxDirect.maxKeys)
    private let valueCounts = UnsafeMutablePointer<Int>.allocate(capacity: InfluxDirect.maxKeys)
    private let line = InfluxLineBuffer(capacity: 1024)
    private let timestampText: JSONTimestampText
    private let byteClass = InfluxByteClass.table
    /// The bytes of a string value the output serializer may not write as they are.
    private let stringMarks: UnsafePointer<UInt8>

    /// Learns a header from the metric the full parser makes of its line.
    private var parser: InfluxParser
    private let catcher = MetricCatcher()
    /// Writes a learned header in line protocol.
    private var headerWriter: InfluxSerializer?
    /// What line protocol writes as it is, by the serializer's options.
    private let influxRules: InfluxSerializer.Verbatim

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
        precision = influx.precision
        timestampText = JSONTimestampText(units: json.timestampUnits)
        self.now = now
        headerWriter = try? InfluxSerializer(options: options)
        influxRules = InfluxSerializer.Verbatim(options: options)
        stringMarks = output == .json ? JSONSerializer.verbatimStringMarks : InfluxSerializer.verbatimStringMarks
        let n = Self.slotCount
        seriesText = .allocate(capacity: n * Self.maxSeriesBytes)
        // Eight spare bytes: a short key is compared with one eight-byte load.
        keyBytes = .allocate(capacity: n * Self.maxKeyBytes + 8)
        keyBytes.initialize(repeating: 0, count: n * Self.maxKeyBytes + 8)
        keyEnds = .allocate(capacity: n * Self.maxKeys)
        order = .allocate(capacity: n * Self.maxKeys)
        keyText = .allocate(capacity: n * Self.maxKeyTextBytes)
        keyTextEnds = .allocate(capacity: n * Self.maxKeys)
    }

    deinit {
        seriesText.deallocate()
        keyBytes.deallocate()
        keyEnds.deallocate()
        order.deallocate()
        keyText.deallocate()
        keyTextEnds.deallocate()
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
        if InfluxTokenizer.isSpace(first) || first == ASCII.hash { return false }
        guard let h = InfluxTokenizer.headerEnd(p, 0, stop, byteClass), h > 0, h <= Self.maxHeaderBytes, h < stop,
            InfluxTokenizer.isSpace(p[h])
        else { return false }
        let hash = ByteCache<HeaderState>.hash(p, h)
        var slot = headers.find(p, h, hash: hash)
        if slot < 0 || headers[slot].keyCount < 0 {
            slot = learn(input, hash, slot, h)
            if slot < 0 || headers[slot].keyCount < 0 { return false }
        }
        switch write(slot, p, h, end) {
        case .done: break
        case .declined: return false
        case .keysDiffer:
            // The header's fields changed: learn this line's keys and try once more.
            slot = learn(input, hash, slot, h)
            if slot < 0 || headers[slot].keyCount < 0 || write(slot, p, h, end) != .done { return false }
        }
        out.append(contentsOf: line.bytes)
        headers[slot].written &+= 1
        directLines += 1
        return true
    }

    // MARK: - Learning

    /// Parses the line with the full parser and keeps what its metric says about the header (in
    /// `slot`, or a new slot of `set` when -1) and its field keys. Returns the slot, or -1 when the
    /// line gave no metric or the header takes no more learning.
    private func learn(_ input: UnsafeBufferPointer<UInt8>, _ hash: UInt64, _ known: Int, _ h: Int) -> Int {
        if known >= 0 {
            if headers[known].written >= Self.settled { headers[known].learned = 0 }
            if headers[known].learned >= Self.maxLearning { return -1 }
        }
        catcher.metric = nil
        parser.parse(line: input, number: 1, into: catcher)
        // A line that ends inside a string leaves the parser waiting for more: drop that.
        if parser.isPending { parser.finish(into: catcher) }
        guard let metric = catcher.metric else { return -1 }
        var slot = known
        if slot < 0 {
            guard seriesText(metric), line.count <= Self.maxSeriesBytes else { return -1 }
            guard let base = input.baseAddress else { return -1 }
            slot = headers.insert(base, h, hash: hash, HeaderState())
            if slot < 0 { return -1 }
            (seriesText + slot &* Self.maxSeriesBytes).update(from: line.base, count: line.count)
            headers[slot].seriesLength = line.count
        }
        headers[slot].learned += 1
        headers[slot].written = 0
        headers[slot].keyCount = -1
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
        headers[slot].keyCount = keys.count
    }

    // MARK: - Writing

    private enum Outcome { case done, declined, keysDiffer }

    /// What a value is: how its copied bytes are completed in the output.
    enum ValueKind { case float, int, uint, string, yes, no }

    /// Reads the fields and the timestamp after the header (`h` bytes) with the line-protocol
    /// tokenizer, asks the serializer whether it would write each value with its bytes, and writes
    /// the output line into `line`.
    private func write(_ slot: Int, _ p: UnsafePointer<UInt8>, _ h: Int, _ end: Int) -> Outcome {
        var t = InfluxTokenizer(p, end, at: h, byteClass: byteClass)
        let stop = t.stop
        t.skipSpaces()
        let count = headers[slot].keyCount
        let bytes = keyBytes + slot &* Self.maxKeyBytes
        let ends = keyEnds + slot &* Self.maxKeys
        var from = 0
        var unsignedSuffix = UInt8(ascii: "u")
        for k in 0..<count {
            let n = ends[k] &- from
            let i = t.position
            guard i &+ n < stop, p[i &+ n] == ASCII.equals,
                InfluxParser.sameKey(bytes + from, p + i, n, readable: stop &- i)
            else { return .keysDiffer }
            from = ends[k]
            t.skipFieldKey(n)
            let value: InfluxValue
            do { value = try t.fieldValueText(marks: stringMarks) } catch { return .declined }
            valueStarts[k] = value.start
            switch value.kind {
            case .string:
                if value.marked {
                    let content = UnsafeBufferPointer(start: p + (value.start &+ 1), count: value.end &- value.start &- 2)
                    guard output == .json ? JSONSerializer.isVerbatimString(content) : InfluxSerializer.isVerbatimString(content) else {
                        return .declined
                    }
                }
                valueKinds[k] = .string
                valueCounts[k] = value.end &- value.start
            case .float:
                let length = output == .json ? JSONSerializer.verbatimFloat(Self.text(p, value)) : InfluxSerializer.verbatimFloat(Self.text(p, value))
                guard length >= 0 else { return .declined }
                valueKinds[k] = .float
                valueCounts[k] = length
            case .int:
                let text = Self.text(p, value)
                guard output == .json ? JSONSerializer.isVerbatimInteger(text, unsigned: false) : InfluxSerializer.isVerbatimInteger(text) else {
                    return .declined
                }
                valueKinds[k] = .int
                valueCounts[k] = value.end &- value.start &- 1
            case .uint:
                let text = Self.text(p, value)
                if output == .json {
                    guard JSONSerializer.isVerbatimInteger(text, unsigned: true) else { return .declined }
                } else {
                    guard let suffix = influxRules.verbatimUnsignedSuffix(text) else { return .declined }
                    unsignedSuffix = suffix
                }
                valueKinds[k] = .uint
                valueCounts[k] = value.end &- value.start &- 1
            case .bool:
                valueKinds[k] = value.bits != 0 ? .yes : .no
            case .openString:
                return .declined
            }
            // A comma after every value but the last, whitespace (or the end) after the last.
            let more: Bool
            do { more = try t.nextField() } catch { return .declined }
            if more != (k &+ 1 < count) { return .keysDiffer }
        }
        // The timestamp: in range, and not before 1970-04-26 in nanoseconds (earlier ones may be in
        // the wrong unit, which the full path warns about), or none.
        let time: InfluxTimestamp?
        do { time = try t.timestamp() } catch { return .declined }
        var ns: Int64 = -1
        if let time {
            guard let n = precision.toNanoseconds(time.value), n >= 10_000_000_000_000_000 else { return .declined }
            ns = n
        }
        line.removeAll()
        switch output {
        case .json:
            writeJSON(slot, p, count, ns >= 0 ? ns : now)
        case .influx:
            var timestamp: Int64? = nil
            if ns >= 0, let time, influxRules.writesTimestamps {
                guard influxRules.isVerbatimTimestamp(precision: precision) else { return .declined }
                timestamp = time.value
            }
            writeInflux(slot, p, count, timestamp, unsignedSuffix)
        }
        return .done
    }

    /// The shape of a number value for the serializers' verbatim rules.
    @inline(__always)
    private static func text(_ p: UnsafePointer<UInt8>, _ value: InfluxValue) -> DecimalText {
        DecimalText(
            p: p + value.start, negative: value.negative, intDigits: value.intDigits, hasDot: value.hasDot, fracDigits: value.fracDigits,
            hasExponent: value.hasExponent)
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
        line.append(seriesText + slot &* Self.maxSeriesBytes, headers[slot].seriesLength)
        timestampText.append(ns, to: line)
        line.append(UInt8(ascii: "}"))
        line.append(ASCII.newline)
    }

    /// The header, the fields in their order, the timestamp in the input's precision (its value).
    @inline(__always)
    private func writeInflux(_ slot: Int, _ p: UnsafePointer<UInt8>, _ count: Int, _ timestamp: Int64?, _ unsignedSuffix: UInt8) {
        line.append(seriesText + slot &* Self.maxSeriesBytes, headers[slot].seriesLength)
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
            case .uint: line.append(unsignedSuffix)
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
}

/// What the direct path keeps per learned header besides its bytes.
struct HeaderState {
    /// Bytes of the series text; field keys usable (-1: none yet); changes of the keys in a row;
    /// lines written since the last change.
    var seriesLength = 0
    var keyCount = -1
    var learned = 0
    var written = 0
}

/// Keeps the last metric a parser hands over; findings are dropped (the full path reports them).
private final class MetricCatcher: MetricHandler {
    var metric: Metric?
    func handle(_ metric: Metric) { self.metric = metric }
    func report(_ diagnostic: Diagnostic) {}
}
