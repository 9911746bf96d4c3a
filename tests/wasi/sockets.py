#!/usr/bin/env python3
"""WASI sockets through `wrun --tcplisten` (tests/wasi/echo_server.c is the
guest).

  sockets.py echo WRUN ECHO_SERVER.wasm [CONNECTIONS]
      Runs the echo server on --tcplisten 127.0.0.1:0 (the kernel picks the
      port, found from /proc: no port is guessed, so no race with other
      programs) and makes CONNECTIONS (default 1000) connections to it from
      4 threads at once: echo by recv/send and by read/write, payloads from
      0 bytes to 2 MiB, sent while the echo is read back; the client closes
      after the echo, or shuts down its side after it, or half-closes right
      after sending and reads the rest until EOF; two connections are reset
      by the client while the server writes to them (the server must get
      EPIPE or ECONNRESET, not die of SIGPIPE); one checks poll on a socket
      subscribed for writing and reading. Every echo must come back byte
      for byte, the server must exit 0 having served them all, and all of
      it within the time limit.

  sockets.py errors WRUN ECHO_SERVER.wasm
      --tcplisten values that are not HOST:PORT are a one-line error and
      exit status 1; a port in use is "cannot listen on ..."; an IPv6
      listener ([::1]:0) binds ::1 only and serves, where the host has ::1.
"""
import os
import queue
import random
import selectors
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TIME_LIMIT = 150  # seconds for the whole echo run (meson allows 200)


class Failure(Exception):
    pass


def start_server(wrun, wasm, sandbox, listen, connections):
    cmd = [wrun, "--dir", sandbox + "::/", "--tcplisten", listen, wasm,
           str(connections)]
    print("$ (cd %s && %s)" % (sandbox, " ".join(cmd)), flush=True)
    return subprocess.Popen(cmd, cwd=sandbox, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Output:
    """Collects a pipe's lines on a thread of its own."""

    def __init__(self, pipe):
        self.lines = queue.Queue()
        self.all = []
        self.thread = threading.Thread(target=self._read, args=(pipe,),
                                       daemon=True)
        self.thread.start()

    def _read(self, pipe):
        for raw in pipe:
            line = raw.decode(errors="replace").rstrip("\n")
            self.all.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self, deadline):
        try:
            return self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise Failure("no line from the server in time")


