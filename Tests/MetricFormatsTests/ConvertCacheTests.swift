import Testing

@testable import MetricFormats

/// The parsers and serializers keep state between records (header and token caches, predicted
/// field keys, series texts, key plans). Whatever they remember must never change a result: each
/// test compares one long-lived instance against a fresh instance per record.
@Suite struct ConvertCacheTests {
    /// Lines that reuse headers and field keys in every way the caches distinguish.
    static let lines: [String] = [
        "cpu,host=a,dc=x u=1,s=2 1",
        "cpu,host=a,dc=x u=3,s=4 2",
        "cpu,host=a,dc=x s=5,u=6 3",  // same header, keys swapped
        "cpu,host=a,dc=x u=7,u=8 4",  // a repeat where the prediction had none
        "cpu,host=a,dc=x u=9,u=10 5",
        "cpu,host=a,dc=x u=11 6",  // fewer keys than predicted
        "cpu,host=a,dc=x u=12,s=13,t=14 7",  // more keys than predicted
        "cpu,host=a,dc=x u=15,s=16 8",
        "cpu,host=a,dc=x u=17,s= 9",  // an error after predicted keys
        "cpu,host=a,dc=x u=18,ss=19 10",  // a key the prediction is a prefix of
        "cpu,host=a,dc=x u=20,s=21 11",
        #"cpu,host=a,dc=x k\ ey=1,a\=b=2 12"#,  // escaped keys, then predicted from their raw bytes
        #"cpu,host=a,dc=x k\ ey=3,a\=b=4 13"#,
        #"cpu,host=a,dc=x k\ ey=5,a\=c=6 14"#,
        "cpu,host=a,dc=x u=22,m=\"multi\nline\",s=23 15",  // a string across lines
        "cpu,host=a,dc=x u=24,m=\"multi\nline\",s=25 16",
        "cpu,host=a=b u=1 17",  // a header with an error is not kept
        "cpu,host=a=b u=1 18",
        "cpu,host u=1 19",
        "cpu,host u=1 20",
        "cpu,host=b,dc=x u=26 21",  // another series, same keys
        "cpu,dc=x,host=a u=27 22",  // the same tags in another order
        "cpu,dc=x,host=a u=28 23",
        "cpu,host=a,host=b u=29 24",  // a repeated tag key
        "cpu,host=a,host=b u=30 25",
        "mem,host=web-00.eu-west.example.com used=1i,free=2u 26",
        "mem,host=web-02.eu-west.example.com used=3i,free=4u 27",
        "mem,host=web-00.eu-west.example.com used=5i,free=6u 28",
        "mem,host=web-00.eu-west.example.com used=7i,used=8u 29",
        "  cpu,host=a,dc=x u=31,s=32 30",  // leading whitespace
        "cpu,host=a,dc=x\tu=33,s=34 31",
        "cpu,host=a,dc=x u=35,s=36 32\r",
        "cpu,host=a,dc=x\r u=37 33",
    ]

    /// Metrics and diagnostics from one parser for all lines, or a fresh parser per record.
    static func parse(_ lines: [String], fresh: Bool, _ configure: (inout FormatOptions) -> Void = { _ in }) -> ([Metric], [String]) {
        var options = FormatOptions()
        configure(&options)
        let collector = MetricCollector()
        var shared = try! InfluxParser(options: options)
        var number = 0
        for line in lines {
            var parser = fresh ? try! InfluxParser(options: options) : shared
            for part in line.split(separator: "\n", omittingEmptySubsequences: false) {
                number += 1
                Array(part.utf8).withUnsafeBufferPointer { parser.parse(line: $0, number: number, into: collector) }
            }
            parser.finish(into: collector)
            if !fresh { shared = parser }
        }
        return (collector.metrics, collector.diagnostics.map(\.description))
    }

    @Test func parserCachesNeverChangeWhatIsParsed() {
        let once = Self.parse(Self.lines, fresh: false)
        let each = Self.parse(Self.lines, fresh: true)
        #expect(once.0 == each.0)
        #expect(once.1 == each.1)
        // The table above must exercise both outcomes.
        #expect(once.0.count > 20)
        #expect(once.1.count >= 5)
        // Twice over: the second pass finds everything cached.
        let twice = Self.parse(Self.lines + Self.lines, fresh: false)
        #expect(Array(twice.0.prefix(once.0.count)) == once.0)
        #expect(Array(twice.0.suffix(once.0.count)) == once.0)
    }

    @Test func parserCachesKeepDefaultTags() {
        let configure: (inout FormatOptions) -> Void = { $0.defaultTags = [Tag("zone", "z1"), Tag("dc", "default")] }
        let once = Self.parse(Self.lines + Self.lines, fresh: false, configure)
        let each = Self.parse(Self.lines + Self.lines, fresh: true, configure)
        #expect(once.0 == each.0)
        #expect(once.0.first?.tag("zone") == "z1")
        #expect(once.0.first?.tag("dc") == "x")
    }

