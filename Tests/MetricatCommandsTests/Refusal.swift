@testable import MetricatCommands

/// The message `metricat` prints for `args` (without "Error: " and the usage), or nil when they parse.
func refusal(_ args: [String]) -> String? {
    do {
        _ = try Metricat.parseAsRoot(args)
        return nil
    } catch {
        return Metricat.refusal(for: error) ?? Metricat.message(for: error)
    }
}
