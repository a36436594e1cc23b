import MetricTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A command `listen` runs after `--`: started with posix_spawnp (argv, no shell), inheriting
/// stdin, stdout and stderr, with extra environment variables.
public final class ChildProcess {
    public let pid: pid_t
    /// The command as given, for messages.
    public let arguments: [String]
    public private(set) var termination: Termination?

    /// How a command ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var succeeded: Bool { self == .exited(0) }

        /// `exited with status 3`, `was killed by signal 9 (Killed)`.
        public var description: String {
            switch self {
            case .exited(let status): return "exited with status \(status)"
            case .signaled(let signal): return "was killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            }
        }

        /// Decodes a `waitpid` status word (WIFEXITED / WEXITSTATUS / WTERMSIG).
        init(waitStatus: Int32) {
            let signal = waitStatus & 0x7F
            self = signal == 0 ? .exited((waitStatus >> 8) & 0xFF) : .signaled(signal)
        }
    }

    private init(pid: pid_t, arguments: [String]) {
        self.pid = pid
        self.arguments = arguments
    }

    /// Starts `arguments` (the first is looked up in PATH) with `environment` added to ours, no
    /// signal blocked (whatever mask we inherited) and SIGINT, SIGTERM, SIGCHLD, SIGPIPE and SIGHUP
    /// at their default disposition.
    /// - Returns: the child, or the errno posix_spawnp gave (ENOENT: not found; EACCES: not executable).
    public static func spawn(_ arguments: [String], environment: [String: String]) -> Result<ChildProcess, Errno> {
        precondition(!arguments.isEmpty)
        var env: [String] = []
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            let name = text.prefix { $0 != "=" }
            if environment[String(name)] == nil { env.append(text) }
            p += 1
        }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { env.append("\(k)=\(v)") }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], nil, &attr, argv, envp)
        if rc != 0 { return .failure(Errno(rawValue: rc)) }
        return .success(ChildProcess(pid: pid, arguments: arguments))
    }

    /// Reaps the child if it has ended; nil while it runs.
    @discardableResult
    public func poll() -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &status, WNOHANG) } while r < 0 && errno == EINTR
        if r == pid { termination = Termination(waitStatus: status) }
        return termination
    }

    /// Sends `signal`, waits up to `grace` nanoseconds for the child to end, then SIGKILLs and reaps it.
    public func stop(_ signal: Int32, grace: Int64) -> Termination {
        if let t = poll() { return t }
        kill(pid, signal)
        let end = Clock.monotonicNanoseconds() + grace
        while Clock.monotonicNanoseconds() < end {
            if let t = poll() { return t }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &status, 0) } while r < 0 && errno == EINTR
        termination = r == pid ? Termination(waitStatus: status) : .signaled(SIGKILL)
        return termination!
    }
}
