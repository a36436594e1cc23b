import ArgumentParser
import MetricFormats
import MetricTransport
import MetricatKit

extension Listen {
    /// `listen --aggregate`: maps the flags to ``AggregateOptions`` and runs ``AggregateFrontend``.
    func runAggregate(endpoints: [Endpoint], command: [String]) throws {
        if !command.isEmpty { throw ValidationError("--aggregate does not run a command after --") }
        for (flag, given) in [
            ("--from", from != nil && from?.format != .statsd), ("--expect", expect != nil), ("--expect-metric", expectMetric != nil), ("--raw", raw), ("--record", record != nil),
            ("--sequence", sequence), ("--show-source", showSource),
        ] where given {
            throw ValidationError("\(flag) does not apply with --aggregate (it reads StatsD and writes aggregates)")
        }
        var options = try aggregation.options(endpoints: endpoints)
        options.formatOptions = try formats.options(common: common)
        options.to = to
        options.quiet = quiet
        options.count = count
        options.timeout = timeout?.nanoseconds
        options.json = json
        options.readyFile = readyFile
        options.listener.maxLineBytes = common.maxLine?.bytes ?? 64 * 1024
        options.listener.maxConnections = maxConnections
        options.listener.readTimeout = readTimeout?.nanoseconds
        options.listener.reusePort = reusePort
        options.listener.receiveBuffer = rcvbuf.map { Int32($0.bytes) }
        options.listener.unixSocketMode = socketMode.bits
        let diagnostics = Diagnostics(strict: false, verbose: common.verbose)
        let status = AggregateFrontend.run(options, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
