import Testing

@testable import MetricFormats

@Suite struct FormatDetectorTests {
    static func detect(_ text: String) -> FormatDetector.Result {
        FormatDetector.detect(Array(text.utf8))
    }

    @Test(arguments: [
        ("cpu,host=a usage=1.5 1700000000000000000\nmem free=3i\n", MetricFormat.influx),
        ("# comment\ncpu value=1\n", .influx),
        ("{\"name\":\"cpu\",\"fields\":{\"a\":1}}\n", .json),
        ("[\n  {\"a\": 1}\n]\n", .json),
        ("deploys:1|c\n", .statsd),
        ("page.views:1|c|@0.1|#env:prod\n", .statsd),
        ("users:alice|s", .statsd),
        ("servers.web1.cpu 42.5 1700000000\n", .graphite),
        ("a.b.c 1\n", .graphite),
        ("tagged;env=prod 1 1700000000\n", .graphite),
        ("cpu.idle 42 1700000000 source=web1 dc=eu\n", .wavefront),
        ("\"quoted name\" 1 source=x\n", .wavefront),
        ("# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total 3\n", .prometheus),
        ("http_requests_total{code=\"200\"} 3\n", .prometheus),
        ("up 1 1700000000000\n", .prometheus),
        ("Timepoint,Measurement,Label,PID\n1,2.5,\"x\",3\n", .csv),
        ("\n\n   \ncpu value=1\n", .influx),
        // A string field holding raw newlines is one line, not three that fit nothing.
        ("a v=1 1\nb v=2 2\ng s=\"multi\nline \\\"x\\\"\nend\" 7\nh v=8 8\n", .influx),
    ])
    func detects(_ input: String, _ expected: MetricFormat) {
        guard case .format(let f, _) = Self.detect(input) else {
            Issue.record("no format for \(input.debugDescription): \(Self.detect(input))")
            return
        }
        #expect(f == expected, "\(input.debugDescription)")
    }

    @Test func aMismatchAfterAMultiLineStringNamesItsRealLine() {
        guard case .unknown(let reason) = Self.detect("a s=\"x\ny\" 1\n!!! ???\n") else {
            Issue.record("expected unknown")
            return
        }
        #expect(reason.line == 3)
    }

    /// A line that settles a format decides only when every line before it fits that format, and
    /// the reason names the line when it is not the first.
    @Test func aDecisiveLineAfterOthersIsNamedOrRefused() {
        #expect(Self.detect("garbage here\n[1]\n") == .unknown(.init(line: 1, message: "line 1 fits no known format")))
        #expect(Self.detect("garbage here\n{\"a\":1}\n") == .unknown(.init(line: 1, message: "line 1 fits no known format")))
        #expect(Self.detect("a.b.c 1\n[1]\n") == .unknown(.init(line: 2, message: "line 2 looks like json (starts with [) but line 1 does not")))
        #expect(Self.detect("cpu value=1\ndeploys:1|c\n") == .unknown(.init(line: 2, message: "line 2 looks like statsd (bucket:value|type) but line 1 does not")))
        #expect(Self.detect("up 1\n# TYPE up gauge\n") == .format(.prometheus, reason: "line 2: a # HELP or # TYPE line"))
        #expect(Self.detect("# a comment\n[1]\n") == .format(.json, reason: "line 2 starts with ["))
        #expect(Self.detect("\n[1]\n") == .format(.json, reason: "starts with ["))
        #expect(FormatDetector.hasEnough(Array("garbage here\n[1]\n".utf8)))
    }

    @Test func refusesInputThatFitsNothing() {
        guard case .unknown(let reason) = Self.detect("hello\n") else {
            Issue.record("expected unknown")
            return
        }
        #expect(reason.line == 1)
    }

    @Test func refusesInputThatFormatsWouldReadDifferently() {
        // A Graphite path with a comma, or a CSV row with two columns: refuse rather than guess.
        guard case .ambiguous(let candidates, _) = Self.detect("a,b 1\n") else {
            Issue.record("expected ambiguous: \(Self.detect("a,b 1\n"))")
            return
        }
        #expect(candidates.contains(.graphite) && candidates.contains(.csv))
    }

    @Test func emptyInputHasNoFormat() {
        guard case .unknown = Self.detect("\n  \n") else {
            Issue.record("expected unknown")
            return
        }
    }

    @Test func aDecisiveFirstLineIsEnough() {
        #expect(FormatDetector.hasEnough(Array("deploys:1|c\n".utf8)))
        #expect(FormatDetector.hasEnough(Array("{\"a\":1}\n".utf8)))
        #expect(!FormatDetector.hasEnough(Array("a.b 1\n".utf8)))
        #expect(!FormatDetector.hasEnough(Array("deploys:1|c".utf8)))  // no complete line yet
    }
}