def listening_sockets(pid, table):
    """(address hex, port) of every listening socket of process pid in
    /proc/net/TABLE (tcp or tcp6)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    found = []
    if not os.path.exists("/proc/net/" + table):
        return found  # tcp6 on a host without IPv6
    with open("/proc/net/" + table) as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.append((address, int(port, 16)))
    return found


def exchange(sock, data, end, deadline):
    """Sends data while reading its echo. end: "close" (stop once the echo
    is back), "shutdown" (then shut down writing and read until EOF) or
    "halfclose" (shut down writing right after the last byte is sent, read
    the rest until EOF)."""
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    sent, got, eof, shut = 0, bytearray(), False, False
    try:
        while True:
            if sent == len(data) and not shut and (
                    end == "halfclose" or
                    (end == "shutdown" and len(got) >= len(data))):
                sock.shutdown(socket.SHUT_WR)
                shut = True
            if sent == len(data) and sel.get_key(sock).events != \
                    selectors.EVENT_READ:
                sel.modify(sock, selectors.EVENT_READ)
            if eof or (end == "close" and len(got) >= len(data)):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timed out with %d of %d bytes sent, %d back"
                              % (sent, len(data), len(got)))
            for _, mask in sel.select(min(left, 5)):
                if mask & selectors.EVENT_WRITE and sent < len(data):
                    try:
                        sent += sock.send(data[sent:sent + 65536])
                    except BlockingIOError:
                        pass
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = sock.recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        eof = True
                    got += chunk
    finally:
        sel.close()
    if bytes(got) != data:
        at = next((i for i in range(min(len(got), len(data)))
                   if got[i] != data[i]), min(len(got), len(data)))
        raise Failure("%s: echo of %d bytes came back as %d bytes, first "
                      "difference at %d" % (end, len(data), len(got), at))


def connect(port, family=socket.AF_INET, host="127.0.0.1"):
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect((host, port))
    return sock


def recv_exactly(sock, n):
    got = b""
    while len(got) < n:
        chunk = sock.recv(n - len(got))
        if not chunk:
            raise Failure("EOF after %d of %d bytes" % (len(got), n))
        got += chunk
    return got


def run_case(port, case, deadline):
    kind, payload, end = case
    sock = connect(port)
    try:
        if kind in "RW":
            # The server writes without end; reset the connection once it
            # has started (SO_LINGER 0: close sends RST).
            sock.sendall(kind.encode())
            recv_exactly(sock, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        elif kind == "P":
            # One byte alone, so that nothing else is there to read when the
            # server checks poll; its echo, then the rest.
            sock.sendall(b"P")
            if recv_exactly(sock, 1) != b"P":
                raise Failure("P: wrong echo")
            exchange(sock, payload, end, deadline)
        else:
            exchange(sock, kind.encode() + payload, end, deadline)
    finally:
        sock.close()


def make_cases(count):
    rng = random.Random(11)
    special = [("P", rng.randbytes(5000), "halfclose"),
               ("E", rng.randbytes(2 << 20), "halfclose"),
               ("F", rng.randbytes(1 << 20), "shutdown"),
               ("R", b"", None), ("W", b"", None)]
    cases = special[:count]
    ends = ["close", "shutdown", "halfclose"]
    for i in range(count - len(cases)):
        size = rng.choice([0, 1, rng.randrange(2, 300),
                           rng.randrange(300, 40000)])
        if i % 97 == 0:
            size = rng.randrange(100000, 400000)
        cases.append(("EF"[i % 2], rng.randbytes(size), ends[i % 3]))
    rng.shuffle(cases)
    return cases


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def echo(wrun, wasm, connections):
    deadline = time.monotonic() + TIME_LIMIT
    with tempfile.TemporaryDirectory() as sandbox:
        with open(os.path.join(sandbox, "data.txt"), "w") as f:
            f.write("sandbox data\n")
        proc = start_server(wrun, wasm, sandbox, "127.0.0.1:0", connections)
        out, err = Output(proc.stdout), Output(proc.stderr)
        try:
            line = out.next_line(deadline)
            if line != "ready":
                raise Failure("the server said %r, not ready" % line)
            listeners = listening_sockets(proc.pid, "tcp")
            if listening_sockets(proc.pid, "tcp6"):
                raise Failure("an IPv6 listener too")
            if len(listeners) != 1 or listeners[0][0] != "0100007F":
                raise Failure("listening on %s, not 127.0.0.1 alone"
                              % listeners)
            port = listeners[0][1]
            print("listening on 127.0.0.1:%d" % port, flush=True)

            cases = make_cases(connections)
            resets = sum(1 for c in cases if c[0] in "RW")
            work = queue.Queue()
            for c in cases:
                work.put(c)
            failures = []

            def worker():
                while not failures:
                    try:
                        case = work.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        run_case(port, case, deadline)
                    except (Failure, OSError) as e:
                        failures.append("%s connection (%d bytes, %s): %s"
                                        % (case[0], len(case[1]), case[2], e))

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if failures:
                raise Failure(failures[0])
            try:
                status = proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise Failure("the server did not exit after the last "
                              "connection")
            out.thread.join(5)
            err.thread.join(5)
            want = ["ready", "served %d connections: %d echoed, %d reset"
                    % (connections, connections - resets, resets)]
            if status != 0:
                raise Failure("the server exited with status %d" % status)
            if out.all != want:
                raise Failure("server output %r, want %r" % (out.all, want))
        except Failure as e:
            running = proc.poll() is None
            stop(proc)
            if not running:
                print("the server had ended: exit status %d%s" % (
                    proc.returncode, " (signal %d)" % -proc.returncode
                    if proc.returncode < 0 else ""))
            out.thread.join(5)
            err.thread.join(5)
            print("--- server stdout:\n%s\n--- server stderr:\n%s"
                  % ("\n".join(out.all), "\n".join(err.all)))
            print("FAIL:", e)
            return 1
        finally:
            stop(proc)
    print("%d connections echoed, the server exited 0" % connections)
    return 0


def expect_error(wrun, wasm, listen, want):
    with tempfile.TemporaryDirectory() as sandbox:
        r = subprocess.run([wrun, "--tcplisten", listen, wasm, "1"],
                           cwd=sandbox, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
    err = r.stderr.decode(errors="replace")
    if r.returncode != 1 or err.count("\n") != 1 or want not in err:
        raise Failure("--tcplisten %s: status %d, stderr %r; want status 1 "
                      "and one line with %r" % (listen, r.returncode, err,
                                                want))
    print("--tcplisten %s: %s" % (listen, err.strip()))


def ipv6(wrun, wasm):
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError as e:
        print("no IPv6 check: this host cannot bind ::1 (%s)" % e)
        return
    deadline = time.monotonic() + 60
    with tempfile.TemporaryDirectory() as sandbox:
        with open(os.path.join(sandbox, "data.txt"), "w") as f:
            f.write("sandbox data\n")
        proc = start_server(wrun, wasm, sandbox, "[::1]:0", 3)
        out = Output(proc.stdout)
        try:
            if out.next_line(deadline) != "ready":
                raise Failure("[::1]: the server is not ready")
            listeners = listening_sockets(proc.pid, "tcp6")
            loopback = "00000000000000000000000001000000"  # ::1 in /proc
            if (len(listeners) != 1 or listeners[0][0] != loopback or
                    listening_sockets(proc.pid, "tcp")):
                raise Failure("[::1]: listening on %s" % listeners)
            port = listeners[0][1]
            for end in ["close", "shutdown", "halfclose"]:
                sock = connect(port, socket.AF_INET6, "::1")
                try:
                    exchange(sock, b"E" + os.urandom(70000), end, deadline)
                finally:
                    sock.close()
            status = proc.wait(timeout=30)
            if status != 0:
                raise Failure("[::1]: the server exited with %d" % status)
        finally:
            stop(proc)
    print("[::1]:0: 3 connections echoed")


def errors(wrun, wasm):
    try:
        for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                    "127.0.0.1:-1", "127.0.0.1:8x", "localhost:80",
                    "1.2.3:80", "::1:80", "[::1]", "[127.0.0.1]:80",
                    ":80", ""]:
            expect_error(wrun, wasm, bad, '--tcplisten: "%s" is not '
                         'HOST:PORT' % bad)
        taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        try:
            expect_error(wrun, wasm, "127.0.0.1:%d" % port,
                         "cannot listen on 127.0.0.1:%d: address already "
                         "in use" % port)
        finally:
            taken.close()
        ipv6(wrun, wasm)
    except Failure as e:
        print("FAIL:", e)
        return 1
    print("errors: ok")
    return 0


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("echo", "errors"):
        print(__doc__)
        return 2
    wrun, wasm = os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    if sys.argv[1] == "echo":
        return echo(wrun, wasm, int(sys.argv[4]) if len(sys.argv) > 4
                    else 1000)
    return errors(wrun, wasm)


if __name__ == "__main__":
    sys.exit(main())
