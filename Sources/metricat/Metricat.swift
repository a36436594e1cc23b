import ArgumentParser

@main
struct Metricat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metricat",
        abstract: "Send, receive, convert, load-test and cull metrics: StatsD, Influx line protocol, Graphite, Wavefront, JSON.",
        discussion: """
            Formats: influx, json, wavefront, statsd, graphite, prometheus, csv (and auto for input). \
            Addresses use Telegraf's service_address syntax: udp://127.0.0.1:8094, tcp://host:port, \
            unix:///path, unixgram:///path.

            Exit status: 0 ok, 1 expectation not met or timeout, 2 usage, 65 some input was rejected, \
            69 target unavailable, 74 I/O error.
            """,
        version: "0.1.0",
        subcommands: [Send.self, Listen.self, Convert.self, Load.self, TailLog.self]
    )

    /// Runs the command; a usage error exits 2 (ArgumentParser's own default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                StandardStreamsBridge.error(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
