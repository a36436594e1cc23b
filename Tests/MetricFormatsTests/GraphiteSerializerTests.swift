import Testing

@testable import MetricFormats

/// Telegraf's plugins/serializers/graphite/graphite_test.go vectors (their `time.Now()` pinned to
/// 1234567890 s here; Telegraf sorts the lines of a metric, metricat writes fields in metric order).
@Suite struct GraphiteSerializerTests {
    typealias T = MetricFormats.Tag
    static let ts: Int64 = 1_234_567_890_000_000_000
    static let defaultTags = [T("host", "localhost"), T("cpu", "cpu0"), T("datacenter", "us-west-2")]

    static func render(
        _ metrics: [Metric], template: String? = nil, templates: [String] = [], prefix: String = "", tagSupport: Bool = false,
        mode: GraphiteOptions.TagSanitizeMode = .strict, separator: String = ".", regex: String? = nil, now: Int64 = 0
    ) throws -> (String, [String]) {
        var options = FormatOptions()
        options.graphite.template = template
        options.templates = templates
        options.prefix = prefix
        options.graphite.tagSupport = tagSupport
        options.graphite.tagSanitizeMode = mode
        options.graphite.graphiteSeparator = separator
        options.graphite.strictSanitizeRegex = regex
        var s = try GraphiteSerializer(options: options)
        var diagnostics: [String] = []
        let out = s.render(metrics, now: now) { diagnostics.append($0.description) }
        return (out, diagnostics)
    }

    static func m(_ name: String, _ tags: [T], _ fields: [(String, FieldValue)], _ t: Int64? = ts) -> Metric {
        Metric(name: name, tags: tags, fields: fields.map { Field($0.0, $0.1) }, timestamp: t)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var metric: Metric
        var template: String? = nil
        var prefix: String = ""
        var tagSupport = false
        var expected: String
        var testDescription: String { name }
    }

    static let busy: [(String, FieldValue)] = [("usage_idle", .float(91.5)), ("usage_busy", .float(8.5))]
    static let noHost = [T("cpu", "cpu0"), T("datacenter", "us-west-2")]

