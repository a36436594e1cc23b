import MetricatKit
import Testing

/// The sequence accounting finds exactly the gaps, duplicates and reorderings injected into a stream.
@Suite struct SequenceTrackerTests {
    @Test func inOrderStreamHasNothingToReport() {
        var t = SequenceTracker(windowBits: 10)
        for s in 0..<5000 as Range<UInt64> { t.record(s) }
        #expect(t.received == 5000)
        #expect(t.duplicated == 0)
        #expect(t.reordered == 0)
        #expect(t.gaps == 0)
        #expect(t.lost(sent: 5000) == 0)
    }

    @Test func replaysOlderThanTheWindowNeverMakeGapsNegative() {
        var t = SequenceTracker(windowBits: 6)  // 64 numbers
        t.record(100)
        for _ in 0..<200 { t.record(0) }
        #expect(t.received == 201)
        #expect(t.late == 200)
        #expect(t.unique == 201)
        #expect(t.next == 101)
        #expect(t.gaps == 0)
    }

    @Test func injectedGapsDuplicatesAndReorderings() {
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
        #expect(t.duplicated == 10)
        #expect(t.reordered == 4)
        #expect(t.unique == 10_000 - 5)
        #expect(t.lost(sent: 10_000) == 5)
        // 9999 is missing at the end: listen (without the sender's count) sees only the gaps below 9998.
        #expect(t.gaps == 4)
    }

    @Test func windowSlidesWithoutForgettingRecentNumbers() {
        var t = SequenceTracker(windowBits: 8)  // 256 numbers
        for s in 0..<100_000 as Range<UInt64> { t.record(s) }
        t.record(99_900)  // inside the window: a duplicate
        t.record(99_000)  // outside: late, cannot be told from a duplicate
        #expect(t.duplicated == 1)
        #expect(t.late == 1)
        #expect(t.reordered == 1)
        // A jump far ahead clears the window; numbers just behind the jump are then new.
        t.record(1_000_000)
        t.record(999_999)
        #expect(t.reordered == 2)
        #expect(t.duplicated == 1)
    }

    @Test func scanFindsTheNumberInEveryFormat() {
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
            #expect(got == want, "\(line)")
        }
        // load writes numbers plus the offset; anything below it is a plain number (send --field seq=seq).
        #expect(SequenceTracker.number(100_000_000_042) == 42)
        #expect(SequenceTracker.number(42) == 42)
    }

    @Test func severalSendersAreTrackedApart() {
        var s = SequenceStreams()
        // Two senders interleaved: sender 1's numbers start at 10^10. Neither is reordered within itself.
        for i in 0..<1000 as Range<UInt64> {
            s.record(i)
            if i != 500 { s.record(SequenceStreams.span + i) }
        }
        s.record(SequenceStreams.span + 10)  // one duplicate
        #expect(s.senders == 2)
        #expect(s.reordered == 0)
        #expect(s.duplicated == 1)
        #expect(s.gaps == 1)
        #expect(s.lost(sent: 2000) == 1)
        #expect(s.highest == 999)
    }
}

/// The bulk paths (runs, the learned-layout scanner, the sink's line counter) give exactly what the
/// one-at-a-time paths give, on streams with gaps, duplicates, reorderings and changing layouts.
@Suite struct SequenceBulkTests {
    /// A fixed-seed generator, so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Numbers mostly in order, with jumps, small and window-sized steps back, and repeats.
    func messyStream(_ count: Int, seed: UInt64, start: UInt64 = 0) -> [UInt64] {
        var rng = SplitMix(state: seed)
        var out: [UInt64] = []
        var n = start
        while out.count < count {
            switch rng.next() % 100 {
            case 0: n += rng.next() % 300  // gap
            case 1: n = n >= 50 ? n - rng.next() % 50 : n  // reordered or duplicate
            case 2: n = n >= 300 ? n - 300 : n  // behind a 256-number window
            case 3: n += 5000  // jump over the window
            default: break
            }
            out.append(n)
            n += 1
        }
        return out
    }

