import ArgumentParser

/// A fraction from 0 to 1: `0.001`, or a percentage from 0% to 100%: `0.1%`.
struct Fraction: CheckedArgument, Equatable, Sendable {
    var value: Double

    static func parse(_ text: String) -> Result<Fraction, ArgumentProblem> {
        let percent = text.hasSuffix("%")
        let digits = percent ? String(text.dropLast()) : text
        guard let v = Double(digits), v >= 0, v.isFinite, v <= (percent ? 100 : 1) else {
            return .failure(ArgumentProblem(problem: "is not a fraction: 0 to 1, or 0% to 100%", examples: ["0.1%", "0.001"]))
        }
        return .success(Fraction(value: percent ? v / 100 : v))
    }
}
