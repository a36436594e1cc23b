import Testing

@testable import MetricFormats

/// Telegraf's influx parser vectors (plugins/parsers/influx parser_test.go `ptests`, machine_test.go)
/// and the rules of formats.md, with error text and line:column pinned.
@Suite struct InfluxParserTests {
    static func parse(_ text: String, _ configure: (inout FormatOptions) -> Void = { _ in }) -> MetricCollector {
        var options = FormatOptions()
        configure(&options)
        var parser = try! InfluxParser(options: options)
        let collector = MetricCollector()
        parser.parse(text: Array(text.utf8), into: collector, maxLineBytes: options.maxLineBytes)
        return collector
    }

    static func m(_ name: String, _ tags: [(String, String)] = [], _ fields: [(String, FieldValue)], _ ts: Int64? = nil) -> Metric {
        Metric(name: name, tags: tags.map { Tag($0.0, $0.1) }, fields: fields.map { Field($0.0, $0.1) }, timestamp: ts)
    }

    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let metrics: [Metric]
        var testDescription: String { name }
    }

    static let accepted: [Row] = [
        Row(name: "minimal", input: "cpu value=42 0", metrics: [m("cpu", [], [("value", .float(42))], 0)]),
        Row(name: "minimal with newline", input: "cpu value=42 0\n", metrics: [m("cpu", [], [("value", .float(42))], 0)]),
        Row(name: "measurement escape space", input: #"c\ pu value=42"#, metrics: [m("c pu", [], [("value", .float(42))])]),
        Row(name: "measurement escape comma", input: #"c\,pu value=42"#, metrics: [m("c,pu", [], [("value", .float(42))])]),
        Row(name: "measurement escape non-special", input: #"c\pu value=42"#, metrics: [m(#"c\pu"#, [], [("value", .float(42))])]),
        Row(name: "measurement escaped trailing backslash", input: #"cpu\\ value=42"#, metrics: [m(#"cpu\\"#, [], [("value", .float(42))])]),
        Row(name: "escape backslash in measurement", input: #"cp\\u value=42"#, metrics: [m(#"cp\\u"#, [], [("value", .float(42))])]),
        Row(name: "measurement with equals and quote", input: #"c=p"u value=42"#, metrics: [m(#"c=p"u"#, [], [("value", .float(42))])]),
        Row(name: "single char measurement", input: "c value=42", metrics: [m("c", [], [("value", .float(42))])]),
        Row(name: "tags", input: "cpu,cpu=cpu0,host=localhost value=42", metrics: [m("cpu", [("cpu", "cpu0"), ("host", "localhost")], [("value", .float(42))])]),
        Row(name: "tags sorted by key", input: "cpu,host=localhost,cpu=cpu0 value=42", metrics: [m("cpu", [("cpu", "cpu0"), ("host", "localhost")], [("value", .float(42))])]),
        Row(name: "tags escape unescapable", input: #"cpu,ho\st=localhost value=42"#, metrics: [m("cpu", [(#"ho\st"#, "localhost")], [("value", .float(42))])]),
        Row(name: "tags escape equals", input: #"cpu,ho\=st=localhost value=42"#, metrics: [m("cpu", [("ho=st", "localhost")], [("value", .float(42))])]),
        Row(name: "tags escape comma", input: #"cpu,ho\,st=localhost value=42"#, metrics: [m("cpu", [("ho,st", "localhost")], [("value", .float(42))])]),
        Row(name: "tag key escape space", input: #"cpu,h\ ost=localhost value=42"#, metrics: [m("cpu", [("h ost", "localhost")], [("value", .float(42))])]),
        Row(name: "tag value escape space", input: #"cpu,host=two\ words value=42"#, metrics: [m("cpu", [("host", "two words")], [("value", .float(42))])]),
        Row(name: "tag value double escape space", input: #"cpu,host=two\\ words value=42"#, metrics: [m("cpu", [("host", #"two\ words"#)], [("value", .float(42))])]),
        Row(name: "tag value triple escape space", input: #"cpu,host=two\\\ words value=42"#, metrics: [m("cpu", [("host", #"two\\ words"#)], [("value", .float(42))])]),
        Row(name: "tag value escaped quote kept without specials", input: #"cpu,host=a\"b value=42"#, metrics: [m("cpu", [("host", #"a\"b"#)], [("value", .float(42))])]),
        Row(name: "tag value escaped quote removed with specials", input: #"cpu,host=a\"b\ c value=42"#, metrics: [m("cpu", [("host", #"a"b c"#)], [("value", .float(42))])]),
        Row(name: "repeated tag key last wins", input: "cpu,a=1,b=2,a=3 value=42", metrics: [m("cpu", [("a", "3"), ("b", "2")], [("value", .float(42))])]),
        Row(name: "field key escape not escapable", input: #"cpu va\lue=42"#, metrics: [m("cpu", [], [(#"va\lue"#, .float(42))])]),
        Row(name: "field key escape equals", input: #"cpu va\=lue=42"#, metrics: [m("cpu", [], [("va=lue", .float(42))])]),
        Row(name: "field key escape comma", input: #"cpu va\,lue=42"#, metrics: [m("cpu", [], [("va,lue", .float(42))])]),
        Row(name: "field key escape space", input: #"cpu va\ lue=42"#, metrics: [m("cpu", [], [("va lue", .float(42))])]),
        Row(name: "field int", input: "cpu value=42i", metrics: [m("cpu", [], [("value", .int(42))])]),
        Row(name: "field int negative", input: "cpu value=-42i", metrics: [m("cpu", [], [("value", .int(-42))])]),
        Row(name: "field int zero", input: "cpu value=0i", metrics: [m("cpu", [], [("value", .int(0))])]),
        Row(name: "field int negative zero", input: "cpu value=-0i", metrics: [m("cpu", [], [("value", .int(0))])]),
        Row(name: "field int max value", input: "cpu value=9223372036854775807i", metrics: [m("cpu", [], [("value", .int(Int64.max))])]),
        Row(name: "field int min value", input: "cpu value=-9223372036854775808i", metrics: [m("cpu", [], [("value", .int(Int64.min))])]),
        Row(name: "field uint", input: "cpu value=42u", metrics: [m("cpu", [], [("value", .uint(42))])]),
        Row(name: "field uint max value", input: "cpu value=18446744073709551615u", metrics: [m("cpu", [], [("value", .uint(UInt64.max))])]),
        Row(
            name: "field boolean", input: "cpu a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE",
            metrics: [
                m(
                    "cpu", [],
                    [
                        ("a", .bool(true)), ("b", .bool(true)), ("c", .bool(true)), ("d", .bool(true)), ("e", .bool(true)),
                        ("f", .bool(false)), ("g", .bool(false)), ("h", .bool(false)), ("i", .bool(false)), ("j", .bool(false)),
                    ])
            ]),
        Row(name: "field string", input: #"cpu value="42""#, metrics: [m("cpu", [], [("value", .string("42"))])]),
        Row(name: "field string empty", input: #"cpu value="""#, metrics: [m("cpu", [], [("value", .string(""))])]),
        Row(name: "field string escape quote", input: #"cpu value="how\"dy""#, metrics: [m("cpu", [], [("value", .string(#"how"dy"#))])]),
        Row(name: "field string escape backslash", input: #"cpu value="how\\dy""#, metrics: [m("cpu", [], [("value", .string(#"how\dy"#))])]),
        Row(name: "field string with separators", input: #"cpu value="a, b=c d" 1"#, metrics: [m("cpu", [], [("value", .string("a, b=c d"))], 1)]),
        Row(name: "field string newline", input: "cpu value=\"4\n2\"", metrics: [m("cpu", [], [("value", .string("4\n2"))])]),
        Row(name: "field string crlf inside", input: "cpu value=\"4\r\n2\" 5\r\n", metrics: [m("cpu", [], [("value", .string("4\r\n2"))], 5)]),
        Row(name: "cr in string field", input: "cpu value=\"4\r2\"", metrics: [m("cpu", [], [("value", .string("4\r2"))])]),
        Row(
            name: "two strings spanning lines", input: "cpu a=\"x\ny\",b=\"p\n\nq\",c=1i 7\ncpu d=1",
            metrics: [m("cpu", [], [("a", .string("x\ny")), ("b", .string("p\n\nq")), ("c", .int(1))], 7), m("cpu", [], [("d", .float(1))])]),
        Row(
            name: "scientific float", input: "cpu a=42e0,b=-42e0,c=42e-1,d=42E0,e=1e+2",
            metrics: [m("cpu", [], [("a", .float(42)), ("b", .float(-42)), ("c", .float(4.2)), ("d", .float(42)), ("e", .float(100))])]),
        Row(
            name: "float forms", input: "cpu a=42.2,b=-42,c=.42,d=-.42,e=00.42,f=1.",
            metrics: [m("cpu", [], [("a", .float(42.2)), ("b", .float(-42)), ("c", .float(0.42)), ("d", .float(-0.42)), ("e", .float(0.42)), ("f", .float(1))])]),
        Row(
            name: "float long mantissa", input: "cpu a=0.1000000000000000055511151231257827,b=123456789012345678901234",
            metrics: [m("cpu", [], [("a", .float(0.1)), ("b", .float(123456789012345678901234.0))])]),
        Row(name: "float underflow is zero", input: "cpu a=1e-400", metrics: [m("cpu", [], [("a", .float(0))])]),
        Row(name: "repeated field key last wins in first position", input: "cpu a=1,b=2,a=3i", metrics: [m("cpu", [], [("a", .int(3)), ("b", .float(2))])]),
        Row(name: "no timestamp", input: "cpu value=42", metrics: [m("cpu", [], [("value", .float(42))])]),
        Row(name: "timestamp negative", input: "cpu value=42 -1", metrics: [m("cpu", [], [("value", .float(42))], -1)]),
        Row(name: "timestamp max", input: "cpu value=42 9223372036854775807", metrics: [m("cpu", [], [("value", .float(42))], Int64.max)]),
        Row(name: "timestamp min", input: "cpu value=42 -9223372036854775808", metrics: [m("cpu", [], [("value", .float(42))], Int64.min)]),
        Row(name: "multiple lines", input: "cpu value=42\ncpu value=42", metrics: [m("cpu", [], [("value", .float(42))]), m("cpu", [], [("value", .float(42))])]),
        Row(
            name: "multiline with blank lines", input: "cpu value=42\n\n\n\ncpu value=43", metrics: [m("cpu", [], [("value", .float(42))]), m("cpu", [], [("value", .float(43))])]),
        Row(
            name: "line whitespace", input: "   cpu   value=42  1516241192000000000  \n\n cpu value=42",
            metrics: [m("cpu", [], [("value", .float(42))], 1_516_241_192_000_000_000), m("cpu", [], [("value", .float(42))])]),
        Row(name: "tabs, vertical tabs and form feeds as whitespace", input: "\tcpu\t\u{0B}value=42\u{0C}1\u{0B}", metrics: [m("cpu", [], [("value", .float(42))], 1)]),
        Row(name: "leading newline", input: "\ncpu value=42", metrics: [m("cpu", [], [("value", .float(42))])]),
        Row(name: "crlf line endings", input: "cpu value=42\r\ncpu value=43 5\r\n", metrics: [m("cpu", [], [("value", .float(42))]), m("cpu", [], [("value", .float(43))], 5)]),
        Row(name: "comment only", input: "# blah blah", metrics: []),
        Row(name: "commented line", input: "# blah blah\ncpu value=42", metrics: [m("cpu", [], [("value", .float(42))])]),
        Row(name: "middle comment", input: "cpu value=42\n  # blah blah\ncpu value=42", metrics: [m("cpu", [], [("value", .float(42))]), m("cpu", [], [("value", .float(42))])]),
        Row(name: "end with comment and whitespace", input: "cpu value=42\n# blah blah\n\n  ", metrics: [m("cpu", [], [("value", .float(42))])]),
        Row(name: "empty string", input: "", metrics: []),
        Row(name: "unicode", input: "cpu ☺=42", metrics: [m("cpu", [], [("☺", .float(42))])]),
        Row(
            name: "procstat subset",
            input: "procstat,exe=bash,process_name=bash voluntary_context_switches=42i,memory_rss=5103616i,cpu_time_user=0.02,cpu_time_nice=0 1517620624000000000",
            metrics: [
                m(
                    "procstat", [("exe", "bash"), ("process_name", "bash")],
                    [("voluntary_context_switches", .int(42)), ("memory_rss", .int(5_103_616)), ("cpu_time_user", .float(0.02)), ("cpu_time_nice", .float(0))],
                    1_517_620_624_000_000_000)
            ]),
    ]

    @Test(arguments: accepted)
    func accepts(_ row: Row) {
        let c = Self.parse(row.input)
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics)")
        #expect(c.metrics == row.metrics)
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let input: String
        let errors: [String]
        var metrics = 0
        var testDescription: String { input.debugDescription }
    }

    static let rejected: [Bad] = [
        Bad(input: "cpu", errors: ["1:4: expected fields"]),
        Bad(input: "cpu ", errors: ["1:5: expected fields"]),
        Bad(input: "cpu,x=y ", errors: ["1:9: expected fields"]),
        Bad(input: ",", errors: ["1:1: expected measurement name"]),
        Bad(input: "cpu value=howdy", errors: ["1:11: expected field value"]),
        Bad(input: "cpu value=", errors: ["1:11: expected field value"]),
        Bad(input: "cpu value", errors: ["1:10: expected '=' after field key"]),
        Bad(input: "cpu =1", errors: ["1:5: expected field key"]),
        Bad(input: "cpu a=1,", errors: ["1:9: expected field key"]),
        Bad(input: "cpu a=1,,b=2", errors: ["1:9: expected field key"]),
        Bad(input: "cpu value=42 value=43", errors: ["1:14: invalid timestamp"]),
        Bad(input: "cpu value=42 12345678901234567890", errors: ["1:14: invalid timestamp: out of range"]),
        Bad(input: "cpu value=42 9223372036854775808", errors: ["1:14: invalid timestamp: out of range"]),
        Bad(input: "cpu value=42 \"12345678901234567890\"", errors: ["1:14: invalid timestamp"]),
        Bad(input: "cpu value=1 2 3", errors: ["1:15: unexpected text after the timestamp"]),
        Bad(input: "cpu value=1 -", errors: ["1:14: invalid timestamp"]),
        Bad(input: "cpu,xyzzy value=42", errors: ["1:10: expected '=' after tag key"]),
        Bad(input: "cpu,xyzzy= value=42", errors: ["1:11: expected tag value"]),
        Bad(input: "cpu,h ost=localhost value=42", errors: ["1:6: expected '=' after tag key"]),
        Bad(input: "cpu,h,ost=localhost value=42", errors: ["1:6: expected '=' after tag key"]),
        Bad(input: "cpu,h=ost=localhost value=42", errors: ["1:10: unexpected '=' in tag value (escape it as \\=)"]),
        Bad(input: "cpu, value=42", errors: ["1:5: expected tag key"]),
        Bad(input: "cpu,a=", errors: ["1:7: expected tag value"]),
        Bad(input: "cpu,=a value=1", errors: ["1:5: expected tag key"]),
        Bad(input: #"cpu,a=b\ value=1"#, errors: ["1:15: unexpected '=' in tag value (escape it as \\=)"]),
        Bad(input: #"cpu,a=b\\ value=1"#, errors: ["1:16: unexpected '=' in tag value (escape it as \\=)"]),
        Bad(input: "cpu\\", errors: ["1:4: invalid escape: a backslash must be followed by a character"]),
        Bad(input: "cpu\\\tx value=1", errors: ["1:4: invalid escape: a backslash must be followed by a character"]),
        Bad(input: "cpu value=42E", errors: ["1:14: invalid number: exponent without digits"]),
        Bad(input: "cpu value=.", errors: ["1:12: invalid number"]),
        Bad(input: "cpu value=-", errors: ["1:12: invalid number"]),
        Bad(input: "cpu value=1.1.1", errors: ["1:14: invalid number"]),
        Bad(input: "cpu value=NaN", errors: ["1:11: expected field value"]),
        Bad(input: "cpu value=Inf", errors: ["1:11: expected field value"]),
        Bad(input: "cpu value=1e400", errors: ["1:11: invalid float: out of range"]),
        Bad(input: "cpu value=-1e400", errors: ["1:11: invalid float: out of range"]),
        Bad(input: "cpu value=01i", errors: ["1:11: invalid integer: leading zero"]),
        Bad(input: "cpu value=0009i", errors: ["1:11: invalid integer: leading zero"]),
        Bad(input: "cpu value=-1u", errors: ["1:11: invalid unsigned integer: negative"]),
        Bad(input: "cpu value=1.0i", errors: ["1:11: invalid integer: digits only before 'i'"]),
        Bad(input: "cpu value=9e10i", errors: ["1:11: invalid integer: digits only before 'i'"]),
        Bad(input: "cpu value=1iu", errors: ["1:13: invalid number"]),
        Bad(input: "cpu value=9223372036854775808i", errors: ["1:11: invalid integer: out of range"]),
        Bad(input: "cpu value=-9223372036854775809i", errors: ["1:11: invalid integer: out of range"]),
        Bad(input: "cpu value=18446744073709551616u", errors: ["1:11: invalid unsigned integer: out of range"]),
        Bad(input: "cpu value=tru", errors: ["1:11: invalid boolean (use t, T, true, True, TRUE, f, F, false, False or FALSE)"]),
        Bad(input: "cpu value=tRUE", errors: ["1:11: invalid boolean (use t, T, true, True, TRUE, f, F, false, False or FALSE)"]),
        Bad(input: #"cpu value="a"b"#, errors: ["1:14: unexpected 'b' after a field value"]),
        Bad(input: #"cpu value="C:\x""#, errors: [#"1:14: invalid escape in string: only \" and \\ are allowed"#]),
        Bad(input: #"cpu value="a\tb""#, errors: [#"1:13: invalid escape in string: only \" and \\ are allowed"#]),
        Bad(input: "cpu value=\"42 12345678901234567890", errors: ["1:11: unterminated string"]),
        Bad(input: "cpu value=\"a\nb\nc", errors: ["1:11: unterminated string"]),
        Bad(input: "cpu value=\"a\n\\q\"", errors: [#"2:1: invalid escape in string: only \" and \\ are allowed"#]),
        Bad(input: "cpu a=\"x\ny\",b=zz 1", errors: ["2:6: expected field value"]),
        Bad(input: "cpu value=42\rcpu value=43", errors: ["1:13: unexpected carriage return after a field value (a lone \\r does not end a line)"]),
        Bad(input: "cpu\r value=42", errors: ["1:4: unexpected carriage return after the measurement or tags (a lone \\r does not end a line)"]),
        Bad(input: "cpu\u{A0}value=1", errors: ["1:13: expected fields"]),
        // Telegraf's TestParserErrorString / TestStreamParserErrorString inputs: the good lines go on.
        Bad(input: "cpu value=42\ncpu value=invalid\ncpu value=42", errors: ["2:11: expected field value"], metrics: 2),
        Bad(input: "cpu value=9223372036854775808i\ncpu value=42", errors: ["1:11: invalid integer: out of range"], metrics: 1),
        Bad(input: "foo value=1asdf2.0\nfoo value=2.0\nfoo value=3asdf2.0\nfoo value=4.0", errors: ["1:12: invalid number", "3:12: invalid number"], metrics: 2),
        Bad(input: "cpu value=howdy,value2=42\ncpu\ncpu value=42", errors: ["1:11: expected field value", "2:4: expected fields"], metrics: 1),
        Bad(input: "cpu value=42\n# comment\ncpu value=invalid", errors: ["3:11: expected field value"], metrics: 1),
        Bad(input: "cpu value=42\r\ncpu value=invalid", errors: ["2:11: expected field value"], metrics: 1),
    ]

    @Test(arguments: rejected)
    func rejects(_ row: Bad) {
        let c = Self.parse(row.input)
        #expect(c.diagnostics.map(\.description) == row.errors)
        #expect(c.metrics.count == row.metrics)
    }

    @Test func precisionScalesTimestamps() {
        for (unit, want) in [("s", Int64(1_500_000_000_000_000_000)), ("ms", 1_500_000_000_000_000), ("us", 1_500_000_000_000), ("ns", 1_500_000_000)] {
            let c = Self.parse("cpu value=1 1500000000") { $0.influx.precision = TimestampPrecision(parsing: unit)! }
            #expect(c.metrics.first?.timestamp == want, "\(unit)")
        }
        let c = Self.parse("cpu value=1 9223372036854775807") { $0.influx.precision = .seconds }
        #expect(c.diagnostics.map(\.description) == ["1:13: invalid timestamp: out of range in s"])
        let none = Self.parse("cpu value=1") { $0.influx.precision = .seconds }
        #expect(none.metrics.first?.timestamp == nil)
    }

    @Test func defaultTagsFillMissingKeysOnly() {
        let c = Self.parse("cpu,host=a value=1") { $0.defaultTags = [Tag("host", "z"), Tag("dc", "eu")] }
        #expect(c.metrics == [Self.m("cpu", [("dc", "eu"), ("host", "a")], [("value", .float(1))])])
    }

    /// Headers seen again come from the header cache with the default tags already in place: the
    /// same tags, in the same order, as the first time, for sorted, unsorted, repeated-key, escaped
    /// (not cached) and canonically equivalent keys (compared and sorted by their bytes, so both are
    /// kept, the decomposed one first), and for a record whose string runs over lines.
    @Test func defaultTagsAreTheSameForRepeatedHeaders() {
        let lines = [
            "cpu,host=a value=1", "cpu,zz=1,host=b value=2", "cpu,host=a,host=b value=3", #"cpu,host=a\ b value=4"#,
            "cpu,cafe\u{301}=x value=5", "cpu,dc=mine value=6", "cpu,host=s s=\"x\ny\"",
        ]
        let c = Self.parse((lines + lines + lines).joined(separator: "\n")) { $0.defaultTags = [Tag("host", "z"), Tag("dc", "eu"), Tag("caf\u{E9}", "d")] }
        let expected = [
            [("caf\u{E9}", "d"), ("dc", "eu"), ("host", "a")], [("caf\u{E9}", "d"), ("dc", "eu"), ("host", "b"), ("zz", "1")],
            [("caf\u{E9}", "d"), ("dc", "eu"), ("host", "b")], [("caf\u{E9}", "d"), ("dc", "eu"), ("host", "a b")],
            [("cafe\u{301}", "x"), ("caf\u{E9}", "d"), ("dc", "eu"), ("host", "z")], [("caf\u{E9}", "d"), ("dc", "mine"), ("host", "z")],
            [("caf\u{E9}", "d"), ("dc", "eu"), ("host", "s")],
        ]
        #expect(c.diagnostics.isEmpty)
        #expect(c.metrics.count == 3 * lines.count)
        for (k, metric) in c.metrics.enumerated() {
            let want = expected[k % lines.count]
            #expect(metric.tags.map { Array($0.key.utf8) } == want.map { Array($0.0.utf8) }, "\(k)")
            #expect(metric.tags.map { Array($0.value.utf8) } == want.map { Array($0.1.utf8) }, "\(k)")
        }
    }

    @Test func stringSpanningLinesIsBoundedByMaxLineBytes() {
        let c = Self.parse("cpu a=\"0123\n456789\nabc\"\ncpu b=1") { $0.maxLineBytes = 16 }
        #expect(c.diagnostics.map(\.description) == ["2:5: line longer than 16 bytes inside a string field: skipped", "3:5: expected fields"])
        #expect(c.metrics == [Self.m("cpu", [], [("b", .float(1))])])
        let ok = Self.parse("cpu a=\"0123\n456\"") { $0.maxLineBytes = 16 }
        #expect(ok.metrics == [Self.m("cpu", [], [("a", .string("0123\n456"))])])
    }

    /// Repeated tokens come from a cache: many distinct tokens, colliding in it, must still come back right.
    @Test func tokenCacheNeverConfusesTokens() {
        var text = ""
        for i in 0..<5000 {
            text += "m\(i % 1500),host=h\(i % 2100)x,k\(i % 7)=v\(String(repeating: "z", count: i % 40)) f\(i % 3000)=\(i)i\n"
        }
        let c = Self.parse(text)
        #expect(c.diagnostics.isEmpty)
        for (i, metric) in c.metrics.enumerated() {
            let want = Self.m(
                "m\(i % 1500)", [("host", "h\(i % 2100)x"), ("k\(i % 7)", "v" + String(repeating: "z", count: i % 40))].sorted { $0.0 < $1.0 },
                [("f\(i % 3000)", .int(Int64(i)))])
            if metric != want {
                Issue.record("line \(i + 1): \(metric) != \(want)")
                break
            }
        }
    }

    /// No input may crash: every prefix of a tricky corpus, and bytes flipped through it, parse to
    /// metrics or diagnostics.
    @Test func truncationsAndFlippedBytesNeverCrash() {
        let corpus = Array("c\\ pu,t\\=k=v\\\\\\ x,a=b f=\"s\\\"q\\\\\n2\",i=-3i,u=4u,b=T,x=1.5e3 -12\r\n# c\n\ncpu v=.5 1\n".utf8)
        var options = FormatOptions()
        options.maxLineBytes = 64
        for cut in 0...corpus.count {
            var parser = try! InfluxParser(options: options)
            let c = MetricCollector()
            parser.parse(text: corpus[..<cut], into: c, maxLineBytes: 64)
            #expect(c.metrics.count + c.diagnostics.count >= 0)
        }
        for index in corpus.indices {
            for replacement: UInt8 in [0, 0x5C, 0x22, 0x0D, 0x0A, 0x20, 0x2C, 0x3D, 0xFF] {
                var mutated = corpus
                mutated[index] = replacement
                var parser = try! InfluxParser(options: options)
                let c = MetricCollector()
                parser.parse(text: mutated, into: c, maxLineBytes: 64)
                #expect(c.metrics.allSatisfy { !$0.fields.isEmpty })
            }
        }
    }
}
