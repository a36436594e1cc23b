extension Array where Element == Tag {
    /// Sorts by key (byte order), keeping the last of repeated keys, as Telegraf stores tags: an
    /// insertion sort for the few tags most metrics carry, a stable n log n sort past them, so a
    /// line with 100,000 tags costs no quadratic time.
    mutating func sortByKeyKeepingLast() {
        if count < 2 { return }
        var sorted = true
        for i in 1..<count where !self[i - 1].key.utf8.lexicographicallyPrecedes(self[i].key.utf8) {
            sorted = false
            break
        }
        if sorted { return }
        if count <= KeyPositions.linearLimit {
            // Stable: equal keys keep their input order, so the last one ends last.
            for i in 1..<count {
                let tag = self[i]
                var j = i
                while j > 0, tag.key.utf8.lexicographicallyPrecedes(self[j - 1].key.utf8) {
                    self[j] = self[j - 1]
                    j -= 1
                }
                self[j] = tag
            }
        } else {
            // Input order breaks ties, which makes the sort stable.
            self = enumerated().sorted {
                if $0.element.key == $1.element.key { return $0.offset < $1.offset }
                return $0.element.key.utf8.lexicographicallyPrecedes($1.element.key.utf8)
            }.map(\.element)
        }
        var kept = 0
        for i in indices {
            if kept > 0 && self[kept - 1].key == self[i].key {
                self[kept - 1] = self[i]
            } else {
                self[kept] = self[i]
                kept += 1
            }
        }
        removeLast(count - kept)
    }
}
