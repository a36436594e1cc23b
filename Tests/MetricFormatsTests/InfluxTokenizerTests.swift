import Testing

@testable import MetricFormats

/// The line-protocol tokenizer alone: the token sequence of a record (kinds, spans, escapes), where
/// and why it stops on bad input, and that feeding a record one byte longer at a time never traps and
/// always ends in tokens or an error.
@Suite struct InfluxTokenizerTests {
    /// The tokens of `line` as text: `kind:bytes` (with `!` for a token with escapes), and the error
    /// as `error@column: message`.
    static func tokens(_ line: String) -> [String] {
        tokens(Array(line.utf8))
    }

    static func tokens(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBufferPointer { buf -> [String] in
            // An empty buffer still needs a valid pointer.
            let p = buf.baseAddress ?? UnsafePointer(bitPattern: 8)!
            var t = InfluxTokenizer(p, buf.count, at: 0)
            var out: [String] = []
            func text(_ start: Int, _ end: Int) -> String { String(decoding: buf[start..<end], as: UTF8.self) }
            do throws(InfluxSyntaxError) {
                while let token = try t.next() {
                    switch token {
                    case .measurement(let s): out.append("m:\(text(s.start, s.end))\(s.escaped ? "!" : "")")
                    case .tagKey(let s): out.append("tk:\(text(s.start, s.end))\(s.escaped ? "!" : "")")
                    case .tagValue(let s): out.append("tv:\(text(s.start, s.end))\(s.escaped ? "!" : "")")
                    case .fieldKey(let s): out.append("fk:\(text(s.start, s.end))\(s.escaped ? "!" : "")")
                    case .fieldValue(let v):
                        let shown = v.kind == .openString ? "open" : "\(v.kind)"
                        out.append("\(shown):\(text(v.start, v.end))\(v.escaped ? "!" : "")")
                    case .timestamp(let ts): out.append("ts:\(ts.value)")
                    }
                }
            } catch {
                out.append("error@\(error.offset + 1): \(error.message)")
            }
            return out
        }
    }

