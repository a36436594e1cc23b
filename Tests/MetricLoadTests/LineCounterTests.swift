import CMetricSys
import MetricatKit
import Testing

@testable import MetricLoad

/// The embedded sink's line counting: newlines found a block at a time, lines split across reads,
/// lines longer than the read buffer, unterminated last lines.
@Suite struct LineCounterTests {
    @Test func newlineIndexFindsEveryNewline() {
        var bytes = [UInt8](repeating: 0x61, count: 1000)
        let at = [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 500, 998, 999]
        for i in at { bytes[i] = 0x0A }
        for n in [0, 1, 2, 63, 64, 65, 128, 129, 999, 1000] {
            var out = [UInt32](repeating: 0, count: 1000)
            let k = bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { cms_newlines(b.baseAddress!, n, $0.baseAddress!, 1000) } }
            #expect(Array(out[0..<k]).map(Int.init) == at.filter { $0 < n }, "n \(n)")
        }
        // A full output stops at its capacity, at the cap-th newline.
        var out = [UInt32](repeating: 0, count: 4)
        let k = bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { cms_newlines(b.baseAddress!, 1000, $0.baseAddress!, 4) } }
        #expect(k == 4)
        #expect(out == [0, 1, 15, 16])
    }

    /// Lines of `load`'s shape with the numbers `numbers`, joined by newlines.
    func text(_ numbers: [UInt64], pad: Int = 20) -> [UInt8] {
        var out: [UInt8] = []
        for n in numbers { out += Array("m,pad=\(String(repeating: "x", count: pad)) v=1i,seq=\(SequenceTracker.offset + n)i\n".utf8) }
        return out
    }

    /// Feeds `bytes` through a StreamConnection in reads of the given sizes (cycled).
    func countStream(_ bytes: [UInt8], reads: [Int]) -> LineCounter {
        var state = LineCounter(key: Array("seq".utf8))
        let conn = StreamConnection()
        var at = 0
        var r = 0
        while at < bytes.count {
            let room = StreamConnection.size - conn.kept
            let n = min(reads[r % reads.count], room, bytes.count - at)
            r += 1
            bytes.withUnsafeBufferPointer { (conn.buffer + conn.kept).update(from: $0.baseAddress! + at, count: n) }
            at += n
            conn.take(n, into: &state)
            state.flush()
        }
        conn.finish(into: &state)
        state.flush()
        return state
    }

    @Test func linesSplitAcrossReadsCountOnce() {
        let numbers: [UInt64] = Array(0..<5000) + [4000, 4001] + Array(5000..<6000) + [10_000]
        let bytes = text(numbers)
        for reads in [[1], [7], [63, 64, 65], [4096], [300_000], [1, 100_000, 3]] {
            let c = countStream(bytes, reads: reads)
            #expect(c.lines == UInt64(numbers.count), "reads \(reads)")
            #expect(c.tracker.received == UInt64(numbers.count), "reads \(reads)")
            #expect(c.tracker.duplicated == 2, "reads \(reads)")
            #expect(c.tracker.gaps == 4000, "reads \(reads)")
            #expect(c.tracker.unnumbered == 0, "reads \(reads)")
        }
    }

    @Test func unterminatedLastLineAndEmptyLinesAndLongLines() {
        // An unterminated last line counts at the end of the stream; empty lines do not count.
        var bytes = text([0, 1]) + [0x0A, 0x0A] + Array("m,pad=x v=1i,seq=100000000002i".utf8)
        #expect(countStream(bytes, reads: [5]).lines == 3)
        #expect(countStream(bytes, reads: [5]).tracker.received == 3)
        // A line longer than the read buffer counts once (with its number when it comes first), and
        // the lines around it are read normally.
        let long = Array("seq=100000000003 ".utf8) + [UInt8](repeating: 0x7A, count: StreamConnection.size * 2 + 100) + [0x0A]
        bytes = text([0, 1, 2]) + long + text([4, 5])
        for reads in [[65536], [1000, 70_000], [StreamConnection.size]] {
            let c = countStream(bytes, reads: reads)
            #expect(c.lines == 6, "reads \(reads)")
            #expect(c.tracker.received == 6, "reads \(reads)")
            #expect(c.tracker.gaps == 0, "reads \(reads)")
        }
    }

    @Test func datagramsCountTheirLastLineWithoutNewline() {
        var state = LineCounter(key: Array("seq".utf8))
        for d in [text([0, 1, 2]), Array(text([3, 4]).dropLast()), Array("no number here".utf8), []] {
            d.withUnsafeBufferPointer { _ = state.consume($0, keepTail: false) }
            state.flush()
        }
        #expect(state.lines == 6)
        #expect(state.tracker.unnumbered == 1)
        #expect(state.tracker.unique == 5)
        #expect(state.tracker.gaps == 0)
    }

    @Test func manyLinesInOneReadPassTheIndexCapacity() {
        // Short lines: more newlines in one buffer than the index holds at once.
        let numbers = Array(0..<UInt64(RunBatch.newlineCapacity * 3 + 17))
        var bytes: [UInt8] = []
        for n in numbers { bytes += Array("seq=\(SequenceTracker.offset + n)\n".utf8) }
        var state = LineCounter(key: Array("seq".utf8))
        bytes.withUnsafeBufferPointer { _ = state.consume($0, keepTail: true) }
        state.flush()
        #expect(state.lines == UInt64(numbers.count))
        #expect(state.tracker.unique == UInt64(numbers.count))
        #expect(state.tracker.gaps == 0)
    }
}
