import Testing

@testable import MetricFormats

/// json -> metrics -> json: with --json-timestamp-units 1ns every name, tag, value and timestamp
/// comes back, except that a whole float returns as an integer (JSON cannot tell 42.0 from 42).
@Suite struct JSONRoundTripTests {
    static let pieces = [
        "a", "b c", "\"", "\\", "\\\"", "<", ">", "&", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "\u{2028}", "\u{2029}", "😀", ",", "=", " ", "{", "}", "[", "]", ":",
        "\\u0041", "/",
    ]

    static func randomText(_ rng: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: 1...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func randomValue(_ rng: inout some RandomNumberGenerator) -> FieldValue {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return .float(Double.random(in: -1e6...1e6, using: &rng))
        case 1: return .float(Double(Int.random(in: -1000...1000, using: &rng)))  // whole: comes back as int
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng))
        case 3: return .uint(UInt64.random(in: UInt64(Int64.max) + 1 ... .max, using: &rng))
        case 4: return .bool(Bool.random(using: &rng))
        case 5: return .float([1e-7, 1e21, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -0.000123][Int.random(in: 0..<5, using: &rng)])
        default: return .string(randomText(&rng))
        }
    }

    @Test func generatedCorpusSurvives() {
        var rng = SystemRandomNumberGenerator()
        var metrics: [Metric] = []
        for _ in 0..<500 {
            var m = Metric(name: Self.randomText(&rng), timestamp: Int64.random(in: -1_000_000_000_000_000_000...4_000_000_000_000_000_000, using: &rng))
            for k in 0..<Int.random(in: 0...3, using: &rng) { m.setTag("t\(k)" + Self.randomText(&rng), Self.randomText(&rng)) }
            for k in 0..<Int.random(in: 1...4, using: &rng) { m.setField("f\(k)" + Self.randomText(&rng), Self.randomValue(&rng)) }
            m.sortTags()
            metrics.append(m)
        }
        var options = FormatOptions()
        options.json.timestampUnits = 1
        var serializer = try! JSONSerializer(options: options)
        let text = serializer.render(metrics)
        var parser = try! JSONParser(options: options)
        let collector = MetricCollector()
        parser.parse(text: Array(text.utf8), into: collector)
        #expect(collector.diagnostics.isEmpty)
        #expect(collector.metrics.count == metrics.count)
        for (sent, got) in zip(metrics, collector.metrics) {
            var expected = sent
            expected.fields = sent.fields.map { f in
                if case .float(let v) = f.value, v == v.rounded(), abs(v) < 9.2e18 { return Field(f.key, .int(Int64(v))) }
                return f
            }
            // Fields come back in key order, as the serializer sorts them.
            expected.fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            #expect(got == expected)
        }
    }
}