    @Test func aPlainRecord() {
        #expect(
            Self.tokens("cpu,host=a,dc=eu usage=0.5,n=3i,u=7u,ok=true,s=\"x y\" 1700000000") == [
                "m:cpu", "tk:host", "tv:a", "tk:dc", "tv:eu", "fk:usage", "float:0.5", "fk:n", "int:3i", "fk:u", "uint:7u", "fk:ok", "bool:true",
                "fk:s", "string:\"x y\"", "ts:1700000000",
            ])
        #expect(Self.tokens("m v=1") == ["m:m", "fk:v", "float:1"])
        #expect(Self.tokens("  m\tv=-1.5e3  \t") == ["m:m", "fk:v", "float:-1.5e3"])
        #expect(Self.tokens("m v=1 -5") == ["m:m", "fk:v", "float:1", "ts:-5"])
        #expect(Self.tokens("m v=1\r") == ["m:m", "fk:v", "float:1"])
    }

    @Test func blankLinesAndCommentsHaveNoTokens() {
        #expect(Self.tokens("").isEmpty)
        #expect(Self.tokens("   \t").isEmpty)
        #expect(Self.tokens("# cpu v=1").isEmpty)
        #expect(Self.tokens("  #x").isEmpty)
    }

    @Test func escapesAreMarkedAndKeptInTheSpan() {
        #expect(Self.tokens(#"c\ pu,k\,e=v\=w f\ k=1"#) == [#"m:c\ pu!"#, #"tk:k\,e!"#, #"tv:v\=w!"#, #"fk:f\ k!"#, "float:1"])
        // `\\` in a tag leaves the second backslash to escape what follows: `\,` goes on, `=` ends it.
        #expect(Self.tokens(#"m,k=a\\,b=c v=1"#) == ["m:m", "tk:k", "error@10: unexpected '=' in tag value (escape it as \\=)"])
        #expect(Self.tokens(#"m s="a\"b\\c""#) == ["m:m", "fk:s", #"string:"a\"b\\c"!"#])
        #expect(Self.tokens(#"m s="a\nb""#) == ["m:m", "fk:s", "error@7: invalid escape in string: only \\\" and \\\\ are allowed"])
        #expect(Self.tokens("m\\") == ["error@2: invalid escape: a backslash must be followed by a character"])
        #expect(Self.tokens("m\\\t v=1") == ["error@2: invalid escape: a backslash must be followed by a character"])
    }

    @Test func errorsSayWhereAndWhat() {
        #expect(Self.tokens(",t=1 v=1") == ["error@1: expected measurement name"])
        #expect(Self.tokens("m,=1 v=1") == ["m:m", "error@3: expected tag key"])
        #expect(Self.tokens("m,t v=1") == ["m:m", "error@4: expected '=' after tag key"])
        #expect(Self.tokens("m,t= v=1") == ["m:m", "tk:t", "error@5: expected tag value"])
        #expect(Self.tokens("m") == ["m:m", "error@2: expected fields"])
        #expect(Self.tokens("m   ") == ["m:m", "error@5: expected fields"])
        #expect(Self.tokens("m,t=a\rv=1") == ["m:m", "tk:t", "tv:a", "error@6: unexpected carriage return after the measurement or tags (a lone \\r does not end a line)"])
        #expect(Self.tokens("m =1") == ["m:m", "error@3: expected field key"])
        #expect(Self.tokens("m v") == ["m:m", "error@4: expected '=' after field key"])
        #expect(Self.tokens("m v=") == ["m:m", "fk:v", "error@5: expected field value"])
        #expect(Self.tokens("m v=x") == ["m:m", "fk:v", "error@5: expected field value"])
        #expect(Self.tokens("m v=tru") == ["m:m", "fk:v", "error@5: invalid boolean (use t, T, true, True, TRUE, f, F, false, False or FALSE)"])
        #expect(Self.tokens("m v=1x") == ["m:m", "fk:v", "error@6: invalid number"])
        #expect(Self.tokens("m v=-") == ["m:m", "fk:v", "error@6: invalid number"])
        #expect(Self.tokens("m v=1e") == ["m:m", "fk:v", "error@7: invalid number: exponent without digits"])
        #expect(Self.tokens("m v=1.5i") == ["m:m", "fk:v", "error@5: invalid integer: digits only before 'i'"])
        #expect(Self.tokens("m v=-1u") == ["m:m", "fk:v", "error@5: invalid unsigned integer: negative"])
        #expect(Self.tokens("m v=01i") == ["m:m", "fk:v", "error@5: invalid integer: leading zero"])
        #expect(Self.tokens("m v=9223372036854775808i") == ["m:m", "fk:v", "error@5: invalid integer: out of range"])
        #expect(Self.tokens("m v=-9223372036854775808i") == ["m:m", "fk:v", "int:-9223372036854775808i"])
        #expect(Self.tokens("m v=18446744073709551616u") == ["m:m", "fk:v", "error@5: invalid unsigned integer: out of range"])
        #expect(Self.tokens("m v=1;") == ["m:m", "fk:v", "error@6: invalid number"])
        #expect(Self.tokens("m v=true;") == ["m:m", "fk:v", "error@5: invalid boolean (use t, T, true, True, TRUE, f, F, false, False or FALSE)"])
        #expect(Self.tokens("m v=\"a\";") == ["m:m", "fk:v", "string:\"a\"", "error@8: unexpected ';' after a field value"])
        #expect(Self.tokens("m v=1 12x") == ["m:m", "fk:v", "float:1", "error@9: invalid timestamp"])
        #expect(Self.tokens("m v=1 99999999999999999999") == ["m:m", "fk:v", "float:1", "error@7: invalid timestamp: out of range"])
        #expect(Self.tokens("m v=1 1 2") == ["m:m", "fk:v", "float:1", "error@9: unexpected text after the timestamp"])
    }

    @Test func aStringTheBytesEndInsideIsOpen() {
        #expect(Self.tokens("m s=\"abc") == ["m:m", "fk:s", "open:\"abc"])
        // A CR inside a string is content, not the line's end.
        #expect(Self.tokens("m s=\"a\r") == ["m:m", "fk:s", "open:\"a\r"])
    }

    @Test func floatValuesAreRead() throws {
        for (text, expected) in [("0.5", 0.5), ("-12.25", -12.25), (".5", 0.5), ("1e3", 1000.0), ("123456789012345678901", 123456789012345678901.0)] {
            let bytes = Array("m v=\(text)".utf8)
            let value = try bytes.withUnsafeBufferPointer { buf throws(InfluxSyntaxError) -> Double in
                var t = InfluxTokenizer(buf.baseAddress!, buf.count, at: 0)
                _ = try t.measurement()
                try t.fieldsStart()
                _ = try t.fieldKey()
                return try t.fieldValue().double(buf.baseAddress!)
            }
            #expect(value == expected, "\(text)")
        }
    }

    /// Every prefix of every record (and the record with one byte flipped) tokenizes without trapping,
    /// to a sequence that ends in an error or with the last token inside the bytes.
    @Test func everyPrefixEndsCleanly() {
        let records = [
            #"cpu,host=web\ 1,dc=eu\,w usage_user=63.9427,n=-3i,u=7u,ok=T,msg="created \"order\"" 1700000000001000000"#,
            "mem,host=a total=16777216000i,used_percent=94.27984 -1700000000",
        ]
        for record in records {
            let bytes = Array(record.utf8)
            for n in 0...bytes.count {
                let prefix = Array(bytes[0..<n])
                let tokens = Self.tokens(prefix)
                #expect(n == 0 || !tokens.isEmpty, "\(n)")
                var flipped = prefix
                if n > 0 {
                    flipped[n - 1] ^= 0x40
                    _ = Self.tokens(flipped)
                }
            }
            #expect(!Self.tokens(bytes).contains { $0.hasPrefix("error") })
        }
    }

    /// The header end the caches key on: the first space, tab, LF, FF or CR; none past a backslash.
    @Test func headerEndStopsAtTheFirstSpaceOrBackslash() {
        func end(_ s: String) -> Int? {
            let b = Array(s.utf8)
            return b.withUnsafeBufferPointer { InfluxTokenizer.headerEnd($0.baseAddress!, 0, $0.count, InfluxByteClass.table) }
        }
        #expect(end("cpu,host=a,dc=eu-west-1,path=/home v=1") == 34)
        #expect(end("cpu v=1") == 3)
        #expect(end("cpu,h=a\tv=1") == 7)
        #expect(end(#"cpu,h=a\ b v=1"#) == nil)
        #expect(end("cpuhostnamewithoutspace") == 23)
    }
}