    func assertSame(_ a: SequenceTracker, _ b: SequenceTracker, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.received == b.received, "received \(what)", sourceLocation: sourceLocation)
        #expect(a.duplicated == b.duplicated, "duplicated \(what)", sourceLocation: sourceLocation)
        #expect(a.reordered == b.reordered, "reordered \(what)", sourceLocation: sourceLocation)
        #expect(a.late == b.late, "late \(what)", sourceLocation: sourceLocation)
        #expect(a.next == b.next, "next \(what)", sourceLocation: sourceLocation)
        #expect(a.gaps == b.gaps, "gaps \(what)", sourceLocation: sourceLocation)
    }

    /// Splits a stream into runs of consecutive numbers, as the sink does.
    func runs(_ stream: [UInt64]) -> [(UInt64, UInt64)] {
        var out: [(UInt64, UInt64)] = []
        for n in stream {
            if let last = out.last, last.0 + last.1 == n { out[out.count - 1].1 += 1 } else { out.append((n, 1)) }
        }
        return out
    }

    @Test func runsCountLikeSingleNumbers() {
        for seed: UInt64 in 1...20 {
            let stream = messyStream(20_000, seed: seed)
            var one = SequenceTracker(windowBits: 8)
            for n in stream { one.record(n) }
            var bulk = SequenceTracker(windowBits: 8)
            for (first, count) in runs(stream) { bulk.record(run: first, count: count) }
            assertSame(one, bulk, "seed \(seed)")
            // The window afterwards holds the same numbers: the same late arrivals count the same.
            for back: UInt64 in [1, 2, 17, 100, 255, 256, 257] where back <= one.next {
                var a = one
                var b = bulk
                a.record(one.next - back)
                b.record(one.next - back)
                assertSame(a, b, "seed \(seed), \(back) back")
            }
        }
    }

    @Test func longRunsWrapTheWindow() {
        var one = SequenceTracker(windowBits: 6)
        var bulk = SequenceTracker(windowBits: 6)
        for (first, count): (UInt64, UInt64) in [(0, 10), (10, 64), (74, 1000), (2000, 63), (1990, 20), (2063, 129), (0, 5)] {
            for n in first..<(first + count) { one.record(n) }
            bulk.record(run: first, count: count)
            assertSame(one, bulk, "run \(first)+\(count)")
        }
        // 1990...1998 fell behind the window (next was 2063), and so did 0...4 at the end.
        #expect(bulk.late == 9 + 5)
    }

    @Test func streamsRecordRunsLikeSingleNumbers() {
        let span = SequenceStreams.span
        // Three senders interleaved in chunks, one run across the boundary between senders 1 and 2.
        var stream: [UInt64] = []
        let a = messyStream(3000, seed: 7)
        let b = messyStream(3000, seed: 8, start: span)
        let c = messyStream(3000, seed: 9, start: 9 * span + 12)
        for i in stride(from: 0, to: 3000, by: 100) {
            stream += a[i..<(i + 100)] + b[i..<(i + 100)] + c[i..<(i + 100)]
        }
        stream += (2 * span - 5)..<(2 * span + 5)
        var one = SequenceStreams()
        for n in stream { one.record(n) }
        var bulk = SequenceStreams()
        let flat = runs(stream).flatMap { [$0.0, $0.1] }
        flat.withUnsafeBufferPointer { bulk.record(runs: $0) }
        #expect(one.received == bulk.received)
        #expect(one.duplicated == bulk.duplicated)
        #expect(one.reordered == bulk.reordered)
        #expect(one.gaps == bulk.gaps)
        #expect(one.senders >= 4)
        #expect(one.senders == bulk.senders)
        #expect(one.highest == bulk.highest)
    }

    @Test func scannerReadsWhatScanReads() {
        let key = Array("seq".utf8)
        var lines: [String] = []
        // A run in one layout across digit carries (…9 → …0, 099999 → 100000).
        for n: UInt64 in 100_000_099_990...100_000_100_012 { lines.append("m,pad=xx v=1,seq=\(n)i") }
        // The layout changes: a tag, JSON, a key at the very start, a shorter prefix.
        for n: UInt64 in 100_000_000_500...100_000_000_503 { lines.append("m,host=a,seq=\(n) v=1") }
        for n: UInt64 in 100_000_000_600...100_000_000_602 { lines.append("{\"tags\":{\"seq\":\"\(n)\"}}") }
        for n: UInt64 in 100_000_000_700...100_000_000_702 { lines.append("seq=\(n) rest") }
        // Numbers that are not the next one, other widths, look-alikes, and no number at all.
        lines += [
            "m,pad=xx v=1,seq=100000000005i", "m,pad=xx v=1,seq=100000000005i", "m,pad=xx v=1,seq=100000000004i",
            "m,pad=xx v=1,seq=1000000000051i", "m,pad=xx v=1,seq=10000000005i", "m,pad=xx v=1,seq=42i",
            "m,pad=xx v=1,seq=10000000x005i", "m,pad=xx v=1,xseq=100000000006i", "m,pad=xx v=1,seq=100000000007",
            "m,pad=xx v=1,seq=", "m,pad=xx v=1,seq", "", "seq", "m,pad=xx v=1,seq==100000000008i",
            "m,pad=xx v=1,sEq=100000000009i", "m,pad=xx v=1,seq=999999999998i", "m,pad=xx v=1,seq=999999999999i",
            "m,pad=xx v=1,seq=000000000000i", "m,pad=xx v=1,seq=000000000001i",
            "m,pad=xx v=1,seq=100000000010i\r", "m,pad=xx w=1,seq=100000000011i",
        ]
        var scanner = SequenceScanner(key: key)
        var hint = -1
        for line in lines {
            let bytes = Array(line.utf8)
            let want = bytes.withUnsafeBufferPointer { SequenceTracker.scan($0, key: key, hint: &hint) }
            let got = bytes.withUnsafeBufferPointer { scanner.scan($0) }
            #expect(got == want, "\(line)")
        }
    }

    @Test func scannerCountsUpThroughEveryCarry() {
        // Every carry pattern of the last five digits, and the ones that reach the first eight.
        let key = Array("seq".utf8)
        var scanner = SequenceScanner(key: key)
        for first: UInt64 in [100_000_000_000, 100_099_990_000, 199_999_980_000] {
            for n in first..<(first + 30_000) {
                let line = Array("m,pad=xx v=1,seq=\(n)i".utf8)
                let got = line.withUnsafeBufferPointer { scanner.scan($0) }
                if got != n {
                    Issue.record("\(n): read \(String(describing: got))")
                    return
                }
            }
        }
    }

    @Test func scannerAfterTheLastTwelveDigitNumber() {
        var scanner = SequenceScanner(key: "seq")
        for (line, want): (String, UInt64?) in [
            ("a seq=999999999998", 999_999_999_998), ("a seq=999999999999", 999_999_999_999),
            ("a seq=000000000000", 0), ("a seq=1000000000000", 1_000_000_000_000),
        ] {
            #expect(Array(line.utf8).withUnsafeBufferPointer { scanner.scan($0) } == want, "\(line)")
        }
    }
}
