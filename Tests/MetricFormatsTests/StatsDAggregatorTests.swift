import Testing

@testable import MetricFormats

/// Telegraf's statsd_test.go aggregation results (TestParse_Gauges, _Sets, _Counters, _Timings,
/// _MeasurementsWithMultipleValues, _InvalidSampleRate, _DataDogTags, _Distributions, _*_Delete).
/// Telegraf's default `metric_separator` turns `a.b` into `a_b`; metricat keeps the bucket, so the
/// names here keep their dots.
@Suite struct StatsDAggregatorTests {
    static func aggregate(_ lines: [String], _ agg: inout StatsDAggregator) {
        var reader = StatsDLineParser(options: StatsDOptions())
        for (n, line) in lines.enumerated() {
            Array(line.utf8).withUnsafeBufferPointer { buf in
                reader.parse(buf, number: n + 1) { event in
                    switch event {
                    case .sample(let s, _): agg.add(s)
                    case .diagnostic(let d): Issue.record("unexpected \(d) for \(line)")
                    }
                }
            }
        }
    }

    static func flush(_ lines: [String], options: StatsDAggregator.Options = .init()) -> [Metric] {
        var agg = StatsDAggregator(options: options)
        aggregate(lines, &agg)
        return agg.flush(timestamp: 1)
    }

    static func value(_ metrics: [Metric], _ name: String, _ type: String, _ field: String = "value") -> FieldValue? {
        metrics.first { $0.name == name && $0.tag("metric_type") == type }?.field(field)
    }

