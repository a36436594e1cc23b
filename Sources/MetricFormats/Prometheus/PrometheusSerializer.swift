/// Writes the Prometheus text exposition format (0.0.4) as Telegraf's prometheus serializer does.
///
/// Every numeric field becomes a sample of the family `<measurement>_<field>` (just `<field>` for
/// the measurement `prometheus`), names and label names sanitized, label values escaped. The
/// format requires the samples of one family to be together, so metrics are held until
/// ``finish(into:context:)`` and the families are written then; a series seen again replaces its
/// earlier value unless the newer one is older. Memory grows with the number of series.
///
/// The family type comes from a `metric_type` tag (`counter`, `gauge`; anything else is
/// `untyped`; the tag is never a label) or from the shape Telegraf's prometheus parser gives
/// histograms and summaries (`<name>_bucket` with a `le` tag, a `quantile` tag, `<name>_sum` and
/// `<name>_count`).
///
/// In a Prometheus to Prometheus conversion (``PrometheusOptions/passThrough``) the input's HELP
/// texts and `le`/`quantile` spellings (`1.0` stays `1.0`) are written back; elsewhere HELP is
/// Telegraf's fixed text and bounds are written as Go formats them.
public struct PrometheusSerializer: MetricSerializer {
    let options: PrometheusOptions
    var families: [Family] = []
    var familyIndex: [WireKey: Int] = [:]
    var warnedNames: Set<String> = []
    var reportedStrings: Set<String> = []
    var lastLabels: [Tag] = []
    var lastKey = ""

    let gaugeGlobs: [Glob]
    let counterGlobs: [Glob]

    public init(options: FormatOptions) throws(FormatError) {
        self.options = options.prometheus
        gaugeGlobs = try options.prometheus.metricTypesGauge.map { p throws(FormatError) in try Glob(p, flag: "--prometheus-metric-types-gauge") }
        counterGlobs = try options.prometheus.metricTypesCounter.map { p throws(FormatError) in try Glob(p, flag: "--prometheus-metric-types-counter") }
    }

    /// Telegraf's value types, in Telegraf's order (families with one name sort by it).
    enum Kind: Int, Comparable {
        case counter = 1
        case gauge, untyped, summary, histogram

        var text: StaticString {
            switch self {
            case .counter: return "counter"
            case .gauge: return "gauge"
            case .untyped: return "untyped"
            case .summary: return "summary"
            case .histogram: return "histogram"
            }
        }

        static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    struct Family {
        var name: String
        var kind: Kind
        var series: [Series] = []
        var seriesIndex: [WireKey: Int] = [:]
        /// Series folded into a histogram or summary leave a hole.
        var removed = 0
    }

    struct Series {
        var labels: [Tag]
        var time: Int64
        var value: Double = 0
        /// `text`: the bound as the input wrote it, in a pass-through.
        var buckets: [(bound: Double, count: UInt64, text: String?)] = []
        var quantiles: [(quantile: Double, value: Double, text: String?)] = []
        var count: UInt64 = 0
        var sum: Double = 0
        var hasCount = false
        var hasSum = false
        var dead = false

        /// A later bucket or quantile of the same bound replaces the earlier one.
        mutating func apply(_ update: Update) {
            switch update {
            case .bucket(let bound, let count, let text):
                if let i = buckets.firstIndex(where: { $0.bound == bound }) {
                    buckets[i].count = count
                    buckets[i].text = text
                } else {
                    buckets.append((bound, count, text))
                }
            case .quantile(let quantile, let value, let text):
                if let i = quantiles.firstIndex(where: { $0.quantile == quantile }) {
                    quantiles[i].value = value
                    quantiles[i].text = text
                } else {
                    quantiles.append((quantile, value, text))
                }
            case .sum(let v):
                sum = v
                hasSum = true
            case .count(let v):
                count = v
                hasCount = true
            }
        }
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        let kind = Self.kind(of: metric)
        let labels = makeLabels(metric, kind: kind, context: context)
        // Consecutive metrics of one series (a histogram's buckets) share their key.
        let key: String
        if labels.hasSameBytes(as: lastLabels) {
            key = lastKey
        } else {
            key = Self.labelKey(labels)
            lastLabels = labels
            lastKey = key
        }
        let time = metric.timestamp ?? context.now
        for field in metric.fields {
            if case .string = field.value {
                if !options.stringAsLabel {
                    if reportedStrings.insert(field.key).inserted {
                        context.report(
                            .error(
                                .field(field.key), "string field '\(field.key)' skipped: Prometheus samples are numbers (--prometheus-string-as-label makes string fields labels)"))
                    }
                }
                continue
            }
            guard let name = familyName(metric.name, field.key, kind: kind, context: context) else { continue }
            add(field, name: name, kind: mappedKind(name, kind), labels: labels, key: key, time: time, metric: metric, context: context)
        }
    }

