import ArgumentParser
import LogCulling
import MetricTransport

/// `tail-log --output`: Logster's output names (`stdout`, `graphite`, `statsd`) or an address to
/// send to, checked while the command line is parsed; Logster's ganglia, nsca and cloudwatch
/// outputs are refused with what to use instead.
struct TailLogTarget: CheckedArgument, Equatable, Sendable {
    /// The text as given, which the tail-log setup maps to an output.
    var text: String
    /// The address, when the text is one (not one of Logster's names).
    var endpoint: Endpoint?

    static func parse(_ text: String) -> Result<TailLogTarget, ArgumentProblem> {
        if TailLogSetup.outputNames.contains(text) { return .success(TailLogTarget(text: text, endpoint: nil)) }
        if TailLogSetup.unsupportedOutputs.contains(text) {
            return .failure(
                ArgumentProblem(
                    problem: "is Logster's \(text) output, which is not supported: use graphite, statsd, stdout or an address", examples: ["graphite", "udp://127.0.0.1:8125"]))
        }
        do {
            return .success(TailLogTarget(text: text, endpoint: try Endpoint(parsing: text, role: .send)))
        } catch {
            return .failure(ArgumentProblem(endpointError: error, what: "an output (stdout, graphite, statsd or an address to send to)"))
        }
    }

    var defaultValueDescription: String { text }
}

/// The examples of a ``HostPort`` flag.
protocol HostPortExamples: Sendable {
    static var examples: [String] { get }
}

/// Logster's `HOST:PORT` (`--graphite-host`, `--statsd-host`): a host or `[v6]` address and a port
/// 1-65535, without a scheme (the flag decides the protocol).
struct HostPort<Examples: HostPortExamples>: CheckedArgument, Equatable, Sendable {
    var text: String

    static func parse(_ text: String) -> Result<HostPort, ArgumentProblem> {
        if text.contains("://") {
            return .failure(ArgumentProblem(problem: "is not HOST:PORT: it takes no scheme", examples: Examples.examples))
        }
        do {
            _ = try Endpoint(parsing: "udp://" + text, role: .send)
            return .success(HostPort(text: text))
        } catch {
            return .failure(ArgumentProblem(endpointError: error, what: "HOST:PORT", examples: Examples.examples))
        }
    }

    var defaultValueDescription: String { text }
}

/// Carbon's plaintext port.
enum GraphiteHostExamples: HostPortExamples {
    static let examples = ["127.0.0.1:2003"]
}

/// StatsD's port.
enum StatsDHostExamples: HostPortExamples {
    static let examples = ["127.0.0.1:8125"]
}
