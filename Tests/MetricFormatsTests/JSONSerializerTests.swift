import Testing

@testable import MetricFormats

/// Telegraf's plugins/serializers/json tests as rows, plus Go's escaping and number rules.
@Suite struct JSONSerializerTests {
    static func render(_ metrics: [Metric], _ configure: (inout JSONOptions) -> Void = { _ in }, now: Int64 = 0) -> (String, [String]) {
        var options = FormatOptions()
        configure(&options.json)
        var s = try! JSONSerializer(options: options)
        var reports: [String] = []
        let text = s.render(metrics, now: now) { reports.append($0.description) }
        return (text, reports)
    }

    static let t = Int64(1_525_478_795_123_456_789)

    @Test(arguments: [
        // TestSerializeMetricFloat / Int / String / MultiFields / WithEscapes
        (
            Metric(name: "cpu", tags: [MetricFormats.Tag("cpu", "cpu0")], fields: [Field("usage_idle", .float(91.5))], timestamp: t),
            #"{"fields":{"usage_idle":91.5},"name":"cpu","tags":{"cpu":"cpu0"},"timestamp":1525478795}"#
        ),
        (
            Metric(name: "cpu", tags: [MetricFormats.Tag("cpu", "cpu0")], fields: [Field("usage_idle", .int(90))], timestamp: t),
            #"{"fields":{"usage_idle":90},"name":"cpu","tags":{"cpu":"cpu0"},"timestamp":1525478795}"#
        ),
        (
            Metric(name: "cpu", tags: [MetricFormats.Tag("cpu", "cpu0")], fields: [Field("usage_idle", .string("foobar"))], timestamp: t),
            #"{"fields":{"usage_idle":"foobar"},"name":"cpu","tags":{"cpu":"cpu0"},"timestamp":1525478795}"#
        ),
        (
            Metric(name: "cpu", tags: [MetricFormats.Tag("cpu", "cpu0")], fields: [Field("usage_total", .int(8_559_615)), Field("usage_idle", .int(90))], timestamp: t),
            #"{"fields":{"usage_idle":90,"usage_total":8559615},"name":"cpu","tags":{"cpu":"cpu0"},"timestamp":1525478795}"#
        ),
        (
            Metric(name: "My CPU", tags: [MetricFormats.Tag("cpu tag", "cpu0")], fields: [Field("U,age=Idle", .int(90))], timestamp: t),
            #"{"fields":{"U,age=Idle":90},"name":"My CPU","tags":{"cpu tag":"cpu0"},"timestamp":1525478795}"#
        ),
        // Go's encoding: whole floats without a point, exponents outside [1e-6, 1e21), uint64 in full.
        (
            Metric(
                name: "n",
                fields: [
                    Field("a", .float(42.0)), Field("b", .float(1e21)), Field("c", .float(1e-7)), Field("d", .float(0.000001)), Field("e", .uint(UInt64.max)),
                    Field("f", .int(Int64.min)), Field("g", .float(-0.5)), Field("h", .bool(false)),
                ], timestamp: 0),
            #"{"fields":{"a":42,"b":1e+21,"c":1e-7,"d":0.000001,"e":18446744073709551615,"f":-9223372036854775808,"g":-0.5,"h":false},"name":"n","tags":{},"timestamp":0}"#
        ),
        // Go's string escaping: quotes, backslash, HTML characters, control characters, U+2028/2029.
        (
            Metric(name: "a<b>&c", tags: [MetricFormats.Tag("k", "q\"\\")], fields: [Field("s", .string("\n\r\t\u{8}\u{C}\u{1}\u{7F}é\u{2028}\u{2029}😀"))], timestamp: 0),
            #"{"fields":{"s":"\n\r\t\b\f\u0001"# + "\u{7F}é" + #"\u2028\u2029"# + "😀" + #""},"name":"a\u003cb\u003e\u0026c","tags":{"k":"q\"\\"},"timestamp":0}"#
        ),
        // Keys sorted by bytes (uppercase before lowercase), tags too; the last of repeated keys wins.
        (
            Metric(
                name: "s", tags: [MetricFormats.Tag("b", "1"), MetricFormats.Tag("B", "2"), MetricFormats.Tag("a", "3")],
                fields: [Field("z", .int(1)), Field("Z", .int(2)), Field("z", .int(3)), Field("_", .int(4))], timestamp: 0),
            #"{"fields":{"Z":2,"_":4,"z":3},"name":"s","tags":{"B":"2","a":"3","b":"1"},"timestamp":0}"#
        ),
    ])
    func telegrafVectors(metric: Metric, expected: String) {
        let (text, reports) = Self.render([metric])
        #expect(text == expected + "\n")
        #expect(reports.isEmpty)
    }

