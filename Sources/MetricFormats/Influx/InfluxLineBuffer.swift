/// A growable byte buffer for assembling output lines with plain stores, copied to the caller's
/// `[UInt8]` once per metric: many small `Array.append` calls cost more than the bytes they write.
final class InfluxLineBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0
    /// The shared tables, read once here: a static `let` costs a once-check call on every use.
    let pairs: UnsafePointer<UInt8> = InfluxLineBuffer.digitPairs
    let tens: UnsafePointer<UInt64> = InfluxLineBuffer.powersOfTen

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
        let w = UnsafeMutableRawPointer(base + count)
        let r = UnsafeRawPointer(p)
        if n >= 8 && n <= 16 {
            // Keys and short values: two overlapping eight-byte moves instead of a call to memcpy.
            w.storeBytes(of: r.loadUnaligned(as: UInt64.self), as: UInt64.self)
            w.storeBytes(of: r.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), toByteOffset: n &- 8, as: UInt64.self)
        } else if n > 16 && n <= 32 {
            // Up to 32: two overlapping sixteen-byte moves.
            let a0 = r.loadUnaligned(as: UInt64.self)
            let a1 = r.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let b0 = r.loadUnaligned(fromByteOffset: n &- 16, as: UInt64.self)
            let b1 = r.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            w.storeBytes(of: a0, as: UInt64.self)
            w.storeBytes(of: a1, toByteOffset: 8, as: UInt64.self)
            w.storeBytes(of: b0, toByteOffset: n &- 16, as: UInt64.self)
            w.storeBytes(of: b1, toByteOffset: n &- 8, as: UInt64.self)
        } else {
            (base + count).update(from: p, count: n)
        }
        count += n
    }

    /// Stores the sixteen bytes of two words, keeps the first `n` (at most 15) of them and appends `last`.
    @inline(__always) func append(words a: UInt64, _ b: UInt64, _ last: UInt8, keeping n: Int) {
        reserve(17)
        let w = UnsafeMutableRawPointer(base + count)
        w.storeBytes(of: a, as: UInt64.self)
        w.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
        w.storeBytes(of: last, toByteOffset: n, as: UInt8.self)
        count += n &+ 1
    }

    func append(_ other: InfluxLineBuffer) {
        append(other.base, other.count)
    }

    func append(ascii s: StaticString) {
        append(s.utf8Start, s.utf8CodeUnitCount)
    }

    /// Decimal digits of `v`, written back to front two at a time straight into the buffer.
    func append(_ v: UInt64) {
        reserve(20)
        if v < 10 {
            base[count] = ASCII.zero &+ UInt8(v)
            count += 1
            return
        }
        let digits = digitCount(v)
        let pairs = self.pairs
        var w = base + count + digits
        var n = v
        while n >= 100 {
            let r = Int(truncatingIfNeeded: n % 100)
            n /= 100
            w -= 2
            w[0] = pairs[2 &* r]
            w[1] = pairs[2 &* r &+ 1]
        }
        if n >= 10 {
            let r = Int(truncatingIfNeeded: n)
            w[-2] = pairs[2 &* r]
            w[-1] = pairs[2 &* r &+ 1]
        } else {
            w[-1] = ASCII.zero &+ UInt8(truncatingIfNeeded: n)
        }
        count += digits
    }

    /// The number of decimal digits of `v` (at least 1): from its bit length, corrected by one compare
    /// against this buffer's copy of the powers of ten.
    @inline(__always)
    func digitCount(_ v: UInt64) -> Int {
        let bits = 64 - (v | 1).leadingZeroBitCount
        let guess = (bits &* 1233) >> 12  // floor(bits * log10(2)), one below or equal to the answer
        return guess + (v >= tens[guess] ? 1 : 0)
    }

    /// 10^0 ... 10^19. Written once at first use and only read after that.
    nonisolated(unsafe) static let powersOfTen: UnsafePointer<UInt64> = {
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 20)
        var p: UInt64 = 1
        for k in 0..<20 {
            t[k] = p
            if k < 19 { p &*= 10 }
        }
        return UnsafePointer(t)
    }()

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
