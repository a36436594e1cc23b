import Testing

@testable import MetricFormats

/// Telegraf's plugins/parsers/json/parser_test.go as rows, the serializer shape read back, streaming
/// layouts, and error positions pinned with line:column.
@Suite struct JSONParserTests {
    /// `name,k=v f=1.0,i=1i,u=1u,s="x",b=true ts`: types visible, as the canonical line protocol.
    static func describe(_ m: Metric) -> String {
        var s = m.name
        for t in m.tags { s += ",\(t.key)=\(t.value)" }
        s +=
            " "
            + m.fields.map { f in
                switch f.value {
                case .float(let v): return "\(f.key)=\(v)"
                case .int(let v): return "\(f.key)=\(v)i"
                case .uint(let v): return "\(f.key)=\(v)u"
                case .string(let v): return "\(f.key)=\"\(v)\""
                case .bool(let v): return "\(f.key)=\(v)"
                }
            }.joined(separator: ",")
        if let ts = m.timestamp { s += " \(ts)" }
        return s
    }

    static func parse(_ text: String, maxLineBytes: Int = 1 << 20, _ configure: (inout FormatOptions) -> Void = { _ in }) -> (metrics: [String], errors: [String]) {
        var options = FormatOptions()
        options.maxLineBytes = maxLineBytes
        configure(&options)
        var parser = try! JSONParser(options: options)
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c, maxLineBytes: maxLineBytes)
        return (c.metrics.map(describe), c.diagnostics.map(\.description))
    }

    static let validJSONTags = """

        {
            "a": 5,
            "b": {
                "c": 6
            },
            "mytag": "foobar",
            "othertag": "baz"
        }

        """
    static let validJSONArrayTags = """

        [
        {
            "a": 5,
            "b": {
                "c": 6
            },
            "mytag": "foo",
            "othertag": "baz"
        },
        {
            "a": 7,
            "b": {
                "c": 8
            },
            "mytag": "bar",
            "othertag": "baz"
        }
        ]

        """

    /// The newer Telegraf inputs, with tags nested in an object and in an array.
    static let validJSONTagsNested = """

        {
            "a": 5,
            "b": {
              "c": 6
            },
            "mytag": "foobar",
            "othertag": "baz",
            "tags_object": {
                "mytag": "foobar",
                "othertag": "baz"
            }
        }

        """
    static let validJSONArrayTagsNested = """

        [
        {
            "a": 5,
            "b": {
                "c": 6
            },
            "mytag": "foo",
            "othertag": "baz",
            "tags_array": [
                {
                "mytag": "foo"
                },
                {
                "othertag": "baz"
                }
            ],
            "anothert": "foo"
        },
        {
            "a": 7,
            "b": {
                "c": 8
            },
            "mytag": "bar",
            "othertag": "baz",
            "tags_array": [
            {
            "mytag": "bar"
            },
            {
            "othertag": "baz"
            }
            ],
            "anothert": "bar"
            }
        ]

        """

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        var tagKeys: [String] = []
        var stringFields: [String] = []
        var defaultTags: [MetricFormats.Tag] = []
        var nameKey: String? = nil
        var query: String? = nil
        var timeKey: String? = nil
        var timeFormat: String? = nil
        var expect: [String]
        var errors: [String] = []
        var testDescription: String { name }
    }

    static let telegrafRows: [Row] = [
        Row(name: "TestParseValidJSON", input: #"{"a": 5, "b": {"c": 6}}"#, expect: ["json_test a=5.0,b_c=6.0"]),
        Row(name: "newlines", input: "\n{\"d\": 7, \"b\": {\"d\": 8}}\n", expect: ["json_test d=7.0,b_d=8.0"]),
        Row(name: "strings without tag keys are ignored", input: validJSONTags, expect: ["json_test a=5.0,b_c=6.0"]),
        Row(name: "whitespace only", input: "\n\t", expect: []),
        Row(name: "empty", input: "", expect: []),
        Row(
            name: "TestParseInvalidJSON", input: "I don't think this is JSON", expect: [],
            errors: ["1:1: invalid character 'I' looking for beginning of value"]),
        Row(
            name: "TestParseInvalidJSON 2", input: #"{"a": 5, "b": "c": 6}}"#, expect: [],
            errors: ["1:18: invalid character ':' after object key:value pair"]),
        Row(name: "wrong tag key", input: validJSONTags, tagKeys: ["wrongtagkey"], expect: ["json_test a=5.0,b_c=6.0"]),
        Row(name: "one tag key", input: validJSONTags, tagKeys: ["mytag"], expect: ["json_test,mytag=foobar a=5.0,b_c=6.0"]),
        Row(name: "two tag keys", input: validJSONTags, tagKeys: ["mytag", "othertag"], expect: ["json_test,mytag=foobar,othertag=baz a=5.0,b_c=6.0"]),
        Row(
            name: "default tags", input: #"{"a": 5, "b": {"c": 6}}"#, tagKeys: ["mytag"], defaultTags: [MetricFormats.Tag("t4g", "default")],
            expect: ["json_test,t4g=default a=5.0,b_c=6.0"]),
        Row(
            name: "default tags and tag keys", input: validJSONTags, tagKeys: ["mytag"], defaultTags: [MetricFormats.Tag("t4g", "default")],
            expect: ["json_test,mytag=foobar,t4g=default a=5.0,b_c=6.0"]),
        Row(
            name: "default tag overridden", input: validJSONTags, tagKeys: ["mytag"], defaultTags: [MetricFormats.Tag("mytag", "default")],
            expect: ["json_test,mytag=foobar a=5.0,b_c=6.0"]),
        Row(
            name: "default tag kept", input: #"{"a": 5, "b": {"c": 6}}"#, tagKeys: ["mytag"], defaultTags: [MetricFormats.Tag("mytag", "default")],
            expect: ["json_test,mytag=default a=5.0,b_c=6.0"]),
        Row(name: "TestParseValidJSONArray", input: #"[{"a": 5, "b": {"c": 6}}]"#, expect: ["json_test a=5.0,b_c=6.0"]),
        Row(
            name: "array multiple", input: #"[{"a": 5, "b": {"c": 6}}, {"a": 7, "b": {"c": 8}}]"#,
            expect: ["json_test a=5.0,b_c=6.0", "json_test a=7.0,b_c=8.0"]),
        Row(
            name: "array wrong tag key", input: validJSONArrayTags, tagKeys: ["wrongtagkey"],
            expect: ["json_test a=5.0,b_c=6.0", "json_test a=7.0,b_c=8.0"]),
        Row(
            name: "array one tag key", input: validJSONArrayTags, tagKeys: ["mytag"],
            expect: ["json_test,mytag=foo a=5.0,b_c=6.0", "json_test,mytag=bar a=7.0,b_c=8.0"]),
        Row(
            name: "array two tag keys", input: validJSONArrayTags, tagKeys: ["mytag", "othertag"],
            expect: ["json_test,mytag=foo,othertag=baz a=5.0,b_c=6.0", "json_test,mytag=bar,othertag=baz a=7.0,b_c=8.0"]),
        Row(name: "TestHttpJsonBOM", input: "\u{FEFF}[{\"value\":17}]", expect: ["json_test value=17.0"]),
        Row(
            name: "TestJSONParseNestedArray",
            input: """
                {
                "total_devices": 5,
                "total_threads": 10,
                "shares": {
                    "total": 5, "accepted": 5, "rejected": 0, "avg_find_time": 4,
                    "tester": "work", "tester2": "don't want this",
                    "tester3": {"hello":"sup", "fun":"money", "break":9}
                }
                }
                """, tagKeys: ["total_devices", "total_threads", "shares_tester3_fun"],
            expect: [
                "json_test,shares_tester3_fun=money,total_devices=5,total_threads=10 shares_total=5.0,shares_accepted=5.0,shares_rejected=0.0,shares_avg_find_time=4.0,shares_tester3_break=9.0"
            ]),
        Row(
            name: "TestJSONQueryErrorOnArray", input: #"{"shares": {"total": 5, "myArr":[4,5,6]}}"#, query: "shares.myArr", expect: [],
            errors: ["1:1: array element 0 is a number, not an object", "1:1: array element 1 is a number, not an object", "1:1: array element 2 is a number, not an object"]),
        Row(
            name: "TestArrayOfObjects",
            input: """
                {"meta": {"info":9, "shares": [{"channel": 6, "time": 1130, "ice":"man"},
                {"channel": 5, "time": 1030, "ice":"bucket"}, {"channel": 10, "time": 330, "ice":"cream"}]},
                "more_stuff":"junk"}
                """, tagKeys: ["ice"], query: "meta.shares",
            expect: ["json_test,ice=man channel=6.0,time=1130.0", "json_test,ice=bucket channel=5.0,time=1030.0", "json_test,ice=cream channel=10.0,time=330.0"]),
        Row(
            name: "TestUseCaseJSONQuery",
            input: """
                {"obj": {"name": {"first": "Tom", "last": "Anderson"}, "age":37, "children": ["Sara","Alex","Jack"],
                "fav.movie": "Deer Hunter", "friends": [
                {"first": "Dale", "last": "Murphy", "age": 44},
                {"first": "Roger", "last": "Craig", "age": 68},
                {"first": "Jane", "last": "Murphy", "age": 47}]}}
                """, tagKeys: ["first"], stringFields: ["last"], query: "obj.friends",
            expect: ["json_test,first=Dale last=\"Murphy\",age=44.0", "json_test,first=Roger last=\"Craig\",age=68.0", "json_test,first=Jane last=\"Murphy\",age=47.0"]),
        Row(name: "GJSON escaped dot and index", input: #"{"obj": {"fav.movie": {"x": 1}, "l": [{"y": 2}, {"y": 3}]}}"#, query: #"obj.l.1"#, expect: ["json_test y=3.0"]),
        Row(
            name: "TestTimeParser",
            input: """
                [{"a": 5, "b": {"c": 6, "time":"04 Jan 06 15:04 MST"}, "my_tag_1": "foo"},
                 {"a": 7, "b": {"c": 8, "time":"11 Jan 07 15:04 MST"}, "my_tag_1": "bar"}]
                """, timeKey: "b_time", timeFormat: "02 Jan 06 15:04 MST",
            expect: ["json_test a=5.0,b_c=6.0 1136387040000000000", "json_test a=7.0,b_c=8.0 1168527840000000000"]),
        Row(
            name: "TestUnixTimeParser",
            input: """
                [{"a": 5, "b": {"c": 6, "time": "1536001411.1234567890"}}, {"a": 7, "b": {"c": 8, "time": 1536002769.123}}]
                """, timeKey: "b_time", timeFormat: "unix",
            expect: ["json_test a=5.0,b_c=6.0 1536001411123456789", "json_test a=7.0,b_c=8.0 1536002769123000000"]),
        Row(
            name: "TestUnixMsTimeParser",
            input: """
                [{"a": 5, "b": {"c": 6, "time": "1536001411100"}}, {"a": 7, "b": {"c": 8, "time": 1536002769123}}]
                """, timeKey: "b_time", timeFormat: "unix_ms",
            expect: ["json_test a=5.0,b_c=6.0 1536001411100000000", "json_test a=7.0,b_c=8.0 1536002769123000000"]),
        // A fraction that carries the last whole second past nanoseconds is out of range, not a trap.
        Row(
            name: "unix time at the end of nanoseconds",
            input: """
                [{"a": 1, "t": "9223372036.854775807"}, {"a": 2, "t": 9223372036.854775807}, {"a": 3, "t": "-9223372036.9"},
                 {"a": 4, "t": "9223372036.85"}]
                """, timeKey: "t", timeFormat: "unix",
            expect: ["json_test a=1.0 9223372036854775807", "json_test a=4.0 9223372036850000000"],
            errors: ["1:55: time 9223372036.854776 is out of range", "1:92: time -9223372036.9 is out of range"]),
        Row(
            name: "TestTimeErrors layout", input: #"{"a": 5, "b": {"c": 6, "time":"04 Jan 06 15:04 MST"}}"#,
            timeKey: "b_time", timeFormat: "02 January 06 15:04 MST", expect: [],
            errors: ["1:31: cannot parse '04 Jan 06 15:04 MST' as month"]),
        Row(
            name: "TestTimeErrors missing key", input: #"{"a": 5, "b": {"c": 6}}"#,
            timeKey: "b_time", timeFormat: "02 January 06 15:04 MST", expect: [], errors: ["1:1: JSON time key could not be found"]),
        Row(
            name: "TestNameKey", input: #"{"a": 5, "b": {"c": "this is my name", "time":"04 Jan 06 15:04 MST"}, "my_tag_1": "foo"}"#,
            nameKey: "b_c", expect: ["this is my name a=5.0"]),
        Row(
            name: "TestTimeKeyDelete", input: #"{"timestamp": 1541183052, "value": 42}"#, timeKey: "timestamp", timeFormat: "unix",
            expect: ["json_test value=42.0 1541183052000000000"]),
        Row(
            name: "issue: common Telegraf setup", input: #"{"metric_name": "speed", "value": 10}"#, nameKey: "metric_name",
            expect: ["speed value=10.0"]),
        Row(
            name: "bool and string fields by glob", input: #"{"ok": true, "s": "x", "n": 1, "list": [1, null, {"k": false}]}"#,
            stringFields: ["ok", "s*", "list_*"], expect: ["json_test ok=true,s=\"x\",n=1.0,list_0=1.0,list_2_k=false"]),
        Row(name: "numbers and bools as tags", input: #"{"n": 5.5, "b": true, "v": 1}"#, tagKeys: ["n", "b"], expect: ["json_test,b=true,n=5.5 v=1.0"]),
        // TestParseWithWildcardTagKeys / TestParseLineWithWildcardTagKeys
        Row(
            name: "wildcard tags nested within object", input: validJSONTagsNested, tagKeys: ["tags_object_*"],
            expect: ["json_test,tags_object_mytag=foobar,tags_object_othertag=baz a=5.0,b_c=6.0"]),
        Row(
            name: "wildcard keys containing tag", input: validJSONTagsNested, tagKeys: ["*tag"],
            expect: ["json_test,mytag=foobar,othertag=baz,tags_object_mytag=foobar,tags_object_othertag=baz a=5.0,b_c=6.0"]),
        Row(
            name: "wildcard: strings not matching are ignored", input: validJSONTagsNested, tagKeys: ["wrongtagkey", "tags_object_*"],
            expect: ["json_test,tags_object_mytag=foobar,tags_object_othertag=baz a=5.0,b_c=6.0"]),
        Row(
            name: "wildcard: single tag key also applied", input: validJSONTagsNested, tagKeys: ["mytag", "tags_object_*"],
            expect: ["json_test,mytag=foobar,tags_object_mytag=foobar,tags_object_othertag=baz a=5.0,b_c=6.0"]),
        // TestParseArrayWithWildcardTagKeys
        Row(
            name: "array wildcard keys containing tag", input: validJSONArrayTagsNested, tagKeys: ["*tag"],
            expect: [
                "json_test,mytag=foo,othertag=baz,tags_array_0_mytag=foo,tags_array_1_othertag=baz a=5.0,b_c=6.0",
                "json_test,mytag=bar,othertag=baz,tags_array_0_mytag=bar,tags_array_1_othertag=baz a=7.0,b_c=8.0",
            ]),
        Row(
            name: "array wildcard nested array", input: validJSONArrayTagsNested, tagKeys: ["tags_array_*"],
            expect: [
                "json_test,tags_array_0_mytag=foo,tags_array_1_othertag=baz a=5.0,b_c=6.0",
                "json_test,tags_array_0_mytag=bar,tags_array_1_othertag=baz a=7.0,b_c=8.0",
            ]),
        Row(
            name: "array wildcard with plain key", input: validJSONArrayTagsNested, tagKeys: ["mytag", "*tag"],
            expect: [
                "json_test,mytag=foo,othertag=baz,tags_array_0_mytag=foo,tags_array_1_othertag=baz a=5.0,b_c=6.0",
                "json_test,mytag=bar,othertag=baz,tags_array_0_mytag=bar,tags_array_1_othertag=baz a=7.0,b_c=8.0",
            ]),
        Row(
            name: "array wildcard single key also applied", input: validJSONArrayTagsNested, tagKeys: ["anothert", "*tag"],
            expect: [
                "json_test,anothert=foo,mytag=foo,othertag=baz,tags_array_0_mytag=foo,tags_array_1_othertag=baz a=5.0,b_c=6.0",
                "json_test,anothert=bar,mytag=bar,othertag=baz,tags_array_0_mytag=bar,tags_array_1_othertag=baz a=7.0,b_c=8.0",
            ]),
        // TestParse
        Row(
            name: "tag keys with underscore issue 6705", input: #"{"metric": {"__name__": "howdy", "time_idle": 42}}"#,
            tagKeys: ["metric___name__"], expect: ["json_test,metric___name__=howdy metric_time_idle=42.0"]),
        Row(name: "parse empty array", input: "[]", expect: []),
        Row(name: "parse null", input: "null", expect: []),
        Row(
            name: "parse null with query", input: #"{"error":null,"result":{"data":null,"items_per_page":10,"total_items":0,"total_pages":0}}"#,
            query: "result.data", expect: []),
        Row(name: "parse simple array", input: #"[{"answer": 42}]"#, expect: ["json_test answer=42.0"]),
        Row(
            name: "string field glob", input: "\n{\n    \"color\": \"red\",\n    \"status\": \"error\"\n}\n", stringFields: ["*"],
            expect: ["json_test color=\"red\",status=\"error\""]),
        Row(
            name: "TestParseArrayWithWrongType", input: #"[{"answer": 42}, 123]"#, expect: ["json_test answer=42.0"],
            errors: ["1:18: array element is a number, not an object"]),
        Row(
            name: "mixed validity (not strict)", input: #"[{"a": 5, "time": "2006-01-02T15:04:05"}, {"a": 2}]"#,
            timeKey: "time", timeFormat: "2006-01-02T15:04:05", expect: ["json_test a=5.0 1136214245000000000"],
            errors: ["1:43: JSON time key could not be found"]),
    ]

    @Test(arguments: telegrafRows)
    func telegrafParserVectors(_ row: Row) {
        let (metrics, errors) = Self.parse(row.input) { o in
            o.metricName = "json_test"
            o.json.tagKeys = row.tagKeys
            o.json.stringFields = row.stringFields
            o.defaultTags = row.defaultTags
            o.json.nameKey = row.nameKey
            o.json.query = row.query
            o.json.timeKey = row.timeKey
            o.json.timeFormat = row.timeFormat
        }
        #expect(metrics == row.expect)
        #expect(errors == row.errors)
    }

    @Test func timezone() {
        // TestTimeParserWithTimezone: America/New_York in January is UTC-5.
        var tzif: [UInt8] = Array("TZif2".utf8) + [UInt8](repeating: 0, count: 15)
        // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
        for v: UInt32 in [0, 0, 0, 0, 1, 4] { tzif += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        tzif += [0xFF, 0xFF, 0xB9, 0xB0, 0, 0] + Array("EST\0".utf8)  // -18000, not dst, abbr 0
        let v2 = tzif  // the 64-bit block has the same counts and no transitions
        tzif += v2
        let zone = GoTimeZone(tzif: tzif)
        #expect(zone != nil)
        let (metrics, errors) = Self.parse(#"{"time": "04 Jan 06 15:04", "v": 1}"#) { o in
            o.json.timeKey = "time"
            o.json.timeFormat = "02 Jan 06 15:04"
            o.json.timezone = zone ?? .utc
        }
        #expect(metrics == ["json v=1.0 1136405040000000000"])
        #expect(errors.isEmpty)
    }

    // MARK: the serializer's shape read back

    @Test func serializerShapeIsReadBackLosslessly() {
        let input = """
            {"fields":{"b":true,"f":1.5,"i":-42,"n":null,"nested":{"z":1,"a":[1,2]},"s":"a\\u003cb\\n","u":18446744073709551615,"w":1e3},"name":"cpu","tags":{"host":"a","cpu":"cpu0"},"timestamp":1525478795}
            {"metrics":[{"fields":{"v":1},"name":"m","tags":{},"timestamp":0},{"fields":{"v":2},"name":"m","tags":{}}]}
            {"fields":{"v":1},"name":"x","timestamp":"2018-05-05T00:06:35.5Z"}
            """
        let (metrics, errors) = Self.parse(input) { $0.defaultTags = [MetricFormats.Tag("dc", "eu")] }
        #expect(
            metrics == [
                "cpu,cpu=cpu0,dc=eu,host=a b=true,f=1.5,i=-42i,nested=\"{\"a\":[1,2],\"z\":1}\",s=\"a<b\n\",u=18446744073709551615u,w=1000.0 1525478795000000000",
                "m,dc=eu v=1i 0", "m,dc=eu v=2i",
                "x,dc=eu v=1i 1525478795500000000",
            ])
        #expect(errors.isEmpty)
    }

    @Test func timestampUnitsScaleReadBack() {
        let (metrics, _) = Self.parse(#"{"fields":{"v":1},"name":"m","tags":{},"timestamp":1525478795123}"#) { $0.json.timestampUnits = 1_000_000 }
        #expect(metrics == ["m v=1i 1525478795123000000"])
    }

    @Test(arguments: [
        (JSONOptions.InputShape.flat, ["json fields_v=1.0,timestamp=5.0"], [String]()),
        (.metric, ["m v=1i 5000000000"], []),
        (.auto, ["m v=1i 5000000000"], []),
    ])
    func inputShape(_ shape: JSONOptions.InputShape, _ expect: [String], _ errors: [String]) {
        let (metrics, errs) = Self.parse(#"{"fields":{"v":1},"name":"m","tags":{},"timestamp":5}"#) { $0.json.inputShape = shape }
        #expect(metrics == expect)
        #expect(errs == errors)
    }

    @Test func telegrafOptionSelectsFlatInAuto() {
        let (metrics, _) = Self.parse(#"{"fields":{"v":1},"name":"m","tags":{"h":"a"}}"#) { $0.json.tagKeys = ["tags_h"] }
        #expect(metrics == ["json,tags_h=a fields_v=1.0"])
    }

    @Test func metricShapeRequired() {
        let (metrics, errors) = Self.parse("{\"a\":1}\n{\"fields\":{\"v\":1},\"name\":\"m\",\"tags\":{\"k\":1}}\n{\"fields\":{},\"name\":\"e\"}") { $0.json.inputShape = .metric }
        #expect(metrics.isEmpty)
        #expect(
            errors == [
                #"1:1: not a metric object: expected {"fields":{...},"name":"...","tags":{...},"timestamp":N} (or use --json-input-shape flat)"#,
                "2:42: tag 'k' must be a string, not a number",
                "3:1: metric 'e' has no fields",
            ])
    }

    // MARK: streaming layouts and errors

    @Test func layouts() {
        let input = """
            \u{FEFF}{"a":1}
            {"a":2}   {"a":3}
            {
              "a": 4,
              "s": "}{["
            }
            null
            [ ] [
              {"a": 5}
              ,
              {"a": 6}, {"a": 7}
            ]
            """
        let (metrics, errors) = Self.parse(input)
        #expect(metrics == (1...7).map { "json a=\(Double($0))" })
        #expect(errors.isEmpty)
    }

    @Test func errorsAreReportedAtTheirByteAndReadingGoesOn() {
        let input = """
            {"a": 1,}
            {"a": 2}
            {"a": tru}
            {"a": "x\\q"}
            [1, {"a": 3}, "s"]
            {"a": 4,
            {"a": 5}
            {"a": "open
            {"a": 6} ] {"a": 7}
            true
            {"a": 1e999999}
            {"a": -}
            {"a": 8}
            """
        let (metrics, errors) = Self.parse(input)
        #expect(metrics == ["json a=2.0", "json a=3.0", "json a=5.0", "json a=6.0", "json a=8.0"])
        #expect(
            errors == [
                "1:9: invalid character '}' looking for beginning of object key string",
                "3:10: invalid character '}' in literal true (expecting 'e')",
                "4:10: invalid character 'q' in string escape code",
                "5:2: array element is a number, not an object",
                "5:15: array element is a string, not an object",
                "6:9: unexpected end of JSON input: the object opened at 6:1 is not closed",
                "8:12: invalid character '\\n' in string literal",
                "9:10: invalid character ']' looking for beginning of value",
                "10:1: expected a JSON object, an array of objects or null, found a boolean",
                "11:7: number 1e999999 is out of range of a float64",
                "12:8: invalid character '}' in numeric literal",
            ])
    }

    @Test func unclosedAtEnd() {
        let (metrics, errors) = Self.parse("[\n{\"a\": 1},\n{\"a\": 2")
        #expect(metrics == ["json a=1.0"])
        #expect(
            errors == [
                "3:8: unexpected end of JSON input: the object opened at 3:1 is not closed",
                "3:8: unexpected end of JSON input: the array opened at 1:1 is not closed",
            ])
    }

    @Test func recordLongerThanTheLimitIsSkipped() {
        let x = String(repeating: "x", count: 40)
        let input = "{\n\"a\": \"\(x)\",\n\"b\": \"\(x)\"\n}\n{\"c\": 2}"
        let (metrics, errors) = Self.parse(input, maxLineBytes: 64)
        #expect(metrics == ["json c=2.0"])
        #expect(errors == ["3:14: JSON value longer than 64 bytes: skipped (raise --max-line)"])
    }

    @Test func strictDropsAFailingArray() {
        let input = "[{\"a\":1},{\"a\":\"s\"}]\n[{\"a\":2}]"
        let (metrics, errors) = Self.parse(input) { $0.json.strict = true }
        #expect(metrics == ["json a=2.0"])
        #expect(
            errors == [
                "1:10: object has no numeric field (strings and booleans are kept only with --json-string-fields or --tag-keys)",
                "1:1: --json-strict: an element of this array failed, so its 1 other metrics are dropped",
            ])
    }

    /// A huge top-level array is read element by element: a limit far below its size is never hit.
    @Test func hugeTopLevelArrayStreams() {
        var input = "[\n"
        let n = 20_000
        for i in 0..<n { input += "  {\"fields\": {\"v\": \(i)}, \"name\": \"m\", \"tags\": {}}" + (i + 1 < n ? ",\n" : "\n") }
        input += "]\n"
        var options = FormatOptions()
        options.maxLineBytes = 100
        var parser = try! JSONParser(options: options)
        let c = MetricCollector()
        parser.parse(text: Array(input.utf8), into: c, maxLineBytes: 100)
        #expect(c.diagnostics.isEmpty)
        #expect(c.metrics.count == n)
        #expect(c.metrics.last?.field("v") == .int(Int64(n - 1)))
    }

    /// A pretty-printed document fed line by line gives the same metrics as the same data on one line.
    @Test func multiLineDocumentFedLineByLine() {
        let pretty = """
            [
              {
                "fields": {
                  "v": 1,
                  "s": "a\\"b"
                },
                "name": "m",
                "tags": {
                  "t": "x"
                },
                "timestamp": 7
              }
            ]
            """
        let compact = #"[{"fields":{"v":1,"s":"a\"b"},"name":"m","tags":{"t":"x"},"timestamp":7}]"#
        #expect(Self.parse(pretty).metrics == ["m,t=x v=1i,s=\"a\"b\" 7000000000"])
        #expect(Self.parse(pretty).metrics == Self.parse(compact).metrics)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let (_, errors) = Self.parse("{\"a\":" + deep + "}")
        #expect(errors == ["1:517: exceeded max depth of 512"])
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("{}[],:\"\\ \n\tab01-.eEtrufalsn".utf8) + [0x00, 0xFF, 0xEF, 0xBB, 0xBF]
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            var parser = try! JSONParser(options: FormatOptions())
            parser.parse(text: bytes, into: MetricCollector(), maxLineBytes: 64)
        }
    }
}
