#!/usr/bin/env python3
"""Process-level mutation fuzzing through the built metricat binary.

    scripts/fuzz-cli.py [--seconds N] [--seed S] [--bin PATH] [--out DIR]
    scripts/fuzz-cli.py --replay FILE

Takes the fixture inputs (Tests/Fixtures/*/*/input and Fuzz/corpus/*), mutates their bytes (bit flips,
inserted, deleted and duplicated runs, splices of two inputs, huge and odd numbers, long lines, wide
lines, NUL and invalid UTF-8) and feeds them

  - to `metricat convert --from F --to G` for every pair of input format (auto included) and output
    format, round robin, and
  - to one running `metricat listen --from auto` over UDP (one datagram each) and TCP (one connection
    each), checking after every few inputs that the listener is alive and still decodes a known line
    sent over both.

What is checked: the exit status is one the documentation gives for it (convert: 0 or 65; listen at
SIGTERM: 0), never a signal and never over 10 s; every stderr line has the `where: what` shape
(`-:3:7: invalid number`, `metricat: warning: ...`) and no crash report. A finding is saved under
DIR (default .build-fuzz/cli-crashes/) as `<kind>-<sha1>` with `<kind>-<sha1>.json` describing how it
was fed; the script prints how to replay it and exits 1. Exit 0: nothing found; 2: bad arguments.

  - to `metricat send http://` against a server that fails at random points of each request (closes
    before reading, mid-body, after storing but before answering, mid-answer; answers 500, garbage or
    late): the --json counts must add up to the lines sent, every line confirmed must be stored, and no
    line the server stored may be counted as failed.

--seconds bounds the whole run (default 60; CI runs 60): 40% convert, 40% listen, 20% send.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMATS = ["influx", "json", "wavefront", "statsd", "graphite", "prometheus", "csv"]
INPUTS = FORMATS + ["auto"]
TIMEOUT = 10.0

# `where: what`: a place (`-:1:7`, `arg:2`, `udp://127.0.0.1:5:...`) or `metricat` (with `warning:`,
# `note:` or a subject) then `: ` and a message. Whatever the input held, a diagnostic stays one line.
SHAPE = re.compile(r"^(listening on \S+|metricat: \S.*|[^\s:][^\s]*:\d+(:\d+)?: \S.*|[a-z0-9]+://[^ ]+: \S.*)$")
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
CRASH = re.compile(r"Fatal error|Stack dump|Illegal instruction|Segmentation fault|Crash|backtrace|Trace/breakpoint|\*\*\* Signal", re.I)

INTERESTING_NUMBERS = [
    b"9999999999999999", b"99999999999999999999999", b"-9223372036854775808", b"9223372036854775808",
    b"18446744073709551615", b"18446744073709551616", b"-0", b"1e308", b"1e400", b"-1e400", b"NaN", b"+Inf",
    b"-Inf", b"0x10", b"1_000", b"00000000000000000000001", b"1.7976931348623157e+309", b"4.9e-325",
    b"9999999999999i", b"-9223372036854775809i", b"18446744073709551616u", b"1" + b"0" * 400,
]
TOKENS = [b"\n", b"\r\n", b" ", b",", b"=", b'"', b"\\", b"{", b"}", b"[", b"]", b":", b"|", b"#", b"\t",
          b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"# TYPE m counter\n", b"|#a:b", b"|@0.5", b"=\"\"",
          b"\"\"\"", b",,,,", b"==", b"\n\n\n"]


def seeds():
    out = []
    fixtures = os.path.join(ROOT, "Tests", "Fixtures")
    for fmt in sorted(os.listdir(fixtures)):
        for case in sorted(os.listdir(os.path.join(fixtures, fmt))):
            p = os.path.join(fixtures, fmt, case, "input")
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    out.append(f.read())
    corpus = os.path.join(ROOT, "Fuzz", "corpus")
    if os.path.isdir(corpus):
        for name in sorted(os.listdir(corpus)):
            with open(os.path.join(corpus, name), "rb") as f:
                out.append(f.read()[1:])  # the first byte selects the libFuzzer target's format
    return [s for s in out if s] or [b"cpu value=1\n"]


def mutate(rng, data, pool):
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 5, 8])):
        kind = rng.randrange(11)
        n = len(data)
        at = rng.randrange(n + 1)
        if kind == 0 and n:  # flip bits
            i = rng.randrange(n)
            data[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and n:  # set a byte
            data[rng.randrange(n)] = rng.randrange(256)
        elif kind == 2:  # insert a token
            data[at:at] = rng.choice(TOKENS)
        elif kind == 3 and n:  # delete a run
            data[at:at + rng.randrange(1, 64)] = b""
        elif kind == 4 and n:  # duplicate a run
            a = rng.randrange(n)
            b = min(n, a + rng.randrange(1, 256))
            data[at:at] = data[a:b] * rng.choice([1, 2, 10, 100])
        elif kind == 5:  # splice with another input
            other = rng.choice(pool)
            if other:
                a = rng.randrange(len(other))
                data[at:] = other[a:]
        elif kind == 6:  # a huge or odd number in place of a digit run
            m = list(re.finditer(rb"-?[0-9][0-9.eE+-]*", bytes(data)))
            num = rng.choice(INTERESTING_NUMBERS)
            if m:
                g = rng.choice(m)
                data[g.start():g.end()] = num
            else:
                data[at:at] = num
        elif kind == 7:  # a long line
            data[at:at] = bytes([rng.choice(b"ax=,0 \"\\")]) * rng.choice([1000, 70000, 1 << 20, (1 << 20) + 10])
        elif kind == 8:  # a wide line: many fields, tags, keys or labels
            piece = rng.choice([b",k%d=1", b",t%d=v", b'"k%d":1,', b'l%d="v",', b" t%d=v", b";t%d=v", b",c%d"])
            count = rng.choice([100, 2000, 20000])
            data[at:at] = b"".join(piece.replace(b"%d", str(i % 97 if rng.random() < 0.1 else i).encode()) for i in range(count))
        elif kind == 9 and n:  # cut the input short
            data[at:] = b""
        elif kind == 10:  # invalid UTF-8 or a NUL in a name
            data[at:at] = rng.choice([b"\xff\xfe", b"\x00", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82"])
    return bytes(data[: 4 << 20])


class Finding(Exception):
    pass


def check_stderr(text, what):
    lines = text.split("\n")  # only a newline ends a line (str.splitlines would split at a form feed too)
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if CONTROL.search(line):
            raise Finding(f"{what}: a control character reaches stderr raw (a terminal would act on it): {line[:300]!r}")
        if CRASH.search(line):
            raise Finding(f"{what}: crash report on stderr: {line[:300]!r}")
        if not SHAPE.match(line):
            raise Finding(f"{what}: stderr line not in the `where: what` shape: {line[:300]!r}")


class Fuzzer:
    def __init__(self, binary, out, rng):
        self.binary = binary
        self.out = out
        self.rng = rng
        self.pool = seeds()
        self.runs = {"convert": 0, "udp": 0, "tcp": 0, "alive-checks": 0}
        self.statuses = {}

    def save(self, kind, data, meta, problem):
        os.makedirs(self.out, exist_ok=True)
        digest = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.out, f"{kind}-{digest}")
        with open(path, "wb") as f:
            f.write(data)
        meta = dict(meta, kind=kind, problem=problem)
        with open(path + ".json", "w") as f:
            json.dump(meta, f, indent=1)
        print(f"== fuzz-cli: FOUND: {problem}")
        print(f"   input:  {path} ({len(data)} bytes)")
        print(f"   replay: scripts/fuzz-cli.py --replay {path}")
        if kind == "convert":
            print(f"   or:     {self.binary} convert --from {meta['from']} --to {meta['to']} < {path}")
        return path

    # convert

    def convert(self, data, src, dst):
        args = [self.binary, "convert", "--from", src, "--to", dst]
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no", METRICAT_NOW="1700000000000000000")
        try:
            p = subprocess.run(args, input=data, capture_output=True, timeout=TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise Finding(f"convert --from {src} --to {dst}: still running after {TIMEOUT:.0f} s")
        self.runs["convert"] += 1
        self.statuses[p.returncode] = self.statuses.get(p.returncode, 0) + 1
        what = f"convert --from {src} --to {dst}"
        if p.returncode < 0:
            raise Finding(f"{what}: killed by signal {-p.returncode} ({signal.Signals(-p.returncode).name})")
        if p.returncode not in (0, 65):
            raise Finding(f"{what}: exit status {p.returncode} (documented: 0 or 65); stderr: {p.stderr[-300:]!r}")
        err = p.stderr.decode("utf-8", "replace")
        check_stderr(err, what)
        if p.returncode == 65 and not err.strip():
            raise Finding(f"{what}: exit 65 without a diagnostic")

    def fuzz_convert(self, deadline):
        pairs = [(s, d) for s in INPUTS for d in FORMATS]
        i = 0
        while time.monotonic() < deadline:
            src, dst = pairs[i % len(pairs)]
            data = mutate(self.rng, self.rng.choice(self.pool), self.pool)
            try:
                self.convert(data, src, dst)
            except Finding as f:
                self.save("convert", data, {"from": src, "to": dst}, str(f))
                return False
            i += 1
        return True

    # listen

    def start_listener(self, tmp):
        ready = os.path.join(tmp, "ready")
        # The listener writes through its own descriptors (appending); the script reads through
        # others, so seeking to read never moves where the listener writes.
        out_path, err_path = os.path.join(tmp, "listen.out"), os.path.join(tmp, "listen.err")
        listen_stdout, listen_stderr = open(out_path, "ab"), open(err_path, "ab")
        self.listen_out, self.listen_err = open(out_path, "rb"), open(err_path, "rb")
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        self.listener = subprocess.Popen(
            [self.binary, "listen", "udp://127.0.0.1:0", "tcp://127.0.0.1:0", "--from", "auto", "--to", "influx",
             "--ready-file", ready, "--json", "--read-timeout", "5s"],
            stdin=subprocess.DEVNULL, stdout=listen_stdout, stderr=listen_stderr, env=env)
        listen_stdout.close()
        listen_stderr.close()
        for _ in range(400):
            if os.path.exists(ready) and os.path.getsize(ready) > 0:
                break
            if self.listener.poll() is not None:
                raise Finding(f"listen exited {self.listener.returncode} before it was ready")
            time.sleep(0.025)
        with open(ready) as f:
            addrs = f.read().split()
        def port(prefix):
            a = next(x for x in addrs if x.startswith(prefix))
            return int(a.rsplit(":", 1)[1])
        self.udp_port, self.tcp_port = port("udp"), port("tcp")
        self.canary = 0

    def alive(self):
        """The listener still runs and decodes a known line sent over TCP and over UDP (a datagram
        may be dropped by a full receive buffer, which is no finding: it is sent again, up to 5 times)."""
        self.runs["alive-checks"] += 1
        if self.listener.poll() is not None:
            raise Finding(f"listen died: exit status {self.listener.returncode}")
        self.canary += 1
        tag = f"canary,n={self.canary}"
        t = socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5)
        t.sendall(f"{tag},via=tcp value=1i\n".encode())
        t.close()
        want = {"tcp": f"{tag},via=tcp value=1i".encode(), "udp": f"{tag},via=udp value=1i".encode()}
        end = time.monotonic() + TIMEOUT
        tries = 0
        next_udp = 0.0
        while time.monotonic() < end:
            if tries < 5 and time.monotonic() >= next_udp:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.sendto(f"{tag},via=udp value=1i\n".encode(), ("127.0.0.1", self.udp_port))
                u.close()
                tries += 1
                next_udp = time.monotonic() + 1.0
            self.listen_out.seek(0, os.SEEK_END)
            size = self.listen_out.tell()
            self.listen_out.seek(max(0, size - (1 << 20)))
            text = self.listen_out.read()
            if all(w in text for w in want.values()):
                return
            if self.listener.poll() is not None:
                raise Finding(f"listen died: exit status {self.listener.returncode}")
            time.sleep(0.01)
        missing = " and ".join(k for k, w in want.items() if w not in text)
        raise Finding(f"listen is running ({self.process_state()}) but did not decode `{tag}` over {missing} within {TIMEOUT:.0f} s")

    def process_state(self):
        """The listener's scheduler state and CPU seconds, from /proc: a busy listener is slow, a sleeping one lost the line."""
        try:
            fields = open(f"/proc/{self.listener.pid}/stat").read().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            return f"state {fields[0]}, {(int(fields[11]) + int(fields[12])) / ticks:.1f} s CPU, load {os.getloadavg()[0]:.1f}"
        except (OSError, IndexError, ValueError):
            return "state unknown"

    def feed(self, how, data):
        if how == "udp":
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(data[:65507], ("127.0.0.1", self.udp_port))
            u.close()
        else:
            t = socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5)
            t.settimeout(5)
            try:
                t.sendall(data)
            except OSError:
                pass  # the listener may close a connection that sent an overlong line
            t.close()
        self.runs[how] += 1

    def fuzz_listen(self, deadline, seed):
        # Its own generator: the inputs a listener gets do not depend on how many convert runs fit before.
        self.rng = random.Random(seed + 1)
        with tempfile.TemporaryDirectory(prefix="metricat-fuzz-cli-") as tmp:
            try:
                self.start_listener(tmp)
            except Finding as f:
                self.save("listen-start", b"", {}, str(f))
                return False
            recent = []
            ok = True
            try:
                self.alive()
                while time.monotonic() < deadline:
                    how = self.rng.choice(["udp", "tcp"])
                    data = mutate(self.rng, self.rng.choice(self.pool), self.pool)
                    if how == "udp":
                        data = data[:65507]
                    self.feed(how, data)
                    recent.append((how, data))
                    if len(recent) >= 8:
                        self.alive()
                        recent = []
                self.alive()
            except Finding as f:
                # The inputs since the last good check: saved together, each fed the same way on replay.
                ok = False
                blob = json.dumps([[h, d.hex()] for h, d in recent]).encode()
                saved = self.save("listen", blob, {"inputs": len(recent)}, str(f))
                # The listener's own output, to see what it made of the inputs.
                for name in ("listen.out", "listen.err"):
                    shutil.copyfile(os.path.join(tmp, name), f"{saved}.{name}")
            finally:
                if self.listener.poll() is None:
                    self.listener.send_signal(signal.SIGTERM)
                    try:
                        self.listener.wait(TIMEOUT)
                    except subprocess.TimeoutExpired:
                        self.listener.kill()
                        self.listener.wait()
                        if ok:
                            ok = False
                            self.save("listen", b"", {}, "listen did not exit within 10 s of SIGTERM")
                status = self.listener.returncode
                self.listen_err.seek(0)
                err = self.listen_err.read().decode("utf-8", "replace")
            if ok:
                try:
                    if status != 0:
                        raise Finding(f"listen exited {status} at SIGTERM (documented: 0; parse errors do not change it)")
                    summary = [l for l in err.splitlines() if l.startswith("{")]
                    check_stderr("\n".join(l for l in err.splitlines() if not l.startswith("{")), "listen")
                    if not summary:
                        raise Finding("listen --json printed no summary")
                    s = json.loads(summary[-1])
                    if s["connections"] < self.runs["tcp"] + self.runs["alive-checks"]:
                        raise Finding(f"listen counted {s['connections']} connections, {self.runs['tcp'] + self.runs['alive-checks']} were made")
                    self.summary = s
                except Finding as f:
                    ok = False
                    self.save("listen", b"", {}, str(f))
            return ok


