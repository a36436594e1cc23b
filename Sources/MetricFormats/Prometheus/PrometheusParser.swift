#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Reads the Prometheus text exposition format (0.0.4) and the OpenMetrics text format into metrics
/// the way Telegraf's prometheus parser does, line by line.
///
/// OpenMetrics families are read as Prometheus' own scraper stores them in 0.0.4 terms: a counter
/// `x` with sample `x_total` is the counter `x_total`; `x_created` samples are gauges of their own;
/// an info family `x` is the gauge `x_info`; a stateset is a gauge with the state label; a gauge
/// histogram is a histogram (`_gcount`, `_gsum` as count and sum); `unknown` is untyped. `# UNIT`
/// and `# EOF` are read and have no effect; exemplars are skipped (counted in a note). Timestamps
/// are 0.0.4's milliseconds until the input shows syntax only OpenMetrics has (`# UNIT`, one of
/// its types, a `_total`, `_created` or `_info` sample, an exemplar, a timestamp with a fraction),
/// OpenMetrics' seconds from then on (a whole number from 10^11 up stays milliseconds: as seconds
/// it would be past the year 5000).
///
/// Counter, gauge and untyped samples become metrics at once. The samples of one histogram or
/// summary series are gathered until their family ends (another family starts, or the input
/// does), because they make one metric (version 1) or a count/sum metric before the buckets
/// (version 2); at most ``maxHeldSamples`` samples are held, beyond that the family is written in
/// parts with a warning. Labels become tags (sorted, empty values dropped, `default_tags` fill
/// gaps); a timestamp in milliseconds becomes nanoseconds. NaN counter, gauge and untyped samples
/// are kept (Telegraf drops them silently): an output that cannot carry NaN reports it.
public struct PrometheusParser: MetricParser {
    /// The most samples of one histogram or summary family held before it is written in parts.
    public var maxHeldSamples = 100_000

    let version: Int
    let ignoreTimestamp: Bool
    let defaultTags: [Tag]
    let typeTag: Bool
    let passThrough: PrometheusPassThrough?
    /// Exemplars skipped, for the note at the end.
    var exemplars = 0
    var firstExemplarLine = 0
    var warnedHelpLimit = false
    /// The input has shown syntax only OpenMetrics has: whole-number timestamps are seconds from here on.
    var openMetrics = false
    /// Whole-number timestamps from this value up are milliseconds even in OpenMetrics input.
    static let largestSeconds: Int64 = 100_000_000_000

    enum Kind: Equatable {
        case counter, gauge, untyped, summary, histogram
        /// OpenMetrics: samples `<name>_info`, written as gauges.
        case info
        /// OpenMetrics: buckets with `_gcount` and `_gsum`, written as a histogram.
        case gaugeHistogram
    }

    /// The last `# TYPE` line: its family and whether samples of it have been read.
    var declared: (name: String, kind: Kind, line: Int)?
    var declaredHasSamples = false
    /// Every TYPE line seen, for samples that do not follow their TYPE line directly; bounded.
    var types: [String: Kind] = [:]
    static let maxRememberedTypes = 100_000
    /// The histogram or summary family whose series are being gathered.
    var held: HeldFamily?

    struct HeldFamily {
        var name: String
        var kind: Kind
        var series: [HeldSeries] = []
        var index: [[Tag]: Int] = [:]
        var samples = 0
        var warned = false
    }

    struct HeldSeries {
        var tags: [Tag]
        /// `text`: the `le` or `quantile` as written, kept in a Prometheus to Prometheus conversion;
        /// `at`: the line and column of the sample's value, for findings about it.
        var buckets: [(bound: Double, count: Double, text: String?, at: Place)] = []
        var quantiles: [(quantile: Double, value: Double, text: String?, at: Place)] = []
        var count: Double = 0
        var sum: Double = 0
        var countAt: Place?
        var sumAt: Place?
        var timestamp: Int64?
        /// The first sample's line and where its labels start.
        var line: Int
        var labelColumns: [(key: String, column: Int)]
    }

    /// A line and a 1-based column.
    typealias Place = (line: Int, column: Int)