    /// The family type the metric's tags and shape say.
    static func kind(of metric: Metric) -> Kind {
        // The special tags count only when they hold numbers, so an unrelated tag named
        // `quantile` does not swallow a metric.
        if let le = metric.tag("le"), PrometheusText.parseFloat(le) != nil,
            metric.fields.contains(where: { PrometheusText.hasSuffix($0.key, "_bucket") })
        {
            return .histogram
        }
        if let q = metric.tag("quantile"), PrometheusText.parseFloat(q) != nil { return .summary }
        // StatsD's `metric_type` tag first, then the type the source gave (a Prometheus TYPE line).
        let type = metric.tag("metric_type") ?? metric.valueType.rawValue
        switch type {
        case "counter": return .counter
        case "gauge": return .gauge
        case "histogram" where metric.fields.contains(where: { PrometheusText.hasSuffix($0.key, "_sum") || PrometheusText.hasSuffix($0.key, "_count") }):
            return .histogram
        case "summary" where metric.fields.contains(where: { PrometheusText.hasSuffix($0.key, "_sum") || PrometheusText.hasSuffix($0.key, "_count") }):
            return .summary
        default: return .untyped
        }
    }

    /// `--prometheus-metric-types-counter/-gauge` override the type of plain samples (a histogram or
    /// summary keeps its shape: its samples cannot be one counter).
    func mappedKind(_ name: String, _ kind: Kind) -> Kind {
        guard kind != .histogram && kind != .summary else { return kind }
        if gaugeGlobs.contains(where: { $0.matches(name) }) { return .gauge }
        if counterGlobs.contains(where: { $0.matches(name) }) { return .counter }
        return kind
    }

    mutating func makeLabels(_ metric: Metric, kind: Kind, context: SerializerContext) -> [Tag] {
        var labels: [Tag] = []
        labels.reserveCapacity(metric.tags.count)
        for tag in metric.tags {
            if tag.key == "metric_type" { continue }
            if kind == .histogram && tag.key == "le" { continue }
            if kind == .summary && tag.key == "quantile" { continue }
            guard let name = sanitizedLabel(tag.key, .tag(tag.key), context: context) else { continue }
            if name != tag.key, labels.contains(where: { $0.key == name }) || metric.tags.contains(where: { $0.key == name }) {
                // `host-name` and `host_name` both become `host_name`: a label appears once.
                if warnedNames.insert("clash " + tag.key).inserted {
                    context.report(.warning(.tag(tag.key), "label name '\(tag.key)' would be written as '\(name)', which another label has: label dropped"))
                }
                continue
            }
            labels.append(Tag(name, tag.value))
        }
        guard options.stringAsLabel else { return labels }
        var added = false
        for field in metric.fields {
            guard case .string(let value) = field.value else { continue }
            guard let name = sanitizedLabel(field.key, .field(field.key), context: context) else { continue }
            // A tag of the same name wins over the string field.
            if labels.contains(where: { $0.key == name }) { continue }
            labels.append(Tag(name, value))
            added = true
        }
        if added {
            labels.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }
        return labels
    }

