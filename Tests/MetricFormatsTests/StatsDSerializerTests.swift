import Testing

@testable import MetricFormats

/// The StatsD serializer: lines per field, types, rates, deltas, tag styles, sanitizing, and the
/// round trip through the parser.
@Suite struct StatsDSerializerTests {
    static func render(_ metrics: [Metric], _ configure: (inout StatsDOptions) -> Void = { _ in }) throws -> (out: String, diagnostics: [String]) {
        var options = FormatOptions()
        configure(&options.statsd)
        var serializer = try StatsDSerializer(options: options)
        var diagnostics: [String] = []
        let out = serializer.render(metrics, now: 1_700_000_000_000_000_000) { diagnostics.append($0.description) }
        return (out, diagnostics)
    }

    static func typed(_ name: String, _ type: String?, _ fields: [Field], tags: [MetricFormats.Tag] = [], timestamp: Int64? = nil) -> Metric {
        var t = tags
        if let type { t.append(Tag("metric_type", type)) }
        return Metric(name: name, tags: t, fields: fields, timestamp: timestamp)
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var label: String
        var metric: Metric
        var out: String
        var diagnostics: [String] = []
        var testDescription: String { label }
    }

    static let rows: [Row] = [
        Row(label: "counter int", metric: typed("hits", "counter", [Field("value", .int(1))]), out: "hits:1|c\n"),
        Row(label: "counter whole float", metric: typed("hits", "counter", [Field("value", .float(5))]), out: "hits:5|c\n"),
        Row(label: "counter fraction", metric: typed("hits", "counter", [Field("value", .float(1.5))]), out: "hits:1.5|c\n"),
        Row(label: "gauge", metric: typed("temp", "gauge", [Field("value", .float(21.5))]), out: "temp:21.5|g\n"),
        Row(label: "no metric_type is a gauge", metric: typed("temp", nil, [Field("value", .float(21.5))]), out: "temp:21.5|g\n"),
        Row(label: "timing", metric: typed("lat", "timing", [Field("value", .float(12.345))]), out: "lat:12.345|ms\n"),
        Row(label: "histogram", metric: typed("size", "histogram", [Field("value", .float(3.5))]), out: "size:3.5|h\n"),
        Row(label: "distribution", metric: typed("dist", "distribution", [Field("value", .int(7))]), out: "dist:7|d\n"),
        Row(label: "set member", metric: typed("users", "set", [Field("value", .string("alice"))]), out: "users:alice|s\n"),
        Row(label: "wire letter as metric_type", metric: typed("t", "ms", [Field("value", .int(3))]), out: "t:3|ms\n"),
        Row(
            label: "sample rate on every line", metric: typed("hits", "counter", [Field("a", .int(1)), Field("sample_rate", .float(0.1)), Field("b", .int(2))]),
            out: "hits.a:1|c|@0.1\nhits.b:2|c|@0.1\n"),
        Row(label: "delta gauge up", metric: typed("g", "gauge", [Field("value", .float(4)), Field("delta", .bool(true))]), out: "g:+4|g\n"),
        Row(label: "delta gauge down", metric: typed("g", "gauge", [Field("value", .float(-3)), Field("delta", .bool(true))]), out: "g:-3|g\n"),
        Row(label: "negative absolute gauge", metric: typed("g", "gauge", [Field("value", .float(-3))]), out: "g:0|g\ng:-3|g\n"),
        Row(label: "delta=false is no field", metric: typed("g", "gauge", [Field("value", .float(-3)), Field("delta", .bool(false))]), out: "g:0|g\ng:-3|g\n"),
        Row(
            label: "bool and uint", metric: typed("m", nil, [Field("up", .bool(true)), Field("down", .bool(false)), Field("u", .uint(18_446_744_073_709_551_615))]),
            out: "m.up:1|g\nm.down:0|g\nm.u:18446744073709551615|g\n"),
        Row(label: "small float without exponent", metric: typed("m", nil, [Field("value", .float(1e-7))]), out: "m:0.0000001|g\n"),
        Row(label: "dogstatsd tags", metric: typed("m", "counter", [Field("value", .int(1))], tags: [Tag("dc", "x"), Tag("url", "http://a")]), out: "m:1|c|#dc:x,url:http://a\n"),
        Row(
            label: "string field skipped", metric: typed("http", nil, [Field("status", .string("ok")), Field("code", .int(200))]), out: "http.code:200|g\n",
            diagnostics: ["metric http: string field \"status\" cannot be carried by StatsD: skipped"]),
        Row(
            label: "NaN skipped", metric: typed("m", nil, [Field("value", .float(.nan))]), out: "",
            diagnostics: ["metric m: field \"value\" is nan: StatsD carries only finite numbers: skipped"]),
        Row(
            label: "bad set member", metric: typed("s", "set", [Field("value", .string("a:b"))]), out: "",
            diagnostics: ["metric s: set member \"a:b\" cannot be carried by StatsD (empty, or holds ':', '|' or a newline): skipped"]),
        Row(
            label: "only a rate", metric: typed("m", "counter", [Field("sample_rate", .float(0.5))]), out: "",
            diagnostics: ["metric m: no numeric field for StatsD to carry: skipped"]),
        Row(
            label: "bad rate", metric: typed("m", "counter", [Field("value", .int(1)), Field("sample_rate", .float(-1))]), out: "m:1|c\n",
            diagnostics: ["metric m: sample_rate -1.0 is not a positive number: written without a rate"]),
    ]

