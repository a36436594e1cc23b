import Testing

@testable import MetricFormats

/// The StatsD parser's tag section cache (``StatsDTagSet``): whatever it remembers must never change
/// a result, so each test compares one long-lived parser against a fresh parser per line.
@Suite struct StatsDTagSetTests {
    /// Lines whose tag sections repeat, differ in one byte, or take each key shape of the cache.
    static let lines: [String] = [
        "cpu.usage_user:63.9|g|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.com",
        "cpu.usage_idle:36.1|g|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.com",
        "cpu.usage_idle:36.1|g|#cpu:cpu0,dc:eu-west-1,host:web-01.eu-west.example.com",  // one byte
        "cpu.usage_idle:36.1|g|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.coM",  // the last byte
        "cpu.usage_idle:36.1|g|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.co",  // one shorter
        "cpu.usage_idle:36.1|g|#cpu:cpu0,dc:eu-west-1;host:web-00.eu-west.example.com",  // a separator
        "requests:1|c|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.com",  // same section, another kind
        "requests:2|ms|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.com",
        "requests:2|c:3|g|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.com",  // two kinds on a line
        "users:alice|s|#cpu:cpu0,dc:eu-west-1,host:web-00.eu-west.example.com",
        "lat:5|d|#cpu:cpu0",
        "mem.total:1|g",  // no tags
        "mem.free:2|g",
        "mem.free,host=a:2|g",  // bucket tags
        "mem.free,host=a:3|g",
        "mem.free,host=a,dc=x:3|g|#host:b",  // bucket and DogStatsD tags, DogStatsD wins
        "mem.free,host=b:3|g|#host:a",
        "mem.free:3|g|#host:a|#host:b",  // two segments
        "mem.free:3|g|#host:ab|#c",  // the same bytes split otherwise
        "mem.free:3|g|#host:a|#bc",
        "mem.free:3|g|#host:a,bc",
        "mem.free:3|g|#host:a|c:container-1",  // a container id
        "mem.free:3|g|c:container-1|#host:a",
        "mem.free:3|g|c:container-2|#host:a",
        "mem.free:3|g|@0.5|#host:a",  // a rate before the tags
        "mem.free:3|g|#host:a|@0.5",  // and after them: the rest is copied
        "mem.free:3|g|#host:a|T1700000000",
        "mem.free:3|g|T1700000000|#host:a",
        "mem.free:3|q|#host:a",  // an error after a known section
        "mem.free:3|g|#host:a|@x",  // a note
        "mem.free:|g|#host:a",
        "mem.free,:3|g|#host:a",
        "mem.free,=:3|g|#host:a",
        "mem.free:3|g|#",  // an empty segment
        "mem.free:3|g|#,",
        "mem.free:3|g|#metric_type:x",  // a tag the metric's own tags override
        "x.y:1|c|#a:1,a:2,a:1",
        "x.y:1|c|#a:2,a:1,a:1",
        "a.much.longer.bucket.name.than.32.bytes:1|c|#k:v",
        "a.much.longer.bucket.name.than.32.bytes:1|c|#k:v",
    ]

    /// One parser (`shared`) or a fresh one per line: metrics and diagnostics.
    static func parse(_ lines: [String], shared: StatsDParser?, _ options: FormatOptions) -> ([Metric], [String]) {
        let collector = MetricCollector()
        var parser = shared
        for (k, line) in lines.enumerated() {
            var p = parser ?? (try! StatsDParser(options: options))
            Array(line.utf8).withUnsafeBufferPointer { p.parse(line: $0, number: k + 1, into: collector) }
            if parser != nil { parser = p }
        }
        return (collector.metrics, collector.diagnostics.map(\.description))
    }

    static func options(_ configure: (inout FormatOptions) -> Void = { _ in }) -> FormatOptions {
        var options = FormatOptions()
        options.statsd.datadogExtensions = true
        options.statsd.datadogKeepContainerTag = true
        options.statsd.datadogDistributions = true
        configure(&options)
        return options
    }

    @Test(arguments: [false, true])
    func aRepeatedSectionGivesWhatAFreshParseGives(defaultTags: Bool) throws {
        let options = Self.options { if defaultTags { $0.defaultTags = [Tag("host", "d"), Tag("zone", "z"), Tag("zone", "y")] } }
        // Every line three times over: the second and third passes come from the cache.
        let input = Self.lines + Self.lines + Self.lines
        let fresh = Self.parse(input, shared: nil, options)
        let shared = Self.parse(input, shared: try StatsDParser(options: options), options)
        #expect(fresh.0.count > 3 * 30)
        #expect(shared.0 == fresh.0)
        #expect(shared.1 == fresh.1)
    }

    @Test func theSampleLevelGivesTheSameSamples() {
        let input = Self.lines + Self.lines
        var shared = StatsDLineParser(options: Self.options().statsd)
        var fromShared: [String] = []
        var fromFresh: [String] = []
        for (k, line) in input.enumerated() {
            var fresh = StatsDLineParser(options: Self.options().statsd)
            Array(line.utf8).withUnsafeBufferPointer { b in
                shared.parse(b, number: k + 1) { fromShared.append("\($0)") }
                fresh.parse(b, number: k + 1) { fromFresh.append("\($0)") }
            }
        }
        #expect(fromShared.count > 2 * 30)
        #expect(fromShared == fromFresh)
    }

