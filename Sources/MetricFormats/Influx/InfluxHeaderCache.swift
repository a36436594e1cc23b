/// Recently parsed headers (measurement and tag set) by their bytes, so that a series seen before is
/// found with one hash and one comparison instead of being tokenized again, and the field keys of
/// its last record predicted.
///
/// Only headers without a backslash are kept (their bytes alone decide the result), up to
/// ``maxHeaderBytes`` bytes, and only after they parsed without error. The headers are the keys of a
/// ``ByteCache`` (two ways per set) whose ``Entry`` values hold the name, the tags and the key count;
/// the predicted keys' bytes and Strings sit in flat storage beside it, indexed by the same slot
/// number, so a parser holds a slot number from line to line without reference counting.
///
/// It starts with 16 slots and grows four-fold, up to 1,024 slots, each time it has evicted more
/// headers than it has slots (``ByteCache``'s growth): a parser per connection (`listen`) costs
/// memory in proportion to the series its peer sent.
final class InfluxHeaderCache {
    static let ways = 2
    static let setBits = 9
    static let initialSetBits = 3
    static let maxHeaderBytes = 192
    /// Field keys predicted per header: at most this many keys of at most ``maxKeyBytes`` bytes in all.
    static let maxKeys = 16
    static let maxKeyBytes = 160

    /// What a header gives: the measurement, the tags, whether the tags came sorted; how many field
    /// keys are predicted (-1: none) and whether they are all different.
    struct Entry {
        var name = ""
        var tags: [Tag] = []
        var tagsInOrder = true
        var keyCount = -1
        var keysDistinct = false
    }

    let cache = ByteCache<Entry>(
        ways: InfluxHeaderCache.ways, setBits: InfluxHeaderCache.setBits, initialSetBits: InfluxHeaderCache.initialSetBits,
        maxKeyBytes: InfluxHeaderCache.maxHeaderBytes, empty: Entry())
    /// Per slot, the predicted field keys: their raw bytes one after the other (key `n` ends at
    /// `keyEnds[n]`) and their Strings. Valid while the slot's ``Entry/keyCount`` is not -1.
    private(set) var keyBytes: UnsafeMutablePointer<UInt8>
    private(set) var keyEnds: UnsafeMutablePointer<Int>
    private(set) var keyStrings: UnsafeMutablePointer<String>
    /// Slots the flat storage has room for.
    private var capacity: Int

    init() {
        capacity = cache.slotCount
        (keyBytes, keyEnds, keyStrings) = Self.allocate(capacity)
    }

    deinit { free() }

    /// Slots now (for tests).
    var slotCount: Int { cache.slotCount }

    private static func allocate(_ n: Int) -> (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<String>) {
        // Eight spare bytes at the end: a short key is compared with one eight-byte load.
        let keyBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: n * Self.maxKeyBytes + 8)
        keyBytes.initialize(repeating: 0, count: n * Self.maxKeyBytes + 8)
        let keyEnds = UnsafeMutablePointer<Int>.allocate(capacity: n * Self.maxKeys)
        keyEnds.initialize(repeating: 0, count: n * Self.maxKeys)
        let keyStrings = UnsafeMutablePointer<String>.allocate(capacity: n * Self.maxKeys)
        keyStrings.initialize(repeating: "", count: n * Self.maxKeys)
        return (keyBytes, keyEnds, keyStrings)
    }

    private func free() {
        keyBytes.deallocate()
        keyEnds.deallocate()
        keyStrings.deinitialize(count: capacity * Self.maxKeys)
        keyStrings.deallocate()
    }

    /// The slot holding the header `p[0..<n]`, or -1.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64) -> Int {
        cache.find(p, n, hash: hash)
    }

    /// Keeps a header just parsed (not held: ``find(_:_:hash:)`` first), without predicted keys, and
    /// returns its slot. The cache may grow: every slot number held before is void.
    func store(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64, name: String, tags: [Tag], tagsInOrder: Bool) -> Int {
        let slot = cache.insert(p, n, hash: hash, Entry(name: name, tags: tags, tagsInOrder: tagsInOrder))
        if cache.slotCount != capacity {
            // Grown (every entry is empty again): room for the new slots.
            free()
            capacity = cache.slotCount
            (keyBytes, keyEnds, keyStrings) = Self.allocate(capacity)
        }
        return slot
    }
}

/// Positions of a record's field keys (start and end of each), stored with plain writes; records
/// with more than ``capacity`` fields are not learned.
final class InfluxKeySpans {
    static let capacity = 64
    let base = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
    deinit { base.deallocate() }
}
