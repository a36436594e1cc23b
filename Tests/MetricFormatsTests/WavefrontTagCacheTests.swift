import Testing

@testable import MetricFormats

/// The Wavefront parser's tag section cache: whatever it remembers must never change a result, so
/// each test compares one long-lived parser against a fresh parser per line.
@Suite struct WavefrontTagCacheTests {
    static let lines: [String] = [
        #""cpu.usage.user" 63.9 1700000000 source="web-00.eu-west.example.com" "cpu"="cpu0" "dc"="eu-west-1""#,
        #""cpu.usage.idle" 36.1 1700000000 source="web-00.eu-west.example.com" "cpu"="cpu0" "dc"="eu-west-1""#,
        #""cpu.usage.idle" 36.1 1700000000 source="web-01.eu-west.example.com" "cpu"="cpu0" "dc"="eu-west-1""#,  // one byte
        #""cpu.usage.idle" 36.1 1700000000 source="web-00.eu-west.example.com" "cpu"="cpu0" "dc"="eu-west-2""#,  // the last
        #""cpu.usage.idle" 36.1 1700000000 source="web-00.eu-west.example.com" "cpu"="cpu0" "dc"="eu-west-""#,  // shorter
        #""cpu.usage.idle" 36.1 1700000000 source="web-00.eu-west.example.com"  "cpu"="cpu0" "dc"="eu-west-1""#,  // spacing
        #""cpu.usage.idle" 36.1 source="web-00.eu-west.example.com" "cpu"="cpu0" "dc"="eu-west-1""#,  // no timestamp
        #"mem.total 1 1700000000"#,  // no tags
        #"mem.total 2"#,
        #"mem.total 2 "#,
        #"mem.free 2 1700000000 host=a host=b"#,  // a repeated key
        #"mem.free 2 1700000000 host=b host=a"#,
        #"mem.free 2 1700000000 host="" dc=x"#,  // an empty value is dropped
        #"mem.free 2 1700000000 "host"="a b" "dc"="x\"y""#,
        #"mem.free 2 1700000000 host=a dc"#,  // errors after a known prefix
        #"mem.free 2 1700000000 host=a dc"#,
        #"mem.free 2 1700000000 host=a "dc"="x"#,
        #"mem.free 2 1700000000 host=a dc=x$"#,
        #"mem.free 2 1700000000 host=a dc=x"#,
        #"mem.free 2 1700000000 host=a dc=x"#,
        #"mem.free x 1700000000 host=a dc=x"#,
        #"∆mem.free 2 1700000000 host=a dc=x"#,
        #""a much longer metric name than thirty-two bytes" 2 1700000000 host=a dc=x"#,
        #""a much longer metric name than thirty-two bytes" 3 1700000000 host=a dc=x"#,
        "mem.free 2 1700000000 host=a dc=x\r",
    ]

    static func parse(_ lines: [String], shared: WavefrontParser?, _ options: FormatOptions) -> ([Metric], [String]) {
        let collector = MetricCollector()
        var parser = shared
        for (k, line) in lines.enumerated() {
            var p = parser ?? (try! WavefrontParser(options: options))
            Array(line.utf8).withUnsafeBufferPointer { p.parse(line: $0, number: k + 1, into: collector) }
            if parser != nil { parser = p }
        }
        return (collector.metrics, collector.diagnostics.map(\.description))
    }

    @Test(arguments: [false, true])
    func aRepeatedSectionGivesWhatAFreshParseGives(defaultTags: Bool) throws {
        var options = FormatOptions()
        if defaultTags { options.defaultTags = [Tag("source", "d"), Tag("zone", "z")] }
        let input = Self.lines + Self.lines + Self.lines
        let fresh = Self.parse(input, shared: nil, options)
        let shared = Self.parse(input, shared: try WavefrontParser(options: options), options)
        #expect(fresh.0.count > 3 * 15)
        #expect(fresh.1.count >= 3 * 5)
        #expect(shared.0 == fresh.0)
        #expect(shared.1 == fresh.1)
    }

    /// The same section gives the same array (its storage), which the serializers' series caches
    /// find by its bits.
    @Test func aRepeatedSectionGivesTheSameArray() throws {
        var parser = try WavefrontParser(options: FormatOptions())
        let collector = MetricCollector()
        for (k, line) in [#"a 1 source="web-00.eu-west.example.com" dc=x"#, #"b 2 source="web-00.eu-west.example.com" dc=x"#, #"b 2 source="web-00.eu-west.example.com" dc=y"#]
            .enumerated()
        {
            Array(line.utf8).withUnsafeBufferPointer { parser.parse(line: $0, number: k + 1, into: collector) }
        }
        let storage = collector.metrics.map { $0.tags.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(collector.metrics.count == 3)
        #expect(storage[0] == storage[1] && storage[1] != storage[2])
        #expect(collector.metrics[2].tags == [Tag("dc", "y"), Tag("source", "web-00.eu-west.example.com")])
    }

    /// Many more distinct sections than the cache holds: every line still parses as a fresh parser
    /// parses it.
    @Test func evictionKeepsResultsRight() throws {
        var input: [String] = []
        var rng = SplitMix(seed: 11)
        for k in 0..<6000 {
            let host = rng.next() % 3000
            input.append(#"m\#(k % 7) \#(k) 1700000000 source="web-\#(host).example.com" dc=eu-\#(host % 5)"#)
        }
        let parser = try WavefrontParser(options: FormatOptions())
        let shared = Self.parse(input, shared: parser, FormatOptions())
        let fresh = Self.parse(input, shared: nil, FormatOptions())
        #expect(shared.0.count == input.count)
        #expect(shared.0 == fresh.0)
        #expect(parser.tagSections.evictions > 0)
        #expect(parser.tagSections.setBits == parser.tagSections.maxSetBits)
    }

    /// A section longer than the cache keeps is parsed every time, with the same result.
    @Test func aLongSectionIsNotKeptAndStillParses() throws {
        let long = (0..<40).map { "key\($0)=value\($0)" }.joined(separator: " ")
        let input = ["a 1 \(long)", "a 2 \(long)"]
        let shared = Self.parse(input, shared: try WavefrontParser(options: FormatOptions()), FormatOptions())
        let fresh = Self.parse(input, shared: nil, FormatOptions())
        #expect(shared.0.count == 2 && shared.0[0].tags.count == 40)
        #expect(shared.0 == fresh.0)
    }
}
