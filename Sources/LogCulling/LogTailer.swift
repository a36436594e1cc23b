import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A file's identity and size.
public struct FileIdentity: Sendable, Equatable {
    public var inode: UInt64
    public var device: UInt64
    public var size: Int64

    public static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileIdentity(inode: UInt64(st.st_ino), device: UInt64(st.st_dev), size: Int64(st.st_size))
    }

    /// Opens the live log for reading and takes its identity from the open descriptor.
    /// - Returns: nil when nothing is at `path` (also a dangling symlink): a log not created yet.
    /// - Throws: `PATH: cannot read: reason` for anything else that cannot be read as a regular
    ///   file (no permission, a directory, a FIFO, a parent that is not a directory).
    public static func open(_ path: String) throws(TailLogError) -> (fd: Int32, identity: FileIdentity)? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw .io(path, "cannot read: \(String(cString: strerror(e)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw .io(path, "cannot read: \(String(cString: strerror(e)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return (fd, FileIdentity(inode: UInt64(st.st_ino), device: UInt64(st.st_dev), size: Int64(st.st_size)))
        case S_IFDIR:
            close(fd)
            throw .io(path, "cannot read: \(String(cString: strerror(EISDIR)))")
        default:
            close(fd)
            throw .io(path, "cannot read: not a regular file")
        }
    }

    func same(as state: LogState) -> Bool {
        inode == state.inode && (state.device == 0 || device == state.device)
    }
}

/// One stretch of bytes a run reads: the rest of a rotated file, or the live log.
public struct Segment: Sendable, Equatable {
    public var path: String
    /// Byte offset to start at (in the decompressed stream for `.gz`).
    public var start: Int64
    public var compressed: Bool
    /// The live log: an unterminated last line is held back until its newline arrives.
    public var live: Bool
}

/// Decides what a run reads, from the saved state and the files on disk: the rest of the old file
/// (renamed away, copied, or compressed) and then the live log, from the right offsets.
public enum TailPlanner {
    public struct Plan: Sendable {
        public var segments: [Segment] = []
        /// One line each: what was detected (rotation, truncation) for `-v` and warnings.
        public var notes: [String] = []
        public var warnings: [String] = []

        /// The log was rotated more than once since the last run: the files rotated after the one
        /// the state points into are read whole, oldest first, before the live log.
        mutating func addNewer(than old: String, of path: String, live: FileIdentity) {
            let names = TailPlanner.rotatedNames(of: path, excluding: live)
            guard let i = names.firstIndex(of: old), i > 0 else { return }
            let newer = names[..<i].reversed()
            notes.append("\(path): rotated \(i + 1) times since the last run: reading \(newer.joined(separator: ", ")) whole")
            for name in newer {
                if name.hasSuffix(".gz") && !GzipReader.available {
                    warnings.append("\(name): cannot read a .gz rotated log (built without zlib): its lines are not counted")
                    continue
                }
                segments.append(Segment(path: name, start: 0, compressed: name.hasSuffix(".gz"), live: false))
            }
        }
    }

