#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bounded map from short byte strings to values, for the per-line caches of the parsers and
/// serializers: a token, a header or a tag section seen before is found with one hash and one
/// comparison of its bytes instead of being decoded again.
///
/// Sets of ``ways`` slots picked by the top bits of ``hash(_:_:)``; a new key goes into the next slot
/// of its set in turn (the oldest there is dropped). Keys of more than ``maxKeyBytes`` bytes are not
/// kept. It starts with `initialSetBits` bits of sets and grows four-fold, up to `setBits`, each
/// time it has dropped more keys than it has slots: a cache per connection costs memory in
/// proportion to what its peer sent.
///
/// Keys and values live in flat storage addressed by slot number, not in objects: a caller holds a
/// slot number (valid until the next ``insert(_:_:hash:_:)``) and reads the value in place, which
/// costs no reference counting per line.
final class ByteCache<Value> {
    let ways: Int
    let maxKeyBytes: Int
    let maxSetBits: Int
    /// Bits of the set number now.
    private(set) var setBits: Int
    /// Keys dropped since the last growth, and in all (for tests and statistics).
    private var evictionsSinceGrowth = 0
    private(set) var evictions = 0
    private let empty: Value

    private var keys: UnsafeMutablePointer<UInt8>
    /// Per slot: the key's length, -1 for an empty slot.
    private var lengths: UnsafeMutablePointer<Int>
    private var values: UnsafeMutablePointer<Value>
    /// Per set: the way the next new key takes.
    private var next: UnsafeMutablePointer<Int>

    /// - Parameters:
    ///   - ways: slots per set (1: direct-mapped).
    ///   - setBits: bits of the set number at most; `initialSetBits` at first (default: the same).
    ///   - maxKeyBytes: longer keys are not kept.
    ///   - empty: the value of a slot that holds nothing.
    init(ways: Int, setBits: Int, initialSetBits: Int? = nil, maxKeyBytes: Int, empty: Value) {
        precondition(ways >= 1 && setBits >= 0 && setBits < 24 && maxKeyBytes >= 1)
        self.ways = ways
        self.maxKeyBytes = maxKeyBytes
        self.maxSetBits = setBits
        self.setBits = min(initialSetBits ?? setBits, setBits)
        self.empty = empty
        (keys, lengths, values, next) = Self.allocate(ways << self.setBits, sets: 1 << self.setBits, maxKeyBytes, empty)
    }

    deinit { free() }

    /// Slots now.
    var slotCount: Int { ways << setBits }

