import ArgumentParser
import MetricTransport
import Testing

@testable import MetricatCommands

/// Addresses as typed values: every scheme each role accepts, each refusal with the address's own
/// reason and example, and the flags and positional arguments that take them.
@Suite struct AddressArgumentTests {
    /// The message for `text` as the value of `--x`, or nil when it is accepted.
    func problem<T: CheckedArgument>(_ type: T.Type, _ text: String, flag: String = "--x") -> String? {
        if case .failure(let p) = T.parse(text) { return p.message(flag: flag, text: text) }
        return nil
    }

    func endpoint<Role>(_ type: Address<Role>.Type, _ text: String) throws -> Endpoint {
        let address = try Address<Role>.parse(text).get()
        #expect(address.text == text && address.defaultValueDescription == text)
        return address.endpoint
    }

    /// The error `args` are refused with and the exit status `metricat` gives it.
    func exitStatus(_ args: [String]) -> Int32? {
        do {
            _ = try Metricat.parseAsRoot(args)
            return nil
        } catch {
            _ = Metricat.refusal(for: error)
            return Metricat.exitCode(for: error).rawValue
        }
    }

    @Test func everySchemeToSendTo() throws {
        #expect(try endpoint(SendAddress.self, "udp://127.0.0.1:8094") == .udp(host: "127.0.0.1", port: 8094, family: .any))
        #expect(try endpoint(SendAddress.self, "udp4://127.0.0.1:8094") == .udp(host: "127.0.0.1", port: 8094, family: .ipv4))
        #expect(try endpoint(SendAddress.self, "udp6://[::1]:8094") == .udp(host: "::1", port: 8094, family: .ipv6))
        #expect(try endpoint(SendAddress.self, "tcp://localhost:2003") == .tcp(host: "localhost", port: 2003, family: .any))
        #expect(try endpoint(SendAddress.self, "tcp4://127.0.0.1:2003") == .tcp(host: "127.0.0.1", port: 2003, family: .ipv4))
        #expect(try endpoint(SendAddress.self, "TCP6://[::1]:2003") == .tcp(host: "::1", port: 2003, family: .ipv6))
        #expect(try endpoint(SendAddress.self, "unix:///tmp/m.sock") == .unix(path: "/tmp/m.sock"))
        #expect(try endpoint(SendAddress.self, "unixgram:///tmp/m.sock") == .unixgram(path: "/tmp/m.sock"))
        #expect(try endpoint(SendAddress.self, "unix://@metrics") == .unix(path: "@metrics"))
        #expect(try endpoint(SendAddress.self, "-") == .stdout)
        let http = try endpoint(SendAddress.self, "http://127.0.0.1:8086/write?db=telegraf&precision=s")
        #expect(http.description == "http://127.0.0.1:8086/write?db=telegraf&precision=s")
        #expect(try endpoint(SendAddress.self, "http://influx/write?db=x").description == "http://influx:80/write?db=x")
        // A bare port or :port is UDP on loopback.
        #expect(try endpoint(SendAddress.self, "8125") == .udp(host: "127.0.0.1", port: 8125, family: .any))
        #expect(try endpoint(SendAddress.self, ":8125") == .udp(host: "127.0.0.1", port: 8125, family: .any))
        #expect(try endpoint(SendAddress.self, "udp://:8125") == .udp(host: nil, port: 8125, family: .any))
        #expect(try endpoint(SendAddress.self, "udp://127.0.0.1:65535") == .udp(host: "127.0.0.1", port: 65535, family: .any))
    }

    @Test func everySchemeToListenOn() throws {
        #expect(try endpoint(ListenAddress.self, "udp://127.0.0.1:8094") == .udp(host: "127.0.0.1", port: 8094, family: .any))
        #expect(try endpoint(ListenAddress.self, "udp://:8094") == .udp(host: nil, port: 8094, family: .any))
        #expect(try endpoint(ListenAddress.self, "udp6://[::]:0") == .udp(host: "::", port: 0, family: .ipv6))
        #expect(try endpoint(ListenAddress.self, "tcp4://0.0.0.0:0") == .tcp(host: "0.0.0.0", port: 0, family: .ipv4))
        #expect(try endpoint(ListenAddress.self, "unix:///tmp/l.sock") == .unix(path: "/tmp/l.sock"))
        #expect(try endpoint(ListenAddress.self, "unixgram://./l.sock") == .unixgram(path: "./l.sock"))
        // Port 0 (the kernel chooses) is for listening only, bare or written out.
        #expect(try endpoint(ListenAddress.self, "0") == .udp(host: "127.0.0.1", port: 0, family: .any))
        #expect(try endpoint(ListenAddress.self, ":0") == .udp(host: "127.0.0.1", port: 0, family: .any))
        #expect(try endpoint(ListenAddress.self, "tcp://127.0.0.1:0") == .tcp(host: "127.0.0.1", port: 0, family: .any))
    }