    @Test func gauges() {
        let m = Self.flush([
            "plus.minus:100|g", "plus.minus:-10|g", "plus.minus:+30|g",
            "plus.plus:100|g", "plus.plus:+100|g", "plus.plus:+100|g",
            "minus.minus:100|g", "minus.minus:-100|g", "minus.minus:-100|g",
            "lone.plus:+100|g", "lone.minus:-100|g",
            "overwrite:100|g", "overwrite:300|g",
            "scientific.notation:4.696E+5|g", "scientific.notation.minus:4.7E-5|g",
        ])
        let expected: [(String, Double)] = [
            ("scientific.notation", 469600), ("scientific.notation.minus", 0.000047), ("plus.minus", 120), ("plus.plus", 300),
            ("minus.minus", -100), ("lone.plus", 100), ("lone.minus", -100), ("overwrite", 300),
        ]
        for (name, v) in expected { #expect(Self.value(m, name, "gauge") == .float(v), "\(name)") }
    }

    @Test func sets() {
        let m = Self.flush(
            Array(repeating: "unique.user.ids:100|s", count: 5) + [
                "unique.user.ids:101|s", "unique.user.ids:102|s", "unique.user.ids:102|s", "unique.user.ids:123456789|s",
                "oneuser.id:100|s", "oneuser.id:100|s",
                "scientific.notation.sets:4.696E+5|s", "scientific.notation.sets:4.696E+5|s", "scientific.notation.sets:4.697E+5|s",
                "string.sets:foobar|s", "string.sets:foobar|s", "string.sets:bar|s",
            ])
        for (name, n) in [("scientific.notation.sets", 2), ("unique.user.ids", 4), ("oneuser.id", 1), ("string.sets", 2)] as [(String, Int64)] {
            #expect(Self.value(m, name, "set") == .int(n), "\(name)")
        }
    }

    /// `é` as one code point and as `e` + U+0301 are other bytes: two set members, two series, as
    /// Telegraf counts them (Swift's String equality would make them one).
    @Test func membersAndSeriesAreToldApartByTheirBytes() {
        let m = Self.flush(["u:caf\u{E9}|s", "u:cafe\u{301}|s", "u:caf\u{E9}|s", "n,k=caf\u{E9}:1|c", "n,k=cafe\u{301}:2|c"])
        #expect(Self.value(m, "u", "set") == .int(2))
        let counters = m.filter { $0.name == "n" }
        #expect(counters.count == 2)
        #expect(Set(counters.compactMap { $0.tag("k").map { Array($0.utf8) } }) == [Array("caf\u{E9}".utf8), Array("cafe\u{301}".utf8)])
    }

    @Test func counters() {
        let m = Self.flush([
            "small.inc:1|c", "big.inc:100|c", "big.inc:1|c", "big.inc:100000|c", "big.inc:1000000|c", "small.inc:1|c",
            "zero.init:0|c", "sample.rate:1|c|@0.1", "sample.rate:1|c", "scientific.notation:4.696E+5|c",
            "negative.test:100|c", "negative.test:-5|c",
        ])
        let expected: [(String, Int64)] = [
            ("scientific.notation", 469600), ("small.inc", 2), ("big.inc", 1_100_101), ("zero.init", 0), ("sample.rate", 11), ("negative.test", 95),
        ]
        for (name, v) in expected { #expect(Self.value(m, name, "counter") == .int(v), "\(name)") }
    }

    @Test func countersBeyondSixtyFourBitsAreHeldAtTheLimitAndCounted() {
        var agg = StatsDAggregator(options: .init())
        Self.aggregate(["big:9223372036854775000|c", "big:9223372036854775000|c", "huge:1e30|c", "low:-9223372036854775808|c", "low:-1|c", "fine:5|c"], &agg)
        #expect(agg.saturatedSamples == 3)
        let m = agg.flush(timestamp: 1)
        #expect(Self.value(m, "big", "counter") == .int(.max))
        #expect(Self.value(m, "huge", "counter") == .int(.max))
        #expect(Self.value(m, "low", "counter") == .int(.min))
        #expect(Self.value(m, "fine", "counter") == .int(5))
    }

    @Test func timings() {
        let m = Self.flush(["test.timing:1|ms", "test.timing:11|ms", "test.timing:1|ms", "test.timing:1|ms", "test.timing:1|ms"], options: .init(percentiles: [90]))
        #expect(m.count == 1)
        #expect(
            m.first?.fields == [
                Field("count", .int(5)), Field("lower", .float(1)), Field("mean", .float(3)), Field("median", .float(1)),
                Field("stddev", .float(4)), Field("sum", .float(15)), Field("upper", .float(11)), Field("90_percentile", .float(11)),
            ])
        #expect(m.first?.timestamp == 1)
    }

    /// TestParse_TimingsMultipleFieldsWithoutTemplate: without templates each bucket is its own series.
    @Test func timingsWithoutTemplate() {
        let lines = ["1", "11", "1", "1", "1"].map { "test_timing.success:\($0)|ms" } + ["2", "22", "2", "2", "2"].map { "test_timing.error:\($0)|ms" }
        let m = Self.flush(lines, options: .init(percentiles: [90]))
        #expect(m.map(\.name) == ["test_timing.success", "test_timing.error"])
        #expect(
            m.first { $0.name == "test_timing.success" }?.fields == [
                Field("count", .int(5)), Field("lower", .float(1)), Field("mean", .float(3)), Field("median", .float(1)),
                Field("stddev", .float(4)), Field("sum", .float(15)), Field("upper", .float(11)), Field("90_percentile", .float(11)),
            ])
        #expect(
            m.first { $0.name == "test_timing.error" }?.fields == [
                Field("count", .int(5)), Field("lower", .float(2)), Field("mean", .float(6)), Field("median", .float(2)),
                Field("stddev", .float(8)), Field("sum", .float(30)), Field("upper", .float(22)), Field("90_percentile", .float(22)),
            ])
    }

    @Test func sampledTimingWithDogStatsDTags() {
        let m = Self.flush(["my_timer:3|ms|@0.1|#live,host:localhost"])
        #expect(
            m == [
                Metric(
                    name: "my_timer", tags: [Tag("host", "localhost"), Tag("live", "true"), Tag("metric_type", "timing")],
                    fields: [
                        Field("count", .int(10)), Field("lower", .float(3)), Field("mean", .float(3)), Field("median", .float(3)),
                        Field("stddev", .float(0)), Field("sum", .float(30)), Field("upper", .float(3)),
                    ], timestamp: 1)
            ])
    }

    @Test func multipleValuesEqualSingleLines() {
        let single = Self.flush([
            "valid.multiple:0|ms|@0.1", "valid.multiple:0|ms|", "valid.multiple:1|ms",
            "valid.multiple.duplicate:1|c", "valid.multiple.duplicate:1|c", "valid.multiple.duplicate:2|c", "valid.multiple.duplicate:1|c",
            "valid.multiple.duplicate:1|h", "valid.multiple.duplicate:1|h", "valid.multiple.duplicate:2|h", "valid.multiple.duplicate:1|h",
            "valid.multiple.duplicate:1|s", "valid.multiple.duplicate:1|s", "valid.multiple.duplicate:2|s", "valid.multiple.duplicate:1|s",
            "valid.multiple.duplicate:1|g", "valid.multiple.duplicate:1|g", "valid.multiple.duplicate:2|g", "valid.multiple.duplicate:1|g",
            "valid.multiple.mixed:1|c", "valid.multiple.mixed:1|ms", "valid.multiple.mixed:2|s", "valid.multiple.mixed:1|g",
        ])
        let multiple = Self.flush([
            "valid.multiple:0|ms|@0.1:0|ms|:1|ms",
            "valid.multiple.duplicate:1|c:1|c:2|c:1|c",
            "valid.multiple.duplicate:1|h:1|h:2|h:1|h",
            "valid.multiple.duplicate:1|s:1|s:2|s:1|s",
            "valid.multiple.duplicate:1|g:1|g:2|g:1|g",
            "valid.multiple.mixed:1|c:1|ms:2|s:1|g",
        ])
        #expect(single == multiple)
        // 10 zeros for the sampled one, one zero with an empty rate, and a 1.
        #expect(Self.value(single, "valid.multiple", "timing", "count") == .int(12))
        #expect(Self.value(single, "valid.multiple", "timing", "upper") == .float(1))
        #expect(Self.value(single, "valid.multiple.duplicate", "set") == .int(2))
        #expect(Self.value(single, "valid.multiple.duplicate", "counter") == .int(5))
        #expect(Self.value(single, "valid.multiple.duplicate", "gauge") == .float(1))
        #expect(Self.value(single, "valid.multiple.mixed", "set") == .int(1))
        #expect(Self.value(single, "valid.multiple.mixed", "counter") == .int(1))
        #expect(Self.value(single, "valid.multiple.mixed", "gauge") == .float(1))
        #expect(Self.value(single, "valid.multiple.mixed", "timing", "count") == .int(1))
    }

    @Test func invalidSampleRatesAreIgnored() {
        var agg = StatsDAggregator()
        var reader = StatsDLineParser(options: StatsDOptions())
        for line in ["invalid.sample.rate:45|c|0.1", "invalid.sample.rate.2:45|c|@foo", "invalid.sample.rate:45|g|@0.1", "invalid.sample.rate:45|s|@0.1"] {
            Array(line.utf8).withUnsafeBufferPointer { buf in
                reader.parse(buf, number: 1) { if case .sample(let s, _) = $0 { agg.add(s) } }
            }
        }
        let m = agg.flush(timestamp: nil)
        #expect(Self.value(m, "invalid.sample.rate", "counter") == .int(45))
        #expect(Self.value(m, "invalid.sample.rate.2", "counter") == .int(45))
        #expect(Self.value(m, "invalid.sample.rate", "gauge") == .float(45))
        #expect(Self.value(m, "invalid.sample.rate", "set") == .int(1))
    }

    @Test func sameNameDifferentTagsAreSeparateSeries() {
        var agg = StatsDAggregator()
        Self.aggregate(["test.counter,host=localhost:1|c", "test.counter,host=localhost,region=west:1|c"], &agg)
        #expect(agg.seriesCount == 2)
    }

    @Test func distributionsPassThrough() {
        let m = Self.flush(["test.distribution:1|d", "test.distribution2:2|d", "test.distribution:3|d"])
        #expect(m.map(\.name) == ["test.distribution", "test.distribution2", "test.distribution"])
        #expect(m.map { $0.field("value") } == [.float(1), .float(2), .float(3)])
    }

    @Test func deleteOptions() {
        var keep = StatsDAggregator.Options()
        keep.deleteCounters = false
        keep.deleteGauges = false
        var agg = StatsDAggregator(options: keep)
        Self.aggregate(["valid:45|c", "valid:45|c", "g:1|g", "s:a|s", "t:1|ms"], &agg)
        #expect(agg.flush(timestamp: nil).count == 4)
        Self.aggregate(["valid:45|c", "g:+1|g"], &agg)
        let second = agg.flush(timestamp: nil)
        // Kept series go on from where they were; deleted ones start again.
        #expect(Self.value(second, "valid", "counter") == .int(135))
        #expect(Self.value(second, "g", "gauge") == .float(2))
        #expect(second.count == 2)

        var deleting = StatsDAggregator()
        Self.aggregate(["valid:45|c", "valid:45|c"], &deleting)
        #expect(Self.value(deleting.flush(timestamp: nil), "valid", "counter") == .int(90))
        #expect(deleting.flush(timestamp: nil).isEmpty)
        Self.aggregate(["valid:45|c"], &deleting)
        #expect(Self.value(deleting.flush(timestamp: nil), "valid", "counter") == .int(45))
    }

    @Test func percentileLimitKeepsLatestValues() {
        var agg = StatsDAggregator(options: .init(percentiles: [50, 99.9], percentileLimit: 3))
        Self.aggregate(["t:100|ms", "t:1|ms", "t:2|ms", "t:3|ms"], &agg)
        let m = agg.flush(timestamp: nil)
        #expect(Self.value(m, "t", "timing", "count") == .int(4))
        #expect(Self.value(m, "t", "timing", "upper") == .float(100))
        #expect(Self.value(m, "t", "timing", "median") == .float(2))
        #expect(Self.value(m, "t", "timing", "50_percentile") == .float(2))
        #expect(Self.value(m, "t", "timing", "99.9_percentile") == .float(3))
    }
}