    /// - Parameters:
    ///   - state: the previous run's state; nil on a first run.
    ///   - fromStart: on a first run, read the whole log (Logster counts nothing on a first run).
    ///   - head: the live log's first bytes as this run read them (from the descriptor it reads),
    ///     so the decision and the new state's fingerprint rest on the same bytes; nil reads them.
    public static func plan(path: String, state: LogState?, current: FileIdentity, fromStart: Bool, head: [UInt8]? = nil) -> Plan {
        var plan = Plan()
        guard let state else {
            if fromStart {
                plan.segments = [Segment(path: path, start: 0, compressed: false, live: true)]
            } else {
                plan.notes.append("\(path): first run: starting at the end of the log (\(current.size) bytes); --from-start reads what is there")
                plan.segments = [Segment(path: path, start: LineReader.endOfLastLine(path: path, size: current.size), compressed: false, live: true)]
            }
            return plan
        }
        if state.offset == 0, state.fingerprintLength == 0, let readAt = state.readAt {
            // The log was empty at the last read: there is no first line to tell a copy by, and
            // everything written since is new. It is in the rotated files modified since that read
            // (copied, or renamed after it was written) that were not there when that run looked
            // (what was there, that run accounted for), and in the live log. The file the state
            // names, renamed since, is unread from its start too (it may hold a line that had no
            // newline yet).
            let since = rotatedNames(of: path, excluding: current).filter { name in
                guard let id = FileIdentity.of(name) else { return false }
                if id.same(as: state) { return true }
                let m = modified(name)
                return m >= readAt && !state.rotatedAtRead.contains(LogState.RotatedFile(inode: id.inode, modified: m))
            }
            if !since.isEmpty {
                plan.notes.append("\(path): rotated since the last run, which found the log empty: reading \(since.reversed().joined(separator: ", ")) whole")
            }
            for name in since.reversed() {
                if name.hasSuffix(".gz") && !GzipReader.available {
                    plan.warnings.append("\(name): cannot read a .gz rotated log (built without zlib): its lines are not counted")
                    continue
                }
                plan.segments.append(Segment(path: name, start: 0, compressed: name.hasSuffix(".gz"), live: false))
            }
            plan.segments.append(Segment(path: path, start: 0, compressed: false, live: true))
            return plan
        }
        if current.same(as: state) {
            let unchanged = head.map { fingerprintMatches($0, state: state) } ?? fingerprintMatches(path: path, compressed: false, state: state)
            if current.size >= state.offset && unchanged {
                plan.segments = [Segment(path: path, start: state.offset, compressed: false, live: true)]
                return plan
            }
            // Same file, shorter or with another first line: copytruncate, or truncated (and regrown).
            if let copy = findRotated(path: path, state: state, byIdentity: false, live: current) {
                plan.notes.append("\(path): truncated after a copy to \(copy.path): reading the rest of the copy from byte \(state.offset), then the log from the start")
                plan.segments.append(copy)
                plan.addNewer(than: copy.path, of: path, live: current)
            } else {
                plan.warnings.append(
                    "\(path): the log was truncated (now \(current.size) bytes, \(state.offset) read before) and no rotated copy was found: reading it from the start")
            }
            plan.segments.append(Segment(path: path, start: 0, compressed: false, live: true))
            return plan
        }
        if let old = findRotated(path: path, state: state, byIdentity: true, live: current) ?? findRotated(path: path, state: state, byIdentity: false, live: current) {
            plan.notes.append("\(path): rotated to \(old.path): reading its rest from byte \(state.offset), then the new log from the start")
            plan.segments.append(old)
            plan.addNewer(than: old.path, of: path, live: current)
        } else {
            plan.warnings.append("\(path): the log was replaced and the old one was not found beside it (.0, .1, -YYYYMMDD, .gz): reading the new log from the start")
        }
        plan.segments.append(Segment(path: path, start: 0, compressed: false, live: true))
        return plan
    }

    /// ``rotatedNames(of:)`` less the file the run reads as the live log: a rotation while the run
    /// plans can give it a rotated name, and it must not be read twice.
    static func rotatedNames(of path: String, excluding live: FileIdentity) -> [String] {
        rotatedNames(of: path).filter { name in
            guard let id = FileIdentity.of(name) else { return true }
            return !(id.inode == live.inode && id.device == live.device)
        }
    }

