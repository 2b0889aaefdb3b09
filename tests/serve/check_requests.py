#!/usr/bin/python3
"""Hostile requests against the what-if page's server (`talentcast serve`), over raw sockets.

    check_requests.py TALENTCAST [DUMP_DIR]

Starts `TALENTCAST serve --port 0 --paths 500 --threads 2` and sends it a few hundred malformed
or hostile requests, reproducibly (random.Random(20261202)): targeted ones (garbage bytes,
truncated requests, huge and many headers, bad methods, absolute-URI and ../ paths, wrong and
duplicate Host headers, chunked and compressed bodies, missing, lying and duplicate
Content-Length, bodies over 64 KiB, Range headers, invalid and deeply nested JSON, wrong types,
huge numbers, NaN, unknown scenarios and keys, lever amounts out of range, TOML injection in
values and events, control and unicode characters, long key paths, many levers, a flood of
what-ifs, clients that trickle their headers) and a random barrage (mutations of a valid
what-if, fuzzed paths, headers, methods, hosts and lengths). It requires:
  - the server never dies, and answers no request with a 5xx (a 503 only to the flood);
  - every JSON response parses (strictly: no NaN), a 422 lists its problems, a refusal says
    its error; every response carries Content-Security-Policy and X-Content-Type-Options;
  - no path but the page's assets and API routes is answered with content (404 otherwise);
    no response holds an asset's or a system file's content for another path;
  - each targeted request gets its documented answer (421 for a foreign Host, 403 for a
    foreign Origin, 415 for a text/plain body (what another site may send unasked), 415 for a
    chunked or encoded body, 411 without Content-Length, 413 over 64 KiB, 422 for an invalid
    what-if, 400 for two Hosts or two Content-Lengths, ...); a malformed lever, value or event
    role is a problem (422), not silently dropped; a request that never completes is ended by
    the server; no request multiplies its answer (Range); 4 MB of headers are refused (431);
    a 30 KB what-if of 3,000 unknown keys is answered (422; how fast is measured, not tested);
  - the TOML export of a valid what-if passes `TALENTCAST validate` and states only the keys
    the what-if set; a what-if with TOML-injection content is refused (422) or round-trips
    harmlessly; no what-if the server accepts exports a file that does not validate, and no
    export answers 5xx;
  - after the barrage a valid what-if still answers 200 and GET / still returns the page;
  - clients that trickle their headers neither lock everyone else out nor keep Ctrl-C from
    stopping the server; SIGINT ends it with exit code 0 (within 30 s in all).
Prints one summary line (requests sent, status-code histogram). Exits 0 when all holds, 1 with
every failure (and the request that caused it) on standard error. With DUMP_DIR, each failing
request is also written there whole, as NNN-<check>.http, to replay byte for byte against a
running server (its Host header names the port of the run that wrote it).
"""
import collections
import gzip
import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import zlib

SEED = 20261202
MAX_BODY = 64 * 1024
ASSETS = ("/", "/page.js", "/page.css", "/favicon.svg")
API_GET = ("/api/scenarios", "/api/levers")
API_POST = ("/api/compare", "/api/export/toml", "/api/export/report")
ROUTES = frozenset(ASSETS + API_GET + API_POST)
# Methods cpp-httplib knows; the server takes GET, HEAD and POST.
KNOWN_METHODS = (b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"TRACE", b"CONNECT", b"PRI")
# What a system file or a directory listing would show.
FILE_SIGNS = (b"root:x:0:0", b"root:*:0:0", b"[boot loader]", b"Index of /", b"<title>Directory")
BARRAGE = 300
STARTED = time.monotonic()


def log(message):
    print(f"check_requests: {message}", file=sys.stderr)


# --- HTTP over a raw socket ---------------------------------------------------------------------

class Response:
    def __init__(self):
        self.status = None      # None: no response
        self.headers = {}       # lower-case name -> [values]
        self.body = b""
        self.note = ""          # why there is no (complete) response
        self.request = b""
        self.seconds = 0.0

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def __str__(self):
        if self.status is None:
            return f"no response ({self.note}) after {self.seconds:.2f} s"
        return (f"{self.status} {self.header('Content-Type') or ''} {len(self.body)} bytes "
                f"{self.body[:160]!r} after {self.seconds:.2f} s")


def parse_head(data):
    """(status, headers, rest) for the first final response in data, or None if incomplete."""
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = data[:end].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        try:
            status = int(parts[1])
        except (IndexError, ValueError):
            return ("bad", {}, data)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers.setdefault(name.strip().lower().decode("latin-1"), []).append(
                value.strip().decode("latin-1"))
        data = data[end + 4:]
        if 100 <= status < 200:  # 100 Continue: the final response follows
            continue
        return (status, headers, data)


def exchange(port, request, later=b"", timeout=4.0, hangup_after=None, head=False):
    """Sends request (then `later`, unless the server answered within a second) and reads one
    response. hangup_after: give up after so many seconds (a request the server must wait on)."""
    response = Response()
    started = time.monotonic()
    deadline = started + (hangup_after if hangup_after is not None else timeout)
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError as error:
        response.note = f"cannot connect: {error}"
        return response
    data = b""
    try:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            sock.sendall(request)
            if later:
                ready, _, _ = select.select([sock], [], [], 1.0)
                if not ready:
                    sock.sendall(later)
        except OSError:
            pass  # the server may refuse before it has read everything; read its answer
        parsed = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                response.note = "client hung up" if hangup_after is not None else "timeout"
                break
            sock.settimeout(left)
            try:
                chunk = sock.recv(1 << 16)
            except socket.timeout:
                response.note = "client hung up" if hangup_after is not None else "timeout"
                break
            except OSError as error:
                response.note = f"reset ({error.strerror})"
                break
            if not chunk:
                response.note = "closed by the server"
                break
            data += chunk
            parsed = parse_head(data)
            if parsed is None:
                continue
            if parsed[0] == "bad":
                response.note = f"unparsable response {data[:80]!r}"
                parsed = None
                break
            status, headers, rest = parsed
            if head or status in (204, 304):
                length = 0
            elif "content-length" in headers:
                length = int(headers["content-length"][0])
            else:
                length = None  # until the server closes
            if length is not None and len(rest) >= length:
                break
        if parsed is not None:
            response.status, response.headers, rest = parsed
            if "content-length" in response.headers and not head:
                rest = rest[:int(response.headers["content-length"][0])]
            response.body = b"" if head else rest
            response.note = ""
    finally:
        sock.close()
        response.seconds = time.monotonic() - started
    return response


def build(port, method=b"GET", target=b"/", headers=(), body=None, host=True, close=True,
          length=True):
    """A request as bytes: our Host header (unless host is False or bytes), Connection: close,
    Content-Length for a body."""
    lines = [method + b" " + target + b" HTTP/1.1"]
    if host is True:
        lines.append(b"Host: 127.0.0.1:%d" % port)
    elif host:
        lines.append(b"Host: " + host)
    lines.extend(headers)
    if close:
        lines.append(b"Connection: close")
    if body is not None:
        if length:
            lines.append(b"Content-Length: %d" % len(body))
        lines.append(b"Content-Type: application/json")
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


def as_body(what):
    if isinstance(what, bytes):
        return what
    if isinstance(what, str):
        return what.encode("utf-8", "surrogatepass")
    return json.dumps(what, ensure_ascii=False).encode("utf-8", "surrogatepass")


