/// A map from byte strings to small integers (indexes into the caller's own array), looked up
/// straight from a buffer: no `String` or `Array` is made per lookup, which is what a per-line hot
/// path needs (a `[String: Int]` costs a String and a hash of it per line).
///
/// Open addressing with linear probing over a power-of-two slot array that doubles at 3/4 full;
/// key bytes live one after the other in one arena. Nothing is ever removed.
///
/// A class over manually allocated slots, so that a lookup through a stored reference retains and
/// copies nothing.
public final class ByteKeyTable {
    /// Per slot: the key's hash (0: empty), where its bytes start in the arena, its length, its value.
    private var hashes: UnsafeMutablePointer<UInt64>
    private var starts: UnsafeMutablePointer<Int>
    private var lengths: UnsafeMutablePointer<Int>
    private var values: UnsafeMutablePointer<Int>
    private var slots: Int
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCount = 0
    private var arenaCapacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 16) {
        var slots = 16
        while slots < capacity * 2 { slots <<= 1 }
        self.slots = slots
        (hashes, starts, lengths, values) = Self.allocate(slots)
        arenaCapacity = 256
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        Self.free(hashes, starts, lengths, values)
        arena.deallocate()
    }

    private static func allocate(_ n: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) {
        let h = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        h.initialize(repeating: 0, count: n)
        let s = UnsafeMutablePointer<Int>.allocate(capacity: n)
        s.initialize(repeating: 0, count: n)
        let l = UnsafeMutablePointer<Int>.allocate(capacity: n)
        l.initialize(repeating: 0, count: n)
        let v = UnsafeMutablePointer<Int>.allocate(capacity: n)
        v.initialize(repeating: 0, count: n)
        return (h, s, l, v)
    }

    private static func free(_ h: UnsafeMutablePointer<UInt64>, _ s: UnsafeMutablePointer<Int>, _ l: UnsafeMutablePointer<Int>, _ v: UnsafeMutablePointer<Int>) {
        h.deallocate()
        s.deallocate()
        l.deallocate()
        v.deallocate()
    }

    /// The value stored for `key`, or nil.
    public func value(for key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(key)
        let mask = slots - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let stored = hashes[slot]
            if stored == 0 { return nil }
            if stored == h, matches(slot, key) { return values[slot] }
            slot = (slot + 1) & mask
        }
    }

    /// Stores `value` for `key` (replacing the value of an equal key).
    public func set(_ value: Int, for key: UnsafeBufferPointer<UInt8>) {
        if (count + 1) * 4 > slots * 3 { grow() }
        let h = Self.hash(key)
        let mask = slots - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == h, matches(slot, key) {
                values[slot] = value
                return
            }
            slot = (slot + 1) & mask
        }
        if arenaCount + key.count > arenaCapacity {
            var capacity = arenaCapacity * 2
            while capacity < arenaCount + key.count { capacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = bigger
            arenaCapacity = capacity
        }
        if let base = key.baseAddress { (arena + arenaCount).update(from: base, count: key.count) }
        hashes[slot] = h
        starts[slot] = arenaCount
        lengths[slot] = key.count
        values[slot] = value
        arenaCount += key.count
        count += 1
    }

    @inline(__always)
    private func matches(_ slot: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lengths[slot] == key.count else { return false }
        guard let base = key.baseAddress else { return true }
        return memcmp(arena + starts[slot], base, key.count) == 0
    }

    private func grow() {
        let old = (hashes, starts, lengths, values, slots)
        slots *= 2
        (hashes, starts, lengths, values) = Self.allocate(slots)
        let mask = slots - 1
        for i in 0..<old.4 where old.0[i] != 0 {
            var slot = Int(truncatingIfNeeded: old.0[i]) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = old.0[i]
            starts[slot] = old.1[i]
            lengths[slot] = old.2[i]
            values[slot] = old.3[i]
        }
        Self.free(old.0, old.1, old.2, old.3)
    }

    /// A 64-bit hash, eight bytes at a time (multiply and fold); never 0, which marks an empty slot.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: key.count)
        guard let base = key.baseAddress else { return h | 1 }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= key.count {
            h = fold(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < key.count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < key.count {
                tail |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            h = fold(h ^ tail)
        }
        return h == 0 ? 1 : h
    }

    @inline(__always)
    static func fold(_ x: UInt64) -> UInt64 {
        let m = x.multipliedFullWidth(by: 0xBF58_476D_1CE4_E5B9)
        return m.high ^ m.low
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