    static let rows: [Row] = [
        // TestGraphiteTags (buildTags, seen through a "tags" template).
        Row(name: "tags1", metric: m("mymeasurement", [T("host", "192.168.0.1")], [("value", .float(3.14))]), template: "tags", expected: "192_168_0_1 3.14 1234567890\n"),
        Row(
            name: "tags2", metric: m("mymeasurement", [T("host", "192.168.0.1"), T("afoo", "first"), T("bfoo", "second")], [("value", .float(3.14))]), template: "tags",
            expected: "first.second.192_168_0_1 3.14 1234567890\n"),
        Row(
            name: "tags3", metric: m("mymeasurement", [T("afoo", "first"), T("bfoo", "second")], [("value", .float(3.14))]), template: "tags",
            expected: "first.second 3.14 1234567890\n"),
        Row(name: "NoHost", metric: m("cpu", noHost, busy), expected: "cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\ncpu0.us-west-2.cpu.usage_busy 8.5 1234567890\n"),
        Row(
            name: "NoHostWithTagSupport", metric: m("cpu", noHost, busy), tagSupport: true,
            expected: "cpu.usage_idle;cpu=cpu0;datacenter=us-west-2 91.5 1234567890\ncpu.usage_busy;cpu=cpu0;datacenter=us-west-2 8.5 1234567890\n"),
        Row(
            name: "Host", metric: m("cpu", defaultTags, busy),
            expected: "localhost.cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\nlocalhost.cpu0.us-west-2.cpu.usage_busy 8.5 1234567890\n"),
        Row(
            name: "HostWithTagSupport", metric: m("cpu", defaultTags, busy), tagSupport: true,
            expected: "cpu.usage_idle;cpu=cpu0;datacenter=us-west-2;host=localhost 91.5 1234567890\ncpu.usage_busy;cpu=cpu0;datacenter=us-west-2;host=localhost 8.5 1234567890\n"),
        Row(name: "ValueField", metric: m("cpu", defaultTags, [("value", .float(91.5))]), expected: "localhost.cpu0.us-west-2.cpu 91.5 1234567890\n"),
        Row(
            name: "ValueFieldWithTagSupport", metric: m("cpu", defaultTags, [("value", .float(91.5))]), tagSupport: true,
            expected: "cpu;cpu=cpu0;datacenter=us-west-2;host=localhost 91.5 1234567890\n"),
        Row(
            name: "ValueField2", metric: m("cpu", defaultTags, [("value", .float(91.5))]), template: "host.field.tags.measurement",
            expected: "localhost.cpu0.us-west-2.cpu 91.5 1234567890\n"),
        Row(
            name: "ValueBoolean", metric: m("cpu", defaultTags, [("enabled", .bool(true)), ("disabled", .bool(false))]), template: "host.field.tags.measurement",
            expected: "localhost.enabled.cpu0.us-west-2.cpu 1 1234567890\nlocalhost.disabled.cpu0.us-west-2.cpu 0 1234567890\n"),
        Row(
            name: "ValueBooleanWithTagSupport", metric: m("cpu", defaultTags, [("enabled", .bool(true)), ("disabled", .bool(false))]), tagSupport: true,
            expected: "cpu.enabled;cpu=cpu0;datacenter=us-west-2;host=localhost 1 1234567890\ncpu.disabled;cpu=cpu0;datacenter=us-west-2;host=localhost 0 1234567890\n"),
        Row(name: "ValueUnsigned", metric: m("mem", [], [("free", .uint(42))], 0), expected: "mem.free 42 0\n"),
        Row(
            name: "FieldWithSpaces", metric: m("cpu", defaultTags, [(#"field\ with\ spaces"#, .float(91.5))]), template: "host.tags.measurement.field",
            expected: "localhost.cpu0.us-west-2.cpu.field_with_spaces 91.5 1234567890\n"),
        Row(
            name: "FieldWithSpacesWithTagSupport", metric: m("cpu", defaultTags, [(#"field\ with\ spaces"#, .float(91.5))]), tagSupport: true,
            expected: "cpu.field_with_spaces;cpu=cpu0;datacenter=us-west-2;host=localhost 91.5 1234567890\n"),
        Row(
            name: "TagWithSpaces", metric: m("cpu", [T("host", "localhost"), T("cpu", #"cpu\ 0"#), T("datacenter", "us-west-2")], [("field_with_spaces", .float(91.5))]),
            template: "host.tags.measurement.field", expected: "localhost.cpu_0.us-west-2.cpu.field_with_spaces 91.5 1234567890\n"),
        Row(
            name: "TagWithSpacesWithTagSupport",
            metric: m("cpu", [T("host", "localhost"), T("cpu", #"cpu\ 0"#), T("datacenter", "us-west-2")], [("field_with_spaces", .float(91.5))]), tagSupport: true,
            expected: "cpu.field_with_spaces;cpu=cpu_0;datacenter=us-west-2;host=localhost 91.5 1234567890\n"),
        Row(
            name: "ValueField3", metric: m("cpu", defaultTags, [("value", .float(91.5))]), template: "field.host.tags.measurement",
            expected: "localhost.cpu0.us-west-2.cpu 91.5 1234567890\n"),
        Row(
            name: "ValueField5", metric: m("cpu", defaultTags, [("value", .float(91.5))]), template: "host.datacenter.cpu.tags.measurement.field",
            expected: "localhost.us-west-2.cpu0.cpu 91.5 1234567890\n"),
        Row(
            name: "MetricPrefix", metric: m("cpu", defaultTags, busy), prefix: "prefix",
            expected: "prefix.localhost.cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\nprefix.localhost.cpu0.us-west-2.cpu.usage_busy 8.5 1234567890\n"),
        Row(
            name: "MetricPrefixWithTagSupport", metric: m("cpu", defaultTags, busy), prefix: "prefix", tagSupport: true,
            expected:
                "prefix.cpu.usage_idle;cpu=cpu0;datacenter=us-west-2;host=localhost 91.5 1234567890\nprefix.cpu.usage_busy;cpu=cpu0;datacenter=us-west-2;host=localhost 8.5 1234567890\n"
        ),
        // TestSerializeBucketName* and TestTemplate1..6 (the bucket with the field filled in).
        Row(name: "BucketNameNoHost", metric: m("cpu", noHost, [("usage_idle", .float(91.5))]), expected: "cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\n"),
        Row(name: "BucketNameHost", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), expected: "localhost.cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\n"),
        Row(
            name: "BucketNamePrefix", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), prefix: "prefix",
            expected: "prefix.localhost.cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\n"),
        Row(
            name: "Template1", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), template: "tags.measurement.field",
            expected: "cpu0.us-west-2.localhost.cpu.usage_idle 91.5 1234567890\n"),
        Row(
            name: "Template2", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), template: "host.measurement.field",
            expected: "localhost.cpu.usage_idle 91.5 1234567890\n"),
        Row(
            name: "Template3", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), template: "host.tags.field",
            expected: "localhost.cpu0.us-west-2.usage_idle 91.5 1234567890\n"),
        Row(
            name: "Template4", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), template: "host.tags.measurement",
            expected: "localhost.cpu0.us-west-2.cpu 91.5 1234567890\n"),
        Row(
            name: "Template6", metric: m("cpu", defaultTags, [("usage_idle", .float(91.5))]), template: "foo.host.cpu.bar.tags.measurement.field",
            expected: "localhost.cpu0.us-west-2.cpu.usage_idle 91.5 1234567890\n"),
        // TestClean
        Row(name: "Clean base", metric: m("cpu", [T("host", "localhost")], [("usage_busy", .float(8.5))]), expected: "localhost.cpu.usage_busy 8.5 1234567890\n"),
        Row(
            name: "Clean dot and whitespace", metric: m("cpu", [T("host", "localhost"), T("label.dot and space", "value with.dot")], [("usage_busy", .float(8.5))]),
            expected: "localhost.value_with_dot.cpu.usage_busy 8.5 1234567890\n"),
        Row(
            name: "Clean allowed punct", metric: m("cpu", [T("host", "localhost"), T("tag", "-_:=")], [("usage_busy", .float(10))]),
            expected: "localhost.-_:=.cpu.usage_busy 10 1234567890\n"),
        Row(
            name: "Clean hyphen", metric: m("cpu", [T("host", "localhost"), T("tag", "/@*")], [("usage_busy", .float(10))]),
            expected: "localhost.---.cpu.usage_busy 10 1234567890\n"),
        Row(
            name: "Clean drop chars", metric: m("cpu", [T("host", "localhost"), T("tag", #"\no slash"#)], [("usage_busy", .float(10))]),
            expected: "localhost.no_slash.cpu.usage_busy 10 1234567890\n"),
        Row(name: "Clean empty tag & value field", metric: m("cpu", [T("host", "localhost")], [("value", .float(10))]), expected: "localhost.cpu 10 1234567890\n"),
        Row(
            name: "Clean unicode letters", metric: m("cpu", [T("host", "localhost"), T("tag", "μnicodε_letters")], [("value", .float(10))]),
            expected: "localhost.μnicodε_letters.cpu 10 1234567890\n"),
        Row(name: "Clean other unicode", metric: m("cpu", [T("host", "localhost"), T("tag", "“☢”")], [("value", .float(10))]), expected: "localhost.___.cpu 10 1234567890\n"),
        Row(
            name: "Clean newline", metric: m("cpu", [T("host", "localhost"), T("label", "some\nthing\nwith\nnewline")], [("usage_busy", .float(8.5))]),
            expected: "localhost.some_thing_with_newline.cpu.usage_busy 8.5 1234567890\n"),
        // TestCleanWithTagsSupport
        Row(
            name: "Tags base", metric: m("cpu", [T("host", "localhost")], [("usage_busy", .float(8.5))]), tagSupport: true,
            expected: "cpu.usage_busy;host=localhost 8.5 1234567890\n"),
        Row(
            name: "Tags dot and whitespace", metric: m("cpu", [T("host", "localhost"), T("label.dot and space", "value with.dot")], [("usage_busy", .float(8.5))]),
            tagSupport: true, expected: "cpu.usage_busy;host=localhost;label.dot_and_space=value_with.dot 8.5 1234567890\n"),
        Row(
            name: "Tags allowed punct", metric: m("cpu", [T("host", "localhost"), T("tag", "-_:=")], [("usage_busy", .float(10))]), tagSupport: true,
            expected: "cpu.usage_busy;host=localhost;tag=-_:= 10 1234567890\n"),
        Row(
            name: "Tags hyphen", metric: m("cpu", [T("host", "localhost"), T("tag", "/@*")], [("usage_busy", .float(10))]), tagSupport: true,
            expected: "cpu.usage_busy;host=localhost;tag=--- 10 1234567890\n"),
        Row(
            name: "Tags drop chars", metric: m("cpu", [T("host", "localhost"), T("tag", #"\no slash"#)], [("usage_busy", .float(10))]), tagSupport: true,
            expected: "cpu.usage_busy;host=localhost;tag=no_slash 10 1234567890\n"),
        Row(
            name: "Tags empty tag & value field", metric: m("cpu", [T("host", "localhost")], [("value", .float(10))]), tagSupport: true,
            expected: "cpu;host=localhost 10 1234567890\n"),
        Row(
            name: "Tags unicode letters", metric: m("cpu", [T("host", "localhost"), T("tag", "μnicodε_letters")], [("value", .float(10))]), tagSupport: true,
            expected: "cpu;host=localhost;tag=μnicodε_letters 10 1234567890\n"),
        Row(
            name: "Tags other unicode", metric: m("cpu", [T("host", "localhost"), T("tag", "“☢”")], [("value", .float(10))]), tagSupport: true,
            expected: "cpu;host=localhost;tag=___ 10 1234567890\n"),
        Row(
            name: "Tags newline", metric: m("cpu", [T("host", "localhost"), T("label", "some\nthing\nwith\nnewline")], [("usage_busy", .float(8.5))]), tagSupport: true,
            expected: "cpu.usage_busy;host=localhost;label=some_thing_with_newline 8.5 1234567890\n"),
        // README's tag-support example.
        Row(
            name: "README tags",
            metric: m(
                "cpu", [T("cpu", "cpu-total"), T("dc", "us-east-1"), T("host", "tars")], [("usage_idle", .float(98.09)), ("usage_user", .float(0.89))], 1_455_320_660_004_257_758),
            tagSupport: true,
            expected: "cpu.usage_idle;cpu=cpu-total;dc=us-east-1;host=tars 98.09 1455320660\ncpu.usage_user;cpu=cpu-total;dc=us-east-1;host=tars 0.89 1455320660\n"),
        // Numbers: no exponent, ints and uints in full; a tag named "name" becomes "_name".
        Row(
            name: "numbers",
            metric: m(
                "n", [], [("big", .float(1e21)), ("small", .float(1e-7)), ("neg", .int(-9_223_372_036_854_775_808)), ("u", .uint(18_446_744_073_709_551_615))], -1_500_000_000),
            template: "measurement.field", expected: "n.big 1000000000000000000000 -1\nn.small 0.0000001 -1\nn.neg -9223372036854775808 -1\nn.u 18446744073709551615 -1\n"),
        Row(name: "name tag", metric: m("cpu", [T("name", "x")], [("value", .int(1))]), tagSupport: true, expected: "cpu;_name=x 1 1234567890\n"),
        // Strict sanitizing: one pass for "..", so ".\." keeps two dots; invalid UTF-8 byte -> "_".
        // Telegraf writes `a.b..c` and `a..b`; carbon stores an empty part as if it were not there, so
        // metricat leaves it out and says so (`emptyPathPartsAreLeftOutAndReported`).
        Row(name: "dots", metric: m("a..b...c", [], [("value", .int(1))]), template: "measurement", expected: "a.b.c 1 1234567890\n"),
        Row(name: "dot backslash dot", metric: m(#"a.\.b"#, [], [("value", .int(1))]), template: "measurement", expected: "a.b 1 1234567890\n"),
        Row(
            name: "repeated tags part", metric: m("cpu", [T("host", "h")], [("f", .int(1))]), template: "tags.tags.measurement.field.field",
            expected: "h.TAGS.cpu.f.FIELDNAME 1 1234567890\n"),
    ]

    @Test(arguments: rows)
    func serializes(_ row: Row) throws {
        let (out, _) = try Self.render([row.metric], template: row.template, prefix: row.prefix, tagSupport: row.tagSupport)
        #expect(out == row.expected)
    }

    @Test func emptyPathPartsAreLeftOutAndReported() throws {
        let (out, diags) = try Self.render([Self.m("é.", [], [(".aa", .int(1))]), Self.m("", [], [("", .int(2))])])
        #expect(out == "é.aa 1 1234567890\n")
        #expect(
            diags == [
                "warning: graphite path \"é...aa\" written as \"é.aa\": graphite does not allow some of its characters",
                "graphite path \".\" has only empty parts: skipped",
            ])
    }

    @Test func valuesGraphiteCannotCarryAreReportedAndSkipped() throws {
        // TestSerializeValueString, ...WithTagSupport, TestClean "Field with space": no line.
        for tagSupport in [false, true] {
            let metrics = [
                Self.m("cpu", Self.defaultTags, [("value", .string("asdasd"))]),
                Self.m("system", [T("host", "localhost")], [("uptime_format", .string("20 days, 23:26")), ("uptime", .int(5))]),
                Self.m("x", [], [("a", .float(.nan)), ("b", .float(.infinity)), ("c", .float(-.infinity))]),
            ]
            let (out, diagnostics) = try Self.render(metrics, template: "host.field.tags.measurement", tagSupport: tagSupport)
            #expect(out == (tagSupport ? "system.uptime;host=localhost 5 1234567890\n" : "localhost.uptime.system 5 1234567890\n"))
            #expect(
                diagnostics == [
                    "field \"value\" of \"cpu\" is a string: graphite carries only numbers, skipped",
                    "field \"uptime_format\" of \"system\" is a string: graphite carries only numbers, skipped",
                    "field \"a\" of \"x\" is NaN: graphite cannot carry it, skipped",
                    "field \"b\" of \"x\" is +Inf: graphite cannot carry it, skipped",
                    "field \"c\" of \"x\" is -Inf: graphite cannot carry it, skipped",
                ])
        }
    }

    @Test func batchAndOneWarningPerName() throws {
        // TestSerializeBatch, ...WithTagsSupport: two metrics, two lines; the name is clean, no warning.
        let metric = Self.m("cpu", [T("host", "localhost")], [("usage_busy", .float(8.5))])
        #expect(try Self.render([metric, metric]) == ("localhost.cpu.usage_busy 8.5 1234567890\nlocalhost.cpu.usage_busy 8.5 1234567890\n", []))
        #expect(try Self.render([metric, metric], tagSupport: true) == ("cpu.usage_busy;host=localhost 8.5 1234567890\ncpu.usage_busy;host=localhost 8.5 1234567890\n", []))
        let bad = Self.m("my cpu", [T("host", "web 1")], [("usage busy", .float(1))])
        let (out, diagnostics) = try Self.render([bad, bad])
        #expect(out == "web_1.my_cpu.usage_busy 1 1234567890\nweb_1.my_cpu.usage_busy 1 1234567890\n")
        #expect(diagnostics == [#"warning: graphite path "web 1.my cpu.usage busy" written as "web_1.my_cpu.usage_busy": graphite does not allow some of its characters"#])
        let (_, tagged) = try Self.render([bad, bad], tagSupport: true)
        #expect(
            tagged == [
                #"warning: graphite tag "host=web 1" written as "host=web_1": graphite does not allow some of its characters"#,
                #"warning: graphite path "my cpu.usage busy" written as "my_cpu.usage_busy": graphite does not allow some of its characters"#,
            ])
    }

    @Test func missingTimestampIsNow() throws {
        let (out, _) = try Self.render([Self.m("cpu", [], [("value", .int(1))], nil)], now: 1_700_000_000_999_999_999)
        #expect(out == "cpu 1 1700000000\n")
    }

    @Test func templatesMatchTheMeasurement() throws {
        // The README's three templates: a glob per measurement, and a lone one as the default.
        let templates = ["cpu tags.measurement.host.field", "disk* measurement.field", "host.measurement.tags.field"]
        let metrics = [
            Self.m("cpu", Self.defaultTags, [("usage_idle", .float(91.5))]),
            Self.m("diskio", Self.defaultTags, [("reads", .int(3))]),
            Self.m("mem", Self.defaultTags, [("free", .int(4))]),
            Self.m("cpus", Self.defaultTags, [("n", .int(2))]),
        ]
        let (out, diagnostics) = try Self.render(metrics, template: "measurement.field", templates: templates)
        #expect(
            out == """
                cpu0.us-west-2.cpu.localhost.usage_idle 91.5 1234567890
                diskio.reads 3 1234567890
                localhost.mem.cpu0.us-west-2.free 4 1234567890
                localhost.cpus.cpu0.us-west-2.n 2 1234567890

                """)
        #expect(diagnostics == [])
        // Without a lone template, --template is the default.
        let (out2, _) = try Self.render([metrics[2]], template: "measurement.field", templates: ["cpu tags.measurement.host.field"])
        #expect(out2 == "mem.free 4 1234567890\n")
    }

    @Test func globs() throws {
        let cases: [(String, String, Bool)] = [
            ("cpu", "cpu", true), ("cpu", "cpus", false), ("cpu*", "cpu", true), ("c?u", "cpu", true), ("c?u", "cu", false),
            ("*io", "diskio", true), ("[cd]isk", "disk", true), ("[!cd]isk", "disk", false), ("[a-c]pu", "cpu", true),
            ("{cpu,mem}", "mem", true), ("{cpu,mem}", "disk", false), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false),
            (#"a\*"#, "a*", true), (#"a\*"#, "ab", false), ("*.*", "a.b", true), ("m{e,a}m*", "mam1", true),
        ]
        for (pattern, name, expected) in cases {
            let g = try Glob(pattern, flag: "--templates")
            #expect(g.matches(name) == expected, "\(pattern) on \(name)")
        }
    }

    @Test func compatibleTagSanitizing() throws {
        let metric = Self.m("cpu", [T("k!^`=", "~~a b/c@d*e\\f!^;x"), T("ok", "μ☢\u{1}")], [("value", .int(1))])
        let (out, _) = try Self.render([metric], tagSupport: true, mode: .compatible)
        #expect(out == "cpu;k____=a b/c@d*e\\f!^_x;ok=μ__ 1 1234567890\n")
        let (strict, _) = try Self.render([metric], tagSupport: true)
        #expect(strict == "cpu;k___==__a_b-c-d-ef___x;ok=μ__ 1 1234567890\n")
    }

    @Test func separatorAndCustomRegex() throws {
        let metric = Self.m("CPU", [], [("Usage idle", .float(1))])
        let (out, _) = try Self.render([metric], prefix: "p", tagSupport: true, separator: "_")
        #expect(out == "p_CPU_Usage_idle 1 1234567890\n")
        let (custom, _) = try Self.render([metric], template: "measurement.field", regex: "[^a-z.]")
        #expect(custom == "___._sage_idle 1 1234567890\n")
    }

    @Test func emptyPathIsAnError() throws {
        let (out, diagnostics) = try Self.render([Self.m("cpu", [], [("value", .int(1))])], template: "foo")
        #expect(out == "")
        #expect(diagnostics == [#"the template gives "cpu" an empty graphite path: metric skipped"#])
    }

    @Test func badOptions() {
        var options = FormatOptions()
        options.templates = ["a b c"]
        #expect(throws: FormatError.invalidOption("--templates", "\"a b c\" is not 'glob template' (graphite output example: --templates 'cpu tags.measurement.host.field')")) {
            try GraphiteSerializer(options: options)
        }
        options.templates = [" "]
        #expect(throws: FormatError.invalidOption("--templates", "template 1 is empty")) { try GraphiteSerializer(options: options) }
        options.templates = ["[ab measurement"]
        #expect(throws: FormatError.invalidOption("--templates", "glob \"[ab\" has an unclosed '[' or a trailing '\\'")) { try GraphiteSerializer(options: options) }
        options.templates = []
        options.graphite.strictSanitizeRegex = "[a-"
        #expect(throws: FormatError.self) { try GraphiteSerializer(options: options) }
    }
}
