#if canImport(Glibc)
import Glibc
#endif

/// Counts lost, duplicated and reordered metrics from the sequence number every `load` line carries.
///
/// A ring bitmap remembers which of the last ``window`` numbers arrived, so memory stays flat for a
/// run of any length. Loss is derived, not tracked: `lost = sent - (received - duplicated)` when the
/// sender's count is known, else the gaps below the highest number seen. A number older than the
/// window cannot be told from a duplicate; it is counted as reordered (and in ``late``).
public struct SequenceTracker: Sendable {
    /// Numbers remembered behind the highest one (a power of two).
    public let window: UInt64
    private var bits: [UInt64]
    /// One past the highest number seen (0 before the first).
    public private(set) var next: UInt64 = 0
    /// Lines that carried a sequence number (duplicates included).
    public private(set) var received: UInt64 = 0
    public private(set) var duplicated: UInt64 = 0
    /// Lines that arrived after a higher number had already arrived.
    public private(set) var reordered: UInt64 = 0
    /// Of the reordered, those older than the window (duplicate or not, nobody can tell).
    public private(set) var late: UInt64 = 0
    /// Lines whose sequence key was missing or not a number.
    public private(set) var unnumbered: UInt64 = 0

    /// `load` writes sequence numbers plus this offset: twelve digits without leading zeros (which
    /// some line-protocol parsers reject) whatever the number. Smaller values are taken as they are.
    public static let offset: UInt64 = 100_000_000_000

    /// The sequence number a scanned value stands for.
    @inline(__always) public static func number(_ scanned: UInt64) -> UInt64 {
        scanned >= offset ? scanned - offset : scanned
    }

    public init(windowBits: Int = 22) {
        window = 1 << UInt64(windowBits)
        bits = [UInt64](repeating: 0, count: Int(window / 64))
    }

    /// Distinct numbers received.
    public var unique: UInt64 { received - duplicated }

    /// Gaps below the highest number seen: what is lost when the sender's count is unknown.
    public var gaps: UInt64 { next - unique }

    /// Loss against what the sender says it sent.
    public func lost(sent: UInt64) -> UInt64 { sent > unique ? sent - unique : 0 }

    /// Records one arrival.
    public mutating func record(_ seq: UInt64) {
        received += 1
        let mask = window - 1
        if seq == next {
            // The common case: the next number. Its slot held a number now too old; overwrite it.
            let slot = seq & mask
            bits.withUnsafeMutableBufferPointer { $0[Int(slot >> 6)] |= 1 << (slot & 63) }
            next = seq + 1
            return
        }
        if seq > next {
            // Clear the slots the window slides over (they held numbers now too old to keep).
            let advance = seq + 1 - next
            if advance >= window {
                for i in bits.indices { bits[i] = 0 }
            } else {
                var s = next
                while s <= seq {
                    let slot = s & mask
                    if slot & 63 == 0 && seq - s >= 63 {
                        bits[Int(slot >> 6)] = 0
                        s += 64
                    } else {
                        bits[Int(slot >> 6)] &= ~(1 << (slot & 63))
                        s += 1
                    }
                }
            }
            next = seq + 1
            let slot = seq & mask
            bits[Int(slot >> 6)] |= 1 << (slot & 63)
            return
        }
        if next - seq > window {
            reordered += 1
            late += 1
            return
        }
        let slot = seq & mask
        let word = Int(slot >> 6)
        let bit: UInt64 = 1 << (slot & 63)
        if bits[word] & bit != 0 {
            duplicated += 1
        } else {
            bits[word] |= bit
            reordered += 1
        }
    }

    /// Records a line without a readable sequence number.
    public mutating func recordUnnumbered() {
        received += 1
        unnumbered += 1
    }

    /// Finds the number after `key` (the raw value; see ``number(_:)``) in a line of any format the load generator writes: `seq=12i`
    /// (Influx field), `,seq=000012` (tag), `"seq":"000012"` (JSON), `#seq:000012` (DogStatsD),
    /// `;seq=000012` (Graphite), `seq="000012"` (Wavefront). Leading zeros and spaces are skipped.
    public static func scan(_ line: UnsafeBufferPointer<UInt8>, key: [UInt8]) -> UInt64? {
        var hint = -1
        return scan(line, key: key, hint: &hint)
    }

