/// Field keys known to be written as they are (nothing to escape, trim or report), found by the
/// identity of their Strings (a String's two words, as ``StringIdentityKey`` takes them): a key
/// handed out again by the parser is copied without being scanned. Each entry keeps its String, so
/// its storage (and with it the address in the key) is not taken again while the entry stands.
///
/// A ``ByteCache`` in sets of two, growing from 32 to 512 keys as keys are pushed out.
final class InfluxFieldKeyCache {
    private let cache = ByteCache<String>(ways: 2, setBits: 8, initialSetBits: 4, maxKeyBytes: 16, empty: "")
    /// The two words of the last key looked up, and their hash, for ``keep(_:)``.
    private let words = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
    private var hash: UInt64 = 0

    init() { words.initialize(repeating: 0, count: 16) }

    deinit { words.deallocate() }

    /// Appends `key` and `=` to `out` and returns true when the key is known to need no escaping;
    /// else returns false and appends nothing.
    @inline(__always)
    func appendWithEquals(_ key: String, to out: InfluxLineBuffer) -> Bool {
        let (a, b) = unsafeBitCast(key, to: (UInt64, UInt64).self)
        let raw = UnsafeMutableRawPointer(words)
        raw.storeBytes(of: a, as: UInt64.self)
        raw.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
        hash = ByteCache<String>.hash(words, 16)
        guard cache.find(words, 16, hash: hash) >= 0 else { return false }
        #if _endian(little)
            // A small String (bit 61 of its second word) holds its bytes in its two words.
            if b & (1 << 61) != 0 {
                out.append(words: a, b, ASCII.equals, keeping: Int(truncatingIfNeeded: (b >> 56) & 0xF))
                return true
            }
        #endif
        if key.utf8.withContiguousStorageIfAvailable({ out.append($0.baseAddress!, $0.count) }) == nil {
            for byte in key.utf8 { out.append(byte) }
        }
        out.append(ASCII.equals)
        return true
    }

    /// Keeps `key`, the key of the last ``appendWithEquals(_:to:)`` (which returned false), as one
    /// written as it is.
    func keep(_ key: String) {
        let (a, b) = unsafeBitCast(key, to: (UInt64, UInt64).self)
        let raw = UnsafeRawPointer(words)
        guard raw.load(as: UInt64.self) == a && raw.load(fromByteOffset: 8, as: UInt64.self) == b else { return }
        cache.insert(words, 16, hash: hash, key)
    }
}