    @Test(arguments: rows)
    func serialize(_ row: Row) throws {
        let r = try Self.render([row.metric])
        #expect(r.out == row.out)
        #expect(r.diagnostics == row.diagnostics)
    }

    @Test func tagStyles() throws {
        let m = Self.typed("cpu", "counter", [Field("value", .int(1)), Field("sample_rate", .float(0.5))], tags: [Tag("host", "a"), Tag("k", "x=y")])
        #expect(try Self.render([m]) { $0.tagStyle = .influx }.out == "cpu,host=a,k=x=y:1|c|@0.5\n")
        #expect(try Self.render([m]) { $0.tagStyle = .none }.out == "cpu:1|c|@0.5\n")
        #expect(try Self.render([m]).out == "cpu:1|c|@0.5|#host:a,k:x=y\n")
    }

    @Test func timestampsOptIn() throws {
        let m = Self.typed("t", "gauge", [Field("value", .int(5))], tags: [Tag("k", "v")], timestamp: 1_700_000_000_999_999_999)
        #expect(try Self.render([m]).out == "t:5|g|#k:v\n")
        #expect(try Self.render([m]) { $0.datadogTimestamps = true }.out == "t:5|g|#k:v|T1700000000\n")
    }

    @Test func timestampsBeforeTheEpochRoundTowardThePastAtEveryMagnitude() throws {
        for (ns, secs): (Int64, Int64) in [(-1, -1), (-1_000_000_000, -1), (-1_000_000_001, -2), (.min, -9_223_372_037), (.max, 9_223_372_036)] {
            let m = Self.typed("t", "gauge", [Field("value", .int(5))], timestamp: ns)
            #expect(try Self.render([m]) { $0.datadogTimestamps = true }.out == "t:5|g|T\(secs)\n")
        }
    }

    @Test func sanitizingWarnsOncePerName() throws {
        let a = Metric(name: "cpu load", tags: [Tag("host", "a b")], fields: [Field("value", .int(1))])
        let b = Metric(name: "x@y", tags: [], fields: [Field("value", .int(1))])
        let r = try Self.render([a, a, b, a])
        #expect(r.out == "cpu_load:1|g|#host:a_b\ncpu_load:1|g|#host:a_b\nx_y:1|g\ncpu_load:1|g|#host:a_b\n")
        #expect(
            r.diagnostics == [
                "warning: tag value \"a b\" has characters StatsD cannot carry: written as \"a_b\"",
                "warning: metric name \"cpu load\" has characters StatsD cannot carry: written as \"cpu_load\"",
                "warning: metric name \"x@y\" has characters StatsD cannot carry: written as \"x_y\"",
            ])
        // '=' is safe in a DogStatsD name but not in an influx-style bucket.
        let eq = Metric(name: "a=b", fields: [Field("value", .int(1))])
        #expect(try Self.render([eq]).out == "a=b:1|g\n")
        #expect(try Self.render([eq]) { $0.tagStyle = .influx }.out == "a_b:1|g\n")
    }

    /// StatsD -> Metric -> StatsD -> Metric gives the same metrics.
    @Test(arguments: [
        "myapp.hits:1|c|#dc:x,role:true,env:ci",
        "myapp.hits:5|c|@0.5",
        "myapp.temp:-3|g",
        "myapp.temp:+3|g|#unit:c",
        "myapp.lat:12.345|ms",
        "myapp.size:3.5|h|@0.999999",
        "myapp.dist:7|d",
        "myapp.users:alice|s",
        "big:9223372036854775807|c",
        "neg:-2|c",
    ])
    func roundTrip(_ line: String) throws {
        var parser = try StatsDParser(options: FormatOptions())
        let first = MetricCollector()
        parser.parse(text: Array(line.utf8), into: first)
        #expect(first.diagnostics.isEmpty)
        let text = try Self.render(first.metrics).out
        let second = MetricCollector()
        parser.parse(text: Array(text.utf8), into: second)
        #expect(second.metrics == first.metrics, "via \(text)")
    }
}
