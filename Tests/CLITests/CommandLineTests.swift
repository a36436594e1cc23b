import Foundation
import Testing

/// The command-line contract, checked on the built binary: argv in; stdout, stderr, status out.
@Suite struct CommandLineTests {
    @Test func helpListsAllFiveSubcommands() throws {
        let r = try Binary.run(["--help"])
        #expect(r.status == 0)
        for name in ["send", "listen", "convert", "load", "tail-log"] {
            #expect(r.stdout.contains("\n  \(name) "), "help lacks \(name)")
        }
    }

    @Test func usageErrorsExit2() throws {
        let r = try Binary.run(["convert", "--to", "nosuch"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("nosuch"))
        let missing = try Binary.run(["convert"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--to"))
    }

    @Test func badFlagValuesNameTheFlag() throws {
        let r = try Binary.run(["convert", "--to", "influx", "--default-tags", "novalue"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--default-tags: 'novalue' is not key=value"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionsOfferTailLogParserNames(_ shell: String) throws {
        let r = try Binary.run(["--generate-completion-script", shell])
        #expect(r.status == 0)
        for name in ["sample", "log4j", "postfix", "squid", "apache-error", "metric", "json"] {
            #expect(r.stdout.contains(name), "\(shell) completion lacks the tail-log parser \(name)")
        }
    }

    /// send, listen and load show their own options in --help; the format options are behind
    /// --help-hidden (and in the man page); convert, whose subject they are, shows them.
    @Test(arguments: ["send", "listen", "load"])
    func helpShowsTheCommandsOwnOptions(_ command: String) throws {
        let help = try Binary.run([command, "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.split(separator: "\n").count < 150, "\(help.stdout)")
        #expect(!help.stdout.contains("--json-name-key"))
        #expect(help.stdout.contains("--help-hidden"), "the help should say where the format options are")
        let hidden = try Binary.run([command, "--help-hidden"])
        #expect(hidden.stdout.contains("--json-name-key"))
        #expect(hidden.stdout.contains("--influx-uint-support"))
    }

    @Test func convertHelpListsTheFormatOptions() throws {
        let help = try Binary.run(["convert", "--help"])
        #expect(help.stdout.contains("--json-name-key"))
        #expect(help.stdout.contains("--graphite-tag-support"))
    }

    @Test func repeatedDefaultTagsAccumulate() throws {
        let r = try Binary.run(
            ["convert", "--from", "influx", "--to", "influx", "--default-tags", "a=1", "--default-tags", "b=2,c=3", "--default-tags", "a=4"],
            input: "m,c=own v=1 1\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "m,a=4,b=2,c=own v=1 1\n")
    }

    @Test func anUnreadableFileIsAnIOErrorAndTheOthersStillConvert() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metricat-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "cpu value=1 1700000000000000000\n".write(to: dir.appendingPathComponent("good.lp"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["convert", "--from", "influx", "--to", "influx", "missing.lp", "good.lp"], cwd: dir)
        #expect(r.status == 74)
        #expect(r.stderr == "metricat: missing.lp: cannot open: No such file or directory\n")
        #expect(r.stdout == "cpu value=1 1700000000000000000\n")
    }

    @Test func badLinesAreReportedWithPositionAndTheRestGoesThrough() throws {
        let input = "cpu value=1 1\ncpu value= 2\nmem free=3i 3\n"
        let r = try Binary.run(["convert", "--from", "influx", "--to", "influx"], input: input)
        #expect(r.status == 65)
        #expect(r.stdout == "cpu value=1 1\nmem free=3i 3\n")
        #expect(r.stderr.hasPrefix("-:2:11: "), "\(r.stderr)")
    }

    @Test func aWavefrontTimestampPastNanosecondsIsAPositionedError() throws {
        // The tags make the input Wavefront for --from auto as well.
        let input = "a 1 1700000000 source=h\nm 1 9999999999999999 source=h\nm 1 9999999999999 source=h\nb 2 1700000000123 source=h\n"
        for from in ["wavefront", "auto"] {
            let r = try Binary.run(["convert", "--from", from, "--to", "json"], input: input)
            #expect(r.status == 65, "\(r)")
            #expect(
                r.stdout == """
                    {"fields":{"value":1},"name":"a","tags":{"source":"h"},"timestamp":1700000000}
                    {"fields":{"value":2},"name":"b","tags":{"source":"h"},"timestamp":1700000000}

                    """)
            #expect(
                r.stderr == """
                    -:2:5: timestamp "9999999999999999" is out of range: the latest is 2262-04-11T23:47:16Z
                    -:3:5: timestamp "9999999999999" is out of range: the latest is 2262-04-11T23:47:16Z

                    """)
        }
    }

    @Test func strictStopsAtTheFirstBadLine() throws {
        let input = "cpu value=1 1\ncpu value= 2\nmem free=3i 3\n"
        let r = try Binary.run(["convert", "--strict", "--from", "influx", "--to", "influx"], input: input)
        #expect(r.status == 65)
        #expect(r.stdout == "cpu value=1 1\n")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func autoDetectionRefusesAmbiguousInput() throws {
        let r = try Binary.run(["convert", "--to", "influx"], input: "a,b 1\n")
        #expect(r.status == 65)
        #expect(r.stderr.contains("-:1:1: cannot tell the input format: it could be"))
        #expect(r.stderr.contains("set --from"))
        #expect(r.stdout.isEmpty)
    }

    @Test func autoDetectionSaysWhatItChoseWithVerbose() throws {
        let r = try Binary.run(["convert", "-v", "--to", "influx"], input: "deploys:1|c\n")
        #expect(r.stderr.contains("metricat: -: reading statsd"))
    }

    @Test func optionsForFormatsNotInPlayAreNotedWithVerbose() throws {
        let r = try Binary.run(["convert", "-v", "--from", "influx", "--to", "influx", "--json-name-key", "n"], input: "cpu value=1 1\n")
        #expect(r.status == 0)
        #expect(r.stderr.contains("note: --json-name-key is ignored"))
        let quiet = try Binary.run(["convert", "--from", "influx", "--to", "influx", "--json-name-key", "n"], input: "cpu value=1 1\n")
        #expect(quiet.stderr.isEmpty)
    }

    /// influx -> json and influx -> influx take the direct path for the lines it can copy; -v counts
    /// them, and a line it cannot copy (an exponent, a broken value) still goes the full way.
    @Test func theDirectPathIsCountedWithVerbose() throws {
        let input = "cpu,host=a u=1.50,n=2i 1700000000000000000\ncpu,host=a u=1e3,n=3i 1700000000000000000\ncpu,host=a u=,n=4i 1\ncpu,host=a u=2,n=5i 1700000000000000000\n"
        let json = try Binary.run(["convert", "-v", "--from", "influx", "--to", "json"], input: input)
        #expect(json.status == 65)
        #expect(
            json.stdout == """
                {"fields":{"n":2,"u":1.5},"name":"cpu","tags":{"host":"a"},"timestamp":1700000000}
                {"fields":{"n":3,"u":1000},"name":"cpu","tags":{"host":"a"},"timestamp":1700000000}
                {"fields":{"n":5,"u":2},"name":"cpu","tags":{"host":"a"},"timestamp":1700000000}

                """)
        #expect(json.stderr.contains("-:3:14: expected field value\n"))
        #expect(json.stderr.contains("metricat: note: 2 of 3 metrics went straight from line protocol to JSON text\n"))
        let influx = try Binary.run(["convert", "-v", "--from", "influx", "--to", "influx"], input: input)
        #expect(influx.stdout.hasPrefix("cpu,host=a u=1.5,n=2i 1700000000000000000\ncpu,host=a u=1000,n=3i 1700000000000000000\n"))
        #expect(influx.stderr.contains("metricat: note: 2 of 3 metrics went straight from line protocol to line protocol text\n"))
    }

    @Test func aMillisecondTimestampReadAsNanosecondsGetsOneWarning() throws {
        let input = "cpu value=1 1700000000000\ncpu value=2 1700000001000\n"
        let r = try Binary.run(["convert", "--from", "influx", "--to", "influx"], input: input)
        #expect(r.status == 0)
        #expect(r.stderr == "-:1:13: warning: timestamp 1700000000000 is in 1970 when read as nanoseconds; it looks like milliseconds: set --precision\n")
        let fixed = try Binary.run(["convert", "--precision", "ms", "--from", "influx", "--to", "influx"], input: input)
        #expect(fixed.stderr.isEmpty)
        #expect(fixed.stdout.hasPrefix("cpu value=1 1700000000000"))
    }

    @Test func autoDetectionCarriesOverFilesAfterABadOne() throws {
        let dir = try temporaryDirectory("multi")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "cpu v= 1\n".write(to: dir.appendingPathComponent("bad.lp"), atomically: true, encoding: .utf8)
        try "mem v=2 2\n".write(to: dir.appendingPathComponent("good.lp"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["convert", "--to", "influx", "bad.lp", "good.lp"], cwd: dir)
        #expect(r.status == 65)
        #expect(r.stdout == "mem v=2 2\n")
        #expect(r.stderr == "bad.lp:1:7: expected field value\n")
    }

    /// Through line protocol and back, `--prometheus-type-tag` keeps counter and gauge types; without
    /// it they come back untyped (histograms and summaries keep their shape either way).
    @Test func prometheusTypesSurviveInfluxWithTheTypeTag() throws {
        let input = "# TYPE jobs_total counter\njobs_total{q=\"a\"} 3\n# TYPE temp gauge\ntemp 2\n"
        for (flag, counter, gauge) in [(true, "counter", "gauge"), (false, "untyped", "untyped")] {
            let influx = try Binary.run(["convert", "--from", "prometheus", "--to", "influx"] + (flag ? ["--prometheus-type-tag"] : []), input: input)
            #expect(influx.status == 0, "\(influx)")
            #expect(influx.stdout.contains("metric_type=counter") == flag, "\(influx.stdout)")
            let back = try Binary.run(["convert", "--from", "influx", "--to", "prometheus"], input: influx.stdout)
            #expect(back.status == 0, "\(back)")
            #expect(back.stdout.contains("# TYPE jobs_total \(counter)\njobs_total{q=\"a\"} 3\n"), "\(back.stdout)")
            #expect(back.stdout.contains("# TYPE temp \(gauge)\ntemp 2\n"), "\(back.stdout)")
            #expect(!back.stdout.contains("metric_type"), "\(back.stdout)")
        }
    }
}