/// The limits, templates and counter rates `listen --aggregate` uses.
@Suite struct StatsDAggregatorLimitTests {
    static func add(_ lines: [String], _ agg: inout StatsDAggregator, engine: GraphiteTemplateEngine? = nil) -> Int {
        var reader = StatsDLineParser(options: StatsDOptions())
        var refused = 0
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { buf in
                reader.parse(buf, number: 1) { event in
                    guard case .sample(let s, _) = event else { return }
                    var ok: Bool
                    if let engine {
                        let m = engine.apply(s.bucket)
                        ok = agg.add(s, name: m.measurement, tags: m.tags + s.tags, field: m.field.isEmpty ? "value" : m.field)
                    } else {
                        ok = agg.add(s)
                    }
                    if !ok { refused += 1 }
                }
            }
        }
        return refused
    }

    @Test func maxSeriesRefusesNewSeriesButFeedsHeldOnes() {
        var options = StatsDAggregator.Options()
        options.maxSeries = 2
        var agg = StatsDAggregator(options: options)
        let refused = Self.add(["a:1|c", "b:1|g", "c:1|c", "a:2|c", "d:1|ms", "e:1|d", "b:+1|g"], &agg)
        #expect(refused == 3)
        #expect(agg.refusedSamples == 3)
        let m = agg.flush(timestamp: nil)
        #expect(m.map(\.name) == ["b", "a"])
        #expect(StatsDAggregatorTests.value(m, "a", "counter") == .int(3))
        #expect(StatsDAggregatorTests.value(m, "b", "gauge") == .float(2))
        // The flush frees the slots.
        #expect(Self.add(["c:1|c", "d:1|ms"], &agg) == 0)
    }

    @Test func maxSetMembersRefusesNewMembersOnly() {
        var options = StatsDAggregator.Options()
        options.maxSetMembers = 2
        var agg = StatsDAggregator(options: options)
        #expect(Self.add(["u:a|s", "u:b|s", "u:a|s", "u:c|s", "u:d|s", "u:b|s"], &agg) == 2)
        #expect(StatsDAggregatorTests.value(agg.flush(timestamp: nil), "u", "set") == .int(2))
    }

    @Test func counterRatesArePerSecondOfTheInterval() {
        var options = StatsDAggregator.Options()
        options.counterRates = true
        var agg = StatsDAggregator(options: options)
        _ = Self.add(["c:1|c", "c:1|c", "c:1|c", "c:1|c", "c:1|c", "c:2|c|@0.5"], &agg)
        let m = agg.flush(timestamp: nil, interval: 10)
        #expect(m.first?.fields == [Field("value", .int(9)), Field("rate", .float(0.9))])
    }

    /// Telegraf's TestParse_TimingsMultipleFieldsWithTemplate: fields of one measurement merge.
    @Test func templateFieldsMergeIntoOneMetric() throws {
        let engine = try GraphiteTemplateEngine(templates: ["measurement.field"], joiner: "_")
        var agg = StatsDAggregator(options: .init(percentiles: [90]))
        let lines =
            ["1", "11", "1", "1", "1"].map { "test_timing.success:\($0)|ms" } + ["2", "22", "2", "2", "2"].map { "test_timing.error:\($0)|ms" }
            + ["cpu.idle:5|g", "cpu.busy:7|g"]
        #expect(Self.add(lines, &agg, engine: engine) == 0)
        let m = agg.flush(timestamp: nil)
        #expect(m.map(\.name) == ["test_timing", "cpu"])
        #expect(
            m[0].fields == [
                Field("success_count", .int(5)), Field("success_lower", .float(1)), Field("success_mean", .float(3)), Field("success_median", .float(1)),
                Field("success_stddev", .float(4)), Field("success_sum", .float(15)), Field("success_upper", .float(11)), Field("success_90_percentile", .float(11)),
                Field("error_count", .int(5)), Field("error_lower", .float(2)), Field("error_mean", .float(6)), Field("error_median", .float(2)),
                Field("error_stddev", .float(8)), Field("error_sum", .float(30)), Field("error_upper", .float(22)), Field("error_90_percentile", .float(22)),
            ])
        #expect(m[1].fields == [Field("idle", .float(5)), Field("busy", .float(7))])
    }

    /// formats.md's worked vectors, through one aggregator and two flushes.
    @Test func formatsVectors() {
        var options = StatsDAggregator.Options()
        options.deleteGauges = false
        var agg = StatsDAggregator(options: options)
        _ = Self.add(Array(repeating: "c:1|c", count: 5) + ["c:2|c|@0.5", "g:10|g", "g:+5|g", "t:10|ms", "t:20|ms", "s:a|s", "s:b|s", "s:a|s", "u:10|ms|@0.5"], &agg)
        let first = agg.flush(timestamp: 1)
        #expect(StatsDAggregatorTests.value(first, "c", "counter") == .int(9))
        #expect(StatsDAggregatorTests.value(first, "g", "gauge") == .float(15))
        #expect(
            first.first { $0.name == "t" }?.fields == [
                Field("count", .int(2)), Field("lower", .float(10)), Field("mean", .float(15)), Field("median", .float(15)),
                Field("stddev", .float(5)), Field("sum", .float(30)), Field("upper", .float(20)),
            ])
        #expect(StatsDAggregatorTests.value(first, "u", "timing", "count") == .int(2))
        #expect(StatsDAggregatorTests.value(first, "s", "set") == .int(2))
        _ = Self.add(["g:-3|g"], &agg)
        #expect(agg.flush(timestamp: 2).map { $0.field("value") } == [.float(12)])
        // delete_gauges=false: the gauge is written again with nothing new.
        #expect(agg.flush(timestamp: 3).map { $0.field("value") } == [.float(12)])
    }
}