    /// Metrics that share series, keys and Strings in the ways the serializer caches key on.
    static func metrics() -> [Metric] {
        let (parsed, _) = parse(lines + lines, fresh: false)
        var extra: [Metric] = []
        let host = String(decoding: Array("web-00.eu-west.example.com".utf8), as: UTF8.self)
        for k in 0..<6 {
            extra.append(
                Metric(
                    name: "m<&>", tags: [Tag("b", "1"), Tag("a", "q\"\\\u{2028}"), Tag("host", host)],
                    fields: [Field("z", .int(Int64(k))), Field("y", .float(k == 3 ? .nan : Double(k) / 8)), Field("x", .string("s\n\(k)"))],
                    timestamp: Int64(k)))
            // Equal Strings with different storage, and equal tags in another order.
            extra.append(
                Metric(
                    name: "m<&>", tags: [Tag("a", "q\"\\\u{2028}"), Tag("b", "1"), Tag("host", String(decoding: Array(host.utf8), as: UTF8.self))],
                    fields: [Field("z", .uint(UInt64(k))), Field("z", .bool(k % 2 == 0))], timestamp: nil))
        }
        extra.append(Metric(name: "only-nan", fields: [Field("v", .float(.infinity))], timestamp: 1))
        extra.append(Metric(name: "", tags: [Tag("k", "v")], fields: [Field("v", .int(1))], timestamp: 1))
        extra.append(Metric(name: "trail\\", tags: [Tag("k\\", "v\\")], fields: [Field("f\\", .int(1))], timestamp: 1))
        return parsed + extra + extra
    }

    static func render<S: MetricSerializer>(_ make: () -> S, _ metrics: [Metric], fresh: Bool) -> (String, [String]) {
        var reports: [String] = []
        var out: [UInt8] = []
        var shared = make()
        let context = SerializerContext(now: 7) { reports.append($0.description) }
        for m in metrics {
            var serializer = fresh ? make() : shared
            serializer.serialize(m, into: &out, context: context)
            if !fresh { shared = serializer }
        }
        return (String(decoding: out, as: UTF8.self), reports)
    }

    @Test func jsonSerializerCachesNeverChangeTheText() {
        let make = { try! JSONSerializer(options: FormatOptions()) }
        let once = Self.render(make, Self.metrics(), fresh: false)
        let each = Self.render(make, Self.metrics(), fresh: true)
        #expect(once.0 == each.0)
        #expect(once.1 == each.1)
        #expect(once.0.contains(#""name":"m\u003c\u0026\u003e","tags":{"a":"q\"\\\u2028","b":"1","host":"web-00.eu-west.example.com"}"#))
    }

    @Test func influxSerializerCachesNeverChangeTheText() {
        let make = { try! InfluxSerializer(options: FormatOptions()) }
        let once = Self.render(make, Self.metrics(), fresh: false)
        let each = Self.render(make, Self.metrics(), fresh: true)
        #expect(once.0 == each.0)
        // Warnings are given once per name by a long-lived serializer, so only compare their set.
        #expect(Set(once.1) == Set(each.1))
        #expect(once.0.contains("m<&>,a=q\"\\\u{2028},b=1,host=web-00.eu-west.example.com "))
    }

    /// Floats of up to 19 digits take a one-pass path in the parser; it must agree with the
    /// standard library's correctly rounded conversion.
    @Test func floatFastPathMatchesTheStandardLibrary() {
        var texts = [
            "0.0", "-0.0", "00.5", "1.", ".5", "-.5", "0.1", "0.05", "12.50", "9007199254740993", "9007199254740992.5",
            "1234567890123456789", "0.1234567890123456789", "123456789.123456789", "99999999.99999999", "12345678.12345678",
        ]
        var state: UInt64 = 99
        for _ in 0..<5000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let whole = String(state >> 40 % 30)
            let decimals = Int(state % 12)
            var frac = String(state >> 3)
            frac = String(frac.prefix(decimals))
            texts.append((state & 4 == 0 ? "-" : "") + whole + (decimals > 0 ? "." + frac : ""))
        }
        var parser = try! InfluxParser(options: FormatOptions())
        let collector = MetricCollector()
        parser.parse(text: Array(texts.map { "m v=\($0)" }.joined(separator: "\n").utf8), into: collector)
        #expect(collector.errors.isEmpty)
        #expect(collector.metrics.count == texts.count)
        for (text, metric) in zip(texts, collector.metrics) {
            let expected = Double(text.hasSuffix(".") ? text + "0" : (text.hasPrefix(".") || text.hasPrefix("-.") ? text.replacingOccurrences0() : text))!
            guard case .float(let v) = metric.field("v") else {
                Issue.record("\(text): not a float")
                continue
            }
            #expect(v.bitPattern == expected.bitPattern, "\(text)")
        }
    }
}

extension String {
    /// ".5" -> "0.5", "-.5" -> "-0.5" (Double(String) wants a digit before the point).
    fileprivate func replacingOccurrences0() -> String {
        hasPrefix("-.") ? "-0" + dropFirst() : "0" + self
    }
}
