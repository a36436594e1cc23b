import Foundation
import MetricFormats
import Testing

@testable import MetricatKit

/// Every finding a serializer makes names the line and the column of the input it came from: the
/// key of the tag or field (the value for formats whose field is the sample value), the start of
/// the record for the whole record and its name (JSON: the name's value); a Prometheus histogram's
/// findings name the lines of its samples, not the line that ended the family; a JSON record's
/// findings name the key whose value the metric holds (the last of a repeated key).
///
/// The cases are the `Tests/Fixtures/<format>/position-*` folders, which `CLITests.FixtureTests`
/// runs through the binary; this suite runs the same folders in-process.
@Suite struct FindingPositionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static var cases: [String] {
        let fm = FileManager.default
        var out: [String] = []
        for format in ((try? fm.contentsOfDirectory(atPath: fixtures.path)) ?? []).sorted() {
            let names = (try? fm.contentsOfDirectory(atPath: fixtures.appendingPathComponent(format).path)) ?? []
            out += names.filter { $0.hasPrefix("position-") }.sorted().map { "\(format)/\($0)" }
        }
        return out
    }

    static let histogram = """
        # HELP h A histogram.
        # TYPE h histogram
        h_bucket{le="1"} 1
        h_bucket{le="+Inf"} 2
        h_sum NaN
        h_count 2
        # TYPE g gauge
        g{room="x"} NaN

        """

    @Test func everyFormatHasPositionCases() {
        let formats = Set(Self.cases.map { String($0.split(separator: "/")[0]) })
        #expect(formats == ["csv", "graphite", "influx", "json", "prometheus", "statsd", "wavefront"])
    }

    @Test(arguments: cases)
    func findingNamesLineAndColumn(_ name: String) throws {
        let dir = Self.fixtures.appendingPathComponent(name)
        func read(_ file: String) -> String? { try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) }
        // A position case uses only the flags read here, so it runs the same in-process.
        var words = (read("args") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)[...]
        var options = ConvertOptions(from: nil, to: nil)
        while let flag = words.popFirst() {
            let next = words.popFirst()
            let value = try #require(next, "\(name): \(flag) needs a value")
            switch flag {
            case "--from", "--to":
                let format = try #require(MetricFormat(rawValue: value), "\(name): no format named \(value)")
                if flag == "--from" { options.from = format } else { options.to = format }
            case "--json-string-fields": options.format.json.stringFields.append(value)
            default: Issue.record("\(name): \(flag) is not read by this suite")
            }
        }
        options.texts = [(name: "input", bytes: Array((read("input") ?? "").utf8))]
        var messages: [String] = []
        let diagnostics = Diagnostics(write: { messages.append($0) })
        var output: [UInt8] = []
        let sink = ByteSink(flushThreshold: 1 << 16) {
            output += $0
            $0.removeAll(keepingCapacity: true)
        }
        _ = Converter.run(options, diagnostics: diagnostics, output: sink, now: 1_700_000_000_000_000_000)
        sink.flush()
        #expect(messages.joined() == (read("expected.err") ?? ""))
        #expect(String(decoding: output, as: UTF8.self) == (read("expected.out") ?? ""))
    }

    /// The parser hands a gathered histogram over with the places of its samples.
    @Test func heldHistogramCarriesItsSamplePlaces() throws {
        var parser = try MetricFormat.prometheus.makeParser(FormatOptions())
        let back = MetricCollector()
        parser.parse(text: Array(Self.histogram.utf8), into: back)
        let origin = try #require(back.origins[0])
        #expect(origin.line == 3)
        func at(_ o: MetricOrigin?, _ s: Diagnostic.Subject) -> [Int] { o.map { [$0.position(of: s).line, $0.position(of: s).column] } ?? [] }
        #expect(at(origin, .field("h_sum")) == [5, 7])
        #expect(at(origin, .field("h_count")) == [6, 9])
        #expect(at(back.origins[2], .field("h_bucket")) == [4, 21])
    }
}
