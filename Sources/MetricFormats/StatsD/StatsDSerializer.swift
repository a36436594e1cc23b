/// StatsD serializer (not written yet).
public struct StatsDSerializer: MetricSerializer {
    public init(options: FormatOptions) throws(FormatError) {}
    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        context.report(.error("StatsD output is not supported yet"))
    }
}
