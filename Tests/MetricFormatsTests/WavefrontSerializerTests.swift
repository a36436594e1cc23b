import Testing

@testable import MetricFormats

/// Telegraf's wavefront serializer vectors (plugins/serializers/wavefront/wavefront_test.go), with tags
/// written in key order.
@Suite struct WavefrontSerializerTests {
    static func render(_ metrics: [Metric], configure: (inout FormatOptions) -> Void = { _ in }) -> (String, [String]) {
        var options = FormatOptions()
        configure(&options)
        var s = try! WavefrontSerializer(options: options)
        var diags: [String] = []
        let text = s.render(metrics, now: 1_700_000_000_123_456_789) { diags.append($0.description) }
        return (text, diags)
    }

    static let t: Int64 = 1_554_172_967_000_000_000
    static let cpuTags = [MetricFormats.Tag("cpu", "cpu0"), MetricFormats.Tag("host", "realHost")]

    @Test(arguments: [
        (FieldValue.float(91.5), "91.500000"), (.int(91), "91.000000"), (.bool(true), "1.000000"), (.bool(false), "0.000000"),
        (.uint(18_446_744_073_709_551_615), "18446744073709551616.000000"),
    ])
    func valueTypes(_ value: FieldValue, _ text: String) {
        let (out, diags) = Self.render([Metric(name: "cpu", tags: Self.cpuTags, fields: [Field("usage_idle", value)], timestamp: Self.t)])
        #expect(out == "\"cpu.usage.idle\" \(text) 1554172967 source=\"realHost\" \"cpu\"=\"cpu0\"\n")
        #expect(diags == [])
    }

