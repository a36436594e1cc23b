extension StatsDSample {
    /// The sample as a metric, by Telegraf's naming without aggregation: name = bucket, tag
    /// `metric_type` (counter, gauge, set, timing, histogram, distribution), field `value` (raw, not
    /// scaled by the rate; a counter is an integer when its text is one, a set member is a string),
    /// field `sample_rate` when given, field `delta=true` for a signed gauge.
    ///
    /// Tags are the sample's tags (bucket tags, then DogStatsD tags, which win on a repeated key),
    /// then `metric_type`, sorted by key as Telegraf stores them.
    /// - Parameter timestamp: nanoseconds since the epoch, or nil to let the receiver decide.
    public func metric(timestamp: Int64? = nil) -> Metric {
        var tags = self.tags
        tags.append(Tag("metric_type", kind.metricType))
        tags.sortByKeyKeepingLast()
        return metric(timestamp: timestamp, sortedTags: tags)
    }

    /// The sample as a metric with the tags given (the sample's, `metric_type` and any more, sorted).
    @inline(__always)
    func metric(timestamp: Int64?, sortedTags: [Tag]) -> Metric {
        let field: FieldValue
        switch value {
        case .integer(let v): field = .int(v)
        case .number(let v): field = .float(v)
        case .member(let m): field = .string(m)
        }
        // One allocation of the right size for the usual single field.
        var fields = [Field("value", field)]
        if let sampleRate { fields.append(Field("sample_rate", .float(sampleRate))) }
        if isDelta { fields.append(Field("delta", .bool(true))) }
        return Metric(name: bucket, tags: sortedTags, fields: fields, timestamp: timestamp)
    }
}
