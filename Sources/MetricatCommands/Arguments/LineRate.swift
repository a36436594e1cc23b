import ArgumentParser
import MetricLoad

/// A rate in lines per second: `5000`, `10k`, `2.5M`, `1G`; more than 0 and at most 1G.
struct LineRate: CheckedArgument, Equatable, Sendable {
    var perSecond: Double
    var text: String

    static func parse(_ text: String) -> Result<LineRate, ArgumentProblem> {
        parse(text, examples: ["5000", "10k", "2M"])
    }

    /// The rate of `text`, with `examples` in a refusal.
    static func parse(_ text: String, examples: [String]) -> Result<LineRate, ArgumentProblem> {
        guard let r = RateText.parse(text) else {
            let what = text.hasPrefix("-") ? "is negative: a rate must be more than 0" : "is not a rate: lines per second, with k, M or G"
            return .failure(ArgumentProblem(problem: what + (examples.contains("max") ? ", or max" : ""), examples: examples))
        }
        guard r > 0 else { return .failure(ArgumentProblem(problem: "is zero: a rate must be more than 0 lines per second", examples: examples)) }
        guard r <= 1e9 else { return .failure(ArgumentProblem(problem: "is too high: at most 1G lines per second", examples: examples)) }
        return .success(LineRate(perSecond: r, text: text))
    }

    var defaultValueDescription: String { text }
}

/// `load --rate`: a ``LineRate`` or `max` (as fast as the kernel takes it).
enum LoadPace: CheckedArgument, Equatable, Sendable {
    case max
    case rate(LineRate)

    static func parse(_ text: String) -> Result<LoadPace, ArgumentProblem> {
        if text == "max" { return .success(.max) }
        return LineRate.parse(text, examples: ["5000", "10k", "2M", "max"]).map(LoadPace.rate)
    }

    /// Lines per second; nil for `max`.
    var perSecond: Double? {
        if case .rate(let r) = self { return r.perSecond }
        return nil
    }

    var defaultValueDescription: String {
        if case .rate(let r) = self { return r.text }
        return "max"
    }
}

/// A number of lines: `100000`, `10k`, `1M`; a whole number from 1 to below 1e15.
struct LineCount: CheckedArgument, Equatable, Sendable {
    var lines: UInt64

    static func parse(_ text: String) -> Result<LineCount, ArgumentProblem> {
        guard let c = RateText.parse(text), c >= 1, c < 1e15, c == c.rounded() else {
            return .failure(ArgumentProblem(problem: "is not a count of lines: a whole number from 1, with k, M or G", examples: ["100000", "1M"]))
        }
        return .success(LineCount(lines: UInt64(c)))
    }
}

/// `load --batch`: lines per datagram (1 to 65507), or `max` to pack up to --max-datagram.
enum BatchSize: CheckedArgument, Equatable, Sendable {
    case max
    case lines(Int)

    static func parse(_ text: String) -> Result<BatchSize, ArgumentProblem> {
        if text == "max" { return .success(.max) }
        guard let b = Int(text), b >= 1, b <= 65507 else {
            return .failure(ArgumentProblem(problem: "is not a line count: 1 to 65507, or max", examples: ["20", "max"]))
        }
        return .success(.lines(b))
    }

    var defaultValueDescription: String {
        if case .lines(let n) = self { return String(n) }
        return "max"
    }
}
