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
///
/// Everything lives in flat per-slot storage addressed by the slot number, not in objects: a parser
/// holds a slot number from line to line, which costs no reference counting (an atomic operation per
/// object and line otherwise).
///
/// It starts with ``initialSlotBits`` (16 slots, about 12 KB) and grows four-fold, up to
/// ``slotBits`` (1,024 slots, about 800 KB), each time it has evicted more headers than it has slots:
/// a parser per connection (`listen`) costs memory in proportion to the series its peer sent.
final class InfluxHeaderCache {
    static let slotBits = 10
    static let slotCount = 1 << slotBits
    static let initialSlotBits = 4
    /// Bits of the slot number now; ``slot(of:_:)`` uses this many.
    private(set) var bits = InfluxHeaderCache.initialSlotBits
    /// Headers pushed out since the last growth.
    private var evictions = 0
    static let maxHeaderBytes = 192
    /// Field keys predicted per header: at most this many keys of at most ``maxKeyBytes`` bytes in all.
    static let maxKeys = 16
    static let maxKeyBytes = 160

    private var keys: UnsafeMutablePointer<UInt8>
    private var lengths: UnsafeMutablePointer<Int>
    /// Per slot: the measurement, the tags, whether the tags came sorted.
    private(set) var names: UnsafeMutablePointer<String>
    private(set) var tags: UnsafeMutablePointer<[Tag]>
    private(set) var tagsInOrder: UnsafeMutablePointer<Bool>
    /// Per slot, the field keys of the last record with this header: their raw bytes one after the
    /// other (key `n` ends at `keyEnds[n]`), their Strings, how many (-1: none), all different.
    private(set) var keyBytes: UnsafeMutablePointer<UInt8>
    private(set) var keyEnds: UnsafeMutablePointer<Int>
    private(set) var keyStrings: UnsafeMutablePointer<String>
    private(set) var keyCount: UnsafeMutablePointer<Int>
    private(set) var keysDistinct: UnsafeMutablePointer<Bool>

    init() {
        (keys, lengths, names, tags, tagsInOrder, keyBytes, keyEnds, keyStrings, keyCount, keysDistinct) = Self.allocate(1 << bits)
    }

    /// True when the cache has evicted more headers than it has slots and may still grow; the
    /// parser calls ``grow()`` then, between records, when it holds no slot number.
    var shouldGrow: Bool { bits < Self.slotBits && evictions > (1 << bits) }

    /// Four times the slots, empty.
    func grow() {
        free()
        bits = min(bits + 2, Self.slotBits)
        evictions = 0
        (keys, lengths, names, tags, tagsInOrder, keyBytes, keyEnds, keyStrings, keyCount, keysDistinct) = Self.allocate(1 << bits)
    }

    /// The slot for the header bytes `p[0..<n]` at the current size.
    @inline(__always)
    func slot(of p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        Self.slot(p, n) >> (Self.slotBits - bits)
    }

    private static func allocate(_ n: Int) -> (
        UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<String>, UnsafeMutablePointer<[Tag]>,
        UnsafeMutablePointer<Bool>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<String>,
        UnsafeMutablePointer<Int>, UnsafeMutablePointer<Bool>
    ) {
        let keys = UnsafeMutablePointer<UInt8>.allocate(capacity: n * Self.maxHeaderBytes)
        keys.initialize(repeating: 0, count: n * Self.maxHeaderBytes)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: n)
        lengths.initialize(repeating: -1, count: n)
        let names = UnsafeMutablePointer<String>.allocate(capacity: n)
        names.initialize(repeating: "", count: n)
        let tags = UnsafeMutablePointer<[Tag]>.allocate(capacity: n)
        tags.initialize(repeating: [], count: n)
        let tagsInOrder = UnsafeMutablePointer<Bool>.allocate(capacity: n)
        tagsInOrder.initialize(repeating: true, count: n)
        // Eight spare bytes at the end: a short key is compared with one eight-byte load.
        let keyBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: n * Self.maxKeyBytes + 8)
        keyBytes.initialize(repeating: 0, count: n * Self.maxKeyBytes + 8)
        let keyEnds = UnsafeMutablePointer<Int>.allocate(capacity: n * Self.maxKeys)
        keyEnds.initialize(repeating: 0, count: n * Self.maxKeys)
        let keyStrings = UnsafeMutablePointer<String>.allocate(capacity: n * Self.maxKeys)
        keyStrings.initialize(repeating: "", count: n * Self.maxKeys)
        let keyCount = UnsafeMutablePointer<Int>.allocate(capacity: n)
        keyCount.initialize(repeating: -1, count: n)
        let keysDistinct = UnsafeMutablePointer<Bool>.allocate(capacity: n)
        keysDistinct.initialize(repeating: false, count: n)
        return (keys, lengths, names, tags, tagsInOrder, keyBytes, keyEnds, keyStrings, keyCount, keysDistinct)
    }

    deinit { free() }

    private func free() {
        let n = 1 << bits
        keys.deallocate()
        lengths.deallocate()
        names.deinitialize(count: n)
        names.deallocate()
        tags.deinitialize(count: n)
        tags.deallocate()
        tagsInOrder.deallocate()
        keyBytes.deallocate()
        keyEnds.deallocate()
        keyStrings.deinitialize(count: n * Self.maxKeys)
        keyStrings.deallocate()
        keyCount.deallocate()
        keysDistinct.deallocate()
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

    /// The slot holding the header `p[0..<n]`, or -1. Two ways: a header lives in its slot or in the
    /// slot's partner (`slot ^ 1`).
    @inline(__always)
    func lookup(_ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        if lengths[slot] == n && memcmp(keys + slot * Self.maxHeaderBytes, p, n) == 0 { return slot }
        let other = slot ^ 1
        if lengths[other] == n && memcmp(keys + other * Self.maxHeaderBytes, p, n) == 0 { return other }
        return -1
    }

    /// Puts the header in its slot; what was there moves to the partner, replacing the older one.
    /// The new header has no field keys yet.
    func store(_ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, name: String, tags: [Tag], tagsInOrder: Bool) {
        let other = slot ^ 1
        if lengths[other] >= 0 { evictions &+= 1 }
        if lengths[slot] >= 0 {
            (keys + other * Self.maxHeaderBytes).update(from: keys + slot * Self.maxHeaderBytes, count: lengths[slot])
            lengths[other] = lengths[slot]
            names[other] = names[slot]
            self.tags[other] = self.tags[slot]
            self.tagsInOrder[other] = self.tagsInOrder[slot]
            let count = keyCount[slot]
            if count > 0 {
                (keyBytes + other * Self.maxKeyBytes).update(from: keyBytes + slot * Self.maxKeyBytes, count: keyEnds[slot * Self.maxKeys + count - 1])
                (keyEnds + other * Self.maxKeys).update(from: keyEnds + slot * Self.maxKeys, count: count)
                (keyStrings + other * Self.maxKeys).update(from: keyStrings + slot * Self.maxKeys, count: count)
            }
            keyCount[other] = count
            keysDistinct[other] = keysDistinct[slot]
        }
        (keys + slot * Self.maxHeaderBytes).update(from: p, count: n)
        lengths[slot] = n
        names[slot] = name
        self.tags[slot] = tags
        self.tagsInOrder[slot] = tagsInOrder
        keyCount[slot] = -1
    }
}

/// Positions of a record's field keys (start and end of each), stored with plain writes; records
/// with more than ``capacity`` fields are not learned.
final class InfluxKeySpans {
    static let capacity = 64
    let base = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
    deinit { base.deallocate() }
}
