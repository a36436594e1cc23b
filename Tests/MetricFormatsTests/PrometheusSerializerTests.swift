import Testing

@testable import MetricFormats

/// Telegraf's prometheus serializer vectors (plugins/serializers/prometheus/prometheus_test.go,
/// collection_test.go), with Telegraf's value type carried as the metric's `valueType`, the
/// `metric_type` tag or the histogram/summary shape. Telegraf's tests sort (`SortMetrics`), so these do too.
@Suite struct PrometheusSerializerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var metrics: [Metric]
        var expected: String
        var configure: @Sendable (inout PrometheusOptions) -> Void = { _ in }
        var testDescription: String { name }
    }

    static func m(_ name: String, _ tags: [(String, String)] = [], _ fields: [(String, FieldValue)], _ seconds: Int64 = 0) -> Metric {
        Metric(name: name, tags: tags.map { Tag($0.0, $0.1) }, fields: fields.map { Field($0.0, $0.1) }, timestamp: seconds * 1_000_000_000)
    }

    /// The output, and what was reported; `samplesOnly` leaves out the `#` lines.
    static func render(_ metrics: [Metric], sort: Bool = true, samplesOnly: Bool = false, configure: (inout PrometheusOptions) -> Void = { _ in }) -> (String, [Diagnostic]) {
        var options = FormatOptions()
        options.prometheus.sortMetrics = sort
        configure(&options.prometheus)
        var serializer = try! PrometheusSerializer(options: options)
        var diagnostics: [Diagnostic] = []
        var text = serializer.render(metrics, now: 1_700_000_000_000_000_000) { diagnostics.append($0) }
        if samplesOnly {
            text = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0 + "\n" }.joined()
        }
        return (text, diagnostics)
    }

    static let help = "Telegraf collected metric"

    static let cases: [Case] = [
        // TestSerialize
        Case(
            name: "simple", metrics: [m("cpu", [("host", "example.org")], [("time_idle", .float(42))])],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host="example.org"} 42

                """),
        Case(
            name: "prometheus input untyped", metrics: [m("prometheus", [("code", "400"), ("method", "post")], [("http_requests_total", .float(3))])],
            expected: """
                # HELP http_requests_total \(help)
                # TYPE http_requests_total untyped
                http_requests_total{code="400",method="post"} 3

                """),
        Case(
            name: "prometheus input counter", metrics: [m("prometheus", [("code", "400"), ("metric_type", "counter"), ("method", "post")], [("http_requests_total", .float(3))])],
            expected: """
                # HELP http_requests_total \(help)
                # TYPE http_requests_total counter
                http_requests_total{code="400",method="post"} 3

                """),
        Case(
            name: "prometheus input gauge", metrics: [m("prometheus", [("code", "400"), ("metric_type", "gauge"), ("method", "post")], [("http_requests_total", .float(3))])],
            expected: """
                # HELP http_requests_total \(help)
                # TYPE http_requests_total gauge
                http_requests_total{code="400",method="post"} 3

                """),
        Case(
            name: "prometheus input histogram no buckets",
            metrics: [
                m("prometheus", [("metric_type", "histogram")], [("http_request_duration_seconds_sum", .int(53423)), ("http_request_duration_seconds_count", .int(144320))])
            ],
            expected: """
                # HELP http_request_duration_seconds \(help)
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                http_request_duration_seconds_sum 53423
                http_request_duration_seconds_count 144320

                """),
        Case(
            name: "prometheus input histogram only bucket", metrics: [m("prometheus", [("le", "0.5")], [("http_request_duration_seconds_bucket", .float(129389))])],
            expected: """
                # HELP http_request_duration_seconds \(help)
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.5"} 129389
                http_request_duration_seconds_bucket{le="+Inf"} 0
                http_request_duration_seconds_sum 0
                http_request_duration_seconds_count 0

                """),
        Case(
            name: "simple with timestamp", metrics: [m("cpu", [("host", "example.org")], [("time_idle", .float(42))], 1_574_279_268)],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host="example.org"} 42 1574279268000

                """, configure: { $0.exportTimestamp = true }),
        // TestSerializeBatch
        Case(
            name: "batch simple",
            metrics: [
                m("cpu", [("host", "one.example.org")], [("time_idle", .float(42))]),
                m("cpu", [("host", "two.example.org")], [("time_idle", .float(42))]),
            ],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host="one.example.org"} 42
                cpu_time_idle{host="two.example.org"} 42

                """),
        Case(
            name: "multiple metric families", metrics: [m("cpu", [("host", "one.example.org")], [("time_idle", .float(42)), ("time_guest", .float(42))])],
            expected: """
                # HELP cpu_time_guest \(help)
                # TYPE cpu_time_guest untyped
                cpu_time_guest{host="one.example.org"} 42
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host="one.example.org"} 42

                """),
        Case(
            name: "histogram",
            metrics: [
                m("prometheus", [], [("http_request_duration_seconds_sum", .int(53423)), ("http_request_duration_seconds_count", .int(144320))]),
                m("prometheus", [("le", "0.05")], [("http_request_duration_seconds_bucket", .float(24054))]),
                m("prometheus", [("le", "0.1")], [("http_request_duration_seconds_bucket", .float(33444))]),
                m("prometheus", [("le", "0.2")], [("http_request_duration_seconds_bucket", .float(100392))]),
                m("prometheus", [("le", "0.5")], [("http_request_duration_seconds_bucket", .float(129389))]),
                m("prometheus", [("le", "1.0")], [("http_request_duration_seconds_bucket", .float(133988))]),
                m("prometheus", [("le", "+Inf")], [("http_request_duration_seconds_bucket", .float(144320))]),
            ],
            expected: """
                # HELP http_request_duration_seconds \(help)
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 24054
                http_request_duration_seconds_bucket{le="0.1"} 33444
                http_request_duration_seconds_bucket{le="0.2"} 100392
                http_request_duration_seconds_bucket{le="0.5"} 129389
                http_request_duration_seconds_bucket{le="1"} 133988
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                http_request_duration_seconds_sum 53423
                http_request_duration_seconds_count 144320

                """),
        Case(
            name: "summary",
            metrics: [
                m("prometheus", [], [("rpc_duration_seconds_sum", .float(1.7560473e+07)), ("rpc_duration_seconds_count", .int(2693))]),
                m("prometheus", [("quantile", "0.01")], [("rpc_duration_seconds", .float(3102))]),
                m("prometheus", [("quantile", "0.05")], [("rpc_duration_seconds", .float(3272))]),
                m("prometheus", [("quantile", "0.5")], [("rpc_duration_seconds", .float(4773))]),
                m("prometheus", [("quantile", "0.9")], [("rpc_duration_seconds", .float(9001))]),
                m("prometheus", [("quantile", "0.99")], [("rpc_duration_seconds", .float(76656))]),
            ],
            expected: """
                # HELP rpc_duration_seconds \(help)
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds{quantile="0.01"} 3102
                rpc_duration_seconds{quantile="0.05"} 3272
                rpc_duration_seconds{quantile="0.5"} 4773
                rpc_duration_seconds{quantile="0.9"} 9001
                rpc_duration_seconds{quantile="0.99"} 76656
                rpc_duration_seconds_sum 1.7560473e+07
                rpc_duration_seconds_count 2693

                """),
        Case(
            name: "newer sample",
            metrics: [
                m("cpu", [], [("time_idle", .float(43))], 1),
                m("cpu", [], [("time_idle", .float(42))], 0),
            ],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle 43

                """),
        Case(
            name: "colons are not replaced in metric name from measurement", metrics: [m("cpu::xyzzy", [], [("time_idle", .float(42))])],
            expected: """
                # HELP cpu::xyzzy_time_idle \(help)
                # TYPE cpu::xyzzy_time_idle untyped
                cpu::xyzzy_time_idle 42

                """),
        Case(
            name: "colons are not replaced in metric name from field", metrics: [m("cpu", [], [("time:idle", .float(42))])],
            expected: """
                # HELP cpu_time:idle \(help)
                # TYPE cpu_time:idle untyped
                cpu_time:idle 42

                """),
        Case(
            name: "invalid label", metrics: [m("cpu", [("host-name", "example.org")], [("time_idle", .float(42))])],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host_name="example.org"} 42

                """),
        Case(
            name: "colons are replaced in label name", metrics: [m("cpu", [("host:name", "example.org")], [("time_idle", .float(42))])],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host_name="example.org"} 42

                """),
        Case(
            name: "discard strings", metrics: [m("cpu", [], [("time_idle", .float(42)), ("cpu", .string("cpu0"))])],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle 42

                """),
        Case(
            name: "string as label", metrics: [m("cpu", [], [("time_idle", .float(42)), ("cpu", .string("cpu0"))])],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{cpu="cpu0"} 42

                """, configure: { $0.stringAsLabel = true }),
        Case(
            name: "string as label duplicate tag", metrics: [m("cpu", [("cpu", "cpu0")], [("time_idle", .float(42)), ("cpu", .string("cpu1"))])],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{cpu="cpu0"} 42

                """, configure: { $0.stringAsLabel = true }),
        Case(
            name: "replace characters when using string as label", metrics: [m("cpu", [], [("host:name", .string("example.org")), ("time_idle", .float(42))], 1_574_279_268)],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle{host_name="example.org"} 42

                """, configure: { $0.stringAsLabel = true }),
        Case(
            name: "multiple fields grouping",
            metrics: [
                m("cpu", [("cpu", "cpu0")], [("time_guest", .float(8106.04)), ("time_system", .float(26271.4)), ("time_user", .float(92904.33))]),
                m("cpu", [("cpu", "cpu1")], [("time_guest", .float(8181.63)), ("time_system", .float(25351.49)), ("time_user", .float(96912.57))]),
                m("cpu", [("cpu", "cpu2")], [("time_guest", .float(7470.04)), ("time_system", .float(24998.43)), ("time_user", .float(96034.08))]),
                m("cpu", [("cpu", "cpu3")], [("time_guest", .float(7517.95)), ("time_system", .float(24970.82)), ("time_user", .int(94148))]),
            ],
            expected: """
                # HELP cpu_time_guest \(help)
                # TYPE cpu_time_guest untyped
                cpu_time_guest{cpu="cpu0"} 8106.04
                cpu_time_guest{cpu="cpu1"} 8181.63
                cpu_time_guest{cpu="cpu2"} 7470.04
                cpu_time_guest{cpu="cpu3"} 7517.95
                # HELP cpu_time_system \(help)
                # TYPE cpu_time_system untyped
                cpu_time_system{cpu="cpu0"} 26271.4
                cpu_time_system{cpu="cpu1"} 25351.49
                cpu_time_system{cpu="cpu2"} 24998.43
                cpu_time_system{cpu="cpu3"} 24970.82
                # HELP cpu_time_user \(help)
                # TYPE cpu_time_user untyped
                cpu_time_user{cpu="cpu0"} 92904.33
                cpu_time_user{cpu="cpu1"} 96912.57
                cpu_time_user{cpu="cpu2"} 96034.08
                cpu_time_user{cpu="cpu3"} 94148

                """),
        Case(
            name: "summary with no quantile",
            metrics: [m("prometheus", [("metric_type", "summary")], [("rpc_duration_seconds_sum", .float(1.7560473e+07)), ("rpc_duration_seconds_count", .int(2693))])],
            expected: """
                # HELP rpc_duration_seconds \(help)
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds_sum 1.7560473e+07
                rpc_duration_seconds_count 2693

                """),
        // collection_test.go: later buckets and quantiles of a series replace earlier ones.
        Case(
            name: "histogram bucket updates",
            metrics: [
                m("prometheus", [("metric_type", "histogram")], [("http_request_duration_seconds_sum", .float(10)), ("http_request_duration_seconds_count", .int(2))]),
                m("prometheus", [("le", "0.05")], [("http_request_duration_seconds_bucket", .float(1))]),
                m("prometheus", [("le", "+Inf")], [("http_request_duration_seconds_bucket", .float(1))]),
                m("prometheus", [("metric_type", "histogram")], [("http_request_duration_seconds_sum", .float(20)), ("http_request_duration_seconds_count", .int(4))]),
                m("prometheus", [("le", "0.05")], [("http_request_duration_seconds_bucket", .float(2))]),
                m("prometheus", [("le", "+Inf")], [("http_request_duration_seconds_bucket", .float(2))]),
            ],
            expected: """
                # HELP http_request_duration_seconds \(help)
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 2
                http_request_duration_seconds_bucket{le="+Inf"} 2
                http_request_duration_seconds_sum 20
                http_request_duration_seconds_count 4

                """),
        Case(
            name: "summary quantile updates",
            metrics: [
                m("prometheus", [("metric_type", "summary")], [("rpc_duration_seconds_sum", .float(1)), ("rpc_duration_seconds_count", .int(1))]),
                m("prometheus", [("quantile", "0.01")], [("rpc_duration_seconds", .float(1))]),
                m("prometheus", [("metric_type", "summary")], [("rpc_duration_seconds_sum", .float(2)), ("rpc_duration_seconds_count", .int(2))]),
                m("prometheus", [("quantile", "0.01")], [("rpc_duration_seconds", .float(2))]),
            ],
            expected: """
                # HELP rpc_duration_seconds \(help)
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds{quantile="0.01"} 2
                rpc_duration_seconds_sum 2
                rpc_duration_seconds_count 2

                """),
        Case(
            name: "update descending order keeps the newer sample",
            metrics: [
                m("cpu", [], [("time_idle", .float(42))], 12),
                m("cpu", [], [("time_idle", .float(43))], 0),
            ],
            expected: """
                # HELP cpu_time_idle \(help)
                # TYPE cpu_time_idle untyped
                cpu_time_idle 42

                """),
        Case(
            name: "export timestamps of a histogram",
            metrics: [
                m("prometheus", [("metric_type", "histogram")], [("http_request_duration_seconds_sum", .float(10)), ("http_request_duration_seconds_count", .int(2))], 15),
                m("prometheus", [("le", "0.05")], [("http_request_duration_seconds_bucket", .float(1))], 15),
                m("prometheus", [("le", "+Inf")], [("http_request_duration_seconds_bucket", .float(1))], 15),
            ],
            expected: """
                # HELP http_request_duration_seconds \(help)
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 1 15000
                http_request_duration_seconds_bucket{le="+Inf"} 1 15000
                http_request_duration_seconds_sum 10 15000
                http_request_duration_seconds_count 2 15000

                """, configure: { $0.exportTimestamp = true }),
        // README example (the type there is counter because Telegraf's cpu input says so).
        Case(
            name: "readme cpu example",
            metrics: [
                m("cpu", [("cpu", "cpu0"), ("metric_type", "counter")], [("time_guest", .float(8022.6)), ("time_system", .float(26145.98))]),
                m("cpu", [("cpu", "cpu1"), ("metric_type", "counter")], [("time_guest", .float(8097.88)), ("time_system", .float(25223.35))]),
            ],
            expected: """
                # HELP cpu_time_guest \(help)
                # TYPE cpu_time_guest counter
                cpu_time_guest{cpu="cpu0"} 8022.6
                cpu_time_guest{cpu="cpu1"} 8097.88
                # HELP cpu_time_system \(help)
                # TYPE cpu_time_system counter
                cpu_time_system{cpu="cpu0"} 26145.98
                cpu_time_system{cpu="cpu1"} 25223.35

                """),
    ]

    @Test(arguments: cases)
    func telegrafVector(_ c: Case) {
        let (text, _) = Self.render(c.metrics, configure: c.configure)
        #expect(text == c.expected)
    }

    @Test func stringFieldsAreReportedOnceAndSkipped() {
        let (text, diagnostics) = Self.render([
            Self.m("cpu", [], [("time_idle", .float(42)), ("cpu", .string("cpu0"))]),
            Self.m("cpu", [], [("time_idle", .float(43)), ("cpu", .string("cpu1"))], 1),
        ])
        #expect(text.hasSuffix("cpu_time_idle 43\n"))
        #expect(diagnostics == [.error(.field("cpu"), "string field 'cpu' skipped: Prometheus samples are numbers (--prometheus-string-as-label makes string fields labels)")])
    }

    @Test func sanitizedNamesWarnOncePerName() {
        let (text, diagnostics) = Self.render([
            Self.m("http-server", [("host name", "a")], [("requests/s", .int(1))]),
            Self.m("http-server", [("host name", "b")], [("requests/s", .int(2))]),
            Self.m("1st", [], [("ünits", .int(3))]),
            Self.m("!!!", [("???", "x")], [("!!!", .int(4))]),
        ])
        #expect(
            text == """
                # HELP http_server_requests_s \(Self.help)
                # TYPE http_server_requests_s untyped
                http_server_requests_s{host_name="a"} 1
                http_server_requests_s{host_name="b"} 2
                # HELP st__nits \(Self.help)
                # TYPE st__nits untyped
                st__nits 3

                """)
        #expect(
            diagnostics.map(\.description) == [
                "warning: label name 'host name' written as 'host_name'",
                "warning: metric name 'http-server_requests/s' written as 'http_server_requests_s'",
                "warning: metric name '1st_ünits' written as 'st__nits'",
                "warning: label name '???' has no character a Prometheus label name can carry: label dropped",
                "metric name '!!!_!!!' has no character a Prometheus metric name can carry: field skipped",
            ])
    }

    @Test func metricTypeGlobsOverrideTheType() {
        let (text, _) = Self.render(
            [
                Self.m("http", [("metric_type", "gauge")], [("requests_total", .int(5)), ("in_flight", .int(2)), ("errors_total", .int(1))]),
                Self.m("prometheus", [("le", "+Inf")], [("lat_total_bucket", .int(3))]),
            ],
            configure: {
                $0.compactEncoding = true
                $0.metricTypesCounter = ["*_total"]
                $0.metricTypesGauge = ["http_errors_*", "http_in_fl?ght"]
            })
        #expect(
            text == """
                # TYPE http_errors_total gauge
                http_errors_total 1
                # TYPE http_in_flight gauge
                http_in_flight 2
                # TYPE http_requests_total counter
                http_requests_total 5
                # TYPE lat_total histogram
                lat_total_bucket{le="+Inf"} 3
                lat_total_sum 0
                lat_total_count 0

                """)
    }

    @Test func floatParsingFollowsGo() {
        let cases: [(String, Double?)] = [
            ("0", 0), ("-0", -0.0), ("+7", 7), ("123456789012345", 123_456_789_012_345), ("1234567890123456789", 1_234_567_890_123_456_768),
            ("1.5", 1.5), ("-.5", -0.5), ("5.", 5), ("1e3", 1000), ("1E-3", 0.001), ("+Inf", .infinity), ("-inf", -.infinity),
            ("Infinity", .infinity), ("", nil), ("-", nil), (".", nil), ("1e", nil), ("1e+", nil), ("0x1p3", nil), ("1_000", nil),
            ("1e400", nil), ("nan(1)", nil), ("+NaN", nil), ("12a", nil),
        ]
        for (text, expected) in cases {
            let v = PrometheusText.parseFloat(text)
            #expect(v == expected && v?.sign == expected?.sign, "\(text)")
        }
        #expect(PrometheusText.parseFloat("NaN")?.isNaN == true)
        #expect(PrometheusText.parseFloat("nan")?.isNaN == true)
    }

    @Test func globs() {
        let cases: [(String, String, Bool)] = [
            ("*_total", "http_requests_total", true), ("*_total", "http_requests", false), ("cpu", "cpu", true),
            ("cpu", "cpu2", false), ("c?u*", "cpu_idle", true), ("*", "", true), ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false), ("**x", "yx", true), ("?", "", false),
        ]
        for (pattern, name, expected) in cases {
            #expect((try! Glob(pattern, flag: "--x")).matches(name) == expected, "\(pattern) ~ \(name)")
        }
    }

    @Test func compactEncodingDropsHelpButKeepsType() {
        let (text, _) = Self.render([Self.m("m", [("metric_type", "gauge")], [("v", .int(1))])], configure: { $0.compactEncoding = true })
        #expect(text == "# TYPE m_v gauge\nm_v 1\n")
    }

    @Test func sanitizedLabelNamesDoNotClash() {
        let (text, diagnostics) = Self.render([Self.m("m", [("host-name", "a"), ("host_name", "b")], [("v", .int(1))])], samplesOnly: true)
        #expect(text == "m_v{host_name=\"b\"} 1\n")
        #expect(
            diagnostics.map(\.description) == [
                "warning: label name 'host-name' written as 'host_name'",
                "warning: label name 'host-name' would be written as 'host_name', which another label has: label dropped",
            ])
    }

    @Test func labelValuesAreEscaped() {
        let (text, _) = Self.render([Self.m("m", [("path", "C:\\dir \"x\"\nnext")], [("v", .int(1))])], samplesOnly: true)
        #expect(text == "m_v{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n")
    }

    @Test func valuesUseGoShortestGFormat() {
        let values: [(FieldValue, String)] = [
            (.float(42), "42"), (.float(-1), "-1"), (.float(0), "0"), (.float(144320), "144320"),
            (.float(999999), "999999"), (.float(1e6), "1e+06"), (.float(1_234_567), "1.234567e+06"),
            (.float(1.7560473e+07), "1.7560473e+07"), (.float(0.0001), "0.0001"), (.float(0.00001), "1e-05"),
            (.float(1.5e-7), "1.5e-07"), (.float(123.456), "123.456"), (.float(1e100), "1e+100"),
            (.float(-2.5e-300), "-2.5e-300"), (.float(.nan), "NaN"), (.float(.infinity), "+Inf"),
            (.float(-.infinity), "-Inf"), (.int(-7), "-7"), (.uint(18_446_744_073_709_551_615), "1.8446744073709552e+19"),
            (.bool(true), "1"), (.bool(false), "0"),
        ]
        for (value, text) in values {
            let (out, _) = Self.render([Self.m("m", [], [("v", value)])], samplesOnly: true)
            #expect(out == "m_v \(text)\n", "\(value)")
        }
    }

    @Test func metricTypeTagChoosesTheTypeAndIsNoLabel() {
        let types: [(String, String)] = [("counter", "counter"), ("gauge", "gauge"), ("timing", "untyped"), ("set", "untyped"), ("histogram", "untyped")]
        for (tag, type) in types {
            let (out, _) = Self.render([Self.m("req", [("metric_type", tag), ("host", "a")], [("value", .int(1))])])
            #expect(out == "# HELP req_value \(Self.help)\n# TYPE req_value \(type)\nreq_value{host=\"a\"} 1\n", "\(tag)")
        }
    }

    @Test func unsortedOutputKeepsFirstSeenOrder() {
        let (text, _) = Self.render(
            [
                Self.m("z", [("h", "b")], [("v", .int(1))]),
                Self.m("a", [], [("v", .int(2))]),
                Self.m("z", [("h", "a")], [("v", .int(3))]),
            ], sort: false, samplesOnly: true)
        #expect(text == "z_v{h=\"b\"} 1\nz_v{h=\"a\"} 3\na_v 2\n")
        let (sorted, _) = Self.render(
            [
                Self.m("z", [("h", "b")], [("v", .int(1))]),
                Self.m("a", [], [("v", .int(2))]),
                Self.m("z", [("h", "a")], [("v", .int(3))]),
            ], samplesOnly: true)
        #expect(sorted == "a_v 2\nz_v{h=\"a\"} 3\nz_v{h=\"b\"} 1\n")
    }

    @Test func missingTimestampExportsNow() {
        var metric = Self.m("m", [], [("v", .int(1))])
        metric.timestamp = nil
        let (text, _) = Self.render([metric], samplesOnly: true, configure: { $0.exportTimestamp = true })
        #expect(text == "m_v 1 1700000000000\n")
    }

    @Test func histogramFieldsThatFitNoRoleAreReported() {
        let (text, diagnostics) = Self.render(
            [
                Self.m("prometheus", [("le", "1")], [("h_bucket", .float(2)), ("h_other", .float(3)), ("h_sum", .bool(true))]),
                Self.m("prometheus", [("le", "+Inf")], [("h_bucket", .int(-1))]),
            ], samplesOnly: true)
        #expect(text == "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n")
        #expect(
            diagnostics.map(\.description) == [
                "field 'h_other' of histogram metric 'prometheus' skipped: not a bucket (_bucket), sum (_sum) or count (_count)",
                "field 'h_sum' of histogram metric 'prometheus' skipped: a sum must be a number",
                "field 'h_bucket' of histogram metric 'prometheus' skipped: a bucket count must be a non-negative number",
            ])
    }

    @Test func nonNumericLeOrQuantileTagsAreOrdinaryLabels() {
        let (text, diagnostics) = Self.render(
            [
                Self.m("latency", [("quantile", "high")], [("p", .float(1))]),
                Self.m("queue", [("le", "small")], [("size_bucket", .float(2))]),
            ], samplesOnly: true)
        #expect(text == "latency_p{quantile=\"high\"} 1\nqueue_size_bucket{le=\"small\"} 2\n")
        #expect(diagnostics == [])
    }

    @Test func nothingHeldWritesNothing() {
        let (text, _) = Self.render([])
        #expect(text == "")
    }

    @Test func sanitizeFollowsTelegraf() {
        #expect(PrometheusText.sanitizeMetricName("cpu::xyzzy_time_idle") == "cpu::xyzzy_time_idle")
        #expect(PrometheusText.sanitizeMetricName("_x_") == "_x_")  // valid names are kept whole
        #expect(PrometheusText.sanitizeMetricName("-x-") == "x")
        #expect(PrometheusText.sanitizeMetricName("9lives") == "lives")
        #expect(PrometheusText.sanitizeMetricName("") == nil)
        #expect(PrometheusText.sanitizeLabelName("host:name") == "host_name")
        #expect(PrometheusText.sanitizeLabelName("a.b.c") == "a_b_c")
        #expect(PrometheusText.sanitizeLabelName("__") == "__")
        #expect(PrometheusText.sanitizeLabelName("?") == nil)
    }

    /// The metric's value type gives the family's TYPE; StatsD's `metric_type` tag wins over it.
    @Test func valueTypeGivesTheType() {
        var counter = Self.m("requests", [], [("total", .float(5))])
        counter.valueType = .counter
        var gauge = Self.m("temp", [], [("c", .float(21.5))])
        gauge.valueType = .gauge
        var tagged = Self.m("jobs", [("metric_type", "gauge")], [("n", .float(1))])
        tagged.valueType = .counter
        let (text, diagnostics) = Self.render([counter, gauge, tagged])
        #expect(diagnostics.isEmpty)
        #expect(text.contains("# TYPE requests_total counter\n"))
        #expect(text.contains("# TYPE temp_c gauge\n"))
        #expect(text.contains("# TYPE jobs_n gauge\n"))
    }

    /// Bounds are written as Go formats them (Telegraf), except in a pass-through, which keeps the
    /// input's spelling; HELP comes from the pass-through's table when it has the family.
    @Test func passThroughKeepsBoundSpellingAndHelp() {
        let metrics = [
            Metric(name: "prometheus", tags: [Tag("le", "1.0")], fields: [Field("h_bucket", .float(2))], valueType: .histogram),
            Metric(name: "prometheus", fields: [Field("h_count", .float(2)), Field("h_sum", .float(3))], valueType: .histogram),
            Metric(name: "prometheus", tags: [Tag("quantile", "0.50")], fields: [Field("s", .float(1))], valueType: .summary),
        ]
        let (plain, _) = Self.render(metrics, samplesOnly: true)
        #expect(plain == "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\ns{quantile=\"0.5\"} 1\ns_sum 0\ns_count 0\n")
        let table = PrometheusPassThrough()
        table.setHelp("Line one\nback\\slash", for: "h")
        let (kept, _) = Self.render(metrics) { $0.passThrough = table }
        #expect(
            kept == """
                # HELP h Line one\\nback\\\\slash
                # TYPE h histogram
                h_bucket{le="1.0"} 2
                h_bucket{le="+Inf"} 2
                h_sum 3
                h_count 2
                # HELP s \(Self.help)
                # TYPE s summary
                s{quantile="0.50"} 1
                s_sum 0
                s_count 0

                """)
    }
}
