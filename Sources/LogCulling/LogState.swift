import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// What a run remembers about a log: which file (inode, device), how far it was read (a byte offset
/// just after a newline), a fingerprint of its first line (to tell a truncated-and-regrown or
/// copytruncated log from the same one), and when the run started (for rates).
public struct LogState: Sendable, Equatable {
    public var inode: UInt64
    public var device: UInt64
    public var offset: Int64
    /// FNV-1a of the first `fingerprintLength` bytes (the first line, at most 256 bytes).
    public var fingerprint: UInt64
    public var fingerprintLength: Int
    /// Start of the run that wrote this state, in whole seconds since the epoch.
    public var lastRun: Int64
    /// When the run read the log (the kernel's coarse clock for file times, in nanoseconds): with an
    /// empty log there is no first line to fingerprint, and a new rotated file modified since then
    /// holds lines this state has not seen. Nil in states written before it was kept.
    public var readAt: Int64?
    /// Inode and modification time (ns) of each rotated file beside the log just before `readAt`:
    /// the run that wrote this state accounted for them, so only others are new (a file with a
    /// reused inode has another time).
    public var rotatedAtRead: [RotatedFile] = []

    /// A rotated file as a run saw it.
    public struct RotatedFile: Sendable, Equatable {
        public var inode: UInt64
        public var modified: Int64
        public init(inode: UInt64, modified: Int64) {
            self.inode = inode
            self.modified = modified
        }
    }

    public init(inode: UInt64, device: UInt64, offset: Int64, fingerprint: UInt64, fingerprintLength: Int, lastRun: Int64, readAt: Int64? = nil) {
        self.inode = inode
        self.device = device
        self.offset = offset
        self.fingerprint = fingerprint
        self.fingerprintLength = fingerprintLength
        self.lastRun = lastRun
        self.readAt = readAt
    }

    static let header = "metricat-tail-log-state 1"

    public var text: String {
        "\(Self.header)\ninode \(inode)\ndevice \(device)\noffset \(offset)\nfingerprint \(fingerprintLength) \(String(fingerprint, radix: 16))\nlast-run \(lastRun)\n"
            + (readAt.map { "read-at \($0)\n" } ?? "")
            + (rotatedAtRead.isEmpty ? "" : "rotated \(rotatedAtRead.map { "\($0.inode):\($0.modified)" }.joined(separator: " "))\n")
    }

    /// Now on the clock the kernel stamps file times with (CLOCK_REALTIME_COARSE), in nanoseconds.
    public static func fileClockNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Reads a state file; also Logster's (logtail's) `<inode>\n<offset>\n` form, whose time is the
    /// file's mtime, so a state directory can be carried over.
    /// - Returns: nil when the file does not exist (a first run).
    public static func load(_ path: String) throws(TailLogError) -> LogState? {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec)
        } catch {
            if let e = error as? Errno, e == .noSuchFileOrDirectory { return nil }
            throw .io(path, "cannot read the state file: \(error)")
        }
        defer { try? fd.close() }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n: Int
        do {
            n = try bytes.withUnsafeMutableBytes { try fd.read(into: $0) }
        } catch {
            throw .io(path, "cannot read the state file: \(error)")
        }
        let text = String(decoding: bytes[0..<n], as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        if lines.first == header {
            var values: [String: [String]] = [:]
            for l in lines.dropFirst() {
                let parts = l.split(separator: " ").map(String.init)
                if let k = parts.first { values[k] = Array(parts.dropFirst()) }
            }
            guard let ino = values["inode"]?.first.flatMap({ UInt64($0) }), let dev = values["device"]?.first.flatMap({ UInt64($0) }),
                let off = values["offset"]?.first.flatMap({ Int64($0) }), off >= 0,
                let fp = values["fingerprint"], fp.count == 2, let fpLen = Int(fp[0]), (0...Fingerprint.maxBytes).contains(fpLen),
                let fpv = UInt64(fp[1], radix: 16),
                // Seconds since 1970 as the clock gave them: the time since is then a subtraction that cannot overflow.
                let last = values["last-run"]?.first.flatMap({ Int64($0) }), last >= 0
            else { throw .badState(path, "damaged state file (remove it to start over from the end of the log)") }
            let readAt = values["read-at"]?.first.flatMap { Int64($0) }
            var state = LogState(inode: ino, device: dev, offset: off, fingerprint: fpv, fingerprintLength: fpLen, lastRun: last, readAt: readAt)
            state.rotatedAtRead = (values["rotated"] ?? []).compactMap { pair in
                let parts = pair.split(separator: ":")
                guard parts.count == 2, let inode = UInt64(parts[0]), let modified = Int64(parts[1]) else { return nil }
                return RotatedFile(inode: inode, modified: modified)
            }
            return state
        }
        if lines.count == 2, let ino = UInt64(lines[0]), let off = Int64(lines[1]), off >= 0 {
            var st = stat()
            fstat(fd.rawValue, &st)
            // No device or fingerprint in logtail's state: device 0 means "any", length 0 matches.
            return LogState(inode: ino, device: 0, offset: off, fingerprint: Fingerprint.empty, fingerprintLength: 0, lastRun: Int64(st.st_mtim.tv_sec))
        }
        throw .badState(path, "not a tail-log state file (remove it to start over from the end of the log)")
    }

    /// Writes the state atomically: a new temporary file in the same directory, fsync, rename.
    public func save(_ path: String) throws(TailLogError) {
        try PendingState.prepare(self, at: path).commit()
    }

    /// Refuses a state directory that others can write unless it is sticky: there another user
    /// could plant a link at the lock or state path, or replace the state between runs.
    public static func checkDirectory(of path: String) throws(TailLogError) {
        let dir = path.lastIndex(of: "/").map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        var st = stat()
        guard stat(dir, &st) == 0 else { return }  // opening the lock file reports it
        if st.st_mode & S_IWOTH != 0 && st.st_mode & S_ISVTX == 0 {
            throw .io(dir, "the state directory is writable by others and not sticky, so another user could plant links in it (run chmod o-w \(dir), or chmod +t \(dir))")
        }
    }
}

