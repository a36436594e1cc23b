/// One measurement: a name, ordered tags, ordered fields (at least one) and an optional timestamp.
///
/// Tags and fields keep the order the input gave them; parsers that follow Telegraf sort tags by key.
/// A missing timestamp means "let the receiver decide" (a collector assigns its own time);
/// serializers whose format needs a timestamp use ``SerializerContext/now``.
/// The kind of values a metric holds, as Telegraf's `telegraf.ValueType` names them.
public enum MetricValueType: String, Sendable, Hashable {
    case untyped, counter, gauge, summary, histogram
}

public struct Metric: Sendable, Hashable {
    public var name: String
    public var tags: [Tag]
    public var fields: [Field]
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64?
    /// What the source said the values are (Telegraf's value type): a Prometheus `# TYPE` line
    /// gives it and the Prometheus output writes it back (StatsD's `metric_type` tag, when present,
    /// takes precedence there). Formats without types leave it `.untyped`.
    public var valueType: MetricValueType

    public init(name: String, tags: [Tag] = [], fields: [Field] = [], timestamp: Int64? = nil, valueType: MetricValueType = .untyped) {
        self.name = name
        self.tags = tags
        self.fields = fields
        self.timestamp = timestamp
        self.valueType = valueType
    }

    /// The value of tag `key`, if present.
    public func tag(_ key: String) -> String? {
        tags.first(where: { $0.key.hasSameBytes(as: key) })?.value
    }

    /// The value of field `key`, if present.
    public func field(_ key: String) -> FieldValue? {
        fields.first(where: { $0.key.hasSameBytes(as: key) })?.value
    }

    /// Sets tag `key`, replacing an existing one in place (last value wins, as Telegraf does).
    public mutating func setTag(_ key: String, _ value: String) {
        if let i = tags.firstIndex(where: { $0.key.hasSameBytes(as: key) }) {
            tags[i].value = value
        } else {
            tags.append(Tag(key, value))
        }
    }

    /// Removes tag `key`; returns its value.
    @discardableResult
    public mutating func removeTag(_ key: String) -> String? {
        guard let i = tags.firstIndex(where: { $0.key.hasSameBytes(as: key) }) else { return nil }
        return tags.remove(at: i).value
    }

    /// Sets field `key`, replacing an existing one in place (it keeps its first position).
    public mutating func setField(_ key: String, _ value: FieldValue) {
        if let i = fields.firstIndex(where: { $0.key.hasSameBytes(as: key) }) {
            fields[i].value = value
        } else {
            fields.append(Field(key, value))
        }
    }

    /// Sorts tags by key (byte order), keeping the last of repeated keys, as Telegraf stores them.
    public mutating func sortTags() {
        tags.sortByKeyKeepingLast()
    }
}

/// A tag: both key and value are strings.
public struct Tag: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A field: a key and a typed value.
public struct Field: Sendable, Hashable {
    public var key: String
    public var value: FieldValue
    public init(_ key: String, _ value: FieldValue) {
        self.key = key
        self.value = value
    }
}