    private static func allocate(_ n: Int, sets: Int, _ maxKeyBytes: Int, _ empty: Value) -> (
        UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Value>, UnsafeMutablePointer<Int>
    ) {
        // Eight spare bytes: the last key is compared with eight-byte loads too.
        let keys = UnsafeMutablePointer<UInt8>.allocate(capacity: n * maxKeyBytes + 8)
        keys.initialize(repeating: 0, count: n * maxKeyBytes + 8)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: n)
        lengths.initialize(repeating: -1, count: n)
        let values = UnsafeMutablePointer<Value>.allocate(capacity: n)
        values.initialize(repeating: empty, count: n)
        let next = UnsafeMutablePointer<Int>.allocate(capacity: sets)
        next.initialize(repeating: 0, count: sets)
        return (keys, lengths, values, next)
    }

    private func free() {
        keys.deallocate()
        lengths.deallocate()
        values.deinitialize(count: slotCount)
        values.deallocate()
        next.deallocate()
    }

    /// The hash of `p[0..<n]`, eight bytes at a time; ``find(_:_:hash:)`` and ``insert(_:_:hash:_:)``
    /// take it so that a miss followed by an insert hashes once.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        var h = UInt64(truncatingIfNeeded: n) &* 0x1656_67B1_9E37_79F9
        var k = 0
        while k + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            k += 8
        }
        if k < n {
            var tail: UInt64
            if n >= 8 {
                // The last eight bytes, overlapping what was read (the length is in the hash already).
                tail = raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            } else {
                tail = 0
                while k < n {
                    tail = (tail << 8) | UInt64(p[k])
                    k += 1
                }
            }
            h = (h ^ tail) &* 0xC2B2_AE3D_27D4_EB4F
        }
        // The top bits of a product depend on every bit below them; mixed once more, they pick the set.
        return (h ^ (h >> 31)) &* 0x9E37_79B9_7F4A_7C15
    }

    /// The first slot of the set for `hash` at the current size.
    @inline(__always)
    private func firstSlot(_ hash: UInt64) -> Int {
        setBits == 0 ? 0 : Int(truncatingIfNeeded: hash >> UInt64(64 - setBits)) &* ways
    }

    /// The slot holding the key `p[0..<n]`, or -1.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64) -> Int {
        let first = firstSlot(hash)
        for slot in first..<(first &+ ways) where lengths[slot] == n {
            if UnsafeRawPointer(keys + slot &* maxKeyBytes).sameBytes(as: UnsafeRawPointer(p), count: n) { return slot }
        }
        return -1
    }

    /// Keeps `value` for the key `p[0..<n]` (not already held: ``find(_:_:hash:)`` first) and returns
    /// its slot, or -1 when the key is longer than ``maxKeyBytes``. The key may push out another, or
    /// the cache may grow: every slot number held before is void.
    @discardableResult
    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64, _ value: Value) -> Int {
        guard n >= 0 && n <= maxKeyBytes else { return -1 }
        if setBits < maxSetBits && evictionsSinceGrowth > slotCount { grow() }
        let first = firstSlot(hash)
        let set = first / ways
        let slot = first &+ next[set]
        next[set] = next[set] &+ 1 == ways ? 0 : next[set] &+ 1
        if lengths[slot] >= 0 {
            evictions &+= 1
            evictionsSinceGrowth &+= 1
        }
        (keys + slot &* maxKeyBytes).update(from: p, count: n)
        lengths[slot] = n
        values[slot] = value
        return slot
    }

    /// Four times the sets (up to `setBits`), empty.
    private func grow() {
        free()
        setBits = min(setBits + 2, maxSetBits)
        evictionsSinceGrowth = 0
        (keys, lengths, values, next) = Self.allocate(ways << setBits, sets: 1 << setBits, maxKeyBytes, empty)
    }

    /// Drops every key (the size stays).
    func removeAll() {
        lengths.update(repeating: -1, count: slotCount)
        values.update(repeating: empty, count: slotCount)
        next.update(repeating: 0, count: 1 << setBits)
    }

    /// The value in `slot`, read and written in place.
    @inline(__always)
    subscript(slot: Int) -> Value {
        unsafeAddress { UnsafePointer(values + slot) }
        unsafeMutableAddress { values + slot }
    }

    /// The key in `slot` (empty for an empty slot), valid until the next insert.
    func key(_ slot: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: keys + slot &* maxKeyBytes, count: max(lengths[slot], 0))
    }
}

extension ByteCache where Value == String {
    /// A String of bytes cached by their value: the String of the UTF-8 bytes `p[0..<n]`, the same
    /// String (same storage) each time the bytes come again while they stay in the cache, so that
    /// caches after it can compare Strings by their bits.
    @inline(__always)
    func string(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        guard n > 0 && n <= maxKeyBytes else { return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) }
        let h = Self.hash(p, n)
        let slot = find(p, n, hash: h)
        if slot >= 0 { return self[slot] }
        let s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        insert(p, n, hash: h, s)
        return s
    }

    /// The cache of short tokens (names, keys, tag values) a parser keeps: 1,024 slots, tokens of up
    /// to 32 bytes.
    static func tokens() -> ByteCache<String> {
        ByteCache(ways: 1, setBits: 10, maxKeyBytes: 32, empty: "")
    }
}
