import MetricFormats
import MetricLoad
import Testing

@testable import MetricatCommands

/// Every typed argument value: what it accepts, where its bounds are, and why it refuses.
@Suite struct ArgumentValueTests {
    /// The problem of a refusal, or nil when `text` is accepted.
    func problem<T: CheckedArgument>(_ type: T.Type, _ text: String) -> String? {
        if case .failure(let p) = T.parse(text) { return p.message(flag: "--x", text: text) }
        return nil
    }

    func value<T: CheckedArgument>(_ type: T.Type, _ text: String) throws -> T {
        try T.parse(text).get()
    }

    @Test func durations() throws {
        #expect(try value(DurationValue.self, "500ms").nanoseconds == 500_000_000)
        #expect(try value(DurationValue.self, "2s").nanoseconds == 2_000_000_000)
        #expect(try value(DurationValue.self, "1m").nanoseconds == 60_000_000_000)
        #expect(try value(DurationValue.self, "1h").nanoseconds == 3_600_000_000_000)
        #expect(try value(DurationValue.self, "1.5").nanoseconds == 1_500_000_000)
        #expect(try value(DurationValue.self, "250us").nanoseconds == 250_000)
        // Boundaries: 1ns is the shortest, just under 9e9 s the longest.
        #expect(try value(DurationValue.self, "1ns").nanoseconds == 1)
        // (9e18 ns is past a double's integer precision: it is within 1024 ns.)
        #expect(abs(try value(DurationValue.self, "8999999999s").nanoseconds - 8_999_999_999_000_000_000) <= 1024)
        #expect(problem(DurationValue.self, "9000000000s") == "--x: '9000000000s' is too long: at most 9000000000s (about 285 years) (example: --x 500ms, 2s or 1m)")
        #expect(problem(DurationValue.self, "0s") == "--x: '0s' is zero: a duration must be more than 0 (example: --x 500ms, 2s or 1m)")
        #expect(problem(DurationValue.self, "-1s") == "--x: '-1s' is negative: a duration must be more than 0 (example: --x 500ms, 2s or 1m)")
        #expect(problem(DurationValue.self, "soon") == "--x: 'soon' is not a duration: a number with a unit ns, us, ms, s, m or h (example: --x 500ms, 2s or 1m)")
        #expect(problem(DurationValue.self, "") != nil)
        #expect(problem(DurationValue.self, "5 parsecs") != nil)
        #expect(DurationValue(argument: "10s")?.defaultValueDescription == "10s")
        #expect(DurationValue(argument: "nan") == nil)
    }

    @Test func rates() throws {
        #expect(try value(LineRate.self, "5000").perSecond == 5000)
        #expect(try value(LineRate.self, "10k").perSecond == 10_000)
        #expect(try value(LineRate.self, "2.5M").perSecond == 2_500_000)
        #expect(try value(LineRate.self, "1G").perSecond == 1e9)
        #expect(problem(LineRate.self, "1.5G") == "--x: '1.5G' is too high: at most 1G lines per second (example: --x 5000, 10k or 2M)")
        #expect(problem(LineRate.self, "0") == "--x: '0' is zero: a rate must be more than 0 lines per second (example: --x 5000, 10k or 2M)")
        #expect(problem(LineRate.self, "-5k") == "--x: '-5k' is negative: a rate must be more than 0 (example: --x 5000, 10k or 2M)")
        #expect(problem(LineRate.self, "fast") == "--x: 'fast' is not a rate: lines per second, with k, M or G (example: --x 5000, 10k or 2M)")
        #expect(problem(LineRate.self, "max") != nil)
        #expect(try value(LoadPace.self, "max") == .max)
        #expect(try value(LoadPace.self, "2M").perSecond == 2_000_000)
        #expect(problem(LoadPace.self, "fast") == "--x: 'fast' is not a rate: lines per second, with k, M or G, or max (example: --x 5000, 10k, 2M or max)")
    }

    @Test func lineCountsAndBatches() throws {
        #expect(try value(LineCount.self, "1").lines == 1)
        #expect(try value(LineCount.self, "1M").lines == 1_000_000)
        #expect(try value(LineCount.self, "999999999999999").lines == 999_999_999_999_999)
        for bad in ["0", "1.5", "1e15", "-3", "lots"] {
            #expect(problem(LineCount.self, bad) == "--x: '\(bad)' is not a count of lines: a whole number from 1, with k, M or G (example: --x 100000 or 1M)")
        }
        #expect(try value(BatchSize.self, "1") == .lines(1))
        #expect(try value(BatchSize.self, "65507") == .lines(65507))
        #expect(try value(BatchSize.self, "max") == .max)
        #expect(problem(BatchSize.self, "65508") == "--x: '65508' is not a line count: 1 to 65507, or max (example: --x 20 or max)")
        #expect(problem(BatchSize.self, "0") != nil)
    }