    /// load floods sockets: what send takes but stdout and HTTP.
    @Test func loadTakesSocketsOnly() throws {
        #expect(try endpoint(LoadAddress.self, "udp6://[::1]:8094") == .udp(host: "::1", port: 8094, family: .ipv6))
        #expect(try endpoint(LoadAddress.self, "tcp://127.0.0.1:2003") == .tcp(host: "127.0.0.1", port: 2003, family: .any))
        #expect(try endpoint(LoadAddress.self, "unix:///tmp/l.sock") == .unix(path: "/tmp/l.sock"))
        #expect(try endpoint(LoadAddress.self, "unixgram:///tmp/l.sock") == .unixgram(path: "/tmp/l.sock"))
        #expect(
            problem(LoadAddress.self, "-")
                == "--x: '-' is not a socket to load: a socket target is needed (udp://, tcp://, unix://, unixgram://) (example: --x udp://127.0.0.1:8094)")
        #expect(
            problem(LoadAddress.self, "http://127.0.0.1:8086/write?db=x", flag: "<target>")
                == "http://127.0.0.1:8086/write?db=x: load floods sockets; for InfluxDB use its UDP listener (udp://HOST:PORT) (example: udp://127.0.0.1:8094)")
        #expect(
            problem(LoadAddress.self, "udp://127.0.0.1:0")
                == "--x: 'udp://127.0.0.1:0' is not a socket to load: '0' is not a port number (1-65535) (example: --x udp://127.0.0.1:8094)")
    }

    static let schemeExamples = "udp://127.0.0.1:8094, tcp://127.0.0.1:8094 or unix:///tmp/metrics.sock"
    /// A path of 108 bytes, one more than a socket address holds with its terminating zero.
    static let longPath = "unix:///tmp/" + String(repeating: "a", count: 103)

    /// Each of the address's refusals, as a flag's message: the value quoted, what it is not, the
    /// address's own reason and its example after the flag.
    @Test(
        arguments: [
            ("localhost", "an address needs a scheme (example: --x \(schemeExamples))"),
            ("0", "an address needs a scheme (example: --x \(schemeExamples))"),
            (":0", "an address needs a scheme (example: --x \(schemeExamples))"),
            ("udp:/x", "the scheme 'udp' must be followed by '://' (example: --x udp://127.0.0.1:8094)"),
            ("tcp6:[::1]:1", "the scheme 'tcp6' must be followed by '://' (example: --x tcp6://127.0.0.1:8094)"),
            ("unixgram:/tmp/x", "the scheme 'unixgram' must be followed by '://' (example: --x unixgram:///tmp/metrics.sock)"),
            ("gopher://127.0.0.1/x", "unknown scheme 'gopher' (example: --x udp://, udp4://, udp6://, tcp://, tcp4://, tcp6://, unix://, unixgram://, http://)"),
            ("udp://127.0.0.1", "the port is missing (example: --x udp://127.0.0.1:8094)"),
            ("udp://127.0.0.1:0", "'0' is not a port number (1-65535) (example: --x udp://127.0.0.1:8094)"),
            ("tcp4://127.0.0.1:99999", "'99999' is not a port number (1-65535) (example: --x tcp4://127.0.0.1:8094)"),
            ("udp://::1:8125", "an IPv6 address needs brackets (example: --x udp6://[::1]:8094)"),
            ("udp6://[::1", "unclosed '[' in an IPv6 address (example: --x udp6://[::1]:8094)"),
            ("udp6://[::1]8125", "unexpected '8125' after the IPv6 address (example: --x udp6://[::1]:8094)"),
            ("tcp://127.0.0.1/x", "unexpected path after the port (example: --x tcp://127.0.0.1:8094)"),
            ("unix://tmp/x.sock", "a Unix socket path must be absolute (three slashes) (example: --x unix:///tmp/metrics.sock)"),
            (longPath, "a Unix socket path must be shorter than 108 bytes (example: --x unix:///tmp/metrics.sock)"),
            ("http://127.0.0.1:8086/write", "InfluxDB's write API needs a database (example: --x http://127.0.0.1:8086/write?db=telegraf)"),
            ("http://127.0.0.1:0/write?db=x", "'0' is not a port number (1-65535) (example: --x http://127.0.0.1:8086/write?db=telegraf)"),
            (
                "https://127.0.0.1:8086/write?db=x",
                "https is not supported (no TLS here); use http:// on a trusted network or a local TLS proxy (example: --x http://127.0.0.1:8086/write?db=telegraf)"
            ),
        ] as [(String, String)])
    func refusalsToSendTo(_ text: String, _ rest: String) {
        #expect(problem(SendAddress.self, text) == "--x: '\(text)' is not an address to send to: \(rest)")
    }

    @Test func refusalsToListenOn() {
        #expect(problem(ListenAddress.self, "-") == "--x: '-' is not an address to listen on: stdout is not something to listen on (example: --x udp://127.0.0.1:8094)")
        #expect(
            problem(ListenAddress.self, "http://127.0.0.1:8086/write?db=x")
                == "--x: 'http://127.0.0.1:8086/write?db=x' is not an address to listen on: HTTP is for sending only (example: --x tcp://127.0.0.1:8094)")
        #expect(
            problem(ListenAddress.self, "https://127.0.0.1:1/x")
                == "--x: 'https://127.0.0.1:1/x' is not an address to listen on: HTTP is for sending only (example: --x tcp://127.0.0.1:8094)")
        #expect(problem(ListenAddress.self, "99999") == "--x: '99999' is not an address to listen on: an address needs a scheme (example: --x \(Self.schemeExamples))")
        #expect(
            problem(ListenAddress.self, "unix:/x")
                == "--x: 'unix:/x' is not an address to listen on: the scheme 'unix' must be followed by '://' (example: --x unix:///tmp/metrics.sock)")
        // A positional value (no flag to name) reads as the address's own message.
        #expect(problem(ListenAddress.self, "-", flag: "<address>") == "-: stdout is not something to listen on (example: udp://127.0.0.1:8094)")
    }

    @Test func commandsGetTheirEndpoints() throws {
        let send = try #require(try Metricat.parseAsRoot(["send", "tcp://127.0.0.1:2003", "a 1 1"]) as? Send)
        #expect(send.target.endpoint == .tcp(host: "127.0.0.1", port: 2003, family: .any))
        let stdout = try #require(try Metricat.parseAsRoot(["send", "-", "a:1|c"]) as? Send)
        #expect(stdout.target.endpoint == .stdout)
        let load = try #require(try Metricat.parseAsRoot(["load", "unixgram:///tmp/l.sock"]) as? Load)
        #expect(load.target?.endpoint == .unixgram(path: "/tmp/l.sock"))
        // No target: load starts its embedded sink.
        let embedded = try #require(try Metricat.parseAsRoot(["load"]) as? Load)
        #expect(embedded.target == nil)
        let listen = try #require(
            try Metricat.parseAsRoot([
                "listen", "udp://127.0.0.1:0", "unix:///tmp/l.sock", "--aggregate", "1s", "--forward", "tcp://127.0.0.1:2003", "--forward", "-", "--serve-metrics", "0",
            ]) as? Listen)
        let (endpoints, command) = try listen.addressesAndCommand(argv: [])
        #expect(endpoints == [.udp(host: "127.0.0.1", port: 0, family: .any), .unix(path: "/tmp/l.sock")] && command.isEmpty)
        #expect(listen.aggregation.forward.map(\.endpoint) == [.tcp(host: "127.0.0.1", port: 2003, family: .any), .stdout])
        #expect(listen.aggregation.serveMetrics?.endpoint == .tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let options = try listen.aggregation.options(endpoints: endpoints)
        #expect(options.forward == [.tcp(host: "127.0.0.1", port: 2003, family: .any), .stdout])
        #expect(options.serveMetrics == .tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        // No address: UDP on 127.0.0.1:8094.
        let plain = try #require(try Metricat.parseAsRoot(["listen"]) as? Listen)
        #expect(try plain.addressesAndCommand(argv: []).endpoints == [.udp(host: "127.0.0.1", port: 8094, family: .any)])
    }

    /// The words after `--` are the command to run, not addresses: only those before are checked.
    /// (Which values came after `--` is read from the process's own arguments, as `metricat` is run;
    /// an in-process parse of a command after `--` is checked here with the argument vector given.)
    @Test func listenChecksOnlyTheAddressesBeforeTheCommand() throws {
        var listen = try #require(try Metricat.parseAsRoot(["listen"]) as? Listen)
        listen.addresses = ["udp://127.0.0.1:0", "sh", "-c", "exit 0"]
        let split = try listen.addressesAndCommand(argv: ["metricat", "listen", "udp://127.0.0.1:0", "--", "sh", "-c", "exit 0"])
        #expect(split.endpoints == [.udp(host: "127.0.0.1", port: 0, family: .any)] && split.command == ["sh", "-c", "exit 0"])
        // A bad address before the command is refused; the command's words are not addresses.
        listen.addresses = ["udp:/x", "sh"]
        let bad = #expect(throws: ValidationError.self) { try listen.addressesAndCommand(argv: ["metricat", "listen", "udp:/x", "--", "sh"]) }
        #expect(bad?.message == "udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)")
        // Without the terminator every value is an address, and the first bad one is refused.
        listen.addresses = ["udp://127.0.0.1:0", "sh"]
        let word = #expect(throws: ValidationError.self) { try listen.addressesAndCommand(argv: ["metricat", "listen", "udp://127.0.0.1:0", "sh"]) }
        #expect(word?.message == "sh: an address needs a scheme (example: \(Self.schemeExamples))")
    }

    @Test func metricsAddresses() throws {
        for (text, endpoint) in [
            ("9102", Endpoint.tcp(host: "127.0.0.1", port: 9102, family: .ipv4)),
            ("127.0.0.1:0", .tcp(host: "127.0.0.1", port: 0, family: .any)),
            ("http://127.0.0.1:9102/metrics", .tcp(host: "127.0.0.1", port: 9102, family: .any)),
            ("http://127.0.0.1:9102/", .tcp(host: "127.0.0.1", port: 9102, family: .any)),
            ("[::1]:9102", .tcp(host: "::1", port: 9102, family: .any)),
            (":9102", .tcp(host: nil, port: 9102, family: .any)),
        ] {
            #expect(try MetricsAddress.parse(text).get().endpoint == endpoint, "\(text)")
        }
        for text in ["nope:x", "localhost", "udp://127.0.0.1:9102", "unix:///tmp/m.sock", "127.0.0.1:99999", "", "https://127.0.0.1:9102"] {
            #expect(problem(MetricsAddress.self, text, flag: "--serve-metrics") == "--serve-metrics: '\(text)' is not HOST:PORT (example: --serve-metrics 127.0.0.1:9102)")
        }
    }

    @Test func tailLogOutputs() throws {
        for name in ["stdout", "graphite", "statsd"] { #expect(try TailLogTarget.parse(name).get() == TailLogTarget(text: name, endpoint: nil)) }
        #expect(try TailLogTarget.parse("-").get().endpoint == .stdout)
        #expect(try TailLogTarget.parse("udp://127.0.0.1:8125").get().endpoint == .udp(host: "127.0.0.1", port: 8125, family: .any))
        #expect(try TailLogTarget.parse("http://127.0.0.1:8086/write?db=logs").get().endpoint?.isHTTP == true)
        for name in ["ganglia", "nsca", "cloudwatch"] {
            #expect(
                problem(TailLogTarget.self, name, flag: "-o")
                    == "-o: '\(name)' is Logster's \(name) output, which is not supported: use graphite, statsd, stdout or an address (example: -o graphite or udp://127.0.0.1:8125)"
            )
        }
        #expect(
            problem(TailLogTarget.self, "graphit", flag: "--output")
                == "--output: 'graphit' is not an output (stdout, graphite, statsd or an address to send to): an address needs a scheme (example: --output \(Self.schemeExamples))")
        #expect(
            problem(TailLogTarget.self, "https://127.0.0.1:1/write?db=x", flag: "--output")
                == "--output: 'https://127.0.0.1:1/write?db=x' is not an output (stdout, graphite, statsd or an address to send to): https is not supported (no TLS here); use http:// on a trusted network or a local TLS proxy (example: --output http://127.0.0.1:8086/write?db=telegraf)"
        )
    }

    @Test func sinkReportSources() throws {
        #expect(try SinkReportArgument.parse("/tmp/sink.json").get().source == .file("/tmp/sink.json"))
        #expect(try SinkReportArgument.parse("sink.json").get().source == .file("sink.json"))
        #expect(try SinkReportArgument.parse("http://127.0.0.1:8000/sink.json").get().source == .http(HTTPURL(host: "127.0.0.1", port: 8000, target: "/sink.json")))
        #expect(try SinkReportArgument.parse("http://[::1]/s?run=1").get().source == .http(HTTPURL(host: "::1", port: 80, target: "/s?run=1")))
        let example = "(example: --sink-report http://127.0.0.1:8000/sink.json)"
        for (text, reason) in [
            ("https://127.0.0.1:1/x", "https is not supported (no TLS here); use http:// on a trusted network or a local proxy \(example)"),
            ("gopher://127.0.0.1/x", "unknown scheme 'gopher' (only http:// is read) \(example)"),
            ("http://user:pw@127.0.0.1/x", "user names and passwords in the URL are not supported \(example)"),
            ("http:///x", "the host is missing \(example)"),
            ("http://127.0.0.1:0/x", "'0' is not a port number (1-65535) \(example)"),
            ("http://127.0.0.1/a b", "the path must not hold spaces, line breaks or a #fragment \(example)"),
            ("http://::1/x", "an IPv6 address needs brackets (example: --sink-report http://[::1]:8000/sink.json)"),
        ] {
            #expect(problem(SinkReportArgument.self, text, flag: "--sink-report") == "--sink-report: '\(text)' is not a file or an http:// URL: \(reason)")
        }
    }

    @Test func logsterHostPorts() throws {
        for text in ["127.0.0.1:2003", "localhost:2003", "[::1]:2003", ":2003"] {
            #expect(try HostPort<GraphiteHostExamples>.parse(text).get().text == text)
        }
        let graphite = HostPort<GraphiteHostExamples>.self
        #expect(
            problem(graphite, "localhost", flag: "--graphite-host")
                == "--graphite-host: 'localhost' is not HOST:PORT: the port is missing (example: --graphite-host 127.0.0.1:2003)")
        #expect(
            problem(graphite, "127.0.0.1:0", flag: "--graphite-host")
                == "--graphite-host: '127.0.0.1:0' is not HOST:PORT: '0' is not a port number (1-65535) (example: --graphite-host 127.0.0.1:2003)")
        #expect(
            problem(graphite, "tcp://127.0.0.1:2003", flag: "--graphite-host")
                == "--graphite-host: 'tcp://127.0.0.1:2003' is not HOST:PORT: it takes no scheme (example: --graphite-host 127.0.0.1:2003)")
        #expect(
            problem(HostPort<StatsDHostExamples>.self, "::1:8125", flag: "--statsd-host")
                == "--statsd-host: '::1:8125' is not HOST:PORT: an IPv6 address needs brackets (example: --statsd-host 127.0.0.1:8125)")
    }

    /// Each address flag and argument refuses while the command line is parsed, with its message,
    /// and the refusal is a usage error (exit 2).
    @Test(
        arguments: [
            (["send", "udp:/x", "a:1|c"], "udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)"),
            (["send", "udp://127.0.0.1:0", "a:1|c"], "udp://127.0.0.1:0: '0' is not a port number (1-65535) (example: udp://127.0.0.1:8094)"),
            (
                ["send", "https://127.0.0.1:1/write?db=x", "a v=1"],
                "https://127.0.0.1:1/write?db=x: https is not supported (no TLS here); use http:// on a trusted network or a local TLS proxy (example: http://127.0.0.1:8086/write?db=telegraf)"
            ),
            (["load", "unix://tmp/x.sock"], "unix://tmp/x.sock: a Unix socket path must be absolute (three slashes) (example: unix:///tmp/metrics.sock)"),
            (["load", "-"], "-: a socket target is needed (udp://, tcp://, unix://, unixgram://) (example: udp://127.0.0.1:8094)"),
            (["load", "8094x"], "8094x: an address needs a scheme (example: \(schemeExamples))"),
            (["listen", "-"], "-: stdout is not something to listen on (example: udp://127.0.0.1:8094)"),
            (["listen", "udp://127.0.0.1:0", "http://127.0.0.1:1/write?db=x"], "http://127.0.0.1:1/write?db=x: HTTP is for sending only (example: tcp://127.0.0.1:8094)"),
            (
                ["listen", "--aggregate", "1s", "--forward", "udp:/x"],
                "--forward: 'udp:/x' is not an address to send to: the scheme 'udp' must be followed by '://' (example: --forward udp://127.0.0.1:8094)"
            ),
            (
                ["load", "udp://127.0.0.1:9", "--sink-report", "https://127.0.0.1:1/x"],
                "--sink-report: 'https://127.0.0.1:1/x' is not a file or an http:// URL: https is not supported (no TLS here); use http:// on a trusted network or a local proxy (example: --sink-report http://127.0.0.1:8000/sink.json)"
            ),
            (["listen", "--aggregate", "1s", "--serve-metrics", "nope:x"], "--serve-metrics: 'nope:x' is not HOST:PORT (example: --serve-metrics 127.0.0.1:9102)"),
            (
                ["tail-log", "--parser", "sample", "-o", "ganglia", "x.log"],
                "-o: 'ganglia' is Logster's ganglia output, which is not supported: use graphite, statsd, stdout or an address (example: -o graphite or udp://127.0.0.1:8125)"
            ),
            (
                ["tail-log", "--parser", "sample", "--output", "tcp://127.0.0.1", "x.log"],
                "--output: 'tcp://127.0.0.1' is not an output (stdout, graphite, statsd or an address to send to): the port is missing (example: --output tcp://127.0.0.1:8094)"
            ),
            (
                ["tail-log", "--parser", "sample", "-o", "graphite", "--graphite-host", "carbon", "x.log"],
                "--graphite-host: 'carbon' is not HOST:PORT: the port is missing (example: --graphite-host 127.0.0.1:2003)"
            ),
            (
                ["tail-log", "--parser", "sample", "-o", "statsd", "--statsd-host", "127.0.0.1:99999", "x.log"],
                "--statsd-host: '127.0.0.1:99999' is not HOST:PORT: '99999' is not a port number (1-65535) (example: --statsd-host 127.0.0.1:8125)"
            ),
        ] as [([String], String)])
    func refusedWhileParsing(_ args: [String], _ message: String) {
        #expect(refusal(args) == message)
        #expect(exitStatus(args) == ExitCode.validationFailure.rawValue)
    }

    /// A bad address is now refused before the command's own checks of other flags.
    @Test func addressesAreCheckedFirst() {
        #expect(
            refusal(["send", "udp:/x", "--name", "x", "--field", "v=1", "--count", "0"]) == "udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)")
        #expect(refusal(["send", "udp://127.0.0.1:1", "--name", "x", "--field", "v=1", "--count", "0"]) == "--count: must be at least 1")
        #expect(refusal(["load", "udp://127.0.0.1:1", "--transport", "tcp"]) == "--transport chooses the embedded sink's socket; with a TARGET the URL's scheme does")
        #expect(refusal(["load", "udp:/x", "--transport", "tcp"]) == "udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)")
        #expect(refusal(["load", "--sink-report", "gopher://x/y"])?.hasPrefix("--sink-report: 'gopher://x/y' is not a file or an http:// URL") == true)
        #expect(refusal(["load", "--sink-report", "sink.json"]) == "--sink-report reads a remote receiver's counts; it needs a TARGET")
        #expect(refusal(["tail-log", "--output", "udp:/x"])?.hasPrefix("--output: 'udp:/x' is not an output") == true)
        #expect(refusal(["listen", "udp:/x", "--percentiles", "90"]) == "udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)")
    }
}
