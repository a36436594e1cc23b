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
        if keys.count > 1 {
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

/// Recently seen key sequences and their plans, two-way by a hash of the keys' raw String bits: a
/// metric whose keys are the same Strings as before (parsers hand out one String per repeated token)
/// finds its plan with a few comparisons instead of sorting and escaping again. Two ways, because
/// the raw bits of a long key are its storage address: with one way, two sequences that happen to
/// share a slot would replace each other on every metric.
final class JSONKeyPlanCache {
    static let slotBits = 6
    static let slotCount = 1 << slotBits
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
        for i in 0..<count { h = SeriesTextCache.mix(h, key(i)) }
        let slot = SeriesTextCache.slot(h, bits: Self.slotBits)
        if let plan = slots[slot], plan._withUnsafeGuaranteedRef({ $0.matches(count, key) }) { return plan }
        if let plan = slots[slot ^ 1], plan._withUnsafeGuaranteedRef({ $0.matches(count, key) }) { return plan }
        // The slot's plan moves to the partner, replacing the older one.
        let plan = Unmanaged.passRetained(JSONKeyPlan(keys: (0..<count).map(key)))
        slots[slot ^ 1]?.release()
        slots[slot ^ 1] = slots[slot]
        slots[slot] = plan
        return plan
    }
}