class ChaosServer:
    """An InfluxDB-like /write endpoint on 127.0.0.1 that fails at random points of each request:
    closing before reading, in the middle of the body, after storing but before answering, in the
    middle of the answer, answering 500 or garbage, or answering late. It records what it stored."""

    def __init__(self, rng):
        self.rng = rng
        self.stored = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.done = False
        import threading
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.done:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            try:
                self.connection(c)
            except OSError:
                pass
            finally:
                c.close()

    @staticmethod
    def reset(c):
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    def connection(self, c):
        c.settimeout(5)
        buf = b""
        while True:
            how = self.rng.choice(["ok"] * 6 + ["close-first", "close-in-body", "store-close", "store-half-answer",
                                                "500", "garbage", "store-late"])
            if how == "close-first":
                if self.rng.random() < 0.5:
                    self.reset(c)
                return
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            head, buf = buf.split(b"\r\n\r\n", 1)
            m = re.search(rb"Content-Length: (\d+)", head, re.I)
            length = int(m.group(1)) if m else 0
            if how == "close-in-body":
                want = self.rng.randrange(length + 1)
                while len(buf) < want:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                self.reset(c)
                return
            while len(buf) < length:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            body, buf = buf[:length], buf[length:]
            if how in ("ok", "store-close", "store-half-answer", "store-late", "garbage"):
                self.stored.extend(body.split(b"\n")[:-1])
            answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
            if how == "store-close":
                if self.rng.random() < 0.5:
                    self.reset(c)
                return
            if how == "store-half-answer":
                c.sendall(answer[: self.rng.randrange(1, len(answer))])
                return
            if how == "500":
                c.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 17\r\n\r\n{\"error\":\"busy\"}")
                continue
            if how == "garbage":
                c.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
                return
            if how == "store-late":
                time.sleep(self.rng.random() * 0.3)
            c.sendall(answer)

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


