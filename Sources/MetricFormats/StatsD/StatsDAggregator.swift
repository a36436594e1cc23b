/// Aggregates StatsD samples between flushes as Telegraf's `inputs.statsd` does: counters add up
/// (a sampled counter adds `Int64(value / rate)`), gauges are replaced or moved by a signed delta,
/// sets count distinct members, timings and histograms become count, lower, upper, mean, median,
/// stddev (population), sum and `<p>_percentile`, distributions pass through one metric each.
///
/// Series are told apart by name and tags (with `metric_type`), as Telegraf's cache key does.
/// Flushed metrics come in Telegraf's gather order (distributions, timings, gauges, counters,
/// sets), each kind in the order its series first appeared.
///
///     var agg = StatsDAggregator(options: .init(percentiles: [90]))
///     agg.add(sample)
///     let metrics = agg.flush(timestamp: now)
public struct StatsDAggregator {
    public struct Options: Sendable {
        /// Percentiles written for timings (Telegraf's `percentiles`), e.g. `[50, 90, 99.9]`.
        public var percentiles: [Double] = []
        /// Values kept per timing for median and percentiles (Telegraf's `percentile_limit`).
        public var percentileLimit: Int = 1000
        /// Forget each kind's series after a flush (Telegraf's `delete_*`, all true by default).
        public var deleteCounters = true
        public var deleteGauges = true
        public var deleteSets = true
        public var deleteTimings = true
        /// Most series (and distribution samples) held between flushes; a sample that would start
        /// one more is refused and counted in ``refusedSamples``. Bounds memory by the series count.
        public var maxSeries = 100_000
        /// Most distinct members one set holds per interval; further new members are refused and counted.
        public var maxSetMembers = 10_000
        /// Add a `rate` field (per second) to counters when ``flush(timestamp:interval:)`` is given the
        /// interval, as etsy statsd's `counter_rates` (off in Telegraf).
        public var counterRates = false
        /// Forget a kept series (see the delete options) that got no sample for this long (ns),
        /// after the flush that finds it so (Telegraf's `max_ttl`); nil keeps it forever.
        public var maxTTL: Int64?

        public init(percentiles: [Double] = [], percentileLimit: Int = 1000) {
            self.percentiles = percentiles
            self.percentileLimit = max(1, percentileLimit)
        }
    }

    /// Running statistics of one timing series.
    struct Timing {
        var count: Int64 = 0
        var shift = 0.0  // the first value: mean and variance are kept relative to it
        var ex = 0.0
        var ex2 = 0.0
        var sum = 0.0
        var lower = 0.0
        var upper = 0.0
        var kept: [Double] = []
        var nextSlot = 0

        mutating func add(_ v: Double, limit: Int) {
            if count == 0 {
                shift = v
                lower = v
                upper = v
            }
            count += 1
            ex += v - shift
            ex2 += (v - shift) * (v - shift)
            sum += v
            if v < lower { lower = v }
            if v > upper { upper = v }
            if kept.count < limit {
                kept.append(v)
            } else {
                // Over the limit: overwrite the oldest, so the kept values stay the latest ones.
                kept[nextSlot] = v
                nextSlot = (nextSlot + 1) % limit
            }
        }

        /// `v` added `times` times at once: the same count, bounds and kept values; sums may
        /// differ from repeated addition in the last bits.
        mutating func add(_ v: Double, times: Int, limit: Int) {
            if count == 0 {
                shift = v
                lower = v
                upper = v
            }
            let n = Double(times)
            count &+= Int64(times)
            ex += (v - shift) * n
            ex2 += (v - shift) * (v - shift) * n
            sum += v * n
            if v < lower { lower = v }
            if v > upper { upper = v }
            for _ in 0..<min(times, limit) {
                if kept.count < limit {
                    kept.append(v)
                } else {
                    kept[nextSlot] = v
                    nextSlot = (nextSlot + 1) % limit
                }
            }
        }

        var mean: Double { shift + ex / Double(count) }
        var stddev: Double {
            let n = Double(count)
            return max(0, (ex2 - ex * ex / n) / n).squareRoot()
        }
    }

    enum State {
        case counter(Int64)
        case gauge(Double)
        case set(Set<WireKey>)
        case timing(Timing)
    }

    struct Series {
        var name: String
        var tags: [Tag]
        /// The field name (Telegraf's template `field`; `value` without one).
        var field: String
        /// Name and tags: series that share it are written as one metric with several fields.
        var metricKey: String
        /// The index key: ``metricKey`` and, for a template field, the field.
        var key: String
        var state: State
        /// A sample arrived since the last flush.
        var touched = true
        /// The timestamp of the last flush that followed a sample (for ``Options/maxTTL``).
        var lastSeen: Int64?
    }

