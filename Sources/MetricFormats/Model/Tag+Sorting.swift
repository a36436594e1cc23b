extension Array where Element == Tag {
    /// Sorts by key (byte order), keeping the last of repeated keys, as Telegraf stores tags: an
    /// insertion sort for the few tags most metrics carry, a stable n log n sort past them, so a
    /// line with 100,000 tags costs no quadratic time.
    mutating func sortByKeyKeepingLast() {
        if count < 2 { return }
        var sorted = true
        for i in 1..<count where !Tag.bytesPrecede(self[i - 1].key, self[i].key) {
            sorted = false
            break
        }
        if sorted { return }
        if count <= KeyPositions.linearLimit {
            // Stable: equal keys keep their input order, so the last one ends last.
            for i in 1..<count {
                let tag = self[i]
                var j = i
                while j > 0, Tag.bytesPrecede(tag.key, self[j - 1].key) {
                    self[j] = self[j - 1]
                    j -= 1
                }
                self[j] = tag
            }
        } else {
            // Input order breaks ties, which makes the sort stable.
            self = enumerated().sorted {
                if $0.element.key.hasSameBytes(as: $1.element.key) { return $0.offset < $1.offset }
                return Tag.bytesPrecede($0.element.key, $1.element.key)
            }.map(\.element)
        }
        var kept = 0
        for i in indices {
            if kept > 0 && self[kept - 1].key.hasSameBytes(as: self[i].key) {
                self[kept - 1] = self[i]
            } else {
                self[kept] = self[i]
                kept += 1
            }
        }
        removeLast(count - kept)
    }
}

extension Tag {
    /// `a` before `b` in byte order, compared on their UTF-8 storage (the generic comparison of two
    /// UTF-8 views walks them index by index: about 200 instructions for two short keys).
    @inline(__always) static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        let r = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                let n = Swift.min(pa.count, pb.count)
                var i = 0
                while i < n {
                    let x = pa[i]
                    let y = pb[i]
                    if x != y { return x < y }
                    i += 1
                }
                return pa.count < pb.count
            }
        }
        if let r, let r { return r }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
