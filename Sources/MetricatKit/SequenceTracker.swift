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
    public var window: UInt64 { counts.window }
    private var bits: [UInt64]
    private var counts: Counts
    /// One past the highest number seen (0 before the first).
    public var next: UInt64 { counts.next }
    /// Lines that carried a sequence number (duplicates included).
    public var received: UInt64 { counts.received }
    public var duplicated: UInt64 { counts.duplicated }
    /// Lines that arrived after a higher number had already arrived.
    public var reordered: UInt64 { counts.reordered }
    /// Of the reordered, those older than the window (duplicate or not, nobody can tell).
    public var late: UInt64 { counts.late }
    /// Lines whose sequence key was missing or not a number.
    public var unnumbered: UInt64 { counts.unnumbered }

    /// The counters, and the bookkeeping of one arrival against a bitmap lent by ``withBits(_:)``.
    struct Counts: Sendable {
        let window: UInt64
        var next: UInt64 = 0
        var received: UInt64 = 0
        var duplicated: UInt64 = 0
        var reordered: UInt64 = 0
        var late: UInt64 = 0
        var unnumbered: UInt64 = 0

        init(window: UInt64) { self.window = window }

        /// Marks `seq` in the bitmap and counts it as in order, duplicated, reordered or late
        /// (``received`` is the caller's to count).
        @inline(__always)
        mutating func place(_ seq: UInt64, _ bits: UnsafeMutablePointer<UInt64>) {
            let mask = window - 1
            if seq == next {
                // The common case: the next number. Its slot held a number now too old; overwrite it.
                let slot = seq & mask
                bits[Int(slot >> 6)] |= 1 << (slot & 63)
                next = seq + 1
                return
            }
            if seq > next {
                advance(to: seq, bits)
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

        /// A number past ``next``: clears the slots the window slides over (they held numbers now too
        /// old to keep), then marks `seq`.
        @inline(never)
        mutating func advance(to seq: UInt64, _ bits: UnsafeMutablePointer<UInt64>) {
            let mask = window - 1
            let advance = seq + 1 - next
            if advance >= window {
                bits.update(repeating: 0, count: Int(window / 64))
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
        }
    }

    /// `load` writes sequence numbers plus this offset: twelve digits without leading zeros (which
    /// some line-protocol parsers reject) whatever the number. Smaller values are taken as they are.
    public static let offset: UInt64 = 100_000_000_000

    /// The sequence number a scanned value stands for.
    @inline(__always) public static func number(_ scanned: UInt64) -> UInt64 {
        scanned >= offset ? scanned - offset : scanned
    }

    public init(windowBits: Int = 22) {
        let window: UInt64 = 1 << UInt64(max(6, min(windowBits, 32)))
        counts = Counts(window: window)
        bits = [UInt64](repeating: 0, count: Int(window / 64))
    }

    /// Distinct numbers received.
    public var unique: UInt64 { received - duplicated }

    /// Gaps below the highest number seen: what is lost when the sender's count is unknown. Replays
    /// of numbers older than the window count as unique, so they can outnumber `next`: then none.
    public var gaps: UInt64 { next > unique ? next - unique : 0 }

    /// Loss against what the sender says it sent.
    public func lost(sent: UInt64) -> UInt64 { sent > unique ? sent - unique : 0 }

    /// Records one arrival.
    public mutating func record(_ seq: UInt64) {
        withBits { w, counts in
            counts.received += 1
            counts.place(seq, w)
        }
    }

    /// Records `count` consecutive numbers from `first` (`first`, `first + 1`, ...), as that many
    /// calls of ``record(_:)`` would. A run that continues the stream only sets bits, a word at a
    /// time; one that does not goes number by number until it does.
    public mutating func record(run first: UInt64, count: UInt64) {
        withBits { w, counts in
            var s = first
            var left = count
            while left > 0 && s != counts.next {
                counts.received += 1
                counts.place(s, w)
                s &+= 1
                left -= 1
            }
            guard left > 0 else { return }
            counts.received += left
            counts.next = s &+ left
            let window = counts.window
            if left >= window {
                w.update(repeating: ~0, count: Int(window / 64))
                return
            }
            let mask = window - 1
            let end = s + left
            while s < end {
                let slot = s & mask
                let offset = slot & 63
                let take = min(64 - offset, end - s)
                let bits: UInt64 = take == 64 ? ~0 : ((1 << take) - 1) << offset
                w[Int(slot >> 6)] |= bits
                s += take
            }
        }
    }

    /// Lends the bitmap and the counters to `body` without a copy: the array is moved out of `self`
    /// for the call (so it is uniquely referenced) and put back after.
    @inline(__always)
    private mutating func withBits<R>(_ body: (UnsafeMutablePointer<UInt64>, inout Counts) -> R) -> R {
        var b = bits
        bits = []
        defer { bits = b }
        return b.withUnsafeMutableBufferPointer { body($0.baseAddress!, &counts) }
    }

    /// Records a line without a readable sequence number.
    public mutating func recordUnnumbered() {
        counts.received += 1
        counts.unnumbered += 1
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
        return number(l, count: n, afterKeyEndingAt: i + k)
    }

    /// The number that follows a key ending at `from`: one to four separators (`=`, `:`, `"`,
    /// space), then up to 19 digits; nil when either is missing.
    @inline(__always)
    static func number(_ l: UnsafePointer<UInt8>, count n: Int, afterKeyEndingAt from: Int) -> UInt64? {
        var p = from
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

/// Reads the sequence numbers of the lines of one run, as ``SequenceTracker/scan(_:key:hint:)`` does.
///
/// Lines of a run share their layout, so once a line was read the general way the scanner knows the
/// bytes around the key (the byte before it, the key, the separators) and that twelve digits follow
/// (what `load` writes). It also keeps the text of the number it expects next (the last one plus
/// one), counted up in place. The next line then costs one masked word compare for the layout and
/// two compares for the digits; only a number other than the expected one is converted.
public struct SequenceScanner: Sendable {
    public let key: [UInt8]
    /// Where the key was in the last line read (-1 before the first).
    public private(set) var hint = -1
    /// The learned layout: `word` (under `mask`) is the bytes from `hint - before` through the
    /// separators; the twelve digits start at `hint + digitsAt`.
    @usableFromInline var word: UInt64 = 0
    @usableFromInline var mask: UInt64 = 0
    @usableFromInline var before = 0
    @usableFromInline var digitsAt = 0
    @usableFromInline var learned = false
    /// The expected next number and its twelve digits as they lie in memory (bytes 0-7, 8-11).
    @usableFromInline var expected: UInt64 = 0
    @usableFromInline var expectedHigh: UInt64 = 0
    @usableFromInline var expectedLow: UInt32 = 0

    public init(key: [UInt8]) { self.key = key }
    public init(key: String) { self.init(key: Array(key.utf8)) }

    /// The raw number after the key in `line` (see ``SequenceTracker/number(_:)``), or nil.
    @inlinable @inline(__always)
    public mutating func scan(_ line: UnsafeBufferPointer<UInt8>) -> UInt64? {
        if learned, let l = line.baseAddress {
            let n = line.count
            let p = hint &+ digitsAt
            // p + 12 <= n also covers the word load at hint - before (digitsAt + before <= 8).
            if p &+ 12 <= n {
                let w = UInt64(littleEndian: UnsafeRawPointer(l + (hint &- before)).loadUnaligned(as: UInt64.self))
                if w & mask == word, p &+ 12 == n || l[p &+ 12] &- 0x30 > 9 {
                    let high = UnsafeRawPointer(l + p).loadUnaligned(as: UInt64.self)
                    let low = UnsafeRawPointer(l + p).loadUnaligned(fromByteOffset: 8, as: UInt32.self)
                    if high == expectedHigh && low == expectedLow {
                        let v = expected
                        countUp()
                        return v
                    }
                    if let v = Self.twelveDigits(l + p) {
                        expect(after: v, high: high, low: low)
                        return v
                    }
                }
            }
        }
        return scanAndLearn(line)
    }

    /// Moves the expectation one number on: most of the time the last digit's byte plus one.
    @inlinable @inline(__always)
    mutating func countUp() {
        expected &+= 1
        #if _endian(little)
            if expectedLow >> 24 < 0x39 {
                expectedLow &+= 1 << 24
                return
            }
        #endif
        carry()
    }

    /// The last digit was a 9. Trailing nines within the last four digits become zeros and the
    /// digit before them goes up by one, in the register (the last digit is the low byte once
    /// swapped); a carry into the first eight digits goes through the byte odometer. Past
    /// 999999999999 no twelve-digit text is expected (a digit that is not one never matches).
    @usableFromInline @inline(never)
    mutating func carry() {
        #if _endian(little)
            let x = expectedLow.byteSwapped
            let nines = (x ^ 0x3939_3939).trailingZeroBitCount / 8
            if nines < 4 {
                let wrap: UInt32 = (1 << (8 * UInt32(nines))) &- 1
                expectedLow = (((x & ~wrap) | (0x3030_3030 & wrap)) &+ (1 << (8 * UInt32(nines)))).byteSwapped
                return
            }
        #endif
        var digits = (expectedHigh, UInt64(expectedLow))
        let overflow = withUnsafeMutableBytes(of: &digits) { b -> Bool in
            var i = 11
            while i >= 0 {
                if b[i] < 0x39 {
                    b[i] += 1
                    return false
                }
                b[i] = 0x30
                i -= 1
            }
            return true
        }
        expectedHigh = overflow ? 0 : digits.0
        expectedLow = UInt32(truncatingIfNeeded: digits.1)
    }

    @usableFromInline @inline(never)
    mutating func expect(after v: UInt64, high: UInt64, low: UInt32) {
        expected = v
        expectedHigh = high
        expectedLow = low
        countUp()
    }

    @usableFromInline @inline(never)
    mutating func scanAndLearn(_ line: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var h = hint
        guard let v = SequenceTracker.scan(line, key: key, hint: &h), let l = line.baseAddress else { return nil }
        hint = h
        learned = false
        let n = line.count
        let k = key.count
        var p = h + k
        while p < n && p - h - k < 4 && (l[p] == 0x3D || l[p] == 0x3A || l[p] == 0x22 || l[p] == 0x20) { p += 1 }
        var e = p
        while e < n && e - p < 19 && l[e] &- 0x30 <= 9 { e += 1 }
        before = h > 0 ? 1 : 0
        let width = p - (h - before)
        guard e - p == 12, width <= 8 else { return v }
        var w: UInt64 = 0
        var m: UInt64 = 0
        for i in 0..<width {
            w |= UInt64(l[h - before + i]) << (8 * UInt64(i))
            m |= 0xFF << (8 * UInt64(i))
        }
        word = w
        mask = m
        digitsAt = p - h
        learned = true
        expect(
            after: v, high: UnsafeRawPointer(l + p).loadUnaligned(as: UInt64.self),
            low: UnsafeRawPointer(l + p).loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        return v
    }

    /// Twelve ASCII digits at `p` as a number, nil when one is not a digit.
    @inlinable @inline(__always)
    static func twelveDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let a = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let b = UInt64(UInt32(littleEndian: UnsafeRawPointer(p + 8).loadUnaligned(as: UInt32.self)))
        guard (a & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030,
            ((a &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030,
            (b & 0xF0F0_F0F0) == 0x3030_3030, ((b &+ 0x0606_0606) & 0xF0F0_F0F0) == 0x3030_3030
        else { return nil }
        var x = ((a &- 0x3030_3030_3030_3030) &* 2561) >> 8
        x = ((x & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        x = ((x & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
        let low = b &- 0x3030_3030
        var y = (low &* 10 &+ (low >> 8)) & 0x00FF_00FF
        y = (y &* 100 &+ (y >> 16)) & 0xFFFF
        return x &* 10_000 &+ y
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

    /// Records runs of consecutive numbers (as returned by ``SequenceTracker/number(_:)``):
    /// `runs[2i]` is the first number of run i and `runs[2i + 1]` its length.
    public mutating func record(runs: UnsafeBufferPointer<UInt64>) {
        var i = 0
        while i + 1 < runs.count {
            var first = runs[i]
            var left = runs[i + 1]
            // A run that crosses into the next sender's numbers is split there.
            while left > 0 {
                var v = first
                var stream = 0
                while v >= Self.span && stream < 9 {
                    v -= Self.span
                    stream += 1
                }
                let room = stream == 9 ? left : min(left, Self.span - v)
                if trackers[stream] == nil { trackers[stream] = SequenceTracker() }
                trackers[stream]!.record(run: v, count: room)
                first &+= room
                left -= room
            }
            i += 2
        }
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
