/// How to write one sequence of keys as a Go map writes them: the indexes in byte order of the keys,
/// repeats removed (the last one wins), and each key's text (`"key":`) escaped once.
final class JSONKeyPlan {
    /// The keys as the metric gave them.
    let keys: [String]
    /// Indexes into the metric's array, in output order.
    let order: [Int]
    /// `"key":` of each entry of `order`, one after the other; entry `n` ends at `ends[n]`.
    let text: InfluxLineBuffer
    let ends: [Int]

    init(keys: [String]) {
        self.keys = keys
        var order = Array(keys.indices)
        // Insertion sort: the arrays are small and often sorted; stable, so the last repeat comes last.
        // Past a few keys, a sort with the index breaking ties: as stable, and n log n.
        if keys.count > KeyPositions.linearLimit {
            order.sort { a, b in
                if JSONText.precedes(keys[a], keys[b]) { return true }
                return a < b && !JSONText.precedes(keys[b], keys[a])
            }
        } else if keys.count > 1 {
            for i in 1..<order.count {
                let v = order[i]
                var j = i
                while j > 0, JSONText.precedes(keys[v], keys[order[j - 1]]) {
                    order[j] = order[j - 1]
                    j -= 1
                }
                order[j] = v
            }
        }
        var kept: [Int] = []
        kept.reserveCapacity(order.count)
        for n in order.indices where !(n + 1 < order.count && keys[order[n + 1]].hasSameBytes(as: keys[order[n]])) {
            kept.append(order[n])
        }
        self.order = kept
        text = InfluxLineBuffer(capacity: 64)
        var ends: [Int] = []
        ends.reserveCapacity(kept.count)
        for index in kept {
            JSONText.appendString(keys[index], to: text)
            text.append(ASCII.colon)
            ends.append(text.count)
        }
        self.ends = ends
    }
}

/// Recently seen key sequences and their plans, found by the keys' bytes (``StringSequenceKey``) in
/// a ``ByteCache`` of sets of four: a metric whose keys were seen before finds its plan with a copy,
/// a hash and a comparison of its key bytes instead of sorting and escaping again. In front of it,
/// the plans of recently seen key sequences by the identity of their Strings
/// (``StringIdentityKey``): a parser that hands out the same key Strings again finds the plan with
/// two words a key, without copying the bytes.
///
/// By the bytes, not the raw String bits alone: a long key's bits are its storage address, so with a
/// hash of the bits which sequences shared a set changed from run to run, and in some runs two of
/// four sequences evicted each other on every metric, doubling the time of a whole conversion. A
/// miss in front costs the byte lookup, not a new plan.
final class JSONKeyPlanCache {
    /// Key sequences of more bytes get a plan made every time.
    static let maxKeyBytes = 1024
    /// Sequences of more keys are found by their bytes alone.
    static let maxIdentityKeys = 16

    /// A plan with the key Strings of its identity key.
    struct Kept {
        var plan: JSONKeyPlan
        var keys: [String]
    }

    private let cache = ByteCache(ways: 4, setBits: 4, maxKeyBytes: JSONKeyPlanCache.maxKeyBytes, empty: JSONKeyPlan(keys: []))
    private let key = StringSequenceKey(limit: JSONKeyPlanCache.maxKeyBytes)
    private let identities = ByteCache(
        ways: 4, setBits: 4, maxKeyBytes: 16 * JSONKeyPlanCache.maxIdentityKeys, empty: Kept(plan: JSONKeyPlan(keys: []), keys: []))
    private let identity = StringIdentityKey(strings: JSONKeyPlanCache.maxIdentityKeys)
    /// The plan of a sequence too long to keep, held until the next one.
    private var uncached = JSONKeyPlan(keys: [])

    /// The plan for the `count` keys read through `key`, valid until the next call (handed out
    /// unretained: no atomic count per metric).
    @inline(__always)
    func plan(_ count: Int, _ key: (Int) -> String) -> Unmanaged<JSONKeyPlan> {
        if identity.isInUse, identity.make(count, key) {
            let slot = identities.find(identity.base, identity.count, hash: identity.hash)
            if slot >= 0 {
                identity.counted(found: true)
                return Unmanaged.passUnretained(identities[slot].plan)
            }
        }
        return planByBytes(count, key)
    }

    /// ``plan(_:_:)`` for keys not found by their Strings: by their bytes, then kept by their Strings
    /// too (when ``plan(_:_:)`` made their identity key).
    @inline(never)
    private func planByBytes(_ count: Int, _ key: (Int) -> String) -> Unmanaged<JSONKeyPlan> {
        self.key.removeAll()
        for i in 0..<count { self.key.append(key(i)) }
        guard self.key.fits else {
            uncached = JSONKeyPlan(keys: (0..<count).map(key))
            return Unmanaged.passUnretained(uncached)
        }
        let h = ByteCache<JSONKeyPlan>.hash(self.key.base, self.key.count)
        var slot = cache.find(self.key.base, self.key.count, hash: h)
        if slot < 0 {
            slot = cache.insert(self.key.base, self.key.count, hash: h, JSONKeyPlan(keys: (0..<count).map(key)))
        } else if identity.fits {
            identity.counted(found: false)
        }
        let plan = cache[slot]
        if identity.fits {
            identities.insert(identity.base, identity.count, hash: identity.hash, Kept(plan: plan, keys: (0..<count).map(key)))
        }
        return Unmanaged.passUnretained(plan)
    }
}
