#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// The tag section cache of ``StatsDLineParser``: the tags of a line are decided by its bucket tags
/// (`name,k=v:...`) and its DogStatsD tag and container segments alone, so those bytes are the key;
/// a repeated section gives its tags without parsing, sorting or making Strings, and gives the same
/// arrays, which the serializers' series caches then find by their bits.
extension StatsDLineParser {
    /// The cache slot of the line's tag section, or -1 when its key is too long to keep. The key is
    /// nothing for a line without tags; the `#...` segment itself for a line whose only tags are one
    /// DogStatsD segment (the usual shape); else a 0 byte, then each part as a letter (`b`: bucket
    /// tags from the `,`, `#`: a tag segment, `c`: a container id), two length bytes and its bytes.
    @inline(__always)
    mutating func tagSetSlot(_ b: UnsafeBufferPointer<UInt8>, _ nameEnd: Int, _ colon: Int, _ line: UnsafeBufferPointer<UInt8>) -> Int {
        let cache = tagSets
        if nameEnd == colon && segmentCount <= 1 {
            var p = line.baseAddress!
            var n = 0
            if segmentCount == 1 {
                let segment = segmentStore[0]
                if segment.isContainer { return generalTagSetSlot(b, nameEnd, colon, line) }
                p += segment.start - 1  // from the `#`
                n = segment.end - segment.start + 1
            }
            if n > cache.maxKeyBytes { return -1 }
            let h = ByteCache<StatsDTagSet>.hash(p, n)
            let found = cache.find(p, n, hash: h)
            if found >= 0 { return found }
            let set = StatsDTagSet(sample: Self.parseTags(b, nameEnd, colon, line, tagSegments), metric: Array(repeating: [], count: 6))
            return cache.insert(p, n, hash: h, set)
        }
        return generalTagSetSlot(b, nameEnd, colon, line)
    }

    /// ``tagSetSlot(_:_:_:_:)`` for a key of several parts.
    mutating func generalTagSetSlot(_ b: UnsafeBufferPointer<UInt8>, _ nameEnd: Int, _ colon: Int, _ line: UnsafeBufferPointer<UInt8>) -> Int {
        let cache = tagSets
        tagKey.removeAll(keepingCapacity: true)
        tagKey.append(0)
        func part(_ letter: UInt8, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
            guard range.count <= cache.maxKeyBytes else { return false }
            tagKey.append(letter)
            tagKey.append(UInt8(truncatingIfNeeded: range.count >> 8))
            tagKey.append(UInt8(truncatingIfNeeded: range.count))
            tagKey.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
            return tagKey.count <= cache.maxKeyBytes
        }
        if nameEnd < colon && !part(UInt8(ascii: "b"), b, nameEnd..<colon) { return -1 }
        for segment in tagSegments where !part(segment.isContainer ? UInt8(ascii: "c") : ASCII.hash, line, segment.start..<segment.end) {
            return -1
        }
        let (h, found) = tagKey.withUnsafeBufferPointer { k in
            let h = ByteCache<StatsDTagSet>.hash(k.baseAddress!, k.count)
            return (h, cache.find(k.baseAddress!, k.count, hash: h))
        }
        if found >= 0 { return found }
        let set = StatsDTagSet(sample: Self.parseTags(b, nameEnd, colon, line, tagSegments), metric: Array(repeating: [], count: 6))
        return tagKey.withUnsafeBufferPointer { k in cache.insert(k.baseAddress!, k.count, hash: h, set) }
    }

    /// The sample's tags: the bucket tags of `b[nameEnd..<colon]`, then the tag segments of `line`.
    static func parseTags(
        _ b: UnsafeBufferPointer<UInt8>, _ nameEnd: Int, _ colon: Int, _ line: UnsafeBufferPointer<UInt8>, _ segments: ArraySlice<StatsDTagSet.Segment>
    ) -> [Tag] {
        var tags: [Tag] = []
        if nameEnd == colon && segments.isEmpty { return tags }
        tags.reserveCapacity(segments.count + 2)
        var i = nameEnd + 1
        while i < colon {
            var j = i
            var eq = -1
            while j < colon, b[j] != ASCII.comma {
                if eq < 0, b[j] == ASCII.equals { eq = j }
                j += 1
            }
            // Parts without `=`, an empty key or an empty value are dropped, as in Telegraf.
            if eq > i, eq + 1 < j {
                tags.append(Tag(String(bytes: b, i..<eq), String(bytes: b, (eq + 1)..<j)))
            }
            i = j + 1
        }
        for segment in segments {
            if segment.isContainer {
                tags.append(Tag("container", String(bytes: line, segment.start..<segment.end)))
            } else {
                parseDogStatsDTags(line, segment.start, segment.end, into: &tags)
            }
        }
        return tags
    }

    /// The metric tags of a sample of `kind` with the line's `tags` (held in `slot` when >= 0).
    @inline(__always)
    mutating func metricTags(_ slot: Int, _ tags: [Tag], _ kind: StatsDSample.Kind) -> [Tag] {
        guard slot >= 0 else { return Self.metricTags(tags, kind, metricDefaultTags) }
        let k = kind.index
        if tagSets[slot].metric[k].isEmpty {
            tagSets[slot].metric[k] = Self.metricTags(tags, kind, metricDefaultTags)
        }
        return tagSets[slot].metric[k]
    }

    /// The sample's tags and `metric_type`, sorted by key keeping the last of a repeated key, then
    /// the default tags whose key (its bytes) is not there, sorted again.
    static func metricTags(_ sample: [Tag], _ kind: StatsDSample.Kind, _ defaultTags: [Tag]) -> [Tag] {
        var tags = sample
        tags.append(Tag("metric_type", kind.metricType))
        tags.sortByKeyKeepingLast()
        if !defaultTags.isEmpty {
            var added = false
            for t in defaultTags where !tags.contains(where: { $0.key.hasSameBytes(as: t.key) }) {
                tags.append(t)
                added = true
            }
            if added { tags.sortByKeyKeepingLast() }
        }
        return tags
    }
}
