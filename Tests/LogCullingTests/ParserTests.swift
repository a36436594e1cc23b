import MetricFormats
import Testing

@testable import LogCulling

/// Feeds `lines` (the last one unterminated when `lastComplete` is false) and returns `name value` rows
/// as Logster prints them.
func feed(_ parser: any LogParser, _ lines: [String], lastComplete: Bool = true, duration: Int64 = 10, totals: Bool = false) -> [String] {
    for (i, l) in lines.enumerated() {
        var bytes = Array(l.utf8)
        _ = bytes.withUnsafeMutableBytes { parser.parse(UnsafeRawBufferPointer($0), complete: lastComplete || i < lines.count - 1) }
    }
    return parser.metrics(RateContext(duration: duration, totals: totals)).map { "\($0.name) \($0.value.pythonText)" }
}

let access = #"10.0.0.1 - - [22/Nov/2026:01:02:03 +0000] "GET /a HTTP/1.1" STATUS 512 "-" "curl/8""#
func accessLine(_ status: String) -> String { access.replacingOccurrences(of: "STATUS", with: status) }

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

@Suite struct SampleParserTests {
    @Test func countsStatusClassesPerSecond() {
        let lines = ["200", "204", "301", "404", "404", "500", "101", "000", "600", "999"].map(accessLine)
        // 10 s: 1xx = 101 and 000; 5xx = 500, 600, 999.
        #expect(feed(SampleParser(), lines) == ["http_1xx 0.2", "http_2xx 0.2", "http_3xx 0.1", "http_4xx 0.2", "http_5xx 0.3"])
        #expect(feed(SampleParser(), lines, totals: true) == ["http_1xx 2", "http_2xx 2", "http_3xx 1", "http_4xx 2", "http_5xx 3"])
    }

    @Test func linesLogsterDoesNotMatchAreNotCounted() {
        let p = SampleParser()
        let rejected = [
            #"x "GET / HTTP/2.0" 200 1 "-""#,  // HTTP/2
            #"x "GET / http/1.1" 200 1 "-""#,  // lowercase
            "x \"GET / HTTP/1.1\"\t200 1",  // tab
            #"x "GET / HTTP/1.1"  200 1"#,  // two spaces
            #"x "GET / HTTP/1.1" 200"#,  // no space after the status
            #"x "GET / HTTP/1.1" 20 1"#,  // two digits
            "",
        ]
        var bytes: [[UInt8]] = rejected.map { Array($0.utf8) }
        for i in bytes.indices { #expect(!bytes[i].withUnsafeMutableBytes { p.parse(UnsafeRawBufferPointer($0), complete: true) }, "\(rejected[i])") }
        #expect(feed(p, [], totals: true) == ["http_1xx 0", "http_2xx 0", "http_3xx 0", "http_4xx 0", "http_5xx 0"])
    }

    @Test func theLastMatchWinsAndTheDotIsAWildcard() {
        // Greedy `.*`: the referer holds a second request; the last one counts (404, not 200).
        let twice = #"x "GET / HTTP/1.1" 200 5 "GET /r HTTP/1.0" 404 7"#
        // `HTTP/1.` matches any byte in the dot: HTTP/1x1 counts too.
        let dot = #"x "GET / HTTP/1x1" 302 5 -"#
        #expect(feed(SampleParser(), [twice, dot], totals: true) == ["http_1xx 0", "http_2xx 0", "http_3xx 1", "http_4xx 1", "http_5xx 0"])
    }
}

@Suite struct Log4jParserTests {
    @Test func countsLevelsInTheGivenOrderWithPrefixMatches() {
        let lines = [
            "2024-05-01_12:00:00.123 WARN something", "12:00:01 ERROR x", "12:00:02 FATAL y", "12:00:03 INFO z",
            "12:00:04 WARNING prefix counts as WARN", "no timestamp WARN", "12:00:05  WARN two spaces",
        ]
        #expect(feed(Log4jParser(levels: ["WARN", "ERROR", "FATAL"]), lines, duration: 2) == ["WARN 1.0", "ERROR 0.5", "FATAL 0.5"])
        // With WARN first, WARNING lines count as WARN; with WARNING first they count as WARNING.
        #expect(feed(Log4jParser(levels: ["WARN", "WARNING"]), ["1 WARNING a", "1 WARN b"], totals: true) == ["WARN 2", "WARNING 0"])
        #expect(feed(Log4jParser(levels: ["WARNING", "WARN"]), ["1 WARNING a", "1 WARN b"], totals: true) == ["WARNING 1", "WARN 1"])
    }