    /// ``scan(_:key:)`` that first tries offset `hint` (where the key was in the previous line) and
    /// updates it: lines of one run share their layout, so the search is mostly skipped.
    @inline(__always)
    public static func scan(_ line: UnsafeBufferPointer<UInt8>, key: [UInt8], hint: inout Int) -> UInt64? {
        let k = key.count
        if hint >= 0, hint + k < line.count, let v = value(line, at: hint, key: key) { return v }
        let n = line.count
        guard k > 0, n > k else { return nil }
        let base = line.baseAddress!
        var i = 0
        while i + k < n {
            guard let hit = memchr(base + i, Int32(key[0]), n - k - i) else { return nil }
            i = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            if let v = value(line, at: i, key: key) {
                hint = i
                return v
            }
            i += 1
        }
        return nil
    }

    /// The number after `key` when the key sits at `i`, else nil.
    @inline(__always)
    static func value(_ line: UnsafeBufferPointer<UInt8>, at i: Int, key: [UInt8]) -> UInt64? {
        let n = line.count
        let k = key.count
        guard let l = line.baseAddress, i + k < n else { return nil }
        var j = 0
        while j < k {
            if l[i + j] != key[j] { return nil }
            j += 1
        }
        if i > 0 && isNameByte(l[i - 1]) { return nil }
        var p = i + k
        var skipped = 0
        while p < n && skipped < 4 && (l[p] == 0x3D || l[p] == 0x3A || l[p] == 0x22 || l[p] == 0x20) {
            p += 1
            skipped += 1
        }
        if skipped == 0 { return nil }
        var value: UInt64 = 0
        var digits = 0
        // Eight digits at a time (SWAR, as simdjson does), then one by one.
        while p + 8 <= n && digits <= 11 {
            let v = UnsafeRawPointer(l + p).loadUnaligned(as: UInt64.self)
            let low = v &- 0x3030_3030_3030_3030
            guard (v & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030,
                ((v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030
            else { break }
            var x = (low &* 2561) >> 8
            x = ((x & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
            x = ((x & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
            value = value &* 100_000_000 &+ x
            p += 8
            digits += 8
        }
        if p + 4 <= n && digits <= 15 {
            let v = UInt64(UnsafeRawPointer(l + p).loadUnaligned(as: UInt32.self))
            if (v & 0xF0F0_F0F0) == 0x3030_3030 && ((v &+ 0x0606_0606) & 0xF0F0_F0F0) == 0x3030_3030 {
                let low = v &- 0x3030_3030
                var x = (low &* 10 &+ (low >> 8)) & 0x00FF_00FF
                x = (x &* 100 &+ (x >> 16)) & 0xFFFF
                value = value &* 10_000 &+ x
                p += 4
                digits += 4
            }
        }
        while p < n, digits < 19 {
            let d = l[p] &- 0x30
            if d > 9 { break }
            value = value &* 10 &+ UInt64(d)
            p += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    @inline(__always) static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
    }
}

/// Sequence accounting for several senders at once: `load --senders N` gives sender k the numbers
/// from k × 10¹⁰, and each sender's numbers are tracked on their own (their lines interleave freely).
public struct SequenceStreams: Sendable {
    public static let span: UInt64 = 10_000_000_000
    private var trackers: [SequenceTracker?] = Array(repeating: nil, count: 10)
    public private(set) var unnumbered: UInt64 = 0

    public init() {}

    /// Records a number as returned by ``SequenceTracker/number(_:)``.
    @inline(__always)
    public mutating func record(_ n: UInt64) {
        // Subtraction, not division: a 64-bit divide per line would cost more than the rest.
        var v = n
        var stream = 0
        while v >= Self.span && stream < 9 {
            v -= Self.span
            stream += 1
        }
        if trackers[stream] == nil { trackers[stream] = SequenceTracker() }
        trackers[stream]!.record(v)
    }

    public mutating func recordUnnumbered() { unnumbered += 1 }

    private func sum(_ f: (SequenceTracker) -> UInt64) -> UInt64 { trackers.reduce(0) { $0 + ($1.map(f) ?? 0) } }
    /// Lines received, duplicates and unnumbered lines included.
    public var received: UInt64 { sum(\.received) + unnumbered }
    public var duplicated: UInt64 { sum(\.duplicated) }
    public var reordered: UInt64 { sum(\.reordered) }
    public var late: UInt64 { sum(\.late) }
    public var unique: UInt64 { sum(\.unique) }
    /// Gaps below each sender's highest number.
    public var gaps: UInt64 { sum(\.gaps) }
    public var senders: Int { trackers.filter { $0 != nil }.count }
    /// The highest number of the first sender, nil before any.
    public var highest: UInt64? {
        guard let t = trackers.first(where: { $0 != nil }) ?? nil, t.next > 0 else { return nil }
        return t.next - 1
    }

    public func lost(sent: UInt64) -> UInt64 { sent > unique ? sent - unique : 0 }
}
