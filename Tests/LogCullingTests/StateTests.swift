import Foundation
import Testing

@testable import LogCulling

@Suite struct StateTests {
    func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logculling-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func roundTripsAndLeavesNoTemporaryFile() throws {
        let path = tempPath("x.state")
        #expect(try LogState.load(path) == nil)
        let s = LogState(inode: 42, device: 2049, offset: 1234, fingerprint: 0xdead_beef, fingerprintLength: 80, lastRun: 1_700_000_000)
        try s.save(path)
        #expect(try LogState.load(path) == s)
        let dir = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.state"])
    }

    @Test func logtailsStateIsCarriedOverAndDamageIsReported() throws {
        let path = tempPath("logtail.state")
        try "1234\n5678\n".write(toFile: path, atomically: true, encoding: .utf8)
        let s = try #require(try LogState.load(path))
        #expect(s.inode == 1234 && s.offset == 5678 && s.device == 0 && s.fingerprintLength == 0)
        try "metricat-tail-log-state 1\ninode x\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TailLogError.self) { try LogState.load(path) }
        try "garbage".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TailLogError.self) { try LogState.load(path) }
    }

    @Test func aFingerprintLengthOutOfRangeIsADamagedState() throws {
        let path = tempPath("x.state")
        for length in ["-5", "257", "99999999999999999999"] {
            try "metricat-tail-log-state 1\ninode 1\ndevice 2\noffset 3\nfingerprint \(length) ab\nlast-run 4\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: TailLogError.badState(path, "damaged state file (remove it to start over from the end of the log)")) { try LogState.load(path) }
        }
        try "metricat-tail-log-state 1\ninode 1\ndevice 2\noffset 3\nfingerprint 256 ab\nlast-run 4\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try LogState.load(path)?.fingerprintLength == 256)
    }

    @Test func numbersOutsideWhatTailLogWritesAreDamage() throws {
        let path = tempPath("numbers.state")
        let good = "metricat-tail-log-state 1\ninode 1\ndevice 2\noffset 3\nfingerprint 256 ff\nlast-run 0\n"
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try LogState.load(path) == LogState(inode: 1, device: 2, offset: 3, fingerprint: 0xff, fingerprintLength: 256, lastRun: 0))
        // A fingerprint longer than the 256 bytes tail-log reads, negative, or a last run before 1970
        // (its time since would overflow).
        for (from, to) in [
            ("fingerprint 256", "fingerprint 9223372036854775807"), ("fingerprint 256", "fingerprint 257"),
            ("fingerprint 256", "fingerprint -1"), ("last-run 0", "last-run -9223372036854775808"),
        ] {
            try good.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: TailLogError.self, "\(to)") { try LogState.load(path) }
        }
    }

    @Test func theFingerprintCoversTheFirstLineOnlyUpToWhatWasRead() {
        let a = Fingerprint.of(prefix: Array("first line\nsecond\n".utf8), limit: 100)
        let b = Fingerprint.of(prefix: Array("first line\nother\n".utf8), limit: 100)
        #expect(a == b && a.1 == 11)
        #expect(Fingerprint.of(prefix: Array("first line\n".utf8), limit: 0).1 == 0)
        #expect(Fingerprint.of(prefix: [UInt8](repeating: 0x41, count: 1000), limit: 1000).1 == Fingerprint.maxBytes)
    }

    @Test func thePlanRestsOnTheBytesTheRunRead() throws {
        let path = tempPath("app.log")
        try "first\nsecond\n".write(toFile: path, atomically: true, encoding: .utf8)
        let id = try #require(FileIdentity.of(path))
        let (fp, n) = Fingerprint.of(prefix: Array("first\n".utf8), limit: 100)
        let state = LogState(inode: id.inode, device: id.device, offset: 6, fingerprint: fp, fingerprintLength: n, lastRun: 0)
        let same = TailPlanner.plan(path: path, state: state, current: id, fromStart: false, head: Array("first\nsecond\n".utf8))
        #expect(same.segments == [Segment(path: path, start: 6, compressed: false, live: true)] && same.warnings.isEmpty)
        // The run's descriptor saw other bytes (rewritten since): from the start, whatever the path shows now.
        let other = TailPlanner.plan(path: path, state: state, current: id, fromStart: false, head: Array("other\n".utf8))
        #expect(other.segments == [Segment(path: path, start: 0, compressed: false, live: true)] && other.warnings.count == 1)
    }

    @Test func rotatedSiblingsAreFoundByName() throws {
        let path = tempPath("app.log")
        for suffix in ["", ".1", ".2.gz", "-20261122", ".bak", "x"] {
            _ = FileManager.default.createFile(atPath: path + suffix, contents: Data())
        }
        let names = Set(TailPlanner.rotatedNames(of: path).map { String($0.dropFirst(path.count)) })
        #expect(names == [".1", ".2.gz", "-20261122"])
    }

    /// Runs that fail or are killed for a while leave the state behind: the log may be rotated
    /// twice before a run completes. The file in between is read whole, not skipped.
    @Test func aLogRotatedTwiceSinceTheLastRunIsReadThroughEveryFile() throws {
        let path = tempPath("chain.log")
        let fm = FileManager.default
        try "a1\na2\n".write(toFile: path, atomically: false, encoding: .utf8)
        let first = try #require(FileIdentity.of(path))
        let (fp, n) = Fingerprint.of(prefix: Array("a1\n".utf8), limit: 3)
        let state = LogState(inode: first.inode, device: first.device, offset: 3, fingerprint: fp, fingerprintLength: n, lastRun: 0)
        try fm.moveItem(atPath: path, toPath: path + ".1")
        try "b1\n".write(toFile: path, atomically: false, encoding: .utf8)
        try fm.moveItem(atPath: path + ".1", toPath: path + ".2")
        try fm.moveItem(atPath: path, toPath: path + ".1")
        try "c1\n".write(toFile: path, atomically: false, encoding: .utf8)
        let current = try #require(FileIdentity.of(path))
        let plan = TailPlanner.plan(path: path, state: state, current: current, fromStart: false)
        #expect(
            plan.segments == [
                Segment(path: path + ".2", start: 3, compressed: false, live: false),
                Segment(path: path + ".1", start: 0, compressed: false, live: false),
                Segment(path: path, start: 0, compressed: false, live: true),
            ], "\(plan)")
        #expect(plan.warnings.isEmpty)
        // The same after two copytruncates: the copy the state points into is found by its first line.
        try fm.removeItem(atPath: path + ".2")
        try fm.removeItem(atPath: path + ".1")
        try "a1\na2\n".write(toFile: path + ".2", atomically: false, encoding: .utf8)
        try "b1\n".write(toFile: path + ".1", atomically: false, encoding: .utf8)
        let truncated = LogState(inode: current.inode, device: current.device, offset: 3, fingerprint: fp, fingerprintLength: n, lastRun: 0)
        let copies = TailPlanner.plan(path: path, state: truncated, current: current, fromStart: false)
        #expect(copies.segments.map(\.path) == [path + ".2", path + ".1", path] && copies.segments.map(\.start) == [3, 0, 0], "\(copies)")
    }

    /// `.N` names order by number whatever their times (`.10` is older than `.9`), dates by date,
    /// and a `.gz` still being written beside its uncompressed twin is not read twice.
    @Test func rotatedNamesOrderByNumberOrDateAndLeaveOutAGzTwin() throws {
        let path = tempPath("order.log")
        for (i, suffix) in [".10", ".9", ".2", ".2.gz", ".1"].enumerated() {
            _ = FileManager.default.createFile(atPath: path + suffix, contents: Data())
            // The oldest number gets the newest time, as gzip run after the rename gives it.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 - Double(i) * 60)], ofItemAtPath: path + suffix)
        }
        #expect(TailPlanner.rotatedNames(of: path).map { String($0.dropFirst(path.count)) } == [".1", ".2", ".9", ".10"])
        let dated = tempPath("dated.log")
        for suffix in ["-20261121", "-20261123.gz", "-20261122"] { _ = FileManager.default.createFile(atPath: dated + suffix, contents: Data()) }
        #expect(TailPlanner.rotatedNames(of: dated).map { String($0.dropFirst(dated.count)) } == ["-20261123.gz", "-20261122", "-20261121"])
    }

    @Test func aLongLineIsSkippedAndCounted() throws {
        let path = tempPath("long.log")
        try ("short\n" + String(repeating: "x", count: 5000) + "\nafter\n").write(toFile: path, atomically: true, encoding: .utf8)
        var reader = LineReader(maxLine: 100)
        reader.chunk = 64
        var seen: [String] = []
        let r = try reader.read(Segment(path: path, start: 0, compressed: false, live: true)) { line, _ in
            seen.append(String(decoding: line, as: UTF8.self))
        }
        #expect(seen == ["short", "after"])
        #expect(r.tooLong == 1 && r.end == 5000 + 13)
    }
}
