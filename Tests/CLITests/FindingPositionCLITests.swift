import Foundation
import MetricFormats
import Testing

/// Through the binary: every serializer finding is printed as `FILE:LINE:COLUMN: message` with the
/// place in the input it came from (the same cases as `MetricatKitTests.FindingPositionTests`, which
/// runs them in-process); the exit status is 65 when a value was skipped, 0 for warnings only.
@Suite struct FindingPositionCLITests {
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
    func findingNamesFileLineAndColumn(_ c: Case) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metricat-pos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try c.input.write(to: dir.appendingPathComponent("in"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["convert", "--from", c.from.rawValue, "--to", c.to.rawValue, "in"], cwd: dir)
        #expect(r.stderr == c.expected.map { $0 + "\n" }.joined(), "\(r)")
        #expect(r.status == (c.expected.contains { !$0.contains(": warning: ") } ? 65 : 0), "\(r)")
    }
}