    /// A file's modification time in nanoseconds (0 when it cannot be read).
    public static func modified(_ path: String) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else { return 0 }
        return Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
    }

    /// Rotated siblings of `path` (`.0`, `.1`, `.1.gz`, `-20240501`, `-20240501.gz`, ...), newest first:
    /// by number for `.N` names (`.0` and `.1` newest), by date for `-DATE` names (the latest first),
    /// by modification time when the names mix both. A `.gz` whose uncompressed twin is still there
    /// (compression under way) is left out. At most the 8 newest.
    public static func rotatedNames(of path: String) -> [String] {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let d = opendir(dir.isEmpty ? "/" : dir) else { return [] }
        defer { closedir(d) }
        var found: [Rotated] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name.count > base.count, name.hasPrefix(base) else { continue }
            var rest = Substring(name.dropFirst(base.count))
            if rest.hasSuffix(".gz") { rest = rest.dropLast(3) }
            guard let sep = rest.first, sep == "." || sep == "-" else { continue }
            let tail = rest.dropFirst()
            guard !tail.isEmpty, tail.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else { continue }
            let full = (slash == nil ? "" : dir + "/") + name
            var st = stat()
            guard stat(full, &st) == 0 else { continue }
            found.append(
                Rotated(
                    path: full, numbered: sep == ".", key: String(tail), compressed: name.hasSuffix(".gz"),
                    mtime: Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)))
        }
        let plain = Set(found.filter { !$0.compressed }.map(\.path))
        found.removeAll { $0.compressed && plain.contains(String($0.path.dropLast(3))) }
        let numbered = found.allSatisfy(\.numbered)
        let dated = found.allSatisfy { !$0.numbered }
        return found.sorted { a, b in
            if numbered, let x = Int(a.key), let y = Int(b.key), x != y { return x < y }
            if dated, a.key.count == b.key.count, a.key != b.key { return a.key > b.key }
            if a.mtime != b.mtime { return a.mtime > b.mtime }
            return a.path < b.path
        }.prefix(8).map(\.path)
    }

    /// A rotated sibling and what orders it.
    struct Rotated {
        var path: String
        /// `.N` rather than `-DATE`.
        var numbered: Bool
        /// The number or date, without `.gz`.
        var key: String
        var compressed: Bool
        var mtime: Int64
    }

    static func findRotated(path: String, state: LogState, byIdentity: Bool, live: FileIdentity) -> Segment? {
        for name in rotatedNames(of: path, excluding: live) {
            let gz = name.hasSuffix(".gz")
            if byIdentity {
                // The same file, with the same first line: a file copied and truncated before it
                // was renamed is the same inode with other lines, and its rest is in the copy.
                guard !gz, let id = FileIdentity.of(name), id.same(as: state), id.size >= state.offset,
                    fingerprintMatches(path: name, compressed: false, state: state)
                else { continue }
                return Segment(path: name, start: state.offset, compressed: false, live: false)
            }
            if gz && !GzipReader.available { continue }
            if !gz, let id = FileIdentity.of(name), id.size < state.offset { continue }
            if state.fingerprintLength > 0, fingerprintMatches(path: name, compressed: gz, state: state) {
                return Segment(path: name, start: state.offset, compressed: gz, live: false)
            }
        }
        return nil
    }

    static func fingerprintMatches(_ head: [UInt8], state: LogState) -> Bool {
        if state.fingerprintLength == 0 { return true }
        guard head.count >= state.fingerprintLength else { return false }
        return head.withUnsafeBytes { Fingerprint.hash(UnsafeRawBufferPointer(rebasing: $0[0..<state.fingerprintLength])) } == state.fingerprint
    }

    static func fingerprintMatches(path: String, compressed: Bool, state: LogState) -> Bool {
        if state.fingerprintLength == 0 { return true }
        guard let head = LineReader.head(path: path, compressed: compressed, count: state.fingerprintLength), head.count == state.fingerprintLength else { return false }
        return head.withUnsafeBytes { Fingerprint.hash($0) } == state.fingerprint
    }
}

/// Reads lines from a segment in large chunks, splitting on `\n` with memchr; no per-line allocation.
public struct LineReader {
    public var maxLine: Int
    public var chunk = 1 << 20

    public init(maxLine: Int) { self.maxLine = maxLine }

    public struct Result: Sendable {
        /// Offset just past the last line handed out (a held-back partial line is not included).
        public var end: Int64
        public var lines = 0
        public var tooLong = 0
        public var bytes: Int64 = 0
        /// Bytes of an unterminated last line held back.
        public var heldBack = 0
    }