    mutating func sanitizedLabel(_ key: String, _ subject: Diagnostic.Subject, context: SerializerContext) -> String? {
        let name = PrometheusText.sanitizeLabelName(key)
        // Names that start with `__` are reserved (promtool and Pushgateway refuse `__name__`): written
        // with Prometheus's own `exported_` prefix, as a scrape does for a clashing target label.
        if let n = name, n.utf8.starts(with: "__".utf8) {
            if warnedNames.insert("label " + key).inserted {
                context.report(.warning(subject, "label name '\(key)' is reserved in Prometheus: written as 'exported_\(n)'"))
            }
            return "exported_" + n
        }
        if name != key, warnedNames.insert("label " + key).inserted {
            if let name {
                context.report(.warning(subject, "label name '\(key)' written as '\(name)'"))
            } else {
                context.report(.warning(subject, "label name '\(key)' has no character a Prometheus label name can carry: label dropped"))
            }
        }
        return name
    }

    mutating func familyName(_ measurement: String, _ fieldKey: String, kind: Kind, context: SerializerContext) -> String? {
        var key = fieldKey
        if kind == .histogram || kind == .summary {
            if PrometheusText.hasSuffix(key, "_bucket") {
                key = String(key.utf8.dropLast(7))!
            } else if PrometheusText.hasSuffix(key, "_count") {
                key = String(key.utf8.dropLast(6))!
            } else if PrometheusText.hasSuffix(key, "_sum") {
                key = String(key.utf8.dropLast(4))!
            }
        }
        let raw = measurement == "prometheus" ? key : measurement + "_" + key
        let name = PrometheusText.sanitizeMetricName(raw)
        if name != raw, warnedNames.insert("metric " + raw).inserted {
            // The measurement's part, when it is what changed, is found at the name; else the field's.
            let subject: Diagnostic.Subject =
                measurement != "prometheus" && PrometheusText.sanitizeMetricName(measurement) != measurement ? .name : .field(fieldKey)
            if let name {
                context.report(.warning(subject, "metric name '\(raw)' written as '\(name)'"))
            } else {
                context.report(.error(subject, "metric name '\(raw)' has no character a Prometheus metric name can carry: field skipped"))
            }
        }
        return name
    }

    /// `name\0value\0...`: the identity of a series within its family.
    static func labelKey(_ labels: [Tag]) -> String {
        var key = ""
        for l in labels {
            key += l.key
            key += "\u{0}"
            key += l.value
            key += "\u{0}"
        }
        return key
    }

    mutating func add(_ field: Field, name: String, kind: Kind, labels: [Tag], key: String, time: Int64, metric: Metric, context: SerializerContext) {
        let f: Int
        if let i = familyIndex[WireKey(name)] {
            f = i
        } else {
            f = families.count
            families.append(Family(name: name, kind: kind))
            familyIndex[WireKey(name)] = f
        }
        // One name, one family: the first type seen for a name is the one written.
        let familyKind = families[f].kind
        var s = families[f].seriesIndex[WireKey(key)]
        if let s, time < families[f].series[s].time { return }  // older than what we hold
        switch familyKind {
        case .counter, .gauge, .untyped:
            guard let value = Self.sampleValue(field.value) else { return }  // strings never get here
            if let s {
                families[f].series[s].value = value
                families[f].series[s].time = time
            } else {
                families[f].seriesIndex[WireKey(key)] = families[f].series.count
                families[f].series.append(Series(labels: labels, time: time, value: value))
            }
        case .histogram, .summary:
            // Decide first, so a field that fits no role leaves no empty series behind.
            let update: Update
            switch Self.update(for: field, kind: familyKind, metric: metric, keepSpelling: options.passThrough != nil) {
            case .success(let u): update = u
            case .failure(let problem):
                context.report(
                    .error(.field(field.key), "field '\(field.key)' of \(familyKind == .histogram ? "histogram" : "summary") metric '\(metric.name)' skipped: \(problem.text)"))
                return
            }
            if s == nil {
                s = families[f].series.count
                families[f].seriesIndex[WireKey(key)] = s
                families[f].series.append(Series(labels: labels, time: time))
            }
            guard let s else { return }
            families[f].series[s].time = time
            families[f].series[s].apply(update)
        }
    }

    /// What one field of a histogram or summary metric does to its series.
    enum Update {
        /// The bound, the count and the bound as written when it is kept.
        case bucket(Double, UInt64, String?)
        case quantile(Double, Double, String?)
        case sum(Double)
        case count(UInt64)
    }

    struct Problem: Error {
        var text: String
    }

