/// A text made from a metric's name and tags (a line-protocol header, JSON's name-and-tags part) for
/// recently seen series, found by the bytes of the name and tags: a repeated series costs copying
/// those bytes, a hash and a comparison instead of escaping and sorting again, whether or not the
/// parser handed out the same Strings as last time.
///
/// A ``ByteCache`` in sets of four (a few hundred series that take turns stay in), growing from 64
/// to 4,096 slots as series are pushed out.
final class SeriesTextCache {
    /// Series whose name and tags take more bytes are not kept (their text is made every time).
    static let maxKeyBytes = 512

    private let cache = ByteCache<[UInt8]>(ways: 4, setBits: 10, initialSetBits: 4, maxKeyBytes: SeriesTextCache.maxKeyBytes, empty: [])
    private let key = StringSequenceKey(limit: SeriesTextCache.maxKeyBytes)
    /// The hash of the key of the last ``append(_:to:)`` that found nothing, for ``store(_:)``.
    private var hash: UInt64 = 0

    /// Appends the text kept for the metric's series to `out` and returns true; or returns false, and
    /// the caller makes the text and hands it to ``store(_:)``.
    @inline(__always)
    func append(_ metric: Metric, to out: InfluxLineBuffer) -> Bool {
        key.removeAll()
        key.append(metric.name)
        metric.tags.withUnsafeBufferPointer { tags in
            for k in tags.indices {
                key.append(tags[k].key)
                key.append(tags[k].value)
            }
        }
        guard key.fits else { return false }
        hash = ByteCache<[UInt8]>.hash(key.base, key.count)
        let slot = cache.find(key.base, key.count, hash: hash)
        if slot < 0 { return false }
        cache[slot].withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
        return true
    }

    /// Keeps `text` for the series of the last ``append(_:to:)`` that returned false.
    func store(_ text: UnsafeBufferPointer<UInt8>) {
        guard key.fits, text.count > 0 else { return }
        cache.insert(key.base, key.count, hash: hash, Array(text))
    }
}
