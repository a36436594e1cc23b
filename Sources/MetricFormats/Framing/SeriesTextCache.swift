/// A text made from a metric's name and tags (a line-protocol header, JSON's name-and-tags part) for
/// recently seen series, direct-mapped by a hash of the name's and tags' raw String bits: parsers
/// hand out one String per repeated token, so a repeated series costs a hash and a comparison.
final class SeriesTextCache {
    static let slotBits = 10
    static let slotCount = 1 << slotBits
    /// Longer texts are made every time instead of kept.
    static let maxTextBytes = 1024

    final class Entry {
        let name: String
        let tags: [Tag]
        let text: [UInt8]
        init(name: String, tags: [Tag], text: [UInt8]) {
            self.name = name
            self.tags = tags
            self.text = text
        }
    }

    private var slots: [Entry?] = Array(repeating: nil, count: slotCount)

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

    /// The text kept for the metric's series, if any. Two ways: in its slot or the partner (`slot ^ 1`).
    @inline(__always)
    func lookup(_ slot: Int, _ metric: Metric) -> Entry? {
        if let entry = slots[slot], entry.name == metric.name, entry.tags == metric.tags { return entry }
        if let entry = slots[slot ^ 1], entry.name == metric.name, entry.tags == metric.tags { return entry }
        return nil
    }

    /// Keeps the text in the series' slot; what was there moves to the partner, replacing the older one.
    func store(_ slot: Int, _ metric: Metric, _ text: UnsafeBufferPointer<UInt8>) {
        if text.count > Self.maxTextBytes { return }
        if let previous = slots[slot] { slots[slot ^ 1] = previous }
        slots[slot] = Entry(name: metric.name, tags: metric.tags, text: Array(text))
    }
}
