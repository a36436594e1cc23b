import Testing

@testable import MetricFormats

/// Feeds every parser random and mutated bytes: truncations, flipped bytes, huge lines, invalid
/// UTF-8, NUL. Nothing may crash; every error must point inside the input; a good line after the
/// damage must still come through (for the line-based formats); and whatever metrics come out must
/// serialize in every format without crashing.
@Suite struct FuzzTests {
    typealias Rng = SplitMix

    static let samples: [MetricFormat: [String]] = [
        .influx: [
            "cpu,host=a,region=us\\ west usage=1.5,idle=2i,ok=true,msg=\"hi \\\"there\\\"\" 1700000000000000000",
            "m\\,x,t\\=k=v\\ 1 f=1u,g=-1.5e3,s=\"a\\\\b\" -1", "weather temp=82,note=\"multi\nline\" 1",
        ],
        .json: [
            "{\"fields\":{\"a\":1,\"b\":\"x\"},\"name\":\"cpu\",\"tags\":{\"h\":\"a\"},\"timestamp\":1700000000}",
            "[{\"metric_name\":\"speed\",\"value\":10,\"nested\":{\"a\":[1,2,{\"b\":true}]}}]", "{\"a\":\n  {\"b\": 1.5e3}\n}",
        ],
        .statsd: ["deploys:1|c|@0.5|#env:prod,dc:x", "a.b,k=v:1|c:2|g:-3|g:4|ms:x|s", "lat:1.5|h|#t", "_e{5,4}:title|text|#a:b"],
        .graphite: ["servers.web1.cpu 42.5 1700000000", "tagged;env=prod;dc=x 1 -1", "a.b NaN"],
        .wavefront: ["cpu.idle 42 1700000000 source=web1 \"dc\"=\"eu west\"", "\"quoted name\" -1.5e3 source=x"],
        .prometheus: [
            "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\",path=\"/a\\\"b\"} 3 1700000000000",
            "# TYPE lat histogram\nlat_bucket{le=\"0.1\"} 1\nlat_bucket{le=\"+Inf\"} 2\nlat_sum 0.3\nlat_count 2",
        ],
        .csv: ["Timepoint,Measurement,Label,PID\n1700000000000000000,2.5,\"cpu,host=a usage\",42", "a,b,c\n1,2,\"x,\"\"y\"\n"],
    ]

    static let goodLine: [MetricFormat: (String, String)] = [
        .influx: ("zzgood value=7", "zzgood"),
        .statsd: ("zzgood:7|g", "zzgood"),
        .graphite: ("zzgood 7 1700000000", "zzgood"),
        .wavefront: ("zzgood 7 1700000000 source=s", "zzgood"),
        .prometheus: ("zzgood 7", "zzgood"),  // a field of measurement `prometheus` (metric version 2)
    ]

