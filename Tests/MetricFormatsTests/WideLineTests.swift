import Testing

@testable import MetricFormats

/// One line with tens of thousands of fields, tags, keys, labels or columns converts whole, and a
/// repeated key among them is handled as on a short line: for fields the first place and the last
/// value, for tags the last value in sorted order, for Prometheus labels an error.
@Suite struct WideLineTests {
    static func parse(_ format: MetricFormat, _ text: String, _ configure: (inout FormatOptions) -> Void = { _ in }) throws -> MetricCollector {
        var options = FormatOptions()
        options.maxLineBytes = 4 << 20
        configure(&options)
        var parser = try format.makeParser(options)
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c, maxLineBytes: options.maxLineBytes)
        return c
    }

    /// `k0 ... k{n-1}` with `k7` once more after `k{n/2}`.
    static func keys(_ n: Int) -> [String] {
        var k = (0..<n).map { "k\($0)" }
        k.insert("k7", at: n / 2 + 1)
        return k
    }

    /// Keys in byte order, as tags are kept.
    static func sortedKeys(_ n: Int) -> [String] { (0..<n).map { "k\($0)" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    @Test func influxFieldsAndTags() throws {
        let fields = Self.keys(50_000)
        let tags = Self.keys(20_000).reversed()
        let line =
            "m," + tags.enumerated().map { "\($1)=t\($0)" }.joined(separator: ",") + " "
            + fields.enumerated().map { "\($1)=\($0)i" }.joined(separator: ",") + " 1\n"
        let out = try Self.parse(.influx, line)
        #expect(out.diagnostics.isEmpty)
        let m = try #require(out.metrics.first)
        #expect(m.fields.count == 50_000)
        #expect(m.fields.map(\.key) == (0..<50_000).map { "k\($0)" })
        // The repeat keeps the first place (7) and takes the last value (its index in the line).
        #expect(m.fields[7] == Field("k7", .int(25_001)))
        #expect(m.fields[8] == Field("k8", .int(8)))
        #expect(m.tags.count == 20_000)
        #expect(m.tags.map(\.key) == Self.sortedKeys(20_000))
        // Reversed, the repeat of k7 comes before the original: the original (later) value wins.
        #expect(m.tag("k7") == "t\(20_000 - 7)")
        var json = try MetricFormat.json.makeSerializer(FormatOptions())
        let text = json.render(out.metrics)
        #expect(text.hasPrefix("{\"fields\":{\"k0\":0,\"k1\":1,\"k10\":10,"))
        #expect(text.contains(",\"k7\":25001,\"k70\":70,"))
        #expect(text.split(separator: ":").count == 1 + 50_000 + 20_000 + 4)
    }

    @Test func jsonKeysFlatAndInTheMetricShape() throws {
        let keys = Self.keys(50_000)
        let flat = try Self.parse(.json, "{" + keys.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}\n")
        #expect(flat.diagnostics.isEmpty)
        let f = try #require(flat.metrics.first)
        #expect(f.fields.count == 50_000)
        // A repeated flattened key moves to its last place with its last value.
        #expect(f.fields[25_000] == Field("k7", .float(25_001)))
        #expect(f.fields[7] == Field("k8", .float(8)))
        let shaped = try Self.parse(
            .json,
            "{\"fields\":{" + keys.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",")
                + "},\"name\":\"m\",\"tags\":{" + Self.keys(20_000).enumerated().map { "\"\($1)\":\"t\($0)\"" }.joined(separator: ",") + "},\"timestamp\":1}\n")
        #expect(shaped.diagnostics.isEmpty)
        let m = try #require(shaped.metrics.first)
        #expect(m.fields.count == 50_000)
        #expect(m.fields[7] == Field("k7", .int(25_001)))
        #expect(m.tags.count == 20_000)
        #expect(m.tags.map(\.key) == Self.sortedKeys(20_000))
        #expect(m.tag("k7") == "t10001")
    }

    @Test func csvColumns() throws {
        let names = Self.keys(20_000)
        let out = try Self.parse(.csv, names.joined(separator: ",") + "\n" + names.indices.map { String($0) }.joined(separator: ",") + "\n")
        #expect(out.diagnostics.isEmpty)
        let m = try #require(out.metrics.first)
        #expect(m.fields.count == 20_000)
        #expect(m.fields[7] == Field("k7", .int(10_001)))
        #expect(m.fields[19_999] == Field("k19999", .int(20_000)))
    }

    @Test func prometheusLabels() throws {
        let labels = Self.sortedKeys(20_000).reversed()
        let out = try Self.parse(
            .prometheus, "m{" + labels.enumerated().map { "\($1)=\"v\($0)\"" }.joined(separator: ",") + "} 1\n", { $0.defaultTags = [Tag("k5", "d"), Tag("zz", "d")] })
        #expect(out.diagnostics.isEmpty)
        let m = try #require(out.metrics.first)
        #expect(m.tags.count == 20_001)
        #expect(m.tags.map(\.key) == Self.sortedKeys(20_000) + ["zz"])
        #expect(m.tag("k5") != "d", "a label wins over a default tag")
        let repeated = try Self.parse(.prometheus, "m{" + Self.keys(20_000).map { "\($0)=\"v\"" }.joined(separator: ",") + "} 1\n")
        #expect(repeated.metrics.isEmpty)
        let column = ("m{" + (0...10_000).map { "k\($0)=\"v\"," }.joined()).utf8.count + 1
        #expect(repeated.diagnostics.map(\.description) == ["1:\(column): duplicate label 'k7'"])
    }

    @Test func wavefrontTags() throws {
        let tags = Self.keys(20_000)
        let out = try Self.parse(
            .wavefront, "m 1 1700000000 " + tags.enumerated().map { "\($1)=t\($0)" }.joined(separator: " ") + "\n",
            { $0.defaultTags = [Tag("k9", "d")] })
        #expect(out.diagnostics.isEmpty)
        let m = try #require(out.metrics.first)
        #expect(m.tags.map(\.key) == Self.sortedKeys(20_000))
        #expect(m.tag("k7") == "t10001")
        #expect(m.tag("k9") == "d", "default tags override parsed ones in Wavefront")
    }

    @Test func graphiteAndStatsDTags() throws {
        let tags = Self.keys(20_000)
        let graphite = try Self.parse(.graphite, "m;" + tags.enumerated().map { "\($1)=t\($0)" }.joined(separator: ";") + " 1 1700000000\n")
        #expect(graphite.diagnostics.isEmpty)
        let g = try #require(graphite.metrics.first)
        #expect(g.tags.map(\.key) == Self.sortedKeys(20_000))
        #expect(g.tag("k7") == "t10001")
        // StatsD takes at most 1,000 tags a line.
        let statsd = try Self.parse(.statsd, "m:1|c|#" + Self.keys(998).enumerated().map { "\($1):t\($0)" }.joined(separator: ",") + "\n")
        #expect(statsd.diagnostics.isEmpty)
        let s = try #require(statsd.metrics.first)
        #expect(s.tags.map(\.key) == (Self.sortedKeys(998) + ["metric_type"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(s.tag("k7") == "t500")
    }
}
