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
        options.timeout = try timeout.map { try parseDuration($0, flag: "--timeout") }
        options.json = json
        options.readyFile = readyFile
        options.listener.maxLineBytes = common.maxLine == 1 << 20 ? 64 * 1024 : common.maxLine
        options.listener.maxConnections = maxConnections
        options.listener.readTimeout = try readTimeout.map { try parseDuration($0, flag: "--read-timeout") }
        options.listener.reusePort = reusePort
        options.listener.receiveBuffer = rcvbuf
        guard let mode = UInt32(socketMode, radix: 8), mode <= 0o777 else {
            throw ValidationError("--socket-mode: '\(socketMode)' is not an octal mode (example: --socket-mode 0660)")
        }
        options.listener.unixSocketMode = mode
        let diagnostics = Diagnostics(strict: false, verbose: common.verbose)
        let status = AggregateFrontend.run(options, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
