import Testing

@testable import MetricFormats

/// Telegraf's csv parser vectors (plugins/parsers/csv/parser_test.go) that fit the streaming model,
/// plus quoting, multi-line records and error positions.
@Suite struct CSVParserTests {
    typealias T = MetricFormats.Tag

    static func parse(_ text: String, maxLineBytes: Int = 1 << 20, _ configure: (inout FormatOptions) -> Void = { _ in }) -> MetricCollector {
        var options = FormatOptions()
        options.maxLineBytes = maxLineBytes
        configure(&options)
        var parser = try! CSVParser(options: options)
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c, maxLineBytes: maxLineBytes)
        return c
    }

    static func fields(_ c: MetricCollector) -> [[Field]] { c.metrics.map(\.fields) }

    @Test func basicCSVWithTagColumn() {
        let c = Self.parse("1.4,true,hi") {
            $0.csv.columnNames = ["first", "second", "third"]
            $0.csv.tagColumns = ["third"]
        }
        #expect(c.diagnostics.isEmpty)
        #expect(c.metrics == [Metric(name: "csv", tags: [T("third", "hi")], fields: [Field("first", .float(1.4)), Field("second", .bool(true))])])
    }

    @Test func headerConcatenationAndMeasurementColumn() {
        let c = Self.parse("first,second\n1,2,3\n3.4,70,test_name") {
            $0.csv.headerRowCount = 2
            $0.csv.measurementColumn = "3"
        }
        #expect(c.metrics == [Metric(name: "test_name", fields: [Field("first1", .float(3.4)), Field("second2", .int(70))])])
    }

    @Test func columnNamesOverrideTheHeader() {
        let c = Self.parse("line1,line2,line3\n3.4,70,test_name") {
            $0.csv.headerRowCount = 1
            $0.csv.columnNames = ["first", "second", "third"]
            $0.csv.measurementColumn = "third"
        }
        #expect(c.metrics == [Metric(name: "test_name", fields: [Field("first", .float(3.4)), Field("second", .int(70))])])
    }

    @Test(arguments: [
        ("02/01/06 03:04:05 PM", "23/05/09 04:05:06 PM", Int64(1_243_094_706_000_000_000)),
        ("02/01/06 03:04:05 PM", "07/11/09 04:05:06 PM", 1_257_609_906_000_000_000),
        ("200601021504", "200905231605", 1_243_094_700_000_000_000),
        ("200601021504", "200907111605", 1_247_328_300_000_000_000),
        ("unix", "1243094706", 1_243_094_706_000_000_000),
        ("unix_ms", "1243094706123", 1_243_094_706_123_000_000),
        ("unix_us", "1243094706123456", 1_243_094_706_123_456_000),
        ("unix_ns", "1243094706123456789", 1_243_094_706_123_456_789),
        ("unix", "1551129661.95456123352050781250", 1_551_129_661_954_561_233),
        ("2006-01-02T15:04:05Z07:00", "2009-05-23T16:05:06+02:00", 1_243_087_506_000_000_000),
        ("2006-01-02T15:04:05Z07:00", "2009-05-23T16:05:06.5Z", 1_243_094_706_500_000_000),
        ("Jan _2 15:04:05.000 2006 MST", "May 23 16:05:06.250 2009 UTC", 1_243_094_706_250_000_000),
        ("Monday, 02-Jan-06 15:04:05 -0700", "Saturday, 23-May-09 16:05:06 -0100", 1_243_098_306_000_000_000),
    ])
    func timestampFormats(_ format: String, _ value: String, _ ns: Int64) {
        let c = Self.parse("line1,line2,line3\n\"\(value)\",70,test_name") {
            $0.csv.columnNames = ["first", "second", "third"]
            $0.csv.headerRowCount = 1
            $0.csv.measurementColumn = "third"
            $0.csv.timestampColumn = "first"
            $0.csv.timestampFormat = CSVOptions.TimestampFormat(parsing: format)
        }
        #expect(c.diagnostics.isEmpty)
        #expect(c.metrics == [Metric(name: "test_name", fields: [Field("second", .int(70))], timestamp: ns)])
    }

    /// `csv_timezone` places a layout without a zone; a zone in the text still wins.
    @Test func timezoneAppliesToLayoutsWithoutAZone() {
        func ns(_ value: String, _ layout: String) -> Int64? {
            let c = Self.parse("t,v\n\(value),1") {
                $0.csv.headerRowCount = 1
                $0.csv.timestampColumn = "t"
                $0.csv.timestampFormat = CSVOptions.TimestampFormat(parsing: layout)
                $0.csv.timezone = .fixed(seconds: 5 * 3600 + 1800)
            }
            #expect(c.diagnostics.isEmpty)
            return c.metrics.first?.timestamp
        }
        // 2024-01-01 05:30 at +05:30 is midnight UTC.
        #expect(ns("2024-01-01 05:30", "2006-01-02 15:04") == 1_704_067_200_000_000_000)
        #expect(ns("2024-01-01 05:30 +0000", "2006-01-02 15:04 -0700") == 1_704_087_000_000_000_000)
    }

    @Test func timestampColumnWithoutFormatIsAConfigurationError() {
        var options = FormatOptions()
        options.csv.timestampColumn = "first"
        options.csv.headerRowCount = 1
        #expect(throws: FormatError.invalidOption("--csv-timestamp-format", "required with --csv-timestamp-column (example: --csv-timestamp-format unix)")) {
            _ = try CSVParser(options: options)
        }
    }

    @Test func quotedDelimiterAndCustomDelimiter() {
        let quoted = Self.parse("line1,line2,line3\n\"3,4\",70,test_name") {
            $0.csv.columnNames = ["first", "second", "third"]
            $0.csv.headerRowCount = 1
            $0.csv.measurementColumn = "third"
        }
        #expect(quoted.metrics.first?.field("first") == .string("3,4"))
        let percent = Self.parse("line1%line2%line3\n3,4%70%test_name") {
            $0.csv.columnNames = ["first", "second", "third"]
            $0.csv.headerRowCount = 1
            $0.csv.delimiter = UInt8(ascii: "%")
            $0.csv.measurementColumn = "third"
        }
        #expect(percent.metrics.first?.field("first") == .string("3,4"))
    }

    @Test func valueConversionGuessedAndExplicit() {
        let expected = [Field("first", .float(3.3)), Field("second", .int(4)), Field("third", .bool(true)), Field("fourth", .string("hello"))]
        let guessed = Self.parse("3.3,4,true,hello") {
            $0.csv.columnNames = ["first", "second", "third", "fourth"]
            $0.metricName = "test_value"
        }
        #expect(guessed.metrics == [Metric(name: "test_value", fields: expected)])
        let explicit = Self.parse("3.3,4,true,hello") {
            $0.csv.columnNames = ["first", "second", "third", "fourth"]
            $0.csv.columnTypes = [.float, .int, .bool, .string]
            $0.metricName = "test_value"
        }
        #expect(explicit.metrics == [Metric(name: "test_value", fields: expected)])
        let typed = Self.parse("4,4") {
            $0.csv.columnNames = ["a", "b"]
            $0.csv.columnTypes = [.float, .string]
        }
        #expect(Self.fields(typed) == [[Field("a", .float(4)), Field("b", .string("4"))]])
    }

    /// Go's ParseInt, then ParseFloat, then ParseBool, else the string.
    @Test(arguments: [
        ("+5", FieldValue.int(5)), ("-0", .int(0)), ("9223372036854775808", .float(9_223_372_036_854_775_808)), ("1e3", .float(1000)),
        (".5", .float(0.5)), ("5.", .float(5)), ("-Inf", .float(-.infinity)), ("infinity", .float(.infinity)), ("1e400", .string("1e400")),
        ("f", .bool(false)), ("TRUE", .bool(true)), ("yes", .string("yes")), ("1_000", .float(1000)), ("1__000", .string("1__000")), ("0x1p-2", .float(0.25)), ("", .string("")),
        ("1e", .string("1e")),
        ("nanx", .string("nanx")),
    ])
    func guessedTypes(_ text: String, _ value: FieldValue) {
        #expect(CSVParser.guessType(text) == value)
    }

    @Test func nanIsAFloat() {
        guard case .float(let v) = CSVParser.guessType("NaN") else {
            Issue.record("NaN is not a float")
            return
        }
        #expect(v.isNaN)
    }

    @Test func skipCommentAndTrimSpace() {
        let names = ["first", "second", "third", "fourth"]
        let comment = Self.parse("#3.3,4,true,hello\n4,9.9,true,name_this") {
            $0.csv.columnNames = names
            $0.csv.comment = UInt8(ascii: "#")
        }
        #expect(Self.fields(comment) == [[Field("first", .int(4)), Field("second", .float(9.9)), Field("third", .bool(true)), Field("fourth", .string("name_this"))]])
        let trim = Self.parse(" 3.3, 4,    true,hello") {
            $0.csv.columnNames = names
            $0.csv.trimSpace = true
        }
        #expect(Self.fields(trim) == [[Field("first", .float(3.3)), Field("second", .int(4)), Field("third", .bool(true)), Field("fourth", .string("hello"))]])
    }

    @Test func trimSpaceDelimitedBySpace() {
        let c = Self.parse("   first   second   third   fourth\nabcdefgh        0       2    false\n  abcdef      3.3       4     true\n       f        0       2    false") {
            $0.csv.delimiter = ASCII.space
            $0.csv.headerRowCount = 1
            $0.csv.trimSpace = true
        }
        #expect(c.metrics.count == 3)
        #expect(c.metrics.dropFirst().first?.fields == [Field("first", .string("abcdef")), Field("second", .float(3.3)), Field("third", .int(4)), Field("fourth", .bool(true))])
    }

    @Test func skipRowsAndColumns() {
        let rows = Self.parse("garbage nonsense\nline1,line2,line3\nhello,80,test_name2") {
            $0.csv.headerRowCount = 1
            $0.csv.skipRows = 1
            $0.csv.tagColumns = ["line1"]
            $0.csv.measurementColumn = "line3"
        }
        #expect(rows.metrics == [Metric(name: "test_name2", tags: [T("line1", "hello")], fields: [Field("line2", .int(80))])])
        let columns = Self.parse("hello,80,test_name") {
            $0.csv.skipColumns = 1
            $0.csv.columnNames = ["line1", "line2"]
        }
        #expect(Self.fields(columns) == [[Field("line1", .int(80)), Field("line2", .string("test_name"))]])
        let withHeader = Self.parse("col,col,col\n\t1,2,3\n\ttrash,80,test_name") {
            $0.csv.skipColumns = 1
            $0.csv.headerRowCount = 2
        }
        #expect(Self.fields(withHeader) == [[Field("col2", .int(80)), Field("col3", .string("test_name"))]])
    }

    @Test func streamAndMeasurementNames() {
        #expect(
            Self.parse("a,b,c\n1,2,3") { $0.csv.headerRowCount = 1 }.metrics
                == [Metric(name: "csv", fields: [Field("a", .int(1)), Field("b", .int(2)), Field("c", .int(3))])])
        #expect(
            Self.parse(",b\n1,2") {
                $0.csv.headerRowCount = 1
                $0.csv.columnNames = ["", "b"]
            }.metrics
                == [Metric(name: "csv", fields: [Field("b", .int(2))])])
        #expect(
            Self.parse("a,b\n1,2") {
                $0.csv.headerRowCount = 1
                $0.csv.measurementColumn = "a"
            }.metrics
                == [Metric(name: "1", fields: [Field("b", .int(2))])])
        #expect(Self.parse("a,b\n1,\"\"") { $0.csv.skipValues = [""] }.metrics == [Metric(name: "csv", fields: [Field("a", .int(1))])])
        #expect(Self.parse("a,b\n1,MM") { $0.csv.skipValues = ["MM"] }.metrics == [Metric(name: "csv", fields: [Field("a", .int(1))])])
    }

    @Test func unixFloatTimestampAndTrimmedTimestampColumn() {
        let c = Self.parse("1551129661.95456123352050781250,42") {
            $0.csv.columnNames = ["time", "value"]
            $0.csv.timestampColumn = "time"
            $0.csv.timestampFormat = .unix
        }
        #expect(c.metrics == [Metric(name: "csv", fields: [Field("value", .int(42))], timestamp: 1_551_129_661_954_561_233)])
        let d = Self.parse("id,value,timestamp\n\t\t1,5,1551129661.954561233") {
            $0.csv.timestampColumn = "timestamp"
            $0.csv.timestampFormat = .unix
            $0.csv.trimSpace = true
        }
        #expect(d.metrics == [Metric(name: "csv", fields: [Field("id", .int(1)), Field("value", .int(5))], timestamp: 1_551_129_661_954_561_233)])
    }

    @Test func quotedFieldsSpanLines() {
        let c = Self.parse("name,note,v\r\nx,\"two\r\nlines, \"\"quoted\"\"\",1\ny,plain,2\n")
        #expect(c.diagnostics.isEmpty)
        #expect(
            Self.fields(c) == [
                [Field("name", .string("x")), Field("note", .string("two\nlines, \"quoted\"")), Field("v", .int(1))],
                [Field("name", .string("y")), Field("note", .string("plain")), Field("v", .int(2))],
            ])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var input: String
        var errors: [String]
        var testDescription: String { input }
    }

    static let bad: [Bad] = [
        Bad(input: "a,b\n1,x\"y\n2,3", errors: ["2:4: bare \" in non-quoted field"]),
        Bad(input: "a,b\n1,\"x\"y\n2,3", errors: ["2:6: extraneous or missing \" in quoted field"]),
        Bad(input: "a,b\n1,\"x\n\"y,z\n2,3", errors: ["3:2: extraneous or missing \" in quoted field"]),
        Bad(input: "a,b\n2,3\n1,\"open", errors: ["3:1: quoted field is not closed at the end of the input"]),
        Bad(input: "a,b\nx,y\n2,3", errors: []),
    ]

    @Test(arguments: bad)
    func badRecordsAreReportedWithPosition(_ c: Bad) {
        let out = Self.parse(c.input)
        #expect(out.diagnostics.map { $0.description } == c.errors)
        #expect(out.metrics.last == Metric(name: "csv", fields: [Field("a", .int(2)), Field("b", .int(3))]) || c.input.hasSuffix("open"))
    }

    @Test func typeAndTimestampErrors() {
        let c = Self.parse("a,b\n1,zz\n1,2\n1,2,3") {
            $0.csv.headerRowCount = 1
            $0.csv.columnTypes = [.int, .int]
        }
        #expect(c.diagnostics.map { $0.description } == ["2:3: column \"b\": \"zz\" is not a valid int"])
        #expect(c.metrics.count == 2)
        let t = Self.parse("t,v\nnope,1") {
            $0.csv.timestampColumn = "t"
            $0.csv.timestampFormat = .unix
        }
        #expect(t.diagnostics.map { $0.description } == ["2:1: timestamp \"nope\" does not match --csv-timestamp-format unix"])
        let none = Self.parse("t,v\n1,\n") { $0.csv.tagColumns = ["t", "v"] }
        #expect(none.diagnostics.map { $0.description } == ["2:1: row has no fields"])
    }

    @Test func overlongPendingRecordIsBounded() {
        let c = Self.parse("a,b\n1,\"" + String(repeating: "x\n", count: 40) + "\"\n2,3\n", maxLineBytes: 32)
        #expect(c.diagnostics.map { $0.description } == ["2:1: record longer than 32 bytes: skipped (a quoted field is not closed, or raise --max-line)"])
        #expect(c.metrics == [Metric(name: "csv", fields: [Field("a", .int(2)), Field("b", .int(3))])])
    }

    /// 100,000 lines inside one quoted field: scanned once (a rescan per line would take minutes).
    @Test func longMultiLineRecordIsScannedOnce() {
        let body = String(repeating: "xxxxxxxxx\n", count: 100_000)
        let c = Self.parse("a,b\n1,\"" + body + "\"\n2,3\n")
        #expect(c.diagnostics.isEmpty)
        #expect(c.metrics.count == 2)
        #expect(c.metrics.first?.field("b") == .string(body))
    }

    @Test func telemetryShapeIsReadBack() {
        let c = Self.parse(
            "Timepoint,Measurement,Label,PID\n1554172967000000000,91.5,\"cpu,cpu=cpu0,host=a usage_idle\",\n"
                + "5,-2e3,\"we\"\"ird\nname,k\\=1=v\\,w fi\\ eld\",77\nTimepoint,Measurement,Label,PID\n,1,mem,\n1,x,\"a b\",\n1,2,\"a,k b\",\n1,2,a,p\n1,2\n")
        #expect(
            c.metrics == [
                Metric(name: "cpu", tags: [T("cpu", "cpu0"), T("host", "a")], fields: [Field("usage_idle", .float(91.5))], timestamp: 1_554_172_967_000_000_000),
                Metric(name: "we\"ird\nname", tags: [T("k=1", "v,w"), T("pid", "77")], fields: [Field("fi eld", .float(-2000))], timestamp: 5),
                Metric(name: "mem", fields: [Field("value", .float(1))]),
            ])
        #expect(
            c.diagnostics.map { $0.description } == [
                "7:3: Measurement \"x\" is not a number",
                "8:5: expected '=' after tag key \"k\" in label at byte 4 of \"a,k b\"",
                "9:7: PID \"p\" is not an integer",
                "10:1: expected 4 columns (Timepoint,Measurement,Label,PID), found 2",
            ])
    }

    @Test func eachInputStartsOverWithItsOwnHeader() {
        var parser = try! CSVParser(options: FormatOptions())
        let c = MetricCollector()
        parser.parse(text: Array("a,b\n1,2\n".utf8), into: c)
        parser.parse(text: Array("Timepoint,Measurement,Label,PID\n7,1.5,m,\n".utf8), into: c)
        #expect(
            c.metrics == [
                Metric(name: "csv", fields: [Field("a", .int(1)), Field("b", .int(2))]),
                Metric(name: "m", fields: [Field("value", .float(1.5))], timestamp: 7),
            ])
    }

    @Test func mutatedInputNeverCrashes() {
        let seed = Array("Timepoint,Measurement,Label,PID\n1,2,\"a,b=c\"\"d e\",3\nx,\"y\nz\",\"\"\n".utf8)
        for cut in 0...seed.count {
            _ = Self.parse(String(decoding: seed[..<cut], as: UTF8.self), maxLineBytes: 16)
        }
        for k in seed.indices {
            for b: UInt8 in [0, 0x22, 0x2C, 0x0A, 0x5C, 0xFF] {
                var s = seed
                s[k] = b
                _ = Self.parse(String(decoding: s, as: UTF8.self), maxLineBytes: 24)
                _ = Self.parse(String(decoding: s, as: UTF8.self)) {
                    $0.csv.trimSpace = true
                    $0.csv.skipColumns = 1
                }
            }
        }
    }
}