/// The line cache (the fast lane of `listen --aggregate`) gives what the full parser gives.
@Suite struct StatsDLineCacheTests {
    static func run(_ lines: [String], cache: Bool, options: StatsDAggregator.Options = .init(percentiles: [50, 90])) -> ([Metric], Int, Int) {
        var agg = StatsDAggregator(options: options)
        var reader = StatsDLineParser(options: StatsDOptions())
        var fast = 0
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { buf in
                if cache && agg.addKnownLine(buf) {
                    fast += 1
                    return
                }
                var samples = 0
                var findings = 0
                var added = true
                reader.parse(buf, number: 1) { event in
                    switch event {
                    case .sample(let s, _):
                        samples += 1
                        added = agg.add(s) && added
                    case .diagnostic: findings += 1
                    }
                }
                if cache && samples == 1 && findings == 0 && added { agg.rememberLine(buf) }
            }
        }
        return (agg.flush(timestamp: 1, interval: 10), fast, agg.refusedSamples)
    }

    static let lines = [
        "c:1|c", "c:2|c|@0.5", "c:4.696E+5|c", "c:-5|c", "c:+3|c", "c:1|c|@foo", "c:1|c|@0", "c:1|c|@",
        "g:10|g", "g:+5|g", "g:-3|g", "g:1e2|g", "g:x|g", "g:+1|ms",
        "t:10|ms", "t:20|ms|@0.5", "t:5|ms|#env:prod", "t:7|ms|#env:prod|@0.25", "t:8|ms|@0.25|#env:prod",
        "h:3|h", "s:a|s", "s:b|s", "s:a|s", "s:+1|s",
        "m:1|c:2|g", "d:1|d", "tagged,host=a:1|c", "tagged,host=a:2|c", "  spaced:1|c  ", "k:1|c|c:abc", "ts:1|g|T1700000000",
        "e:1|c|#a:b:c,d", "e:1|c|#d,a:b:c",
    ]

    @Test func bothLanesGiveTheSameAggregates() {
        let many = Array(repeating: Self.lines, count: 4).flatMap { $0 }
        let (full, noFast, _) = Self.run(many, cache: false)
        let (cached, fast, _) = Self.run(many, cache: true)
        #expect(noFast == 0)
        #expect(fast > many.count / 3, "only \(fast) of \(many.count) lines took the fast lane")
        #expect(cached == full)
    }

    @Test func limitsHoldOnTheFastLaneAndAFlushForgetsShapes() {
        var options = StatsDAggregator.Options()
        options.maxSetMembers = 2
        let lines = ["u:a|s", "u:b|s", "u:c|s", "u:d|s", "u:a|s"]
        let (full, _, refusedFull) = Self.run(lines, cache: false, options: options)
        let (cached, fast, refusedCached) = Self.run(lines, cache: true, options: options)
        #expect(cached == full && refusedCached == refusedFull && refusedFull == 2 && fast == 3)
        var agg = StatsDAggregator()
        Array("x:1|c".utf8).withUnsafeBufferPointer { buf in
            var reader = StatsDLineParser(options: StatsDOptions())
            reader.parse(buf, number: 1) { if case .sample(let s, _) = $0 { agg.add(s) } }
            agg.rememberLine(buf)  // a new series: not remembered yet
            let unknown = !agg.addKnownLine(buf)
            #expect(unknown)
            reader.parse(buf, number: 1) { if case .sample(let s, _) = $0 { agg.add(s) } }
            agg.rememberLine(buf)
            let known = agg.addKnownLine(buf)
            #expect(known)
            _ = agg.flush(timestamp: nil)
            let forgotten = !agg.addKnownLine(buf)
            #expect(forgotten)  // the series was deleted: its shape is forgotten
        }
    }
}

