import Testing

@testable import MetricFormats

/// Telegraf's influx serializer vectors (plugins/serializers/influx/influx_test.go) and the escaping
/// rules of formats.md.
@Suite struct InfluxSerializerTests {
    static func render(_ metrics: [Metric], _ configure: (inout FormatOptions) -> Void = { _ in }) -> (String, [String]) {
        var options = FormatOptions()
        configure(&options)
        var serializer = try! InfluxSerializer(options: options)
        var diagnostics: [String] = []
        let text = serializer.render(metrics, now: 1_700_000_000_000_000_000) { diagnostics.append($0.description) }
        return (text, diagnostics)
    }

    static func m(_ name: String, _ tags: [(String, String)] = [], _ fields: [(String, FieldValue)], _ ts: Int64? = 0) -> Metric {
        Metric(name: name, tags: tags.map { Tag($0.0, $0.1) }, fields: fields.map { Field($0.0, $0.1) }, timestamp: ts)
    }

    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        let metric: Metric
        let output: String
        var errors: [String] = []
        var maxBytes = 0
        var uint = true
        var sort = true
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "minimal", metric: m("cpu", [], [("value", .float(42))]), output: "cpu value=42 0\n"),
        Row(name: "multiple tags", metric: m("cpu", [("host", "localhost"), ("cpu", "CPU0")], [("value", .float(42))]), output: "cpu,cpu=CPU0,host=localhost value=42 0\n"),
        Row(name: "multiple fields", metric: m("cpu", [], [("x", .float(42)), ("y", .float(42))]), output: "cpu x=42,y=42 0\n"),
        Row(
            name: "float NaN", metric: m("cpu", [], [("x", .float(.nan)), ("y", .int(42))]), output: "cpu y=42i 0\n",
            errors: ["field \"x\" is NaN, which line protocol cannot carry: skipped"]),
        Row(
            name: "float NaN only", metric: m("cpu", [], [("value", .float(.nan))]), output: "",
            errors: ["field \"value\" is NaN, which line protocol cannot carry: metric \"cpu\" skipped"]),
        Row(
            name: "float Inf", metric: m("cpu", [], [("value", .float(.infinity)), ("y", .int(42))]), output: "cpu y=42i 0\n",
            errors: ["field \"value\" is Inf, which line protocol cannot carry: skipped"]),
        Row(name: "integer field", metric: m("cpu", [], [("value", .int(42))]), output: "cpu value=42i 0\n"),
        Row(name: "integer field 64-bit", metric: m("cpu", [], [("value", .int(123_456_789_012_345))]), output: "cpu value=123456789012345i 0\n"),
        Row(name: "integer min", metric: m("cpu", [], [("value", .int(.min))]), output: "cpu value=-9223372036854775808i 0\n"),
        Row(name: "uint field", metric: m("cpu", [], [("value", .uint(42))]), output: "cpu value=42u 0\n"),
        Row(name: "uint field max value", metric: m("cpu", [], [("value", .uint(.max))]), output: "cpu value=18446744073709551615u 0\n"),
        Row(name: "uint field no uint support", metric: m("cpu", [], [("value", .uint(42))]), output: "cpu value=42i 0\n", uint: false),
        Row(
            name: "uint field no uint support overflow", metric: m("cpu", [], [("value", .uint(.max))]), output: "",
            errors: [
                "field \"value\" is 18446744073709551615u, above the largest integer (9223372036854775807) line protocol carries without --influx-uint-support: metric \"cpu\" skipped"
            ], uint: false),
        Row(
            name: "uint field no uint support at the integer limit", metric: m("cpu", [], [("value", .uint(UInt64(Int64.max)))]), output: "cpu value=9223372036854775807i 0\n",
            uint: false),
        Row(name: "bool field", metric: m("cpu", [], [("t", .bool(true)), ("f", .bool(false))]), output: "cpu f=false,t=true 0\n"),
        Row(name: "string field", metric: m("cpu", [], [("value", .string("howdy"))]), output: "cpu value=\"howdy\" 0\n"),
        Row(name: "string escapes quote and backslash only", metric: m("cpu", [], [("value", .string("a\"b\\c,d=e f\tg"))]), output: "cpu value=\"a\\\"b\\\\c,d=e f\tg\" 0\n"),
        Row(name: "string newline is raw", metric: m("cpu", [], [("value", .string("x\ny"))]), output: "cpu value=\"x\ny\" 0\n"),
        Row(name: "timestamp", metric: m("cpu", [], [("value", .float(42))], 1_519_194_109_000_000_042), output: "cpu value=42 1519194109000000042\n"),
        Row(name: "no timestamp", metric: m("cpu", [], [("value", .float(42))], nil), output: "cpu value=42\n"),
        Row(
            name: "split fields exact", metric: m("cpu", [], [("abc", .int(123)), ("def", .int(456))], 1_519_194_109_000_000_042),
            output: "cpu abc=123i 1519194109000000042\ncpu def=456i 1519194109000000042\n", maxBytes: 33),
        Row(
            name: "split fields extra", metric: m("cpu", [], [("abc", .int(123)), ("def", .int(456))], 1_519_194_109_000_000_042),
            output: "cpu abc=123i 1519194109000000042\ncpu def=456i 1519194109000000042\n", maxBytes: 34),
        Row(
            name: "split fields keep two per line", metric: m("cpu", [], [("a", .int(1)), ("b", .int(2)), ("c", .int(3))], 5),
            output: "cpu a=1i,b=2i 5\ncpu c=3i 5\n", maxBytes: 16),
        Row(
            name: "need more space", metric: m("cpu", [], [("abc", .int(123)), ("def", .int(456))], 1_519_194_109_000_000_042),
            output: "", errors: ["\"cpu\": need more space: a field does not fit in --influx-max-line-bytes 32"], maxBytes: 32),
        // Telegraf's `\n` is read back as two characters (by InfluxDB too): written, and reported.
        Row(
            name: "name newline", metric: m("c\npu", [], [("value", .int(42))]), output: "c\\npu value=42i 0\n",
            errors: ["warning: measurement \"c\npu\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r"]),
        Row(
            name: "tag newline", metric: m("cpu", [("host", "x\ny")], [("value", .int(42))]), output: "cpu,host=x\\ny value=42i 0\n",
            errors: ["warning: tag \"host\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r"]),
        Row(
            name: "field key tab", metric: m("cpu", [], [("a\tb", .int(1))]), output: "cpu a\\tb=1i 0\n",
            errors: ["warning: field key \"a\tb\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r"]),
        // A backslash before a quote would be read as escaping it.
        Row(
            name: "field key backslash quote", metric: m("cpu", [], [(" \\\"", .int(1))]), output: "cpu \\ _\"=1i 0\n",
            errors: ["warning: field key \" \\\"\" has a backslash before a character line protocol escapes, which it cannot carry: written as '_'"]),
        Row(
            name: "tag value backslash quote", metric: m("cpu", [("k", "\\\"a,b")], [("v", .int(1))]), output: "cpu,k=_\"a\\,b v=1i 0\n",
            errors: ["warning: tag \"k\" has a backslash before a quote, which line protocol readers take as an escape: written as '_'"]),
        Row(name: "tag value backslash quote kept", metric: m("cpu", [("k", "a\\\"b")], [("v", .int(1))]), output: "cpu,k=a\\\"b v=1i 0\n"),
        Row(name: "no fields", metric: m("cpu", [], []), output: "", errors: ["\"cpu\": no serializable fields"]),
        Row(name: "empty name", metric: m("", [], [("value", .int(1))]), output: "", errors: ["invalid name: the measurement name is empty"]),
        Row(
            name: "measurement escaping", metric: m("c p,u=\t\r\u{0C}", [], [("v", .int(1))]), output: "c\\ p\\,u=\\t\\r\\f v=1i 0\n",
            errors: ["warning: measurement \"c p,u=\t\r\u{0C}\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r"]),
        Row(name: "tag and field key escaping", metric: m("cpu", [("a b", "c,d=e")], [("f=g h,i", .int(1))]), output: "cpu,a\\ b=c\\,d\\=e f\\=g\\ h\\,i=1i 0\n"),
        Row(
            name: "tag trailing backslash trimmed", metric: m("cpu", [("host\\", "web\\\\")], [("v", .int(1))]), output: "cpu,host=web v=1i 0\n",
            errors: ["warning: tag \"host\\\" ends with a backslash, which line protocol cannot carry: trimmed"]),
        Row(
            name: "tag empty after trimming dropped", metric: m("cpu", [("a", "\\"), ("b", "")], [("v", .int(1))]), output: "cpu v=1i 0\n",
            errors: [
                "warning: tag \"a\" has an empty key or value, which line protocol cannot carry: dropped",
                "warning: tag \"b\" has an empty key or value, which line protocol cannot carry: dropped",
            ]),
        Row(
            name: "empty field key dropped", metric: m("cpu", [], [("", .int(1)), ("v", .int(2))]), output: "cpu v=2i 0\n",
            errors: ["field with an empty key cannot be written: skipped"]),
        Row(
            name: "measurement odd trailing backslash trimmed", metric: m("cpu\\", [], [("v", .int(1))]), output: "cpu v=1i 0\n",
            errors: ["warning: measurement \"cpu\\\" ends with a backslash, which line protocol cannot carry: trimmed"]),
        Row(name: "measurement even trailing backslashes kept", metric: m("cpu\\\\", [], [("v", .int(1))]), output: "cpu\\\\ v=1i 0\n"),
        Row(
            name: "floats shortest without exponent",
            metric: m("cpu", [], [("a", .float(0.1)), ("b", .float(1e-7)), ("c", .float(1e21)), ("d", .float(-0.5)), ("e", .float(123.456))]),
            output: "cpu a=0.1,b=0.0000001,c=1000000000000000000000,d=-0.5,e=123.456 0\n"),
        Row(name: "fields in metric order without sort", metric: m("cpu", [], [("z", .int(1)), ("a", .int(2))]), output: "cpu z=1i,a=2i 0\n", sort: false),
        Row(
            name: "procstat subset",
            metric: m(
                "procstat", [("process_name", "bash"), ("exe", "bash")],
                [("write_count", .int(35)), ("cpu_time_user", .float(0.02)), ("cpu_time", .int(0)), ("cpu_usage", .float(0))], 1_517_620_624_000_000_000),
            output: "procstat,exe=bash,process_name=bash cpu_time=0i,cpu_time_user=0.02,cpu_usage=0,write_count=35i 1517620624000000000\n"),
    ]

    @Test(arguments: rows)
    func serializes(_ row: Row) {
        let (text, diagnostics) = Self.render([row.metric]) {
            $0.influx.maxLineBytes = row.maxBytes
            $0.influx.uintSupport = row.uint
            $0.influx.sortFields = row.sort
        }
        #expect(text == row.output)
        #expect(diagnostics == row.errors)
    }

    @Test func batchKeepsGoingAfterABadMetric() {
        let (text, diagnostics) = Self.render([Self.m("cpu", [], [("value", .float(42))]), Self.m("cpu", [], []), Self.m("cpu", [], [("value", .float(42))])])
        #expect(text == "cpu value=42 0\ncpu value=42 0\n")
        #expect(diagnostics == ["\"cpu\": no serializable fields"])
    }

    @Test func precisionAndOmitTimestamp() {
        let metric = Self.m("cpu", [], [("v", .int(1))], 1_519_194_109_123_456_789)
        #expect(Self.render([metric]) { $0.influx.precision = .seconds }.0 == "cpu v=1i 1519194109\n")
        #expect(Self.render([metric]) { $0.influx.precision = .milliseconds }.0 == "cpu v=1i 1519194109123\n")
        #expect(Self.render([metric]) { $0.influx.precision = .microseconds }.0 == "cpu v=1i 1519194109123456\n")
        #expect(Self.render([metric]) { $0.influx.omitTimestamp = true }.0 == "cpu v=1i\n")
    }

    @Test func sanitizingWarnsOncePerName() {
        let metric = Self.m("cpu", [("k", "v\\")], [("v", .int(1))])
        let (text, diagnostics) = Self.render([metric, metric])
        #expect(text == "cpu,k=v v=1i 0\ncpu,k=v v=1i 0\n")
        #expect(diagnostics.count == 1)
    }

    @Test func negativeMaxLineBytesIsRejected() {
        var options = FormatOptions()
        options.influx.maxLineBytes = -1
        #expect(throws: FormatError.self) { _ = try InfluxSerializer(options: options) }
    }

    /// Field keys handed out again as the same Strings (as parsers do), written as they are, each
    /// long enough or short enough to be stored or held inline; keys that are escaped, trimmed or
    /// replaced are written the same way every time, and reported once.
    @Test func repeatedFieldKeysAreWrittenTheSameEveryTime() {
        let keys = [
            "v", "usage_user", "response_time_ms", "caf\u{E9} au lait, long", "cafe\u{301} au lait, long", "a b", "a=b", "ends\\",
            "tab\there", "back\\,slash",
        ]
        let metric = Metric(name: "m", fields: keys.enumerated().map { Field($0.element, .int(Int64($0.offset))) }, timestamp: 0)
        let line =
            #"m v=0i,usage_user=1i,response_time_ms=2i,caf\#u{E9}\ au\ lait\,\ long=3i,cafe\#u{301}\ au\ lait\,\ long=4i,a\ b=5i,a\=b=6i,ends=7i,"#
            + #"tab\there=8i,back_\,slash=9i 0"#
        let (text, reports) = Self.render(Array(repeating: metric, count: 4))
        #expect(Array(text.utf8) == Array(Array(repeating: line + "\n", count: 4).joined().utf8), "\(text)")
        #expect(reports.count == 3, "\(reports)")
        // Composed and decomposed spellings of one key, one after the other: two keys.
        let composed = Metric(name: "m", fields: [Field("caf\u{E9}", .int(1))], timestamp: 0)
        let decomposed = Metric(name: "m", fields: [Field("cafe\u{301}", .int(2))], timestamp: 0)
        let (both, _) = Self.render([composed, decomposed, composed, decomposed])
        #expect(Array(both.utf8) == Array("m caf\u{E9}=1i 0\nm cafe\u{301}=2i 0\nm caf\u{E9}=1i 0\nm cafe\u{301}=2i 0\n".utf8))
    }
}

