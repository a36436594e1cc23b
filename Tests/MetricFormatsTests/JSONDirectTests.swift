import Testing

@testable import MetricFormats

/// ``JSONDirect`` on its own: a copied record is exactly what the parser and the serializer write
/// for it, and the full way has nothing to say about it.
@Suite struct JSONDirectTests {
    /// A record is copied only when it is what the full way writes: checked on records built from
    /// random parts, some in the serializer's order and spelling and some not.
    @Test func aCopiedRecordIsWhatTheParserAndSerializerWrite() throws {
        let options = FormatOptions()
        let direct = try #require(JSONDirect(options: options, now: 0))
        var rng = SplitMix(seed: 3)
        let keys = ["a", "b", "ab", "B", "é", "a b", "a<b", "k\\\"", "\u{2028}", "x"]
        let values = [
            "1", "-1", "0", "-0", "1.5", "1.50", "0.000001", "0.0000001", "1e5", "true", "false", "\"s\"", "\"\"", "\"<\"", "\"\\n\"", "\"\\\\\"", "null", "123456789012345678",
            "1234567890123456789",
        ]
        var copied = 0
        for _ in 0..<4000 {
            var fields: [String] = []
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                fields.append("\"\(keys[Int(rng.next() % UInt64(keys.count))])\":\(values[Int(rng.next() % UInt64(values.count))])")
            }
            var tags: [String] = []
            for _ in 0..<Int(rng.next() % 3) {
                tags.append("\"\(keys[Int(rng.next() % UInt64(keys.count))])\":\"\(keys[Int(rng.next() % UInt64(keys.count))])\"")
            }
            let line = #"{"fields":{\#(fields.joined(separator: ","))},"name":"m","tags":{\#(tags.joined(separator: ","))},"timestamp":1700000000}"#
            let bytes = Array(line.utf8)
            var out: [UInt8] = []
            let took = bytes.withUnsafeBufferPointer { direct.transcode($0, into: &out) }
            guard took else {
                #expect(out.isEmpty)
                continue
            }
            copied += 1
            // The full way: parse, then serialize.
            var parser = try JSONParser(options: options)
            let catcher = Catcher()
            parser.parse(text: bytes + [ASCII.newline], into: catcher)
            #expect(catcher.findings.isEmpty, "\(line): \(catcher.findings)")
            var serializer = try JSONSerializer(options: options)
            var written: [UInt8] = []
            for m in catcher.metrics { serializer.serialize(m, into: &written, context: SerializerContext(now: 0) { _ in }) }
            #expect(written == out, "\(line)")
        }
        #expect(copied > 300)
    }

    final class Catcher: MetricHandler {
        var metrics: [Metric] = []
        var findings: [String] = []
        func handle(_ metric: Metric) { metrics.append(metric) }
        func report(_ diagnostic: Diagnostic) { findings.append("\(diagnostic)") }
    }
}
