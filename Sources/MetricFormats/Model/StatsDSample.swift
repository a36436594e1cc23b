/// One StatsD sample, `bucket:value|type[|@rate][|#tags]`, before any aggregation.
public struct StatsDSample: Sendable, Hashable {
    /// The StatsD metric types: counter, gauge, set, timing, histogram, distribution.
    public enum Kind: String, Sendable, CaseIterable {
        case counter = "c"
        case gauge = "g"
        case set = "s"
        case timing = "ms"
        case histogram = "h"
        case distribution = "d"

        /// The `metric_type` tag value Telegraf uses.
        public var metricType: String {
            switch self {
            case .counter: return "counter"
            case .gauge: return "gauge"
            case .set: return "set"
            case .timing: return "timing"
            case .histogram: return "histogram"
            case .distribution: return "distribution"
            }
        }

        /// The kind for a `metric_type` tag value (`counter`, ...), or for the wire letter (`c`, ...).
        public init?(metricType: String) {
            if let k = Kind.allCases.first(where: { $0.metricType == metricType || $0.rawValue == metricType }) {
                self = k
            } else {
                return nil
            }
        }
    }

    /// A sample's value: numeric for every kind but sets, whose members are strings.
    public enum Value: Sendable, Hashable {
        case number(Double)
        case integer(Int64)
        case member(String)
    }

    public var bucket: String
    public var value: Value
    public var kind: Kind
    public var sampleRate: Double?
    /// A gauge written with a leading `+` or `-` is a delta, not a new value.
    public var isDelta: Bool
    /// Influx-style bucket tags and DogStatsD `|#k:v` tags, in input order.
    public var tags: [Tag]

    public init(bucket: String, value: Value, kind: Kind, sampleRate: Double? = nil, isDelta: Bool = false, tags: [Tag] = []) {
        self.bucket = bucket
        self.value = value
        self.kind = kind
        self.sampleRate = sampleRate
        self.isDelta = isDelta
        self.tags = tags
    }
}
