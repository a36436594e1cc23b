/// A String compared and hashed by its UTF-8 bytes, as Go compares map keys. Swift's String
/// equality is canonical equivalence (`é` as one code point equals `e` followed by U+0301), which
/// would merge two tags, fields, series or set members that the wire, Telegraf and every peer keep
/// apart.
public struct WireKey: Hashable, Sendable {
    public let text: String

    @inline(__always) public init(_ text: String) { self.text = text }

    @inline(__always) public static func == (a: WireKey, b: WireKey) -> Bool { a.text.hasSameBytes(as: b.text) }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// Equal UTF-8 bytes (not canonical equivalence, which `==` tests).
    @inline(__always) public func hasSameBytes(as other: String) -> Bool {
        let (a0, a1) = unsafeBitCast(self, to: (UInt64, UInt64).self)
        let (b0, b1) = unsafeBitCast(other, to: (UInt64, UInt64).self)
        if a0 == b0 && a1 == b1 { return true }
        #if _endian(little)
            // Two small Strings (bit 61 of the second word): their bytes, zero-filled, are the words
            // but for the top byte, whose low four bits are the count.
            if a1 & b1 & (1 << 61) != 0 {
                return a0 == b0 && (a1 << 8) == (b1 << 8) && (a1 >> 56) & 0xF == (b1 >> 56) & 0xF
            }
        #endif
        return sameBytesSlow(other)
    }

    @inline(never) func sameBytesSlow(_ other: String) -> Bool {
        let n = utf8.count
        if n != other.utf8.count { return false }
        let same = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                n == 0 || UnsafeRawPointer(a.baseAddress!).sameBytes(as: UnsafeRawPointer(b.baseAddress!), count: n)
            }
        }
        return (same ?? nil) ?? utf8.elementsEqual(other.utf8)
    }
}

extension Array where Element == Tag {
    /// The same keys and values, byte for byte, in the same order.
    func hasSameBytes(as other: [Tag]) -> Bool {
        guard count == other.count else { return false }
        for i in indices where !(self[i].key.hasSameBytes(as: other[i].key) && self[i].value.hasSameBytes(as: other[i].value)) {
            return false
        }
        return true
    }
}
