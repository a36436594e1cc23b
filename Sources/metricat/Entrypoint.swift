import MetricatCommands

/// The `metricat` binary: every command lives in the MetricatCommands library, so tests can parse and
/// check arguments in-process.
@main
struct Entrypoint {
    static func main() {
        Metricat.main()
    }
}