    /// Calls `body` with each line (no newline) from `segment.start` to the end of the file.
    /// - Parameter fd: the file already open (read through a copy of it, so a log renamed or
    ///   replaced since it was opened is not mixed up with the new one).
    public func read(_ segment: Segment, fd: Int32? = nil, _ body: (UnsafeRawBufferPointer, Bool) -> Void) throws(TailLogError) -> Result {
        let source: any ByteStream
        if let fd, !segment.compressed {
            source = try FileStream(duplicating: fd, path: segment.path, start: segment.start)
        } else if segment.compressed {
            // Through the open descriptor when there is one: the name may be another file by now.
            source = try GzipReader(path: fd.map { "/proc/self/fd/\($0)" } ?? segment.path, skip: segment.start)
        } else {
            source = try FileStream(path: segment.path, start: segment.start)
        }
        var result = Result(end: segment.start)
        let cap = chunk + maxLine
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: cap, alignment: 16)
        defer { buf.deallocate() }
        let base = buf.baseAddress!
        var filled = 0
        var pos = segment.start  // stream offset of buf[0]
        var skipping = false
        while true {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[filled..<cap]))
            if n == 0 { break }
            filled += n
            result.bytes += Int64(n)
            var s = 0
            if skipping {
                guard let nl = memchr(base, 0x0A, filled) else {
                    pos += Int64(filled)
                    filled = 0
                    continue
                }
                s = base.distance(to: nl) + 1
                skipping = false
            }
            while s < filled, let nl = memchr(base + s, 0x0A, filled - s) {
                let e = base.distance(to: nl)
                if e - s > maxLine {
                    result.tooLong += 1
                } else {
                    body(UnsafeRawBufferPointer(start: base + s, count: e - s), true)
                    result.lines += 1
                }
                s = e + 1
            }
            if s > 0 {
                let rest = filled - s
                if rest > 0 { memmove(base, base + s, rest) }
                pos += Int64(s)
                filled = rest
            }
            result.end = pos
            if filled > maxLine {  // no newline within maxLine bytes: skip to the next one
                result.tooLong += 1
                pos += Int64(filled)
                filled = 0
                skipping = true
            }
        }
        if skipping {
            if !segment.live { result.end = pos }
        } else if filled > 0 {
            if segment.live {
                result.heldBack = filled
            } else {
                body(UnsafeRawBufferPointer(start: base, count: filled), false)
                result.lines += 1
                result.end = pos + Int64(filled)
            }
        }
        return result
    }

    /// The first `count` bytes of an open file (fewer when it is shorter).
    public static func head(fd: Int32, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return Array(out[0..<got])
    }

    /// The first `count` bytes of a file (decompressed for `.gz`); nil when it cannot be read.
    static func head(path: String, compressed: Bool, count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        do {
            let source: any ByteStream = compressed ? try GzipReader(path: path, skip: 0) : try FileStream(path: path, start: 0)
            while got < count {
                let n = try out.withUnsafeMutableBytes { raw throws(TailLogError) in try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[got...])) }
                if n == 0 { break }
                got += n
            }
        } catch { return nil }
        return Array(out[0..<got])
    }

    /// The offset just after the last newline of a file of `size` bytes (where a first run starts,
    /// so a half-written last line is read whole next time).
    static func endOfLastLine(path: String, size: Int64) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return size }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 65536)
        var end = size
        while end > 0 {
            let start = max(0, end - Int64(buf.count))
            let n = pread(fd, &buf, Int(end - start), off_t(start))
            guard n > 0 else { return size }
            if let i = buf[0..<n].lastIndex(of: 0x0A) { return start + Int64(i) + 1 }
            end = start
        }
        return 0
    }
}

/// Bytes from a file or a decompressed stream.
protocol ByteStream {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TailLogError) -> Int
}

final class FileStream: ByteStream {
    let fd: FileDescriptor
    let path: String

    init(path: String, start: Int64) throws(TailLogError) {
        self.path = path
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec)
        } catch {
            throw .io(path, "cannot open: \(error)")
        }
        try Self.seek(fd, path: path, to: start)
    }

    /// Reads an open file from `start` through a duplicate of its descriptor (the original is only used with pread).
    init(duplicating original: Int32, path: String, start: Int64) throws(TailLogError) {
        self.path = path
        let d = fcntl(original, F_DUPFD_CLOEXEC, 0)
        guard d >= 0 else { throw .io(path, "cannot read: \(Errno(rawValue: errno))") }
        fd = FileDescriptor(rawValue: d)
        try Self.seek(fd, path: path, to: start)
    }

    /// Moves to `start` (closing the descriptor when it cannot) and announces a sequential read.
    private static func seek(_ fd: FileDescriptor, path: String, to start: Int64) throws(TailLogError) {
        if start > 0 {
            do {
                _ = try fd.seek(offset: start, from: .start)
            } catch {
                try? fd.close()
                throw .io(path, "cannot seek to \(start): \(error)")
            }
        }
        _ = posix_fadvise(fd.rawValue, off_t(start), 0, POSIX_FADV_SEQUENTIAL)
    }

    /// One read per buffer (the tail-log loop's, 1 MiB): swift-system's EINTR-retrying read costs
    /// the same instructions per line as the direct call (callgrind on Benchmarks/tail-log.py's log).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TailLogError) -> Int {
        do {
            return try fd.read(into: buffer)
        } catch {
            throw .io(path, "read failed: \(error)")
        }
    }

    deinit { try? fd.close() }
}