def decode_path(target):
    """The path cpp-httplib routes: the request target without query and fragment, its %XX and
    %uXXXX escapes decoded; an absolute URI's path."""
    text = target.decode("latin-1")
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", text)
    if match:
        text = text[match.end():] or "/"
    text = text.split("?", 1)[0].split("#", 1)[0]
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%" and text[i + 1:i + 2] == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}",
                                                                     text[i + 2:i + 6]):
            out += chr(int(text[i + 2:i + 6], 16)).encode("utf-8", "surrogatepass")
            i += 6
        elif text[i] == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            out += text[i].encode("latin-1")
            i += 1
    return bytes(out).decode("utf-8", "replace")


def strict_json(body):
    def constant(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(body.decode("utf-8"), parse_constant=constant)


# --- The server and the checks ------------------------------------------------------------------

class Run:
    def __init__(self, talentcast, dump_dir):
        self.talentcast = talentcast
        self.dump_dir = dump_dir
        self.failures = []
        self.statuses = collections.Counter()
        self.sent = 0
        self.flooding = False
        self.died = False
        self.interrupted = False
        self.assets = {}
        self.stderr_lines = []
        self.lock = threading.Lock()
        self.server = subprocess.Popen(
            [talentcast, "serve", "--port", "0", "--paths", "500", "--threads", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.server.stdout], [], [], 60)
        line = self.server.stdout.readline().decode("utf-8", "replace") if ready else ""
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.server.kill()
            log(f"serve printed no address: {line!r} "
                f"{self.server.stderr.read().decode('utf-8', 'replace')[-2000:]!r}")
            sys.exit(1)
        self.port = int(match.group(1))
        threading.Thread(target=self._drain, args=(self.server.stderr, True), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.server.stdout, False), daemon=True).start()

    def _drain(self, stream, keep):
        for raw in stream:
            if keep:
                with self.lock:
                    self.stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def fail(self, check, message, request=None):
        with self.lock:
            number = len(self.failures) + 1
            text = f"[{check}] {message}"
            if request is not None:
                shown = request if len(request) <= 600 else request[:600]
                text += f"\n    request ({len(request)} bytes): {shown!r}"
                if len(request) > 600:
                    text += " ..."
                if self.dump_dir:
                    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", check)[:60]
                    with open(os.path.join(self.dump_dir, f"{number:03d}-{name}.http"), "wb") as f:
                        f.write(request)
            self.failures.append(text)

    def alive(self, check, request=None):
        """False (and a failure, once) when the server has died; the main thread then stops."""
        code = self.server.poll()
        if code is None or self.interrupted:
            return True
        with self.lock:
            first = not self.died
            self.died = True
        if first:
            self.fail(check, f"the server died (exit code {code}) after this request", request)
        if threading.current_thread() is threading.main_thread():
            self.finish()
        return False

    def send(self, check, request, later=b"", timeout=4.0, hangup_after=None, expect=None,
             answer_optional=False, head=None):
        """Sends one request, applies the checks every response must pass, and expect (a set of
        statuses, or a function of the response giving an error or None)."""
        if head is None:
            head = request.startswith(b"HEAD ")
        response = exchange(self.port, request, later, timeout, hangup_after, head)
        whole = request + later
        response.request = whole
        with self.lock:
            self.sent += 1
            self.statuses[response.status if response.status is not None else "none"] += 1
        problems = self.check_response(response, answer_optional)
        if expect is not None and response.status is not None:
            error = expect(response) if callable(expect) else (
                None if response.status in expect else f"expected {sorted(expect)}")
            if error:
                problems.insert(0, f"{error}; got {response}")
        if problems:
            self.fail(check, "\n    ".join(problems), whole)
        self.alive(check, whole)
        return response

    def check_response(self, response, answer_optional):
        """What is wrong with a response, whatever the request: a list of sentences."""
        problems = []
        if response.status is None:
            if not answer_optional:
                problems.append(f"no response: {response.note} after {response.seconds:.2f} s")
            elif response.note.startswith("timeout"):
                problems.append(f"the server did not end the request: {response}")
            return problems
        status = response.status
        if status >= 500 and not (status == 503 and self.flooding):
            problems.append(f"server error: {response}")
        if "default-src" not in (response.header("Content-Security-Policy") or ""):
            problems.append(f"no Content-Security-Policy on a {status}")
        if (response.header("X-Content-Type-Options") or "").lower() != "nosniff":
            problems.append(f"no X-Content-Type-Options: nosniff on a {status}")
        content_type = response.header("Content-Type") or ""
        encoding = (response.header("Content-Encoding") or "identity").lower()
        if content_type.startswith("application/json") and response.body and \
                encoding in ("identity", "gzip", "deflate"):
            try:
                body = response.body
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                document = strict_json(body)
            except (ValueError, UnicodeDecodeError, OSError, zlib.error) as error:
                problems.append(f"a JSON response that does not parse ({error}): {response}")
            else:
                problems += self.check_json_shape(status, document)
        first = response.request.split(b"\r\n", 1)[0].split(b" ")
        target = first[1] if len(first) >= 2 else b""
        path = decode_path(target) if target else ""
        if path not in ROUTES:
            if 200 <= status < 300:
                problems.append(f"a path that is no route ({path!r}) was answered with content")
            for asset, body in self.assets.items():
                if len(body) > 64 and body[:64] in response.body:
                    problems.append(f"the content of {asset} answered the path {path!r}")
        for sign in FILE_SIGNS:
            if sign in response.body:
                problems.append(f"a file's content ({sign!r}) in {response}")
        return problems

    def check_json_shape(self, status, document):
        problems = []
        if status == 422:
            problems_ = document.get("problems") if isinstance(document, dict) else None
            ok = (isinstance(problems_, list) and problems_
                  and isinstance(document.get("text"), str)
                  and all(isinstance(p, dict) and {"where", "index", "key", "message"} <= set(p)
                          for p in problems_))
            if not ok:
                problems.append(f"a 422 without its problems: {str(document)[:300]}")
        elif status == 409:
            if not (isinstance(document, dict) and "cancelled" in document):
                problems.append(f"a 409 that does not say so: {str(document)[:300]}")
        elif 400 <= status < 600:
            if not (isinstance(document, dict) and isinstance(document.get("error"), str)):
                problems.append(f"a {status} without an error: {str(document)[:300]}")
        return problems

    def finish(self):
        elapsed = time.monotonic() - STARTED
        histogram = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items(),
                                                             key=lambda kv: str(kv[0])))
        internal = [line for line in self.stderr_lines if "internal error" in line]
        if internal and not any("server error: 5" in failure for failure in self.failures):
            self.fail("server log", "the server logged internal errors:\n    "
                      + "\n    ".join(line[:300] for line in internal[:10]))
        if self.server.poll() is None:
            self.server.kill()
            self.server.wait()
        plural = "" if len(self.failures) == 1 else "s"
        print(f"check_requests: {self.sent} requests sent in {elapsed:.1f} s; status codes "
              f"{{{histogram}}}; {len(self.failures)} failure{plural}")
        for failure in self.failures:
            log(failure)
        sys.exit(1 if self.failures else 0)


# --- The what-ifs -------------------------------------------------------------------------------