/// The serializer's fast float text must equal the reference (Go's `FormatFloat(v, 'f', -1, 64)` as
/// ``NumberFormatting/appendFixed(_:to:)`` writes it) on every kind of value.
@Suite struct InfluxFloatTextTests {
    static func both(_ v: Double) -> (String, String) {
        var fast: [UInt8] = []
        var reference: [UInt8] = []
        InfluxSerializer.appendFloat(v, to: &fast)
        NumberFormatting.appendFixed(v, to: &reference)
        return (String(decoding: fast, as: UTF8.self), String(decoding: reference, as: UTF8.self))
    }

    @Test func matchesReferenceOnDecimalsAndRandomBits() {
        var values: [Double] = [
            0.1, 0.2, 0.3, 1.5, -2.25, 42, 1e-6, 1.5e-6, 123456.789, 9_007_199_254_740_991, 9_007_199_254_740_994,
            0.02, 56.9204, 8.023, 1e15, 999999999999999.9, .leastNonzeroMagnitude, 1.7976931348623157e308, 100, 0.000123456789,
        ]
        var state: UInt64 = 12345
        for _ in 0..<20000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let bits = Double(bitPattern: (state >> 2) & 0x7FEF_FFFF_FFFF_FFFF)
            values.append(bits)
            let scaled = Double(Int64(truncatingIfNeeded: state >> 20) % 10_000_000) / [1, 10, 100, 1000, 10000, 1e6, 1e9][Int(state % 7)]
            values.append(scaled)
        }
        var mismatches = 0
        for v in values {
            let (fast, reference) = Self.both(v)
            if fast != reference {
                mismatches += 1
                if mismatches < 5 { Issue.record("\(v): \(fast) != \(reference)") }
            }
        }
        #expect(mismatches == 0)
    }
}

@Suite struct InfluxLineBufferTests {
    @Test func integerDigitsMatchTheStandardLibrary() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, .max, .min, -1, -10, -99, -100]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -p]
        }
        let buffer = InfluxLineBuffer(capacity: 4)
        for v in values {
            buffer.removeAll()
            buffer.append(v)
            #expect(String(decoding: buffer.bytes, as: UTF8.self) == String(v))
        }
        buffer.removeAll()
        buffer.append(UInt64.max)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "18446744073709551615")
    }
}
