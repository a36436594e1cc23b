extension Metric {
    /// ``setField(_:_:)`` in linear time for a metric built key by key: `positions` remembers where
    /// the keys are (one ``KeyPositions`` per metric being built).
    mutating func setField(_ key: String, _ value: FieldValue, positions: inout KeyPositions) {
        if let i = positions.find(key, count: fields.count, keyAt: { fields[$0].key }) {
            fields[i].value = value
        } else {
            fields.append(Field(key, value))
        }
    }

    /// ``setTag(_:_:)`` in linear time for a metric built key by key, as ``setField(_:_:positions:)``.
    mutating func setTag(_ key: String, _ value: String, positions: inout KeyPositions) {
        if let i = positions.find(key, count: tags.count, keyAt: { tags[$0].key }) {
            tags[i].value = value
        } else {
            tags.append(Tag(key, value))
        }
    }
}
