import Testing

@testable import MetricFormats

/// Telegraf's prometheus parser vectors (plugins/parsers/prometheus/parser_test.go,
/// parser_v1_test.go and the text testcases/*: input.txt with expected_v1.out / expected_v2.out).
/// Metrics are compared as line protocol with fields sorted, as Telegraf's RequireMetricsEqual
/// compares them; Telegraf's `_type` pseudo-tag is left out of the text (the type is the metric's
/// `valueType`, checked on its own).
@Suite struct PrometheusParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var version: Int
        var input: String
        var expected: [String]
        var ignoreTimestamp = false
        var defaultTags: [MetricFormats.Tag] = []
        var testDescription: String { "\(name) v\(version)" }
    }

    static func parse(_ input: String, version: Int = 2, ignoreTimestamp: Bool = false, defaultTags: [MetricFormats.Tag] = [], maxHeld: Int? = nil) -> MetricCollector {
        var options = FormatOptions()
        options.prometheus.metricVersion = version
        options.prometheus.ignoreTimestamp = ignoreTimestamp
        options.defaultTags = defaultTags
        var parser = try! PrometheusParser(options: options)
        if let maxHeld { parser.maxHeldSamples = maxHeld }
        let collector = MetricCollector()
        parser.parse(text: Array(input.utf8), into: collector)
        return collector
    }

    /// Line protocol with fields sorted by key (floats as Telegraf's influx serializer writes them).
    static func line(_ m: Metric, sortFields: Bool = true) -> String {
        func esc(_ s: String, _ chars: String) -> String {
            var out = ""
            for c in s {
                if chars.contains(c) { out.append("\\") }
                out.append(c)
            }
            return out
        }
        var s = esc(m.name, ", ")
        for t in m.tags { s += "," + esc(t.key, ", =") + "=" + esc(t.value, ", =") }
        let fields = sortFields ? m.fields.sorted { $0.key < $1.key } : m.fields
        s +=
            " "
            + fields.map { f -> String in
                var out: [UInt8] = []
                switch f.value {
                case .float(let d): NumberFormatting.appendFixed(d, to: &out)
                default: out.append(utf8: "\(f.value)")
                }
                return esc(f.key, ", =") + "=" + String(decoding: out, as: UTF8.self)
            }.joined(separator: ",")
        if let ts = m.timestamp { s += " \(ts)" }
        return s
    }

    static let gauge = """
        # HELP cadvisor_version_info A metric with a constant '1' value labeled by kernel version, OS version, docker version, cadvisor version & cadvisor revision.
        # TYPE cadvisor_version_info gauge
        cadvisor_version_info{cadvisorRevision="",cadvisorVersion="",dockerVersion="1.8.2",kernelVersion="3.10.0-229.20.1.el7.x86_64",osVersion="CentOS Linux 7 (Core)"} 1

        """
    static let counter = """
        # HELP get_token_fail_count Counter of failed Token() requests to the alternate token source
        # TYPE get_token_fail_count counter
        get_token_fail_count 0

        """
    static let summary = """
        # HELP http_request_duration_microseconds The HTTP request latencies in microseconds.
        # TYPE http_request_duration_microseconds summary
        http_request_duration_microseconds{handler="prometheus",quantile="0.5"} 552048.506
        http_request_duration_microseconds{handler="prometheus",quantile="0.9"} 5.876804288e+06
        http_request_duration_microseconds{handler="prometheus",quantile="0.99"} 5.876804288e+06
        http_request_duration_microseconds_sum{handler="prometheus"} 1.8909097205e+07
        http_request_duration_microseconds_count{handler="prometheus"} 9

        """
    static let histogram = """
        # HELP apiserver_request_latencies Response latency distribution in microseconds for each verb, resource and client.
        # TYPE apiserver_request_latencies histogram
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="125000"} 1994
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="250000"} 1997
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="500000"} 2000
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="1e+06"} 2005
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="2e+06"} 2012
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="4e+06"} 2017
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="8e+06"} 2024
        apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="+Inf"} 2025
        apiserver_request_latencies_sum{resource="bindings",verb="POST"} 1.02726334e+08
        apiserver_request_latencies_count{resource="bindings",verb="POST"} 2025

        """
    static let benchmark = """
        # HELP benchmark_a Test metric for benchmarking
        # TYPE benchmark_a gauge
        benchmark_a{source="myhost",tags_platform="python",tags_sdkver="3.11.5"} 5 1653643420000

        # HELP benchmark_b Test metric for benchmarking
        # TYPE benchmark_b gauge
        benchmark_b{source="myhost",tags_platform="python",tags_sdkver="3.11.4"} 4 1653643420000

        """
    static let withTimestamp = """
        # TYPE test_counter counter
        test_counter{label="test"} 1 1601830800000

        """

    static let gaugeTags = #"dockerVersion=1.8.2,kernelVersion=3.10.0-229.20.1.el7.x86_64,osVersion=CentOS\ Linux\ 7\ (Core)"#

    static let cases: [Case] = [
        Case(name: "valid_gauge", version: 1, input: gauge, expected: ["cadvisor_version_info,\(gaugeTags) gauge=1"]),
        Case(name: "valid_gauge", version: 2, input: gauge, expected: ["prometheus,\(gaugeTags) cadvisor_version_info=1"]),
        Case(name: "valid_counter", version: 1, input: counter, expected: ["get_token_fail_count counter=0"]),
        Case(name: "valid_counter", version: 2, input: counter, expected: ["prometheus get_token_fail_count=0"]),
        Case(
            name: "valid_summary", version: 1, input: summary,
            expected: [
                "http_request_duration_microseconds,handler=prometheus 0.5=552048.506,0.9=5876804.288,0.99=5876804.288,count=9,sum=18909097.205"
            ]),
        Case(
            name: "valid_summary", version: 2, input: summary,
            expected: [
                "prometheus,handler=prometheus http_request_duration_microseconds_count=9,http_request_duration_microseconds_sum=18909097.205",
                "prometheus,handler=prometheus,quantile=0.5 http_request_duration_microseconds=552048.506",
                "prometheus,handler=prometheus,quantile=0.9 http_request_duration_microseconds=5876804.288",
                "prometheus,handler=prometheus,quantile=0.99 http_request_duration_microseconds=5876804.288",
            ]),
        Case(
            name: "valid_histogram", version: 1, input: histogram,
            expected: [
                "apiserver_request_latencies,resource=bindings,verb=POST +Inf=2025,125000=1994,1e+06=2005,250000=1997,2e+06=2012,4e+06=2017,500000=2000,8e+06=2024,count=2025,sum=102726334"
            ]),
        Case(
            name: "valid_histogram", version: 2, input: histogram,
            expected: [
                "prometheus,resource=bindings,verb=POST apiserver_request_latencies_count=2025,apiserver_request_latencies_sum=102726334",
                "prometheus,le=125000,resource=bindings,verb=POST apiserver_request_latencies_bucket=1994",
                "prometheus,le=250000,resource=bindings,verb=POST apiserver_request_latencies_bucket=1997",
                "prometheus,le=500000,resource=bindings,verb=POST apiserver_request_latencies_bucket=2000",
                "prometheus,le=1e+06,resource=bindings,verb=POST apiserver_request_latencies_bucket=2005",
                "prometheus,le=2e+06,resource=bindings,verb=POST apiserver_request_latencies_bucket=2012",
                "prometheus,le=4e+06,resource=bindings,verb=POST apiserver_request_latencies_bucket=2017",
                "prometheus,le=8e+06,resource=bindings,verb=POST apiserver_request_latencies_bucket=2024",
                "prometheus,le=+Inf,resource=bindings,verb=POST apiserver_request_latencies_bucket=2025",
            ]),
        Case(
            name: "benchmark", version: 1, input: benchmark,
            expected: [
                "benchmark_a,source=myhost,tags_platform=python,tags_sdkver=3.11.5 gauge=5 1653643420000000000",
                "benchmark_b,source=myhost,tags_platform=python,tags_sdkver=3.11.4 gauge=4 1653643420000000000",
            ]),
        Case(
            name: "benchmark", version: 2, input: benchmark,
            expected: [
                "prometheus,source=myhost,tags_platform=python,tags_sdkver=3.11.5 benchmark_a=5 1653643420000000000",
                "prometheus,source=myhost,tags_platform=python,tags_sdkver=3.11.4 benchmark_b=4 1653643420000000000",
            ]),
        Case(
            name: "default_tags", version: 1, input: gauge, expected: ["cadvisor_version_info,defaultTag=defaultTagValue,\(gaugeTags) gauge=1"],
            defaultTags: [MetricFormats.Tag("defaultTag", "defaultTagValue"), MetricFormats.Tag("dockerVersion", "to_be_overridden")]),
        Case(
            name: "default_tags", version: 2, input: gauge, expected: ["prometheus,defaultTag=defaultTagValue,\(gaugeTags) cadvisor_version_info=1"],
            defaultTags: [MetricFormats.Tag("defaultTag", "defaultTagValue"), MetricFormats.Tag("dockerVersion", "to_be_overridden")]),
        Case(name: "metric_with_timestamp", version: 1, input: withTimestamp, expected: ["test_counter,label=test counter=1 1601830800000000000"]),
        Case(name: "metric_with_timestamp", version: 2, input: withTimestamp, expected: ["prometheus,label=test test_counter=1 1601830800000000000"]),
        Case(name: "ignore_timestamp", version: 1, input: withTimestamp, expected: ["test_counter,label=test counter=1"], ignoreTimestamp: true),
        Case(name: "ignore_timestamp", version: 2, input: withTimestamp, expected: ["prometheus,label=test test_counter=1"], ignoreTimestamp: true),
        // parser_test.go starts an input with a blank line.
        Case(name: "leading newline", version: 2, input: "\n" + withTimestamp, expected: ["prometheus,label=test test_counter=1 1601830800000000000"]),
    ]

    @Test(arguments: cases)
    func telegrafVector(_ c: Case) {
        let out = Self.parse(c.input, version: c.version, ignoreTimestamp: c.ignoreTimestamp, defaultTags: c.defaultTags)
        #expect(out.diagnostics == [])
        #expect(out.metrics.map { Self.line($0) } == c.expected)
    }

    @Test func fieldsKeepTheirOrderBucketsThenCountAndSum() {
        let out = Self.parse(Self.histogram, version: 1)
        #expect(out.metrics.first?.fields.map(\.key) == ["125000", "250000", "500000", "1e+06", "2e+06", "4e+06", "8e+06", "+Inf", "count", "sum"])
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var input: String
        var error: String
        var testDescription: String { input }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(input: "metric", error: "1:7: expected value"),
        ErrorCase(input: "metric{} ", error: "1:10: expected value"),
        ErrorCase(input: "metric abc", error: "1:8: invalid value 'abc'"),
        ErrorCase(input: "metric 1.2.3", error: "1:8: invalid value '1.2.3'"),
        ErrorCase(input: "metric 1e999", error: "1:8: invalid value '1e999'"),
        ErrorCase(input: "metric 0x10", error: "1:8: invalid value '0x10'"),
        ErrorCase(input: "metric +NaN", error: "1:8: invalid value '+NaN'"),
        ErrorCase(input: "metric 1 abc", error: "1:10: invalid timestamp (milliseconds as a whole number, or OpenMetrics seconds with a fraction)"),
        ErrorCase(input: "metric 1 1.5e3", error: "1:10: invalid timestamp (milliseconds as a whole number, or OpenMetrics seconds with a fraction)"),
        ErrorCase(input: "metric 1 99999999999999999999", error: "1:10: invalid timestamp (milliseconds as a whole number, or OpenMetrics seconds with a fraction)"),
        ErrorCase(input: "metric 1 2 3", error: "1:12: unexpected text after timestamp"),
        ErrorCase(input: "1metric 1", error: "1:1: invalid metric name"),
        ErrorCase(input: "me-tric 1", error: "1:3: invalid character in metric name"),
        ErrorCase(input: "metric{1a=\"x\"} 1", error: "1:8: invalid label name"),
        ErrorCase(input: "metric{a-b=\"x\"} 1", error: "1:9: invalid label name"),
        ErrorCase(input: "metric{a b=\"x\"} 1", error: "1:10: expected '=' after label name"),
        ErrorCase(input: "metric{a=x} 1", error: "1:10: expected '\"' to open the label value"),
        ErrorCase(input: "metric{a=\"x} 1", error: "1:15: unterminated label value"),
        ErrorCase(input: "metric{a=\"x\\tz\"} 1", error: "1:12: invalid escape sequence in label value (only \\\\, \\\" and \\n)"),
        ErrorCase(input: "metric{a=\"x\" b=\"y\"} 1", error: "1:14: expected ',' or '}' after label value"),
        ErrorCase(input: "metric{a=\"x\",a=\"y\"} 1", error: "1:14: duplicate label 'a'"),
        ErrorCase(input: "metric{a=\"x\"", error: "1:13: expected ',' or '}' after label value"),
        ErrorCase(input: "metric{", error: "1:8: expected label name or '}'"),
        ErrorCase(input: "# TYPE metric counterz", error: "1:15: unknown metric type 'counterz'"),
        ErrorCase(input: "# TYPE metric", error: "1:14: expected metric type after TYPE metric"),
        ErrorCase(input: "# TYPE metric gauge extra", error: "1:21: unexpected text after metric type"),
        ErrorCase(input: "# TYPE 9metric gauge", error: "1:8: invalid metric name in TYPE line"),
        ErrorCase(input: "# HELP me-tric text", error: "1:10: invalid metric name in HELP line"),
        ErrorCase(input: "# TYPE m gauge\nm 1\n# TYPE m counter", error: "3:8: TYPE line for 'm' after its samples"),
        ErrorCase(input: "# TYPE m gauge\n# TYPE m counter", error: "2:8: second TYPE line for 'm'"),
        ErrorCase(input: "# TYPE h histogram\nh_bucket 1", error: "2:1: histogram bucket 'h_bucket' has no 'le' label"),
        ErrorCase(input: "# TYPE h histogram\nh_bucket{a=\"b\",le=\"x\"} 1", error: "2:16: 'le' label value 'x' is not a number"),
        ErrorCase(input: "# TYPE h histogram\nh 1", error: "2:1: histogram 'h' has no sample without _bucket, _sum or _count"),
        ErrorCase(input: "# TYPE s summary\ns 1", error: "2:1: summary sample 's' has no 'quantile' label"),
        ErrorCase(input: "# TYPE s summary\ns{quantile=\"half\"} 1", error: "2:3: 'quantile' label value 'half' is not a number"),
        ErrorCase(input: "metric 1 9223372036854775", error: "1:10: timestamp 9223372036854775 ms is out of range: the latest is 2262-04-11T23:47:16.854Z (9223372036854 ms)"),
        ErrorCase(input: "metric{a=\"b\"} 1 9223372036855", error: "1:17: timestamp 9223372036855 ms is out of range: the latest is 2262-04-11T23:47:16.854Z (9223372036854 ms)"),
    ]

    @Test(arguments: errorCases)
    func errorsArePinnedWithLineAndColumn(_ c: ErrorCase) {
        let out = Self.parse(c.input + "\nafter 1\n")
        #expect(out.diagnostics.map(\.description) == [c.error])
        // The next good line still comes through.
        #expect(out.metrics.last.map { Self.line($0) } == "prometheus after=1")
    }

    @Test func valuesAndSpecialFloats() {
        let out = Self.parse(
            """
            a 1.5e3
            b -Inf
            c +Inf
            d Inf
            e -.5
            f 7.
            g NaN
            h{x="1"} 2 -5
            i 3 0

            """)
        #expect(out.diagnostics == [])
        // NaN samples are kept (the output reports them where it cannot carry NaN); timestamps of 0
        // or below mean "none", as in Telegraf.
        #expect(
            out.metrics.map { Self.line($0) } == [
                "prometheus a=1500", "prometheus b=-Inf", "prometheus c=+Inf", "prometheus d=+Inf",
                "prometheus e=-0.5", "prometheus f=7", "prometheus g=NaN", "prometheus,x=1 h=2", "prometheus i=3",
            ])
    }

    @Test func labelValueEscapesAndOddSpacing() {
        let out = Self.parse("  m { a = \"x\\\\y\\\"z\\n\" , b=\"\",c=\"ü{},=\" , }\t 2\t1000  \r\n")
        #expect(out.diagnostics == [])
        #expect(
            out.metrics == [
                Metric(name: "prometheus", tags: [MetricFormats.Tag("a", "x\\y\"z\n"), MetricFormats.Tag("c", "ü{},=")], fields: [Field("m", .float(2))], timestamp: 1_000_000_000)
            ])
    }

    @Test func commentsBlankLinesAndOpenMetricsEOF() {
        let out = Self.parse(
            """
            # a comment
            #no space comment

            #\tTYPE x gauge
            x 1
            x{y="z"} 2 # {trace_id="abc"} 1
            x{y="w"} 3 1000 # {trace_id="def"} 1
            # EOF

            """, version: 1)
        #expect(out.diagnostics.map(\.description) == ["6: note: 2 exemplars skipped (first here): the metric model and Prometheus text 0.0.4 have no place for them"])
        // After an exemplar the input is OpenMetrics: its timestamp is in seconds.
        #expect(out.metrics.map { Self.line($0) } == ["x gauge=1", "x,y=z gauge=2", "x,y=w gauge=3 1000000000000"])
    }

    @Test func interleavedSeriesOfOneFamilyAreGrouped() {
        let out = Self.parse(
            """
            # TYPE rpc summary
            rpc{svc="a",quantile="0.5"} 1
            rpc{svc="b",quantile="0.5"} 2
            rpc{svc="a",quantile="0.9"} 3
            rpc_sum{svc="b"} 20
            rpc_count{svc="b"} 2.9
            rpc_sum{svc="a"} 10
            rpc_count{svc="a"} 1
            rpc{svc="a",quantile="0.99"} NaN
            # TYPE next counter
            next 1

            """, version: 1)
        #expect(out.diagnostics == [])
        // Counts are integers in Prometheus' model (the fraction is cut); NaN quantiles are dropped in v1.
        #expect(
            out.metrics.map { Self.line($0, sortFields: false) } == [
                "rpc,svc=a 0.5=1,0.9=3,count=1,sum=10",
                "rpc,svc=b 0.5=2,count=2,sum=20",
                "next counter=1",
            ])
    }

    @Test func histogramWithoutInfBucketGetsOneInVersion2Only() {
        let input = """
            # TYPE h histogram
            h_bucket{le="0.5"} 3
            h_count 7
            h_sum 1.25

            """
        #expect(
            Self.parse(input, version: 2).metrics.map { Self.line($0, sortFields: false) } == [
                "prometheus h_count=7,h_sum=1.25", "prometheus,le=0.5 h_bucket=3", "prometheus,le=+Inf h_bucket=7",
            ])
        #expect(Self.parse(input, version: 1).metrics.map { Self.line($0, sortFields: false) } == ["h 0.5=3,count=7,sum=1.25"])
    }

    @Test func samplesOfOtherFamiliesEndAHeldFamily() {
        // A sample whose name does not belong to the declared histogram is its own untyped family.
        let out = Self.parse(
            """
            # TYPE h histogram
            h_bucket{le="+Inf"} 1
            other 5
            h_count 1

            """, version: 1)
        #expect(out.diagnostics == [])
        #expect(out.metrics.map { Self.line($0, sortFields: false) } == ["h +Inf=1,count=0,sum=0", "other value=5", "h count=1,sum=0"])
    }

    @Test func typeLinesAheadOfTheirSamplesStillApply() {
        let out = Self.parse(
            """
            # TYPE a counter
            # TYPE h histogram
            # TYPE g gauge
            a 1
            h_bucket{le="+Inf"} 2
            h_count 2
            g 3
            h 4

            """, version: 1)
        #expect(out.diagnostics.map(\.description) == ["8:1: histogram 'h' has no sample without _bucket, _sum or _count"])
        #expect(out.metrics.map { Self.line($0, sortFields: false) } == ["a counter=1", "h +Inf=2,count=2,sum=0", "g gauge=3"])
    }

    @Test func heldSamplesAreBounded() {
        var input = "# TYPE h histogram\n"
        for i in 0..<5 { input += "h_bucket{le=\"\(i)\"} \(i)\n" }
        let out = Self.parse(input, version: 1, maxHeld: 3)
        #expect(out.diagnostics.map(\.description) == ["5: warning: histogram 'h' has more than 3 samples: written in parts"])
        #expect(out.metrics.map { Self.line($0, sortFields: false) } == ["h 0=0,1=1,2=2,count=0,sum=0", "h 3=3,4=4,count=0,sum=0"])
    }

    @Test func unknownMetricVersionIsAnOptionError() {
        var options = FormatOptions()
        options.prometheus.metricVersion = 3
        #expect(throws: FormatError.invalidOption("--prometheus-metric-version", "must be 1 or 2, not 3")) {
            _ = try PrometheusParser(options: options)
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("m{}=\",\\ \t#e+-.0123456789_aInfNa\nTYPEHELP histogram summary le quantile\r".utf8) + [0, 0xFF, 0xC3]
        for _ in 0..<300 {
            let count = Int.random(in: 0..<120, using: &rng)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &rng)! }
            var parser = try! PrometheusParser(options: FormatOptions())
            let collector = MetricCollector()
            parser.parse(text: bytes, into: collector)
            for d in collector.diagnostics { #expect(d.line != nil) }
        }
    }

    @Test func roundTripThroughTheSerializer() {
        // Version 2 metrics carry the histogram/summary shape the serializer recognises.
        let out = Self.parse(Self.histogram + Self.summary, version: 2)
        var options = FormatOptions()
        options.prometheus.compactEncoding = false
        var serializer = try! PrometheusSerializer(options: options)
        let text = serializer.render(out.metrics)
        #expect(
            text == """
                # HELP apiserver_request_latencies Telegraf collected metric
                # TYPE apiserver_request_latencies histogram
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="125000"} 1994
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="250000"} 1997
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="500000"} 2000
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="1e+06"} 2005
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="2e+06"} 2012
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="4e+06"} 2017
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="8e+06"} 2024
                apiserver_request_latencies_bucket{resource="bindings",verb="POST",le="+Inf"} 2025
                apiserver_request_latencies_sum{resource="bindings",verb="POST"} 1.02726334e+08
                apiserver_request_latencies_count{resource="bindings",verb="POST"} 2025
                # HELP http_request_duration_microseconds Telegraf collected metric
                # TYPE http_request_duration_microseconds summary
                http_request_duration_microseconds{handler="prometheus",quantile="0.5"} 552048.506
                http_request_duration_microseconds{handler="prometheus",quantile="0.9"} 5.876804288e+06
                http_request_duration_microseconds{handler="prometheus",quantile="0.99"} 5.876804288e+06
                http_request_duration_microseconds_sum{handler="prometheus"} 1.8909097205e+07
                http_request_duration_microseconds_count{handler="prometheus"} 9

                """)
    }

    /// A `# TYPE` line gives every metric of its family Telegraf's value type, in both versions.
    @Test(arguments: [1, 2])
    func typeLinesGiveTheValueType(version: Int) {
        let input = """
            # TYPE c_total counter
            c_total{a="1"} 1
            # TYPE g gauge
            g 2
            u 3
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3
            h_count 2
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 2
            s_count 3
            """
        let out = Self.parse(input, version: version)
        #expect(out.errors.isEmpty)
        var types: [String: Set<MetricValueType>] = [:]
        for m in out.metrics {
            // Version 1 names the metric after the family; version 2 names the fields after it.
            var family = version == 1 ? m.name : m.fields[0].key
            for suffix in ["_bucket", "_count", "_sum"] where version == 2 && family.hasSuffix(suffix) && family != "c_total" {
                family = String(family.dropLast(suffix.count))
            }
            types[family, default: []].insert(m.valueType)
        }
        #expect(types == ["c_total": [.counter], "g": [.gauge], "u": [.untyped], "h": [.histogram], "s": [.summary]])
    }

    static let openMetrics = """
        # HELP jobs Jobs done.
        # TYPE jobs counter
        # UNIT jobs jobs
        jobs_total{q="a"} 3 1520879607.789
        jobs_created{q="a"} 1520870000.5
        # TYPE b info
        b_info{v="1.2"} 1
        # TYPE door stateset
        door{door="open"} 1
        # TYPE qs gaugehistogram
        qs_bucket{le="1.0"} 2
        qs_bucket{le="+Inf"} 5
        qs_gcount 5
        qs_gsum 12.5
        # TYPE m unknown
        m 7
        # EOF

        """

    @Test(arguments: [1, 2])
    func openMetricsFamiliesAreReadAsPrometheusStoresThem(version: Int) {
        let out = Self.parse(Self.openMetrics, version: version)
        #expect(out.errors.isEmpty, "\(out.diagnostics)")
        let lines = out.metrics.map { Self.line($0, sortFields: false) + " " + $0.valueType.rawValue }
        if version == 1 {
            #expect(
                lines == [
                    "jobs_total,q=a counter=3 1520879607789000000 counter", "jobs_created,q=a gauge=1520870000.5 gauge",
                    "b_info,v=1.2 gauge=1 gauge", "door,door=open gauge=1 gauge",
                    "qs 1=2,+Inf=5,count=5,sum=12.5 histogram", "m value=7 untyped",
                ])
        } else {
            #expect(
                lines == [
                    "prometheus,q=a jobs_total=3 1520879607789000000 counter", "prometheus,q=a jobs_created=1520870000.5 gauge",
                    "prometheus,v=1.2 b_info=1 gauge", "prometheus,door=open door=1 gauge",
                    "prometheus qs_count=5,qs_sum=12.5 histogram", "prometheus,le=1 qs_bucket=2 histogram", "prometheus,le=+Inf qs_bucket=5 histogram",
                    "prometheus m=7 untyped",
                ])
        }
        #expect(
            out.diagnostics.map(\.description) == [
                "10: note: gauge histogram 'qs' read as a histogram (_gcount and _gsum as its count and sum): Prometheus text 0.0.4 has no gauge histogram"
            ])
    }

    @Test func timestampsWithAFractionAreOpenMetricsSeconds() {
        let out = Self.parse("a 1 1520879607.123456789123\nb 1 1520879607\nc 1 1.5e9\nd 1 99999999999.5\n")
        #expect(out.metrics.map { Self.line($0) } == ["prometheus a=1 1520879607123456789", "prometheus b=1 1520879607000000000"])
        #expect(
            out.diagnostics.map(\.description) == [
                "3:5: invalid timestamp (milliseconds as a whole number, or OpenMetrics seconds with a fraction)",
                "4:5: invalid timestamp (milliseconds as a whole number, or OpenMetrics seconds with a fraction)",
            ])
    }

    @Test func theTypeTagNamesTypedFamiliesOnly() {
        var options = FormatOptions()
        options.prometheus.typeTag = true
        var parser = try! PrometheusParser(options: options)
        let out = MetricCollector()
        parser.parse(text: Array("# TYPE c counter\nc{metric_type=\"x\",z=\"1\"} 1\nu 2\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n".utf8), into: out)
        #expect(out.errors.isEmpty)
        #expect(
            out.metrics.map { Self.line($0, sortFields: false) } == [
                "prometheus,metric_type=counter,z=1 c=1", "prometheus u=2",
                "prometheus,metric_type=histogram h_count=1,h_sum=1", "prometheus,le=1,metric_type=histogram h_bucket=1",
                "prometheus,le=+Inf,metric_type=histogram h_bucket=1",
            ])
    }

    @Test func passThroughKeepsHelpUpToItsLimit() {
        var options = FormatOptions()
        let table = PrometheusPassThrough()
        table.maxHelpTexts = 1
        options.prometheus.passThrough = table
        var parser = try! PrometheusParser(options: options)
        let out = MetricCollector()
        parser.parse(text: Array("# HELP a First \\\\ \\n \\\" text.\n# TYPE a counter\na_total 1\n# HELP b Second.\nb 2\n# HELP c Third.\n".utf8), into: out)
        #expect(out.diagnostics.map(\.description) == ["4: warning: more than 1 HELP texts or 16777216 bytes of them: this family and later ones get the default text"])
        #expect(table.help(for: "a") == "First \\ \n \" text.")
        #expect(table.help(for: "a_total") == nil)  // the table was full
        #expect(table.help(for: "b") == nil)
        var serializer = try! PrometheusSerializer(options: options)
        let text = serializer.render(out.metrics)
        #expect(text == "# HELP a_total Telegraf collected metric\n# TYPE a_total counter\na_total 1\n# HELP b Telegraf collected metric\n# TYPE b untyped\nb 2\n")
        table.maxHelpTexts = 10
        var again = try! PrometheusParser(options: options)
        again.parse(text: Array("# HELP a First \\\\ \\n \\\" text.\n# TYPE a counter\na_total 1\n".utf8), into: MetricCollector())
        var writer = try! PrometheusSerializer(options: options)
        #expect(writer.render(Array(out.metrics.prefix(1))) == "# HELP a_total First \\\\ \\n \" text.\n# TYPE a_total counter\na_total 1\n")
    }

    @Test func wholeTimestampsAreSecondsOnceTheInputShowsOpenMetrics() {
        let out = Self.parse(
            """
            a 1 1520879607
            # TYPE jobs counter
            jobs_total 3 1520879607
            b 2 1520879607
            c 3 1520879607000
            # EOF

            """)
        #expect(out.diagnostics == [])
        #expect(
            out.metrics.map { Self.line($0) } == [
                "prometheus a=1 1520879607000000", "prometheus jobs_total=3 1520879607000000000",
                "prometheus b=2 1520879607000000000", "prometheus c=3 1520879607000000000",
            ])
        for marker in ["# UNIT m seconds", "# TYPE m info", "# TYPE m unknown", "m 1 # {t=\"x\"} 1", "m 1 1.5"] {
            let seen = Self.parse(marker + "\nz 1 1520879607\n")
            #expect(seen.metrics.last.map { Self.line($0) } == "prometheus z=1 1520879607000000000", "\(marker)")
        }
    }

    @Test func passThroughHelpIsBoundedInBytes() {
        let table = PrometheusPassThrough()
        table.maxHelpBytes = 10
        #expect(table.setHelp("12345", for: "abc"))  // 8 bytes
        #expect(table.setHelp("1234567", for: "abc"))  // replaced: 10 bytes
        #expect(!table.setHelp("1", for: "d"))  // 12 bytes
        #expect(table.setHelp("1", for: "abc"))  // 4 bytes
        #expect(table.setHelp("12345", for: "d"))  // 10 bytes
        #expect(table.help(for: "abc") == "1")
        #expect(table.help(for: "d") == "12345")
    }
}
