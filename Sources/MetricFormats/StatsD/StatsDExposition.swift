/// The Prometheus view of StatsD aggregates, as statsd_exporter gives it: fed the metrics of each
/// ``StatsDAggregator`` flush, it keeps what a scrape must see and renders text format 0.0.4.
///
/// Mapping (statsd_exporter's defaults): a name's bytes outside `[a-zA-Z0-9_]` (`.` and `-` among
/// them) become `_`, a leading digit gets a `_` before it; tags are labels (without `metric_type`),
/// label names sanitized the same way. Counters are cumulative since the start and named
/// `<name>_total`; gauges and sets (distinct count of the last interval) are gauges; timings are
/// summaries in seconds (milliseconds / 1000): quantiles from the last interval's `--percentiles`,
/// `_sum` and `_count` cumulative; histograms and distributions are summaries in their own unit.
/// A name claimed by one type is refused to the others (counted in ``conflicts``). At most
/// `maxSeries` series are held; more are refused and counted in ``refused``.
///
///     var view = StatsDExposition(maxSeries: 10_000)
///     view.update(aggregator.flush(timestamp: now))
///     let text = view.render()
public struct StatsDExposition: Sendable {
    enum Kind: Sendable {
        case counter, gauge, summary

        var text: StaticString {
            switch self {
            case .counter: return "counter"
            case .gauge: return "gauge"
            case .summary: return "summary"
            }
        }
    }

    struct Series: Sendable {
        var labels: [Tag]
        var value = 0.0
        var sum = 0.0
        var count: Int64 = 0
        var quantiles: [(q: Double, value: Double)] = []
    }

    struct Family: Sendable {
        var kind: Kind
        /// Applied when rendering (timings: ms to s), so sums add up in the unit they came in.
        var scale = 1.0
        var series: [WireKey: Series] = [:]
    }

    private var families: [WireKey: Family] = [:]
    private var seriesCount = 0
    public let maxSeries: Int
    /// Series refused because ``maxSeries`` were held.
    public private(set) var refused = 0
    /// Updates refused because their name was already taken by another type.
    public private(set) var conflicts = 0
    /// Series held.
    public var count: Int { seriesCount }

    public init(maxSeries: Int = 100_000) {
        self.maxSeries = max(1, maxSeries)
    }

    /// Takes in one flush's metrics (each with its `metric_type` tag).
    public mutating func update(_ metrics: [Metric]) {
        for m in metrics {
            var labels: [Tag] = []
            var type = ""
            for t in m.tags {
                if t.key == "metric_type" {
                    type = t.value
                    continue
                }
                guard let key = Self.labelName(t.key) else { continue }
                labels.removeAll { $0.key == key }
                labels.append(Tag(key, t.value))
            }
            labels.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            let base = Self.metricName(m.name)
            switch type {
            case "counter":
                for f in m.fields where !f.key.hasSuffix("rate") {
                    guard let v = Self.number(f.value) else { continue }
                    let name = (f.key == "value" ? base : base + "_" + Self.metricName(f.key)) + "_total"
                    change(name, .counter, labels) { $0.value += v }
                }
            case "gauge", "set":
                for f in m.fields {
                    guard let v = Self.number(f.value) else { continue }
                    change(f.key == "value" ? base : base + "_" + Self.metricName(f.key), .gauge, labels) { $0.value = v }
                }
            case "timing", "histogram":
                let scale = type == "timing" ? 0.001 : 1
                for (prefix, stats) in Self.timingGroups(m.fields) {
                    let name = prefix.isEmpty ? base : base + "_" + Self.metricName(prefix)
                    change(name, .summary, labels, scale: scale) { s in
                        s.count &+= stats.count
                        s.sum += stats.sum
                        s.quantiles = stats.quantiles
                    }
                }
            case "distribution":
                for f in m.fields {
                    guard let v = Self.number(f.value) else { continue }
                    change(f.key == "value" ? base : base + "_" + Self.metricName(f.key), .summary, labels) { s in
                        s.count &+= 1
                        s.sum += v
                    }
                }
            default:
                continue
            }
        }
    }

    private mutating func change(_ name: String, _ kind: Kind, _ labels: [Tag], scale: Double = 1, _ body: (inout Series) -> Void) {
        var key = ""
        for l in labels { key += l.key + "\u{0}" + l.value + "\u{0}" }
        if families[WireKey(name)] == nil {
            guard seriesCount < maxSeries else {
                refused += 1
                return
            }
            families[WireKey(name)] = Family(kind: kind, scale: scale)
        }
        guard families[WireKey(name)]!.kind == kind, families[WireKey(name)]!.scale == scale else {
            conflicts += 1
            return
        }
        if families[WireKey(name)]!.series[WireKey(key)] == nil {
            guard seriesCount < maxSeries else {
                refused += 1
                return
            }
            seriesCount += 1
            families[WireKey(name)]!.series[WireKey(key)] = Series(labels: labels)
        }
        body(&families[WireKey(name)]!.series[WireKey(key)]!)
    }

