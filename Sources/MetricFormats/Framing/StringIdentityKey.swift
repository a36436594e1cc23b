/// The storage identity of a sequence of Strings as one ``ByteCache`` key: each String's two words,
/// which hold a small String's bytes and count, or a large String's count and storage address. It is
/// cheaper to make than ``StringSequenceKey`` (sixteen bytes a String, whatever its length), and a
/// parser that hands out the same Strings for repeated tokens gives the same key.
///
/// Equal keys mean equal bytes only while the Strings a kept key was made of stay alive, so whoever
/// keeps a key keeps its Strings (a freed storage's address is taken again). Equal Strings in other
/// storage give another key: a miss, found then by ``StringSequenceKey``.
///
/// Keys are not worth making for a parser that makes new Strings every line: when almost none (fewer
/// than 1 in 32) of ``window`` lookups of series seen before found their key (the others found
/// them by their bytes alone), ``isInUse`` is false for a pause of lookups: ``firstPause``, twice as
/// long after each further such window up to ``longestPause``, and ``firstPause`` again after a
/// window that found more. Not "fewer than half": while the caches warm up, or when one series
/// comes with several sets of Strings (CSV's cells), windows miss many and the keys still pay off.
final class StringIdentityKey {
    /// Keys of more Strings are not made (the cache is not used for them).
    let limit: Int
    private let words: UnsafeMutablePointer<UInt8>
    /// Bytes of the key.
    private(set) var count = 0
    /// The hash of the key (``ByteCache/hash(_:_:)``), or 0 when it did not fit.
    private(set) var hash: UInt64 = 0
    /// False when the key would have passed ``limit``.
    private(set) var fits = false

    /// Lookups of known series counted before deciding whether keys are worth making.
    static let window = 256
    /// Lookups made without a key after a window in which almost none found theirs.
    static let firstPause = 16 * window
    static let longestPause = 1 << 20
    private var lookups = 0
    private var found = 0
    private var paused = 0
    private var nextPause = StringIdentityKey.firstPause

    /// A tag is two Strings one after the other, copied as they lie (else each is copied on its own).
    private let tagIsTwoStrings =
        MemoryLayout<String>.size == 16 && MemoryLayout<Tag>.size == 32 && MemoryLayout<Tag>.stride == 32
        && MemoryLayout<Tag>.offset(of: \Tag.key) == 0 && MemoryLayout<Tag>.offset(of: \Tag.value) == 16

    init(strings limit: Int) {
        self.limit = limit
        words = UnsafeMutablePointer<UInt8>.allocate(capacity: 16 * limit)
        words.initialize(repeating: 0, count: 16 * limit)
    }

    deinit { words.deallocate() }

    var base: UnsafePointer<UInt8> { UnsafePointer(words) }

    /// False while keys are not worth making (each call counts one lookup of the pause, and leaves
    /// no key: ``fits`` is false).
    @inline(__always) var isInUse: Bool {
        if paused == 0 { return true }
        paused &-= 1
        fits = false
        return false
    }

    /// Counts a lookup of a series seen before: found by its key, or only by its bytes.
    @inline(__always) func counted(found hit: Bool) {
        lookups &+= 1
        if hit { found &+= 1 }
        if lookups == Self.window {
            if found < Self.window / 32 {
                paused = nextPause
                nextPause = min(2 * nextPause, Self.longestPause)
            } else {
                nextPause = Self.firstPause
            }
            lookups = 0
            found = 0
        }
    }

    @inline(__always) private static func store(_ s: String, at p: UnsafeMutablePointer<UInt8>) {
        let (a, b) = unsafeBitCast(s, to: (UInt64, UInt64).self)
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: a, as: UInt64.self)
        raw.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
    }

    /// Makes the key of `name` and each tag's key and value; false when it does not fit.
    @inline(__always) func make(_ name: String, _ tags: UnsafeBufferPointer<Tag>) -> Bool {
        guard 1 &+ 2 &* tags.count <= limit else { return miss() }
        Self.store(name, at: words)
        if let first = tags.baseAddress {
            if tagIsTwoStrings {
                UnsafeMutableRawPointer(words + 16).copyMemory(from: UnsafeRawPointer(first), byteCount: 32 &* tags.count)
            } else {
                for k in tags.indices {
                    Self.store(tags[k].key, at: words + (16 &+ 32 &* k))
                    Self.store(tags[k].value, at: words + (32 &+ 32 &* k))
                }
            }
        }
        return hit(16 &+ 32 &* tags.count)
    }

    /// Makes the key of the `n` Strings `string(0)`, `string(1)`...; false when it does not fit.
    @inline(__always) func make(_ n: Int, _ string: (Int) -> String) -> Bool {
        guard n <= limit else { return miss() }
        for k in 0..<n { Self.store(string(k), at: words + (16 &* k)) }
        return hit(16 &* n)
    }

    @inline(__always) private func hit(_ bytes: Int) -> Bool {
        count = bytes
        hash = ByteCache<Int>.hash(words, bytes)
        fits = true
        return true
    }

    @inline(__always) private func miss() -> Bool {
        count = 0
        hash = 0
        fits = false
        return false
    }
}
