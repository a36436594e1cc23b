/// Options of the Graphite parser and serializer, named after Telegraf's.
///
/// The templates themselves are shared (``FormatOptions/templates``, Telegraf's `templates`) and so
/// is the serializer's ``FormatOptions/prefix``.
public struct GraphiteOptions: Sendable {
    /// How the graphite tag-support serializer cleans tag keys and values
    /// (Telegraf's `graphite_tag_sanitize_mode`).
    public enum TagSanitizeMode: String, Sendable, CaseIterable {
        /// The path's character rules for `key=value` too (Telegraf's default).
        case strict
        /// Keeps spaces and most punctuation in tag values, as Graphite 1.1 allows.
        case compatible
    }

    /// Parser: joins the parts of a path that a template puts together (Telegraf's `separator`).
    public var separator: String = "."
    /// Serializer: the template for every metric (Telegraf's `template`); nil means
    /// `host.tags.measurement.field`.
    public var template: String?
    /// Serializer: Graphite 1.1 tags, `path;k=v;...`, instead of a template (`graphite_tag_support`).
    /// nil (not set): off, except from graphite to graphite without a template, where a tagged input
    /// line stays tagged (see `Converter`).
    public var tagSupport: Bool?
    /// Serializer: `graphite_tag_sanitize_mode`.
    public var tagSanitizeMode: TagSanitizeMode = .strict
    /// Serializer: between prefix, measurement and field with tag support (`graphite_separator`).
    public var graphiteSeparator: String = "."
    /// Serializer: the class of characters replaced by `_` in strict sanitizing, as a regular
    /// expression (`graphite_strict_sanitize_regex`); nil is `[^a-zA-Z0-9-:._=\p{L}]`.
    public var strictSanitizeRegex: String?

    public init() {}
}