    public init(options: FormatOptions) throws(FormatError) {
        guard options.prometheus.metricVersion == 1 || options.prometheus.metricVersion == 2 else {
            throw .invalidOption("--prometheus-metric-version", "must be 1 or 2, not \(options.prometheus.metricVersion)")
        }
        version = options.prometheus.metricVersion
        ignoreTimestamp = options.prometheus.ignoreTimestamp
        defaultTags = options.defaultTags
        typeTag = options.prometheus.typeTag
        passThrough = options.prometheus.passThrough
    }

    public mutating func parse(line raw: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        let line = raw.droppingTrailingCR()
        let n = line.count
        var i = 0
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        if i == n { return }
        if line[i] == ASCII.hash {
            parseComment(line, from: i + 1, number: number, handler: handler)
            return
        }
        do throws(LineError) {
            let sample = try Self.parseSample(line, from: i)
            if sample.hasExemplar || sample.timestampNs != nil { openMetrics = true }
            if sample.hasExemplar {
                if exemplars == 0 { firstExemplarLine = number }
                exemplars += 1
            }
            add(sample, number: number, handler: handler)
        } catch {
            handler.report(.error(line: number, column: error.offset + 1, error.message))
        }
    }

    public mutating func finish(into handler: MetricHandler) {
        flushHeld(into: handler)
        if exemplars > 0 {
            handler.report(
                Diagnostic(
                    .note, line: firstExemplarLine,
                    "\(exemplars) exemplar\(exemplars == 1 ? "" : "s") skipped (first here): the metric model and Prometheus text 0.0.4 have no place for them"))
            exemplars = 0
        }
    }

    // MARK: - Comments, HELP and TYPE

    mutating func parseComment(_ line: UnsafeBufferPointer<UInt8>, from start: Int, number: Int, handler: MetricHandler) {
        let n = line.count
        var i = start
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        let wordStart = i
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        let word = UnsafeBufferPointer(rebasing: line[wordStart..<i])
        let isType = word.elementsEqual("TYPE".utf8)
        if word.elementsEqual("UNIT".utf8) { openMetrics = true }
        guard isType || word.elementsEqual("HELP".utf8) else { return }  // a comment, `# UNIT` or `# EOF`
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        let nameStart = i
        if i < n, PrometheusText.isMetricNameStart(line[i]) {
            i += 1
            while i < n, PrometheusText.isMetricNameByte(line[i]) { i += 1 }
        }
        if i == nameStart || (i < n && line[i] != ASCII.space && line[i] != ASCII.tab) {
            handler.report(.error(line: number, column: (i == nameStart ? nameStart : i) + 1, "invalid metric name in \(isType ? "TYPE" : "HELP") line"))
            return
        }
        let name = String(bytes: line, nameStart..<i)
        guard isType else {
            if let passThrough { keepHelp(line, from: i, of: name, in: passThrough, number: number, handler: handler) }
            return
        }
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        let typeStart = i
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        let typeEnd = i
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        let kind: Kind
        switch String(bytes: line, typeStart..<typeEnd) {
        case "counter": kind = .counter
        case "gauge": kind = .gauge
        case "untyped": kind = .untyped
        case "summary": kind = .summary
        case "histogram": kind = .histogram
        case "unknown":
            kind = .untyped
            openMetrics = true
        case "gaugehistogram":
            kind = .gaugeHistogram
            openMetrics = true
        case "info":
            kind = .info
            openMetrics = true
        case "stateset":
            kind = .gauge
            openMetrics = true
        case let other:
            handler.report(.error(line: number, column: typeStart + 1, other.isEmpty ? "expected metric type after TYPE \(name)" : "unknown metric type '\(other)'"))
            return
        }
        if i != n {
            handler.report(.error(line: number, column: i + 1, "unexpected text after metric type"))
            return
        }
        if let d = declared, d.name == name {
            handler.report(.error(line: number, column: nameStart + 1, declaredHasSamples ? "TYPE line for '\(name)' after its samples" : "second TYPE line for '\(name)'"))
            return
        }
        if let h = held, h.name != name { flushHeld(into: handler) }
        if kind == .gaugeHistogram {
            handler.report(
                Diagnostic(
                    .note, line: number, "gauge histogram '\(name)' read as a histogram (_gcount and _gsum as its count and sum): Prometheus text 0.0.4 has no gauge histogram"))
        }
        declared = (name, kind, number)
        if types.count >= Self.maxRememberedTypes { types.removeAll(keepingCapacity: true) }
        types[name] = kind
        declaredHasSamples = false
    }