def check_http_send(binary, rng, total):
    """One `send http://` run of `total` distinct lines against a ChaosServer; returns counts."""
    server = ChaosServer(rng)
    try:
        lines = [f"chaos,i={i} v=1i".encode() for i in range(total)]
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        args = [binary, "send", f"http://127.0.0.1:{server.port}/write?db=x", "--json", "--retry", "3", "--write-timeout", "2s"]
        try:
            p = subprocess.run(args, input=b"\n".join(lines) + b"\n", capture_output=True, timeout=60, env=env)
        except subprocess.TimeoutExpired:
            raise Finding("send http:// still running after 60 s")
    finally:
        server.close()
    what = "send http:// to a server that fails at random points"
    if p.returncode < 0:
        raise Finding(f"{what}: killed by signal {-p.returncode}")
    err = p.stderr.decode("utf-8", "replace")
    summary = [l for l in err.split("\n") if l.startswith("{")]
    check_stderr("\n".join(l for l in err.split("\n") if l and not l.startswith("{")), what)
    if not summary:
        raise Finding(f"{what}: no --json summary (exit {p.returncode}): {err[-500:]!r}")
    s = json.loads(summary[-1])
    stored = set(server.stored)
    unknown = stored - set(lines)
    counts = f"sent {total}: lines {s['lines']}, unconfirmed {s['unconfirmed']}, failed {s['failed']}, rejected {s['rejected']}; the server stored {len(stored)} distinct lines ({len(server.stored)} in all)"
    if p.returncode not in (0, 69):
        raise Finding(f"{what}: exit status {p.returncode} (documented: 0, or 69 with lines not delivered); {counts}")
    if unknown:
        raise Finding(f"{what}: the server stored lines nobody sent: {sorted(unknown)[:3]}")
    if s["lines"] + s["unconfirmed"] + s["failed"] + s["rejected"] != total:
        raise Finding(f"{what}: the counts do not add up to the lines sent; {counts}")
    if len(stored) < s["lines"]:
        raise Finding(f"{what}: more lines confirmed than the server stored; {counts}")
    if len(stored) > total - s["failed"]:
        raise Finding(f"{what}: lines the server stored were reported as failed; {counts}")
    if (p.returncode == 0) != (s["unconfirmed"] + s["failed"] == 0):
        raise Finding(f"{what}: exit {p.returncode} does not match the counts; {counts}")
    return s, len(server.stored) - len(stored)