    @Test func iso8601TimestampsAreCountedUnlikeLogster() {
        #expect(feed(Log4jParser(levels: ["WARN", "ERROR"]), ["2024-05-01 12:00:00,123 ERROR boom", "2024-05-01 12:00:00,124 WARN x"], totals: true) == ["WARN 1", "ERROR 1"])
    }
}

@Suite struct PostfixParserTests {
    @Test func countsPercentagesRatesAndMeanDelay() {
        let lines = [
            "Nov 22 postfix/smtp[1]: A: to=<a@x>, relay=r, delay=1.5, delays=0/0/1/0.5, dsn=2.0.0, status=sent (250 ok)",
            "Nov 22 postfix/smtp[1]: B: to=<b@x>, relay=r, delay=0.5, delays=0/0/0/0.5, dsn=2.0.0, status=sent (250 ok)",
            "Nov 22 postfix/smtp[1]: C: to=<c@x>, relay=r, delay=30, dsn=4.0.0, status=deferred (timeout)",
            "Nov 22 postfix/smtp[1]: D: to=<d@x>, relay=r, delay=2, dsn=5.0.0, status=bounced (no user)",
            "Nov 22 postfix/qmgr[2]: E: from=<e@x>, size=10, nrcpt=1 (queue active)",
            "Nov 22 postfix/smtp[1]: F: to=<f@x>, delay=abc, status=sent",  // bad delay: the line is dropped
        ]
        #expect(
            feed(PostfixParser(), lines, duration: 8) == [
                "numSent 2", "pctSent 50.0", "numDeferred 1", "pctDeferred 25.0", "numBounced 1", "pctBounced 25.0",
                "mailTxnsSec 0.5", "mailSentSec 0.25", "avgDelay 1.0",
            ])
    }

    @Test func noMailGivesLogstersIntAndFloatZeros() {
        #expect(
            feed(PostfixParser(), ["nothing here"], duration: 3) == [
                "numSent 0", "pctSent 0.0", "numDeferred 0", "pctDeferred 0.0", "numBounced 0", "pctBounced 0.0",
                "mailTxnsSec 0.0", "mailSentSec 0.0", "avgDelay 0",
            ])
    }

    @Test func thirdsPrintWithPythonDigits() {
        let lines = ["delay=1, status=sent", "delay=1, status=deferred", "delay=1, status=bounced"]
        let out = feed(PostfixParser(), lines, duration: 60)
        #expect(out[1] == "pctSent 33.33333333333333")
        #expect(out[6] == "mailTxnsSec 0.05")
        #expect(out[7] == "mailSentSec 0.016666666666666666")
    }
}

@Suite struct SquidParserTests {
    @Test func statusCodesSizeAndElapsedAreSeparate() {
        let lines = [
            "1700000000.123    250 10.0.0.1 TCP_MISS/200 4096 GET http://a/ - DIRECT/1.2.3.4 text/html",
            "1700000000.456     10 10.0.0.1 TCP_MEM_HIT/304 100 GET http://a/ - NONE/- text/html",
            "1700000000.789      5 10.0.0.1 TCP_DENIED/403 0 GET http://b/ - NONE/- -",
            "1700000001.000     40 10.0.0.1 UDP_HIT/200 300 ICP_QUERY http://c/ - NONE/- -",
            "1700000001.000     40 10.0.0.1 TCP_MISS/200",  // no space after the status: not matched
            "garbage",
        ]
        #expect(
            feed(SquidParser(), lines, totals: true) == [
                "http_1xx 0", "http_2xx 2", "http_3xx 1", "http_4xx 1", "http_5xx 0",
                "size 4496", "elapsed_ms 305",
                "squid_TCP_MISS 1", "squid_TCP_DENIED 1", "squid_TCP_HIT 0", "squid_TCP_MEM_HIT 1", "squid_OTHER 1",
            ])
    }
}

@Suite struct ApacheErrorParserTests {
    @Test func levelsPerTenSecondsIncludingApache24() {
        let lines = [
            "[Sun Nov 22 01:02:03 2026] [error] [client 1.2.3.4] File does not exist",
            "[Sun Nov 22 01:02:03 2026] [warn] something",
            "[Sun Nov 22 01:02:03.123456 2026] [core:error] [pid 1] AH00124: loop",  // Apache 2.4
            "[Sun Nov 22 01:02:03 2026] [notice] ok",
            "[Sun Nov 22 01:02:03 2026] [debug] other",
            "[Sun Nov 22 01:02:03 2026] [crit]",  // needs a space after the bracket
            "not an error log line",
        ]
        // 20 s = 2 periods of 10 s.
        #expect(feed(ApacheErrorParser(), lines, duration: 20) == ["notice 0.5", "warn 0.5", "error 1.0", "crit 0.0", "other 0.5"])
    }
}