class Scenario:
    """What the base scenario 0 offers, read from /api/levers: keys that exist today."""

    def __init__(self, run):
        response = exchange(run.port, build(run.port, target=b"/api/levers?scenario=0"))
        if response.status != 200:
            run.fail("levers", f"GET /api/levers?scenario=0: {response}")
            run.finish()
        info = strict_json(response.body)
        self.levers = info["levers"]
        self.roles = [role["name"] for role in info["roles"]]
        self.periods = info["periods"]
        self.role = self.roles[0]
        adds = [lever for lever in self.levers if lever["move"] == "add"]
        scales = [lever for lever in self.levers if lever["move"] == "scale"]
        self.add_lever = adds[-1]
        self.scale_lever = scales[0] if scales else adds[0]
        # A lever whose distribution is written in the role itself (to set one of its parameters).
        self.dist_lever = None
        for lever in self.levers:
            match = re.match(r"(pert|triangular)\(low ([-0-9.e]+), mode ([-0-9.e]+), high",
                             lever["base"])
            if match and lever["read"] == lever["key"]:
                self.dist_lever = (lever, match.group(3))
                break
        event_role = self.roles[min(3, len(self.roles) - 1)]
        self.valid = {
            "scenario": "0", "paths": 100,
            "levers": [{"key": self.add_lever["key"], "by": 0.1}],
            "values": [{"key": f"roles.{self.role}.attrition", "value": "0.2"}],
            "events": [{"roles": [event_role], "from": self.periods[8], "to": self.periods[11],
                        "demand_growth_add": -0.2}],
        }

    def variant(self, **changes):
        what = json.loads(json.dumps(self.valid))
        what.update(changes)
        return what


# --- Targeted requests --------------------------------------------------------------------------

