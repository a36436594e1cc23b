import Testing

@testable import MetricFormats

/// Telegraf's template vectors: plugins/parsers/graphite/parser_test.go (TestTemplateApply,
/// TestApplyTemplate*) and internal/templating/engine_test.go.
@Suite struct GraphiteTemplateTests {
    static func tags(_ m: GraphiteTemplateMatch) -> [String: String] {
        Dictionary(m.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var input: String
        var template: String
        var measurement: String
        var tags: [String: String] = [:]
        var field: String = ""
        var testDescription: String { "\(template) on \(input)" }
    }

    // TestTemplateApply (the "no metric" row is the error test below).
    static let applyRows: [Row] = [
        Row(input: "cpu", template: "measurement", measurement: "cpu"),
        Row(input: "cpu.server01", template: "measurement.hostname", measurement: "cpu", tags: ["hostname": "server01"]),
        Row(input: "cpu.us-west.server01", template: "measurement.region.hostname", measurement: "cpu", tags: ["hostname": "server01", "region": "us-west"]),
        Row(
            input: "server01.example.org.cpu.us-west", template: "hostname.hostname.hostname.measurement.region", measurement: "cpu",
            tags: ["hostname": "server01.example.org", "region": "us-west"]),
        Row(input: "foo.cpu", template: "measurement", measurement: "foo"),
        Row(input: "foo", template: "measurement.A.B.C", measurement: "foo"),
        Row(
            input: "prod.us-west.server01.cpu.load", template: "env.zone.host.measurement*", measurement: "cpu.load", tags: ["env": "prod", "zone": "us-west", "host": "server01"]),
        Row(input: "ignore.us-west.ignore-this-too.cpu.load", template: ".zone..measurement*", measurement: "cpu.load", tags: ["zone": "us-west"]),
        Row(
            input: "prod.us-west.server01.cpu.util.idle.percent", template: "env.zone.host.measurement.measurement.field*", measurement: "cpu.util",
            tags: ["env": "prod", "zone": "us-west", "host": "server01"], field: "idle.percent"),
        Row(
            input: "prod.us-west.server01.cpu.util.idle.percent.free", template: "env.zone.host.measurement.measurement.field.field.reading", measurement: "cpu.util",
            tags: ["env": "prod", "zone": "us-west", "host": "server01", "reading": "free"], field: "idle.percent"),
    ]

    @Test(arguments: applyRows)
    func templateApply(_ row: Row) throws {
        let t = try GraphiteTemplate(row.template)
        let m = t.apply(Substring(row.input), joiner: ".")
        #expect(m.measurement == row.measurement)
        #expect(Self.tags(m) == row.tags)
        #expect(m.field == row.field)
    }

    @Test func templateErrors() {
        #expect(throws: FormatError.invalidOption("--templates", "template \"\" has no measurement part (example: --templates 'servers.* .host.measurement*')")) {
            try GraphiteTemplate("")
        }
        // TestParseMissingMeasurement
        #expect(throws: FormatError.invalidOption("--templates", "template \"a.b.c\" has no measurement part (example: --templates 'servers.* .host.measurement*')")) {
            try GraphiteTemplateEngine(templates: ["a.b.c"])
        }
        // TestParseLine "measurement* and field* (invalid)": Telegraf fails each line; metricat at start.
        #expect(
            throws: FormatError.invalidOption(
                "--templates", "template \"env.zone.host.measurement*.field*\" uses both measurement* and field*: only one of them can take the rest of the path")
        ) {
            try GraphiteTemplateEngine(templates: ["env.zone.host.measurement*.field*"])
        }
        #expect(throws: FormatError.invalidOption("--templates", "template tag \"zone\" is not key=value (example: --templates 'servers.* .host.measurement* region=eu')")) {
            try GraphiteTemplateEngine(templates: [". servers.* .host.measurement* zone"])
        }
        #expect(throws: FormatError.invalidOption("--templates", "\"a b c d e\" has 5 fields; a template is '[separator] [filter] template [k=v,...]'")) {
            try GraphiteTemplateEngine(templates: ["a b c d e"])
        }
        #expect(throws: FormatError.invalidOption("--separator", "the separator is empty (example: --separator _)")) {
            try GraphiteTemplateEngine(templates: [], joiner: "")
        }
    }

    struct EngineRow: Sendable, CustomTestStringConvertible {
        var templates: [String]
        var joiner: String = "."
        var path: String
        var measurement: String
        var tags: [String: String] = [:]
        var field: String = ""
        var testDescription: String { "\(templates) on \(path)" }
    }

    static let engineRows: [EngineRow] = [
        // TestApplyTemplate, ...NoMatch, ...Specific, ...Tags, ...Field, ...MultipleFieldsTogether,
        // ...MultipleFieldsApart, ...GreedyField, ...OverSpecific, ...MostSpecificTemplate
        EngineRow(templates: ["current.* measurement.measurement"], joiner: "_", path: "current.users", measurement: "current_users"),
        EngineRow(templates: ["foo.bar measurement.measurement"], path: "current.users", measurement: "current.users"),
        EngineRow(
            templates: ["current.* measurement.measurement", "current.*.* measurement.measurement.service"], joiner: "_", path: "current.users.facebook",
            measurement: "current_users", tags: ["service": "facebook"]),
        EngineRow(templates: ["current.* measurement.measurement region=us-west"], joiner: "_", path: "current.users", measurement: "current_users", tags: ["region": "us-west"]),
        EngineRow(templates: ["current.* measurement.measurement.field"], joiner: "_", path: "current.users.logged_in", measurement: "current_users", field: "logged_in"),
        EngineRow(
            templates: ["current.* measurement.measurement.field.field"], joiner: "_", path: "current.users.logged_in.ssh", measurement: "current_users", field: "logged_in_ssh"),
        EngineRow(
            templates: ["current.* measurement.measurement.field.method.field"], joiner: "_", path: "current.users.logged_in.ssh.total", measurement: "current_users",
            tags: ["method": "ssh"], field: "logged_in_total"),
        EngineRow(templates: ["current.* measurement.measurement.field*"], joiner: "_", path: "current.users.logged_in", measurement: "current_users", field: "logged_in"),
        EngineRow(templates: ["measurement.host.metric.metric.metric"], path: "net.server001.a.b", measurement: "net", tags: ["host": "server001", "metric": "a.b"]),
        EngineRow(
            templates: ["measurement.host.metric", "measurement.host.metric.metric.metric", "measurement.host.metric.metric"], path: "net.server001.a.b.c", measurement: "net",
            tags: ["host": "server001", "metric": "a.b.c"]),
        EngineRow(
            templates: ["measurement.host.metric", "measurement.host.metric.metric.metric", "measurement.host.metric.metric"], path: "net.server001.a.b", measurement: "net",
            tags: ["host": "server001", "metric": "a.b"]),
        // engine_test.go TestEngineAlternateSeparator
        EngineRow(templates: ["/ /*/*/* /measurement/origin/measurement*"], joiner: "_", path: "/telegraf/host01/cpu", measurement: "telegraf_cpu", tags: ["origin": "host01"]),
        // engine_test.go TestEngineWithWildcardTemplate
        EngineRow(
            templates: [
                "taskmanagerTask.alarm-detector.Assign.alarmDefinitionId metricsType.process.nodeId.x.alarmDefinitionId.measurement.field rule=1",
                "taskmanagerTask.*.*.*.*                                 metricsType.process.nodeId.measurement rule=2",
            ],
            path: "taskmanagerTask.alarm-detector.Assign.alarmDefinitionId.timeout_errors.duration.p75", measurement: "duration",
            tags: [
                "metricsType": "taskmanagerTask", "process": "alarm-detector", "nodeId": "Assign", "x": "alarmDefinitionId", "alarmDefinitionId": "timeout_errors", "rule": "1",
            ],
            field: "p75"),
        EngineRow(
            templates: [
                "taskmanagerTask.alarm-detector.Assign.alarmDefinitionId metricsType.process.nodeId.x.alarmDefinitionId.measurement.field rule=1",
                "taskmanagerTask.*.*.*.*                                 metricsType.process.nodeId.measurement rule=2",
            ],
            path: "taskmanagerTask.alarm-detector.Assign.numRecordsInPerSecond.m5_rate", measurement: "numRecordsInPerSecond",
            tags: ["metricsType": "taskmanagerTask", "process": "alarm-detector", "nodeId": "Assign", "rule": "2"]),
        // Filter matching (TestFilterMatch*, TestParseNoMatch): exact beats wildcard, deepest wins.
        EngineRow(templates: ["servers.localhost .host.measurement*"], path: "miss.servers.localhost.cpu_load", measurement: "miss.servers.localhost.cpu_load"),
        EngineRow(
            templates: ["servers.localhost .host.measurement.measurement*"], path: "servers.localhost.cpu.cpu_load.10", measurement: "cpu.cpu_load.10", tags: ["host": "localhost"]),
        EngineRow(
            templates: ["servers.localhost .host.measurement.measurement*"], joiner: "_", path: "servers.localhost.cpu.cpu_load.10", measurement: "cpu_cpu_load_10",
            tags: ["host": "localhost"]),
        EngineRow(templates: ["servers.localhost .host.measurement*"], path: "servers.localhost.cpu_load", measurement: "cpu_load", tags: ["host": "localhost"]),
        EngineRow(
            templates: ["servers.*.cpu .host.measurement.cpu.measurement"], path: "servers.localhost.memory.VmallocChunk", measurement: "servers.localhost.memory.VmallocChunk"),
        EngineRow(templates: ["servers.* .host.measurement*"], path: "servers.localhost.cpu_load", measurement: "cpu_load", tags: ["host": "localhost"]),
        EngineRow(
            templates: ["servers.* .wrong.measurement*", "servers.localhost .host.measurement*"], path: "servers.localhost.cpu_load", measurement: "cpu_load",
            tags: ["host": "localhost"]),
        EngineRow(
            templates: [
                "*.* .wrong.measurement*", "servers.* .wrong.measurement*", "servers.localhost .wrong.measurement*", "servers.localhost.cpu .host.resource.measurement*",
                "*.localhost .wrong.measurement*",
            ],
            path: "servers.localhost.cpu.cpu_load", measurement: "cpu_load", tags: ["host": "localhost", "resource": "cpu"]),
        EngineRow(
            templates: ["*.* .wrong.measurement*", "servers.* .host.measurement*", "servers.localhost .wrong.measurement*", "*.localhost .wrong.measurement*"],
            path: "servers.server01.cpu_load", measurement: "cpu_load", tags: ["host": "server01"]),
        // BenchmarkParse's template set on its input.
        EngineRow(
            templates: [
                "*.* .wrong.measurement*", "servers.* .host.measurement*", "servers.localhost .host.measurement*", "*.localhost .host.measurement*", "*.*.cpu .host.measurement*",
                "a.b.c .host.measurement*", "influxd.*.foo .host.measurement*", "prod.*.mem .host.measurement*",
            ],
            joiner: "_", path: "servers.localhost.cpu.load", measurement: "cpu_load", tags: ["host": "localhost"]),
        // A template's own tags are joined with path tags of the same name.
        EngineRow(templates: ["a.* measurement.zone zone=1c"], path: "a.b", measurement: "a", tags: ["zone": "1c.b"]),
        // No match below an exact part falls back to the wildcard sibling.
        EngineRow(templates: ["a.b.c measurement.x.y", "a.*.d measurement.p.q"], path: "a.b.d", measurement: "a", tags: ["p": "b", "q": "d"]),
    ]

    @Test(arguments: engineRows)
    func engine(_ row: EngineRow) throws {
        let engine = try GraphiteTemplateEngine(templates: row.templates, joiner: row.joiner)
        let m = engine.apply(Substring(row.path))
        #expect(m.measurement == row.measurement)
        #expect(Self.tags(m) == row.tags)
        #expect(m.field == row.field)
    }

    @Test func splitKeepsEmptyParts() {
        #expect(GraphiteTemplate.split("a..b.", ".") == ["a", "", "b", ""])
        #expect(GraphiteTemplate.split("a::b:c", "::") == ["a", "b:c"])
        #expect(GraphiteTemplate.split("", ".") == [""])
    }
}
