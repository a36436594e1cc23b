import Foundation
import MetricTransport
import Testing

@testable import LogCulling

/// What tail-log works out from its flags: rules, the state file's name and directory, the outputs.
@Suite struct TailLogSetupTests {
    func tempDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tailsetup-\(UUID().uuidString.prefix(8))").path
    }

    @Test func theStateNameHashesTheRulesAndStaysTheSame() throws {
        #expect(TailLogSetup.stateName(parser: .sample, rules: []) == "sample")
        #expect(TailLogSetup.stateName(parser: nil, rules: []) == "rules")
        let rules = try TailLogSetup.rules(count: ["errors=ERROR"], sum: [], timer: [], gauge: [], file: nil)
        // FNV-1a of "count errors ERROR": a state written by an earlier release is found again.
        #expect(TailLogSetup.stateName(parser: nil, rules: rules) == "rules-3e2a6dc5")
        let other = try TailLogSetup.rules(count: ["errors=WARN"], sum: [], timer: [], gauge: [], file: nil)
        #expect(TailLogSetup.stateName(parser: nil, rules: other) != "rules-3e2a6dc5")
    }

    @Test func rulesComeFromFlagsThenTheFile() throws {
        let dir = tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/rules"
        try "# comment\ngauge temp t=(?<value>\\d+)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let rules = try TailLogSetup.rules(count: ["a=x"], sum: ["b=(?<value>\\d+)"], timer: [], gauge: [], file: file)
        #expect(rules.map(\.name) == ["a", "b", "temp"])
        #expect(rules.map(\.kind) == [.count, .sum, .gauge])
        #expect(throws: TailLogError.invalidOption("--rules", "cannot read \(dir)/missing")) {
            try TailLogSetup.rules(count: [], sum: [], timer: [], gauge: [], file: dir + "/missing")
        }
    }

    @Test func theStateDirectoryIsCreatedWithItsParents() throws {
        let root = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try TailLogSetup.stateFile(given: nil, directory: root + "/a/b", name: "sample", logPath: "/var/log/x.log")
        #expect(path == root + "/a/b/sample-var-log-x.log.state")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: root + "/a/b", isDirectory: &isDirectory) && isDirectory.boolValue)
        // A given state file is taken as it is, and nothing is created.
        #expect(try TailLogSetup.stateFile(given: "/nowhere/s.state", directory: root + "/c", name: "sample", logPath: "x") == "/nowhere/s.state")
        #expect(!FileManager.default.fileExists(atPath: root + "/c"))
        #expect(throws: TailLogError.invalidOption("--state-dir", "cannot create /proc/metricat-no")) {
            try TailLogSetup.stateFile(given: nil, directory: "/proc/metricat-no", name: "sample", logPath: "x")
        }
    }

    @Test func logsterOutputsAndAddresses() throws {
        func outputs(_ o: [String], format: String? = nil, graphite: String? = nil, statsd: String? = nil) throws(TailLogError) -> [TailLogOutput] {
            try TailLogSetup.outputs(o, format: format, graphiteHost: graphite, graphiteProtocol: "udp", statsdHost: statsd, stdoutSeparator: "_")
        }
        #expect(try outputs([]).map(\.format) == [.logster(separator: "_")])
        #expect(try outputs(["graphite"], graphite: "127.0.0.1:2003").map(\.format) == [.metric(.graphite)])
        #expect(try outputs(["graphite"], graphite: "127.0.0.1:2003").first?.endpoint == Endpoint(parsing: "udp://127.0.0.1:2003", role: .send))
        #expect(try outputs(["statsd"], statsd: "127.0.0.1:8125").map(\.format) == [.metric(.statsd)])
        #expect(try outputs(["tcp://127.0.0.1:2003"]).map(\.format) == [.metric(.graphite)])
        #expect(try outputs(["http://127.0.0.1:8086/write?db=x"]).map(\.format) == [.metric(.influx)])
        #expect(try outputs(["udp://127.0.0.1:8125"], format: "statsd").map(\.format) == [.metric(.statsd)])
        #expect(throws: TailLogError.usage("-o graphite needs --graphite-host HOST:PORT (example: --graphite-host 127.0.0.1:2003)")) { try outputs(["graphite"]) }
        #expect(throws: TailLogError.usage("-o ganglia: Logster's ganglia output is not supported (use graphite, statsd, stdout or an address)")) {
            try outputs(["ganglia"])
        }
        #expect(throws: TailLogError.self) { try outputs(["udp:/x"]) }
    }
}
