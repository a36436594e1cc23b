import MetricatKit
import XCTest

/// The sequence accounting finds exactly the gaps, duplicates and reorderings injected into a stream.
final class SequenceTrackerTests: XCTestCase {
    func testInOrderStreamHasNothingToReport() {
        var t = SequenceTracker(windowBits: 10)
        for s in 0..<5000 as Range<UInt64> { t.record(s) }
        XCTAssertEqual(t.received, 5000)
        XCTAssertEqual(t.duplicated, 0)
        XCTAssertEqual(t.reordered, 0)
        XCTAssertEqual(t.gaps, 0)
        XCTAssertEqual(t.lost(sent: 5000), 0)
    }

    func testInjectedGapsDuplicatesAndReorderings() {
        var t = SequenceTracker(windowBits: 12)
        var stream: [UInt64] = []
        let missing: Set<UInt64> = [3, 500, 501, 502, 9999]
        for s in 0..<10_000 as Range<UInt64> where !missing.contains(s) { stream.append(s) }
        // Duplicates: 10 repeated numbers, one of them twice.
        for s: UInt64 in [7, 8, 100, 2000, 2000, 4095, 6000, 7000, 8000, 9998] {
            stream.insert(s, at: stream.firstIndex(of: s)! + 1)
        }
        // Reorderings: swap 4 adjacent pairs (each swap makes one late arrival).
        for s: UInt64 in [20, 1234, 5000, 9000] {
            let i = stream.firstIndex(of: s)!
            stream.swapAt(i, i + 1)
        }
        for s in stream { t.record(s) }
        XCTAssertEqual(t.duplicated, 10)
        XCTAssertEqual(t.reordered, 4)
        XCTAssertEqual(t.unique, 10_000 - 5)
        XCTAssertEqual(t.lost(sent: 10_000), 5)
        // 9999 is missing at the end: listen (without the sender's count) sees only the gaps below 9998.
        XCTAssertEqual(t.gaps, 4)
    }

    func testWindowSlidesWithoutForgettingRecentNumbers() {
        var t = SequenceTracker(windowBits: 8)  // 256 numbers
        for s in 0..<100_000 as Range<UInt64> { t.record(s) }
        t.record(99_900)  // inside the window: a duplicate
        t.record(99_000)  // outside: late, cannot be told from a duplicate
        XCTAssertEqual(t.duplicated, 1)
        XCTAssertEqual(t.late, 1)
        XCTAssertEqual(t.reordered, 1)
        // A jump far ahead clears the window; numbers just behind the jump are then new.
        t.record(1_000_000)
        t.record(999_999)
        XCTAssertEqual(t.reordered, 2)
        XCTAssertEqual(t.duplicated, 1)
    }

    func testScanFindsTheNumberInEveryFormat() {
        let cases: [(String, UInt64?)] = [
            ("cpu,host=a usage=1,seq=000000000042i", 42),
            ("cpu,host=a,seq=000000001234 usage=1", 1234),
            ("{\"fields\":{\"usage\":1},\"name\":\"cpu\",\"tags\":{\"seq\":\"000000000007\"},\"timestamp\":1}", 7),
            ("cpu.usage:1|g|#host:a,seq:000000000099", 99),
            ("cpu.usage;host=a;seq=000000000005 1 1700000000", 5),
            ("cpu.usage 1 1700000000 source=a seq=\"000000000011\"", 11),
            ("cpu,host=a usage=1,subseq=5i", nil),
            ("cpu,host=a usage=1", nil),
            ("cpu seq=", nil),
            ("cpu,host=a usage=1,seq=100000000042i", 100_000_000_042),
        ]
        let key = Array("seq".utf8)
        for (line, want) in cases {
            let got = Array(line.utf8).withUnsafeBufferPointer { SequenceTracker.scan($0, key: key) }
            XCTAssertEqual(got, want, line)
        }
        // load writes numbers plus the offset; anything below it is a plain number (send --field seq=seq).
        XCTAssertEqual(SequenceTracker.number(100_000_000_042), 42)
        XCTAssertEqual(SequenceTracker.number(42), 42)
    }

    func testSeveralSendersAreTrackedApart() {
        var s = SequenceStreams()
        // Two senders interleaved: sender 1's numbers start at 10^10. Neither is reordered within itself.
        for i in 0..<1000 as Range<UInt64> {
            s.record(i)
            if i != 500 { s.record(SequenceStreams.span + i) }
        }
        s.record(SequenceStreams.span + 10)  // one duplicate
        XCTAssertEqual(s.senders, 2)
        XCTAssertEqual(s.reordered, 0)
        XCTAssertEqual(s.duplicated, 1)
        XCTAssertEqual(s.gaps, 1)
        XCTAssertEqual(s.lost(sent: 2000), 1)
        XCTAssertEqual(s.highest, 999)
    }
}