    public var options: Options
    private var index: [WireKey: Int] = [:]
    private var series: [Series] = []
    private var distributions: [Metric] = []
    /// The last ``add(_:name:tags:field:)`` went to a series that existed before it.
    var lastAddedExisted = false
    /// Some series have a template field: a flush merges series of one name and tags into one metric.
    var hasFieldSeries = false
    /// Whether lines carry DogStatsD `|#tags` (the parser's `datadogExtensions`), for the line cache.
    public var datadogLines = true
    /// The series the last successful ``add(_:name:tags:field:)`` went to (for the line cache).
    var lastAdded: Int?
    /// Line shapes (the line without its value and rate) to the series they feed; see
    /// ``addKnownLine(_:)``. Emptied when a flush deletes series.
    var lineCache: [[UInt8]: Int] = [:]
    var lineKey: [UInt8] = []
    /// Samples refused since the start: by ``Options/maxSeries`` or ``Options/maxSetMembers``.
    public private(set) var refusedSamples = 0
    /// Counter samples, or sums, beyond the 64-bit integer range since the start: the counter is held
    /// at the largest (or smallest) integer instead of wrapping as Telegraf's does.
    public private(set) var saturatedSamples = 0

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Number of series held (distributions not counted).
    public var seriesCount: Int { series.count }
    /// Distribution samples held until the next flush.
    public var pendingDistributions: Int { distributions.count }

    /// Adds one sample under its bucket name, with its own tags and field `value`.
    @discardableResult
    public mutating func add(_ sample: StatsDSample) -> Bool {
        add(sample, name: sample.bucket, tags: sample.tags, field: "value")
    }

    /// Adds one sample under `name` with `tags` (plus `metric_type`) and field `field`, the names a
    /// template gave it. Returns false when the sample was refused by a limit (it is counted).
    @discardableResult
    public mutating func add(_ sample: StatsDSample, name: String, tags sampleTags: [Tag], field: String) -> Bool {
        var tags = sampleTags
        tags.append(Tag("metric_type", sample.kind.metricType))
        tags.sortByKeyKeepingLast()
        if sample.kind == .distribution {
            guard series.count + distributions.count < options.maxSeries else {
                refusedSamples += 1
                return false
            }
            let v: FieldValue
            switch sample.value {
            case .integer(let x): v = .float(Double(x))
            case .number(let x): v = .float(x)
            case .member: return true
            }
            distributions.append(Metric(name: name, tags: tags, fields: [Field(field, v)]))
            return true
        }
        var metricKey = name
        for t in tags {
            metricKey.append("\u{0}")
            metricKey.append(t.key)
            metricKey.append("=")
            metricKey.append(t.value)
        }
        let key = field == "value" ? metricKey : metricKey + "\u{1}" + field
        let i: Int
        if let found = index[WireKey(key)] {
            i = found
            lastAddedExisted = true
        } else {
            lastAddedExisted = false
            guard series.count + distributions.count < options.maxSeries else {
                refusedSamples += 1
                return false
            }
            let initial: State
            switch sample.kind {
            case .counter: initial = .counter(0)
            case .gauge: initial = .gauge(0)
            case .set: initial = .set([])
            default: initial = .timing(Timing())
            }
            i = series.count
            series.append(Series(name: name, tags: tags, field: field, metricKey: metricKey, key: key, state: initial))
            if field != "value" { hasFieldSeries = true }
            index[WireKey(key)] = i
        }
        lastAdded = i
        return apply(i, sample.value, rate: sample.sampleRate, isDelta: sample.isDelta)
    }

    /// Adds one value to series `i`; false when a set was full (counted).
    mutating func apply(_ i: Int, _ value: StatsDSample.Value, rate sampleRate: Double?, isDelta: Bool) -> Bool {
        series[i].touched = true
        switch (series[i].state, value) {
        case (.counter(let total), _):
            var v: Int64
            var exact = true
            switch value {
            case .integer(let x): v = x
            case .number(let x): (v, exact) = Self.truncateReporting(x)
            case .member: return true
            }
            if exact, let rate = sampleRate, rate != 0 { (v, exact) = Self.truncateReporting(Double(v) / rate) }
            let (sum, overflow) = total.addingReportingOverflow(v)
            if overflow || !exact { saturatedSamples += 1 }
            series[i].state = .counter(overflow ? (v > 0 ? .max : .min) : sum)
        case (.gauge(let current), .number(let v)):
            series[i].state = .gauge(isDelta ? current + v : v)
        case (.set(var members), .member(let member)):
            if members.count >= options.maxSetMembers && !members.contains(WireKey(member)) {
                refusedSamples += 1
                return false
            }
            series[i].state = .counter(0)  // drop the reference so the insert does not copy
            members.insert(WireKey(member))
            series[i].state = .set(members)
        case (.timing(var t), .number(let v)):
            series[i].state = .counter(0)
            var times = 1
            if let rate = sampleRate, rate > 0 {
                times = max(1, Int(Self.truncate(1 / rate)))
                times = min(times, 1_000_000_000)
            }
            if times <= Self.exactRepeats {
                // Added one by one, as Telegraf does, so sums round exactly as there.
                for _ in 0..<times { t.add(v, limit: options.percentileLimit) }
            } else {
                // A tiny rate (`|@0.000001`) must not cost a million additions per line.
                t.add(v, times: times, limit: options.percentileLimit)
            }
            series[i].state = .timing(t)
        default:
            break
        }
        return true
    }

