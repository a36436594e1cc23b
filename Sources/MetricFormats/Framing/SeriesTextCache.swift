/// A text made from a metric's name and tags (a line-protocol header, JSON's name-and-tags part) for
/// recently seen series, found by a hash of the name's and tags' raw String bits: parsers hand out
/// one String per repeated token, so a repeated series costs a hash and a comparison.
///
/// 4096 slots in sets of four: a long String's raw bits are its address, so which series share a set
/// changes from run to run. With two ways, a few hundred series put three in one pair often enough
/// (each then evicting another on every metric) to move a whole run's time; five in one set of four
/// is about a thousand times less likely.
final class SeriesTextCache {
    static let setBits = 10
    static let ways = 4
    static let slotCount = ways << setBits
    /// Longer texts are made every time instead of kept.
    static let maxTextBytes = 1024

    /// Per slot, in flat storage (no object per series: a lookup costs no reference counting):
    /// the series' name and tags, and its text (nil: empty slot).
    private let names: UnsafeMutablePointer<String>
    private let tags: UnsafeMutablePointer<[Tag]>
    private let texts: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private let textCounts: UnsafeMutablePointer<Int>

    init() {
        let n = Self.slotCount
        names = .allocate(capacity: n)
        names.initialize(repeating: "", count: n)
        tags = .allocate(capacity: n)
        tags.initialize(repeating: [], count: n)
        texts = .allocate(capacity: n)
        texts.initialize(repeating: nil, count: n)
        textCounts = .allocate(capacity: n)
        textCounts.initialize(repeating: 0, count: n)
    }

    deinit {
        let n = Self.slotCount
        for k in 0..<n { texts[k]?.deallocate() }
        names.deinitialize(count: n)
        names.deallocate()
        tags.deinitialize(count: n)
        tags.deallocate()
        texts.deallocate()
        textCounts.deallocate()
    }

    /// The two words of a String: its bytes when small, its storage otherwise. Equal words mean equal
    /// Strings; different words may still be equal Strings (a cache miss, not a wrong answer).
    @inline(__always)
    static func rawBits(_ s: String) -> (UInt64, UInt64) {
        unsafeBitCast(s, to: (UInt64, UInt64).self)
    }

    @inline(__always)
    static func mix(_ h: UInt64, _ s: String) -> UInt64 {
        let (a, b) = rawBits(s)
        return mix(h, a, b)
    }

    @inline(__always)
    static func mix(_ h: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = (h ^ a) &* 0x9E37_79B9_7F4A_7C15
        return (x ^ (x >> 29) ^ b) &* 0xC2B2_AE3D_27D4_EB4F
    }

    /// The top bits of a mixed hash pick one of `1 << bits` slots (or sets).
    @inline(__always)
    static func slot(_ h: UInt64, bits: Int) -> Int {
        Int(truncatingIfNeeded: ((h ^ (h >> 32)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    /// The first slot of the metric's set.
    @inline(__always)
    static func slot(_ metric: Metric) -> Int {
        var h = mix(UInt64(truncatingIfNeeded: metric.tags.count), metric.name)
        for tag in metric.tags {
            h = mix(h, tag.key)
            h = mix(h, tag.value)
        }
        return slot(h, bits: setBits) &* ways
    }

    /// The text kept for the metric's series, if any, valid until the next ``store``: in one of the
    /// four slots of its set, starting at `slot`.
    @inline(__always)
    func lookup(_ slot: Int, _ metric: Metric) -> UnsafeBufferPointer<UInt8>? {
        for k in slot..<(slot &+ Self.ways) {
            guard let text = texts[k] else { return nil }  // the set fills from its first slot
            if names[k] == metric.name && tags[k] == metric.tags {
                return UnsafeBufferPointer(start: text, count: textCounts[k])
            }
        }
        return nil
    }

    /// Keeps the text in the first slot of the series' set; the others move down one, and the one in
    /// the last slot (the least recently stored) is dropped.
    func store(_ slot: Int, _ metric: Metric, _ text: UnsafeBufferPointer<UInt8>) {
        if text.count > Self.maxTextBytes { return }
        let last = slot + Self.ways - 1
        texts[last]?.deallocate()
        var k = last
        while k > slot {
            texts[k] = texts[k - 1]
            textCounts[k] = textCounts[k - 1]
            names[k] = names[k - 1]
            tags[k] = tags[k - 1]
            k -= 1
        }
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(text.count, 1))
        if let base = text.baseAddress { copy.initialize(from: base, count: text.count) }
        texts[slot] = copy
        textCounts[slot] = text.count
        names[slot] = metric.name
        tags[slot] = metric.tags
    }
}
