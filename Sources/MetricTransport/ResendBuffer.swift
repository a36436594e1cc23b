/// The most recent bytes written to a stream, kept so that what a broken connection may have lost can
/// be written again; holds at most `capacity` bytes (the oldest are dropped first).
struct ResendBuffer {
    let capacity: Int
    private var storage: [UInt8] = []
    /// Physical index of the oldest byte once `storage` is full.
    private var head = 0
    /// True once bytes were dropped to stay within `capacity`.
    private(set) var hasDropped = false

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Bytes held (at most `capacity`).
    var count: Int { storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        while !rest.isEmpty {
            if storage.count < capacity {
                let take = min(capacity - storage.count, rest.count)
                storage.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                continue
            }
            hasDropped = true
            let take = min(capacity - head, rest.count)
            storage.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: head).copyMemory(from: bytes.baseAddress!.advanced(by: rest.startIndex), byteCount: take)
            }
            head = (head + take) % capacity
            rest = rest.dropFirst(take)
        }
    }

    /// The byte at logical position `index` (0 = the oldest held).
    subscript(index: Int) -> UInt8 {
        storage[(head + index) % storage.count]
    }

    /// The bytes from logical position `start` to the newest.
    func suffix(from start: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count - start)
        for i in start..<count { out.append(self[i]) }
        return out
    }

    /// Newlines in the last `n` bytes (lines whose end they hold).
    func newlines(inLast n: Int) -> Int {
        var lines = 0
        for i in max(0, count - n)..<count where self[i] == 0x0A { lines += 1 }
        return lines
    }
}