    /// TestSerialize_TimestampUnits: the units (rounded down to a power of ten) and the layout.
    @Test(arguments: [
        (Int64(1_000_000_000), nil as String?, "1525478795"),
        (1, nil, "1525478795123456789"),
        (1_000_000, nil, "1525478795123"),
        (10_000_000, nil, "152547879512"),
        (1_000_000_000, "2006-01-02T15:04:05Z07:00", "\"2018-05-05T00:06:35Z\""),
        (1_000_000_000, "RFC3339Nano", "\"2018-05-05T00:06:35.123456789Z\""),
        (1_000_000_000, "2006-01-02 15:04:05.000 -0700 MST Mon Jan _2 3PM", "\"2018-05-05 00:06:35.123 +0000 UTC Sat May  5 12AM\""),
    ])
    func timestampUnits(units: Int64, layout: String?, expected: String) {
        let m = Metric(name: "cpu", fields: [Field("value", .float(42))], timestamp: Self.t)
        let (text, _) = Self.render([m]) {
            $0.timestampUnits = units
            $0.timestampFormat = layout
        }
        #expect(text == #"{"fields":{"value":42},"name":"cpu","tags":{},"timestamp":"# + expected + "}\n")
    }

    /// The serializer reuses the digits of the last second written; a run that goes back and forth
    /// between seconds (and below zero) must still write each metric's own second.
    @Test func timestampSecondsChangingBackAndForth() {
        let seconds: [Int64] = [1_700_000_000, 1_700_000_000, 1_700_000_001, 1_700_000_000, 9, 10, -1, 0, 1_700_000_001]
        let metrics = seconds.enumerated().map { k, s in
            Metric(name: "m", fields: [Field("v", .int(Int64(k)))], timestamp: s * 1_000_000_000 + (s < 0 ? -5 : 5))
        }
        let (text, _) = Self.render(metrics)
        let written = text.split(separator: "\n").map { line -> String in
            String(line.split(separator: ":").last!.dropLast())
        }
        #expect(written == seconds.map { String($0) })
    }

    @Test func missingTimestampUsesNow() {
        let (text, _) = Self.render([Metric(name: "m", fields: [Field("v", .int(1))])], now: 1_700_000_000_000_000_000)
        #expect(text == #"{"fields":{"v":1},"name":"m","tags":{},"timestamp":1700000000}"# + "\n")
    }

