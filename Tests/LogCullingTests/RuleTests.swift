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
        #expect(
            feed(RuleParser(rules, percentiles: [("90", 90)]), lines, duration: 4) == [
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

    @Test func invalidUTF8LinesAreSearchedAroundTheirBadBytes() throws {
        let p = RuleParser([try LogRule(kind: .count, spec: "e=ERROR")])
        var bad: [UInt8] = Array("ERROR 7 \u{FF}".utf8)
        bad[8] = 0xFF
        #expect(bad.withUnsafeBytes { p.parse($0, complete: true) })  // a plain literal needs no decoding
        let q = RuleParser([try LogRule(kind: .count, spec: #"e=ERROR (?P<code>\d)"#)])
        #expect(bad.withUnsafeBytes { q.parse($0, complete: true) })
        #expect(q.metrics(RateContext(duration: 1, totals: true)).first?.tags == [Tag("code", "7")])
        let r = RuleParser([try LogRule(kind: .count, spec: #"e=ERROR \d \d"#)])
        #expect(!bad.withUnsafeBytes { r.parse($0, complete: true) })
    }

    @Test func pythonSyntaxFromLogsterRulesWorks() throws {
        let p = RuleParser([try LogRule(kind: .count, spec: #"dup=(?P<word>\w+) (?P=word)|(?P<alt>ERR)"#)])
        #expect(feed(p, ["the the end", "ERR x", "no no", "nothing"], totals: true).count == 3)
    }
}
