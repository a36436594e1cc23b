import Testing

@testable import MetricFormats

/// Telegraf's wavefront parser vectors (plugins/parsers/wavefront/parser_test.go) plus the streaming
/// model's own rules: a bad line is reported with its column and the next line still parses.
@Suite struct WavefrontParserTests {
    static func parse(_ text: String, defaultTags: [MetricFormats.Tag] = []) -> MetricCollector {
        var options = FormatOptions()
        options.defaultTags = defaultTags
        var parser = try! WavefrontParser(options: options)
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c)
        return c
    }

    static func m(_ name: String, _ value: Double, _ seconds: Int64?, _ tags: [(String, String)] = []) -> Metric {
        Metric(
            name: name, tags: tags.map { MetricFormats.Tag($0.0, $0.1) }, fields: [Field("value", .float(value))],
            timestamp: seconds.map { $0 * 1_000_000_000 })
    }

    struct Good: Sendable, CustomTestStringConvertible {
        var input: String
        var metric: Metric
        var testDescription: String { input }
    }

    static let good: [Good] = [
        Good(input: "test.metric 1", metric: m("test.metric", 1, nil)),
        Good(input: "\u{2206}test.delta 1 1530939936", metric: m("\u{2206}test.delta", 1, 1_530_939_936)),
        Good(input: "\u{0394}test.delta 1 1530939936", metric: m("\u{0394}test.delta", 1, 1_530_939_936)),
        Good(
            input: "\u{0394}test.delta 1.234 1530939936 source=\"mysource\" tag2=value2",
            metric: m("\u{0394}test.delta", 1.234, 1_530_939_936, [("source", "mysource"), ("tag2", "value2")])),
        Good(input: "test.metric 1 1530939936", metric: m("test.metric", 1, 1_530_939_936)),
        Good(input: "test.metric 1 1530939936 source=mysource", metric: m("test.metric", 1, 1_530_939_936, [("source", "mysource")])),
        Good(input: "\"test.metric\" 1.1234 1530939936 source=\"mysource\"", metric: m("test.metric", 1.1234, 1_530_939_936, [("source", "mysource")])),
        Good(
            input: "\"test.metric\" 1.1234 1530939936 \"source\"=\"mysource\" tag2=value2",
            metric: m("test.metric", 1.1234, 1_530_939_936, [("source", "mysource"), ("tag2", "value2")])),
        Good(
            input: "\"test.metric\" -1.1234 1530939936 \"source\"=\"mysource\" tag2=value2",
            metric: m("test.metric", -1.1234, 1_530_939_936, [("source", "mysource"), ("tag2", "value2")])),
        Good(
            input: "\"test.metric\" 1.1234e04 1530939936 \"source\"=\"mysource\" tag2=value2",
            metric: m("test.metric", 1.1234e04, 1_530_939_936, [("source", "mysource"), ("tag2", "value2")])),
        Good(
            input: "\"test.metric\" 1.1234e-04 1530939936 \"source\"=\"mysource\" tag2=value2",
            metric: m("test.metric", 1.1234e-04, 1_530_939_936, [("source", "mysource"), ("tag2", "value2")])),
        Good(
            input: "test.metric\t\t 1.1234      1530939936 \tsource=\"mysource\"    tag2=value2     ",
            metric: m("test.metric", 1.1234, 1_530_939_936, [("source", "mysource"), ("tag2", "value2")])),
        Good(input: "test.metric3 333 1530939936 tagit=valueit", metric: m("test.metric3", 333, 1_530_939_936, [("tagit", "valueit")])),
        // TestParseSpecial: the backslash before a quote inside quotes is kept.
        Good(input: "\"test.metric\" 1 1530939936", metric: m("test.metric", 1, 1_530_939_936)),
        Good(input: "test.metric 1 1530939936 tag1=\"val\\\"ue1\"", metric: m("test.metric", 1, 1_530_939_936, [("tag1", "val\\\"ue1")])),
        // Timestamp scaling by digit count, truncated to seconds.
        Good(input: "a 1 1530939936123", metric: m("a", 1, 1_530_939_936)),
        Good(input: "a 1 1530939936123456", metric: m("a", 1, 1_530_939_936)),
        Good(input: "a 1 1530939936123456789", metric: m("a", 1, 1_530_939_936)),
        Good(input: "a 1 0", metric: m("a", 1, nil)),
        // The latest second nanoseconds can hold, in every unit.
        Good(input: "a 1 9223372036", metric: m("a", 1, 9_223_372_036)),
        Good(input: "a 1 9223372036999", metric: m("a", 1, 9_223_372_036)),
        Good(input: "a 1 9223372036999999", metric: m("a", 1, 9_223_372_036)),
        Good(input: "a 1 9223372036854775807", metric: m("a", 1, 9_223_372_036)),
        Good(input: "a -Inf 1530939936", metric: m("a", -.infinity, 1_530_939_936)),
        Good(input: "a 1E-2 1530939936", metric: m("a", 0.01, 1_530_939_936)),
        // An exponent with a plus sign, and Go's other spellings (the value is read with ParseFloat).
        Good(input: "a 1e+5 1530939936", metric: m("a", 100_000, 1_530_939_936)),
        Good(input: "a -2.5E+3 1530939936", metric: m("a", -2500, 1_530_939_936)),
        Good(input: "a 5. 1530939936", metric: m("a", 5, 1_530_939_936)),
        Good(input: "a 0x1p-2 1530939936", metric: m("a", 0.25, 1_530_939_936)),
        Good(input: "a 1 0000000000", metric: m("a", 1, 0)),
        // Quoted names hold anything; commas, slashes and backslashes are fine unquoted.
        Good(input: "\"a b=c\" 2 1530939936", metric: m("a b=c", 2, 1_530_939_936)),
        Good(input: "disk/sda,x\\y 2 1530939936 path=/var/log", metric: m("disk/sda,x\\y", 2, 1_530_939_936, [("path", "/var/log")])),
        // Tags are sorted; the last of a repeated key wins; an empty value is dropped; CRLF is fine.
        Good(input: "a 1 1530939936 z=1 b=2 z=3 e=\r", metric: m("a", 1, 1_530_939_936, [("b", "2"), ("z", "3")])),
    ]

    @Test(arguments: good)
    func parsesTelegrafVectors(_ c: Good) {
        let out = Self.parse(c.input)
        #expect(out.diagnostics == [])
        #expect(out.metrics == [c.metric])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var input: String
        var error: String
        var testDescription: String { input }
    }

    static let bad: [Bad] = [
        Bad(input: "test.metric", error: "1:12: expected metric value after the name"),
        Bad(input: "test.metric string", error: "1:13: invalid metric value \"string\""),
        Bad(input: "test.metric 1 string", error: "1:21: expected '=' after tag key \"string\", found end of line"),
        Bad(input: "test.\u{2206}delta 1", error: "1:6: ∆ is allowed only as the first character of a name"),
        Bad(input: "test.metric 1 1530939936 tag_no_pair", error: "1:37: expected '=' after tag key \"tag_no_pair\", found end of line"),
        Bad(input: "test.metric 1 1530939936 tag_broken_value=\"", error: "1:43: quoted string is not closed"),
        Bad(input: "\"test.metric 1 1530939936", error: "1:1: quoted string is not closed"),
        Bad(input: "test.metric 1 1530939936 tag1=val\\\"ue1", error: "1:35: found quote inside unquoted literal"),
        Bad(input: "\"test.metric\" -1.12-34 1530939936 \"source\"=\"mysource\" tag2=value2", error: "1:15: invalid metric value \"-1.12-34\""),
        Bad(input: "a 1 12345", error: "1:5: invalid timestamp \"12345\": expected 10 (s), 13 (ms), 16 (us) or 19 (ns) digits"),
        Bad(input: "a 1 99999999999999999999", error: "1:5: timestamp \"99999999999999999999\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1 9999999999", error: "1:5: timestamp \"9999999999\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1 9999999999999", error: "1:5: timestamp \"9999999999999\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1 9999999999999999", error: "1:5: timestamp \"9999999999999999\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1 9999999999999999999", error: "1:5: timestamp \"9999999999999999999\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1 9223372037", error: "1:5: timestamp \"9223372037\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1 9223372037000", error: "1:5: timestamp \"9223372037000\" is out of range: the latest is 2262-04-11T23:47:16Z"),
        Bad(input: "a 1e400", error: "1:3: invalid metric value \"1e400\""),
        Bad(input: "a +1", error: "1:3: expected metric value, found '+'"),
        Bad(input: "a infinite", error: "1:3: invalid metric value \"infinite\""),
        Bad(input: "a 1e", error: "1:3: invalid metric value \"1e\""),
        Bad(input: " a 1", error: "1:1: expected metric name"),
        Bad(input: "\"\" 1", error: "1:1: empty metric name"),
        Bad(input: "caf\u{e9} 1", error: "1:4: unexpected byte 0xC3 in metric name"),
        Bad(input: "a 1 1530939936 k=v:w", error: "1:19: unexpected ':' after tag \"k\""),
        Bad(input: "a 1 1530939936 =v", error: "1:16: expected tag key, found '='"),
        Bad(input: "a 1 1530939936x", error: "1:15: unexpected 'x' after timestamp"),
    ]

    @Test(arguments: bad)
    func rejectsWithPosition(_ c: Bad) {
        let out = Self.parse(c.input + "\nnext 2 1530939936")
        #expect(out.diagnostics.map { $0.description } == [c.error])
        #expect(out.metrics == [Self.m("next", 2, 1_530_939_936)], "the next line still parses")
    }

    @Test func defaultTagsOverrideParsedTags() {
        let d = [MetricFormats.Tag("myDefault", "value1"), MetricFormats.Tag("another", "test2")]
        #expect(
            Self.parse("test.metric 1 1530939936", defaultTags: d).metrics
                == [Self.m("test.metric", 1, 1_530_939_936, [("another", "test2"), ("myDefault", "value1")])])
        #expect(
            Self.parse("test.metric 1 1530939936 source=mysource", defaultTags: d).metrics
                == [Self.m("test.metric", 1, 1_530_939_936, [("another", "test2"), ("myDefault", "value1"), ("source", "mysource")])])
        #expect(
            Self.parse("\"test.metric\" 1.1234 1530939936 another=\"test3\"", defaultTags: d).metrics
                == [Self.m("test.metric", 1.1234, 1_530_939_936, [("another", "test2"), ("myDefault", "value1")])])
    }

    @Test func multipleLinesAndBlankLines() {
        let out = Self.parse("test.metric 1\n\n  \ntest.metric2 2 1530939936\n")
        #expect(out.diagnostics == [])
        #expect(out.metrics == [Self.m("test.metric", 1, nil), Self.m("test.metric2", 2, 1_530_939_936)])
    }

    @Test func mutatedInputNeverCrashes() {
        let seed = Array("\"a\\\"b\" -1.5e3 1530939936123 source=\"x\" \u{2206}k=v\u{0394} q=\"\\\"".utf8)
        for cut in 0...seed.count {
            _ = Self.parse(String(decoding: seed[..<cut], as: UTF8.self))
        }
        for k in seed.indices {
            for b: UInt8 in [0, 0x22, 0x5C, 0x3D, 0x20, 0xE2, 0xFF] {
                var s = seed
                s[k] = b
                var parser = try! WavefrontParser(options: FormatOptions())
                let c = MetricCollector()
                parser.parse(text: s, into: c)
                #expect(c.metrics.count + c.errors.count == 1)
            }
        }
    }
}
