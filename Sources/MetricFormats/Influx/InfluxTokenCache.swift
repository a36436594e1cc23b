#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Strings of recently seen short tokens (measurements, tag keys and values, field keys), so that a
/// token repeated on line after line is compared, not decoded again.
///
/// Direct-mapped: a token's bytes pick one slot; a hit returns the stored String, a miss decodes the
/// token and replaces the slot. Only tokens of up to ``maxTokenBytes`` bytes are kept.
final class InfluxTokenCache {
    static let slotBits = 10
    static let slotCount = 1 << slotBits
    static let maxTokenBytes = 32

    private let keys: UnsafeMutablePointer<UInt8>
    private let lengths: UnsafeMutablePointer<UInt8>
    private let strings: UnsafeMutablePointer<String>

    init() {
        keys = .allocate(capacity: Self.slotCount * Self.maxTokenBytes)
        keys.initialize(repeating: 0, count: Self.slotCount * Self.maxTokenBytes)
        lengths = .allocate(capacity: Self.slotCount)
        lengths.initialize(repeating: 0, count: Self.slotCount)
        strings = .allocate(capacity: Self.slotCount)
        strings.initialize(repeating: "", count: Self.slotCount)
    }

    deinit {
        keys.deallocate()
        lengths.deallocate()
        strings.deinitialize(count: Self.slotCount)
        strings.deallocate()
    }

    /// Byte equality of two short runs, eight bytes at a time (the last load overlaps).
    @inline(__always)
    static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if n < 8 {
            for k in 0..<n where a.load(fromByteOffset: k, as: UInt8.self) != b.load(fromByteOffset: k, as: UInt8.self) {
                return false
            }
            return true
        }
        var k = 0
        while k + 8 <= n {
            if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        return k == n || a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }

    /// The String of the UTF-8 bytes `p[0..<n]`.
    @inline(__always)
    func string(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        guard n > 0 && n <= Self.maxTokenBytes else {
            return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        }
        let raw = UnsafeRawPointer(p)
        var h: UInt64
        if n >= 8 {
            h = raw.loadUnaligned(as: UInt64.self) &* 0x9E37_79B9_7F4A_7C15
            h ^= raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) &* 0xC2B2_AE3D_27D4_EB4F
        } else {
            h = 0
            for k in 0..<n { h = (h << 8) | UInt64(p[k]) }
            h = h &* 0x9E37_79B9_7F4A_7C15
        }
        h ^= UInt64(n) &* 0x1656_67B1_9E37_79F9
        // The top bits of a product depend on every bit of the hash; the low bits, which picked the
        // slot before, did not see the middle bytes of the first word (host names that differ there
        // shared a slot and kept replacing each other).
        let slot = Int(truncatingIfNeeded: ((h ^ (h >> 29)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - Self.slotBits))
        let key = keys + slot * Self.maxTokenBytes
        if Int(lengths[slot]) == n && Self.same(UnsafeRawPointer(key), raw, n) {
            return strings[slot]
        }
        let s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        key.update(from: p, count: n)
        lengths[slot] = UInt8(n)
        strings[slot] = s
        return s
    }
}