extension StatsDAggregatorLimitTests {
    /// Telegraf's TestCachedCounterExpiry shape: a kept counter is written until max_ttl passes without a sample.
    @Test func maxTTLForgetsKeptSeriesThatGoQuiet() {
        var options = StatsDAggregator.Options()
        options.deleteCounters = false
        options.maxTTL = 100
        var agg = StatsDAggregator(options: options)
        _ = Self.add(["quiet:1|c", "busy:1|c"], &agg)
        #expect(agg.flush(timestamp: 1000).count == 2)
        _ = Self.add(["busy:1|c"], &agg)
        #expect(agg.flush(timestamp: 1050).map(\.name) == ["quiet", "busy"])
        _ = Self.add(["busy:1|c"], &agg)
        // quiet: last sample before the flush at 1000; at 1100 it is 100 old: written once more, then forgotten.
        #expect(agg.flush(timestamp: 1100).map(\.name) == ["quiet", "busy"])
        #expect(agg.flush(timestamp: 1150).map(\.name) == ["busy"])
        #expect(agg.seriesCount == 1)
    }
}

extension StatsDAggregatorLimitTests {
    @Test func aTinySampleRateCountsInFullWithoutAMillionAdditions() {
        var agg = StatsDAggregator(options: .init(percentiles: [50]))
        _ = Self.add(["t:4|ms|@0.000001", "t:2|ms"], &agg)
        let m = agg.flush(timestamp: nil)
        #expect(
            m.first?.fields == [
                Field("count", .int(1_000_001)), Field("lower", .float(2)), Field("mean", .float(3.999998000002)), Field("median", .float(4)),
                Field("stddev", .float(0.001999998000002)), Field("sum", .float(4_000_002)), Field("upper", .float(4)), Field("50_percentile", .float(4)),
            ])
    }
}
