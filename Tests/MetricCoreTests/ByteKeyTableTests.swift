import MetricCore
import Testing

/// The byte-keyed table must agree with a Dictionary on any keys: empty, long, sharing prefixes,
/// colliding in their low hash bits, and across growth.
@Suite struct ByteKeyTableTests {
    func lookup(_ t: ByteKeyTable, _ key: [UInt8]) -> Int? { key.withUnsafeBufferPointer { t.value(for: $0) } }
    func store(_ t: ByteKeyTable, _ key: [UInt8], _ v: Int) { key.withUnsafeBufferPointer { t.set(v, for: $0) } }

    @Test func agreesWithADictionaryAcrossGrowth() {
        let table = ByteKeyTable()
        var reference: [[UInt8]: Int] = [:]
        var rng = SystemRandomNumberGenerator()
        for i in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &rng)
            // Few distinct bytes, so keys repeat and share prefixes.
            let key = (0..<length).map { _ in UInt8.random(in: 0x61...0x63, using: &rng) }
            #expect(lookup(table, key) == reference[key], "before storing key \(i)")
            store(table, key, i)
            reference[key] = i
        }
        #expect(table.count == reference.count)
        for (key, value) in reference { #expect(lookup(table, key) == value) }
        #expect(lookup(table, Array("not stored at all, longer than any key".utf8)) == nil)
    }

    @Test func theEmptyKeyAndKeysOfEveryLengthAroundAWord() {
        let table = ByteKeyTable(capacity: 1)
        let keys: [[UInt8]] = (0...17).map { Array(repeating: UInt8(0x41), count: $0) }
        for (i, k) in keys.enumerated() { store(table, k, i) }
        for (i, k) in keys.enumerated() { #expect(lookup(table, k) == i, "length \(k.count)") }
        store(table, [], 99)
        #expect(lookup(table, []) == 99)
        #expect(table.count == keys.count)
    }
}