    static func mutate(_ input: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = input
        switch rng.next() % 9 {
        case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))
        case 1:
            for _ in 0..<(1 + rng.next() % 4) where !b.isEmpty { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8)) }
        case 2: if !b.isEmpty { b.insert(0, at: Int(rng.next() % UInt64(b.count))) }
        case 3: b.insert(contentsOf: [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80], at: Int(rng.next() % UInt64(b.count + 1)))
        case 4: b += [UInt8](repeating: UInt8(ascii: "9"), count: 400)
        case 5: b = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 6:
            let special: [UInt8] = Array("\\\"=, \t\r\n{}[]:|#;@-+.eE0".utf8)
            for _ in 0..<(1 + rng.next() % 6) { b.insert(special[Int(rng.next() % UInt64(special.count))], at: Int(rng.next() % UInt64(b.count + 1))) }
        case 7: if b.count > 2 { b.remove(at: Int(rng.next() % UInt64(b.count))) }
        default: b = b + b
        }
        return b
    }

    static func check(_ format: MetricFormat, _ bytes: [UInt8], seed: UInt64) {
        var options = FormatOptions()
        options.maxLineBytes = 256
        guard var parser = try? format.makeParser(options) else {
            Issue.record("\(format): parser not constructible")
            return
        }
        let collector = MetricCollector()
        var input = bytes
        // In line protocol a quote may open a string that runs over newlines, so a stray quote may
        // rightly take the good line with it.
        let good = format == .influx && bytes.contains(ASCII.quote) ? nil : goodLine[format]
        if let good { input += Array(("\n" + good.0 + "\n").utf8) }
        parser.parse(text: input, into: collector, maxLineBytes: options.maxLineBytes)
        let lineCount = input.split(separator: ASCII.newline, omittingEmptySubsequences: false).count
        for d in collector.diagnostics {
            if let line = d.line { #expect(line >= 1 && line <= lineCount + 1, "\(format) seed \(seed): line \(line) of \(lineCount): \(d)") }
            if let column = d.column { #expect(column >= 1, "\(format) seed \(seed): \(d)") }
            #expect(!d.message.isEmpty)
        }
        if let good {
            #expect(
                collector.metrics.contains { $0.name == good.1 || $0.field(good.1) != nil },
                "\(format) seed \(seed): the good line after the damage was lost: \(String(decoding: bytes, as: UTF8.self).debugDescription) -> \(collector.diagnostics)")
        }
        for target in MetricFormat.allCases {
            guard var s = try? target.makeSerializer(FormatOptions()) else { continue }
            _ = s.render(collector.metrics, now: 1)
        }
    }

    @Test(arguments: MetricFormat.allCases)
    func mutatedInputNeverCrashes(_ format: MetricFormat) {
        // A seed fixed per format (hashValue changes from run to run), so a failure is reproducible.
        var rng = Rng(state: 0x5EED ^ UInt64(MetricFormat.allCases.firstIndex(of: format)!) &* 0x1_0000_0001)
        for iteration in 0..<400 {
            let samples = Self.samples[format] ?? []
            var bytes = Array(samples[iteration % samples.count].utf8)
            let seed = rng.state
            for _ in 0..<(1 + rng.next() % 3) { bytes = Self.mutate(bytes, &rng) }
            Self.check(format, bytes, seed: seed)
        }
    }

    @Test(arguments: MetricFormat.allCases)
    func hugeLinesAreReportedAndTheRestGoesOn(_ format: MetricFormat) {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 10_000)
        Self.check(format, huge, seed: 0)
    }

    /// Numbers at and past the edges of Int64, UInt64 and Double, and timestamps of every digit count.
    static let extremeNumbers: [String] = {
        var n = [
            "9999999999999999999999", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
            "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1e400", "-1e400", "1e308",
            "4e-400", "1.7976931348623157e308", "9223372036.854775807", "-9223372036.9", "9.3e18", "-1e19", "NaN",
            "-inf", "0", "-0",
        ]
        for digits in 1...24 {
            n += [String(repeating: "9", count: digits), "-" + String(repeating: "9", count: digits)]
            n.append(String(repeating: "9", count: digits) + ".999999999")
        }
        return n
    }()

    /// Inputs with `%` where a number goes, read with the options that scale numbers.
    static let numberSites: [(MetricFormat, String, @Sendable (inout FormatOptions) -> Void)] = [
        (.influx, "m v=%,i=%i,u=%u %", { _ in }),
        (.influx, "m v=% %", { $0.influx.precision = .seconds }),
        (.influx, "m v=1 %", { $0.influx.precision = .milliseconds }),
        (.influx, "m v=1 %", { $0.influx.precision = .microseconds }),
        (.wavefront, "m % % t=%", { _ in }),
        (.statsd, "a:%|c|@%", { _ in }),
        (.statsd, "a:%|ms|@%|T%", { _ in }),
        (.statsd, "a:+%|g", { _ in }),
        (.statsd, "a:-%|g|T%", { _ in }),
        (.statsd, "a:%|d|@%|#t:v", { _ in }),
        (.graphite, "a.b % %", { _ in }),
        (.prometheus, "m{a=\"%\"} % %", { _ in }),
        (.prometheus, "# TYPE h histogram\nh_bucket{le=\"%\"} % %\nh_count % %\nh_sum %", { $0.prometheus.metricVersion = 1 }),
        (.prometheus, "# TYPE s summary\ns{quantile=\"%\"} % %\ns_count %\ns_sum % %", { _ in }),
        (.json, "{\"fields\":{\"v\":%},\"name\":\"m\",\"tags\":{},\"timestamp\":%}", { _ in }),
        (.json, "{\"fields\":{\"v\":%},\"name\":\"m\",\"tags\":{},\"timestamp\":%}", { $0.json.timestampUnits = 1_000_000 }),
        (
            .json, "{\"a\":%,\"t\":%}",
            {
                $0.json.timeKey = "t"
                $0.json.timeFormat = "unix"
            }
        ),
        (
            .json, "{\"a\":%,\"t\":\"%\"}",
            {
                $0.json.timeKey = "t"
                $0.json.timeFormat = "unix_ms"
            }
        ),
        (
            .json, "{\"a\":%,\"t\":%}",
            {
                $0.json.timeKey = "t"
                $0.json.timeFormat = "unix_us"
            }
        ),
        (
            .json, "{\"a\":%,\"t\":\"%\"}",
            {
                $0.json.timeKey = "t"
                $0.json.timeFormat = "unix_ns"
            }
        ),
        (
            .json, "{\"a\":%,\"t\":\"%\"}",
            {
                $0.json.timeKey = "t"
                $0.json.timeFormat = "2006"
            }
        ),
        (.csv, "a,b\n%,%", { _ in }),
        (
            .csv, "a,b\n%,%",
            {
                $0.csv.timestampColumn = "a"
                $0.csv.timestampFormat = .unix
            }
        ),
        (
            .csv, "a,b\n%,%",
            {
                $0.csv.timestampColumn = "a"
                $0.csv.timestampFormat = .unixMilliseconds
            }
        ),
        (
            .csv, "a,b\n%,%",
            {
                $0.csv.timestampColumn = "a"
                $0.csv.timestampFormat = .unixNanoseconds
            }
        ),
        (
            .csv, "a,b\n%,%",
            {
                $0.csv.timestampColumn = "a"
                $0.csv.timestampFormat = .init(parsing: "20060102150405")
            }
        ),
        (.csv, "a,b\n%,%", { $0.csv.columnTypes = [.int, .float] }),
        (.csv, "Timepoint,Measurement,Label,PID\n%,%,m v,%", { _ in }),
    ]

    @Test func extremeNumbersAreReportedOrConverted() {
        for (format, template, configure) in Self.numberSites {
            var options = FormatOptions()
            configure(&options)
            for number in Self.extremeNumbers {
                let text = template.split(separator: "%", omittingEmptySubsequences: false).joined(separator: number)
                guard var parser = try? format.makeParser(options) else {
                    Issue.record("\(format): parser not constructible")
                    return
                }
                let collector = MetricCollector()
                parser.parse(text: Array(text.utf8), into: collector, maxLineBytes: options.maxLineBytes)
                // Every line either converts or is reported, with a position inside the input.
                #expect(!collector.metrics.isEmpty || !collector.diagnostics.isEmpty, "\(format) \(text.debugDescription)")
                for d in collector.diagnostics where d.line != nil {
                    #expect(d.column.map { $0 >= 1 && $0 <= text.utf8.count + 1 } ?? true, "\(format) \(text.debugDescription): \(d)")
                }
                for target in MetricFormat.allCases {
                    for units: Int64 in [1, 1_000_000, 1_000_000_000] {
                        var out = FormatOptions()
                        out.json.timestampUnits = units
                        out.prometheus.exportTimestamp = true
                        out.statsd.datadogTimestamps = true
                        out.influx.precision = units == 1 ? .nanoseconds : .seconds
                        guard var s = try? target.makeSerializer(out) else { continue }
                        _ = s.render(collector.metrics, now: 1)
                    }
                }
            }
        }
    }
}
