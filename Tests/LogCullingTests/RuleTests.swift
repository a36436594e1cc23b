import MetricFormats
import Testing

@testable import LogCulling

@Suite struct RuleTests {
    @Test func countsWithNamedCapturesAsTags() throws {
        let rule = try LogRule(kind: .count, spec: #"status=" (?<status>\d{3}) "#)
        let p = RuleParser([rule])
        let lines = ["200", "404", "200", "500"].map(accessLine) + ["no status here"]
        #expect(feed(p, lines, totals: true) == ["status 2", "status 1", "status 1"])
        let m = p.metrics(RateContext(duration: 2, totals: false))
        #expect(m[0].tags == [Tag("status", "200")] && m[0].value == .float(1))
    }

    @Test func sumTimerAndGaugeUseTheValueCapture() throws {
        let rules = [
            try LogRule(kind: .sum, spec: #"bytes=sent (?<value>\d+) bytes"#),
            try LogRule(kind: .timer, spec: #"latency=took (?<value>[0-9.]+)ms"#),
            try LogRule(kind: .gauge, spec: #"queue=queue=(?<value>\d+)"#),
        ]
        let lines = ["sent 10 bytes took 5ms queue=3", "sent 30 bytes took 15ms queue=7", "took 10ms"]
        #expect(feed(RuleParser(rules, percentiles: [("90", 90)]), lines, duration: 4) == [
            "bytes 10.0", "latency.mean 10.0", "latency.median 10.0", "latency.90th_percentile 14.0", "queue 7.0",
        ])
    }

    @Test func badRulesAreRejectedWithTheReason() {
        #expect(throws: TailLogError.self) { try LogRule(kind: .count, spec: "noequals") }
        #expect(throws: TailLogError.self) { try LogRule(kind: .count, spec: "x=(unclosed") }
        #expect(throws: TailLogError.self) { try LogRule(kind: .sum, spec: #"x=\d+"#) }
    }

    @Test func thePrefilterLiteralIsOnlyWhatEveryMatchContains() {
        #expect(LogRule.requiredLiteral(#"ERROR (?<code>E\d+)"#)?.bytes == Array("ERROR ".utf8))
        #expect(LogRule.requiredLiteral(#"ERROR (?<code>E\d+)"#)?.leading == true)
        #expect(LogRule.requiredLiteral("abcd?ef")?.bytes == Array("abc".utf8))  // `d` is optional: it splits the runs
        #expect(LogRule.requiredLiteral("xx|yyyy") == nil)
        #expect(LogRule.requiredLiteral(#"took \d+ms in phase"#)?.bytes == Array("ms in phase".utf8))
        #expect(LogRule.requiredLiteral(#"took \d+ms in phase"#)?.leading == false)
        #expect(LogRule.requiredLiteral(#"a\.b\.c"#)?.bytes == Array("a.b.c".utf8))
    }

    @Test func rulesFile() throws {
        let rules = try LogRule.load(file: "# comment\ncount errors ERROR (?<code>E\\d+)\n\nsum bytes sent (?<value>\\d+)\n", path: "r.rules")
        #expect(rules.map(\.name) == ["errors", "bytes"])
        #expect(rules[0].pattern == #"ERROR (?<code>E\d+)"#)
        #expect(throws: TailLogError.self) { try LogRule.load(file: "histogram x y", path: "r.rules") }
    }

    @Test func invalidUTF8LinesAreUnmatchedNotFatal() throws {
        let p = RuleParser([try LogRule(kind: .count, spec: "e=ERROR")])
        var bad: [UInt8] = Array("ERROR \u{FF}".utf8)
        bad[6] = 0xFF
        #expect(bad.withUnsafeBytes { p.parse($0, complete: true) })  // a plain literal needs no decoding
        let q = RuleParser([try LogRule(kind: .count, spec: #"e=ERROR \d"#)])
        #expect(!bad.withUnsafeBytes { q.parse($0, complete: true) })
    }
}

/// The byte matcher must find what Swift Regex finds, captures included, on ASCII lines.
@Suite struct ByteRegexTests {
    static let patterns = [
        #"HTTP/1\.1" (?<status>\d{3}) "#, #"took (?<value>[0-9.]+)ms"#, #"^(?<ip>\d+\.\d+\.\d+\.\d+) "#, #"a.*b"#, #"a.*?b"#,
        #"(?<k>\w+)=(?<v>[^ ,]+)"#, #"x{2,3}y"#, #"[A-Z_]+/\d{3}"#, #"\s+end$"#, #"(?:ab)(?<c>c+?)d"#, #"q\d*"#, #"[^a-c]+"#,
        #"ERROR"#, #"\S+@\S+"#, #"a.c"#, #"[\d.-]+"#,
    ]
    static let lines = [
        #"10.0.0.1 - - [x] "GET / HTTP/1.1" 200 5 "-" "curl" took 12.5ms"#, "aXXbYYb", "a=1, bb=two three=3", "xxxxy xxy",
        "TCP_MISS/200 NONE_X/304", "  end", "abccd abcd", "q q1 q22", "ERROR here", "me@x.org", "a\rc a\nc abc", "1.2-3",
        "]a]", "", "   ", "no match at all",
    ]

    @Test func agreesWithSwiftRegex() throws {
        for pattern in Self.patterns {
            let br = try #require(ByteRegex(pattern), "\(pattern) should compile")
            let rx = try Regex(pattern).matchingSemantics(.unicodeScalar)
            for line in Self.lines {
                var caps: [Range<Int>?] = []
                let bytes = Array(line.utf8)
                let mine = bytes.withUnsafeBufferPointer { br.firstMatch($0.baseAddress!, $0.count, captures: &caps) }
                let theirs = try rx.firstMatch(in: line)
                #expect(mine == (theirs != nil), "\(pattern) on \(line)")
                guard mine, let theirs else { continue }
                let wrapped = ByteRegex("(" + pattern + ")")
                var expected: [String: String] = wrapped == nil ? [:] : ["0": String(line[theirs.range])]
                for el in theirs.output { if let name = el.name, let s = el.substring { expected[name] = String(s) } }
                var whole: [Range<Int>?] = []
                var got: [String: String] = [:]
                if let wrapped {
                    _ = bytes.withUnsafeBufferPointer { wrapped.firstMatch($0.baseAddress!, $0.count, captures: &whole) }
                    got["0"] = whole.first.flatMap { $0 }.map { String(decoding: bytes[$0], as: UTF8.self) } ?? "?"
                }
                for (g, name) in br.names.enumerated() {
                    if let name, let r = caps[g] { got[name] = String(decoding: bytes[r], as: UTF8.self) }
                }
                #expect(got == expected, "\(pattern) on \(line)")
            }
        }
    }

    @Test func patternsOutsideTheSubsetAreLeftToSwiftRegex() {
        for p in ["a|b", "(ab)+", #"\bword"#, "(?=x)", "é", "a++", "[[:alpha:]]"] { #expect(ByteRegex(p) == nil, "\(p)") }
    }
}