def replay(path, binary):
    with open(path + ".json") as f:
        meta = json.load(f)
    with open(path, "rb") as f:
        data = f.read()
    fz = Fuzzer(binary, os.path.dirname(path), random.Random(0))
    print(f"== replaying {path}: {meta.get('problem')}")
    try:
        if meta["kind"] == "convert":
            fz.convert(data, meta["from"], meta["to"])
        elif meta["kind"] == "listen" and data:
            with tempfile.TemporaryDirectory(prefix="metricat-fuzz-cli-") as tmp:
                fz.start_listener(tmp)
                try:
                    for how, hexdata in json.loads(data):
                        fz.feed(how, bytes.fromhex(hexdata))
                    fz.alive()
                finally:
                    fz.listener.kill()
                    fz.listener.wait()
        else:
            print("nothing to replay for this finding; rerun the fuzzer with the same --seed")
            return 1
    except Finding as f:
        print(f"== reproduced: {f}")
        return 1
    print("== not reproduced")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--bin", default=None, help="the metricat binary (default: a release build, built if needed)")
    ap.add_argument("--out", default=os.path.join(ROOT, ".build-fuzz", "cli-crashes"))
    ap.add_argument("--replay", metavar="FILE")
    a = ap.parse_args()
    if a.seconds < 2:
        ap.error("--seconds: at least 2")
    binary = a.bin
    if binary is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "metricat"], cwd=ROOT, check=True)
        bindir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip()
        binary = os.path.join(bindir, "metricat")
    if a.replay:
        return replay(a.replay, binary)
    seed = a.seed if a.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    fz = Fuzzer(binary, a.out, rng)
    start = time.monotonic()
    print(f"== fuzz-cli: {a.seconds} s, seed {seed} (rerun the same inputs with --seed {seed}), {len(fz.pool)} seeds, {binary}")
    ok = fz.fuzz_convert(start + a.seconds * 0.4)
    if ok:
        ok = fz.fuzz_listen(start + a.seconds * 0.8, seed)
    http = {"runs": 0, "lines": 0, "unconfirmed": 0, "failed": 0, "duplicates": 0}
    while ok and time.monotonic() < start + a.seconds:
        try:
            s, dup = check_http_send(binary, rng, rng.choice([10, 3000, 12000]))
        except Finding as f:
            ok = False
            fz.save("send-http", b"", {"seed": seed}, str(f))
            break
        http["runs"] += 1
        http["duplicates"] += dup
        for k in ("lines", "unconfirmed", "failed"):
            http[k] += s[k]
    took = time.monotonic() - start
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(fz.statuses.items()))
    print(f"== fuzz-cli: {fz.runs['convert']} convert runs (exit statuses {statuses}), {fz.runs['udp']} datagrams and "
          f"{fz.runs['tcp']} connections to listen, {fz.runs['alive-checks']} liveness checks, {took:.0f} s")
    if ok and hasattr(fz, "summary"):
        s = fz.summary
        print(f"== fuzz-cli: listen counted {s['received']} lines, {s['metrics']} metrics, {s['parse_errors']} parse errors, "
              f"{s['dropped']} dropped, {s['connections']} connections, {s['datagrams']} datagrams")
    print(f"== fuzz-cli: {http['runs']} send http:// runs against a server failing at random points: {http['lines']} lines "
          f"confirmed, {http['unconfirmed']} unconfirmed, {http['failed']} failed, {http['duplicates']} stored twice (at-least-once)")
    print("== fuzz-cli: nothing found" if ok else "== fuzz-cli: FOUND A PROBLEM (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
