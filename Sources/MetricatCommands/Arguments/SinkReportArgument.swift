import ArgumentParser
import MetricLoad
import MetricTransport

/// `load --sink-report`: a file name, or a value with a scheme, which must then be an http:// URL,
/// checked while the command line is parsed.
struct SinkReportArgument: CheckedArgument, Equatable, Sendable {
    var source: SinkReportSource

    static func parse(_ text: String) -> Result<SinkReportArgument, ArgumentProblem> {
        do {
            return .success(SinkReportArgument(source: try SinkReportSource(parsing: text)))
        } catch {
            return .failure(ArgumentProblem(endpointError: error, what: "a file or an http:// URL"))
        }
    }

    var defaultValueDescription: String { source.description }
}
