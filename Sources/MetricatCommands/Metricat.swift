import ArgumentParser

/// The root command: `metricat` and its subcommands.
public struct Metricat: ParsableCommand {
    public static let configuration = CommandConfiguration(
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

    public init() {}

    /// Runs the command; a usage error exits 2 (ArgumentParser's own default is 64).
    public static func main() {
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
            if let refusal = refusal(for: error) { text = text.replacing(Metricat.message(for: error), with: refusal, maxReplacements: 1) }
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

    /// Why a typed argument value refused its text, as `--flag: 'text' what is wrong (example: --flag
    /// ...)`; nil when `error` is no such refusal. The argument parser's own message names the value and
    /// the flag but not the reason, which ``CheckedArgument`` left on this thread.
    static func refusal(for error: any Error) -> String? {
        let message = Metricat.message(for: error)
        guard let (text, problem) = ArgumentProblem.takeRefusal() else { return nil }
        let start = "The value '\(text)' is invalid for '"
        guard message.hasPrefix(start) else { return nil }
        let flag = message.dropFirst(start.count).prefix { $0 != " " && $0 != "'" }
        return problem.message(flag: String(flag), text: text)
    }
}