    // MARK: - Samples

    struct LineError: Error {
        var offset: Int
        var message: String
    }

    struct Sample {
        var name: String
        var labels: [Tag]
        /// Where each label started, for errors about `le` and `quantile`.
        var labelOffsets: [Int]
        var value: Double
        /// Where the value starts.
        var valueOffset = 0
        var timestampMs: Int64?
        /// An OpenMetrics timestamp with a fraction (seconds), in nanoseconds.
        var timestampNs: Int64?
        var hasExemplar = false
    }

    /// `name[{label="value",...}] value [timestamp]`.
    static func parseSample(_ line: UnsafeBufferPointer<UInt8>, from start: Int) throws(LineError) -> Sample {
        let n = line.count
        var i = start
        guard PrometheusText.isMetricNameStart(line[i]) else {
            throw LineError(offset: i, message: "invalid metric name")
        }
        i += 1
        while i < n, PrometheusText.isMetricNameByte(line[i]) { i += 1 }
        let name = String(bytes: line, start..<i)
        if i < n, line[i] != ASCII.space, line[i] != ASCII.tab, line[i] != UInt8(ascii: "{") {
            throw LineError(offset: i, message: "invalid character in metric name")
        }
        i = skipBlanks(line, i)
        var labels: [Tag] = []
        var offsets: [Int] = []
        if i < n, line[i] == UInt8(ascii: "{") {
            i += 1
            try parseLabels(line, &i, into: &labels, offsets: &offsets)
            i = skipBlanks(line, i)
        }
        let valueStart = i
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        if i == valueStart {
            throw LineError(offset: valueStart, message: "expected value")
        }
        guard let value = PrometheusText.parseFloat(UnsafeBufferPointer(rebasing: line[valueStart..<i])) else {
            if i - valueStart < 64 {
                throw LineError(offset: valueStart, message: "invalid value '\(String(bytes: line, valueStart..<i))'")
            }
            throw LineError(offset: valueStart, message: "invalid value")
        }
        i = skipBlanks(line, i)
        var timestamp: Int64?
        var timestampNs: Int64?
        // An OpenMetrics exemplar (`# {trace_id="..."} 1`) may follow the value or the timestamp.
        if i < n, line[i] != ASCII.hash {
            let tsStart = i
            while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
            let text = UnsafeBufferPointer(rebasing: line[tsStart..<i])
            if let ts = GoNumber.parseInt(text).value {
                // Milliseconds past 2262 do not fit in nanoseconds.
                if ts > 0 && TimestampPrecision.milliseconds.toNanoseconds(ts) == nil {
                    throw LineError(offset: tsStart, message: "timestamp \(ts) ms is out of range: the latest is 2262-04-11T23:47:16.854Z (9223372036854 ms)")
                }
                timestamp = ts
            } else if let ns = parseSeconds(text) {
                timestampNs = ns
            } else {
                throw LineError(offset: tsStart, message: "invalid timestamp (milliseconds as a whole number, or OpenMetrics seconds with a fraction)")
            }
            i = skipBlanks(line, i)
            if i < n, line[i] != ASCII.hash { throw LineError(offset: i, message: "unexpected text after timestamp") }
        }
        return Sample(
            name: name, labels: labels, labelOffsets: offsets, value: value, valueOffset: valueStart, timestampMs: timestamp, timestampNs: timestampNs, hasExemplar: i < n)
    }

