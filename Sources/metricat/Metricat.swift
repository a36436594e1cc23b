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
        version: BuildInfo.versionLine,
        subcommands: [Send.self, Listen.self, Convert.self, Load.self, TailLog.self]
    )

    /// Runs the command; a usage error exits 2 (ArgumentParser's own default is 64).
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            fail(error, usage: Metricat.self)
        }
        do {
            try command.run()
        } catch {
            // A value refused while running still shows the subcommand's own usage line.
            fail(error, usage: type(of: command))
        }
    }

    /// Prints the error with `usage`'s usage line and exits: 2 for a refused value, else the error's code.
    static func fail(_ error: any Error, usage: any ParsableCommand.Type) -> Never {
        if exitCode(for: error) == .validationFailure {
            var text = usage.fullMessage(for: error)
            // Outside of parsing, the parser names a subcommand without its parent: put "metricat" back.
            if usage != Metricat.self {
                let name = usage._commandName
                text = text.replacing("Usage: \(name) ", with: "Usage: metricat \(name) ")
                text = text.replacing("See '\(name) --help'", with: "See 'metricat \(name) --help'")
            }
            StandardStreamsBridge.error(text + "\n")
            exit(withError: ExitCode(2))
        }
        exit(withError: error)
    }
}
