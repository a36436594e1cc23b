#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte constants and small helpers shared by the parsers, which work on UTF-8 bytes, not Characters.
public enum ASCII {
    public static let tab: UInt8 = 0x09
    public static let newline: UInt8 = 0x0A
    public static let verticalTab: UInt8 = 0x0B
    public static let formFeed: UInt8 = 0x0C
    public static let cr: UInt8 = 0x0D
    public static let space: UInt8 = 0x20
    public static let quote: UInt8 = 0x22
    public static let hash: UInt8 = 0x23
    public static let comma: UInt8 = 0x2C
    public static let minus: UInt8 = 0x2D
    public static let dot: UInt8 = 0x2E
    public static let colon: UInt8 = 0x3A
    public static let semicolon: UInt8 = 0x3B
    public static let equals: UInt8 = 0x3D
    public static let at: UInt8 = 0x40
    public static let backslash: UInt8 = 0x5C
    public static let pipe: UInt8 = 0x7C
    public static let plus: UInt8 = 0x2B
    public static let zero: UInt8 = 0x30
    public static let nine: UInt8 = 0x39

    @inline(__always) public static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
    /// Space, tab, vertical tab, form feed: line protocol's whitespace.
    @inline(__always) public static func isBlank(_ b: UInt8) -> Bool {
        b == space || b == tab || b == verticalTab || b == formFeed
    }
    @inline(__always) public static func isWhitespace(_ b: UInt8) -> Bool {
        isBlank(b) || b == newline || b == cr
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The bytes with `\r` before the end removed (a CRLF line's CR).
    @inlinable public func droppingTrailingCR() -> UnsafeBufferPointer<UInt8> {
        if let last = self.last, last == 0x0D {
            return UnsafeBufferPointer(rebasing: self[startIndex..<(endIndex - 1)])
        }
        return self
    }

    /// The bytes without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF).
    @inlinable public func trimmingWhitespace() -> UnsafeBufferPointer<UInt8> {
        var s = startIndex
        var e = endIndex
        while s < e, ASCII.isWhitespace(self[s]) { s += 1 }
        while e > s, ASCII.isWhitespace(self[e - 1]) { e -= 1 }
        return UnsafeBufferPointer(rebasing: self[s..<e])
    }
}

extension String {
    /// A String from UTF-8 bytes; invalid sequences become U+FFFD.
    @inlinable public init(bytes: UnsafeBufferPointer<UInt8>) {
        self = String(decoding: bytes, as: UTF8.self)
    }

    /// A String from a slice of a byte buffer.
    @inlinable public init(bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `s` without going through Characters.
    @inlinable public mutating func append(utf8 s: String) {
        var s = s
        s.withUTF8 { self.append(contentsOf: $0) }
    }

    @inlinable public mutating func append(ascii s: StaticString) {
        s.withUTF8Buffer { self.append(contentsOf: $0) }
    }
}

extension UnsafeRawPointer {
    /// Byte equality of `count` bytes here and at `other`: byte by byte when short, eight bytes at a
    /// time up to 64 (the last load overlaps), by `memcmp` beyond.
    @inline(__always)
    func sameBytes(as other: UnsafeRawPointer, count n: Int) -> Bool {
        if n < 8 {
            for k in 0..<n where load(fromByteOffset: k, as: UInt8.self) != other.load(fromByteOffset: k, as: UInt8.self) {
                return false
            }
            return true
        }
        if n > 64 { return memcmp(self, other, n) == 0 }
        var k = 0
        while k + 8 <= n {
            if loadUnaligned(fromByteOffset: k, as: UInt64.self) != other.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        return k == n || loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == other.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
}
