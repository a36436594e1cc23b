import Foundation
import Testing

/// `tail-log` killed with SIGKILL at random points while the log grows and is rotated (renamed or
/// copied and truncated), also during a run and several times between two runs that saved their
/// state: every line is counted at least once, and a line is counted twice only after a run that
/// was killed after it printed its counts and before it saved its state (the README's promise).
@Suite struct TailLogKillTests {
    /// What one run counted per line, from Logster's `<epoch> l_<line number> <n>` output.
    static func counted(_ text: String) -> [Int: Int] {
        var out: [Int: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 3, parts[1].hasPrefix("l_"), let id = Int(parts[1].dropFirst(2)), let n = Int(parts[2]) { out[id, default: 0] += n }
        }
        return out
    }

    @Test func killedAtRandomPointsWithRotationsNoLineIsLostAndDuplicatesOnlyAfterAKillBetweenOutputAndState() throws {
        let dir = try temporaryDirectory("taillog-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log").path
        let state = dir.appendingPathComponent("app.state").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let args = ["tail-log", "--state-file", state, "--from-start", "--totals", "--count", "l=^L (?<id>[0-9]+) ", log]
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var random = SplitMix(seed: seed)

        var written = 0  // complete lines in the log and its rotated copies
        var partial = false  // the log ends in a line without its newline yet
        var reported: [Int: Int] = [:]  // line number: times counted
        var killedPrinted: [Int: Int] = [:]  // line number: times a killed run printed it
        var kills = 0
        var rotations = 0
        var completed = 0
        var runs = 0
        var sinceSaved = 0  // rotations since a run that started after the last one saved its state
        var stateNow: String { (try? String(contentsOfFile: state, encoding: .utf8)) ?? "" }
        let start = Date()

        func appendLines() throws {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try h.seekToEnd()
            var text = partial ? " tail\n" : ""
            if partial {
                written += 1
                partial = false
            }
            for _ in 0..<Int(random.next() % 200) {
                text += "L \(written) \(seed)\n"
                written += 1
            }
            if random.next() % 4 == 0 {
                text += "L \(written) \(seed) half"
                partial = true
            }
            try h.write(contentsOf: Data(text.utf8))
            try h.close()
        }

        /// Rotates as logrotate does: `.1` ... `.4` move up one, the oldest kept is `.5`, and the log
        /// is renamed to `.1` (or copied there and truncated). Runs that fail or are killed leave the
        /// state behind, so the next run may find the log rotated several times; it never falls
        /// further behind than the files kept (the test rotates at most 4 times between saved states).
        func rotate() throws {
            guard sinceSaved < 4 else { return }
            let fm = FileManager.default
            try? fm.removeItem(atPath: log + ".5")
            for n in stride(from: 4, through: 1, by: -1) where fm.fileExists(atPath: log + ".\(n)") {
                try fm.moveItem(atPath: log + ".\(n)", toPath: log + ".\(n + 1)")
            }
            if random.next() % 2 == 0 {
                try fm.moveItem(atPath: log, toPath: log + ".1")
                _ = fm.createFile(atPath: log, contents: nil)
            } else {
                try fm.copyItem(atPath: log, toPath: log + ".1")
                guard truncate(log, 0) == 0 else { throw POSIXError(.EIO) }
            }
            // A line without its newline stays unfinished in the copy: it is read there at the next run.
            if partial {
                partial = false
                written += 1
            }
            rotations += 1
            sinceSaved += 1
        }

        // A first run records the (empty) log; without a state no run can know what was rotated away.
        #expect(try Binary.run(args).status == 0)
        while runs < 400 && Date().timeIntervalSince(start) < 12 {
            try appendLines()
            if random.next() % 4 == 0 { try rotate() }
            let out = dir.appendingPathComponent("out-\(runs)")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binary.path)
            p.arguments = args
            p.standardOutput = try FileHandle(forWritingTo: out)
            p.standardError = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            let stateBefore = stateNow
            let rotationsBefore = rotations
            try p.run()
            runs += 1
            if random.next() % 4 != 0 {
                usleep(UInt32(random.next() % 25_000))
                if random.next() % 3 == 0 { try rotate() }  // a rotation while the run reads
                usleep(UInt32(random.next() % 10_000))
                Glibc.kill(p.processIdentifier, SIGKILL)
            }
            p.waitUntilExit()
            let printed = Self.counted((try? String(contentsOf: out, encoding: .utf8)) ?? "")
            if p.terminationReason == .uncaughtSignal {
                #expect(p.terminationStatus == SIGKILL)
                kills += 1
                killedPrinted.merge(printed, uniquingKeysWith: +)
            } else {
                #expect(p.terminationStatus == 0, "run \(runs)")
                completed += 1
            }
            reported.merge(printed, uniquingKeysWith: +)
            if rotations == rotationsBefore && stateNow != stateBefore { sinceSaved = 0 }
        }
        // Then runs nobody kills, until one finds nothing new (a partial line is completed first).
        if partial {
            try Data("\n".utf8).append(toFile: log)
            partial = false
            written += 1
        }
        for _ in 0..<3 {
            let r = try Binary.run(args)
            #expect(r.status == 0, "\(r)")
            let printed = Self.counted(r.stdout)
            reported.merge(printed, uniquingKeysWith: +)
            if printed.isEmpty { break }
        }
        let lost = (0..<written).filter { reported[$0, default: 0] == 0 }
        // A line counted twice is explained only by a killed run that printed it before its state was saved.
        let twice = reported.filter { $0.value > 1 && $0.value - 1 > killedPrinted[$0.key, default: 0] }
        let duplicated = reported.values.reduce(0) { $0 + max(0, $1 - 1) }
        let summary =
            "seed \(seed): \(runs) runs (\(kills) killed, \(completed) completed), \(rotations) rotations, \(written) lines written, \(duplicated) counted twice after a kill"
        print("tail-log kill test: \(summary)")
        #expect(lost.isEmpty, "\(lost.count) lines lost (first \(lost.prefix(5))): \(summary)")
        #expect(reported.keys.allSatisfy { $0 < written }, "lines counted that were never written")
        #expect(twice.isEmpty, "\(twice.count) lines counted twice without a kill to explain it (\(twice.keys.sorted().prefix(5))): \(summary)")
        #expect(kills > 20 && rotations > 5, "too few faults to show anything: \(summary)")
    }
}

/// SplitMix64: a small reproducible generator, so a failing run names its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Data {
    /// Appends to an existing file.
    func append(toFile path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        try h.write(contentsOf: self)
        try h.close()
    }
}