def check_protocol(run):
    p = run.port
    # Garbage and truncated requests.
    for label, raw in [
            ("garbage bytes", b"\x00\xff\xfe\x16\x03\x01 garbage\r\n\r\n"),
            ("TLS hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64))
             + b"\r\n\r\n"),
            ("empty lines", b"\r\n\r\n\r\n"),
            ("request line without version", b"GET /\r\nHost: 127.0.0.1:%d\r\n\r\n" % p),
            ("HTTP/0.9", b"GET /\r\n\r\n"),
            ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: 127.0.0.1:%d\r\n\r\n" % p),
            ("HTTP/1.1 bare LF", b"GET / HTTP/1.1\nHost: 127.0.0.1:%d\n\n" % p),
            ("h2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            ("lower-case method", build(p, b"get", b"/")),
            ("unknown method", build(p, b"FOO", b"/")),
            ("NUL in method", build(p, b"G\x00T", b"/"))]:
        run.send(f"protocol: {label}", raw, expect=set(range(400, 500)), hangup_after=1.0,
                 answer_optional=True)
    for label, raw in [("truncated request line", b"GET / HT"),
                       ("truncated headers", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-A: b" % p),
                       ("no blank line", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % p)]:
        run.send(f"protocol: {label}", raw, hangup_after=0.3, answer_optional=True,
                 expect=set(range(400, 500)))
    # Methods.
    for method in KNOWN_METHODS:
        run.send(f"method {method.decode()}", build(p, method, b"/", body=b""), expect={405})
    run.send("method HEAD", build(p, b"HEAD", b"/"), expect={200}, head=True)
    run.send("method HEAD unknown path", build(p, b"HEAD", b"/nope"), expect={404}, head=True)
    # Paths: nothing but the routes is served.
    for target in [b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/%2e%2e/", b"//etc/passwd",
                   b"/page.js/../../", b"/page.js/..", b"/page.js/../../etc/passwd",
                   b"/..%2f..%2fetc%2fpasswd", b"/%2fetc%2fpasswd", b"/\\..\\..\\etc\\passwd",
                   b"/./page.js", b"/api/../page.js", b"/api/levers/../scenarios",
                   b"/index.html", b"/page.js/", b"/PAGE.JS", b"/page.js%00", b"/page.js;x",
                   b"/%00", b"/%", b"/%zz", b"/%u002e%u002e/etc/passwd", b"/~root",
                   b"/proc/self/environ",
                   b"/serve/assets/page.js", b"/api", b"/api/", b"/api/scenarios/",
                   b"/api/compare", b"/api/export", b"*",
                   # cpp-httplib routes by regular expression: '.' in a route is any character
                   b"/page/js", b"/pageXjs", b"/faviconXsvg", b"/page-css"]:
        run.send(f"path {target.decode('latin-1')}", build(p, b"GET", target), expect={404, 400})
    for target in [b"http://127.0.0.1:%d/../../etc/passwd" % p, b"http://evil.example/page.js",
                   b"file:///etc/passwd"]:
        run.send(f"absolute URI {target.decode()}", build(p, b"GET", target), expect={404, 400})
    run.send("POST to an asset", build(p, b"POST", b"/", body=b"{}"), expect={404})
    run.send("POST to a GET route", build(p, b"POST", b"/api/scenarios", body=b"{}"), expect={404})
    run.send("long URI", build(p, b"GET", b"/" + b"a" * 9000), expect={414, 400})
    run.send("long query", build(p, b"GET", b"/api/levers?scenario=" + b"9" * 20000),
             expect={414, 400})
    for query in [b"", b"?scenario=", b"?scenario=%00", b"?scenario=-1", b"?scenario=00",
                  b"?scenario=0%", b"?scenario=%zz", b"?scenario=1e0", b"?scenario=0&scenario=1"]:
        run.send(f"levers query {query.decode()}", build(p, b"GET", b"/api/levers" + query),
                 expect={200, 422})
    # Host: only this server's own name and port.
    hosts = [b"evil.example", b"evil.example:%d" % p, b"127.0.0.1", b"localhost", b"127.0.0.1:1",
             b"127.0.0.1:%d.evil.example" % p, b"127.0.0.2:%d" % p, b"0.0.0.0:%d" % p,
             b"127.0.0.1:%d@evil.example" % p, b"[::ffff:127.0.0.1]:%d" % p, b"",
             b"\xff\xfe:%d" % p]
    for host in hosts:
        run.send(f"Host {host!r}", build(p, b"GET", b"/", host=host), expect={421, 400})
        run.send(f"Host {host!r} POST", build(p, b"POST", b"/api/compare", host=host,
                                              body=b'{"scenario":"0"}'), expect={421, 400})
    run.send("no Host", build(p, b"GET", b"/api/scenarios", host=False), expect={421, 400})
    run.send("HTTP/1.0 without Host", b"GET / HTTP/1.0\r\n\r\n", expect={421, 400})
    run.send("Host localhost:PORT", build(p, b"GET", b"/", host=b"localhost:%d" % p), expect={200})
    # RFC 9112 3.2: a request with more than one Host is answered 400.
    for label, extra in [("ours, then foreign", b"evil.example"),
                         ("ours twice", b"127.0.0.1:%d" % p)]:
        run.send(f"duplicate Host ({label})",
                 build(p, b"GET", b"/api/scenarios", headers=[b"Host: " + extra]),
                 expect={400, 421})
    run.send("duplicate Host (foreign, then ours)",
             build(p, b"GET", b"/", host=b"evil.example", headers=[b"Host: 127.0.0.1:%d" % p]),
             expect={400, 421})


def check_headers(run):
    p = run.port
    run.send("header line of 20 KB", build(p, headers=[b"X-Big: " + b"a" * 20000]),
             expect={400, 431})
    run.send("300 headers", build(p, headers=[b"X-%d: y" % i for i in range(300)]),
             expect={200, 400, 431})
    for label, header in [("no colon", b"NoColon"), ("empty name", b": x"), ("NUL", b"X-A: a\x00b"),
                          ("bare CR", b"X-A: a\rb"), ("obs-fold", b"X-A: a\r\n b"),
                          ("space before colon", b"X-A : b"), ("8-bit", b"X-\xff: \xfe\xfd"),
                          ("Upgrade", b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"),
                          ("Expect", b"Expect: 100-continue")]:
        run.send(f"header {label}", build(p, b"GET", b"/api/scenarios", headers=[header]),
                 expect={200, 400})
    # The whole header section is unbounded in cpp-httplib 0.11.4: 4 MB of headers are taken (the
    # body is limited to 64 KiB). A bounded server refuses this (431 or 400).
    lines = [b"X-Pad-%d: %s" % (i, b"p" * 4000) for i in range(1000)]
    run.send("4 MB of headers (1,000 of 4 KB)", build(p, b"GET", b"/favicon.svg", headers=lines),
             expect={400, 431}, timeout=8)
    # Range: a page of JSON is whole or not at all, and no request multiplies its answer.
    run.send("Range on a 422", build(p, b"POST", b"/api/compare", headers=[b"Range: bytes=0-5"],
                                     body=b"{}"),
             expect=lambda r: None if r.status == 422 else "expected 422")
    page = run.assets["/"]
    ranges = b"Range: bytes=" + b",".join([b"0-"] * 64)
    run.send("64 overlapping ranges of /", build(p, b"GET", b"/", headers=[ranges]),
             expect=lambda r: (f"the answer is {len(r.body)} bytes for a page of {len(page)}: a "
                               f"Range header multiplies it" if len(r.body) > 2 * len(page) + 4096
                               else None))


def check_bodies(run, scenario):
    p = run.port
    body = as_body(scenario.valid)
    post = lambda headers, body=body, length=True: build(p, b"POST", b"/api/compare",
                                                        headers=headers, body=body, length=length)
    # Another site's page: its Origin, or a body it may send without asking first (text/plain).
    run.send("foreign Origin", build(p, b"POST", b"/api/compare", body=body,
                                     headers=[b"Origin: https://evil.example"]), expect={403})
    run.send("text/plain body",
             b"POST /api/compare HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
             b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % (p, len(body)) + body,
             expect={415})
    run.send("own Origin", build(p, b"POST", b"/api/compare", body=body,
                                 headers=[b"Origin: http://127.0.0.1:%d" % p]), expect={200, 409})
    chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    run.send("chunked", build(p, b"POST", b"/api/compare", headers=[b"Transfer-Encoding: chunked"],
                              body=None) + chunked, expect={415})
    run.send("chunked with Content-Length",
             post([b"Transfer-Encoding: chunked"], chunked), expect={415, 400})
    packed = gzip.compress(body)
    bomb = gzip.compress(b"[" * 2_000_000)
    for label, headers, data in [("gzip", [b"Content-Encoding: gzip"], packed),
                                 ("gzip bomb", [b"Content-Encoding: gzip"], bomb),
                                 ("deflate", [b"Content-Encoding: deflate"], packed),
                                 ("gzip, chunked", [b"Transfer-Encoding: gzip, chunked"], body)]:
        run.send(f"encoding {label}", post(headers, data), expect={415})
    run.send("encoding identity", post([b"Content-Encoding: identity"]), expect={200, 415})
    run.send("no Content-Length", post([], length=False), expect={411})
    run.send("no Content-Length, no body", build(p, b"POST", b"/api/export/toml"), expect={411})
    for value in [b"-1", b"+5", b"abc", b"1e3", b"0x10", b"99999999999999999999", b"65537",
                  b"1000000", b"12 34", b"\xff"]:
        run.send(f"Content-Length {value!r}",
                 post([b"Content-Length: " + value], length=False), expect={413, 400})
    # cpp-httplib drops a header of no value: an empty Content-Length is none.
    run.send("Content-Length empty", post([b"Content-Length: "], length=False),
             expect={411, 413, 400})
    # A body over 64 KiB, its size told: refused before it is read.
    big = b" " * (MAX_BODY + 1 - len(body)) + body
    request = build(p, b"POST", b"/api/compare", body=big)
    head, _, rest = request.partition(b"\r\n\r\n")
    run.send("body of 64 KiB + 1", head + b"\r\n\r\n", later=rest, expect={413})
    huge = b" " * 300_000
    request = build(p, b"POST", b"/api/compare", body=huge)
    head, _, rest = request.partition(b"\r\n\r\n")
    run.send("body of 300 KB", head + b"\r\n\r\n", later=rest, expect={413})
    exact = b" " * (MAX_BODY - len(body)) + body
    run.send("body of exactly 64 KiB", build(p, b"POST", b"/api/compare", body=exact),
             expect={200}, timeout=10)
    run.send("Content-Length shorter than the body", post([b"Content-Length: 10"], length=False),
             expect={422})
    # RFC 9112 6.3: differing Content-Lengths are an unrecoverable error (400); taking the first
    # is what request smuggling relies on.
    run.send("two differing Content-Lengths",
             post([b"Content-Length: %d" % len(body), b"Content-Length: 5"], length=False),
             expect={400, 413})
    run.send("GET with a body", build(p, b"GET", b"/api/scenarios", body=b"x" * 1000),
             expect={200, 400, 413})


def lying_length(run):
    """Requests that never complete: the server must end them itself (its read timeout is 5 s)."""
    p = run.port
    cases = [("Content-Length larger than the body",
              build(p, b"POST", b"/api/compare", headers=[b"Content-Length: 1000"], body=b"{}",
                    length=False)),
             ("headers never end", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % p),
             ("request line never ends", b"GET /api/scenar")]
    threads = []
    for label, request in cases:
        def one(label=label, request=request):
            run.send(f"unfinished request: {label}", request, timeout=12, answer_optional=True,
                     expect=set(range(400, 500)))
        thread = threading.Thread(target=one, daemon=True)
        thread.start()
        threads.append(thread)
    return threads


def check_whatifs(run, scenario):
    s = scenario
    lever = s.add_lever
    cases = [
        ("empty body", b"", {422}),
        ("not JSON", b"scenario=0", {422}),
        ("truncated JSON", as_body(s.valid)[:-7], {422}),
        ("trailing garbage", as_body(s.valid) + b" x", {422}),
        ("JSON array", b"[]", {422}),
        ("JSON string", b'"0"', {422}),
        ("null", b"null", {422}),
        ("comment", b'{"scenario":"0"/*x*/}', {422}),
        ("invalid UTF-8", b'{"scenario":"\xff\xfe"}', {422}),
        ("lone surrogate", b'{"scenario":"\\ud800"}', {422}),
        ("deep nesting", b'{"scenario":"0","x":' + b"[" * 5000 + b"]" * 5000 + b"}", {422}),
        ("deep unterminated", b"[" * 60000, {422}),
        ("deep objects", b'{"a":' * 9 + b"1" + b"}" * 9, {422}),
        ("NaN", b'{"scenario":"0","levers":[{"key":"%s","by":NaN}]}' % lever["key"].encode(),
         {422}),
        ("Infinity", b'{"scenario":"0","paths":Infinity}', {422}),
        ("-Infinity", b'{"scenario":"0","levers":[{"key":"%s","by":-Infinity}]}'
         % lever["key"].encode(), {422}),
        ("huge number", b'{"scenario":"0","paths":1' + b"0" * 400 + b"}", {422}),
        ("1e400", b'{"scenario":"0","levers":[{"key":"%s","by":1e400}]}' % lever["key"].encode(),
         {422}),
        ("paths 2^64", b'{"scenario":"0","paths":18446744073709551616}', {422}),
        ("paths 2^64-1", b'{"scenario":"0","paths":18446744073709551615}', {422}),
        ("paths 0", s.variant(paths=0), {422}),
        ("paths -1", s.variant(paths=-1), {422}),
        ("paths 1.5", s.variant(paths=1.5), {422}),
        ("paths string", s.variant(paths="100"), {422}),
        ("paths 501", s.variant(paths=501), {422}),
        ("scenario number", s.variant(scenario=0), {422}),
        ("scenario null", s.variant(scenario=None), {422}),
        ("unknown scenario", s.variant(scenario="4"), {422}),
        ("scenario 00", s.variant(scenario="00"), {422}),
        ("scenario -1", s.variant(scenario="-1"), {422}),
        ("scenario ../", s.variant(scenario="../../etc/passwd"), {422}),
        ("no scenario", {"paths": 100}, {422}),
        ("levers object", s.variant(levers={}), {422}),
        ("levers string", s.variant(levers="x"), {422}),
        ("values object", s.variant(values={"a": 1}), {422}),
        ("events number", s.variant(events=3), {422}),
        ("lever by string", s.variant(levers=[{"key": lever["key"], "by": "0.1"}]), {422}),
        ("lever by null", s.variant(levers=[{"key": lever["key"], "by": None}]), {422}),
        ("lever key number", s.variant(levers=[{"key": 5, "by": 0.1}]), {422}),
        ("unknown lever", s.variant(levers=[{"key": "roles.nobody.demand_growth", "by": 0.1}]),
         {422}),
        ("lever above range", s.variant(levers=[{"key": lever["key"], "by": lever["high"] + 0.01}]),
         {422}),
        ("lever below range", s.variant(levers=[{"key": lever["key"], "by": lever["low"] - 0.01}]),
         {422}),
        ("lever 1e308", s.variant(levers=[{"key": lever["key"], "by": 1e308}]), {422}),
        ("lever -1e308", s.variant(levers=[{"key": lever["key"], "by": -1e308}]), {422}),
        ("scale lever at -1", s.variant(levers=[{"key": s.scale_lever["key"], "by": -1}]), {422}),
        ("lever 5e-324", s.variant(levers=[{"key": lever["key"], "by": 5e-324}]), {200}),
        ("lever -0.0", s.variant(levers=[{"key": lever["key"], "by": -0.0}]), {200}),
        ("lever at its high", s.variant(levers=[{"key": lever["key"], "by": lever["high"]}]),
         {200, 422}),
        ("value number", s.variant(values=[{"key": f"roles.{s.role}.attrition", "value": 0.2}]),
         {422}),
        ("value out of range", s.variant(values=[{"key": f"roles.{s.role}.attrition",
                                                  "value": "7"}]), {422}),
        ("value nan", s.variant(values=[{"key": f"roles.{s.role}.attrition", "value": "nan"}]),
         {422}),
        ("value inf", s.variant(values=[{"key": f"roles.{s.role}.attrition", "value": "inf"}]),
         {422}),
        ("value 1e309", s.variant(values=[{"key": f"roles.{s.role}.attrition", "value": "1e309"}]),
         {422}),
        ("unknown key path", s.variant(values=[{"key": "roles.nobody.attrition", "value": "0.2"}]),
         {422}),
        ("empty key path", s.variant(values=[{"key": "", "value": "1"}]), {422}),
        ("key path .", s.variant(values=[{"key": ".", "value": "1"}]), {422}),
        ("key path huge index", s.variant(values=[{"key": "events[99999999999999999999999].x",
                                                   "value": "1"}]), {422}),
        ("key path extends", s.variant(values=[{"key": "extends", "value": '"/etc/passwd"'}]),
         {422}),
        ("key path of 60 KB", s.variant(values=[{"key": "a." * 30000, "value": "1"}]), {422}),
        ("key path with NUL", s.variant(values=[{"key": f"roles.{s.role}.attrition\u0000x",
                                                 "value": "0.2"}]), {422}),
        ("key path with newline", s.variant(values=[{"key": f"roles.{s.role}.attrition\n[evil]",
                                                     "value": "0.2"}]), {422}),
        ("TOML injection in a value", s.variant(values=[{"key": f"roles.{s.role}.attrition",
                                                         "value": "0.2\n[evil]\nx = 1"}]), {422}),
        ("TOML injection of a key", s.variant(values=[{"key": f"roles.{s.role}.attrition",
                                                       "value": "0.2\nroles.x.attrition = 1"}]),
         {422}),
        ("TOML value nested 30,000 deep", s.variant(values=[{"key": f"roles.{s.role}.attrition",
                                                             "value": "[" * 30000}]), {422}),
        ("TOML tables nested 300 deep", s.variant(values=[{
            "key": f"roles.{s.role}.attrition", "value": "{a=" * 300 + "1" + "}" * 300}]), {422}),
        ("NUL in a value", s.variant(values=[{"key": f"roles.{s.role}.attrition",
                                              "value": "0.2\u0000"}]), {422}),
        ("role injection in an event", s.variant(events=[{
            "roles": [s.role + '"]\n[evil]\nx = 1'], "from": s.periods[8],
            "demand_growth_add": -0.1}]), {422}),
        ("date injection in an event", s.variant(events=[{
            "from": s.periods[8] + '"\n[evil]\nx = 1', "demand_growth_add": -0.1}]), {422}),
        ("event before to", s.variant(events=[{"from": s.periods[11], "to": s.periods[8],
                                               "demand_growth_add": 0.1}]), {422}),
        ("event 1e300", s.variant(events=[{"from": s.periods[8], "demand_growth_add": 1e300}]),
         {422}),
        ("event without from", s.variant(events=[{"demand_growth_add": 0.1}]), {422}),
        ("event not an object", s.variant(events=[5]), {422}),
        ("event roles a string", s.variant(events=[{"roles": s.role, "from": s.periods[8],
                                                    "demand_growth_add": 0.1}]), {422}),
        ("unknown role in an event", s.variant(events=[{"roles": ["nobody"], "from": s.periods[8],
                                                        "demand_growth_add": 0.1}]), {422}),
        ("RTL and emoji in a title", s.variant(values=[{"key": f"roles.{s.role}.title",
                                                        "value": '"\u202e\U0001F600 x"'}]),
         {200, 422}),
        ("control characters in a role", s.variant(events=[{
            "roles": ["\u0007\u001b[31m"], "from": s.periods[8], "demand_growth_add": 0.1}]),
         {422}),
        ("1,000 levers", s.variant(levers=[{"key": lever["key"], "by": 0.01}] * 1000), {200, 422}),
        ("700 events", s.variant(events=[{"from": s.periods[8],
                                          "demand_growth_add": 0.0001}] * 700), {200, 422}),
        # Wrong types are told as "<name>: expected ..., found <the value>": the value, cut to 80
        # bytes after its DEL characters are written as \x7f, must not be cut inside a UTF-8
        # character.
        ("DEL and UTF-8 in a wrong-typed field",
         s.variant(paths="\x7f" * 5 + "\u00e9" * 40), {422}),
        ("DEL and UTF-8 in a lever's key",
         s.variant(levers=[{"key": ["\x7f" * 4 + "\u4e2d" * 30], "by": 0.1}]), {422}),
        # Malformed elements are problems, not silently dropped: a lever without its amount, a value
        # without its value, an event's role that is not a string (dropping it turns an event of
        # one role into an event of every role).
        ("lever without by", s.variant(levers=[{"key": lever["key"]}]), {422}),
        ("lever without key", s.variant(levers=[{"by": 0.1}]), {422}),
        ("lever not an object", s.variant(levers=[5]), {422}),
        ("value without value", s.variant(values=[{"key": f"roles.{s.role}.attrition"}]), {422}),
        ("value not an object", s.variant(values=["roles.x.attrition=1"]), {422}),
        ("event role a number", s.variant(events=[{"roles": [42], "from": s.periods[8],
                                                   "demand_growth_add": -0.5}]), {422}),
        ("event role null beside a role", s.variant(events=[{
            "roles": [s.role, None], "from": s.periods[8], "demand_growth_add": -0.5}]), {422}),
    ]
    for label, what, expect in cases:
        run.send(f"what-if: {label}", build(run.port, b"POST", b"/api/compare", body=as_body(what)),
                 expect=expect, timeout=8)
    # 3,000 unknown keys in one value: every one told (how long it takes is measured, not
    # tested: docs/performance.md; its problems were once gathered in quadratic time).
    table = "{" + ",".join(f"k{i}={i}" for i in range(3000)) + "}"
    what = s.variant(values=[{"key": f"roles.{s.role}", "value": table}])
    run.send("what-if: 3,000 unknown keys in one value",
             build(run.port, b"POST", b"/api/compare", body=as_body(what)),
             expect={422}, timeout=20)


def validate(run, text, check, request):
    """Runs `talentcast validate` on an exported TOML; the parsed document, or None."""
    with tempfile.TemporaryDirectory(prefix="check-requests-") as folder:
        path = os.path.join(folder, "whatif.toml")
        with open(path, "wb") as f:
            f.write(text)
        done = subprocess.run([run.talentcast, "validate", path], capture_output=True, timeout=60)
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()[:3]
        run.fail(check, f"the exported TOML does not validate (exit {done.returncode}): "
                        f"{' | '.join(problem)}\n    exported:\n      "
                 + "\n      ".join(text.decode("utf-8", "replace").splitlines()[6:]), request)
        return None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        run.fail(check, f"talentcast validates an exported TOML that Python cannot read: {error}",
                 request)
        return None


def stated_keys(document, prefix=""):
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield path
            yield from stated_keys(value, path + ".")
        else:
            yield path


def check_export(run, what, check, expect_refusal_ok=True, report=False):
    """Exports what; a 200 must validate and state only what the what-if set."""
    request = build(run.port, b"POST", b"/api/export/toml", body=as_body(what))
    response = run.send(check, request, expect={200, 422} if expect_refusal_ok else {200})
    if report:
        run.send(check + " (report)", build(run.port, b"POST", b"/api/export/report",
                                            body=as_body(what)),
                 expect={200, 422} if expect_refusal_ok else {200}, timeout=20)
    if response.status != 200:
        return None
    if not (response.header("Content-Type") or "").startswith("application/toml"):
        run.fail(check, f"the export is not application/toml: {response}", request)
    if "attachment" not in (response.header("Content-Disposition") or ""):
        run.fail(check, "the export is not an attachment", request)
    document = validate(run, response.body, check, request)
    if document is None:
        return None
    allowed = {"extends", "title", "events"}
    allowed |= {lever["key"] for lever in what.get("levers", []) if lever.get("by")}
    allowed |= {value["key"] for value in what.get("values", [])}
    for key in stated_keys(document):
        if not any(key == a or key.startswith(a + ".") or a.startswith(key + ".")
                   for a in allowed):
            run.fail(check, f"the export states {key!r}, which the what-if did not set", request)
    events = document.get("events", [])
    if len(events) != len(what.get("events", [])):
        run.fail(check, f"the export has {len(events)} [[events]], the what-if "
                        f"{len(what.get('events', []))}", request)
    for event, asked in zip(events, what.get("events", [])):
        if not set(event) <= {"name", "from", "to", "roles", "demand_growth_add"}:
            run.fail(check, f"an exported event gained keys: {sorted(event)}", request)
        if event.get("roles", []) != asked.get("roles", []) or event.get("from") != asked["from"]:
            run.fail(check, f"an exported event differs from the request's: {event}", request)
    return document


def check_exports(run, scenario):
    s = scenario
    check_export(run, s.valid, "export: a valid what-if", expect_refusal_ok=False)
    run.send("export: the report of a valid what-if",
             build(run.port, b"POST", b"/api/export/report", body=as_body(s.variant(paths=50))),
             expect=lambda r: None if r.status == 200 and b"<html" in r.body.lower()
             else "expected 200 and a page", timeout=20)
    # TOML injection in a value: refused, or kept as the string it is.
    title_key = f"roles.{s.role}.title"
    for label, toml_value, text in [
            ("multi-line string", '"""x"]\n[evil]\ny = 1\n"""', 'x"]\n[evil]\ny = 1\n'),
            ("escapes", '"x\\"]\\n[evil]\\ny = 1"', 'x"]\n[evil]\ny = 1'),
            ("literal string", "'x\"]\n[evil]'", None),
            ("comment", '"x" # ]\n', "x")]:
        what = s.variant(values=[{"key": title_key, "value": toml_value}])
        document = check_export(run, what, f"export: TOML injection ({label})")
        if document is not None and text is not None:
            got = document.get("roles", {}).get(s.role, {}).get("title")
            if got != text:
                run.fail(f"export: TOML injection ({label})",
                         f"the value did not round-trip: {got!r} for {text!r}",
                         build(run.port, b"POST", b"/api/export/toml", body=as_body(what)))
    check_export(run, s.variant(values=[{"key": f"roles.{s.role}.attrition",
                                         "value": "0.2\n[evil]\nx = 1"}]),
                 "export: TOML injection (table header in a value)")
    check_export(run, s.variant(events=[{"roles": [s.role + '"]\n[evil]\nx = 1'],
                                         "from": s.periods[8], "demand_growth_add": -0.1}]),
                 "export: TOML injection (event role)")
    # What-ifs the server accepts must export files that validate (and the report must not 500).
    lever = s.add_lever
    check_export(run, s.variant(values=[{"key": "title", "value": '"My what-if"'}]),
                 "export: a value of the key 'title' (written twice)", report=True)
    check_export(run, s.variant(levers=[{"key": lever["key"], "by": 0.1},
                                        {"key": lever["key"], "by": 0.2}]),
                 "export: the same lever twice", report=True)
    check_export(run, s.variant(levers=[{"key": lever["key"], "by": 0.1}],
                                values=[{"key": lever["key"], "value": "0.05"}]),
                 "export: a lever and a value of the same key")
    check_export(run, s.variant(values=[{"key": f"roles.{s.role}.attrition", "value": "0.2"},
                                        {"key": f"roles.{s.role}.attrition", "value": "0.3"}]),
                 "export: the same value twice")
    if s.dist_lever:
        dist, mode = s.dist_lever
        check_export(run, s.variant(levers=[], values=[{"key": dist["key"] + ".mode",
                                                        "value": mode}]),
                     "export: a value inside a distribution (its mode)")
    # An event added through a value's key path: the page runs it; the export must state it.
    event = f'{{ from = "{s.periods[8]}", demand_growth_add = -0.9 }}'
    what = s.variant(levers=[], values=[{"key": "events[+]", "value": event}], events=[])
    compared = run.send("export: an event added by the key path events[+] (compare)",
                        build(run.port, b"POST", b"/api/compare", body=as_body(what)),
                        expect={200, 422}, timeout=8)
    if compared.status == 200:
        request = build(run.port, b"POST", b"/api/export/toml", body=as_body(what))
        response = run.send("export: an event added by the key path events[+]", request,
                            expect={200, 422})
        try:
            events = tomllib.loads(response.body.decode("utf-8")).get("events", []) \
                if response.status == 200 else [None]
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            events = [None]  # told by the validation of exports
        if not events:
            run.fail("export: an event added by the key path events[+]",
                     "compare ran the event (200) but the exported TOML leaves it out, so the "
                     "export and its report are another what-if than the page's", request)


def flood(run, scenario):
    run.flooding = True
    lever = scenario.add_lever
    threads = []
    for i in range(12):
        what = scenario.variant(paths=500, levers=[{"key": lever["key"], "by": 0.01 * (i + 1)}])
        request = build(run.port, b"POST", b"/api/compare", body=as_body(what))
        thread = threading.Thread(target=run.send, args=(f"flood {i}", request),
                                  kwargs={"expect": {200, 409, 503}, "timeout": 20},
                                  daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    run.flooding = False


# --- The random barrage -------------------------------------------------------------------------

STRINGS = ["", " ", "0", "-1", "1e999", "NaN", "null", "true", "\u0000", "\u0007\u001b[2J",
           "\u007f" * 3 + "\u00e9" * 45, "\u202e", "\ufeff", "\U0001F600" * 10, "\u4e2d\u6587" * 30,
           "../../etc/passwd", "%2e%2e/", "a" * 3000, '"]\n[evil]\nx = 1', "'''", '"""',
           "{ dist = \"normal\", mean = 0.1, sd = 0.01 }", "[1, 2, 3]", "0.2 # x", "inf", "-nan",
           "1979-05-27", "events[+]", "roles", "defaults", "title", "extends", "a.b.c.d.e.f.g",
           "roles.\"x\".attrition", "\\u0000", "\\", "\r\n\r\nGET / HTTP/1.1"]


def random_json(rng, depth=0):
    kind = rng.randrange(10 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2 ** 31, 2 ** 53 + 1, 2 ** 63, 2 ** 64 - 1, -2 ** 63,
                           10 ** 30, rng.randrange(-1000, 1000)])
    if kind == 3:
        return rng.choice([0.0, -0.0, 5e-324, 1e308, -1e308, 0.1, -0.35, 2.5, 1e-9,
                           rng.uniform(-3, 3)])
    if kind in (4, 5):
        return rng.choice(STRINGS)
    if kind in (6, 7):
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["key", "by", "value", "roles", "from", "to", "x", "scenario", "paths",
                        "levers", "\u0000"]): random_json(rng, depth + 1)
            for _ in range(rng.randrange(4))}


def mutate_json(rng, scenario):
    what = scenario.variant()
    for _ in range(rng.randint(1, 3)):
        choice = rng.randrange(12)
        if choice == 0:
            what[rng.choice(list(what) + ["extra", "__proto__"])] = random_json(rng)
        elif choice == 1 and what:
            del what[rng.choice(list(what))]
        elif choice == 2:
            what["scenario"] = rng.choice(["0", "1", "2", "3", "4", "", " 0", "0 ", "\u0660",
                                           0, None])
        elif choice == 3:
            what["paths"] = rng.choice([1, 2, 50, 100, 500, 501, 0, -5, 2 ** 64 - 1, 1.0, "x",
                                        None])
        elif choice == 4:
            lever = rng.choice(scenario.levers)
            by = rng.choice([lever["low"], lever["high"], 0, lever["high"] * 1.0001,
                             lever["low"] - 1e-9, rng.uniform(lever["low"], lever["high"]), 1e300])
            if isinstance(what.get("levers"), list):
                what["levers"].append({"key": lever["key"], "by": by})
        elif choice == 5:
            key = rng.choice([f"roles.{rng.choice(scenario.roles)}.{p}" for p in
                              ("attrition", "demand_growth", "title", "employed", "wage_response",
                               "switcher_inflow", "nope")] + ["title", "description", "seed",
                                                              "start", "events[0].from",
                                                              "events[+]", "defaults.attrition"])
            value = rng.choice(STRINGS + ["0.1", "0.5", "1", "\"text\"", "{ value = 0.1 }"])
            if isinstance(what.get("values"), list):
                what["values"].append({"key": key, "value": value})
        elif choice == 6:
            event = {"from": rng.choice(scenario.periods + ["", "2026", "2099-Q1", "x"]),
                     "demand_growth_add": rng.choice([-0.2, 0.1, -1, 1, 1.5, 0])}
            if rng.random() < 0.5:
                event["to"] = rng.choice(scenario.periods)
            if rng.random() < 0.6:
                event["roles"] = rng.sample(scenario.roles, rng.randint(0, 3)) + \
                    ([rng.choice(STRINGS)] if rng.random() < 0.3 else [])
            if isinstance(what.get("events"), list):
                what["events"].append(event)
        elif choice == 7:
            for name in ("levers", "values", "events"):
                if isinstance(what.get(name), list) and what[name]:
                    what[name] = what[name] * rng.choice([2, 50, 300])
                    break
        elif choice == 8:
            for name in ("levers", "values", "events"):
                if isinstance(what.get(name), list) and what[name] and \
                        isinstance(what[name][0], dict):
                    element = what[name][0]
                    if element:
                        element[rng.choice(list(element))] = random_json(rng)
                    break
        elif choice == 9:
            what = random_json(rng)
        elif choice == 10:
            nested = 1
            for _ in range(rng.choice([5, 9, 20, 200])):
                nested = [nested]
            what["x"] = nested if isinstance(what, dict) else None
        else:
            for name in ("levers", "values", "events"):
                if isinstance(what, dict) and isinstance(what.get(name), list) and what[name]:
                    del what[name][0]
                    break
        if not isinstance(what, dict):
            break
    body = json.dumps(what, ensure_ascii=rng.random() < 0.3).encode("utf-8", "surrogatepass")
    if rng.random() < 0.25:  # bytes: flip, insert, delete, cut
        data = bytearray(body)
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            at = rng.randrange(len(data))
            operation = rng.randrange(5)
            if operation == 0:
                data[at] = rng.randrange(256)
            elif operation == 1:
                data[at:at] = rng.choice([b"NaN", b"Infinity", b"\x00", b"\xff", b"[[[[", b"}",
                                          b'"', b"\\", b"1e999", b"\xe4\xb8"])
            elif operation == 2:
                del data[at:at + rng.randint(1, 8)]
            elif operation == 3:
                del data[at:]
            else:
                data[at:at] = bytes([rng.randrange(256)])
        body = bytes(data)
    return body[:MAX_BODY]


def random_path(rng):
    parts = ["..", ".", "%2e%2e", "%2E.", "%2f", "etc", "passwd", "page.js", "page.css", "api",
             "export", "toml", "%00", "%ff", "~", "\\..", "", "index.html", ";x", "%u002e",
             "favicon.svg", "scenarios", "levers", "%252e%252e", "..%c0%af", "%e2%80%ae",
             "proc", "self", "environ", "a" * rng.randint(1, 300)]
    path = "/" + "/".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
    if rng.random() < 0.2:
        path += rng.choice(["?", "?scenario=0", "#x", "?../../etc/passwd", "?%00"])
    if rng.random() < 0.1:
        path = rng.choice(["http://127.0.0.1:1", "http://evil.example", "//evil.example",
                           "file://"]) + path
    return path.encode("latin-1")


def barrage(run, scenario, rng, count):
    p = run.port
    kinds = (["garbage"] * 2 + ["truncated"] * 2 + ["method"] * 2 + ["path"] * 5 + ["host"] * 2
             + ["headers"] * 3 + ["encoding"] * 2 + ["length"] * 3 + ["json"] * 14)
    exported = 0
    for number in range(count):
        kind = rng.choice(kinds)
        check = f"barrage #{number} ({kind}, seed {SEED})"
        if kind == "garbage":
            data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))
            if rng.random() < 0.7:
                data += b"\r\n\r\n"
            run.send(check, data, hangup_after=0.2, answer_optional=True,
                     expect=set(range(400, 500)))
        elif kind == "truncated":
            if rng.random() < 0.5:
                full = build(p, b"GET", rng.choice(ASSETS).encode())
                cut = rng.randrange(1, full.index(b"\r\n\r\n") + 2)
            else:
                full = build(p, b"POST", rng.choice(API_POST).encode(),
                             body=as_body(scenario.valid))
                cut = rng.randrange(1, len(full))
            run.send(check, full[:cut], hangup_after=0.2, answer_optional=True,
                     expect=set(range(400, 500)))
        elif kind == "method":
            method = rng.choice(list(KNOWN_METHODS) + [b"FOO", b"get", b"Post", b"G\tET",
                                                       b"M" * 300, b"\xff\xfe", b"HEAD\x00"])
            target = rng.choice(ASSETS + API_GET + API_POST).encode()
            expect = {405} if method in KNOWN_METHODS else {400, 405, 501}
            run.send(check, build(p, method, target, body=b"{}"), expect=expect,
                     hangup_after=1.0, answer_optional=method not in KNOWN_METHODS)
        elif kind == "path":
            target = random_path(rng)
            method = rng.choice([b"GET", b"GET", b"HEAD"])
            if decode_path(target) in ROUTES:
                expect = None
            else:
                expect = {404, 400, 414}
            run.send(check, build(p, method, target), expect=expect, head=method == b"HEAD")
        elif kind == "host":
            host = rng.choice([b"evil.example", b"127.0.0.1", b"localhost",
                               b"127.0.0.1:%d" % (p + 1), b"%d" % p, b":%d" % p,
                               b"127.0.0.1:%d:%d" % (p, p),
                               b"127.0.0.1:0%d" % p, b"127.1:%d" % p, b"2130706433:%d" % p,
                               bytes(rng.randrange(33, 127) for _ in range(rng.randint(0, 60)))])
            if rng.random() < 0.5:
                request = build(p, b"GET", rng.choice(ASSETS + API_GET).encode(), host=host)
            else:
                request = build(p, b"POST", rng.choice(API_POST).encode(), host=host,
                                body=as_body(scenario.valid))
            run.send(check, request, expect={421, 400})
        elif kind == "headers":
            headers = []
            for _ in range(rng.choice([1, 5, 50, 200])):
                name = rng.choice([b"X-A", b"Accept", b"Cookie", b"Origin", b"Referer",
                                   b"User-Agent", b"If-None-Match", b"X-\xff", b"X A",
                                   b"", b"Accept-Encoding", b"Connection", b"Authorization"])
                value = rng.choice([b"", b"x", b"evil.example", b"bytes=0-1", b"gzip, br",
                                    b"\x00", b"\xff" * 20, b"a" * rng.randint(1, 9000),
                                    b"keep-alive", b"close", b"*/*", b"null"])
                headers.append(name + b": " + value)
            target = rng.choice(ASSETS + API_GET).encode()
            run.send(check, build(p, b"GET", target, headers=headers),
                     expect={200, 206, 400, 413, 414, 422, 431}, hangup_after=3.0,
                     answer_optional=True)
        elif kind == "encoding":
            name = rng.choice([b"Transfer-Encoding", b"Content-Encoding"])
            value = rng.choice([b"chunked", b"gzip", b"deflate", b"br", b"identity",
                                b"gzip, chunked", b"CHUNKED", b"chunked ", b"x", b""])
            body = as_body(scenario.valid)
            # cpp-httplib drops a header of no value: an empty one is none.
            expect = {415, 400} if value.strip() else {200, 400, 415, 422}
            run.send(check, build(p, b"POST", rng.choice(API_POST).encode(),
                                  headers=[name + b": " + value], body=body),
                     expect=expect, hangup_after=3.0, answer_optional=True, timeout=20)
        elif kind == "length":
            body = as_body(scenario.valid)
            value = rng.choice([None, b"-1", b"abc", b"1e3", b"0x10", b"65537", b"9" * 12,
                                b"%d" % (len(body) + 100), b"%d" % max(0, len(body) - 5),
                                b"%d%d" % (len(body), 0), b"\t%d" % len(body)])
            headers = [] if value is None else [b"Content-Length: " + value]
            request = build(p, b"POST", rng.choice(API_POST[:2]).encode(), headers=headers,
                            body=body, length=False)
            waits = False
            if value is None:
                expect = {411}
            elif not value.strip().isdigit() or int(value) > MAX_BODY:
                expect = {413, 400}
            else:
                expect = {200, 400, 422}
                waits = int(value) > len(body)  # the server waits for the rest
            run.send(check, request, expect=expect, timeout=20,
                     hangup_after=0.5 if waits else None, answer_optional=waits)
        else:
            body = mutate_json(rng, scenario)
            roll = rng.random()
            target = b"/api/export/report" if roll < 0.02 else (
                b"/api/export/toml" if roll < 0.15 else b"/api/compare")
            request = build(p, b"POST", target, body=body)
            response = run.send(check, request, expect={200, 413, 422}, timeout=20)
            if target == b"/api/export/toml" and response.status == 200 and exported < 15:
                exported += 1
                validate(run, response.body, check + ": the accepted what-if's export", request)


