#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Recently parsed headers (measurement and tag set) by their bytes, so that a series seen before is
/// found with one hash and one comparison instead of being tokenized again.
///
/// Only headers without a backslash are kept (their bytes alone decide the result), up to
/// ``maxHeaderBytes`` bytes, and only after they parsed without error. Direct-mapped: a miss
/// replaces the slot. A hit hands out the same `[Tag]` array every time.
final class InfluxHeaderCache {
    static let slotBits = 10
    static let slotCount = 1 << slotBits
    static let maxHeaderBytes = 192

    final class Entry {
        let name: String
        let tags: [Tag]
        let tagsInOrder: Bool
        /// The field keys of the last record with this header.
        var fieldKeys: FieldKeys?
        init(name: String, tags: [Tag], tagsInOrder: Bool) {
            self.name = name
            self.tags = tags
            self.tagsInOrder = tagsInOrder
        }
    }

    /// Field keys as a record had them: raw bytes one after the other (key `n` ends at `ends[n]`),
    /// their Strings, and whether they are all different. Immutable, so reading it costs no retain.
    final class FieldKeys {
        let bytes: InfluxLineBuffer
        let ends: [Int]
        let keys: [String]
        let distinct: Bool
        init(bytes: InfluxLineBuffer, ends: [Int], keys: [String], distinct: Bool) {
            self.bytes = bytes
            self.ends = ends
            self.keys = keys
            self.distinct = distinct
        }
    }

    private let keys: UnsafeMutablePointer<UInt8>
    private let lengths: UnsafeMutablePointer<Int>
    private let entries: UnsafeMutablePointer<Entry?>

    init() {
        keys = .allocate(capacity: Self.slotCount * Self.maxHeaderBytes)
        keys.initialize(repeating: 0, count: Self.slotCount * Self.maxHeaderBytes)
        lengths = .allocate(capacity: Self.slotCount)
        lengths.initialize(repeating: -1, count: Self.slotCount)
        entries = .allocate(capacity: Self.slotCount)
        entries.initialize(repeating: nil, count: Self.slotCount)
    }

    deinit {
        keys.deallocate()
        lengths.deallocate()
        entries.deinitialize(count: Self.slotCount)
        entries.deallocate()
    }

    /// The slot for the header bytes `p[0..<n]` (`0 < n <= maxHeaderBytes`).
    @inline(__always)
    static func slot(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var h = UInt64(truncatingIfNeeded: n) &* 0x1656_67B1_9E37_79F9
        var k = 0
        while k + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            k += 8
        }
        if k < n {
            var tail: UInt64 = 0
            while k < n {
                tail = (tail << 8) | UInt64(p[k])
                k += 1
            }
            h = (h ^ tail) &* 0xC2B2_AE3D_27D4_EB4F
        }
        return Int(truncatingIfNeeded: ((h ^ (h >> 31)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - slotBits))
    }

    /// Two ways: a header lives in its slot or in the slot's partner (`slot ^ 1`).
    @inline(__always)
    func lookup(_ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Entry? {
        if lengths[slot] == n && memcmp(keys + slot * Self.maxHeaderBytes, p, n) == 0 { return entries[slot] }
        let other = slot ^ 1
        if lengths[other] == n && memcmp(keys + other * Self.maxHeaderBytes, p, n) == 0 { return entries[other] }
        return nil
    }

    /// Puts the header in its slot; what was there moves to the partner, replacing the older one.
    func store(_ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ entry: Entry) {
        let other = slot ^ 1
        if lengths[slot] >= 0 {
            (keys + other * Self.maxHeaderBytes).update(from: keys + slot * Self.maxHeaderBytes, count: lengths[slot])
            lengths[other] = lengths[slot]
            entries[other] = entries[slot]
        }
        (keys + slot * Self.maxHeaderBytes).update(from: p, count: n)
        lengths[slot] = n
        entries[slot] = entry
    }

    /// The end of the header starting at `p[i]`: the first space, tab, LF, FF or CR (a comma goes on
    /// to the next tag); nil when a backslash comes first (escapes are left to the full parser).
    @inline(__always)
    static func headerEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ stop: Int, _ cls: UnsafePointer<UInt8>) -> Int? {
        let raw = UnsafeRawPointer(p)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var j = i
        // Eight bytes at a time while none of them is below 0x0E, a space or a backslash.
        while j + 8 <= stop {
            let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            let low = (w &- ones &* 0x0E) & ~w & highs
            let sp = w ^ (ones &* 0x20)
            let bs = w ^ (ones &* 0x5C)
            let hits = low | ((sp &- ones) & ~sp & highs) | ((bs &- ones) & ~bs & highs)
            if hits != 0 { break }
            j += 8
        }
        while j < stop {
            let c = cls[Int(p[j])]
            if c & (InfluxByteClass.end | InfluxByteClass.backslash) != 0 {
                if c & InfluxByteClass.backslash != 0 { return nil }
                if p[j] != ASCII.comma { return j }
            }
            j += 1
        }
        return j
    }
}

/// Positions of a record's field keys (start and end of each), stored with plain writes; records
/// with more than ``capacity`` fields are not learned.
final class InfluxKeySpans {
    static let capacity = 64
    let base = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
    deinit { base.deallocate() }
}
