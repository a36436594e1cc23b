import Testing

@testable import MetricFormats

/// The direct path from line protocol to JSON or line protocol must write exactly what the parser and
/// the serializer write, for every line it takes; every line it declines goes to them. These tests
/// compare the two on generated lines that mix every spelling the direct path has a rule for.
@Suite struct InfluxDirectTests {
    /// Value spellings: ones the direct path copies and ones it must leave to the full path.
    static let values: [String] = [
        // floats
        "1", "0", "-0", "0.0", "-0.0", "1.0", "1.50", "10.", "-12.340", ".5", "-.5", "01.5", "00", "1e5", "1E-3", "1.5e+2",
        "0.000001", "0.0000015", "0.0000001", "0.00000123", "123456789012345", "1234567890123456", "0.123456789012345",
        "0.1234567890123456", "9007199254740993", "3.14159265358979", "12345678901234.5", "123456789012345.5", "63.9427",
        "0.275029", "94.27984", "100", "-0.5", "0.30000000000000004", "1.7976931348623157e308",
        // integers and unsigned
        "0i", "-0i", "1i", "-1i", "01i", "9223372036854775807i", "-9223372036854775808i", "9223372036854775808i",
        "123456789012345678i", "-123456789012345678i", "1.5i", "1ei", "16777216000i", "0u", "18446744073709551615u",
        "18446744073709551616u", "-1u", "1234567890123456789u", "01u",
        // booleans
        "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE", "tru", "truE", "fals",
        // strings
        #""""#, #""plain""#, #""a\"b""#, #""a\\b""#, #""<tag>&""#, "\"tab\there\"", #""ünï""#, #""bad\x""#, #""created \"order\"""#,
        "\"\u{7F}\"", #""a,b c=d""#, "\"€ and 😀\"", "\"\u{2028}\"", "\"\u{2029}x\"",
        // broken
        "", "x", "-", "1.2.3", "1_000",
    ]

    static let headers: [String] = [
        "cpu,cpu=cpu0,host=web-00.eu-west.example.com", "cpu,cpu=cpu1,host=web-00.eu-west.example.com", "mem,host=a",
        "mem", "disk,path=/home,device=sda1", #"esc,k\ ey=v"#, #"esc2,k=v\,w"#, "dup,a=1,a=2", "quote\"d,t=\"x\"",
        "uni,h=ünï", "html,t=<a&b>", " lead,h=a", "#comment,h=a", "bad,h", "m,h=a=b",
    ]

