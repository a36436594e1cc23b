import Foundation

/// Runs the built `metricat` binary: argv and stdin in; stdout, stderr and exit status out.
struct Binary {
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: Data
        var description: String { "status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// The binary beside the test bundle (`METRICAT_BIN` overrides).
    static let path: String = {
        if let env = ProcessInfo.processInfo.environment["METRICAT_BIN"] { return env }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test runner may sit inside a bundle folder; climb until a `metricat` binary is beside us.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("metricat").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "metricat"
    }()

    /// The environment the binary starts from: the test's own, or with `METRICAT_BIN_ENV=clean` only
    /// `PATH=/usr/bin:/bin` (as `env -i`), which shows a self-contained build needs nothing of the toolchain.
    static let baseEnvironment: [String: String] = {
        let own = ProcessInfo.processInfo.environment
        return own["METRICAT_BIN_ENV"] == "clean" ? ["PATH": "/usr/bin:/bin"] : own
    }()

    /// Package root, for fixtures.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @discardableResult
    static func run(_ args: [String], stdin: Data? = nil, cwd: URL? = nil, env: [String: String] = [:], timeout: TimeInterval = 60) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var environment = baseEnvironment
        environment["METRICAT_NOW"] = environment["METRICAT_NOW"] ?? "1700000000000000000"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = inPipe
        try p.run()
        // Drain both pipes concurrently so a large output cannot block the child.
        let out = DataBox()
        let err = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            out.data = outPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            err.data = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let stdin { inPipe.fileHandleForWriting.write(stdin) }
        try? inPipe.fileHandleForWriting.close()
        if group.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            throw NSError(domain: "metricat-test", code: 1, userInfo: [NSLocalizedDescriptionKey: "timed out: \(args)"])
        }
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: out.data, as: UTF8.self),
            stderr: String(decoding: err.data, as: UTF8.self), stdoutBytes: out.data)
    }

    static func run(_ args: [String], input: String) throws -> Result {
        try run(args, stdin: Data(input.utf8))
    }
}

/// Splits an `args` file into words: whitespace separates, single or double quotes group, no escapes
/// except `\'` inside double quotes is not needed.
func splitWords(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character? = nil
    for c in text {
        if let q = quote {
            if c == q { quote = nil } else { current.append(c) }
        } else if c == "'" || c == "\"" {
            quote = c
            inWord = true
        } else if c.isWhitespace {
            if inWord {
                words.append(current)
                current = ""
                inWord = false
            }
        } else {
            current.append(c)
            inWord = true
        }
    }
    if inWord { words.append(current) }
    return words
}

/// Filled by one reader thread, read after the DispatchGroup wait.
final class DataBox: @unchecked Sendable {
    var data = Data()
}
