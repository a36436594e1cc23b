import Foundation
import Testing

/// Generated metrics carry the time of their own tick wherever the output format writes a time.
@Suite struct GeneratedTimeTests {
    @Test(arguments: ["graphite", "wavefront", "json", "csv"])
    func everyTickHasItsOwnTime(_ format: String) throws {
        let r = try Binary.run(["send", "-", "--format", format, "--name", "tick", "--field", "v=seq", "--every", "1s", "--count", "3"])
        #expect(r.status == 0, "\(r)")
        let stamps = r.stdout.split(separator: "\n").compactMap { line -> Int? in
            switch format {
            case "json":
                guard let range = line.range(of: "\"timestamp\":") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            case "csv":
                return line.split(separator: ",").compactMap { Int($0) }.first { $0 > 1_000_000_000 }
            default:
                return line.split(separator: " ").compactMap { Int($0) }.first { $0 > 1_000_000_000 }
            }
        }
        #expect(stamps.count == 3, "\(r.stdout)")
        // CSV writes nanoseconds, the others seconds: compare in seconds.
        let seconds = stamps.map { $0 > 100_000_000_000 ? $0 / 1_000_000_000 : $0 }
        // One second apart (the seconds may round to 0.9-1.1 s each, so allow 1 or 2 s per step).
        for (a, b) in zip(seconds, seconds.dropFirst()) {
            #expect(b - a >= 1 && b - a <= 2, "\(seconds)")
        }
    }
}