    /// Places one field of a histogram or summary metric, as Telegraf's collection does; a field
    /// that fits no role is a problem to report (Telegraf drops it silently).
    static func update(for field: Field, kind: Kind, metric: Metric, keepSpelling: Bool = false) -> Result<Update, Problem> {
        if kind == .histogram && PrometheusText.hasSuffix(field.key, "_bucket") {
            guard let le = metric.tag("le"), let bound = PrometheusText.parseFloat(le) else {
                return .failure(Problem(text: "a bucket needs a numeric 'le' tag"))
            }
            guard let count = sampleCount(field.value) else { return .failure(Problem(text: "a bucket count must be a non-negative number")) }
            return .success(.bucket(bound, count, keepSpelling ? le : nil))
        } else if PrometheusText.hasSuffix(field.key, "_sum") {
            guard let sum = sampleSum(field.value) else { return .failure(Problem(text: "a sum must be a number")) }
            return .success(.sum(sum))
        } else if PrometheusText.hasSuffix(field.key, "_count") {
            guard let count = sampleCount(field.value) else { return .failure(Problem(text: "a count must be a non-negative number")) }
            return .success(.count(count))
        } else if kind == .summary {
            guard let q = metric.tag("quantile"), let quantile = PrometheusText.parseFloat(q) else {
                return .failure(Problem(text: "a quantile needs a numeric 'quantile' tag"))
            }
            guard let value = sampleValue(field.value) else { return .failure(Problem(text: "a quantile value must be a number")) }
            return .success(.quantile(quantile, value, keepSpelling ? q : nil))
        }
        return .failure(Problem(text: "not a bucket (_bucket), sum (_sum) or count (_count)"))
    }

    /// A sample value: numbers as they are, bool as 1 or 0.
    static func sampleValue(_ v: FieldValue) -> Double? {
        v.doubleValue
    }

    /// A bucket or sample count: a non-negative number, truncated.
    static func sampleCount(_ v: FieldValue) -> UInt64? {
        switch v {
        case .float(let d):
            guard d >= 0, d < 18_446_744_073_709_551_616.0 else { return nil }
            return UInt64(d)
        case .int(let i): return i < 0 ? nil : UInt64(i)
        case .uint(let u): return u
        case .bool, .string: return nil
        }
    }

    /// A sum: any number (not a bool).
    static func sampleSum(_ v: FieldValue) -> Double? {
        switch v {
        case .float(let d): return d
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .bool, .string: return nil
        }
    }

    public mutating func finish(into out: inout [UInt8], context: SerializerContext) {
        foldSumsAndCounts()
        var order = Array(families.indices)
        if options.sortMetrics {
            order.sort { a, b in
                let l = families[a]
                let r = families[b]
                if l.name != r.name { return l.name.utf8.lexicographicallyPrecedes(r.name.utf8) }
                return l.kind < r.kind
            }
        }
        for f in order {
            write(families[f], into: &out)
        }
        families = []
        familyIndex = [:]
    }

    /// `<name>_sum` and `<name>_count` samples that came as plain metrics (Telegraf's prometheus
    /// parser writes them before the buckets, without `le`) join the histogram or summary `<name>`.
    mutating func foldSumsAndCounts() {
        for f in families.indices where families[f].kind == .histogram || families[f].kind == .summary {
            for suffix in ["_sum", "_count"] {
                guard let p = familyIndex[WireKey(families[f].name + suffix)], families[p].kind == .untyped || families[p].kind == .counter || families[p].kind == .gauge
                else { continue }
                for s in families[p].series.indices where !families[p].series[s].dead {
                    let plain = families[p].series[s]
                    let key = Self.labelKey(plain.labels)
                    var t = families[f].seriesIndex[WireKey(key)]
                    if t == nil {
                        t = families[f].series.count
                        families[f].seriesIndex[WireKey(key)] = t
                        families[f].series.append(Series(labels: plain.labels, time: plain.time))
                    }
                    guard let t else { continue }
                    if suffix == "_sum" {
                        families[f].series[t].sum = plain.value
                        families[f].series[t].hasSum = true
                    } else {
                        guard let count = Self.sampleCount(.float(plain.value)) else { continue }
                        families[f].series[t].count = count
                        families[f].series[t].hasCount = true
                    }
                    families[p].series[s].dead = true
                    families[p].removed += 1
                }
            }
        }
    }

