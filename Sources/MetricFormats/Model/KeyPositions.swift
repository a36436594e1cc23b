/// Where each key sits in a list of keys that grows one at a time, for "replace or append" while a
/// record is built: a linear scan up to ``linearLimit`` keys, so the few keys of an ordinary record
/// cost no hashing, and a dictionary past it, so a record of 100,000 keys costs linear time, not
/// quadratic.
///
/// The list is read through `keyAt`; the positions learned stay valid as long as keys are only
/// appended or have their values replaced. ``reset()`` before the next record.
struct KeyPositions {
    /// Keys scanned linearly before a dictionary is built.
    static let linearLimit = 16

    private var positions: [WireKey: Int] = [:]
    /// Keys `0..<indexed` of the list are in `positions`.
    private var indexed = 0

    /// Forgets the keys of the last record (keeping the dictionary's storage).
    @inline(__always)
    mutating func reset() {
        if indexed > 0 {
            positions.removeAll(keepingCapacity: true)
            indexed = 0
        }
    }

    /// The first position of `key` among keys `0..<count`, nil when it is not there.
    @inline(__always)
    mutating func find(_ key: String, count: Int, keyAt: (Int) -> String) -> Int? {
        if count <= Self.linearLimit {
            for k in 0..<count where keyAt(k).hasSameBytes(as: key) { return k }
            return nil
        }
        while indexed < count {
            let k = WireKey(keyAt(indexed))
            if positions[k] == nil { positions[k] = indexed }
            indexed += 1
        }
        return positions[WireKey(key)]
    }
}
