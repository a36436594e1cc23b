import Foundation
import MetricCore
import Testing

/// User regexes (tail-log rules, `listen --expect`, Telegraf's regex options) go through PCRE2; the
/// rules come from Logster, whose patterns are Python's `re`, so Python is the reference here.
@Suite struct PatternTests {
    static let patterns = [
        #"HTTP/1\.1" (?P<status>\d{3}) "#, #"took (?P<value>[0-9.]+)ms"#, #"^(?P<ip>\d+\.\d+\.\d+\.\d+) "#, #"a.*b"#, #"a.*?b"#,
        #"(?P<k>\w+)=(?P<v>[^ ,]+)"#, #"x{2,3}y"#, #"[A-Z_]+/\d{3}"#, #"\s+end$"#, #"(?:ab)(?P<c>c+?)d"#, #"q\d*"#, #"[^a-c]+"#,
        #"ERROR|WARN(?P<n>\d)?"#, #"(?P<w>\w+) (?P=w)"#, #"\bword\b"#, #"foo(?=bar)"#, #"(?i)error"#, #"(?P<d>\d+)"#,
        #"(?P<w>\w+)$"#, #"(ab)+"#, #"a.c"#,
    ]
    static let lines = [
        #"10.0.0.1 - - [x] "GET / HTTP/1.1" 200 5 "-" "curl" took 12.5ms"#, "aXXbYYb", "a=1, bb=two three=3", "xxxxy xxy",
        "TCP_MISS/200 NONE_X/304", "  end", "abccd abcd", "q q1 q22", "ERROR here", "WARN7", "the the cat", "a word here",
        "swordfish", "foobar foobaz", "An Error", "reading ٣٤ items", "café", "ababab", "a\rc a\nc abc", "", "no match at all",
    ]

    /// What Python's `re.search` finds: nil, or the whole match and the named groups.
    static func python() throws -> [[[String: String]?]] {
        let script = """
            import json, re, sys
            cases = json.load(sys.stdin)
            out = []
            for p in cases["patterns"]:
                rx = re.compile(p)
                row = []
                for line in cases["lines"]:
                    m = rx.search(line)
                    if m is None:
                        row.append(None)
                    else:
                        d = {k: v for k, v in m.groupdict().items() if v is not None}
                        d["0"] = m.group(0)
                        row.append(d)
                out.append(row)
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let cases = try JSONSerialization.data(withJSONObject: ["patterns": patterns, "lines": lines])
        input.fileHandleForWriting.write(cases)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let decoded = try JSONSerialization.jsonObject(with: data) as! [[Any]]
        return decoded.map { row in row.map { $0 as? [String: String] } }
    }

    @Test func findsWhatPythonsReFinds() throws {
        let expected = try Self.python()
        for (p, source) in Self.patterns.enumerated() {
            let pattern = try Pattern(source)
            for (l, line) in Self.lines.enumerated() {
                var text = line
                let found = text.withUTF8 { bytes -> [String: String]? in
                    guard pattern.search(bytes) else { return nil }
                    var groups: [String: String] = [:]
                    for (g, name) in pattern.groupNames.enumerated() {
                        guard let r = pattern.range(ofGroup: g) else { continue }
                        groups[g == 0 ? "0" : name ?? "#\(g)"] = String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
                    }
                    return groups.filter { !$0.key.hasPrefix("#") }
                }
                #expect(found == expected[p][l], "\(source) on \(line)")
            }
        }
    }

    @Test func groupNamesByNumber() throws {
        #expect(try Pattern(#"(?P<a>x)(y)(?<b>z)"#).groupNames == [nil, "a", nil, "b"])
        #expect(try Pattern("plain").groupNames == [nil])
    }

    @Test func aPatternThatDoesNotCompileSaysWhereAndWhy() {
        #expect(throws: PatternError.self) { try Pattern("x(unclosed") }
        do {
            _ = try Pattern("ab[c")
        } catch {
            #expect(error.description.contains("missing terminating ]"), "\(error)")
            #expect(error.offset == 4)
        }
    }

    @Test func invalidUTF8IsSearchedAroundItsBadBytes() throws {
        let pattern = try Pattern(#"ERROR (?<code>\d+)"#)
        var bytes = Array("\u{0}ERROR 42 x".utf8)
        bytes[0] = 0xFF
        #expect(bytes.withUnsafeBufferPointer { pattern.search($0) })
        #expect(pattern.range(ofGroup: 1) == 7..<9)
        #expect(pattern.failedSearches == 0)
    }

    @Test func replacesAsGoDoes() throws {
        // Go: regexp.MustCompile(P).ReplaceAllString(S, "-")
        let cases: [(String, String, String)] = [
            ("x*", "abc", "-a-b-c-"), ("x*", "xxa", "-a-"), ("[^a-z]", "a.b/c", "a-b-c"), ("b+", "abbcb", "a-c-"),
            ("", "é", "-é-"), ("z", "abc", "abc"),
        ]
        for (p, s, want) in cases {
            let (out, replaced) = try Pattern(p).replacingMatches(in: Array(s.utf8), with: Array("-".utf8))
            #expect(String(decoding: out, as: UTF8.self) == want, "\(p) on \(s)")
            #expect(replaced == (want != s))
        }
    }

    @Test func aRunawayPatternIsCountedNotHung() throws {
        let pattern = try Pattern(#"^(a+)+$"#)
        let subject = String(repeating: "a", count: 40) + "b"
        let start = ContinuousClock.now
        #expect(!pattern.matches(subject))
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
