import ArgumentParser
import MetricFormats

/// Flags of the graphite parser and serializer (Telegraf's option names). The templates are the
/// shared `--templates`: parser templates when graphite is the input, `glob template` pairs when it
/// is the output; `--prefix` is shared too.
struct GraphiteFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.graphite]

    @Option(help: ArgumentHelp("Graphite input: joins the path parts a template puts together (Telegraf's separator; default '.').", valueName: "sep"))
    var separator: String?

    @Option(
        help: ArgumentHelp(
            "Graphite output: the template for every metric (default 'host.tags.measurement.field'). --templates applies to whichever side is graphite: '[filter] template [k=v,...]' when reading; 'glob template' pairs matched on the measurement when writing, where a lone template overrides --template as in Telegraf.",
            valueName: "template"))
    var template: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Graphite output: Graphite 1.1 tags, 'prefix.measurement.field;k=v;...', instead of a template. Default off, except from graphite to graphite without --template or --templates, where a tagged line stays tagged (--no-graphite-tag-support writes the template path)."
    )
    var graphiteTagSupport: Bool?

    @Option(help: ArgumentHelp("Graphite output with tag support: compatible keeps spaces and punctuation in tag values, strict (the default) does not.", valueName: "mode"))
    var graphiteTagSanitizeMode: SanitizeModeArgument?

    @Option(help: ArgumentHelp("Graphite output with tag support: between prefix, measurement and field (default '.').", valueName: "sep"))
    var graphiteSeparator: String?

    @Option(
        help: ArgumentHelp("Graphite output: the characters strict sanitizing replaces with '_', as a regular expression (default '[^a-zA-Z0-9-:._=\\p{L}]').", valueName: "regex"))
    var graphiteStrictSanitizeRegex: String?

    var givenFlags: [String] {
        var out: [String] = []
        if separator != nil { out.append("--separator") }
        if template != nil { out.append("--template") }
        if let graphiteTagSupport { out.append(graphiteTagSupport ? "--graphite-tag-support" : "--no-graphite-tag-support") }
        if graphiteTagSanitizeMode != nil { out.append("--graphite-tag-sanitize-mode") }
        if graphiteSeparator != nil { out.append("--graphite-separator") }
        if graphiteStrictSanitizeRegex != nil { out.append("--graphite-strict-sanitize-regex") }
        return out
    }

    func apply(to options: inout FormatOptions) throws {
        if let separator {
            guard !separator.isEmpty else { throw ValidationError("--separator: empty separator (example: --separator _)") }
            options.graphite.separator = separator
        }
        if let template {
            guard !template.isEmpty else { throw ValidationError("--template: empty template (example: --template host.tags.measurement.field)") }
            options.graphite.template = template
        }
        if let graphiteTagSupport { options.graphite.tagSupport = graphiteTagSupport }
        if let graphiteTagSanitizeMode { options.graphite.tagSanitizeMode = graphiteTagSanitizeMode.mode }
        if let graphiteSeparator {
            guard !graphiteSeparator.isEmpty else { throw ValidationError("--graphite-separator: empty separator (example: --graphite-separator _)") }
            options.graphite.graphiteSeparator = graphiteSeparator
        }
        if let graphiteStrictSanitizeRegex { options.graphite.strictSanitizeRegex = graphiteStrictSanitizeRegex }
    }
}
