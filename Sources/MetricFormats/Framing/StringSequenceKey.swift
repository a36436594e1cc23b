/// The bytes of a sequence of Strings as one ``ByteCache`` key: each String's UTF-8 followed by 0xFF,
/// a byte valid UTF-8 never holds, so two sequences give the same key only when they are equal,
/// however their Strings are stored (a parser that makes a new String per line still finds its
/// series).
final class StringSequenceKey {
    /// Keys longer than this are not made (the cache is not used for them).
    let limit: Int
    private let buffer: InfluxLineBuffer
    /// False once the key has passed ``limit``.
    private(set) var fits = true

    init(limit: Int) {
        self.limit = limit
        buffer = InfluxLineBuffer(capacity: limit + 64)
    }

    @inline(__always) func removeAll() {
        buffer.removeAll()
        fits = true
    }

    /// Appends `s` and its end mark.
    @inline(__always) func append(_ s: String) {
        guard fits else { return }
        // A small String (up to 15 bytes, bit 61 of its second word set) holds its bytes in its two
        // words, the count in bits 56-59: sixteen bytes are stored, `count` of them kept.
        let (a, b) = unsafeBitCast(s, to: (UInt64, UInt64).self)
        #if _endian(little)
            if b & (1 << 61) != 0 {
                let n = Int(truncatingIfNeeded: (b >> 56) & 0xF)
                if buffer.count &+ n &+ 1 > limit {
                    fits = false
                    return
                }
                // The end mark goes in the byte after the String's: one more store, no second reserve.
                buffer.append(words: a, b, 0xFF, keeping: n)
                return
            }
        #endif
        appendLong(s)
        buffer.append(UInt8(0xFF))
    }

    @inline(never) private func appendLong(_ s: String) {
        let n = s.utf8.count
        if buffer.count &+ n &+ 1 > limit {
            fits = false
            return
        }
        if n > 0, s.utf8.withContiguousStorageIfAvailable({ buffer.append($0.baseAddress!, $0.count) }) == nil {
            for b in s.utf8 { buffer.append(b) }
        }
    }

    var base: UnsafePointer<UInt8> { UnsafePointer(buffer.base) }
    var count: Int { buffer.count }
}
