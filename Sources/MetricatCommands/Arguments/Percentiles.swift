import ArgumentParser

/// Percentiles, comma-separated: `50,90,99.9`; each more than 0 and at most 100.
struct Percentiles: CheckedArgument, Equatable, Sendable {
    var values: [Double]

    static func parse(_ text: String) -> Result<Percentiles, ArgumentProblem> {
        var values: [Double] = []
        let items = text.split(separator: ",")
        for item in items {
            let trimmed = item.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
            guard let p = Double(String(trimmed)), p > 0, p <= 100 else {
                let what = items.count == 1 ? "is not" : "holds '\(item)', which is not"
                return .failure(ArgumentProblem(problem: "\(what) a percentile between 0 and 100", examples: ["50,90,99.9"]))
            }
            values.append(p)
        }
        return .success(Percentiles(values: values))
    }
}
