import Foundation
import Testing

@testable import MetricFormats

/// The serializer shape is read straight into metrics (``JSONRecordDecoder/readMetricDirectly(_:locate:)``)
/// and anything it declines goes the general way. Both ways must give the same metrics, the same
/// places and the same findings, on every JSON fixture input and on generated records that mix
/// every member the shape has with values the general path reports.
@Suite struct JSONDirectReadingTests {
    struct Outcome: Equatable {
        var metrics: [Metric]
        var origins: [Int: MetricOrigin]
        var diagnostics: [Diagnostic]
    }

    static func read(_ text: String, direct: Bool, strict: Bool = false) throws -> Outcome {
        var options = FormatOptions()
        options.json.strict = strict
        var parser = try JSONParser(options: options)
        parser.readsDirectly = direct
        let back = MetricCollector()
        parser.parse(text: Array(text.utf8), into: back)
        return Outcome(metrics: back.metrics, origins: back.origins, diagnostics: back.diagnostics)
    }

    static let members: [String] = [
        #""name":"cpu""#, #""name":"a\"b\\\u00e9 x""#, #""name":null"#, #""name":1"#,
        #""tags":{"host":"a","host":"b"}"#, #""tags":{}"#, #""tags":null"#, #""tags":{"t":null,"u":"v"}"#, #""tags":{"t":1}"#, #""tags":[]"#,
        #""tags":{"k\u0041":"\n"}"#,
        #""fields":{"v":1}"#, #""fields":{"v":1.5e3,"s":"x","b":true,"f":false,"n":null}"#, #""fields":{"big":18446744073709551615}"#,
        #""fields":{"neg":-9223372036854775808,"huge":123456789012345678901234}"#, #""fields":{"nest":{"a":1}}"#, #""fields":{}"#,
        #""fields":null"#, #""fields":{"v":1,"v":"x"}"#, #""fields":{"e":1e999}"#, #""fields":{"arr":[1]}"#, #""fields":{"v":01}"#,
        #""timestamp":1700000000"#, #""timestamp":1.5"#, #""timestamp":"2023-01-01T00:00:00Z""#, #""timestamp":null"#,
        #""timestamp":9223372036854775807"#, #""timestamp":true"#, #""metrics":[]"#, #""other":1"#, #""name" : "spaced""#,
    ]

    static func generated(seed: UInt64, count: Int) -> String {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var lines: [String] = []
        for _ in 0..<count {
            var record = "{" + (0..<(1 + next(5))).map { _ in members[next(members.count)] }.joined(separator: next(2) == 0 ? "," : " , ") + "}"
            if next(3) == 0 { record = #"{"name":"m","fields":{"v":2}}"# + (next(2) == 0 ? " " : "") + record }
            switch next(8) {
            case 0: record = "[" + record + "," + record + "]"
            case 1: record += " x"
            case 2: record = "  " + record + "\t"
            default: break
            }
            lines.append(record)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: [false, true])
    func generatedRecordsReadTheSameBothWays(strict: Bool) throws {
        let text = Self.generated(seed: strict ? 11 : 7, count: 3_000)
        let direct = try Self.read(text, direct: true, strict: strict)
        let general = try Self.read(text, direct: false, strict: strict)
        #expect(direct.metrics.count > (strict ? 20 : 500), "the generator must give many good metrics")
        #expect(direct == general)
    }

    @Test func everyJSONFixtureInputReadsTheSameBothWays() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/json")
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(cases.count > 10)
        for c in cases {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(c).appendingPathComponent("input").path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            #expect(try Self.read(text, direct: true) == Self.read(text, direct: false), "\(c)")
        }
    }
}

extension JSONDirectReadingTests {
    /// The comparison above means something only if the direct reading takes the common records.
    @Test func theDirectReadingTakesTheSerializerShape() throws {
        let decoder = try JSONRecordDecoder(options: FormatOptions())
        for text in [#"{"name":"m","tags":{"h":"a"},"fields":{"v":2,"s":"x"},"timestamp":1}"#, #"{"fields":{"v":null,"w":1.5},"name":"a\"b"}"#] {
            let bytes = Array(text.utf8)
            let read = bytes.withUnsafeBufferPointer { buffer in
                var reader = JSONReader(buffer)
                return decoder.readMetricDirectly(&reader, locate: { (1, $0 + 1) }) != nil && reader.pos == buffer.count
            }
            #expect(read, "\(text)")
        }
    }
}
