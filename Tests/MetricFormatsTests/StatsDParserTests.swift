import Testing

@testable import MetricFormats

/// The StatsD parser at both levels: ``StatsDLineParser`` (samples, for listen/load/aggregation)
/// and ``StatsDParser`` (metrics), with Telegraf's statsd_test.go vectors as rows.
@Suite struct StatsDParserTests {
    /// Parses `text` with the sample-level API; returns samples and diagnostics as text.
    static func samples(_ text: String, _ configure: (inout StatsDOptions) -> Void = { _ in }) -> (samples: [StatsDSample], timestamps: [Int64?], diagnostics: [String]) {
        var options = StatsDOptions()
        configure(&options)
        var reader = StatsDLineParser(options: options)
        var samples: [StatsDSample] = []
        var timestamps: [Int64?] = []
        var diagnostics: [String] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            Array(line.utf8).withUnsafeBufferPointer { buf in
                reader.parse(buf, number: number) { event in
                    switch event {
                    case .sample(let s, let ts):
                        samples.append(s)
                        timestamps.append(ts)
                    case .diagnostic(let d):
                        diagnostics.append(d.description)
                    }
                }
            }
        }
        return (samples, timestamps, diagnostics)
    }

    /// Parses `text` into metrics with the full parser.
    static func metrics(_ text: String, _ configure: (inout FormatOptions) -> Void = { _ in }) throws -> MetricCollector {
        var options = FormatOptions()
        configure(&options)
        var parser = try StatsDParser(options: options)
        let collector = MetricCollector()
        parser.parse(text: Array(text.utf8), into: collector)
        return collector
    }

    struct SampleRow: CustomTestStringConvertible, Sendable {
        var line: String
        var expected: [StatsDSample]
        var testDescription: String { line }
    }

    static let sampleRows: [SampleRow] = [
        // TestParse_ValidLines
        SampleRow(line: "valid:45|c", expected: [StatsDSample(bucket: "valid", value: .integer(45), kind: .counter)]),
        SampleRow(line: "valid:45|s", expected: [StatsDSample(bucket: "valid", value: .member("45"), kind: .set)]),
        SampleRow(line: "valid:45|g", expected: [StatsDSample(bucket: "valid", value: .number(45), kind: .gauge)]),
        SampleRow(line: "valid.timer:45|ms", expected: [StatsDSample(bucket: "valid.timer", value: .number(45), kind: .timing)]),
        SampleRow(line: "valid.timer:45|h", expected: [StatsDSample(bucket: "valid.timer", value: .number(45), kind: .histogram)]),
        // TestParse_Gauges: signs make deltas
        SampleRow(line: "plus.minus:-10|g", expected: [StatsDSample(bucket: "plus.minus", value: .number(-10), kind: .gauge, isDelta: true)]),
        SampleRow(line: "plus.minus:+30|g", expected: [StatsDSample(bucket: "plus.minus", value: .number(30), kind: .gauge, isDelta: true)]),
        SampleRow(line: "scientific.notation:4.696E+5|g", expected: [StatsDSample(bucket: "scientific.notation", value: .number(469600), kind: .gauge)]),
        SampleRow(line: "scientific.notation.minus:4.7E-5|g", expected: [StatsDSample(bucket: "scientific.notation.minus", value: .number(0.000047), kind: .gauge)]),
        // TestParse_Counters: the raw value, not scaled by the rate; a counter's sign is no delta
        SampleRow(line: "sample.rate:1|c|@0.1", expected: [StatsDSample(bucket: "sample.rate", value: .integer(1), kind: .counter, sampleRate: 0.1)]),
        SampleRow(line: "scientific.notation:4.696E+5|c", expected: [StatsDSample(bucket: "scientific.notation", value: .number(469600), kind: .counter)]),
        SampleRow(line: "negative.test:-5|c", expected: [StatsDSample(bucket: "negative.test", value: .integer(-5), kind: .counter)]),
        // TestParse_Sets: the member is the text as written
        SampleRow(line: "scientific.notation.sets:4.696E+5|s", expected: [StatsDSample(bucket: "scientific.notation.sets", value: .member("4.696E+5"), kind: .set)]),
        // TestParse_InvalidSampleRate: ignored, the sample kept
        SampleRow(line: "invalid.sample.rate:45|c|0.1", expected: [StatsDSample(bucket: "invalid.sample.rate", value: .integer(45), kind: .counter)]),
        SampleRow(line: "invalid.sample.rate.2:45|c|@foo", expected: [StatsDSample(bucket: "invalid.sample.rate.2", value: .integer(45), kind: .counter)]),
        SampleRow(line: "zero.rate:1|c|@0", expected: [StatsDSample(bucket: "zero.rate", value: .integer(1), kind: .counter)]),
        // TestParse_MeasurementsWithMultipleValues
        SampleRow(
            line: "valid.multiple:0|ms|@0.1:0|ms|:1|ms",
            expected: [
                StatsDSample(bucket: "valid.multiple", value: .number(0), kind: .timing, sampleRate: 0.1),
                StatsDSample(bucket: "valid.multiple", value: .number(0), kind: .timing),
                StatsDSample(bucket: "valid.multiple", value: .number(1), kind: .timing),
            ]),
        SampleRow(
            line: "valid.multiple.mixed:1|c:1|ms:2|s:1|g",
            expected: [
                StatsDSample(bucket: "valid.multiple.mixed", value: .integer(1), kind: .counter),
                StatsDSample(bucket: "valid.multiple.mixed", value: .number(1), kind: .timing),
                StatsDSample(bucket: "valid.multiple.mixed", value: .member("2"), kind: .set),
                StatsDSample(bucket: "valid.multiple.mixed", value: .number(1), kind: .gauge),
            ]),
        // TestParse_Tags: bucket tags in input order
        SampleRow(
            line: "cpu.idle,host=localhost,color=red,region=west:1|c",
            expected: [
                StatsDSample(bucket: "cpu.idle", value: .integer(1), kind: .counter, tags: [Tag("host", "localhost"), Tag("color", "red"), Tag("region", "west")])
            ]),
        // TestParse_KeyValue: extra '=' stay in the value, a part without '=' is dropped
        SampleRow(
            line: "m,url=/api/querystring?key1=val1&key2=value,only value:1|c",
            expected: [
                StatsDSample(bucket: "m", value: .integer(1), kind: .counter, tags: [Tag("url", "/api/querystring?key1=val1&key2=value")])
            ]),
        // TestParseNoSanitize: metricat keeps the bucket verbatim (Telegraf cuts at the first space
        // and applies its `_` separator: "regex_ARP", "regex_/dev/null", ...)
        SampleRow(line: "regex.ARP flood stats:1|c", expected: [StatsDSample(bucket: "regex.ARP flood stats", value: .integer(1), kind: .counter)]),
        SampleRow(line: "regex./dev/null:1|c", expected: [StatsDSample(bucket: "regex./dev/null", value: .integer(1), kind: .counter)]),
        SampleRow(line: "regex.wow!!!:1|c", expected: [StatsDSample(bucket: "regex.wow!!!", value: .integer(1), kind: .counter)]),
        SampleRow(line: "regex.all*things:1|c", expected: [StatsDSample(bucket: "regex.all*things", value: .integer(1), kind: .counter)]),
        // TestParse_DataDogTags: tag values keep their ':'; bare tags are true; a lone '#' is no tag
        SampleRow(
            line: "my_counter:1|c|#host:localhost,environment:prod,endpoint:/:tenant?/oauth/ro",
            expected: [
                StatsDSample(
                    bucket: "my_counter", value: .integer(1), kind: .counter, tags: [Tag("host", "localhost"), Tag("environment", "prod"), Tag("endpoint", "/:tenant?/oauth/ro")])
            ]),
        SampleRow(
            line: "my_timer:3|ms|@0.1|#live,host:localhost",
            expected: [
                StatsDSample(bucket: "my_timer", value: .number(3), kind: .timing, sampleRate: 0.1, tags: [Tag("live", "true"), Tag("host", "localhost")])
            ]),
        SampleRow(line: "cpu:42|c|#", expected: [StatsDSample(bucket: "cpu", value: .integer(42), kind: .counter)]),
        // TestParse_DataDogContainerID without keep: dropped
        SampleRow(
            line: "cpu:42|c|#live,host:localhost|c:f76b5a1c",
            expected: [
                StatsDSample(bucket: "cpu", value: .integer(42), kind: .counter, tags: [Tag("live", "true"), Tag("host", "localhost")])
            ]),
        // Bucket tags come first, DogStatsD tags after them (they win when converted)
        SampleRow(
            line: "m,host=a:1|g|#host:b",
            expected: [
                StatsDSample(bucket: "m", value: .number(1), kind: .gauge, tags: [Tag("host", "a"), Tag("host", "b")])
            ]),
        // A `c:` segment followed by a type is the next sample of a multi-value line
        SampleRow(
            line: "a:1|c:2|g",
            expected: [
                StatsDSample(bucket: "a", value: .integer(1), kind: .counter),
                StatsDSample(bucket: "a", value: .number(2), kind: .gauge),
            ]),
        // Distributions (metricat emits them by default)
        SampleRow(line: "test.distribution:1|d", expected: [StatsDSample(bucket: "test.distribution", value: .number(1), kind: .distribution)]),
        // Values in every spelling of Go's ParseFloat and ParseInt, which Telegraf reads them with
        SampleRow(line: "a:1e+5|g", expected: [StatsDSample(bucket: "a", value: .number(100_000), kind: .gauge)]),
        SampleRow(line: "a:+.5|g", expected: [StatsDSample(bucket: "a", value: .number(0.5), kind: .gauge, isDelta: true)]),
        SampleRow(line: "a:5.|ms", expected: [StatsDSample(bucket: "a", value: .number(5), kind: .timing)]),
        SampleRow(line: "a:0x1p-2|h", expected: [StatsDSample(bucket: "a", value: .number(0.25), kind: .histogram)]),
        SampleRow(line: "a:1_000|c", expected: [StatsDSample(bucket: "a", value: .number(1000), kind: .counter)]),
        SampleRow(line: "a:-9223372036854775808|c", expected: [StatsDSample(bucket: "a", value: .integer(.min), kind: .counter)]),
        SampleRow(line: "a:9223372036854775808|c", expected: [StatsDSample(bucket: "a", value: .number(9_223_372_036_854_775_808), kind: .counter)]),
        SampleRow(line: "a:1|c|@1e-1", expected: [StatsDSample(bucket: "a", value: .integer(1), kind: .counter, sampleRate: 0.1)]),
        // Whitespace around the line and a CR are ignored
        SampleRow(line: " \ta:1|c \r", expected: [StatsDSample(bucket: "a", value: .integer(1), kind: .counter)]),
        SampleRow(line: "   ", expected: []),
    ]

    @Test(arguments: sampleRows)
    func sample(_ row: SampleRow) {
        let r = Self.samples(row.line)
        #expect(r.samples == row.expected)
        #expect(r.diagnostics.filter { !$0.contains("note:") } == [])
    }

    struct ErrorRow: CustomTestStringConvertible, Sendable {
        var line: String
        var diagnostics: [String]
        /// Buckets of the samples emitted before the error.
        var kept: Int = 0
        var testDescription: String { line }
    }

    static let errorRows: [ErrorRow] = [
        // TestParse_InvalidLines
        ErrorRow(line: "i.dont.have.a.pipe:45g", diagnostics: ["1:23: expected '|' and a metric type after the value"]),
        ErrorRow(line: "i.dont.have.a.colon45|c", diagnostics: ["1:22: expected ':' between the bucket and the value (bucket:value|type)"]),
        ErrorRow(line: "invalid.metric.type:45|e", diagnostics: ["1:24: invalid metric type \"e\" (expected c, g, s, ms, h or d)"]),
        ErrorRow(line: "invalid.plus.minus.non.gauge:+10|s", diagnostics: ["1:30: '+' is allowed only for counters and gauges, not for type s"]),
        ErrorRow(line: "invalid.plus.minus.non.gauge:+10|ms", diagnostics: ["1:30: '+' is allowed only for counters and gauges, not for type ms"]),
        ErrorRow(line: "invalid.plus.minus.non.gauge:-10|h", diagnostics: ["1:30: '-' is allowed only for counters and gauges, not for type h"]),
        ErrorRow(line: "invalid.value:foobar|c", diagnostics: ["1:15: invalid value \"foobar\": expected a number"]),
        ErrorRow(line: "invalid.value:d11|c", diagnostics: ["1:15: invalid value \"d11\": expected a number"]),
        ErrorRow(line: "invalid.value:1d1|c", diagnostics: ["1:15: invalid value \"1d1\": expected a number"]),
        // More shapes
        ErrorRow(line: ":1|c", diagnostics: ["1:1: empty bucket name"]),
        ErrorRow(line: "a:|c", diagnostics: ["1:3: empty value"]),
        ErrorRow(line: "a:1|", diagnostics: ["1:5: missing metric type after '|'"]),
        ErrorRow(line: "a:1|C", diagnostics: ["1:5: invalid metric type \"C\" (expected c, g, s, ms, h or d)"]),
        ErrorRow(line: "a:inf|g", diagnostics: ["1:3: invalid value \"inf\": only finite numbers are accepted"]),
        ErrorRow(line: "a:1e400|g", diagnostics: ["1:3: invalid value \"1e400\": out of range for a 64-bit float"]),
        ErrorRow(line: "a:1__0|g", diagnostics: ["1:3: invalid value \"1__0\": expected a number"]),
        ErrorRow(line: "a:1.|g:.5|g:1e|g", diagnostics: ["1:13: invalid value \"1e\": expected a number"], kept: 2),
        ErrorRow(line: "a:1|g:2|x", diagnostics: ["1:9: invalid metric type \"x\" (expected c, g, s, ms, h or d)"], kept: 1),
        ErrorRow(line: "  a:1|g|#t:v|@0.5:2|zz", diagnostics: ["1:21: invalid metric type \"zz\" (expected c, g, s, ms, h or d)"], kept: 1),
    ]

    @Test(arguments: errorRows)
    func error(_ row: ErrorRow) {
        let r = Self.samples(row.line)
        #expect(r.diagnostics == row.diagnostics)
        #expect(r.samples.count == row.kept)
    }

    @Test func notesForIgnoredThings() {
        let r = Self.samples("a:1|c|0.1\nb:1|c|@x\n_e{1,1}:a|b\n_sc|svc|0\nd:1|d") { $0.datadogDistributions = false }
        #expect(r.samples.map(\.bucket) == ["a", "b"])
        #expect(
            r.diagnostics == [
                "1:7: note: \"0.1\" ignored: a sample rate is written @RATE",
                "2:7: note: sample rate \"@x\" ignored: not a number",
                "3:1: note: DogStatsD event skipped: it is not a metric",
                "4:1: note: DogStatsD service check skipped: it is not a metric",
                "5:3: note: distribution sample skipped (needs --datadog-distributions and --datadog-extensions)",
            ])
    }

    @Test func tagLimitPerLine() {
        let many = (0..<1001).map { "t\($0):v" }.joined(separator: ",")
        let r = Self.samples("m:1|c|#\(many)\nok,a=b:1|c|#" + (0..<999).map { "t\($0)" }.joined(separator: ","))
        #expect(r.diagnostics == ["1:1: more than 1000 tags on one line: skipped"])
        #expect(r.samples.map(\.bucket) == ["ok"])
        #expect(r.samples.first?.tags.count == 1000)
    }

    @Test func containerTagKept() {
        let r = Self.samples("my_gauge:10.1|g|#live|c:f76b5a1c") { $0.datadogKeepContainerTag = true }
        #expect(r.samples == [StatsDSample(bucket: "my_gauge", value: .number(10.1), kind: .gauge, tags: [Tag("live", "true"), Tag("container", "f76b5a1c")])])
    }

    @Test func timestampSegment() {
        let r = Self.samples("ts.hits:2|c|#k:v|T1700000000\nno:1|c|Tx")
        #expect(r.timestamps == [1_700_000_000_000_000_000, nil])
        #expect(r.samples.map(\.tags) == [[Tag("k", "v")], []])
    }

    @Test func extensionsOff() {
        let r = Self.samples("my_counter:1|c|#host:localhost,environment:prod") { $0.datadogExtensions = false }
        #expect(r.samples == [StatsDSample(bucket: "my_counter", value: .integer(1), kind: .counter)])
        #expect(r.diagnostics == ["1:16: note: \"#host\" ignored: a sample rate is written @RATE", "1:43: expected '|' and a metric type after the value"])
        let d = Self.samples("d:1|d") { $0.datadogExtensions = false }
        #expect(d.samples.isEmpty)
    }

    // MARK: Metrics

    @Test func metricConversion() throws {
        let c = try Self.metrics("m,host=a,dc=x:5|c|@0.5|#host:b,metric_type:x\ng:-3|g\nu:alice|s|T1700000000")
        #expect(c.errors.isEmpty)
        #expect(
            c.metrics == [
                Metric(name: "m", tags: [Tag("dc", "x"), Tag("host", "b"), Tag("metric_type", "counter")], fields: [Field("value", .int(5)), Field("sample_rate", .float(0.5))]),
                Metric(name: "g", tags: [Tag("metric_type", "gauge")], fields: [Field("value", .float(-3)), Field("delta", .bool(true))]),
                Metric(name: "u", tags: [Tag("metric_type", "set")], fields: [Field("value", .string("alice"))], timestamp: 1_700_000_000_000_000_000),
            ])
    }

    /// TestParseName, TestParse_DefaultNameParsing, TestParse_Tags: Telegraf's names with its
    /// default separator `_`, and with separator `.`.
    @Test func metricSeparator() throws {
        let lines = "foobar:1|c\nfoo.bar:1|c\nfoo.bar-baz:1|c\nvalid.foo-bar:11|c\ncpu.idle,host=localhost,region=west:1|c"
        let telegraf = try Self.metrics(lines) { $0.statsd.metricSeparator = "_" }
        #expect(telegraf.metrics.map(\.name) == ["foobar", "foo_bar", "foo_bar-baz", "valid_foo-bar", "cpu_idle"])
        #expect(telegraf.metrics.last?.tags == [Tag("host", "localhost"), Tag("metric_type", "counter"), Tag("region", "west")])
        let dots = try Self.metrics(lines)
        #expect(dots.metrics.map(\.name) == ["foobar", "foo.bar", "foo.bar-baz", "valid.foo-bar", "cpu.idle"])
    }

    @Test func defaultTagsFillMissingKeys() throws {
        let c = try Self.metrics("a,dc=us:1|c") { $0.defaultTags = [Tag("host", "h1"), Tag("dc", "eu")] }
        #expect(c.metrics.first?.tags == [Tag("dc", "us"), Tag("host", "h1"), Tag("metric_type", "counter")])
    }

    @Test func packetWithSeveralLines() throws {
        // Exact bytes of a datadog buffered datagram and a statsd pipeline() datagram (no final newline).
        let c = try Self.metrics("hits:1|c|#dc:x\ntemp:21.5|g\nmyapp.a:1|c\nmyapp.b:3.000000|ms\nmyapp.g:1|g")
        #expect(c.metrics.map(\.name) == ["hits", "temp", "myapp.a", "myapp.b", "myapp.g"])
        #expect(c.metrics[3].field("value") == .float(3))
    }

    @Test func lineTooLongIsReported() throws {
        var parser = try StatsDParser(options: FormatOptions())
        let c = MetricCollector()
        parser.parse(text: Array("a:1|c\n\(String(repeating: "x", count: 100)):1|c\nb:2|c\n".utf8), into: c, maxLineBytes: 50)
        #expect(c.metrics.map(\.name) == ["a", "b"])
        #expect(c.errors.map(\.description) == ["2:51: line longer than 50 bytes: skipped (raise --max-line)"])
    }

    /// Random and mutated bytes: no crash, every line yields samples, diagnostics or nothing, and a
    /// good line after the garbage still parses.
    @Test func garbageNeverCrashes() {
        var rng = SplitMix(seed: 42)
        let seeds = ["a:1|c", "b,k=v:2|g|@0.5|#t:x,y|c:abc|T17", "s:m|s:1|c:2|g", "_e{1,1}:a|b", "_sc|x|0", "x:+1|ms"]
        let alphabet: [UInt8] = Array(":|@#,=+-.0123456789eEcgsmhdT_ {}\r\t\u{0}".utf8) + [0xFF, 0xC3, 0x80]
        for round in 0..<3000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let op = rng.next() % 4
                let pos = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
                switch op {
                case 0 where !bytes.isEmpty: bytes[pos] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: pos)
                case 2 where !bytes.isEmpty: bytes.remove(at: pos)
                default: bytes = Array(bytes.prefix(pos))
                }
            }
            for extensions in [true, false] {
                var options = FormatOptions()
                options.statsd.datadogExtensions = extensions
                options.statsd.datadogKeepContainerTag = true
                var parser = try! StatsDParser(options: options)
                let c = MetricCollector()
                parser.parse(text: bytes + Array("\nok:1|c\n".utf8), into: c)
                #expect(c.metrics.last?.name == "ok", "input \(bytes)")
                for d in c.diagnostics { #expect(d.line != nil && d.column != nil && d.column! >= 1) }
            }
        }
    }
}
