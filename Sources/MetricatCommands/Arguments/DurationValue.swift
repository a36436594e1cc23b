import ArgumentParser
import MetricatKit

/// A duration flag: `500ms`, `2s`, `1m`, `1h` (a bare number is seconds), more than zero and at most
/// 9000000000s, in nanoseconds.
struct DurationValue: CheckedArgument, Equatable, Sendable {
    var nanoseconds: Int64
    /// The text it was given, shown as the default in --help.
    var text: String

    static let examples = ["500ms", "2s", "1m"]

    static func parse(_ text: String) -> Result<DurationValue, ArgumentProblem> {
        if let ns = DurationText.parseNanoseconds(text) {
            guard ns > 0 else { return .failure(ArgumentProblem(problem: "is zero: a duration must be more than 0", examples: examples)) }
            return .success(DurationValue(nanoseconds: ns, text: text))
        }
        if text.hasPrefix("-") {
            return .failure(ArgumentProblem(problem: "is negative: a duration must be more than 0", examples: examples))
        }
        if let s = DurationText.parseSeconds(text), s >= 9e9 {
            return .failure(ArgumentProblem(problem: "is too long: at most 9000000000s (about 285 years)", examples: examples))
        }
        return .failure(ArgumentProblem(problem: "is not a duration: a number with a unit ns, us, ms, s, m or h", examples: examples))
    }

    var defaultValueDescription: String { text }
}
