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
        for n in order.indices where !(n + 1 < order.count && keys[order[n + 1]] == keys[order[n]]) {
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

    /// True when `keys` (read through `key`) is the sequence this plan was made for.
    @inline(__always)
    func matches(_ count: Int, _ key: (Int) -> String) -> Bool {
        if count != keys.count { return false }
        for i in 0..<count where key(i) != keys[i] { return false }
        return true
    }
}

/// Recently seen key sequences and their plans, in sets of four slots picked by a hash of the keys'
/// bytes: a metric whose keys were seen before finds its plan with a few comparisons (one word each
/// when they are the same Strings, as parsers hand out) instead of sorting and escaping again.
///
/// By the bytes, not the raw String bits: a long key's bits are its storage address, so with a hash
/// of the bits which sequences shared a slot changed from run to run, and in some runs two of four
/// sequences evicted each other on every metric, doubling the time of a whole conversion.
final class JSONKeyPlanCache {
    static let setBits = 4
    static let ways = 4
    static let slotCount = ways << setBits
    /// The plans, owned here and handed out unretained (no atomic count per metric); a plan stays
    /// valid until the next miss.
    private let slots: UnsafeMutablePointer<Unmanaged<JSONKeyPlan>?>

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: nil, count: Self.slotCount)
    }

    deinit {
        for k in 0..<Self.slotCount { slots[k]?.release() }
        slots.deallocate()
    }

    func plan(_ count: Int, _ key: (Int) -> String) -> Unmanaged<JSONKeyPlan> {
        var h = UInt64(truncatingIfNeeded: count)
        for i in 0..<count { h = Self.mixBytes(h, key(i)) }
        let first = SeriesTextCache.slot(h, bits: Self.setBits) &* Self.ways
        for k in first..<(first &+ Self.ways) {
            guard let plan = slots[k] else { break }  // a set fills from its first slot
            if plan._withUnsafeGuaranteedRef({ $0.matches(count, key) }) { return plan }
        }
        // The new plan goes first; the others move down and the last one is dropped.
        let plan = Unmanaged.passRetained(JSONKeyPlan(keys: (0..<count).map(key)))
        let last = first + Self.ways - 1
        slots[last]?.release()
        var k = last
        while k > first {
            slots[k] = slots[k - 1]
            k -= 1
        }
        slots[first] = plan
        return plan
    }

    /// Mixes a String's bytes into `h`: a small String's raw bits are its bytes; a long one gives its
    /// length and first and last eight bytes.
    @inline(__always)
    static func mixBytes(_ h: UInt64, _ s: String) -> UInt64 {
        let (a, b) = SeriesTextCache.rawBits(s)
        // Bit 61 of the second word marks a small (inline) String on 64-bit platforms.
        if b & (1 << 61) != 0 { return SeriesTextCache.mix(h, a, b) }
        let n = s.utf8.count
        let words = s.utf8.withContiguousStorageIfAvailable { u -> (UInt64, UInt64) in
            guard n >= 8, let p = u.baseAddress else { return (0, 0) }
            let raw = UnsafeRawPointer(p)
            return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        }
        let (x, y) = words ?? (0, 0)
        return SeriesTextCache.mix(h, x ^ UInt64(truncatingIfNeeded: n), y)
    }
}
