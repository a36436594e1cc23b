import ArgumentParser

/// File permissions in octal: `0660`, `600`; at most 0777.
struct FileMode: CheckedArgument, Equatable, Sendable {
    var bits: UInt32
    var text: String

    static func parse(_ text: String) -> Result<FileMode, ArgumentProblem> {
        guard !text.hasPrefix("+"), !text.hasPrefix("-"), let bits = UInt32(text, radix: 8), bits <= 0o777 else {
            return .failure(ArgumentProblem(problem: "is not an octal mode: 0 to 0777", examples: ["0660"]))
        }
        return .success(FileMode(bits: bits, text: text))
    }

    var defaultValueDescription: String { text }
}