    /// TestSerializeBatch, TestSerializeBatchSkipInf; an Inf field is reported, a metric left empty skipped.
    @Test func batch() {
        let m = Metric(name: "cpu", fields: [Field("value", .float(42))], timestamp: 0)
        let inf = Metric(name: "cpu", fields: [Field("inf", .float(.infinity)), Field("time_idle", .int(42))], timestamp: 0)
        let (text, reports) = Self.render([m, m, inf]) { $0.batch = true }
        #expect(
            text
                == #"{"metrics":[{"fields":{"value":42},"name":"cpu","tags":{},"timestamp":0},{"fields":{"value":42},"name":"cpu","tags":{},"timestamp":0},{"fields":{"time_idle":42},"name":"cpu","tags":{},"timestamp":0}]}"#
                + "\n")
        #expect(reports == ["field 'inf' of 'cpu' is +Inf, which JSON cannot carry: skipped"])
        let (empty, _) = Self.render([]) { $0.batch = true }
        #expect(empty == "{\"metrics\":[]}\n")
    }

    @Test func nanOnlyMetricIsSkipped() {
        let (text, reports) = Self.render([Metric(name: "w", fields: [Field("t", .float(.nan))], timestamp: 0)])
        #expect(text == "")
        // One finding for the metric, not one for its field and one more for it.
        #expect(reports == ["field 't' of 'w' is NaN, which JSON cannot carry: metric skipped"])
        let (none, two) = Self.render([Metric(name: "w", fields: [Field("a", .float(.nan)), Field("b", .float(-.infinity))], timestamp: 0)])
        #expect(none == "")
        #expect(two == ["field 'a' of 'w' is NaN, which JSON cannot carry (and 1 more fields JSON cannot carry): metric skipped"])
    }

    /// TestSerializeNesting: nested_fields_include = ["id-*"] and nested_fields_exclude = ["hops", "latency"].
    @Test(arguments: [(["id-*"], [String]()), ([], ["hops", "latency"])])
    func nestedFields(include: [String], exclude: [String]) {
        let m = Metric(
            name: "in", tags: [MetricFormats.Tag("host", "myhost"), MetricFormats.Tag("type", "diagnostic")],
            fields: [
                Field("hops", .int(10)), Field("latency", .float(1.23)),
                Field("id-1234", .string(#"{"address": "AB1A", "status": "online"}"#)),
                Field("id-0000", .string(#"{"status": "offline"}"#)),
                Field("id-5678", .string(#"{"address": "0000", "status": "online"}"#)),
            ], timestamp: 1_666_006_350_000_000_000)
        let (text, _) = Self.render([m]) {
            $0.nestedFieldsInclude = include
            $0.nestedFieldsExclude = exclude
        }
        #expect(
            text
                == #"{"fields":{"hops":10,"id-0000":{"status":"offline"},"id-1234":{"address":"AB1A","status":"online"},"id-5678":{"address":"0000","status":"online"},"latency":1.23},"name":"in","tags":{"host":"myhost","type":"diagnostic"},"timestamp":1666006350}"#
                + "\n")
    }

    @Test func nestedFieldThatIsNotJSONStaysAString() {
        let m = Metric(name: "n", fields: [Field("j", .string("{not json")), Field("k", .string(#"[1, 2.50, {"b":1,"a":"<"}]"#))], timestamp: 0)
        let (text, _) = Self.render([m]) { $0.nestedFieldsInclude = ["*"] }
        #expect(text == #"{"fields":{"j":"{not json","k":[1,2.5,{"a":"\u003c","b":1}]},"name":"n","tags":{},"timestamp":0}"# + "\n")
    }

    @Test func invalidUTF8IsWrittenAsReplacement() {
        var out: [UInt8] = []
        [0x61, 0xFF, 0x62, 0xED, 0xA0, 0x80].withUnsafeBufferPointer { JSONText.appendString(bytes: $0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == #""a\ufffdb\ufffd\ufffd\ufffd""#)
    }

    /// The fast float path writes exactly what Go's encoding (NumberFormatting.appendJSON) writes.
    @Test func fastFloatPathMatchesGoEncoding() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0.0001, 0.00009999, 1e15 - 0.5, 123.456, -0.1, 0.30000000000000004, 1e-7, 42, 1e21]
        for _ in 0..<20_000 {
            let magnitude = Double.random(in: -8...17, using: &rng)
            values.append(Double.random(in: -1...1, using: &rng) * pow10(magnitude))
        }
        for v in values {
            var fast: [UInt8] = []
            var reference: [UInt8] = []
            JSONText.appendNumber(v, to: &fast)
            NumberFormatting.appendJSON(v, to: &reference)
            #expect(fast == reference, "\(v)")
        }
    }

    private func pow10(_ e: Double) -> Double {
        var r = 1.0
        for _ in 0..<Int(abs(e)) { r *= 10 }
        return e < 0 ? 1 / r : r
    }

    @Test func escapeTableMatchesGo() {
        for b in UInt8(0)..<0x80 {
            let expected = b < 0x20 || b == 0x22 || b == 0x5C || b == 0x3C || b == 0x3E || b == 0x26
            #expect(JSONText.needsEscape(b) == expected, "byte \(b)")
        }
    }

    @Test func keysSortByBytes() {
        #expect(JSONText.precedes("B", "a"))
        #expect(JSONText.precedes("a", "ab"))
        #expect(!JSONText.precedes("ab", "a"))
        #expect(!JSONText.precedes("a", "a"))
        #expect(JSONText.precedes("z", "é"))
    }

    /// Field keys and series that are the same Strings line after line (as line protocol's parser
    /// hands them out), canonically equivalent spellings among them, each keep their own key order
    /// and name-and-tags text, however the metrics alternate.
    @Test func sharedStringsKeepTheirOwnPlansAndSeries() {
        let composed = "caf\u{E9} au lait, long enough"
        let decomposed = "cafe\u{301} au lait, long enough"
        let a = Metric(name: composed, tags: [MetricFormats.Tag("k", composed)], fields: [Field(composed, .int(1)), Field("b", .int(2))], timestamp: 0)
        let b = Metric(
            name: decomposed, tags: [MetricFormats.Tag("k", decomposed)], fields: [Field(decomposed, .int(3)), Field("b", .int(4))], timestamp: 0)
        let lineA =
            #"{"fields":{"b":2,"caf\#u{E9} au lait, long enough":1},"name":"caf\#u{E9} au lait, long enough","#
            + #""tags":{"k":"caf\#u{E9} au lait, long enough"},"timestamp":0}"#
        let lineB =
            #"{"fields":{"b":4,"cafe\#u{301} au lait, long enough":3},"name":"cafe\#u{301} au lait, long enough","#
            + #""tags":{"k":"cafe\#u{301} au lait, long enough"},"timestamp":0}"#
        let (text, reports) = Self.render([a, b, a, a, b, b, a, b])
        #expect(reports.isEmpty)
        #expect(Array(text.utf8) == Array(([lineA, lineB, lineA, lineA, lineB, lineB, lineA, lineB].joined(separator: "\n") + "\n").utf8))
    }
}
