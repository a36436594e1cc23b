import Testing

@testable import MetricFormats

/// The direct reading's caches (``JSONRecordDecoder/Caches``): a cached `"tags"` object or token
/// gives what reading it afresh gives, also after evictions and for inputs one byte apart.
@Suite struct JSONDirectCacheTests {
    struct Outcome: Equatable {
        var metrics: [Metric]
        var origins: [Int: MetricOrigin]
        var diagnostics: [Diagnostic]
    }

    static func read(_ text: String, direct: Bool, defaultTags: [MetricFormats.Tag] = [], parser: inout JSONParser) -> Outcome {
        parser.readsDirectly = direct
        let back = MetricCollector()
        parser.parse(text: Array(text.utf8), into: back)
        return Outcome(metrics: back.metrics, origins: back.origins, diagnostics: back.diagnostics)
    }

    static func read(_ text: String, direct: Bool, defaultTags: [MetricFormats.Tag] = []) throws -> Outcome {
        var options = FormatOptions()
        options.defaultTags = defaultTags
        var parser = try JSONParser(options: options)
        return read(text, direct: direct, parser: &parser)
    }

    static func record(_ tags: String, name: String = "cpu", value: Int = 1) -> String {
        #"{"fields":{"usage_idle":\#(value).5,"a_rather_long_field_key":\#(value)},"name":"\#(name)","tags":\#(tags),"timestamp":1700000000}"#
    }

    @Test func repeatedRecordsGiveWhatAFreshParserGives() throws {
        let lines = (0..<50).map { Self.record(#"{"host":"web-\#($0 % 3).eu-west.example.com","dc":"eu-west-1"}"#, value: $0) }
        var options = FormatOptions()
        options.defaultTags = [MetricFormats.Tag("env", "prod"), MetricFormats.Tag("dc", "default")]
        var shared = try JSONParser(options: options)
        let together = Self.read(lines.joined(separator: "\n") + "\n", direct: true, parser: &shared)
        #expect(together.metrics.count == 50)
        #expect(shared.decoder.caches.tagObjects.evictions == 0)
        for (k, line) in lines.enumerated() {
            var fresh = try JSONParser(options: options)
            let one = Self.read(line + "\n", direct: true, parser: &fresh)
            #expect(one.metrics == [together.metrics[k]])
            // The same places, on line 1 instead of line k + 1.
            #expect(one.origins[0]?.places == together.origins[k]?.places.map { MetricOrigin.Place($0.subject, line: 1, column: $0.column) })
        }
        // Default tags do not replace the record's own; they are added in order.
        #expect(together.metrics[0].tags == [MetricFormats.Tag("dc", "eu-west-1"), MetricFormats.Tag("env", "prod"), MetricFormats.Tag("host", "web-0.eu-west.example.com")])
        // One array per series: the same storage for every repeat of an object.
        let a = together.metrics[0].tags
        let b = together.metrics[3].tags
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })
    }

    @Test func manyDistinctObjectsEvictAndStayCorrect() throws {
        var options = FormatOptions()
        options.defaultTags = [MetricFormats.Tag("z", "1")]
        var parser = try JSONParser(options: options)
        // 3,000 series, twice: more than the 1,024 slots the cache grows to.
        let lines = (0..<6_000).map { Self.record(#"{"host":"h\#($0 % 3_000)","long_value":"value-\#($0 % 3_000)-of-a-long-tag"}"#, name: "metric_with_a_long_name_\($0 % 7)") }
        let text = lines.joined(separator: "\n") + "\n"
        let direct = Self.read(text, direct: true, parser: &parser)
        #expect(parser.decoder.caches.tagObjects.evictions > 1_000)
        #expect(parser.decoder.caches.tagObjects.slotCount == 1_024)
        #expect(direct == (try Self.read(text, direct: false, defaultTags: options.defaultTags)))
        #expect(direct.metrics.count == 6_000)
        #expect(direct.metrics[2_999].tags == [MetricFormats.Tag("host", "h2999"), MetricFormats.Tag("long_value", "value-2999-of-a-long-tag"), MetricFormats.Tag("z", "1")])
    }

    @Test func objectsOneByteApartAreNotConfused() throws {
        let objects = [
            #"{"host":"a1"}"#, #"{"host":"a2"}"#, #"{"host":"a1" }"#, #"{"hosT":"a1"}"#, #"{"host":"a\u0031"}"#,
            #"{"k":"a}b"}"#, #"{"k":"a}c"}"#, #"{"k":"a}b","j":null}"#, #"{"k":null}"#, #"{}"#, #"{ }"#,
            #"{"k":"v","k":"w"}"#, #"{"k":"w","k":"v"}"#, #"{"b":"1","a":"2"}"#, #"{"a":"2","b":"1"}"#, #"{"k":1}"#, #"{"k":"v"#,
        ]
        // Every object after every other, so that each is read both fresh and from the cache.
        var lines: [String] = []
        for x in objects {
            for y in objects { lines += [Self.record(x), Self.record(y)] }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let direct = try Self.read(text, direct: true)
        #expect(direct == (try Self.read(text, direct: false)))
        #expect(direct.metrics.count > lines.count * 3 / 4)
        let hosts = direct.metrics.prefix(4).map { $0.tag("host") }
        #expect(hosts == ["a1", "a1", "a1", "a2"])
    }

    @Test func tokensOneByteApartAndLongNames() throws {
        let names = ["measurement_name_over_15_bytes", "measurement_name_over_15_byteS", "m", "n", #"a\"b_long_enough_to_be_cached"#]
        var lines: [String] = []
        for (k, name) in names.enumerated() {
            for other in names { lines += [Self.record(#"{"t":"\#(k)"}"#, name: name), Self.record("{}", name: other)] }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let direct = try Self.read(text, direct: true)
        #expect(direct == (try Self.read(text, direct: false)))
        #expect(Set(direct.metrics.map(\.name)) == ["measurement_name_over_15_bytes", "measurement_name_over_15_byteS", "m", "n", #"a"b_long_enough_to_be_cached"#])
    }
}
