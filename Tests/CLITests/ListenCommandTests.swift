import Foundation
import Testing

/// `listen ... -- COMMAND`, the readiness line, `--ready-file`, and the README's smoke checks run verbatim.
@Suite(.serialized) struct ListenCommandTests {
    static let sendDeploy = ["sh", "-c", "\"$0\" send $METRICAT_LISTEN 'deploys:1|c'", Binary.path]

    @Test func aMatchAndASucceedingCommandExit0() throws {
        let r = try Binary.run(["listen", "udp://127.0.0.1:0", "--expect", "deploys:1\\|c", "--timeout", "5s", "--"] + Self.sendDeploy)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "deploys:1|c\n")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        let port = lines.first.flatMap { $0.hasPrefix("listening on udp://127.0.0.1:") ? UInt16($0.split(separator: ":").last!) : nil }
        #expect(port != nil && port != 0, "\(r.stderr)")
    }

    @Test func noMatchTimesOutAfterTheCommandWithStatus1() throws {
        let r = try Binary.run(["listen", "udp://127.0.0.1:0", "--expect", "deploys", "--timeout", "300ms", "--", "true"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.hasSuffix("metricat: listen: timed out 0.3 s after the command ended: no line matched --expect 'deploys' (0 lines arrived)\n"), "\(r.stderr)")
    }

    @Test func aFailingCommandIsStatus1WithItsStatusNamedEvenWhenTheExpectationIsMet() throws {
        let failing = ["sh", "-c", "\"$0\" send $METRICAT_LISTEN 'deploys:1|c'; exit 3", Binary.path]
        let r = try Binary.run(["listen", "udp://127.0.0.1:0", "--expect", "deploys", "--timeout", "5s", "--json", "--"] + failing)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout == "deploys:1|c\n")
        #expect(r.stderr.hasSuffix("metricat: listen: the command 'sh' exited with status 3\n"), "\(r.stderr)")
        #expect(r.stderr.contains("\"matched\":true"))
        #expect(r.stderr.contains("\"command_status\":3,\"command_signal\":null"))
        let killed = try Binary.run(["listen", "udp://127.0.0.1:0", "--", "sh", "-c", "kill -KILL $$"])
        #expect(killed.status == 1, "\(killed)")
        #expect(killed.stderr.hasSuffix("metricat: listen: the command 'sh' was killed by signal 9 (Killed)\n"), "\(killed.stderr)")
    }

    @Test func withoutAnExpectationTheCommandDecides() throws {
        let ok = try Binary.run(["listen", "udp://127.0.0.1:0", "--", "true"])
        #expect(ok.status == 0, "\(ok)")
        let failed = try Binary.run(["listen", "udp://127.0.0.1:0", "--", "false"])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.hasSuffix("metricat: listen: the command 'false' exited with status 1\n"))
    }

    @Test func aCommandThatCannotStartIs127Or126() throws {
        let dir = try temporaryDirectory("cmd")
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing").path
        let r = try Binary.run(["listen", "udp://127.0.0.1:0", "--expect", "x", "--timeout", "5s", "--", missing])
        #expect(r.status == 127, "\(r)")
        #expect(r.stderr.hasSuffix("metricat: listen: cannot run '\(missing)': ENOENT (No such file or directory)\n"), "\(r.stderr)")
        let plain = dir.appendingPathComponent("plain").path
        try "not a program".write(toFile: plain, atomically: true, encoding: .utf8)
        let n = try Binary.run(["listen", "udp://127.0.0.1:0", "--", plain])
        #expect(n.status == 126, "\(n)")
        #expect(n.stderr.hasSuffix("metricat: listen: cannot run '\(plain)': EACCES (Permission denied)\n"), "\(n.stderr)")
    }

    @Test func aSignalIsPassedOnToTheCommand() throws {
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:0", "--", "sleep", "30"])
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") })
        usleep(100_000)
        listen.signal(SIGTERM)
        #expect(listen.wait(10) == 1)
        #expect(listen.stderr.hasSuffix("metricat: listen: the command 'sleep' was killed by signal 15 (Terminated)\n"), "\(listen.stderr)")
    }

    @Test func theReadyFileHoldsTheBoundAddressesAndGoesAwayAtExit() throws {
        let dir = try temporaryDirectory("ready")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ready = dir.appendingPathComponent("ready").path
        let sock = dir.appendingPathComponent("m.sock").path
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:0", "tcp://127.0.0.1:0", "unix://\(sock)", "--ready-file", ready, "--count", "2", "--timeout", "10s"])
        #expect(listen.waitFor(20) { _, _ in FileManager.default.fileExists(atPath: ready) })
        let addresses = try String(contentsOfFile: ready, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(addresses.count == 3)
        #expect(addresses.first?.hasPrefix("udp://127.0.0.1:") == true && addresses.first != "udp://127.0.0.1:0")
        #expect(addresses.dropFirst().first?.hasPrefix("tcp://127.0.0.1:") == true)
        #expect(addresses.last == "unix://\(sock)")
        #expect(listen.stderr == addresses.map { "listening on \($0)\n" }.joined())
        #expect(try Binary.run(["send", addresses[0], "a:1|c"]).status == 0)
        #expect(try Binary.run(["send", addresses[1], "b:1|c"]).status == 0)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        #expect(listen.stdout == "a:1|c\nb:1|c\n")
        #expect(!FileManager.default.fileExists(atPath: ready))
    }

    @Test func aReadyFileThatCannotBeWrittenIsAnIOError() throws {
        let dir = try temporaryDirectory("ready")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ready = dir.appendingPathComponent("missing/ready").path
        let r = try Binary.run(["listen", "udp://127.0.0.1:0", "--ready-file", ready, "--timeout", "5s"])
        #expect(r.status == 74, "\(r)")
        #expect(r.stderr.contains("metricat: --ready-file \(ready): cannot create \(ready)."), "\(r.stderr)")
        #expect(r.stderr.hasSuffix(".tmp: No such file or directory\n"), "\(r.stderr)")
    }

    /// The fenced `sh` blocks after a `<!-- smoke-check -->` line in the README.
    static func readmeSmokeChecks() throws -> [String] {
        let readme = try String(contentsOf: Binary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [String] = []
        var lines = readme.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let i = lines.firstIndex(of: "<!-- smoke-check -->") {
            lines = lines[(i + 1)...]
            guard lines.first == "```sh", let end = lines.dropFirst().firstIndex(of: "```") else { break }
            blocks.append(lines[(lines.startIndex + 1)..<end].joined(separator: "\n") + "\n")
            lines = lines[(end + 1)...]
        }
        return blocks
    }

    @Test func theREADMESmokeChecksPassTwentyTimesInARow() throws {
        let blocks = try Self.readmeSmokeChecks()
        #expect(blocks.count == 2)
        #expect(!SendListenTests.isListening("udp://127.0.0.1:18125"), "udp://127.0.0.1:18125, the README's port, is taken on this machine")
        let bin = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        for (n, block) in blocks.enumerated() {
            for run in 1...20 {
                let r = try Background("/bin/sh", ["-e", "-c", block], env: ["PATH": path])
                let status = r.wait(30)
                #expect(status == 0, "README smoke check \(n + 1), run \(run): status \(status.map(String.init) ?? "none")\n\(block)\n\(r.stdout)\(r.stderr)")
                #expect(r.stdout == "deploys:1|c\n", "README smoke check \(n + 1), run \(run)")
                if status != 0 { return }
            }
        }
    }

    @Test func theREADMEBackgroundSmokeCheckFailsWhenNothingMatches() throws {
        let block = try #require(Self.readmeSmokeChecks().last)
        let broken = block.replacingOccurrences(of: "metricat send udp://127.0.0.1:18125 'deploys:1|c'", with: "metricat send udp://127.0.0.1:18125 'other:1|c'")
            .replacingOccurrences(of: "--timeout 5s", with: "--timeout 300ms")
        #expect(broken != block)
        let bin = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
        let r = try Background("/bin/sh", ["-e", "-c", broken], env: ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")])
        #expect(r.wait(30) == 1)
        #expect(r.stderr.hasSuffix("smoke check failed\n"), "\(r.stderr)")
    }

    @Test func aHeldHistogramsFindingNamesItsSampleLineWhenListenSeesEveryMetric() throws {
        // --show-source puts listen in front of the output; the histogram's sample places must pass through.
        let text = "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum NaN\nh_count 2\n# TYPE g gauge\ng 1\n"
        let script =
            "import os, socket; a = os.environ['METRICAT_LISTEN'].split('//')[1].rsplit(':', 1); "
            + "s = socket.create_connection((a[0], int(a[1]))); s.sendall(os.environ['TEXT'].encode()); s.close()"
        let r = try Binary.run(
            ["listen", "tcp://127.0.0.1:0", "--from", "prometheus", "--to", "json", "--show-source", "--timeout", "2s", "--", "python3", "-c", script],
            env: ["TEXT": text])
        #expect(r.stderr.contains(":4:7: field 'h_sum' of 'prometheus' is NaN, which JSON cannot carry: skipped"), "\(r.stderr)")
    }

    @Test func metricsWithoutATimestampGetTheTimeTheyArrived() throws {
        // Two datagrams 1.5 s apart: a listener that stamped its start time would give both the same second.
        let script = "\"$0\" send $METRICAT_LISTEN 'a:1|c' && sleep 1.5 && \"$0\" send $METRICAT_LISTEN 'b:1|c'"
        let before = Int(Date().timeIntervalSince1970)
        let r = try Binary.run(
            ["listen", "udp://127.0.0.1:0", "--from", "statsd", "--to", "json", "--count", "2", "--timeout", "10s", "--", "sh", "-c", script, Binary.path],
            env: ["METRICAT_NOW": ""])
        let after = Int(Date().timeIntervalSince1970)
        #expect(r.status == 0, "\(r)")
        let stamps = r.stdout.split(separator: "\n").compactMap { line in line.split(separator: ":").last.flatMap { Int($0.dropLast()) } }
        #expect(stamps.count == 2, "\(r.stdout)")
        guard stamps.count == 2 else { return }
        #expect(stamps[0] >= before && stamps[1] <= after, "\(stamps) outside \(before)...\(after)")
        #expect(stamps[1] - stamps[0] >= 1, "\(stamps)")
    }

    @Test func toAloneDetectsTheFormatInsteadOfPrintingRawLines() throws {
        let r = try Binary.run(["listen", "udp://127.0.0.1:0", "--to", "json", "--count", "1", "--timeout", "5s", "-v", "--"] + Self.sendDeploy)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "{\"fields\":{\"value\":1},\"name\":\"deploys\",\"tags\":{\"metric_type\":\"counter\"},\"timestamp\":1700000000}\n", "\(r)")
        #expect(r.stderr.contains(": reading statsd (bucket:value|type); set --from to choose\n"), "\(r.stderr)")
    }
}
