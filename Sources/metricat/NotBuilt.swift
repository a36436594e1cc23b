import ArgumentParser

/// Commands whose implementation has not landed yet: they say so and exit 2.
protocol NotBuiltCommand: ParsableCommand {}

extension NotBuiltCommand {
    func run() throws {
        StandardStreamsBridge.error("metricat \(Self._commandName): not built yet in this version\n")
        throw ExitCode(2)
    }
}

struct Load: NotBuiltCommand {
    static let configuration = CommandConfiguration(
        abstract: "Flood a socket at a controlled rate and measure what gets dropped (not built yet).")
}
