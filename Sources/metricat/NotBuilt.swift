import ArgumentParser

/// Commands whose implementation has not landed yet: they say so and exit 2.
protocol NotBuiltCommand: ParsableCommand {}

extension NotBuiltCommand {
    func run() throws {
        StandardStreamsBridge.error("metricat \(Self._commandName): not built yet in this version\n")
        throw ExitCode(2)
    }
}

struct TailLog: NotBuiltCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail-log",
        abstract: "Turn what a log gained since the last run into metrics, Logster-style (not built yet).")
}