    /// The aggregates as metrics stamped `timestamp`; then each kind is reset if its delete option says so.
    /// - Parameter interval: seconds the flush covers, for the counters' `rate` (``Options/counterRates``).
    public mutating func flush(timestamp: Int64?, interval: Double? = nil) -> [Metric] {
        var out: [Metric] = []
        for var d in distributions {
            d.timestamp = timestamp
            out.append(d)
        }
        distributions.removeAll()
        // One pass over the series, each kind into its own list (Telegraf's gather order), then
        // joined: a series is read once, not once per kind.
        var byKind: [[Metric]] = [[], [], [], []]
        // Series that share name and tags (fields from a template) become one metric, as in Telegraf.
        var merged: [[WireKey: Int]] = [[:], [:], [:], [:]]
        let ttl = options.maxTTL
        var keep: [Int] = []
        for i in series.indices {
            let field = series[i].field
            let prefix = field == "value" ? "" : field + "_"
            let kind: Int
            var fields: [Field]
            let deleted: Bool
            switch series[i].state {
            case .timing(let t):
                kind = 0
                fields = timingFields(t, prefix: prefix)
                deleted = options.deleteTimings
            case .gauge(let v):
                kind = 1
                fields = [Field(field, .float(v))]
                deleted = options.deleteGauges
            case .counter(let v):
                kind = 2
                fields = [Field(field, .int(v))]
                if options.counterRates, let interval, interval > 0 {
                    fields.append(Field(prefix + "rate", .float(Double(v) / interval)))
                }
                deleted = options.deleteCounters
            case .set(let members):
                kind = 3
                fields = [Field(field, .int(Int64(members.count)))]
                deleted = options.deleteSets
            }
            if !hasFieldSeries {
                byKind[kind].append(Metric(name: series[i].name, tags: series[i].tags, fields: fields, timestamp: timestamp))
            } else if let at = merged[kind][WireKey(series[i].metricKey)] {
                byKind[kind][at].fields.append(contentsOf: fields)
            } else {
                merged[kind][WireKey(series[i].metricKey)] = byKind[kind].count
                byKind[kind].append(Metric(name: series[i].name, tags: series[i].tags, fields: fields, timestamp: timestamp))
            }
            if series[i].touched {
                series[i].touched = false
                series[i].lastSeen = timestamp
            }
            if deleted { continue }
            if let ttl, let timestamp, let seen = series[i].lastSeen, timestamp &- seen >= ttl { continue }
            keep.append(i)
        }
        out.reserveCapacity(out.count + series.count)
        for list in byKind { out.append(contentsOf: list) }
        if keep.isEmpty {
            // The usual case (Telegraf's delete_* defaults): start empty, keeping the tables' capacity.
            lineCache.removeAll(keepingCapacity: true)
            series.removeAll(keepingCapacity: true)
            index.removeAll(keepingCapacity: true)
            hasFieldSeries = false
        } else if keep.count != series.count {
            lineCache.removeAll(keepingCapacity: true)
            series = keep.map { series[$0] }
            index.removeAll(keepingCapacity: true)
            for (n, s) in series.enumerated() { index[WireKey(s.key)] = n }
        }
        return out
    }

    private func timingFields(_ t: Timing, prefix: String) -> [Field] {
        let sorted = t.kept.sorted()
        var median = 0.0
        if !sorted.isEmpty {
            median = sorted.count % 2 == 0 ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
        }
        var fields = [
            Field(prefix + "count", .int(t.count)),
            Field(prefix + "lower", .float(t.lower)),
            Field(prefix + "mean", .float(t.mean)),
            Field(prefix + "median", .float(median)),
            Field(prefix + "stddev", .float(t.stddev)),
            Field(prefix + "sum", .float(t.sum)),
            Field(prefix + "upper", .float(t.upper)),
        ]
        for p in options.percentiles where !sorted.isEmpty {
            let q = min(p, 100)
            let i = min(max(0, Int(Double(sorted.count) * q / 100)), sorted.count - 1)
            fields.append(Field("\(prefix)\(Self.percentileName(p))_percentile", .float(sorted[i])))
        }
        return fields
    }

    /// Go's `%v` of a float64 percentile: `90`, `99.9`.
    static func percentileName(_ p: Double) -> String {
        var out: [UInt8] = []
        NumberFormatting.appendFixed(p, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Sample-rate repeats up to this many are added one by one (Telegraf's arithmetic); more at once.
    static let exactRepeats = 1000

    /// ``truncate(_:)``, and whether `v` was in range.
    static func truncateReporting(_ v: Double) -> (Int64, Bool) {
        let t = truncate(v)
        return (t, !v.isNaN && v < 9.223_372_036_854_775_807e18 && v > -9.223_372_036_854_775_808e18)
    }

    /// Go's `int64(f)`: toward zero, saturating instead of trapping out of range.
    static func truncate(_ v: Double) -> Int64 {
        if v.isNaN { return 0 }
        if v >= 9.223_372_036_854_775_807e18 { return .max }
        if v <= -9.223_372_036_854_775_808e18 { return .min }
        return Int64(v)
    }
}