    func write(_ family: Family, into out: inout [UInt8]) {
        if family.series.count == family.removed { return }
        var series = family.series.filter { !$0.dead }
        if options.sortMetrics {
            series.sort { Self.labelsPrecede($0.labels, $1.labels) }
        }
        if !options.compactEncoding {
            out.append(ascii: "# HELP ")
            out.append(utf8: family.name)
            if let help = options.passThrough?.help(for: family.name) {
                out.append(ASCII.space)
                PrometheusText.appendEscapedHelp(help, to: &out)
                out.append(ASCII.newline)
            } else {
                out.append(ascii: " Telegraf collected metric\n")
            }
        }
        out.append(ascii: "# TYPE ")
        out.append(utf8: family.name)
        out.append(ASCII.space)
        out.append(ascii: family.kind.text)
        out.append(ASCII.newline)
        for s in series {
            switch family.kind {
            case .counter, .gauge, .untyped:
                writeSample(family.name, "", s, extra: nil, value: s.value, into: &out)
            case .summary:
                for q in s.quantiles {
                    writeSample(family.name, "", s, extra: ("quantile", q.quantile, q.text), value: q.value, into: &out)
                }
                writeSample(family.name, "_sum", s, extra: nil, value: s.sum, into: &out)
                writeSample(family.name, "_count", s, extra: nil, value: Double(s.count), into: &out)
            case .histogram:
                var infSeen = false
                for b in s.buckets {
                    writeSample(family.name, "_bucket", s, extra: ("le", b.bound, b.text), value: Double(b.count), into: &out)
                    if b.bound == .infinity { infSeen = true }
                }
                if !infSeen {
                    writeSample(family.name, "_bucket", s, extra: ("le", .infinity, nil), value: Double(s.count), into: &out)
                }
                writeSample(family.name, "_sum", s, extra: nil, value: s.sum, into: &out)
                writeSample(family.name, "_count", s, extra: nil, value: Double(s.count), into: &out)
            }
        }
    }

    /// Telegraf's series order: fewer labels first, then label by label, name then value.
    static func labelsPrecede(_ l: [Tag], _ r: [Tag]) -> Bool {
        if l.count != r.count { return l.count < r.count }
        for i in l.indices {
            if l[i].key != r[i].key { return l[i].key.utf8.lexicographicallyPrecedes(r[i].key.utf8) }
            if l[i].value != r[i].value { return l[i].value.utf8.lexicographicallyPrecedes(r[i].value.utf8) }
        }
        return false
    }

    /// `extra`: the `le` or `quantile` label, its value and its spelling when kept (a number the
    /// input had, so nothing to escape).
    func writeSample(_ name: String, _ suffix: StaticString, _ s: Series, extra: (StaticString, Double, String?)?, value: Double, into out: inout [UInt8]) {
        out.append(utf8: name)
        if suffix.utf8CodeUnitCount > 0 { out.append(ascii: suffix) }
        if !s.labels.isEmpty || extra != nil {
            var separator = UInt8(ascii: "{")
            for l in s.labels {
                out.append(separator)
                out.append(utf8: l.key)
                out.append(ASCII.equals)
                out.append(ASCII.quote)
                PrometheusText.appendEscapedLabelValue(l.value, to: &out)
                out.append(ASCII.quote)
                separator = ASCII.comma
            }
            if let (label, bound, text) = extra {
                out.append(separator)
                out.append(ascii: label)
                out.append(ASCII.equals)
                out.append(ASCII.quote)
                if let text {
                    out.append(utf8: text)
                } else {
                    PrometheusText.appendGoFloat(bound, to: &out)
                }
                out.append(ASCII.quote)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(ASCII.space)
        PrometheusText.appendGoFloat(value, to: &out)
        if options.exportTimestamp {
            out.append(ASCII.space)
            NumberFormatting.append(s.time / 1_000_000, to: &out)  // Go's UnixNano()/1e6 truncates too
        }
        out.append(ASCII.newline)
    }
}
