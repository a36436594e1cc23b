import Testing

@testable import MetricFormats

/// The header cache starts small and grows only as the series seen push headers out, so a parser
/// per connection costs memory in proportion to what its peer sent; growing never changes a result.
@Suite struct InfluxHeaderCacheTests {
    static func parse(_ parser: inout InfluxParser, _ lines: [String]) -> [Metric] {
        let collector = MetricCollector()
        for (n, line) in lines.enumerated() {
            Array(line.utf8).withUnsafeBufferPointer { parser.parse(line: $0, number: n + 1, into: collector) }
        }
        parser.finish(into: collector)
        #expect(collector.errors.isEmpty)
        return collector.metrics
    }

    @Test func aFewSeriesKeepTheCacheSmall() throws {
        var parser = try InfluxParser(options: FormatOptions())
        let lines = (0..<5_000).map { "cpu,host=h\($0 % 8),dc=eu usage=\($0)i,idle=0.5 \($0)" }
        let metrics = Self.parse(&parser, lines)
        #expect(metrics.count == 5_000)
        #expect(parser.headers.cache.setBits == InfluxHeaderCache.initialSetBits)
        #expect(parser.headers.slotCount == 16)
    }

    @Test func manySeriesGrowTheCacheAndEveryLineReadsTheSame() throws {
        var parser = try InfluxParser(options: FormatOptions())
        // 3,000 series, each seen three times, interleaved so that slots are reused while growing.
        var lines: [String] = []
        for round in 0..<3 {
            for s in 0..<3_000 { lines.append("m\(s % 7),host=h\(s),r=\(s % 3) a=\(round)i,b=\"x\(s)\",c=true \(s)") }
        }
        let metrics = Self.parse(&parser, lines)
        #expect(parser.headers.cache.setBits == InfluxHeaderCache.setBits)
        #expect(parser.headers.slotCount == 1_024)
        // Each line parsed alone, by a fresh parser, gives the same metric.
        for (k, line) in lines.enumerated() where k % 97 == 0 {
            var fresh = try InfluxParser(options: FormatOptions())
            #expect(Self.parse(&fresh, [line]) == [metrics[k]], "\(line)")
        }
        #expect(metrics[3_000 + 5] == metrics[5].with(fieldA: 1))
    }
}

extension Metric {
    /// The metric with field `a` set to `v` (the rounds differ only there).
    fileprivate func with(fieldA v: Int64) -> Metric {
        var m = self
        if let k = m.fields.firstIndex(where: { $0.key == "a" }) { m.fields[k] = Field("a", .int(v)) }
        return m
    }
}
