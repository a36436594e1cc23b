/// A text made from a metric's name and tags (a line-protocol header, JSON's name-and-tags part) for
/// recently seen series, found by the bytes of the name and tags: a repeated series costs copying
/// those bytes, a hash and a comparison instead of escaping and sorting again, whether or not the
/// parser handed out the same Strings as last time.
///
/// In front of it, the texts of recently seen series by the identity of their Strings
/// (``StringIdentityKey``): a parser that hands out the same Strings for a repeated series (line
/// protocol's does) finds its text with two words a String instead of copying the bytes. Each entry
/// there keeps the Strings its key was made of.
///
/// Both are ``ByteCache``s in sets of four (a few hundred series that take turns stay in), growing
/// from 64 to 4,096 slots as series are pushed out.
final class SeriesTextCache {
    /// Series whose name and tags take more bytes are not kept (their text is made every time).
    static let maxKeyBytes = 512
    /// Series with more tags are found by their bytes alone.
    static let maxIdentityTags = 8

    /// A series' text with the Strings of its identity key.
    struct Kept {
        var name: String
        var tags: [Tag]
        var text: [UInt8]
    }

    private let cache = ByteCache<[UInt8]>(ways: 4, setBits: 10, initialSetBits: 4, maxKeyBytes: SeriesTextCache.maxKeyBytes, empty: [])
    private let key = StringSequenceKey(limit: SeriesTextCache.maxKeyBytes)
    /// The hash of the key of the last ``append(_:to:)`` that found nothing, for ``store(_:for:)``.
    private var hash: UInt64 = 0
    private let identities = ByteCache<Kept>(
        ways: 4, setBits: 10, initialSetBits: 4, maxKeyBytes: 16 * (1 + 2 * SeriesTextCache.maxIdentityTags),
        empty: Kept(name: "", tags: [], text: []))
    private let identity = StringIdentityKey(strings: 1 + 2 * SeriesTextCache.maxIdentityTags)

    /// Appends the text kept for the metric's series to `out` and returns true; or returns false, and
    /// the caller makes the text and hands it to ``store(_:for:)``.
    @inline(__always)
    func append(_ metric: Metric, to out: InfluxLineBuffer) -> Bool {
        if identity.isInUse, metric.tags.withUnsafeBufferPointer({ identity.make(metric.name, $0) }) {
            let slot = identities.find(identity.base, identity.count, hash: identity.hash)
            if slot >= 0 {
                identity.counted(found: true)
                identities[slot].text.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
                return true
            }
        }
        return appendByBytes(metric, to: out)
    }

    /// ``append(_:to:)`` for a series not found by its Strings: by its bytes, and when found, kept by
    /// its Strings too.
    @inline(__always)
    private func appendByBytes(_ metric: Metric, to out: InfluxLineBuffer) -> Bool {
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
        if identity.fits {
            identity.counted(found: false)
            keepIdentity(metric, cache[slot])
        }
        cache[slot].withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
        return true
    }

    /// Keeps `text` for the series of the last ``append(_:to:)`` that returned false, `metric`.
    func store(_ text: UnsafeBufferPointer<UInt8>, for metric: Metric) {
        guard key.fits, text.count > 0 else { return }
        let kept = Array(text)
        cache.insert(key.base, key.count, hash: hash, kept)
        keepIdentity(metric, kept)
    }

    /// Keeps `text` by the identity key of the last ``append(_:to:)``, when it made one (it missed).
    @inline(never)
    private func keepIdentity(_ metric: Metric, _ text: [UInt8]) {
        guard identity.fits else { return }
        identities.insert(identity.base, identity.count, hash: identity.hash, Kept(name: metric.name, tags: metric.tags, text: text))
    }
}