    @Test func fieldValueGivesTheBareNameAndPrefixIsPrepended() {
        let m = Metric(name: "cpu", tags: Self.cpuTags, fields: [Field("value", .int(91)), Field("usage_idle", .int(91))], timestamp: Self.t)
        #expect(
            Self.render([m]).0 == """
                "cpu" 91.000000 1554172967 source="realHost" "cpu"="cpu0"
                "cpu.usage.idle" 91.000000 1554172967 source="realHost" "cpu"="cpu0"

                """)
        #expect(
            Self.render([m]) { $0.prefix = "telegraf." }.0 == """
                "telegraf.cpu" 91.000000 1554172967 source="realHost" "cpu"="cpu0"
                "telegraf.cpu.usage.idle" 91.000000 1554172967 source="realHost" "cpu"="cpu0"

                """)
        #expect(Self.render([m]) { $0.wavefront.disablePrefixConversion = true }.0.contains("\"cpu.usage_idle\""))
    }

    @Test func sanitizingAndStrictMode() {
        let m = Metric(
            name: "cpu.idle", tags: [MetricFormats.Tag("host", "testHost"), MetricFormats.Tag("sp&c!al/chars,", "get*replaced")],
            fields: [Field("value", .float(1))], timestamp: Self.t)
        let (out, diags) = Self.render([m, m])
        #expect(out == String(repeating: "\"cpu.idle\" 1.000000 1554172967 source=\"testHost\" \"sp-c-al-chars-\"=\"get-replaced\"\n", count: 2))
        #expect(
            diags == [
                "warning: tag key \"sp&c!al/chars,\" written as \"sp-c-al-chars-\": Wavefront tag keys cannot hold those characters",
                "warning: tag \"sp&c!al/chars,\" has a value with a control character, a '*' or a backslash Wavefront cannot carry: written with '-'",
            ])
        #expect(
            Self.render([m]) { $0.wavefront.useStrict = true }.0
                == "\"cpu.idle\" 1.000000 1554172967 source=\"testHost\" \"sp-c-al/chars,\"=\"get-replaced\"\n")
        let odd = Metric(name: "a b/c", fields: [Field("x=y", .float(1))], timestamp: Self.t)
        let (o2, d2) = Self.render([odd, odd])
        #expect(o2 == String(repeating: "\"a-b-c.x-y\" 1.000000 1554172967 source=\"\"\n", count: 2))
        #expect(d2 == ["warning: name \"a b/c.x=y\" written as \"a-b-c.x-y\": Wavefront names cannot hold those characters"])
    }

    /// TestBuildTags and TestBuildTagsHostTag, with source override.
    struct SourceCase: Sendable {
        var tags: [(String, String)]
        var source: String
        var rest: String
        init(_ tags: [(String, String)], _ source: String, _ rest: String) {
            self.tags = tags
            self.source = source
            self.rest = rest
        }
    }

    static let sourceCases: [SourceCase] = [
        SourceCase([("one", "two"), ("three", "four"), ("host", "testHost")], "testHost", " \"one\"=\"two\" \"three\"=\"four\""),
        SourceCase([("aaa", "bbb"), ("host", "testHost")], "testHost", " \"aaa\"=\"bbb\""),
        SourceCase([("bbb", "789"), ("aaa", "123"), ("host", "testHost")], "testHost", " \"aaa\"=\"123\" \"bbb\"=\"789\""),
        SourceCase([("host", "aaa"), ("dc", "bbb")], "aaa", " \"dc\"=\"bbb\""),
        SourceCase([("instanceid", "i-0123456789"), ("host", "aaa"), ("dc", "bbb")], "i-0123456789", " \"dc\"=\"bbb\" \"telegraf_host\"=\"aaa\""),
        SourceCase([("instance-id", "i-0123456789"), ("host", "aaa"), ("dc", "bbb")], "i-0123456789", " \"dc\"=\"bbb\" \"telegraf_host\"=\"aaa\""),
        SourceCase(
            [("instanceid", "i-0123456789"), ("host", "aaa"), ("hostname", "ccc"), ("dc", "bbb")], "i-0123456789",
            " \"dc\"=\"bbb\" \"hostname\"=\"ccc\" \"telegraf_host\"=\"aaa\""),
        SourceCase(
            [("instanceid", "i-0123456789"), ("host", "aaa"), ("snmp_host", "ccc"), ("dc", "bbb")], "i-0123456789",
            " \"dc\"=\"bbb\" \"snmp_host\"=\"ccc\" \"telegraf_host\"=\"aaa\""),
        SourceCase([("host", "aaa"), ("snmp_host", "ccc"), ("dc", "bbb")], "ccc", " \"dc\"=\"bbb\" \"telegraf_host\"=\"aaa\""),
        SourceCase([("source", "src"), ("instanceid", "i-1"), ("host", "aaa"), ("empty", "")], "src", " \"instanceid\"=\"i-1\""),
        SourceCase([("dc", "x")], "", " \"dc\"=\"x\""),
    ]

    @Test(arguments: sourceCases)
    func sourceSelection(_ c: SourceCase) {
        let (tags, source, rest) = (c.tags, c.source, c.rest)
        let m = Metric(name: "m", tags: tags.map { MetricFormats.Tag($0.0, $0.1) }, fields: [Field("value", .float(1))], timestamp: Self.t)
        let (out, _) = Self.render([m]) {
            $0.wavefront.sourceOverride = ["instanceid", "instance-id", "hostname", "snmp_host", "node_host"]
        }
        // Point tag keys keep their `_`: only names get the `.` conversion.
        let expected = "\"m\" 1.000000 1554172967 source=\"\(source)\"" + rest + "\n"
        #expect(out == expected)
    }

    @Test func overrideListOrderDecidesAndMayNameHost() {
        let m = Metric(name: "m", tags: [MetricFormats.Tag("host", "h"), MetricFormats.Tag("snmp_host", "s")], fields: [Field("value", .float(1))], timestamp: Self.t)
        #expect(
            Self.render([m]) { $0.wavefront.sourceOverride = ["host", "snmp_host"] }.0
                == "\"m\" 1.000000 1554172967 source=\"h\" \"snmp_host\"=\"s\"\n")
        #expect(
            Self.render([m]) { $0.wavefront.sourceOverride = ["nothere", "snmp_host", "host"] }.0
                == "\"m\" 1.000000 1554172967 source=\"s\" \"telegraf_host\"=\"h\"\n")
    }

    @Test func stringsAndNonFiniteValuesAreReportedAndSkipped() {
        let m = Metric(name: "http", fields: [Field("status", .string("ok")), Field("rate", .float(.nan)), Field("code", .int(200))], timestamp: nil)
        let (out, diags) = Self.render([m])
        #expect(out == "\"http.code\" 200.000000 1700000000 source=\"\"\n")
        #expect(
            diags == [
                "field \"status\" of \"http\" is a string, which Wavefront cannot carry: skipped",
                "field \"rate\" of \"http\" is nan, which Wavefront cannot carry: skipped",
            ])
    }

    @Test func tagValuesEscapeQuotesAndReplaceStars() {
        let m = Metric(name: "m", tags: [MetricFormats.Tag("host", "h\"1*"), MetricFormats.Tag("k", "a\"b*c")], fields: [Field("value", .float(-2.5))], timestamp: -1)
        #expect(Self.render([m]).0 == "\"m\" -2.500000 -1 source=\"h\\\"1-\" \"k\"=\"a\\\"b-c\"\n")
    }

    /// `%.6f` must be Go's exact rounding of the binary value, not of a decimal approximation.
    @Test(arguments: [
        (5e-7, "0.000000"), (1.5e-6, "0.000002"), (2.5e-6, "0.000003"), (0.0000025, "0.000003"),
        (1e23, "99999999999999991611392.000000"), (123456.1234565, "123456.123457"), (0.1, "0.100000"),
        (-0.0, "-0.000000"), (Double.leastNonzeroMagnitude, "0.000000"),
        (
            1.7976931348623157e308,
            "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000"
        ),
        (0.0000005000000000000001, "0.000001"), (9.9999995, "9.999999"), (1152921504606846976.0, "1152921504606846976.000000"),
    ])
    func fixedSixDecimals(_ v: Double, _ text: String) {
        var out: [UInt8] = []
        FixedDecimal.append(v, decimals: 6, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == text)
    }
}