    /// Text format 0.0.4, families and series sorted, with `# HELP` and `# TYPE` lines.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        for name in families.keys.map(\.text).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let family = families[WireKey(name)]!
            out.append(ascii: "# HELP ")
            out.append(utf8: name)
            out.append(ascii: " StatsD ")
            out.append(ascii: family.kind.text)
            out.append(ascii: " aggregated by metricat\n# TYPE ")
            out.append(utf8: name)
            out.append(ASCII.space)
            out.append(ascii: family.kind.text)
            out.append(ASCII.newline)
            for key in family.series.keys.map(\.text).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let s = family.series[WireKey(key)]!
                switch family.kind {
                case .counter, .gauge:
                    Self.sample(name, "", s.labels, nil, s.value, into: &out)
                case .summary:
                    for q in s.quantiles { Self.sample(name, "", s.labels, q.q, Self.scaled(q.value, family.scale), into: &out) }
                    Self.sample(name, "_sum", s.labels, nil, Self.scaled(s.sum, family.scale), into: &out)
                    Self.sample(name, "_count", s.labels, nil, Double(s.count), into: &out)
                }
            }
        }
        return out
    }

    private static func sample(_ name: String, _ suffix: StaticString, _ labels: [Tag], _ quantile: Double?, _ value: Double, into out: inout [UInt8]) {
        out.append(utf8: name)
        if suffix.utf8CodeUnitCount > 0 { out.append(ascii: suffix) }
        if !labels.isEmpty || quantile != nil {
            var separator = UInt8(ascii: "{")
            for l in labels {
                out.append(separator)
                out.append(utf8: l.key)
                out.append(ascii: "=\"")
                PrometheusText.appendEscapedLabelValue(l.value, to: &out)
                out.append(ASCII.quote)
                separator = ASCII.comma
            }
            if let quantile {
                out.append(separator)
                out.append(ascii: "quantile=\"")
                PrometheusText.appendGoFloat(quantile, to: &out)
                out.append(ASCII.quote)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(ASCII.space)
        PrometheusText.appendGoFloat(value, to: &out)
        out.append(ASCII.newline)
    }

    /// `v * scale`, or `v / 1000` for milliseconds (exact for whole milliseconds: `600 / 1000` is `0.6`).
    static func scaled(_ v: Double, _ scale: Double) -> Double {
        scale == 0.001 ? v / 1000 : v * scale
    }

    /// statsd_exporter's `EscapeMetricName`: bytes outside `[a-zA-Z0-9_]` become `_`; a leading digit gets `_` before it.
    public static func metricName(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count + 1)
        if let first = name.utf8.first, ASCII.isDigit(first) { out.append(UInt8(ascii: "_")) }
        for b in name.utf8 {
            let ok = ASCII.isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_")
            out.append(ok ? b : UInt8(ascii: "_"))
        }
        if out.isEmpty { return "_" }
        return String(decoding: out, as: UTF8.self)
    }

    /// A label name from a tag key, as ``metricName(_:)``; `__` at the start (reserved in
    /// Prometheus) is cut to one `_`; nil for an empty key.
    static func labelName(_ key: String) -> String? {
        if key.isEmpty { return nil }
        var name = metricName(key)
        while name.hasPrefix("__") { name.removeFirst() }
        return name
    }

    static func number(_ v: FieldValue) -> Double? {
        switch v {
        case .float(let d): return d.isFinite ? d : nil
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        default: return nil
        }
    }

    struct TimingStats {
        var count: Int64 = 0
        var sum = 0.0
        var quantiles: [(q: Double, value: Double)] = []
    }

    /// The timing fields grouped by their template prefix (`""` for plain `count`, `sum`, `90_percentile`).
    static func timingGroups(_ fields: [Field]) -> [(String, TimingStats)] {
        var order: [String] = []
        var groups: [String: TimingStats] = [:]
        func group(_ prefix: String, _ body: (inout TimingStats) -> Void) {
            if groups[prefix] == nil {
                order.append(prefix)
                groups[prefix] = TimingStats()
            }
            body(&groups[prefix]!)
        }
        for f in fields {
            let key = f.key
            if key == "count" || key.hasSuffix("_count") {
                let prefix = key == "count" ? "" : String(key.dropLast(6))
                if case .int(let n) = f.value { group(prefix) { $0.count = n } }
            } else if key == "sum" || key.hasSuffix("_sum") {
                let prefix = key == "sum" ? "" : String(key.dropLast(4))
                if let v = number(f.value) { group(prefix) { $0.sum = v } }
            } else if key.hasSuffix("_percentile") {
                let head = key.dropLast(11)
                let cut = head.lastIndex(of: "_")
                let pText = cut.map { head[head.index(after: $0)...] } ?? head[...]
                let prefix = cut.map { String(head[..<$0]) } ?? ""
                if let p = Double(pText), let v = number(f.value) { group(prefix) { $0.quantiles.append((p / 100, v)) } }
            }
        }
        return order.map { ($0, groups[$0]!) }
    }
}
