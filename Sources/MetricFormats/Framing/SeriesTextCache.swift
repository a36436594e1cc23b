/// A text made from a metric's name and tags (a line-protocol header, JSON's name-and-tags part) for
/// recently seen series, direct-mapped by a hash of the name's and tags' raw String bits: parsers
/// hand out one String per repeated token, so a repeated series costs a hash and a comparison.
///
/// 4096 slots, two ways: a long String's raw bits are its address, so which series share a pair of
/// slots changes from run to run; with a few hundred series in 1024 slots, a pair holding three of
/// them (each evicting another on every metric) was likely enough to show in the benchmark.
final class SeriesTextCache {
    static let slotBits = 12
    static let slotCount = 1 << slotBits
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
        let x = (h ^ a) &* 0x9E37_79B9_7F4A_7C15
        return (x ^ (x >> 29) ^ b) &* 0xC2B2_AE3D_27D4_EB4F
    }

    /// The top bits of a mixed hash pick a slot among `1 << bits`.
    @inline(__always)
    static func slot(_ h: UInt64, bits: Int) -> Int {
        Int(truncatingIfNeeded: ((h ^ (h >> 32)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    @inline(__always)
    static func slot(_ metric: Metric) -> Int {
        var h = mix(UInt64(truncatingIfNeeded: metric.tags.count), metric.name)
        for tag in metric.tags {
            h = mix(h, tag.key)
            h = mix(h, tag.value)
        }
        return slot(h, bits: slotBits)
    }

    /// The text kept for the metric's series, if any, valid until the next ``store``. Two ways: in its
    /// slot or the partner (`slot ^ 1`).
    @inline(__always)
    func lookup(_ slot: Int, _ metric: Metric) -> UnsafeBufferPointer<UInt8>? {
        if let text = texts[slot], names[slot] == metric.name, tags[slot] == metric.tags {
            return UnsafeBufferPointer(start: text, count: textCounts[slot])
        }
        let other = slot ^ 1
        if let text = texts[other], names[other] == metric.name, tags[other] == metric.tags {
            return UnsafeBufferPointer(start: text, count: textCounts[other])
        }
        return nil
    }

    /// Keeps the text in the series' slot; what was there moves to the partner, replacing the older one.
    func store(_ slot: Int, _ metric: Metric, _ text: UnsafeBufferPointer<UInt8>) {
        if text.count > Self.maxTextBytes { return }
        let other = slot ^ 1
        if texts[slot] != nil {
            texts[other]?.deallocate()
            texts[other] = texts[slot]
            textCounts[other] = textCounts[slot]
            names[other] = names[slot]
            tags[other] = tags[slot]
        }
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(text.count, 1))
        if let base = text.baseAddress { copy.initialize(from: base, count: text.count) }
        texts[slot] = copy
        textCounts[slot] = text.count
        names[slot] = metric.name
        tags[slot] = metric.tags
    }
}
