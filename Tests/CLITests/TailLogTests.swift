import Foundation
import Testing

/// `tail-log` end to end: state, first run, rotation, truncation, partial lines, delivery failures, locks.
@Suite struct TailLogTests {
    /// A log, its state file, and runs of the binary at chosen times.
    struct Log {
        let dir: URL
        var path: String { dir.appendingPathComponent("access.log").path }
        var state: String { dir.appendingPathComponent("access.state").path }

        init() throws { dir = try temporaryDirectory("taillog") }

        func write(_ text: String, to file: String? = nil) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file ?? path))
        }

        func append(_ text: String) throws {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try h.seekToEnd()
            try h.write(contentsOf: Data(text.utf8))
            try h.close()
        }

        /// Runs `tail-log --parser sample --totals` on the log at `now` (seconds).
        @discardableResult
        func run(_ extra: [String] = [], now: Int = 1_700_000_000, totals: Bool = true) throws -> Binary.Result {
            try Binary.run(
                ["tail-log", "--parser", "sample", "--state-file", state] + (totals ? ["--totals"] : []) + extra + [path],
                env: ["METRICAT_NOW": "\(now)000000000"])
        }

        /// Runs `tail-log --parser sample --totals` with stdout on `stdout` (`/dev/full`, a pipe nobody reads).
        func run(_ extra: [String] = [], stdout: FileHandle) throws -> Binary.Result {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binary.path)
            p.arguments = ["tail-log", "--parser", "sample", "--state-file", state, "--totals"] + extra + [path]
            p.environment = ProcessInfo.processInfo.environment.merging(["METRICAT_NOW": "1700000000000000000"]) { $1 }
            let err = Pipe()
            p.standardOutput = stdout
            p.standardError = err
            p.standardInput = FileHandle.nullDevice
            try p.run()
            try stdout.close()
            let bytes = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return Binary.Result(status: p.terminationStatus, stdout: "", stderr: String(decoding: bytes, as: UTF8.self), stdoutBytes: Data())
        }

        func stateText() throws -> String { try String(contentsOfFile: state, encoding: .utf8) }

        /// `http_2xx` etc. from Logster's stdout lines.
        func counts(_ r: Binary.Result) -> [String: String] {
            var out: [String: String] = [:]
            for line in r.stdout.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 3 { out[String(parts[1])] = String(parts[2]) }
            }
            return out
        }
    }

    static func line(_ status: Int) -> String {
        "10.0.0.1 - - [22/Nov/2026:01:02:03 +0000] \"GET /a HTTP/1.1\" \(status) 512 \"-\" \"curl/8\"\n"
    }

    static func lines(_ statuses: [Int]) -> String { statuses.map(line).joined() }

    @Test func firstRunCountsNothingThenRatesAreOverTheTimeSinceTheLastRun() throws {
        let log = try Log()
        try log.write(Self.lines([200, 200, 404]))
        let first = try log.run(now: 1_700_000_000, totals: false)
        #expect(first.status == 0 && first.stdout.isEmpty, "\(first)")
        try log.append(Self.lines([200, 200, 500, 301]))
        let second = try log.run(now: 1_700_000_010, totals: false)
        #expect(second.status == 0, "\(second)")
        #expect(
            second.stdout == """
                1700000010 http_1xx 0.0
                1700000010 http_2xx 0.2
                1700000010 http_3xx 0.1
                1700000010 http_4xx 0.0
                1700000010 http_5xx 0.1

                """)
        let third = try log.run(now: 1_700_000_010)
        #expect(log.counts(third)["http_2xx"] == "0", "a duration of 0 is no error: \(third)")
        let state = try String(contentsOfFile: log.state, encoding: .utf8)
        #expect(state.contains("offset \(Self.lines([200, 200, 404, 200, 200, 500, 301]).utf8.count)\n"), "\(state)")
        #expect(state.contains("last-run 1700000010\n"))
    }

    @Test func fromStartPrefixSuffixSeparatorAndLogstersPositionalForm() throws {
        let log = try Log()
        try log.write(Self.lines([200, 404]))
        let r = try Binary.run(
            ["tail-log", "-s", log.dir.path, "--from-start", "--totals", "-p", "web", "-x", "all", "-o", "stdout", "--stdout-separator", ".", "SampleLogster", log.path],
            env: ["METRICAT_NOW": "1700000000000000000"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("1700000000 web.http_2xx.all 1\n") && r.stdout.contains("1700000000 web.http_4xx.all 1\n"), "\(r.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: log.dir.path)
        #expect(files.contains { $0.hasPrefix("sample-") && $0.hasSuffix("-access.log.state") }, "\(files)")
    }

    @Test func aPartialLastLineWaitsForItsNewline() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        let half = Self.line(500)
        try log.append(Self.line(200) + half.dropLast(10))
        let r1 = try log.run()
        #expect(log.counts(r1)["http_2xx"] == "1" && log.counts(r1)["http_5xx"] == "0", "\(r1)")
        try log.append(String(half.suffix(10)))
        let r2 = try log.run()
        #expect(log.counts(r2)["http_5xx"] == "1" && log.counts(r2)["http_2xx"] == "0", "\(r2)")
    }

    @Test func aRenamedLogIsFinishedThenTheNewOneReadFromTheStart() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        try log.run()
        try log.append(Self.lines([404]))
        try FileManager.default.moveItem(atPath: log.path, toPath: log.path + ".1")
        try log.write(Self.lines([500, 500]))
        let r = try log.run(["-v"])
        #expect(log.counts(r)["http_4xx"] == "1" && log.counts(r)["http_5xx"] == "2", "\(r)")
        #expect(r.stderr.contains("rotated to \(log.path).1"), "\(r.stderr)")
        // Date-stamped rotation (logrotate's dateext).
        try log.append(Self.lines([301]))
        try FileManager.default.moveItem(atPath: log.path, toPath: log.path + "-20261122")
        try log.write(Self.lines([200]))
        let d = try log.run()
        #expect(log.counts(d)["http_3xx"] == "1" && log.counts(d)["http_2xx"] == "1" && log.counts(d)["http_5xx"] == "0", "\(d)")
    }

    @Test func aRotatedLogCompressedToGzIsReadToo() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        try log.run()
        try log.append(Self.lines([404, 404]))
        try FileManager.default.moveItem(atPath: log.path, toPath: log.path + ".1")
        let gz = try Background("/usr/bin/env", ["gzip", log.path + ".1"])
        #expect(gz.wait() == 0)
        #expect(FileManager.default.fileExists(atPath: log.path + ".1.gz"))
        try log.write(Self.lines([500]))
        let r = try log.run(["-v"])
        #expect(log.counts(r)["http_4xx"] == "2" && log.counts(r)["http_5xx"] == "1" && log.counts(r)["http_2xx"] == "0", "\(r)")
        #expect(r.stderr.contains(".1.gz"), "\(r.stderr)")
    }

    @Test func copytruncateReadsTheRestOfTheCopy() throws {
        let log = try Log()
        try log.write(Self.lines([200, 200]))
        try log.run()
        try log.append(Self.lines([404]))
        try FileManager.default.copyItem(atPath: log.path, toPath: log.path + ".1")
        try log.write("")  // truncate in place: same inode
        try log.append(Self.lines([500]))
        let r = try log.run()
        #expect(log.counts(r)["http_4xx"] == "1" && log.counts(r)["http_5xx"] == "1" && log.counts(r)["http_2xx"] == "0", "\(r)")
    }

    @Test func aTruncatedLogIsReadFromTheStartWithAWarning() throws {
        let log = try Log()
        try log.write(Self.lines([200, 200, 200]))
        try log.run()
        try log.write(Self.lines([404]))  // same inode, shorter, no copy beside it
        let r = try log.run()
        #expect(log.counts(r)["http_4xx"] == "1" && log.counts(r)["http_2xx"] == "0", "\(r)")
        #expect(r.stderr.contains("truncated"), "\(r.stderr)")
    }

    @Test func aLogThatRegrewPastTheOldOffsetIsToldApartByItsFirstLine() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        try log.run()
        // Same inode, rewritten with a different first line and now longer than the old offset:
        // Logster would resume mid-way; the fingerprint says it is a new log.
        try log.write("# new log\n" + Self.lines([500, 500, 500]))
        let r = try log.run(["-v"])
        #expect(log.counts(r)["http_5xx"] == "3", "\(r)")
    }

    @Test func anUnreachableOutputKeepsTheStateSoNothingIsLostOrCountedTwice() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        try log.append(Self.lines([200, 200]))
        let before = try String(contentsOfFile: log.state, encoding: .utf8)
        let failed = try log.run(["--output", "tcp://127.0.0.1:\(freePort())", "--retry", "0"])
        #expect(failed.status == 69, "\(failed)")
        #expect(failed.stderr.contains("read again next run"), "\(failed.stderr)")
        #expect(try String(contentsOfFile: log.state, encoding: .utf8) == before)
        let again = try log.run()
        #expect(log.counts(again)["http_2xx"] == "2", "nothing lost: \(again)")
        let once = try log.run()
        #expect(log.counts(once)["http_2xx"] == "0", "nothing counted twice: \(once)")
    }

    @Test func aFailedWriteToStdoutFailsTheRunAndKeepsTheState() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        try log.append(Self.lines([200, 200, 404]))
        let before = try log.stateText()
        let full = try log.run(stdout: try #require(FileHandle(forWritingAtPath: "/dev/full")))
        #expect(full.status == 74, "\(full)")
        #expect(full.stderr.contains("metricat: tail-log: write to stdout failed: No space left on device\n"), "\(full.stderr)")
        #expect(full.stderr.contains("read again next run"), "\(full.stderr)")
        #expect(try log.stateText() == before)
        // A pipe whose reader is gone: EPIPE, not a silent exit 0 (nor a death by SIGPIPE).
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let closed = try log.run(stdout: pipe.fileHandleForWriting)
        #expect(closed.status == 74, "\(closed)")
        #expect(closed.stderr.contains("write to stdout failed: Broken pipe\n"), "\(closed.stderr)")
        #expect(try log.stateText() == before)
        // --dry-run prints to stdout too.
        let dry = try log.run(["-d", "-o", "graphite", "--graphite-host", "127.0.0.1:2003"], stdout: try #require(FileHandle(forWritingAtPath: "/dev/full")))
        #expect(dry.status == 74 && dry.stderr.contains("write to stdout failed"), "\(dry)")
        #expect(try log.stateText() == before)
        let again = try log.run()
        #expect(again.status == 0 && log.counts(again)["http_2xx"] == "2" && log.counts(again)["http_4xx"] == "1", "nothing lost: \(again)")
        #expect(try log.stateText().contains("offset \(Self.lines([200, 200, 404]).utf8.count)\n"))
    }

    @Test func aFailedSendToANetworkOutputKeepsTheState() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        try log.append(Self.lines([500]))
        let before = try log.stateText()
        // A unix datagram socket nobody listens on, and a TCP port nobody listens on, after stdout took the lines.
        let r = try log.run(["-o", "-", "-o", "unixgram://\(log.dir.path)/none.sock", "-o", "tcp://127.0.0.1:\(freePort())", "--retry", "0"])
        #expect(r.status == 69, "\(r)")
        #expect(log.counts(r)["http_5xx"] == "1", "\(r)")
        #expect(r.stderr.contains("unixgram://\(log.dir.path)/none.sock: ") && r.stderr.contains("read again next run"), "\(r.stderr)")
        #expect(try log.stateText() == before)
        let again = try log.run()
        #expect(again.status == 0 && log.counts(again)["http_5xx"] == "1", "\(again)")
        #expect(try log.stateText() != before)
    }

    @Test func aLogThatCannotBeReadIsAnErrorOnEveryRunAndGetsNoState() throws {
        let log = try Log()
        try Data().write(to: log.dir.appendingPathComponent("file"))
        let fifo = log.dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createDirectory(atPath: log.path, withIntermediateDirectories: false)
        let cases = [
            (log.path, "Is a directory"),
            (log.dir.appendingPathComponent("file/access.log").path, "Not a directory"),
            (fifo, "not a regular file"),
        ]
        for (path, reason) in cases {
            for _ in 0..<2 {
                let r = try Binary.run(["tail-log", "--parser", "sample", "--state-file", log.state, "-v", path])
                #expect(r.status == 74, "\(r)")
                #expect(r.stderr.contains("metricat: tail-log: \(path): cannot read: \(reason)\n"), "\(r.stderr)")
                #expect(!r.stderr.contains("starting at the end") && !r.stderr.contains("truncated"), "\(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: log.state), "no state for a log that cannot be read")
            }
        }
        // A symlink to nothing yet is a log that does not exist yet: a note, exit 0, no state.
        let link = log.dir.appendingPathComponent("later.log").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: log.dir.appendingPathComponent("nothing").path)
        let missing = try Binary.run(["tail-log", "--parser", "sample", "--state-file", log.state, link])
        #expect(missing.status == 0 && missing.stderr.contains("\(link) does not exist: nothing to read"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: log.state))
    }

    /// Runs another program (a shell, setpriv, unshare) to its end, within a minute.
    static func exec(_ executable: String, _ args: [String], env: [String: String] = [:]) throws -> Binary.Result {
        let bg = try Background(executable, args, env: env)
        let status = bg.wait(60) ?? -1
        return Binary.Result(status: status, stdout: bg.stdout, stderr: bg.stderr, stdoutBytes: Data(bg.stdout.utf8))
    }

    /// Runs the binary as `nobody` (the tests run as root, whom permission bits do not stop).
    static func runAsNobody(_ args: [String]) throws -> Binary.Result {
        try Self.exec(try #require(which("setpriv")), ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", Binary.path] + args)
    }

    /// Root with setpriv: a run as another user can be denied what root is not.
    static let canRunAsNobody = getuid() == 0 && which("setpriv") != nil

    @Test(.enabled(if: canRunAsNobody, "needs root and setpriv"))
    func aLogWithoutReadPermissionIsAnErrorOnEveryRun() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        #expect(chmod(log.path, 0) == 0)
        let stateDir = log.dir.appendingPathComponent("st")
        try FileManager.default.createDirectory(at: stateDir, withIntermediateDirectories: false)
        #expect(chown(stateDir.path, 65534, 65534) == 0)
        let state = stateDir.appendingPathComponent("access.state").path
        for _ in 0..<2 {
            let r = try Self.runAsNobody(["tail-log", "--parser", "sample", "--state-file", state, "-v", log.path])
            #expect(r.status == 74, "\(r)")
            #expect(r.stderr.contains("metricat: tail-log: \(log.path): cannot read: Permission denied\n"), "\(r.stderr)")
            #expect(!r.stderr.contains("starting at the end") && !r.stderr.contains("truncated"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: state))
        }
    }

    @Test(.enabled(if: canRunAsNobody, "needs root and setpriv"))
    func aStateThatCannotBeWrittenStopsARunBeforeItSendsAnything() throws {
        let log = try Log()
        try log.write("")
        let stateDir = log.dir.appendingPathComponent("st")
        try FileManager.default.createDirectory(at: stateDir, withIntermediateDirectories: false)
        let state = stateDir.appendingPathComponent("access.state").path
        let args = ["tail-log", "--parser", "sample", "--totals", "--state-file", state, log.path]
        #expect(try Binary.run(args).status == 0)
        // The state directory stays root's (0755): nobody can read the state and take the lock
        // (its own lock file) but cannot create the new state beside the old one.
        #expect(chown(state + ".lock", 65534, 65534) == 0)
        try log.append(Self.lines([200, 404]))
        let before = try String(contentsOfFile: state, encoding: .utf8)
        for _ in 0..<2 {
            let r = try Self.runAsNobody(args)
            #expect(r.status == 74, "\(r)")
            #expect(r.stdout.isEmpty, "nothing sent while the state cannot be written: \(r)")
            #expect(r.stderr.contains("metricat: tail-log: \(state): cannot write the state file: Permission denied: nothing was sent"), "\(r.stderr)")
            #expect(try String(contentsOfFile: state, encoding: .utf8) == before)
        }
        let r = try Binary.run(args)
        #expect(r.status == 0 && log.counts(r)["http_2xx"] == "1" && log.counts(r)["http_4xx"] == "1", "counted once: \(r)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: stateDir.path).sorted() == ["access.state", "access.state.lock"], "no temporary file left")
    }

    /// True when this process may mount a tmpfs in a mount namespace of its own (root in most test setups).
    static let canMountTmpfs: Bool = {
        guard let unshare = which("unshare"), let dir = try? temporaryDirectory("mnt") else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        return (try? TailLogTests.exec(unshare, ["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \(dir.path)"]).status) == 0
    }()

    @Test(.enabled(if: canMountTmpfs, "needs unshare and mount (root)"))
    func aFullDiskUnderTheStateStopsRunsBeforeTheySendAnything() throws {
        let log = try Log()
        try log.write("")
        let stateDir = log.dir.appendingPathComponent("st")
        try FileManager.default.createDirectory(at: stateDir, withIntermediateDirectories: false)
        let out = log.dir.path
        // A 64 KiB tmpfs holds the state; it is filled up after the first run. Each run's stdout,
        // stderr and status go to files outside it.
        let run = "\"$BIN\" tail-log --parser sample --totals --state-file \(stateDir.path)/access.state \(log.path)"
        let script = """
            mount -t tmpfs -o size=64k tmpfs \(stateDir.path) || exit 99
            \(run) >\(out)/out0 2>\(out)/err0; echo $? >\(out)/rc0
            printf '%s' "$LINES" >>\(log.path)
            dd if=/dev/zero of=\(stateDir.path)/fill bs=4096 2>/dev/null
            \(run) >\(out)/out1 2>\(out)/err1; echo $? >\(out)/rc1
            \(run) >\(out)/out2 2>\(out)/err2; echo $? >\(out)/rc2
            rm \(stateDir.path)/fill
            \(run) >\(out)/out3 2>\(out)/err3; echo $? >\(out)/rc3
            ls -A \(stateDir.path) >\(out)/ls
            """
        let r = try Self.exec(try #require(which("unshare")), ["-m", "sh", "-c", script], env: ["BIN": Binary.path, "LINES": Self.lines([200, 200, 500])])
        #expect(r.status == 0, "\(r)")
        var files: [String: String] = [:]
        for name in ["rc0", "ls"] + (1...3).flatMap({ ["rc\($0)", "out\($0)", "err\($0)"] }) {
            files[name] = try String(contentsOfFile: "\(out)/\(name)", encoding: .utf8)
        }
        #expect(files["rc0"] == "0\n")
        for i in 1...2 {
            let err = files["err\(i)"] ?? ""
            #expect(files["rc\(i)"] == "74\n", "\(err)")
            #expect(files["out\(i)"] == "", "nothing sent on a full disk")
            #expect(err.contains("\(stateDir.path)/access.state: cannot write the state file: No space left on device: nothing was sent"), "\(err)")
        }
        let out3 = files["out3"] ?? ""
        #expect(files["rc3"] == "0\n", "\(files["err3"] ?? "")")
        #expect(out3.contains(" http_2xx 2\n") && out3.contains(" http_5xx 1\n"), "\(out3)")
        #expect(files["ls"] == "access.state\naccess.state.lock\n")
    }

    @Test func followCarriesOnWithTheOffsetInMemoryWhenTheStateCannotBeSaved() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        let bg = try Background.metricat([
            "tail-log", "--parser", "sample", "--state-file", log.state, "--totals", "--follow", "--interval", "300ms", "--follow-cycles", "10", log.path,
        ])
        #expect(bg.waitFor(5) { _, _ in FileManager.default.fileExists(atPath: log.state) })
        // A directory where the state file was: every later save fails (EISDIR) after delivery.
        // (Retried: a cycle may put a state file back between the removal and the mkdir.)
        for _ in 0..<20 where !FileManager.default.fileExists(atPath: log.state + "/x") {
            try? FileManager.default.removeItem(atPath: log.state)
            try? FileManager.default.createDirectory(atPath: log.state + "/x", withIntermediateDirectories: true)
        }
        #expect(FileManager.default.fileExists(atPath: log.state + "/x"))
        try log.append(Self.lines([200, 200]))
        Thread.sleep(forTimeInterval: 0.7)
        try log.append(Self.lines([404]))
        #expect(bg.wait(10) == 74, "\(bg.stderr)")
        var sums: [String: Int] = [:]
        for line in bg.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 3 { sums[String(parts[1]), default: 0] += Int(parts[2]) ?? 0 }
        }
        #expect(sums == ["http_1xx": 0, "http_2xx": 2, "http_3xx": 0, "http_4xx": 1, "http_5xx": 0], "each line once: \(bg.stdout)")
        let said =
            "metricat: tail-log: the metrics were delivered but the state was not saved: \(log.state): cannot write the state file: Is a directory: carrying on with the offset kept in memory\n"
        #expect(bg.stderr.components(separatedBy: said).count == 2, "said once: \(bg.stderr)")
    }

    @Test func aLinkPlantedAtTheLockPathIsNotFollowed() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        let victim = log.dir.appendingPathComponent("victim").path
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: log.state + ".lock", withDestinationPath: victim)
        let r = try log.run()
        #expect(r.status == 74, "\(r)")
        #expect(r.stderr.contains("\(log.state).lock: the lock file is a symbolic link: refusing to follow it"), "\(r.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: log.state))
        // A hard link to the victim in its place.
        try FileManager.default.removeItem(atPath: log.state + ".lock")
        #expect(link(victim, log.state + ".lock") == 0)
        let hard = try log.run()
        #expect(hard.status == 74, "\(hard)")
        #expect(hard.stderr.contains("\(log.state).lock: the lock file has 2 links: refusing to write to it (remove it)"), "\(hard.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: log.state))
    }

    @Test func aLinkPlantedAtAGuessedTemporaryPathIsNotFollowed() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        try log.append(Self.lines([200, 200]))
        let victim = log.dir.appendingPathComponent("victim").path
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        // The shell plants `<state>.tmp.<its pid>` and then becomes the run (exec keeps the pid).
        let r = try Self.exec(
            "/bin/sh", ["-c", "ln -s \"$VICTIM\" \"$STATE.tmp.$$\" && exec \"$BIN\" tail-log --parser sample --totals --state-file \"$STATE\" \"$LOG\""],
            env: ["VICTIM": victim, "STATE": log.state, "LOG": log.path, "BIN": Binary.path])
        #expect(r.status == 0 && log.counts(r)["http_2xx"] == "2", "\(r)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try log.stateText().contains("offset \(Self.lines([200, 200]).utf8.count)\n"))
        let links = try FileManager.default.contentsOfDirectory(atPath: log.dir.path).filter { $0.hasPrefix("access.state.tmp.") }
        #expect(links.count == 1, "only the planted link, no temporary file left: \(links)")
    }

    @Test func aTemporaryStateLeftByAKilledRunIsRemoved() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        let victim = log.dir.appendingPathComponent("victim").path
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try "metricat-tail-log-state 1\n".write(toFile: log.state + ".tmp.Ab12Cd", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: log.state + ".tmp.Zz99Zz", withDestinationPath: victim)
        try "not ours\n".write(toFile: log.state + ".tmp.longer-name", atomically: false, encoding: .utf8)
        let r = try log.run()
        #expect(r.status == 0, "\(r)")
        let left = try FileManager.default.contentsOfDirectory(atPath: log.dir.path).filter { $0.hasPrefix("access.state.tmp.") }.sorted()
        #expect(left == ["access.state.tmp.Zz99Zz", "access.state.tmp.longer-name"], "a regular leftover is removed, a link and other names are not: \(left)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aStateDirectoryOthersCanWriteIsRefusedUnlessSticky() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        let shared = log.dir.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: false)
        #expect(chmod(shared.path, 0o777) == 0)
        let state = shared.appendingPathComponent("access.state").path
        let r = try Binary.run(["tail-log", "--parser", "sample", "--state-file", state, log.path])
        #expect(r.status == 74, "\(r)")
        #expect(
            r.stderr
                == "metricat: tail-log: \(shared.path): the state directory is writable by others and not sticky, so another user could plant links in it (run chmod o-w \(shared.path), or chmod +t \(shared.path))\n",
            "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared.path).isEmpty, "not even a lock file")
        #expect(chmod(shared.path, 0o1777) == 0)
        let sticky = try Binary.run(["tail-log", "--parser", "sample", "--state-file", state, log.path])
        #expect(sticky.status == 0 && FileManager.default.fileExists(atPath: state), "\(sticky)")
    }

    @Test func aCopytruncateWhileARunIsUnderWayLosesNoLine() throws {
        let log = try Log()
        try log.write("")
        let args = ["tail-log", "--state-file", log.state, "--totals", "--count", #"hit=id=(?<id>\w+) "#, log.path]
        #expect(try Binary.run(args).status == 0)
        // 5000 distinct ids make an output larger than a pipe holds: the run blocks writing it,
        // after reading the log and before saving its state, and the log is rotated in that window.
        try log.append((0..<5000).map { "id=\($0) ok\n" }.joined())
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let rfd = out.fileHandleForReading.fileDescriptor
        let capacity = fcntl(rfd, 1032)  // F_GETPIPE_SZ (not exported to Swift)
        var queued: Int32 = 0
        for _ in 0..<200 where queued < capacity {
            Thread.sleep(forTimeInterval: 0.05)
            _ = ioctl(rfd, UInt(FIONREAD), &queued)
        }
        #expect(queued == capacity, "the run is blocked on a full pipe")
        try log.append((0..<3).map { _ in "id=late ok\n" }.joined())  // after the run read the log
        try FileManager.default.copyItem(atPath: log.path, toPath: log.path + ".1")
        try log.write("")  // truncate in place: same inode
        try log.append("id=new ok\nid=new ok\n")
        let blocked = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(blocked.split(separator: "\n").count == 5000)
        #expect(stderr.contains("\(log.path): truncated while this run was under way"), "\(stderr)")
        let next = try Binary.run(args + ["-v"])
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout.split(separator: "\n").map { String($0.split(separator: " ").dropFirst().joined(separator: " ")) }.sorted() == ["hit_late 3", "hit_new 2"], "\(next)")
        #expect(next.stderr.contains("truncated after a copy to \(log.path).1"), "\(next.stderr)")
    }

    @Test func aHeldLockStopsASecondRunAndAStaleOneDoesNot() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        try log.run()
        let holder = try Background("/usr/bin/flock", [log.state + ".lock", "sleep", "5"])
        defer { holder.process.terminate() }
        Thread.sleep(forTimeInterval: 0.3)
        let blocked = try log.run()
        #expect(blocked.status == 1, "\(blocked)")
        #expect(blocked.stderr.contains("holds \(log.state).lock"), "\(blocked.stderr)")
        holder.process.terminate()
        holder.process.waitUntilExit()
        // The lock file is still there, with a dead pid in it: not a reason to stop.
        try "999999\n".write(toFile: log.state + ".lock", atomically: false, encoding: .utf8)
        try log.append(Self.lines([404]))
        let r = try log.run()
        #expect(r.status == 0 && log.counts(r)["http_4xx"] == "1", "\(r)")
    }

    @Test func aMissingLogIsQuietUnlessRequired() throws {
        let log = try Log()
        let r = try log.run()
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
        #expect(r.stderr.contains("does not exist"), "\(r.stderr)")
        let req = try log.run(["--require"])
        #expect(req.status == 74, "\(req)")
    }

    @Test func dryRunPrintsWhatWouldBeSentAndKeepsTheState() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        try log.append(Self.lines([200]))
        let before = try String(contentsOfFile: log.state, encoding: .utf8)
        let r = try log.run(["-d", "-o", "graphite", "--graphite-host", "127.0.0.1:2003", "-o", "statsd", "--statsd-host", "127.0.0.1:8125", "-p", "web"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("tcp://127.0.0.1:2003 web.http_2xx 1 1700000000\n"), "\(r.stdout)")
        #expect(r.stdout.contains("udp://127.0.0.1:8125 web.http_2xx:1|g\n"), "\(r.stdout)")
        #expect(try String(contentsOfFile: log.state, encoding: .utf8) == before)
    }

    @Test func unmatchedAndInvalidUTF8LinesAreShownWithDebugAndNeverAbort() throws {
        let log = try Log()
        try log.write("")
        try log.run()
        var bytes = Data(Self.line(200).utf8)
        bytes.append(contentsOf: Array("bad \u{1}".utf8) + [0xFF, 0xFE, 0x0A])
        bytes.append(Data("GET / HTTP/2.0\" 200 1 x\n".utf8))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log.path))
        try h.seekToEnd()
        try h.write(contentsOf: bytes)
        try h.close()
        let r = try log.run(["-D", "-v"])
        #expect(r.status == 0 && log.counts(r)["http_2xx"] == "1", "\(r)")
        #expect(r.stderr.contains("unmatched (not valid UTF-8): bad \\x01\\xff\\xfe"), "\(r.stderr)")
        #expect(r.stderr.contains("2 unmatched, 1 not valid UTF-8"), "\(r.stderr)")
    }

    @Test func userRulesWithTagsInAnyFormat() throws {
        let log = try Log()
        try log.write(Self.lines([200, 404, 404]) + "took 12ms\ntook 8ms\n")
        let r = try Binary.run(
            [
                "tail-log", "--state-file", log.state, "--from-start", "--totals", "--count", #"requests=" (?<status>\d{3}) "#,
                "--timer", #"latency=took (?<value>\d+)ms"#, "--output", "-", "--format", "influx", log.path,
            ], env: ["METRICAT_NOW": "1700000000000000000"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("requests,status=200 value=1i 1700000000000000000\n"), "\(r.stdout)")
        #expect(r.stdout.contains("requests,status=404 value=2i 1700000000000000000\n"), "\(r.stdout)")
        #expect(r.stdout.contains("latency.mean value=10 1700000000000000000\n"), "\(r.stdout)")
        let bad = try Binary.run(["tail-log", "--sum", "x=no value capture", log.path])
        #expect(bad.status == 2 && bad.stderr.contains("named capture 'value'"), "\(bad)")
    }

    @Test func followEmitsEveryIntervalAndStops() throws {
        let log = try Log()
        try log.write(Self.lines([200, 200]))
        let r = try Binary.run([
            "tail-log", "--parser", "sample", "--state-file", log.state, "--from-start", "--totals", "--follow", "--interval", "200ms", "--follow-cycles", "2", log.path,
        ])
        #expect(r.status == 0, "\(r)")
        let twoxx = r.stdout.split(separator: "\n").filter { $0.contains("http_2xx") }.map { $0.split(separator: " ")[2] }
        #expect(twoxx == ["2", "0"], "\(r.stdout)")
    }

    @Test func followSurvivesARotation() throws {
        let log = try Log()
        try log.write(Self.lines([200]))
        let bg = try Background.metricat([
            "tail-log", "--parser", "sample", "--state-file", log.state, "--totals", "--follow", "--interval", "300ms", "--follow-cycles", "6", log.path,
        ])
        // The first cycle records the end of the log; then lines arrive, the log is rotated, more arrive.
        #expect(bg.waitFor(5) { _, _ in FileManager.default.fileExists(atPath: log.state) })
        try log.append(Self.lines([200, 404]))
        try FileManager.default.moveItem(atPath: log.path, toPath: log.path + ".1")
        try log.write(Self.lines([500, 200]))
        #expect(bg.wait(10) == 0, "\(bg.stderr)")
        var sums: [String: Int] = [:]
        for line in bg.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 3 { sums[String(parts[1]), default: 0] += Int(parts[2]) ?? 0 }
        }
        #expect(sums == ["http_1xx": 0, "http_2xx": 2, "http_3xx": 0, "http_4xx": 1, "http_5xx": 1], "\(bg.stdout)")
    }

    @Test func aBigLogsFirstRunIsRecordedAndTheSamePathSpelledTwoWaysSharesItsState() throws {
        // Logster on Python 3 never records a first run on a log over 64 KiB (logtail dies of SIGPIPE).
        let log = try Log()
        try log.write(String(repeating: Self.line(200), count: 2000))
        let args = ["tail-log", "--parser", "sample", "-s", "st", "--totals"]
        let first = try Binary.run(args + ["access.log"], cwd: log.dir)
        #expect(first.status == 0 && first.stdout.isEmpty, "\(first)")
        try log.append(Self.lines([404]))
        let second = try Binary.run(args + ["./access.log"], cwd: log.dir)
        #expect(log.counts(second)["http_4xx"] == "1" && log.counts(second)["http_2xx"] == "0", "\(second)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: log.dir.appendingPathComponent("st").path).filter { $0.hasSuffix(".state") }.count == 1)
    }

    @Test func timerRulesUseThePercentilesFlag() throws {
        let log = try Log()
        try log.write("took 10ms\ntook 20ms\ntook 30ms\ntook 40ms\n")
        let r = try Binary.run(
            ["tail-log", "--state-file", log.state, "--from-start", "--timer", #"t=took (?<value>\d+)ms"#, "--percentiles", "50,75", log.path],
            env: ["METRICAT_NOW": "1700000000000000000"])
        #expect(r.stdout == "1700000000 t.mean 25.0\n1700000000 t.median 25.0\n1700000000 t.50th_percentile 25.0\n1700000000 t.75th_percentile 32.5\n", "\(r)")
    }

    /// Every parser over a log file the test writes, through the binary, in Logster's stdout form.
    @Test(arguments: [
        (
            "log4j", "2024-05-01 12:00:00,123 ERROR a\n12:00:01 WARN b\n12:00:02 WARNING c\n12:00:03 INFO d\n", ["--log-levels", "WARN,ERROR"],
            "WARN 2\nERROR 1\n"
        ),
        (
            "PostfixLogster", "x: to=<a>, delay=2.5, delays=1, status=sent (ok)\nx: to=<b>, delay=1, status=deferred\n", [],
            "numSent 1\npctSent 50.0\nnumDeferred 1\npctDeferred 50.0\nnumBounced 0\npctBounced 0.0\nmailTxnsSec 2\nmailSentSec 1\navgDelay 2.5\n"
        ),
        (
            "squid", "1700000000.1 120 10.0.0.1 TCP_HIT/200 800 GET http://a/ - NONE/- -\n", [],
            "http_1xx 0\nhttp_2xx 1\nhttp_3xx 0\nhttp_4xx 0\nhttp_5xx 0\nsize 800\nelapsed_ms 120\nsquid_TCP_MISS 0\nsquid_TCP_DENIED 0\nsquid_TCP_HIT 1\nsquid_TCP_MEM_HIT 0\nsquid_OTHER 0\n"
        ),
        ("apache-error", "[Sun Nov 22 2026] [error] x\n[Sun Nov 22 2026] [core:crit] y\n", [], "notice 0\nwarn 0\nerror 1\ncrit 1\nother 0\n"),
        (
            "metric", "METRIC_COUNT metric=hits value=2 \nMETRIC_TIME metric=t value=4ms\nMETRIC_TIME metric=t value=.\n", ["--parser-options", "-p 50"],
            "hits 2.0\nt.mean 4.0\nt.median 4.0\nt.50th_percentile 4.0\n"
        ),
        ("json", "{\"a\": {\"b\": 1}}\n{\"c\": [2.5]}\nnot json\n", [], "c.0 2.5\n"),
    ])
    func eachParserOverAGeneratedLog(parser: String, text: String, extra: [String], expected: String) throws {
        let log = try Log()
        try log.write(text)
        let r = try Binary.run(
            ["tail-log", "--parser", parser, "--state-file", log.state, "--from-start", "--totals"] + extra + [log.path],
            env: ["METRICAT_NOW": "1700000000000000000"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == expected.split(separator: "\n").map { "1700000000 \($0)\n" }.joined(), "\(r)")
    }
}
