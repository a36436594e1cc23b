import Testing

@testable import MetricFormats

/// influx -> Metric -> influx -> Metric is lossless on a generated corpus that uses every escaping
/// rule and every field type, and the second text is a fixed point of the conversion.
@Suite struct InfluxRoundTripTests {
    // Raw line-protocol tokens, as a writer would put them on the wire.
    static let names = ["cpu", #"c\ pu"#, #"c\,pu"#, #"c\pu"#, #"cpu\\"#, #"c=p"u"#, "mém☺", #"a\\b\ c"#, "x\u{0B}y"]
    static let tagKeys = ["host", #"h\ ost"#, #"h\,ost"#, #"h\=ost"#, #"ho\st"#, "dc", "ké"]
    static let tagValues = ["web01", #"two\ words"#, #"two\\ words"#, #"two\\\ words"#, #"a\,b"#, #"a\=b"#, #"a\"b"#, #"eas\t"#, "ü", #"x\=y"#]
    static let fieldKeys = ["value", #"va\lue"#, #"va\=lue"#, #"va\,lue"#, #"va\ lue"#, "☺", "n", #"k\\"#]
    static let fieldValues = [
        "42", "-42", ".5", "-.5", "1.", "00.42", "1e-7", "1.5E300", "-0", "0.1", "123456789.125", "4.9e-324",
        "42i", "-0i", "9223372036854775807i", "-9223372036854775808i", "0u", "18446744073709551615u",
        "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE",
        #""""#, #""howdy""#, #""how\"dy""#, #""C:\\path\\""#, "\"multi\nline\r\nstring\"", #""a, b=c d""#, #""ünï☺""#, "\"tab\there\"",
    ]
    static let timestamps = ["", " 0", " -1", " 1700000000000000000", " 9223372036854775807", " -9223372036854775808"]

    /// A deterministic corpus: every token of every list appears, combined pseudo-randomly.
    static func corpus(lines: Int) -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var out = ""
        for i in 0..<lines {
            var line = names[i % names.count]
            for t in 0..<next(4) {
                line += "," + tagKeys[(i + t) % tagKeys.count] + "=" + tagValues[next(tagValues.count)]
            }
            line += " "
            let count = 1 + next(5)
            for f in 0..<count {
                if f > 0 { line += "," }
                line += fieldKeys[(i + f) % fieldKeys.count] + "=" + fieldValues[(i * 7 + f * 3 + next(3)) % fieldValues.count]
            }
            line += timestamps[next(timestamps.count)]
            out += line + (i % 5 == 0 ? "\r\n" : "\n")
        }
        return out
    }

    static func parse(_ text: String) -> MetricCollector {
        var parser = try! InfluxParser(options: FormatOptions())
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c)
        return c
    }

    /// With `--influx-uint-support`, so that `u` values survive (without it, one above 2^63-1 is reported).
    static func serialize(_ metrics: [Metric]) -> (String, [Diagnostic]) {
        var options = FormatOptions()
        options.influx.uintSupport = true
        var serializer = try! InfluxSerializer(options: options)
        var diagnostics: [Diagnostic] = []
        let text = serializer.render(metrics) { diagnostics.append($0) }
        return (text, diagnostics)
    }

    @Test func corpusUsesEveryTokenAndParses() {
        let text = Self.corpus(lines: 400)
        for token in Self.names + Self.tagKeys + Self.fieldKeys + Self.fieldValues {
            #expect(text.contains(token), "corpus lacks \(token)")
        }
        let first = Self.parse(text)
        #expect(first.diagnostics.isEmpty, "\(first.diagnostics.prefix(3))")
        #expect(first.metrics.count == 400)
    }

    @Test func influxToInfluxIsLossless() {
        let first = Self.parse(Self.corpus(lines: 400))
        let (text, diagnostics) = Self.serialize(first.metrics)
        #expect(diagnostics.isEmpty, "\(diagnostics.prefix(3))")
        let second = Self.parse(text)
        #expect(second.diagnostics.isEmpty, "\(second.diagnostics.prefix(3))")
        #expect(second.metrics.count == first.metrics.count)
        for (a, b) in zip(first.metrics, second.metrics) where a != b {
            Issue.record("changed in the round trip: \(a) became \(b)")
            break
        }
        // The serializer's output is a fixed point.
        #expect(Self.serialize(second.metrics).0 == text)
    }

    @Test func typesSurvive() {
        let first = Self.parse(#"t i=1i,u=1u,f=1,s="1",b=true 1"#)
        let second = Self.parse(Self.serialize(first.metrics).0)
        #expect(second.metrics.first?.fields.map(\.value) == [.int(1), .uint(1), .float(1), .string("1"), .bool(true)])
    }
}