# --- Slow clients and Ctrl-C --------------------------------------------------------------------

def slow_clients_and_interrupt(run):
    """Clients that send their headers a byte a second: others must still be served, and Ctrl-C
    must still stop the server (a per-read timeout alone never ends them)."""
    stop = threading.Event()
    clients = []
    for _ in range(12):
        try:
            sock = socket.create_connection(("127.0.0.1", run.port), timeout=2)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % run.port)
            clients.append(sock)
        except OSError:
            break

    def trickle():
        while not stop.wait(0.5):
            for sock in clients:
                try:
                    sock.sendall(b"a")
                except OSError:
                    pass
    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    time.sleep(0.5)
    trickled = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: aaaa... (a byte every 0.5 s, "
                b"from 12 clients at once)" % run.port)
    probe = build(run.port, b"GET", b"/favicon.svg")
    response = exchange(run.port, probe, timeout=6)
    run.sent += 1
    run.statuses[response.status if response.status is not None else "none"] += 1
    if response.status != 200:
        run.fail("slow clients", f"while 12 clients trickle their headers, GET /favicon.svg got "
                                 f"{response}: a few slow clients lock everyone out", trickled)
    run.interrupted = True
    run.server.send_signal(signal.SIGINT)
    interrupted = time.monotonic()
    try:
        code = run.server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        code = None
        run.fail("Ctrl-C", "SIGINT did not stop the server within 10 s while clients trickle "
                           "their headers (it waits for them to finish)", trickled)
    stop.set()
    thread.join()
    for sock in clients:
        sock.close()
    if code is None:
        try:
            code = run.server.wait(timeout=max(1.0, 30 - (time.monotonic() - interrupted)))
        except subprocess.TimeoutExpired:
            run.fail("Ctrl-C", "SIGINT did not stop the server within 30 s")
            return
    if code != 0:
        run.fail("Ctrl-C", f"SIGINT ended the server with exit code {code}, not 0")


