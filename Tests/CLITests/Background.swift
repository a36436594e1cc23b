import Foundation

/// A process running beside the test (metricat listen, a real collector), its output in files.
final class Background: @unchecked Sendable {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    init(
        _ executable: String, _ args: [String], env: [String: String] = [:], cwd: URL? = nil,
        baseEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metricat-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        stdoutURL = dir.appendingPathComponent("stdout")
        stderrURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        var environment = baseEnvironment
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        if let cwd { process.currentDirectoryURL = cwd }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// metricat itself.
    static func metricat(_ args: [String]) throws -> Background {
        try Background(Binary.path, args, baseEnvironment: Binary.baseEnvironment)
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    /// Waits until `predicate` holds on the combined output (polling), or `timeout` seconds pass.
    @discardableResult
    func waitFor(_ timeout: TimeInterval = 10, _ predicate: (String, String) -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if predicate(stdout, stderr) { return true }
            usleep(20_000)
        }
        return predicate(stdout, stderr)
    }

    /// Waits for exit; returns the status, or nil after `timeout` seconds (the process is killed then).
    func wait(_ timeout: TimeInterval = 15) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// SIGKILL and wait (for helpers such as an HTTP server that need no clean exit).
    func forceStop() {
        guard process.isRunning else { return }
        signal(SIGKILL)
        _ = wait(5)
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if wait(5) == nil { return }
        }
    }

    /// Resident memory in KiB from /proc.
    var residentKiB: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    deinit { stop() }
}

/// A free port on 127.0.0.1 for both TCP and UDP (bound and released; fine for tests on loopback).
func freePort() -> UInt16 {
    for _ in 0..<50 {
        let t = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let u = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer {
            close(t)
            close(u)
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                guard bind(t, p, len) == 0, getsockname(t, p, &len) == 0 else { return false }
                return bind(u, p, len) == 0
            }
        }
        if bound { return UInt16(bigEndian: addr.sin_port) }
    }
    return 0
}

/// A fresh temporary directory.
func temporaryDirectory(_ tag: String = "t") throws -> URL {
    let dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("metricat-\(tag)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The path of an installed program, or nil.
func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}
