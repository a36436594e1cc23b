import ArgumentParser
import MetricLoad

/// `load --ramp FROM..TO`: two rates (`10k..2M`), FROM more than 0 and at most TO.
struct RampRange: CheckedArgument, Equatable, Sendable {
    var ramp: Ramp

    static func parse(_ text: String) -> Result<RampRange, ArgumentProblem> {
        guard let r = Ramp.parse(text) else {
            return .failure(ArgumentProblem(problem: "is not FROM..TO with FROM <= TO", examples: ["10k..2M"]))
        }
        return .success(RampRange(ramp: r))
    }
}

/// `load --step`: `xFACTOR` (more than 1) or `+RATE`.
struct RampStep: CheckedArgument, Equatable, Sendable {
    var step: Ramp.Step
    var text: String

    static func parse(_ text: String) -> Result<RampStep, ArgumentProblem> {
        guard let s = Ramp.parseStep(text) else {
            return .failure(ArgumentProblem(problem: "is not xFACTOR (> 1) or +RATE", examples: ["x2", "+50k"]))
        }
        return .success(RampStep(step: s, text: text))
    }

    var defaultValueDescription: String { text }
}