    /// OpenMetrics seconds with a fraction (`1520879607.789`) as nanoseconds; nil for other
    /// spellings and for times beyond what Int64 nanoseconds hold. Digits past the ninth decimal
    /// are cut off.
    static func parseSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == ASCII.minus || bytes[i] == ASCII.plus {
            negative = bytes[i] == ASCII.minus
            i += 1
        }
        var seconds: Int64 = 0
        var digits = 0
        while i < bytes.count, ASCII.isDigit(bytes[i]) {
            let (m, o1) = seconds.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] &- ASCII.zero))
            if o1 || o2 { return nil }
            seconds = a
            digits += 1
            i += 1
        }
        guard i < bytes.count, bytes[i] == ASCII.dot else { return nil }
        i += 1
        var fraction: Int64 = 0
        var scale: Int64 = 1_000_000_000
        while i < bytes.count, ASCII.isDigit(bytes[i]) {
            if scale > 1 {
                scale /= 10
                fraction += Int64(bytes[i] &- ASCII.zero) * scale
            }
            digits += 1
            i += 1
        }
        guard i == bytes.count, digits > 0 else { return nil }
        let (ns, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, o2) = ns.addingReportingOverflow(fraction)
        if o1 || o2 { return nil }
        return negative ? -total : total
    }

    @inline(__always) static func skipBlanks(_ line: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i < line.count, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        return i
    }

    /// Labels after `{` up to and including `}`; a trailing comma is allowed.
    static func parseLabels(_ line: UnsafeBufferPointer<UInt8>, _ i: inout Int, into labels: inout [Tag], offsets: inout [Int]) throws(LineError) {
        let n = line.count
        var value: [UInt8] = []
        var positions = KeyPositions()
        while true {
            i = skipBlanks(line, i)
            guard i < n else { throw LineError(offset: i, message: "expected label name or '}'") }
            if line[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            let nameStart = i
            guard PrometheusText.isLabelNameStart(line[i]) else {
                throw LineError(offset: i, message: "invalid label name")
            }
            i += 1
            while i < n, PrometheusText.isLabelNameByte(line[i]) { i += 1 }
            let name = String(bytes: line, nameStart..<i)
            i = skipBlanks(line, i)
            guard i < n, line[i] == ASCII.equals else {
                throw LineError(
                    offset: i, message: i < n && !PrometheusText.isLabelNameByte(line[i]) && line[i] != ASCII.space ? "invalid label name" : "expected '=' after label name")
            }
            i = skipBlanks(line, i + 1)
            guard i < n, line[i] == ASCII.quote else {
                throw LineError(offset: i, message: "expected '\"' to open the label value")
            }
            i += 1
            value.removeAll(keepingCapacity: true)
            var closed = false
            while i < n {
                let b = line[i]
                if b == ASCII.quote {
                    closed = true
                    i += 1
                    break
                }
                if b == ASCII.backslash {
                    guard i + 1 < n else { break }
                    switch line[i + 1] {
                    case ASCII.backslash: value.append(ASCII.backslash)
                    case ASCII.quote: value.append(ASCII.quote)
                    case UInt8(ascii: "n"): value.append(ASCII.newline)
                    default:
                        throw LineError(offset: i, message: "invalid escape sequence in label value (only \\\\, \\\" and \\n)")
                    }
                    i += 2
                    continue
                }
                value.append(b)
                i += 1
            }
            guard closed else { throw LineError(offset: n, message: "unterminated label value") }
            if positions.find(name, count: labels.count, keyAt: { labels[$0].key }) != nil {
                throw LineError(offset: nameStart, message: "duplicate label '\(name)'")
            }
            labels.append(Tag(name, String(decoding: value, as: UTF8.self)))
            offsets.append(nameStart)
            i = skipBlanks(line, i)
            guard i < n else { throw LineError(offset: i, message: "expected ',' or '}' after label value") }
            if line[i] == ASCII.comma {
                i += 1
            } else if line[i] != UInt8(ascii: "}") {
                throw LineError(offset: i, message: "expected ',' or '}' after label value")
            }
        }
    }

    // MARK: - Samples to metrics

    /// The role of a sample in its family.
    enum Role {
        case plain(Kind)
        case bucket, sum, count, quantile
        /// A histogram's own name without a suffix: carries nothing.
        case histogramName
    }

    /// The family a sample belongs to: the last TYPE line's if it fits (the common case), else any
    /// earlier TYPE line's, else an untyped family of its own name.
    func role(of name: String) -> (family: String, kind: Kind, role: Role) {
        if let d = declared, let r = Self.role(of: name, in: d.name, kind: d.kind) { return r }
        if !types.isEmpty {
            if let k = types[name], let r = Self.role(of: name, in: name, kind: k) { return r }
            for (suffix, length) in Self.familySuffixes where PrometheusText.hasSuffix(name, suffix) {
                if let base = String(name.utf8.dropLast(length)), let k = types[base], let r = Self.role(of: name, in: base, kind: k) {
                    return r
                }
            }
        }
        return (name, .untyped, .plain(.untyped))
    }

    /// The suffixes a sample name may add to its family's name, with their lengths.
    static let familySuffixes: [(StaticString, Int)] = [
        ("_bucket", 7), ("_sum", 4), ("_count", 6), ("_total", 6), ("_created", 8), ("_info", 5), ("_gsum", 5), ("_gcount", 7),
    ]

    /// A gauge histogram is gathered as a histogram; an info sample is a gauge.
    static func role(of name: String, in family: String, kind: Kind) -> (family: String, kind: Kind, role: Role)? {
        if name == family {
            switch kind {
            case .histogram, .gaugeHistogram: return (family, .histogram, .histogramName)
            case .summary: return (family, kind, .quantile)
            case .info: return (family, kind, .plain(.gauge))
            default: return (family, kind, .plain(kind))
            }
        }
        guard name.utf8.count > family.utf8.count, name.utf8.starts(with: family.utf8) else { return nil }
        let suffix = name.utf8.dropFirst(family.utf8.count)
        switch kind {
        case .counter:
            if suffix.elementsEqual("_total".utf8) { return (family, kind, .plain(.counter)) }
            if suffix.elementsEqual("_created".utf8) { return (family, kind, .plain(.gauge)) }
        case .info:
            if suffix.elementsEqual("_info".utf8) { return (family, kind, .plain(.gauge)) }
        case .histogram, .summary:
            if suffix.elementsEqual("_sum".utf8) { return (family, kind, .sum) }
            if suffix.elementsEqual("_count".utf8) { return (family, kind, .count) }
            if suffix.elementsEqual("_created".utf8) { return (family, kind, .plain(.gauge)) }
            if kind == .histogram, suffix.elementsEqual("_bucket".utf8) { return (family, kind, .bucket) }
        case .gaugeHistogram:
            if suffix.elementsEqual("_gsum".utf8) { return (family, .histogram, .sum) }
            if suffix.elementsEqual("_gcount".utf8) { return (family, .histogram, .count) }
            if suffix.elementsEqual("_bucket".utf8) { return (family, .histogram, .bucket) }
        case .gauge, .untyped:
            break
        }
        return nil
    }

    mutating func add(_ sample: Sample, number: Int, handler: MetricHandler) {
        let (family, familyKind, role) = role(of: sample.name)
        if let h = held, h.name != family { flushHeld(into: handler) }
        if let d = declared, d.name == family { declaredHasSamples = true }
        // Only OpenMetrics names a sample apart from its family (`jobs_total` of `jobs`).
        if case .plain = role, sample.name != family { openMetrics = true }
        var timestamp: Int64?
        if let whole = sample.timestampMs, whole > 0, !ignoreTimestamp {
            // Seconds past 10^11 would be beyond the year 5000: such a number is milliseconds.
            let unit: TimestampPrecision = openMetrics && whole < Self.largestSeconds ? .seconds : .milliseconds
            guard let ns = unit.toNanoseconds(whole) else {
                handler.report(.error(line: number, column: 1, "timestamp \(whole) \(unit.rawValue) is out of range"))
                return
            }
            timestamp = ns
        } else if let ns = sample.timestampNs, ns > 0, !ignoreTimestamp {
            timestamp = ns
        }
        if case .histogramName = role {
            handler.report(.error(line: number, column: 1, "histogram '\(family)' has no sample without _bucket, _sum or _count"))
            return
        }
        if case .plain(let kind) = role {
            // An OpenMetrics sample (`jobs_total` of the counter `jobs`) is a family of its own name.
            let name = sample.name
            if name != family, let passThrough, !PrometheusText.hasSuffix(name, "_created") { passThrough.aliasHelp(from: family, to: name) }
            var metric = Metric(name: version == 1 ? name : "prometheus", tags: makeTags(sample.labels, dropping: nil, kind: kind), timestamp: timestamp)
            let key: String
            if version == 1 {
                switch kind {
                case .counter: key = "counter"
                case .gauge: key = "gauge"
                default: key = "value"
                }
            } else {
                key = name
            }
            metric.fields = [Field(key, .float(sample.value))]
            metric.valueType = kind.valueType
            handler.handle(metric)
            return
        }
        // A histogram or summary sample: find the label that places it, then its series.
        var special: (label: String, value: Double, text: String)?
        switch role {
        case .bucket, .quantile:
            let label = role.isBucket ? "le" : "quantile"
            guard let at = sample.labels.firstIndex(where: { $0.key == label }) else {
                handler.report(.error(line: number, column: 1, "\(role.isBucket ? "histogram bucket" : "summary sample") '\(sample.name)' has no '\(label)' label"))
                return
            }
            guard let v = PrometheusText.parseFloat(sample.labels[at].value) else {
                handler.report(.error(line: number, column: sample.labelOffsets[at] + 1, "'\(label)' label value '\(sample.labels[at].value)' is not a number"))
                return
            }
            special = (label, v, sample.labels[at].value)
        default:
            break
        }
        let tags = makeTags(sample.labels, dropping: special?.label, kind: familyKind)
        if held == nil {
            held = HeldFamily(name: family, kind: familyKind)
        }
        if held!.samples >= maxHeldSamples {
            if !held!.warned {
                handler.report(
                    .warning(line: number, "\(held!.kind == .histogram ? "histogram" : "summary") '\(family)' has more than \(maxHeldSamples) samples: written in parts"))
            }
            flushHeld(into: handler)
            held = HeldFamily(name: family, kind: familyKind, warned: true)
        }
        held!.samples += 1
        let s: Int
        if let found = held!.index[tags] {
            s = found
        } else {
            s = held!.series.count
            held!.index[tags] = s
            held!.series.append(HeldSeries(tags: tags, line: number, labelColumns: zip(sample.labels, sample.labelOffsets).map { ($0.key, $1 + 1) }))
        }
        let at: Place = (number, sample.valueOffset + 1)
        if let timestamp { held!.series[s].timestamp = timestamp }
        switch role {
        case .bucket: held!.series[s].buckets.append((special!.value, Self.truncatedCount(sample.value), passThrough == nil ? nil : special!.text, at))
        case .quantile: held!.series[s].quantiles.append((special!.value, sample.value, passThrough == nil ? nil : special!.text, at))
        case .sum:
            held!.series[s].sum = sample.value
            held!.series[s].sumAt = at
        case .count:
            held!.series[s].count = Self.truncatedCount(sample.value)
            held!.series[s].countAt = at
        case .plain, .histogramName: break
        }
    }

    /// Counts are unsigned integers in Prometheus' model: a fraction is cut off.
    static func truncatedCount(_ v: Double) -> Double {
        v.isFinite ? v.rounded(.towardZero) : v
    }

    /// Labels as tags: empty values dropped, default tags where a label is missing, sorted by key;
    /// with ``PrometheusOptions/typeTag`` a typed family's type as `metric_type` (over a label of
    /// that name).
    func makeTags(_ labels: [Tag], dropping: String?, kind: Kind) -> [Tag] {
        var tags: [Tag] = []
        tags.reserveCapacity(labels.count + defaultTags.count + 2)
        // Labels come after the default tags, so a label of the same name wins; the type tag last.
        tags += defaultTags
        for l in labels where !l.value.isEmpty && l.key != dropping { tags.append(l) }
        if typeTag, kind != .untyped { tags.append(Tag("metric_type", kind.valueType.rawValue)) }
        tags.sortByKeyKeepingLast()
        return tags
    }

    /// A HELP line's text (after the metric name), unescaped (`\\`, `\n`, and OpenMetrics' `\"`),
    /// kept for the output.
    mutating func keepHelp(_ line: UnsafeBufferPointer<UInt8>, from start: Int, of name: String, in table: PrometheusPassThrough, number: Int, handler: MetricHandler) {
        var i = start
        if i < line.count { i += 1 }  // the one blank after the name
        var text: [UInt8] = []
        text.reserveCapacity(line.count - i)
        while i < line.count {
            let b = line[i]
            if b == ASCII.backslash, i + 1 < line.count {
                switch line[i + 1] {
                case ASCII.backslash:
                    text.append(ASCII.backslash)
                    i += 2
                    continue
                case UInt8(ascii: "n"):
                    text.append(ASCII.newline)
                    i += 2
                    continue
                case ASCII.quote:
                    text.append(ASCII.quote)
                    i += 2
                    continue
                default: break
                }
            }
            text.append(b)
            i += 1
        }
        if !table.setHelp(String(decoding: text, as: UTF8.self), for: name), !warnedHelpLimit {
            warnedHelpLimit = true
            handler.report(
                .warning(line: number, "more than \(table.maxHelpTexts) HELP texts or \(table.maxHelpBytes) bytes of them: this family and later ones get the default text"))
        }
    }

    /// Writes the gathered histogram or summary series.
    mutating func flushHeld(into handler: MetricHandler) {
        guard let family = held else { return }
        held = nil
        for s in family.series {
            // Findings about a series name the lines its samples came from, not the line that ended it.
            var origin = MetricOrigin(line: s.line, places: s.labelColumns.map { MetricOrigin.Place(.tag($0.key), line: s.line, column: $0.column) })
            let labelPlaces = origin.places.count
            func place(_ key: String, _ at: Place?) {
                if let at { origin.places.append(MetricOrigin.Place(.field(key), line: at.line, column: at.column)) }
            }
            if version == 1 {
                var metric = Metric(name: family.name, tags: s.tags, timestamp: s.timestamp, valueType: family.kind.valueType)
                if family.kind == .histogram {
                    for b in s.buckets {
                        let key = b.text ?? PrometheusText.goFloat(b.bound)
                        metric.setField(key, .float(b.count))
                        place(key, b.at)
                    }
                } else {
                    for q in s.quantiles where !q.value.isNaN {
                        let key = q.text ?? PrometheusText.goFloat(q.quantile)
                        metric.setField(key, .float(q.value))
                        place(key, q.at)
                    }
                }
                metric.setField("count", .float(s.count))
                metric.setField("sum", .float(s.sum))
                place("count", s.countAt)
                place("sum", s.sumAt)
                handler.handle(metric, origin: origin)
            } else {
                let type = family.kind.valueType
                place(family.name + "_count", s.countAt)
                place(family.name + "_sum", s.sumAt)
                handler.handle(
                    Metric(
                        name: "prometheus", tags: s.tags,
                        fields: [
                            Field(family.name + "_count", .float(s.count)), Field(family.name + "_sum", .float(s.sum)),
                        ], timestamp: s.timestamp, valueType: type), origin: origin)
                let label = family.kind == .histogram ? "le" : "quantile"
                let key = family.kind == .histogram ? family.name + "_bucket" : family.name
                var infSeen = false
                for (bound, value, text, at) in family.kind == .histogram
                    ? s.buckets.map({ ($0.bound, $0.count, $0.text, $0.at) }) : s.quantiles.map({ ($0.quantile, $0.value, $0.text, $0.at) })
                {
                    var tags = s.tags
                    PrometheusText.insertSorted(Tag(label, text ?? PrometheusText.goFloat(bound)), into: &tags)
                    // A bucket's own sample: its line, its value.
                    origin.places.removeSubrange(labelPlaces...)
                    origin.line = at.line
                    place(key, at)
                    handler.handle(Metric(name: "prometheus", tags: tags, fields: [Field(key, .float(value))], timestamp: s.timestamp, valueType: type), origin: origin)
                    if bound == .infinity { infSeen = true }
                }
                if family.kind == .histogram && !infSeen {
                    var tags = s.tags
                    PrometheusText.insertSorted(Tag("le", "+Inf"), into: &tags)
                    origin.places.removeSubrange(labelPlaces...)
                    origin.line = s.countAt?.line ?? s.line
                    place(key, s.countAt)
                    handler.handle(Metric(name: "prometheus", tags: tags, fields: [Field(key, .float(s.count))], timestamp: s.timestamp, valueType: type), origin: origin)
                }
            }
        }
    }
}

extension PrometheusParser.Kind {
    var valueType: MetricValueType {
        switch self {
        case .counter: return .counter
        case .gauge: return .gauge
        case .untyped: return .untyped
        case .summary: return .summary
        case .histogram, .gaugeHistogram: return .histogram
        case .info: return .gauge
        }
    }
}

extension PrometheusParser.Role {
    var isBucket: Bool {
        if case .bucket = self { return true }
        return false
    }
}
