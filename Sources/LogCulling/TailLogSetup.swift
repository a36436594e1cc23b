import MetricFormats
import MetricTransport
import MetricatKit

#if canImport(Glibc)
    import Glibc
#endif

/// What `tail-log` works out from its flags before a run: the rules, the state file and the outputs.
public enum TailLogSetup {
    /// The rules of `--count`, `--sum`, `--timer`, `--gauge` (in that order), then those of the rules
    /// file, if any (at most 1 MiB).
    public static func rules(count: [String], sum: [String], timer: [String], gauge: [String], file: String?) throws(TailLogError) -> [LogRule] {
        var list: [LogRule] = []
        for (kind, specs) in [(LogRule.Kind.count, count), (.sum, sum), (.timer, timer), (.gauge, gauge)] {
            for s in specs { list.append(try LogRule(kind: kind, spec: s)) }
        }
        if let file {
            guard let text = readText(file) else { throw .invalidOption("--rules", "cannot read \(file)") }
            list += try LogRule.load(file: text, path: file)
        }
        return list
    }

    /// The name that keys the state file: the parser's (`rules` without one), then, with rules, a hash
    /// of them (FNV-1a), so changing a rule starts a new state instead of misreading the old one.
    public static func stateName(parser: ParserKind?, rules: [LogRule]) -> String {
        var name = parser?.rawValue ?? "rules"
        if !rules.isEmpty {
            let specs = rules.map { "\($0.kind.rawValue) \($0.name) \($0.pattern)" }.joined(separator: "\n")
            name += "-" + String(specs.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }, radix: 16)
        }
        return name
    }

    /// `stateFile` when given; else the file for this log and `name` in `stateDir` (default:
    /// ``defaultStateDirectory()``), which is created with its parents.
    public static func stateFile(given stateFile: String?, directory stateDir: String?, name: String, logPath: String) throws(TailLogError) -> String {
        if let stateFile { return stateFile }
        let dir = stateDir ?? defaultStateDirectory()
        guard makeDirectories(dir) else { throw .invalidOption("--state-dir", "cannot create \(dir)") }
        return TailLogOptions.stateFile(dir: dir, parserName: name, logPath: logPath)
    }

    /// `$XDG_STATE_HOME/metricat`, else `~/.local/state/metricat`, else `/var/tmp/metricat`.
    public static func defaultStateDirectory() -> String {
        if let x = getenv("XDG_STATE_HOME"), x.pointee != 0 { return String(cString: x) + "/metricat" }
        if let h = getenv("HOME"), h.pointee != 0 { return String(cString: h) + "/.local/state/metricat" }
        return "/var/tmp/metricat"
    }

    /// Logster's outputs that `--output` takes by name.
    public static let outputNames: Set<String> = ["stdout", "graphite", "statsd"]
    /// Logster's outputs that are refused, with what to use instead.
    public static let unsupportedOutputs: Set<String> = ["ganglia", "nsca", "cloudwatch"]

    /// Logster's output names and metricat's addresses as outputs; `-` when none is given.
    /// `format` is `logster` or a ``MetricFormat`` name (checked by the caller).
    public static func outputs(
        _ output: [String], format: String?, graphiteHost: String?, graphiteProtocol: String, statsdHost: String?, stdoutSeparator: String
    ) throws(TailLogError) -> [TailLogOutput] {
        let named = format.flatMap(MetricFormat.init(rawValue:))
        var list: [TailLogOutput] = []
        for o in output.isEmpty ? ["-"] : output {
            switch o {
            case "stdout":
                list.append(TailLogOutput(endpoint: .stdout, format: .logster(separator: stdoutSeparator)))
            case "graphite":
                guard let h = graphiteHost else { throw .usage("-o graphite needs --graphite-host HOST:PORT (example: --graphite-host 127.0.0.1:2003)") }
                list.append(TailLogOutput(endpoint: try endpoint("\(graphiteProtocol)://\(h)", flag: "--graphite-host"), format: .metric(.graphite)))
            case "statsd":
                guard let h = statsdHost else { throw .usage("-o statsd needs --statsd-host HOST:PORT (example: --statsd-host 127.0.0.1:8125)") }
                list.append(TailLogOutput(endpoint: try endpoint("udp://\(h)", flag: "--statsd-host"), format: .metric(.statsd)))
            case _ where unsupportedOutputs.contains(o):
                throw .usage("-o \(o): Logster's \(o) output is not supported (use graphite, statsd, stdout or an address)")
            default:
                let e = try endpoint(o, flag: "--output")
                let f: TailLogFormat
                if let named {
                    f = .metric(named)
                } else if format == "logster" || e == .stdout {
                    f = .logster(separator: format == "logster" || named == nil ? (e == .stdout ? stdoutSeparator : ".") : ".")
                } else if case .http = e {
                    f = .metric(.influx)
                } else {
                    f = .metric(.graphite)
                }
                list.append(TailLogOutput(endpoint: e, format: f))
            }
        }
        return list
    }

    private static func endpoint(_ text: String, flag: String) throws(TailLogError) -> Endpoint {
        do {
            return try Endpoint(parsing: text, role: .send)
        } catch {
            throw .usage("\(flag): \(error.description)")
        }
    }

    /// Creates `dir` and its parents (mode 0755); false when one cannot be created.
    static func makeDirectories(_ dir: String) -> Bool {
        var path = dir.hasPrefix("/") ? "" : "."
        for part in dir.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST { return false }
        }
        return true
    }

    /// A text file of at most 1 MiB; nil when it cannot be read or is larger.
    static func readText(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n == 0 { break }
            bytes += buf[0..<n]
            if bytes.count > 1 << 20 { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
