/// A growable byte buffer for assembling output lines with plain stores, copied to the caller's
/// `[UInt8]` once per metric: many small `Array.append` calls cost more than the bytes they write.
final class InfluxLineBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always) func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    @inline(__always) func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always) func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + count).update(from: p, count: n)
        count += n
    }

    func append(_ other: InfluxLineBuffer) {
        append(other.base, other.count)
    }

    func append(ascii s: StaticString) {
        append(s.utf8Start, s.utf8CodeUnitCount)
    }

    /// Decimal digits of `v`, written back to front two at a time into a scratch area, then copied.
    func append(_ v: UInt64) {
        reserve(20)
        if v < 10 {
            base[count] = ASCII.zero &+ UInt8(v)
            count += 1
            return
        }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let pairs = InfluxLineBuffer.digitPairs
            var i = raw.count
            var n = v
            while n >= 100 {
                let r = Int(n % 100)
                n /= 100
                i -= 2
                raw[i] = pairs[2 * r]
                raw[i + 1] = pairs[2 * r + 1]
            }
            if n >= 10 {
                i -= 2
                raw[i] = pairs[2 * Int(n)]
                raw[i + 1] = pairs[2 * Int(n) + 1]
            } else {
                i -= 1
                raw[i] = ASCII.zero &+ UInt8(n)
            }
            let digits = raw.count - i
            (base + count).update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, count: digits)
            count += digits
        }
    }

    /// "00" "01" ... "99".
    /// Written once at first use and only read after that.
    nonisolated(unsafe) static let digitPairs: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 200)
        for k in 0..<100 {
            t[2 * k] = ASCII.zero &+ UInt8(k / 10)
            t[2 * k + 1] = ASCII.zero &+ UInt8(k % 10)
        }
        return UnsafePointer(t)
    }()

    func append(_ v: Int64) {
        if v < 0 {
            append(ASCII.minus)
            append(UInt64(bitPattern: 0 &- v))
        } else {
            append(UInt64(v))
        }
    }

    func removeAll() { count = 0 }

    func removeLast(_ n: Int = 1) { count -= n }

    var last: UInt8? { count > 0 ? base[count - 1] : nil }
}
