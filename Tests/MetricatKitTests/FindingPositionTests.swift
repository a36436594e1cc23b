import MetricFormats
import Testing

@testable import MetricatKit

/// Every finding a serializer makes names the line and the column of the input it came from: the
/// key of the tag or field (the value for formats whose field is the sample value), column 1 for
/// the name and the whole record; a Prometheus histogram's findings name the lines of its samples,
/// not the line that ended the family. The same cases run through the binary in `CLITests`.
@Suite struct FindingPositionTests {
    struct Case: CustomStringConvertible, Sendable {
        var from: MetricFormat
        var to: MetricFormat
        var input: String
        var expected: [String]
        var description: String { "\(from) -> \(to)" }
    }

    static let lineProtocol = """
        cpu,host=a usage=1 1700000000000000000
        cpu,host=a,__name__=x usage=1,msg="hi there",big=18446744073709551615u 1700000000000000000

        """
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

    static let cases: [Case] = [
        Case(
            from: .influx, to: .influx, input: lineProtocol,
            expected: [
                "in:2:46: field \"big\" is 18446744073709551615u, above the largest integer (9223372036854775807) line protocol carries without --influx-uint-support: skipped"
            ]),
        Case(
            from: .influx, to: .graphite, input: lineProtocol,
            expected: [
                "in:2:31: field \"msg\" of \"cpu\" is a string: graphite carries only numbers, skipped"
            ]),
        Case(
            from: .influx, to: .wavefront, input: lineProtocol,
            expected: [
                "in:2:31: field \"msg\" of \"cpu\" is a string, which Wavefront cannot carry: skipped"
            ]),
        Case(
            from: .influx, to: .statsd, input: lineProtocol,
            expected: [
                "in:2:31: metric cpu: string field \"msg\" cannot be carried by StatsD: skipped"
            ]),
        Case(
            from: .influx, to: .csv, input: lineProtocol,
            expected: [
                "in:2:31: field \"msg\" of \"cpu\" is a string, which CSV Measurement cannot carry: skipped"
            ]),
        Case(
            from: .influx, to: .prometheus, input: lineProtocol,
            expected: [
                "in:2:12: warning: label name '__name__' is reserved in Prometheus: written as 'exported___name__'",
                "in:2:31: string field 'msg' skipped: Prometheus samples are numbers (--prometheus-string-as-label makes string fields labels)",
            ]),
        // Held until the family ends (line 7), yet placed on the sum's own line.
        Case(
            from: .prometheus, to: .json, input: histogram,
            expected: [
                "in:5:7: field 'h_sum' of 'prometheus' is NaN, which JSON cannot carry: skipped",
                "in:8:13: field 'g' of 'prometheus' is NaN, which JSON cannot carry: skipped",
                "in:8:1: metric 'prometheus' has no field JSON can carry: skipped",
            ]),
        Case(
            from: .json, to: .graphite, input: "{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"fields\":{\"v\":1,\"s\":\"x\"},\"timestamp\":1700000000}\n",
            expected: [
                "in:1:51: field \"s\" of \"cpu\" is a string: graphite carries only numbers, skipped"
            ]),
        Case(
            from: .graphite, to: .prometheus, input: "cpu.usage;host=a;__name__=x 1 1700000000\n",
            expected: [
                "in:1:18: warning: label name '__name__' is reserved in Prometheus: written as 'exported___name__'",
                "in:1:1: warning: metric name 'cpu.usage_value' written as 'cpu_usage_value'",
            ]),
        Case(
            from: .wavefront, to: .prometheus, input: "cpu_usage 1 1700000000 source=a \"__name__\"=\"x\"\n",
            expected: [
                "in:1:33: warning: label name '__name__' is reserved in Prometheus: written as 'exported___name__'"
            ]),
        Case(
            from: .statsd, to: .prometheus, input: "a:1|c|#b:y,__name__:x\ns:x|s\n",
            expected: [
                "in:1:12: warning: label name '__name__' is reserved in Prometheus: written as 'exported___name__'",
                "in:2:3: string field 'value' skipped: Prometheus samples are numbers (--prometheus-string-as-label makes string fields labels)",
            ]),
        // The precision warning names the timestamp, on the direct path too.
        Case(
            from: .influx, to: .json, input: "cpu,host=a v=1 1700000000000000000\ncpu,host=a v=1 1700000000\n",
            expected: [
                "in:2:16: warning: timestamp 1700000000 is in 1970 when read as nanoseconds; it looks like seconds: set --precision"
            ]),
        Case(
            from: .csv, to: .graphite, input: "host,v,s\na,1,x\nbb,2,\"y\nz\"\n",
            expected: [
                "in:2:1: field \"host\" of \"csv\" is a string: graphite carries only numbers, skipped",
                "in:2:5: field \"s\" of \"csv\" is a string: graphite carries only numbers, skipped",
                "in:3:1: field \"host\" of \"csv\" is a string: graphite carries only numbers, skipped",
                "in:3:6: field \"s\" of \"csv\" is a string: graphite carries only numbers, skipped",
            ]),
        Case(
            from: .csv, to: .json, input: "Timepoint,Measurement,Label,PID\n1700000000000000000,NaN,\"cpu,host=a usage\",\n",
            expected: [
                "in:2:21: field 'usage' of 'cpu' is NaN, which JSON cannot carry: skipped",
                "in:2:1: metric 'cpu' has no field JSON can carry: skipped",
            ]),
    ]

    @Test(arguments: cases)
    func findingNamesLineAndColumn(_ c: Case) {
        var options = ConvertOptions(from: c.from, to: c.to)
        options.texts = [(name: "in", bytes: Array(c.input.utf8))]
        var messages: [String] = []
        let diagnostics = Diagnostics(write: { messages.append($0) })
        let sink = ByteSink(flushThreshold: 1 << 16) { $0.removeAll(keepingCapacity: true) }
        _ = Converter.run(options, diagnostics: diagnostics, output: sink, now: 1_700_000_000_000_000_000)
        #expect(messages == c.expected.map { $0 + "\n" })
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
