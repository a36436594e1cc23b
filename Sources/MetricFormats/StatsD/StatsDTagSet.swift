#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// The tags one StatsD tag section gives (the bucket's `,k=v` tags and the DogStatsD `|#` and kept
/// `|c:` segments of a line), kept by ``StatsDLineParser`` for sections seen before.
struct StatsDTagSet {
    /// The sample's tags: bucket tags, then DogStatsD tags, in line order.
    var sample: [Tag]
    /// Per kind (``StatsDSample/Kind/index``), the metric's tags; empty until first asked for (a
    /// metric's tags always hold `metric_type`).
    var metric: [[Tag]]

    /// A DogStatsD tag segment (after its `#`) or a kept container id (after its `c:`) of a line.
    struct Segment {
        var start: Int
        var end: Int
        var isContainer: Bool
    }

    /// The cache of a parser: up to 2,048 sections of up to 256 bytes of key; it starts with 32
    /// slots and grows when sections push each other out.
    static func cache() -> ByteCache<StatsDTagSet> {
        ByteCache(ways: 2, setBits: 10, initialSetBits: 4, maxKeyBytes: 256, empty: StatsDTagSet(sample: [], metric: []))
    }
}

extension StatsDSample.Kind {
    /// 0 ..< 6, in the order of the cases.
    @inline(__always) var index: Int {
        switch self {
        case .counter: return 0
        case .gauge: return 1
        case .set: return 2
        case .timing: return 3
        case .histogram: return 4
        case .distribution: return 5
        }
    }
}
