import Testing

@testable import MetricFormats

/// Telegraf's plugins/parsers/graphite/parser_test.go vectors, with metricat's error positions.
@Suite struct GraphiteParserTests {
    static func parse(_ text: String, templates: [String] = [], separator: String = ".", defaultTags: [MetricFormats.Tag] = []) throws -> MetricCollector {
        var options = FormatOptions()
        options.templates = templates
        options.graphite.separator = separator
        options.defaultTags = defaultTags
        var parser = try GraphiteParser(options: options)
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c)
        return c
    }

    static func metric(_ name: String, _ tags: [(String, String)] = [], _ field: String = "value", value: Double, _ ts: Int64?) -> Metric {
        Metric(name: name, tags: tags.map { MetricFormats.Tag($0.0, $0.1) }, fields: [Field(field, .float(value))], timestamp: ts)
    }

    static let t0: Int64 = 1_435_077_219_000_000_000

    struct Row: Sendable, CustomTestStringConvertible {
        var input: String
        var templates: [String]
        var expected: Metric
        var testDescription: String { input }
    }

    // TestParseLine / TestParse successes.
    static let rows: [Row] = [
        Row(input: "cpu.foo.bar 50 1435077219", templates: ["measurement.foo.bar"], expected: metric("cpu", [("bar", "bar"), ("foo", "foo")], value: 50, t0)),
        Row(
            input: "cpu.foo.bar;tag1=value1 50 1435077219", templates: ["measurement.foo.bar"],
            expected: metric("cpu", [("bar", "bar"), ("foo", "foo"), ("tag1", "value1")], value: 50, t0)),
        Row(
            input: "cpu.foo.bar;tag!1=value1;tag^2=value2 50 1435077219", templates: ["measurement.foo.bar"],
            expected: metric("cpu", [("bar", "bar"), ("foo", "foo")], value: 50, t0)),
        Row(input: "cpu.foo.bar;=value1 50 1435077219", templates: ["measurement.foo.bar"], expected: metric("cpu", [("bar", "bar"), ("foo", "foo")], value: 50, t0)),
        Row(input: "cpu.foo.bar;tag1=~value1 50 1435077219", templates: ["measurement.foo.bar"], expected: metric("cpu", [("bar", "bar"), ("foo", "foo")], value: 50, t0)),
        Row(input: "cpu.foo.bar;tag1= 50 1435077219", templates: ["measurement.foo.bar"], expected: metric("cpu", [("bar", "bar"), ("foo", "foo")], value: 50, t0)),
        Row(input: "cpu 50.554 1435077219", templates: ["measurement"], expected: metric("cpu", value: 50.554, t0)),
        // A `;` tag overrides the template's; a=b=c has two '=' and is dropped.
        Row(input: "cpu.foo;foo=path;a=b=c;k=v~ 1 1435077219", templates: ["measurement.foo"], expected: metric("cpu", [("foo", "path"), ("k", "v~")], value: 1, t0)),
        // TestParseInf; -1 means now; fractions of seconds; exponent and hex values.
        Row(input: "servers.localhost.cpu_load +Inf 1435077219", templates: ["measurement*"], expected: metric("servers.localhost.cpu_load", value: .infinity, t0)),
        Row(input: "cpu -Inf -1", templates: [], expected: metric("cpu", value: -.infinity, nil)),
        Row(input: "cpu 1e3 1435077219.25", templates: [], expected: metric("cpu", value: 1000, t0 + 250_000_000)),
        Row(input: "  cpu\t0x1p-2   1435077219  ", templates: [], expected: metric("cpu", value: 0.25, t0)),
        Row(input: "cpu .5", templates: [], expected: metric("cpu", value: 0.5, nil)),
        // Go's strings.Fields splits on Unicode spaces too: NBSP, U+3000, U+2028; U+200B is not one.
        Row(input: "\u{A0}cpu\u{A0}1\u{3000}1435077219\u{2028}", templates: [], expected: metric("cpu", value: 1, t0)),
        Row(input: "c\u{200B}pu 1 1435077219", templates: [], expected: metric("c\u{200B}pu", value: 1, t0)),
        Row(input: "cpu 2147472000 2147472000", templates: [], expected: metric("cpu", value: 2_147_472_000, 2_147_472_000_000_000_000)),
        Row(input: "cpu -1.5 -2147558400", templates: [], expected: metric("cpu", value: -1.5, -2_147_558_400_000_000_000)),
        // Telegraf's arithmetic for negative fractions: whole seconds toward zero plus the part above
        // the floor, so -1.5 s lands at -0.5 s; only exactly -1 means now.
        Row(input: "cpu 1 -1.5", templates: [], expected: metric("cpu", value: 1, -500_000_000)),
        // The field part of a template names the field.
        Row(
            input: "current.users.logged_in 3 1435077219", templates: ["current.* measurement.measurement.field"], expected: metric("current.users", [], "logged_in", value: 3, t0)),
    ]

    @Test(arguments: rows)
    func parsesLine(_ row: Row) throws {
        let c = try Self.parse(row.input, templates: row.templates)
        #expect(c.diagnostics == [])
        #expect(c.metrics == [row.expected])
    }

    @Test func parsesNaN() throws {
        // TestParseNaN: NaN is a value like any other.
        let c = try Self.parse("servers.localhost.cpu_load NaN 1435077219", templates: ["measurement*"])
        #expect(c.diagnostics == [])
        #expect(c.metrics.count == 1)
        #expect(c.metrics.first?.name == "servers.localhost.cpu_load")
        if case .float(let v)? = c.metrics.first?.field("value") { #expect(v.isNaN) } else { Issue.record("no float value") }
    }

    /// Go's ParseFloat (what Telegraf calls) takes underscores between digits (Go's own test vector
    /// `1_23.50_0_0e+1_2` reads as 1.235e+14), an exponent sign and hexadecimal with a `p` exponent.
    @Test func valuesInEveryGoSpelling() throws {
        for (text, value) in [("1_000", 1000.0), ("1e+5", 100_000), ("+.5", 0.5), ("5.", 5), ("0x1p-2", 0.25), ("1_23.50_0_0e+1_2", 1.235e14)] {
            let c = try Self.parse("cpu \(text) 1435077219")
            #expect(c.diagnostics == [], "\(text)")
            #expect(c.metrics.first?.field("value") == .float(value), "\(text)")
        }
    }

    struct ErrorRow: Sendable, CustomTestStringConvertible {
        var input: String
        var error: String
        var testDescription: String { input }
    }

    // TestParseLine errors (Telegraf: `received "..." which doesn't have required fields`, `field "cpu"
    // value: strconv.ParseFloat: parsing "50.554z": invalid syntax`, ...) with metricat's wording.
    static let errorRows: [ErrorRow] = [
        ErrorRow(input: "1419972457825", error: "1:14: expected a value after the path: a graphite line is 'path value [timestamp]'"),
        ErrorRow(input: "cpu 50.554z 1419972457825", error: "1:5: invalid value \"50.554z\": not a number"),
        ErrorRow(input: "cpu 50z 1419972457825", error: "1:5: invalid value \"50z\": not a number"),
        ErrorRow(input: "cpu 50.554 14199724z57825", error: "1:12: invalid timestamp \"14199724z57825\": not a number (graphite timestamps are Unix seconds)"),
        ErrorRow(
            input: "cpu 50.554 1419972457825",
            error: "1:12: timestamp 1419972457825 is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19; this looks like milliseconds"),
        ErrorRow(
            input: "cpu 1 1419972457825000",
            error: "1:7: timestamp 1419972457825000 is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19; this looks like microseconds"),
        ErrorRow(
            input: "cpu 1 1419972457825000000",
            error: "1:7: timestamp 1419972457825000000 is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19; this looks like nanoseconds"),
        ErrorRow(input: "cpu 1 2147472000.5", error: "1:7: timestamp 2147472000.5 is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19"),
        ErrorRow(input: "cpu 1 NaN", error: "1:7: timestamp NaN is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19"),
        ErrorRow(input: "cpu 1 1e400", error: "1:7: timestamp 1e400 is out of range: graphite timestamps are Unix seconds from 1901-12-13 to 2038-01-19"),
        ErrorRow(input: "cpu 1e400", error: "1:5: value 1e400 is out of range for a 64-bit float"),
        ErrorRow(input: "cpu 1 2 3", error: "1:9: too many fields: a graphite line is 'path value [timestamp]'"),
        ErrorRow(input: ";a=b 1", error: "1:1: empty metric path before ';'"),
        ErrorRow(input: "cpu 1__000", error: "1:5: invalid value \"1__000\": not a number"),
        ErrorRow(input: "cpu _1000", error: "1:5: invalid value \"_1000\": not a number"),
        ErrorRow(input: "cpu +nan", error: "1:5: invalid value \"+nan\": not a number"),
        ErrorRow(input: "cpu 0x10", error: "1:5: invalid value \"0x10\": not a number"),
        ErrorRow(input: "cpu 1e", error: "1:5: invalid value \"1e\": not a number"),
        ErrorRow(input: "cpu .", error: "1:5: invalid value \".\": not a number"),
    ]

    @Test(arguments: errorRows)
    func reportsBadLine(_ row: ErrorRow) throws {
        let c = try Self.parse(row.input)
        #expect(c.metrics == [])
        #expect(c.diagnostics.map(\.description) == [row.error])
    }

    @Test func goodLinesAroundBadOnesGoThrough() throws {
        let c = try Self.parse("\ncpu 1 1435077219\r\nbad\n\n   \nmem 2 1435077219\n")
        #expect(c.metrics.map(\.name) == ["cpu", "mem"])
        #expect(c.diagnostics.map(\.description) == ["3:4: expected a value after the path: a graphite line is 'path value [timestamp]'"])
    }

    @Test func defaultTagsOnlyFillGaps() throws {
        // TestParseDefaultTags, ...DefaultTemplateTags, ...OverridGlobal, TestParseTemplateWhitespace.
        let defaults = [MetricFormats.Tag("region", "us-east"), MetricFormats.Tag("zone", "1c"), MetricFormats.Tag("host", "should not set")]
        for template in [
            "servers.localhost .host.measurement*", "servers.localhost .host.measurement* zone=1c",
            "servers.localhost .host.measurement* zone=1c,region=us-east", "servers.localhost        .host.measurement*           zone=1c",
        ] {
            let c = try Self.parse(
                "servers.localhost.cpu_load 11 1435077219", templates: [template],
                defaultTags: template.contains("region=") ? [MetricFormats.Tag("region", "shot not be set"), MetricFormats.Tag("host", "should not set")] : defaults)
            #expect(c.metrics == [Self.metric("cpu_load", [("host", "localhost"), ("region", "us-east"), ("zone", "1c")], value: 11, Self.t0)], "\(template)")
        }
        // `;` tags override template tags and default tags.
        let c = try Self.parse("servers.localhost.cpu_load;host=tagged;region=eu 11 1435077219", templates: ["servers.localhost .host.measurement*"], defaultTags: defaults)
        #expect(c.metrics == [Self.metric("cpu_load", [("host", "tagged"), ("region", "eu"), ("zone", "1c")], value: 11, Self.t0)])
    }
}