/// A state written and synced to a new temporary file beside the state file, not yet in place.
/// A run prepares it before sending anything, so a state that cannot be written stops the run
/// before any output, and commits it (rename) only after the metrics were delivered.
public final class PendingState {
    public let path: String
    let temporary: String
    private var done = false

    private init(path: String, temporary: String) {
        self.path = path
        self.temporary = temporary
    }

    /// Creates `<path>.tmp.XXXXXX` with a random name and O_EXCL (never through a link planted
    /// at a guessed name), writes `state` and syncs it.
    public static func prepare(_ state: LogState, at path: String) throws(TailLogError) -> PendingState {
        var template = Array((path + ".tmp.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .io(path, "cannot write the state file: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(state.text.utf8)
        var failure: Int32 = 0
        if fchmod(fd, 0o644) != 0 { failure = errno }
        if failure == 0 {
            // writeAll goes on after a short write and retries EINTR.
            do {
                _ = try FileDescriptor(rawValue: fd).writeAll(bytes)
            } catch {
                failure = (error as? Errno)?.rawValue ?? EIO
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .io(path, "cannot write the state file: \(String(cString: strerror(failure)))")
        }
        return PendingState(path: path, temporary: temporary)
    }

    /// Removes temporary states that a killed run left behind (`<path>.tmp.` and six characters,
    /// regular files only, never through a link). Called with the lock held: no other run writes one.
    public static func removeStale(for path: String) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let prefix = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + ".tmp."
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name.hasPrefix(prefix), name.utf8.count == prefix.utf8.count + 6 else { continue }
            let full = (slash == nil ? "" : dir + "/") + name
            var st = stat()
            if lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG { unlink(full) }
        }
    }

    /// Puts the state in place (an atomic rename over the old one).
    public func commit() throws(TailLogError) {
        done = true
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path, "cannot write the state file: \(why)")
        }
    }

    /// Drops the prepared state; the old one stays.
    public func discard() {
        if !done { unlink(temporary) }
        done = true
    }

    deinit { discard() }
}

/// FNV-1a 64 over the first line of a file (at most 256 bytes).
public enum Fingerprint {
    public static let empty: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let maxBytes = 256

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = empty
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// The first line of `bytes` (newline included), at most 256 bytes, and not past `limit`.
    public static func of(prefix bytes: [UInt8], limit: Int64) -> (UInt64, Int) {
        var n = min(bytes.count, maxBytes, Int(clamping: limit))
        if let nl = bytes.prefix(n).firstIndex(of: 0x0A) { n = nl + 1 }
        return bytes.withUnsafeBytes { (hash(UnsafeRawBufferPointer(rebasing: $0[0..<n])), n) }
    }
}

/// One run per state file at a time: `flock` on `<state>.lock`. The kernel drops the lock when its
/// process dies, so a lock file left by a crashed run does not block later runs (Logster's does).
public final class LogLock {
    let fd: Int32
    public let path: String

    /// - Returns: nil when another live process holds the lock (`holder` is its pid, if written).
    public static func acquire(_ path: String) throws(TailLogError) -> (lock: LogLock?, holder: String) {
        // O_NOFOLLOW: a link planted at the lock path must not make a run truncate its target.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            let e = errno
            if e == ELOOP { throw .io(path, "the lock file is a symbolic link: refusing to follow it (remove it; the lock is a plain file)") }
            throw .io(path, "cannot open the lock file: \(String(cString: strerror(e)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .io(path, "the lock file is not a plain file (remove it)")
        }
        // A hard link planted at the lock path would make the pid written below land in its target.
        guard st.st_nlink == 1 else {
            close(fd)
            throw .io(path, "the lock file has \(st.st_nlink) links: refusing to write to it (remove it)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 32, 0)
            close(fd)
            if e == EWOULDBLOCK { return (nil, n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingWhitespace() : "?") }
            throw .io(path, "cannot lock: \(String(cString: strerror(e)))")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(fd, pid, pid.count, 0)
        return (LogLock(fd: fd, path: path), "")
    }

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