    @Test func byteSizes() throws {
        typealias Datagram = ByteSize<DatagramBytes>
        typealias Line = ByteSize<LineBytes>
        typealias Buffer = ByteSize<BufferBytes>
        #expect(try value(Datagram.self, "1").bytes == 1)
        #expect(try value(Datagram.self, "65507").bytes == 65507)
        #expect(try value(Datagram.self, "1k").bytes == 1024)
        #expect(try value(Datagram.self, "8KiB").bytes == 8192)
        #expect(problem(Datagram.self, "65508") == "--x: '65508' is out of range: between 1 and 65507 bytes (example: --x 1432 or 1k)")
        #expect(problem(Datagram.self, "64k") == "--x: '64k' is out of range: between 1 and 65507 bytes (example: --x 1432 or 1k)")
        #expect(problem(Datagram.self, "0") != nil)
        #expect(problem(Datagram.self, "-1") == "--x: '-1' is negative: a whole number of bytes, with k, M or G (example: --x 1432 or 1k)")
        #expect(problem(Datagram.self, "1.5k") == "--x: '1.5k' is not a size: a whole number of bytes, with k, M or G (example: --x 1432 or 1k)")
        #expect(problem(Datagram.self, "k") != nil)
        #expect(try value(Line.self, "1G").bytes == 1 << 30)
        #expect(try value(Line.self, "64MiB").bytes == 64 << 20)
        #expect(problem(Line.self, "1025M") == "--x: '1025M' is out of range: between 1 and 1073741824 bytes (example: --x 1048576 or 64k)")
        // An overflowing product is out of range, not a trap.
        #expect(problem(Line.self, "9223372036854775807G") != nil)
        #expect(problem(Line.self, "99999999999999999999") == "--x: '99999999999999999999' is out of range: between 1 and 1073741824 bytes (example: --x 1048576 or 64k)")
        #expect(try value(Buffer.self, "8M").bytes == 8 << 20)
        #expect(try value(Buffer.self, "2147483647").bytes == Int(Int32.max))
        #expect(problem(Buffer.self, "2G") != nil)
        #expect(Line(bytes: 1 << 20).defaultValueDescription == "1048576")
    }

    @Test func fractions() throws {
        #expect(try value(Fraction.self, "0.1%").value == 0.001)
        #expect(try value(Fraction.self, "0.001").value == 0.001)
        #expect(try value(Fraction.self, "0").value == 0)
        #expect(try value(Fraction.self, "1").value == 1)
        #expect(try value(Fraction.self, "100%").value == 1)
        for bad in ["5", "101%", "-0.1", "nan", "inf", "1.0001", "%", "half"] {
            #expect(problem(Fraction.self, bad) == "--x: '\(bad)' is not a fraction: 0 to 1, or 0% to 100% (example: --x 0.1% or 0.001)")
        }
    }

    @Test func fileModes() throws {
        #expect(try value(FileMode.self, "0660").bits == 0o660)
        #expect(try value(FileMode.self, "777").bits == 0o777)
        #expect(try value(FileMode.self, "0").bits == 0)
        for bad in ["1000", "0999", "-1", "+7", "rw-", ""] {
            #expect(problem(FileMode.self, bad) == "--x: '\(bad)' is not an octal mode: 0 to 0777 (example: --x 0660)")
        }
    }

    @Test func timeZones() throws {
        #expect(try value(TimeZoneValue.self, "UTC").zone == .utc)
        #expect(try value(TimeZoneValue.self, "+02:00").zone == .fixed(seconds: 7200))
        #expect(try value(TimeZoneValue.self, "-0530").zone == .fixed(seconds: -19800))
        #expect(try value(TimeZoneValue.self, "+05").zone == .fixed(seconds: 18000))
        // A zone file is read (its offsets are checked through convert in CLITests).
        #expect(try value(TimeZoneValue.self, "Etc/GMT-3").zone != .utc)
        let expected = "is not a time zone: UTC, Local, +hh:mm or a zone under /usr/share/zoneinfo (example: --x America/New_York or +02:00)"
        for bad in ["America", "../../etc/passwd", "Nowhere/Zone", "+2"] {
            #expect(problem(TimeZoneValue.self, bad) == "--x: '\(bad)' \(expected)")
        }
    }

    @Test func rampsAndSteps() throws {
        let r = try value(RampRange.self, "10k..2M").ramp
        #expect(r.from == 10_000 && r.to == 2_000_000)
        #expect(try value(RampRange.self, "5k..5k").ramp.to == 5000)
        #expect(problem(RampRange.self, "9k..1k") == "--x: '9k..1k' is not FROM..TO with FROM <= TO (example: --x 10k..2M)")
        #expect(problem(RampRange.self, "0..1k") != nil)
        #expect(try value(RampStep.self, "x2").step == .times(2))
        #expect(try value(RampStep.self, "+50k").step == .plus(50_000))
        #expect(problem(RampStep.self, "x1") == "--x: 'x1' is not xFACTOR (> 1) or +RATE (example: --x x2 or +50k)")
        #expect(problem(RampStep.self, "+0") != nil)
    }

    @Test func percentiles() throws {
        #expect(try value(Percentiles.self, "50,90,99.9").values == [50, 90, 99.9])
        #expect(try value(Percentiles.self, " 100 ").values == [100])
        #expect(try value(Percentiles.self, "0.001").values == [0.001])
        #expect(problem(Percentiles.self, "0") == "--x: '0' is not a percentile between 0 and 100 (example: --x 50,90,99.9)")
        #expect(problem(Percentiles.self, "100.5") == "--x: '100.5' is not a percentile between 0 and 100 (example: --x 50,90,99.9)")
        #expect(problem(Percentiles.self, "50,p99") == "--x: '50,p99' holds 'p99', which is not a percentile between 0 and 100 (example: --x 50,90,99.9)")
    }
}