/// Random and mutated lines: nothing crashes, and every non-blank line gives a metric or an error.
@Suite struct GraphiteParserRobustnessTests {

    @Test func randomLinesNeverCrash() throws {
        var options = FormatOptions()
        options.templates = ["servers.* .host.measurement*", "*.*.cpu .host.measurement.field* region=eu", "measurement.measurement.tag", ": a:* measurement:zone"]
        options.defaultTags = [MetricFormats.Tag("dc", "x")]
        var parser = try GraphiteParser(options: options)
        let alphabet = Array("ab.;=~!^ \t019eE+-xXpPinfINFaN*:\r\u{0}".utf8) + [0xFF, 0xC3, 0xA9, 0xE2, 0x98]
        let seeds = ["servers.web01.cpu 1 1435077219", "a.b.cpu.idle;k=v 0x1p3 -1", "x;y=z NaN", "c 1e308 2147472000.999"]
        var rng = SplitMix(state: 42)
        for round in 0..<3000 {
            var line: [UInt8]
            if round % 2 == 0 {
                line = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            } else {
                line = Array(seeds[round % seeds.count].utf8)
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<line.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: line[i] = alphabet.randomElement(using: &rng)!
                    case 1: line.remove(at: i)
                    default: line = Array(line[..<i])
                    }
                    if line.isEmpty { break }
                }
            }
            let c = MetricCollector()
            line.withUnsafeBufferPointer { parser.parse(line: $0, number: 1, into: c) }
            let blank = line.allSatisfy { ASCII.isWhitespace($0) }
            #expect(c.metrics.count + c.errors.count == (blank ? 0 : 1), "\(String(decoding: line, as: UTF8.self).debugDescription)")
            for d in c.diagnostics { #expect(d.column.map { $0 >= 1 && $0 <= line.count + 1 } == true) }
        }
    }

    @Test func serializerOutputStaysOneLinePerValue() throws {
        var rng = SplitMix(state: 7)
        let alphabet = Array("ab.;=~!^ \t\n\\/@*:_-é☢\r\u{0}".unicodeScalars)
        func word() -> String { String(String.UnicodeScalarView((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })) }
        for tagSupport in [false, true] {
            var options = FormatOptions()
            options.graphite.tagSupport = tagSupport
            options.prefix = "p x"
            var s = try GraphiteSerializer(options: options)
            for _ in 0..<500 {
                let m = Metric(
                    name: word(), tags: [MetricFormats.Tag(word(), word()), MetricFormats.Tag("host", word())], fields: [Field(word(), .float(1.5)), Field("value", .int(2))],
                    timestamp: 1)
                let out = s.render([m])
                let lines = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                #expect(lines.count == (m.fields[0].key == "value" ? 2 : 2))
                for l in lines { #expect(l.split(separator: " ", omittingEmptySubsequences: false).count == 3, "\(l.debugDescription)") }
            }
        }
    }
}