# --- Main ---------------------------------------------------------------------------------------

def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    talentcast = os.path.abspath(sys.argv[1])
    dump_dir = sys.argv[2] if len(sys.argv) == 3 else None
    if dump_dir:
        os.makedirs(dump_dir, exist_ok=True)
    run = Run(talentcast, dump_dir)
    for asset in ASSETS:
        response = exchange(run.port, build(run.port, b"GET", asset.encode()))
        if response.status != 200 or not response.body:
            run.fail("assets", f"GET {asset}: {response}")
            run.finish()
        run.assets[asset] = response.body
    scenario = Scenario(run)
    waiting = lying_length(run)
    check_protocol(run)
    check_headers(run)
    check_bodies(run, scenario)
    check_whatifs(run, scenario)
    check_exports(run, scenario)
    flood(run, scenario)
    run.alive("the flood")
    barrage(run, scenario, random.Random(SEED), BARRAGE)
    for thread in waiting:
        thread.join()
    run.alive("the requests above")
    # Still serving.
    run.send("after the barrage: a valid what-if",
             build(run.port, b"POST", b"/api/compare", body=as_body(scenario.valid)),
             expect=lambda r: None if r.status == 200 and b'"series"' in r.body
             else "expected 200 with series", timeout=20)
    run.send("after the barrage: the page", build(run.port, b"GET", b"/"),
             expect=lambda r: None if r.status == 200 and r.body == run.assets["/"]
             else "expected the page")
    slow_clients_and_interrupt(run)
    run.finish()


if __name__ == "__main__":
    main()
