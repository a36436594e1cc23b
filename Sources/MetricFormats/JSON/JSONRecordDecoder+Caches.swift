#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

extension JSONRecordDecoder {
    /// What the direct reading of the serializer shape keeps from record to record, keyed by input
    /// bytes: a repeated `"tags"` object gives the same tag array (same Strings) each time, which
    /// saves decoding it and lets the serializer's series cache find the series by the Strings' bits.
    final class Caches {
        /// One `"tags"` object read before.
        struct TagObject {
            /// The tags as ``JSONRecordDecoder/finish(_:)`` leaves them when this object is the
            /// metric's only source of tags: repeated keys merged, default tags added, sorted.
            var finished: [Tag] = []
            /// Each non-null member's subject and the offset of its key's quote from the object's
            /// `{`, in input order: the places of the tags.
            var places: [(subject: Diagnostic.Subject, offset: Int)] = []
        }

        /// `"tags"` objects of up to 256 bytes: 64 slots at first, up to 1,024 when a stream has more
        /// series than that.
        let tagObjects = ByteCache<TagObject>(ways: 4, setBits: 8, initialSetBits: 4, maxKeyBytes: 256, empty: TagObject())
        /// Long names and field keys (a String of more than 15 bytes is allocated; a cached one is not).
        let tokens = ByteCache<String>.tokens()
    }
}