@Suite struct MetricLineParserTests {
    @Test func countersAndTimersAsLogsterComputesThem() {
        let lines = [
            "x METRIC_TIME metric=some.metric.time value=10ms",
            "x METRIC_TIME metric=some.metric.time value=11ms",
            "x METRIC_TIME metric=some.metric.time value=20ms",
            "x METRIC_COUNT metric=some.metric.count value=1 ",
            "x METRIC_COUNT metric=some.metric.count value=2.2 ",
            "x METRIC_COUNT metric=bad value=1.2.3 ",
        ]
        #expect(
            feed(MetricLineParser(percentiles: [("90", 90)]), lines, duration: 1) == [
                "some.metric.count 3.2", "some.metric.time.mean 13.666666666666666", "some.metric.time.median 11.0",
                "some.metric.time.90th_percentile 18.2",
            ])
    }

    /// Python's dict keeps `café` (U+00E9) and `cafe` + U+0301 apart, and so does this.
    @Test func namesAreKeptApartByTheirBytes() {
        let lines = ["x METRIC_COUNT metric=caf\u{E9} value=1 ", "x METRIC_COUNT metric=cafe\u{301} value=2 "]
        // Compared as bytes: Swift's == would take either spelling for the other.
        let out = feed(MetricLineParser(percentiles: []), lines, duration: 1).map { Array($0.utf8) }
        #expect(Set(out) == [Array("caf\u{E9} 1.0".utf8), Array("cafe\u{301} 2.0".utf8)] && out.count == 2)
    }

    @Test func aCountNeedsAByteAfterItsValue() {
        // The unterminated last line of a rotated file: Logster's `[^0-9.]` has nothing to match.
        #expect(feed(MetricLineParser(percentiles: []), ["METRIC_COUNT metric=a value=5"], lastComplete: false, duration: 1) == [])
        #expect(feed(MetricLineParser(percentiles: []), ["METRIC_COUNT metric=a value=5"], lastComplete: true, duration: 1) == ["a 5.0"])
    }

    @Test func percentilesInterpolate() {
        let values = [1.0, 2, 3, 4]
        #expect(MetricLineParser.percentile(values, 50) == 2.5)
        #expect(MetricLineParser.percentile(values, 100) == 4)
        #expect(MetricLineParser.percentile(values, 0) == 1)
        #expect(MetricLineParser.percentile([7], 90) == 7)
    }
}

@Suite struct JSONLineParserTests {
    @Test func theLastValidObjectIsFlattened() {
        let lines = [#"{"a": 1}"#, #"{"x": {"y": 2.5, "z": [1, 2]}, "s": "text", "n": null, "b": true, "big": 1e3}"#, "{broken"]
        #expect(feed(JSONLineParser(separator: "."), lines) == ["x.y 2.5", "x.z.0 1", "x.z.1 2", "big 1000.0"])
        #expect(feed(JSONLineParser(separator: "_"), [#"{"a": {"b": 3}}"#]) == ["a_b 3"])
    }
}

@Suite struct PythonNumberTests {
    @Test func floatsPrintAsPython3Str() {
        let cases: [(Double, String)] = [
            (0, "0.0"), (1, "1.0"), (0.25, "0.25"), (1.0 / 60, "0.016666666666666666"), (19.729999999999997, "19.729999999999997"),
            (1e-7, "1e-07"), (1e20, "1e+20"), (1e16, "1e+16"), (1e15, "1000000000000000.0"), (0.0001, "0.0001"), (0.00001, "1e-05"),
            (123456.789, "123456.789"), (-2.5, "-2.5"), (1.5e-10, "1.5e-10"), (.infinity, "inf"),
        ]
        for (v, text) in cases { #expect(LogValue.float(v).pythonText == text) }
        #expect(LogValue.int(12345).pythonText == "12345")
    }

    @Test func aZeroDurationDividesByOne() {
        #expect(RateContext(duration: 0, totals: false).rate(3) == .float(3))
    }
}

@Suite struct ParserSettingsTests {
    @Test func logstersParserOptionsString() throws {
        var s = ParserSettings()
        try s.apply(parserOptions: "-l INFO,WARN", for: .log4j)
        #expect(s.logLevels == ["INFO", "WARN"])
        try s.apply(parserOptions: "--percentiles 25,75", for: .metric)
        #expect(s.percentiles == ["25", "75"])
        try s.apply(parserOptions: "-k _", for: .json)
        #expect(s.keySeparator == "_")
        #expect(throws: TailLogError.self) { try s.apply(parserOptions: "--nope 1", for: .sample) }
        s.percentiles = ["101"]
        #expect(throws: TailLogError.self) { try s.validate() }
        #expect(ParserKind(name: "logster.parsers.SampleLogster.SampleLogster") == .sample)
        #expect(ParserKind(name: "ErrorLogLogster") == .apacheError)
    }
}
