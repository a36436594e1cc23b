import Testing

@testable import MetricFormats

/// Nothing metricat writes may be unreadable by the format's own rules: any metric the parsers can
/// produce, with every awkward byte in its names, keys and values, serialized in every format, parses
/// back without an error, or the serializer reported why it changed or skipped something.
@Suite struct SerializerReadBackTests {
    /// Bytes that break formats: quotes, backslashes, separators, whitespace, newlines, NUL, unicode.
    static let awkward: [String] = [
        "\"", "\\", "\n", "\r", "\r\n", "\u{0}", "\t", " ", ",", "=", ";", ":", "|", "#", "@", "{", "}", "*", "é", "☢", "\u{2028}", "",
        "a\\", "\\\"", "x y", "a=b", "a,b", "le", "__name__", "-", ".", "..", "_",
    ]

    static func word(_ rng: inout SplitMix) -> String {
        var s = ""
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            if Bool.random(using: &rng) {
                s += awkward.randomElement(using: &rng)!
            } else {
                s += ["a", "b", "cpu", "x1", "Z"].randomElement(using: &rng)!
            }
        }
        return s
    }

    static func metric(_ rng: inout SplitMix) -> Metric {
        var tags: [MetricFormats.Tag] = []
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let key = word(&rng)
            if !tags.contains(where: { $0.key == key }) { tags.append(MetricFormats.Tag(key, word(&rng))) }
        }
        tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var fields: [Field] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let key = word(&rng)
            guard !fields.contains(where: { $0.key == key }) else { continue }
            let value: FieldValue
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: value = .float([1.5, -0.25, 1e21, 5e-324, .nan, .infinity].randomElement(using: &rng)!)
            case 1: value = .int([0, -1, .max, .min].randomElement(using: &rng)!)
            case 2: value = .uint([0, 1, .max].randomElement(using: &rng)!)
            case 3: value = .string(word(&rng))
            case 4: value = .bool(Bool.random(using: &rng))
            default: value = .float(42)
            }
            fields.append(Field(key, value))
        }
        if fields.isEmpty { fields = [Field("value", .float(1))] }
        return Metric(name: word(&rng), tags: tags, fields: fields, timestamp: 1_700_000_000_000_000_000)
    }

    @Test(arguments: MetricFormat.allCases)
    func everyOutputReadsBackOrWasReported(_ format: MetricFormat) throws {
        var rng = SplitMix(state: 20_261_202)
        var options = FormatOptions()
        options.influx.uintSupport = true
        var unreadable: [String] = []
        for _ in 0..<3000 {
            let m = Self.metric(&rng)
            var serializer = try format.makeSerializer(options)
            var reports: [Diagnostic] = []
            let text = serializer.render([m], now: 1_700_000_000_000_000_000) { reports.append($0) }
            var parser = try format.makeParser(options)
            let back = MetricCollector()
            parser.parse(text: Array(text.utf8), into: back)
            parser.finish(into: back)
            if !back.errors.isEmpty && reports.isEmpty {
                unreadable.append("\(m)\n  wrote \(text.debugDescription)\n  read back: \(back.errors.map(\.description))")
            }
        }
        #expect(unreadable.isEmpty, "\(unreadable.count) unreadable outputs; first: \(unreadable.first ?? "")")
    }
}
