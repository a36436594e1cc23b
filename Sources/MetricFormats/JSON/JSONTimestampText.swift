/// The `"timestamp"` number of Telegraf's JSON: nanoseconds divided by `units`. In the default unit
/// (seconds) the division is by a constant (a multiply instead of a slow divide), and metrics of one
/// second (a collection interval's batch) reuse the digits written last.
final class JSONTimestampText {
    let units: Int64
    private var lastSecond = Int64.min
    private let lastSecondText = InfluxLineBuffer(capacity: 24)

    init(units: Int64) { self.units = units }

    @inline(__always)
    func append(_ ns: Int64, to line: InfluxLineBuffer) {
        guard units == 1_000_000_000 else {
            line.append(ns / units)
            return
        }
        let second = ns / 1_000_000_000
        if second != lastSecond {
            lastSecondText.removeAll()
            lastSecondText.append(second)
            lastSecond = second
        }
        line.append(lastSecondText.base, lastSecondText.count)
    }
}