    static let keys: [String] = ["usage_user", "usage_idle", "v", "response_time_ms", "a", #"k\ ey"#, #"e\=q"#, "q\"k", "é"]

    static let timestamps: [String] = [
        " 1700000000001000000", " 1700000000", " 1700000000123", "", " 17000000000000000000", " -1", " 0", " 9223372036854775807",
        " +1", " 1.5", " 1700000000001000000 ", "  1700000000001000000", " 1700000000001000000 x", "\t1700000000001000000",
    ]

    /// Lines that reuse headers and keys (so the direct path learns them) and vary the rest; `ts` is
    /// the usual timestamp.
    static func corpus(seed: UInt64, count: Int, ts usual: String = " 1700000000001000000") -> [String] {
        var rng = SplitMix(seed: seed)
        var lines: [String] = []
        for _ in 0..<count {
            let h = Int(rng.next() % UInt64(headers.count))
            // A key set per header, now and then another one.
            let fieldCount = rng.next() % 10 == 0 ? 1 + Int(rng.next() % 4) : 1 + h % 4
            var fields: [String] = []
            for k in 0..<fieldCount {
                let key = rng.next() % 10 == 0 ? keys[Int(rng.next() % UInt64(keys.count))] : keys[k % 4]
                // Mostly values the direct path copies.
                let value = rng.next() % 4 == 0 ? values[Int(rng.next() % UInt64(values.count))] : ["63.9427", "42i", "\"ok\"", "true", "0.5"][k % 5]
                fields.append(key + "=" + value)
            }
            let ts = rng.next() % 4 == 0 ? timestamps[Int(rng.next() % UInt64(timestamps.count))] : usual
            var line = headers[h] + " " + fields.joined(separator: ",") + ts
            if rng.next() % 20 == 0 { line += "\r" }
            lines.append(line)
        }
        return lines
    }

    /// What the parser and the serializer write for one line, and whether it was an error.
    final class FullPath {
        var parser: InfluxParser
        var serializer: any MetricSerializer
        let collector = MetricCollector()
        init(_ options: FormatOptions, _ output: InfluxDirect.Output) {
            parser = try! InfluxParser(options: options)
            serializer = try! (output == .json ? MetricFormat.json : .influx).makeSerializer(options)
        }
        func convert(_ line: [UInt8]) -> [UInt8] {
            let before = collector.metrics.count
            line.withUnsafeBufferPointer { parser.parse(line: $0, number: 1, into: collector) }
            if !parser.isBetweenRecords { parser.finish(into: collector) }
            var out: [UInt8] = []
            let context = SerializerContext(now: 7) { _ in }
            for m in collector.metrics[before...] { serializer.serialize(m, into: &out, context: context) }
            return out
        }
    }

    static func compare(_ lines: [String], _ configure: (inout FormatOptions) -> Void = { _ in }) -> (taken: Int, declined: Int) {
        compare(bytes: lines.map { Array($0.utf8) }, configure)
    }

    /// Compares both outputs; the counts are summed over them.
    static func compare(bytes lines: [[UInt8]], _ configure: (inout FormatOptions) -> Void = { _ in }) -> (taken: Int, declined: Int) {
        var taken = 0
        var declined = 0
        for output in [InfluxDirect.Output.json, .influx] {
            let (t, d) = compare(bytes: lines, output, configure)
            taken += t
            declined += d
        }
        return (taken, declined)
    }

    static func compare(bytes lines: [[UInt8]], _ output: InfluxDirect.Output, _ configure: (inout FormatOptions) -> Void) -> (taken: Int, declined: Int) {
        var options = FormatOptions()
        configure(&options)
        let direct = InfluxDirect(options: options, output: output, now: 7)!
        let full = FullPath(options, output)
        var taken = 0
        var declined = 0
        for bytes in lines {
            let line = String(decoding: bytes, as: UTF8.self)
            let expected = full.convert(bytes)
            var out: [UInt8] = []
            if bytes.withUnsafeBufferPointer({ direct.transcode($0, into: &out) }) {
                taken += 1
                #expect(String(decoding: out, as: UTF8.self) == String(decoding: expected, as: UTF8.self), "\(output): \(line)")
            } else {
                declined += 1
                #expect(out.isEmpty)
            }
        }
        #expect(direct.directLines == taken)
        return (taken, declined)
    }

    @Test func writesWhatTheParserAndSerializerWrite() {
        let (taken, declined) = Self.compare(Self.corpus(seed: 1, count: 20_000))
        // Both outcomes are exercised, and the common lines go direct.
        #expect(taken > 7_000)
        #expect(declined > 8_000)
    }

    /// Mutated lines (flipped bytes, truncations, NUL, invalid UTF-8, inserted escapes and quotes),
    /// each after a clean line of its header so that the direct path knows the header.
    @Test func mutatedLinesAgree() {
        var rng = SplitMix(seed: 3)
        var lines: [[UInt8]] = []
        for line in Self.corpus(seed: 4, count: 3_000) {
            lines.append(Array(line.utf8))
            lines += FuzzTests.mutate(Array(line.utf8), &rng).split(separator: ASCII.newline, omittingEmptySubsequences: false).map(Array.init)
        }
        let (taken, declined) = Self.compare(bytes: lines)
        #expect(taken > 1_000)
        #expect(declined > 1_000)
    }

    @Test(arguments: [TimestampPrecision.seconds, .milliseconds, .microseconds])
    func otherPrecisionsAndUnits(_ precision: TimestampPrecision) {
        // (JSON in other units; line protocol with and without timestamps and unsigned integers.)
        let usual = [TimestampPrecision.seconds: " 1700000000", .milliseconds: " 1700000000001", .microseconds: " 1700000000001000"][precision]!
        let (taken, _) = Self.compare(Self.corpus(seed: 2, count: 5_000, ts: usual)) {
            $0.influx.precision = precision
            $0.json.timestampUnits = precision == .seconds ? 1_000_000 : 1
            $0.influx.omitTimestamp = precision == .milliseconds
            $0.influx.uintSupport = precision != .microseconds
        }
        #expect(taken > 1_000)
    }

    @Test func everyValueAloneAgrees() {
        var lines: [String] = []
        for header in ["m", "m,h=a"] {
            for value in Self.values {
                // Twice: the first line of a header is learned, the second is written from what was learned.
                lines.append("\(header) v=\(value) 1700000000001000000")
                lines.append("\(header) v=\(value) 1700000000001000000")
            }
        }
        let (taken, _) = Self.compare(lines)
        #expect(taken > 80)
    }

    @Test func copiesCanonicalNumbersAndDeclinesOtherSpellings() {
        func direct(_ value: String, _ output: InfluxDirect.Output = .json, uintSupport: Bool = false) -> String? {
            var options = FormatOptions()
            options.influx.uintSupport = uintSupport
            let d = InfluxDirect(options: options, output: output, now: 7)!
            var out: [UInt8] = []
            let bytes = Array("m v=\(value) 1700000000000000000".utf8)
            guard bytes.withUnsafeBufferPointer({ d.transcode($0, into: &out) }) else { return nil }
            return String(decoding: out, as: UTF8.self)
        }
        #expect(direct("1.50") == #"{"fields":{"v":1.5},"name":"m","tags":{},"timestamp":1700000000}"# + "\n")
        #expect(direct("10.") == #"{"fields":{"v":10},"name":"m","tags":{},"timestamp":1700000000}"# + "\n")
        #expect(direct("0.000001") != nil)
        #expect(direct("-7i") == #"{"fields":{"v":-7},"name":"m","tags":{},"timestamp":1700000000}"# + "\n")
        #expect(direct("1.50", .influx) == "m v=1.5 1700000000000000000\n")
        #expect(direct("-7i", .influx) == "m v=-7i 1700000000000000000\n")
        #expect(direct("7u", .influx, uintSupport: true) == "m v=7u 1700000000000000000\n")
        #expect(direct("7u", .influx) == "m v=7i 1700000000000000000\n")
        #expect(direct("9223372036854775808u", .influx) == nil)  // the serializer reports it
        #expect(direct("T", .influx) == "m v=true 1700000000000000000\n")
        #expect(direct("\"ü €\"") == #"{"fields":{"v":"ü €"},"name":"m","tags":{},"timestamp":1700000000}"# + "\n")
        #expect(direct("\"ü €\"", .influx) == "m v=\"ü €\" 1700000000000000000\n")
        #expect(direct("\"\u{2028}\"") == nil)
        #expect(direct("\"\u{2028}\"", .influx) != nil)
        for declined in ["1e5", "0.0000001", "1234567890123456", "-0", "-0i", "01.5"] {
            #expect(direct(declined) == nil, "\(declined)")
            #expect(direct(declined, .influx) == nil, "\(declined)")
        }
        // A line without a timestamp: JSON gives it the run's time, line protocol none.
        let d = InfluxDirect(options: FormatOptions(), output: .json, now: 1_700_000_123_000_000_000)!
        var out: [UInt8] = []
        #expect(Array("m v=1i".utf8).withUnsafeBufferPointer { d.transcode($0, into: &out) })
        #expect(String(decoding: out, as: UTF8.self) == #"{"fields":{"v":1},"name":"m","tags":{},"timestamp":1700000123}"# + "\n")
        // JSON escapes `<`; line protocol does not.
        #expect(direct("\"<\"") == nil)
        #expect(direct("\"<\"", .influx) == "m v=\"<\" 1700000000000000000\n")
    }

    @Test func optionsOnlyTheFullPathHandlesTurnItOff() {
        var options = FormatOptions()
        options.defaultTags = [Tag("dc", "x")]
        #expect(InfluxDirect(options: options, output: .json, now: 0) == nil)
        #expect(InfluxDirect(options: options, output: .influx, now: 0) == nil)
        options = FormatOptions()
        options.json.batch = true
        #expect(InfluxDirect(options: options, output: .json, now: 0) == nil)
        options = FormatOptions()
        options.json.timestampFormat = "2006-01-02"
        #expect(InfluxDirect(options: options, output: .json, now: 0) == nil)
        options = FormatOptions()
        options.json.nestedFieldsInclude = ["a"]
        #expect(InfluxDirect(options: options, output: .json, now: 0) == nil)
        options = FormatOptions()
        options.influx.sortFields = true
        #expect(InfluxDirect(options: options, output: .influx, now: 0) == nil)
        #expect(InfluxDirect(options: options, output: .json, now: 0) != nil)
        options = FormatOptions()
        options.influx.maxLineBytes = 64
        #expect(InfluxDirect(options: options, output: .influx, now: 0) == nil)
    }
}