    /// The same tag section gives the same arrays (their storage), which the serializers' series
    /// caches find by their bits; another section gives other arrays.
    @Test func aRepeatedSectionGivesTheSameArrays() {
        var reader = StatsDLineParser(options: Self.options().statsd)
        func tags(_ line: String) -> (sample: [MetricFormats.Tag], metric: [MetricFormats.Tag]) {
            var result: ([MetricFormats.Tag], [MetricFormats.Tag]) = ([], [])
            Array(line.utf8).withUnsafeBufferPointer { b in
                reader.parseLine(b, number: 1, withMetricTags: true) { event, metricTags in
                    if case .sample(let s, _) = event { result = (s.tags, metricTags) }
                }
            }
            return result
        }
        func storage(_ tags: [MetricFormats.Tag]) -> UnsafeRawPointer? { tags.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        let a = tags("a:1|g|#host:web-00.eu-west.example.com,dc:eu")
        let b = tags("b:2|g|#host:web-00.eu-west.example.com,dc:eu")
        let c = tags("b:2|g|#host:web-00.eu-west.example.com,dc:eU")
        #expect(a.metric == [Tag("dc", "eu"), Tag("host", "web-00.eu-west.example.com"), Tag("metric_type", "gauge")])
        #expect(storage(a.sample) == storage(b.sample) && storage(a.metric) == storage(b.metric))
        #expect(storage(a.metric) != storage(c.metric) && c.metric[0] == Tag("dc", "eU"))
        // Another kind, same section: its own metric tags, the same sample tags.
        let d = tags("b:2|c|#host:web-00.eu-west.example.com,dc:eu")
        #expect(storage(d.sample) == storage(a.sample) && d.metric.last == Tag("metric_type", "counter"))
    }

    /// Many more distinct sections than the cache holds: sections push each other out (and the cache
    /// grows to its limit), and every line still parses as a fresh parser parses it.
    @Test func evictionKeepsResultsRight() throws {
        let options = Self.options()
        var input: [String] = []
        var rng = SplitMix(seed: 7)
        for k in 0..<6000 {
            let host = rng.next() % 3000
            input.append("m\(k % 7):\(k)|\(k % 3 == 0 ? "c" : "g")|#host:web-\(host).example.com,dc:eu-\(host % 5)")
            if k % 11 == 0 { input.append("m,host=h\(host):1|ms|#dc:x\(host % 3)") }
        }
        let parser = try StatsDParser(options: options)
        let shared = Self.parse(input, shared: parser, options)
        let fresh = Self.parse(input, shared: nil, options)
        #expect(shared.0.count == input.count)
        #expect(shared.0 == fresh.0)
        #expect(shared.1 == fresh.1)

        var reader = StatsDLineParser(options: options.statsd)
        for (k, line) in input.enumerated() {
            Array(line.utf8).withUnsafeBufferPointer { reader.parse($0, number: k + 1) { _ in } }
        }
        #expect(reader.tagSets.evictions > 0)
        #expect(reader.tagSets.setBits == reader.tagSets.maxSetBits)
    }

    /// A default tag is added unless a tag has its key's bytes: a canonically equivalent key (`é` as
    /// one code point and as `e` + U+0301) is another key, as on the wire; from the cache too.
    @Test func defaultTagsCompareKeysByTheirBytes() throws {
        let options = Self.options { $0.defaultTags = [Tag("cafe\u{301}", "d"), Tag("host", "h")] }
        let c = Self.parse(["a:1|c|#caf\u{E9}:x,host:y", "a:1|c|#caf\u{E9}:x,host:y"], shared: try StatsDParser(options: options), options)
        let expected = [Tag("cafe\u{301}", "d"), Tag("caf\u{E9}", "x"), Tag("host", "y"), Tag("metric_type", "counter")]
        #expect(c.0.count == 2)
        for m in c.0 {
            #expect(m.tags.count == 4)
            #expect(zip(m.tags, expected).allSatisfy { $0.key.hasSameBytes(as: $1.key) && $0.value == $1.value })
        }
    }

    /// A section longer than the cache keeps is parsed every time, with the same result.
    @Test func aLongSectionIsNotKeptAndStillParses() throws {
        let options = Self.options()
        let long = (0..<40).map { "key\($0):value\($0)" }.joined(separator: ",")
        let input = ["a:1|g|#\(long)", "a:2|g|#\(long)", "a,b=c:3|g|#\(long)|#x:y", "a,b=c:3|g|#\(long)|#x:y"]
        let shared = Self.parse(input, shared: try StatsDParser(options: options), options)
        let fresh = Self.parse(input, shared: nil, options)
        #expect(shared.0.count == 4 && shared.0[0].tags.count == 41)
        #expect(shared.0 == fresh.0)
    }
}
