import Testing

@testable import MetricFormats

@Suite struct ByteCacheTests {
    /// Looks `key` up, as the parsers do: hash once, find, insert on a miss.
    func lookUp(_ cache: ByteCache<Int>, _ key: String, orInsert value: Int) -> (slot: Int, hit: Bool) {
        var bytes = Array(key.utf8)
        bytes.append(0)  // a pointer for the empty key too
        return bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            let n = b.count - 1
            let h = ByteCache<Int>.hash(p, n)
            let found = cache.find(p, n, hash: h)
            if found >= 0 { return (found, true) }
            return (cache.insert(p, n, hash: h, value), false)
        }
    }

    @Test func aKeyIsFoundByItsBytesWithItsValue() {
        let cache = ByteCache(ways: 2, setBits: 4, maxKeyBytes: 40, empty: -1)
        let first = lookUp(cache, "host=web-00.eu-west.example.com", orInsert: 7)
        #expect(!first.hit && first.slot >= 0)
        let again = lookUp(cache, "host=web-00.eu-west.example.com", orInsert: 8)
        #expect(again.hit && again.slot == first.slot && cache[again.slot] == 7)
        #expect(Array(cache.key(again.slot)) == Array("host=web-00.eu-west.example.com".utf8))
        // One byte different (in the middle, at the end) or one byte shorter: another key.
        #expect(!lookUp(cache, "host=web-00.eu-wEst.example.com", orInsert: 1).hit)
        #expect(!lookUp(cache, "host=web-00.eu-west.example.coM", orInsert: 2).hit)
        #expect(!lookUp(cache, "host=web-00.eu-west.example.co", orInsert: 3).hit)
        #expect(lookUp(cache, "", orInsert: 4).slot >= 0)
        #expect(lookUp(cache, "", orInsert: 5).hit)
    }

    @Test func aKeyLongerThanTheLimitIsNotKept() {
        let cache = ByteCache(ways: 1, setBits: 2, maxKeyBytes: 8, empty: -1)
        #expect(lookUp(cache, "12345678", orInsert: 1).slot >= 0)
        #expect(lookUp(cache, "12345678", orInsert: 1).hit)
        #expect(lookUp(cache, "123456789", orInsert: 2).slot == -1)
        #expect(!lookUp(cache, "123456789", orInsert: 2).hit)
    }

    @Test func aFullSetDropsItsOldestKey() {
        let cache = ByteCache(ways: 4, setBits: 0, maxKeyBytes: 16, empty: -1)
        for k in 0..<4 { _ = lookUp(cache, "key\(k)", orInsert: k) }
        #expect(cache.evictions == 0)
        for k in 0..<4 { #expect(lookUp(cache, "key\(k)", orInsert: -2).hit) }
        _ = lookUp(cache, "key4", orInsert: 4)
        #expect(cache.evictions == 1)
        #expect(!lookUp(cache, "key0", orInsert: 0).hit)  // the oldest went (and comes back in key1's place)
        #expect(lookUp(cache, "key2", orInsert: -2).hit && lookUp(cache, "key4", orInsert: -2).hit)
        cache.removeAll()
        #expect(!lookUp(cache, "key4", orInsert: 4).hit)
    }

    @Test func itGrowsFourFoldUnderEvictionsUpToItsLimit() {
        let cache = ByteCache(ways: 1, setBits: 6, initialSetBits: 2, maxKeyBytes: 16, empty: -1)
        #expect(cache.slotCount == 4)
        for k in 0..<5 { _ = lookUp(cache, "series-\(k)", orInsert: k) }
        #expect(cache.setBits == 2)  // at most four pushed out so far: no growth yet
        for k in 5..<40 { _ = lookUp(cache, "series-\(k)", orInsert: k) }
        #expect(cache.setBits > 2 && cache.setBits.isMultiple(of: 2))
        for k in 0..<2_000 { _ = lookUp(cache, "series-\(k)", orInsert: k) }
        #expect(cache.setBits == 6 && cache.slotCount == 64)
        // 30 keys in 64 direct-mapped slots: most stay, and whatever is found is right.
        var hits = 0
        for _ in 0..<2 {
            for k in 0..<30 {
                let r = lookUp(cache, "again-\(k)", orInsert: k)
                if r.hit {
                    hits += 1
                    #expect(cache[r.slot] == k)
                }
            }
        }
        #expect(hits >= 15)
    }

    /// Against a dictionary: a hit always carries the value stored for exactly those bytes.
    @Test func aHitIsNeverAnotherKeysValue() {
        let cache = ByteCache(ways: 2, setBits: 3, maxKeyBytes: 24, empty: -1)
        var rng = SplitMix(seed: 12)
        var hits = 0
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 20)
            let key = String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.next() % 3))) })
            let value = key.utf8.reduce(length) { $0 &* 31 &+ Int($1) }
            let r = lookUp(cache, key, orInsert: value)
            if r.hit { hits += 1 }
            #expect(cache[r.slot] == value)
        }
        #expect(hits > 500)
    }

    @Test func tokenStringsShareStorageWhileCached() {
        let tokens = ByteCache.tokens()
        func string(_ s: String) -> String {
            Array(s.utf8).withUnsafeBufferPointer { tokens.string($0.baseAddress!, $0.count) }
        }
        let long = "web-00.eu-west.example.com"
        let a = string(long)
        let b = string(long)
        #expect(a == long && b == long)
        #expect(unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self))
        #expect(string("web-01.eu-west.example.com") == "web-01.eu-west.example.com")
        let longer = String(repeating: "x", count: 33)
        #expect(string(longer) == longer)
        #expect(string("") == "")
    }
}
