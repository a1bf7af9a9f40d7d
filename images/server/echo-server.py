#!/usr/bin/env python3
"""kconn echo server: a small stand-in for agnhost `netexec` / `serve-hostname`.

Mimics the interface of the Kubernetes e2e test image
registry.k8s.io/e2e-test-images/agnhost so that the same probes work
against both. Behaviour was checked against the upstream sources:
  https://github.com/kubernetes/kubernetes/blob/master/test/images/agnhost/netexec/netexec.go
  https://github.com/kubernetes/kubernetes/blob/master/test/images/agnhost/serve-hostname/serve_hostname.go
  https://github.com/kubernetes/kubernetes/blob/master/test/images/agnhost/connect/connect.go
(This is an independent Python implementation, no upstream code is copied.)

Listeners (each flag is repeatable and takes comma lists; "-1"/"none"/""
disables that kind of listener; env vars give the default when no flag is given):
  --http-port   HTTP              default 8080  env KCONN_HTTP_PORTS
  --https-port  HTTPS             default 8443  env KCONN_HTTPS_PORTS
  --udp-port    UDP (netexec)     default 8081  env KCONN_UDP_PORTS
  --tcp-port    raw TCP           default none  env KCONN_TCP_PORTS
                (like `agnhost serve-hostname --tcp`: sends the hostname, closes)

HTTP(S) paths (as netexec): /  /hostname  /hostName  /clientip  /echo?msg=&code=
  /healthz  /redirect?location=&code=  /dial?host=&port=&request=&protocol=&tries=
  /exit?code=&wait=  /shutdown ; any other path answers like "/" (200 "NOW: ...").
Extras: /status/<code> (answers with that status), /headers (request headers as JSON).
UDP commands (as netexec; trimmed, lower-cased): "hostname", "echo <msg>", "clientip";
anything else gets no reply.

Logs go to stdout; SIGTERM/SIGINT exit immediately with status 0.
"""

import argparse
import datetime
import json
import logging
import os
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_CERT = "/etc/kconn/tls.crt"
DEFAULT_KEY = "/etc/kconn/tls.key"

log = logging.getLogger("kconn-echo")
READY = threading.Event()
HOSTNAME = socket.gethostname()


# --------------------------------------------------------------------------
# helpers


def fmt_addr(addr):
    """Format a peer address like Go's net.Addr.String(): ip:port, [ip6]:port."""
    host, port = addr[0], addr[1]
    if host.startswith("::ffff:") and "." in host:
        host = host[len("::ffff:"):]
    if ":" in host:
        return "[%s]:%d" % (host, port)
    return "%s:%d" % (host, port)


def parse_ports(values, env_name, default):
    """Flatten repeatable/comma-list port flags. Returns a sorted list of ints."""
    if values is None:
        raw = os.environ.get(env_name)
        values = [raw] if raw is not None else [default]
    ports = []
    for v in values:
        for item in str(v).split(","):
            item = item.strip().lower()
            if item in ("", "-1", "none", "off"):
                continue
            try:
                p = int(item)
            except ValueError:
                raise SystemExit("invalid port %r in %s" % (item, env_name))
            if not 0 < p < 65536:
                raise SystemExit("port out of range: %d" % p)
            if p not in ports:
                ports.append(p)
    return ports


def ipv6_usable():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::", 0))
        return True
    except OSError:
        return False


USE_IPV6 = False  # decided in main()


def dual_stack(cls):
    """Make a socketserver class bind [::] with IPV6_V6ONLY=0 when possible."""

    class DualStack(cls):
        address_family = socket.AF_INET6

        def server_bind(self):
            try:
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            except OSError:
                pass
            super().server_bind()

    DualStack.__name__ = "DualStack" + cls.__name__
    return DualStack


def make_server(cls, bind, port, handler):
    if USE_IPV6 and bind in ("", "::"):
        return dual_stack(cls)(("::", port), handler)
    if ":" in bind:
        return dual_stack(cls)((bind, port), handler)
    return cls((bind or "0.0.0.0", port), handler)


def quiet_handle_error(self, request, client_address):
    exc = sys.exc_info()[1]
    log.info("connection from %s ended with error: %s: %s",
             fmt_addr(client_address), type(exc).__name__, exc)


# --------------------------------------------------------------------------
# HTTP(S)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kconn-echo/1"

    def version_string(self):
        return self.server_version
    timeout = 60  # idle keep-alive connections
    http_override = ""
    tls_context = None  # set on the HTTPS handler subclass

    def setup(self):
        if self.tls_context is not None:
            # TLS handshake in the per-connection thread, not in accept().
            self.request.settimeout(10)
            self.request = self.tls_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        log.info("%s %s", fmt_addr(self.client_address), fmt % args)

    # -- response helpers
    def send_text(self, code, body, ctype="text/plain; charset=utf-8", headers=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def send_json(self, code, obj):
        self.send_text(code, json.dumps(obj), "application/json")

    # -- dispatch
    def do_any(self):
        body = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            body = self.rfile.read(length)
        target = self.http_override or self.path
        url = urllib.parse.urlsplit(target)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        ctype = self.headers.get("Content-Type", "")
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                              keep_blank_values=True).items():
                q.setdefault(k, v)
        params = {k: v[0] for k, v in q.items()}
        path = url.path or "/"
        route = ROUTES.get(path)
        if route is None and path.startswith("/status/"):
            route = Handler.h_status
        if route is None:
            route = Handler.h_root
        route(self, path, params)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_any

    # -- handlers (names follow agnhost netexec)
    def h_root(self, path, params):
        self.send_text(200, "NOW: %s" % datetime.datetime.now(datetime.timezone.utc))

    def h_hostname(self, path, params):
        self.send_text(200, HOSTNAME)

    def h_clientip(self, path, params):
        self.send_text(200, fmt_addr(self.client_address))

    def h_echo(self, path, params):
        msg, code = params.get("msg", ""), params.get("code", "")
        status = 200
        if code:
            try:
                status = int(code)
            except ValueError:
                return self.send_text(200, "argument 'code' must be an integer or empty, got %r\n" % code)
        self.send_text(status, msg)

    def h_healthz(self, path, params):
        self.send_text(200 if READY.is_set() else 412, "")

    def h_status(self, path, params):
        try:
            status = int(path.rsplit("/", 1)[1])
            if not 100 <= status <= 599:
                raise ValueError
        except ValueError:
            return self.send_text(400, "bad status code in %s\n" % path)
        self.send_text(status, "%d" % status)

    def h_headers(self, path, params):
        self.send_json(200, {k: v for k, v in self.headers.items()})

    def h_redirect(self, path, params):
        location, code = params.get("location", ""), params.get("code", "")
        status = 302
        if code:
            try:
                status = int(code)
            except ValueError:
                return self.send_text(200, "argument 'code' must be an integer or empty, got %r\n" % code)
        self.send_text(status, "", headers={"Location": location})

    def h_exit(self, path, params):
        try:
            code = int(params.get("code") or 0)
        except ValueError:
            return self.send_text(200, "argument 'code' must be an integer [0-127] or empty\n")
        wait = parse_duration(params.get("wait", ""))
        log.info("/exit requested: code=%d wait=%ss", code, wait)
        self.send_text(200, "")
        schedule_exit(code, wait)

    def h_shutdown(self, path, params):
        log.info("/shutdown requested")
        self.send_text(200, "")
        schedule_exit(0, 0)

    def h_dial(self, path, params):
        host, port = params.get("host", ""), params.get("port", "")
        request = params.get("request", "")
        protocol = (params.get("protocol") or "http").lower()
        try:
            tries = int(params.get("tries") or 1)
        except ValueError:
            return self.send_text(400, "tries parameter is invalid\n")
        if not request:
            return self.send_text(400, "request parameter not specified.\n")
        if protocol not in ("http", "udp"):
            return self.send_text(400, "unsupported protocol. %s\n" % protocol)
        try:
            port_i = int(port)
        except ValueError:
            return self.send_text(400, "host and/or port param are invalid.\n")
        responses, errors, last = [], [], ""
        for _ in range(max(tries, 0)):
            try:
                if protocol == "http":
                    last = dial_http(host, port_i, request)
                else:
                    last = dial_udp(host, port_i, request)
                responses.append(last)
            except Exception as e:  # noqa: BLE001 - report every failure
                last = ""
                errors.append("%s: %s" % (type(e).__name__, e))
        out = {}
        if last:
            out["responses"] = responses
        if errors:
            out["errors"] = errors
        self.send_json(200, out)


ROUTES = {
    "/": Handler.h_root,
    "/hostname": Handler.h_hostname,
    "/hostName": Handler.h_hostname,
    "/clientip": Handler.h_clientip,
    "/echo": Handler.h_echo,
    "/healthz": Handler.h_healthz,
    "/headers": Handler.h_headers,
    "/redirect": Handler.h_redirect,
    "/exit": Handler.h_exit,
    "/shutdown": Handler.h_shutdown,
    "/dial": Handler.h_dial,
}


def parse_duration(s):
    """Accept Go-ish durations (500ms, 2s, 1m) or plain seconds."""
    s = (s or "").strip()
    if not s:
        return 0.0
    for suffix, mult in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if s.endswith(suffix):
            try:
                return float(s[: -len(suffix)]) * mult
            except ValueError:
                return 0.0
    try:
        return float(s)
    except ValueError:
        return 0.0


def schedule_exit(code, wait):
    def _exit():
        time.sleep(wait + 0.1)  # let the response go out
        log.info("exiting with code %d", code)
        logging.shutdown()
        os._exit(code)

    threading.Thread(target=_exit, daemon=True).start()


def host_port(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def dial_http(host, port, request):
    url = "http://%s/%s" % (host_port(host, port), request.lstrip("/"))
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read().decode("utf-8", "replace")


def dial_udp(host, port, request):
    info = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0]
    with socket.socket(info[0], socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.connect(info[4])
        s.send(request.encode("utf-8"))
        data = s.recv(2048)
        if not data:
            raise OSError("empty UDP response")
        return data.decode("utf-8", "replace")


# Accept queue as deep as the kernel allows (net.core.somaxconn), like agnhost's Go listeners: socketserver's
# default of 5 drops the SYNs of a burst of concurrent connects, which the client sees as a timeout (a reachable
# target reported as blocked).
LISTEN_BACKLOG = 4096


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    handle_error = quiet_handle_error


# --------------------------------------------------------------------------
# UDP (netexec protocol) and raw TCP (serve-hostname --tcp)


def udp_reply(text, client_address):
    cmd = text.strip().lower()
    if cmd == "hostname":
        return HOSTNAME
    if cmd.startswith("echo "):
        return cmd.split(" ", 1)[1]
    if cmd == "clientip":
        return fmt_addr(client_address)
    return None


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        text = data.decode("utf-8", "replace")
        reply = udp_reply(text, self.client_address)
        if reply is None:
            if text.strip():
                log.info("udp %s unknown command %r", fmt_addr(self.client_address), text.strip()[:64])
            return
        log.info("udp %s %r", fmt_addr(self.client_address), text.strip()[:64])
        sock.sendto(reply.encode("utf-8"), self.client_address)


class QuietThreadingUDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True
    max_packet_size = 2048
    handle_error = quiet_handle_error


class TCPHostnameHandler(socketserver.BaseRequestHandler):
    def handle(self):
        log.info("tcp %s connection", fmt_addr(self.client_address))
        self.request.sendall(HOSTNAME.encode("utf-8"))


class QuietThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    handle_error = quiet_handle_error


# --------------------------------------------------------------------------
# main


def ensure_cert(cert, key):
    """Use the image's build-time cert; else make a throwaway one (running outside the image)."""
    if os.path.exists(cert) and os.path.exists(key):
        return cert, key
    openssl = shutil.which("openssl")
    if not openssl:
        raise SystemExit("no TLS cert at %s and no openssl to make one; "
                         "pass --tls-cert-file/--tls-private-key-file or --https-port=-1" % cert)
    d = tempfile.mkdtemp(prefix="kconn-tls-")
    cert, key = os.path.join(d, "tls.crt"), os.path.join(d, "tls.key")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                    "-subj", "/CN=kconn-probe-server", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log.info("generated a self-signed TLS cert in %s", d)
    return cert, key


def main(argv=None):
    global USE_IPV6
    ap = argparse.ArgumentParser(
        description="agnhost-netexec-compatible echo server (HTTP, HTTPS, UDP, raw TCP)")
    ap.add_argument("--http-port", action="append", metavar="PORT[,PORT]",
                    help="HTTP port(s); default 8080 (env KCONN_HTTP_PORTS); -1 disables")
    ap.add_argument("--https-port", action="append", metavar="PORT[,PORT]",
                    help="HTTPS port(s); default 8443 (env KCONN_HTTPS_PORTS); -1 disables")
    ap.add_argument("--udp-port", action="append", metavar="PORT[,PORT]",
                    help="UDP port(s); default 8081 (env KCONN_UDP_PORTS); -1 disables")
    ap.add_argument("--tcp-port", action="append", metavar="PORT[,PORT]",
                    help="raw TCP port(s) that send the hostname and close; default none "
                         "(env KCONN_TCP_PORTS)")
    ap.add_argument("--bind", default=os.environ.get("KCONN_BIND", ""),
                    help="address to bind; default all IPv4+IPv6 (env KCONN_BIND)")
    ap.add_argument("--tls-cert-file", default=None, help="default " + DEFAULT_CERT)
    ap.add_argument("--tls-private-key-file", default=None, help="default " + DEFAULT_KEY)
    ap.add_argument("--http-override", default="",
                    help="serve this path&query for every HTTP request (as netexec)")
    args = ap.parse_args(argv)

    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")

    def on_signal(signum, frame):
        log.info("received %s, exiting", signal.Signals(signum).name)
        logging.shutdown()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    http_ports = parse_ports(args.http_port, "KCONN_HTTP_PORTS", 8080)
    https_ports = parse_ports(args.https_port, "KCONN_HTTPS_PORTS", 8443)
    udp_ports = parse_ports(args.udp_port, "KCONN_UDP_PORTS", 8081)
    tcp_ports = parse_ports(args.tcp_port, "KCONN_TCP_PORTS", "")
    if not (http_ports or https_ports or udp_ports or tcp_ports):
        raise SystemExit("no listeners configured")
    USE_IPV6 = ipv6_usable()
    Handler.http_override = args.http_override

    servers = []
    for p in http_ports:
        servers.append(("http", p, make_server(QuietThreadingHTTPServer, args.bind, p, Handler)))
    if https_ports:
        if args.tls_cert_file:
            # as netexec: the key may be concatenated into the cert file
            cert, key = args.tls_cert_file, args.tls_private_key_file or args.tls_cert_file
            if not os.path.exists(cert) or not os.path.exists(key):
                raise SystemExit("TLS cert/key not found: %s %s" % (cert, key))
        else:
            cert, key = ensure_cert(DEFAULT_CERT, args.tls_private_key_file or DEFAULT_KEY)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        tls_handler = type("TLSHandler", (Handler,), {"tls_context": ctx})
        for p in https_ports:
            servers.append(("https", p, make_server(QuietThreadingHTTPServer, args.bind, p, tls_handler)))
    for p in udp_ports:
        servers.append(("udp", p, make_server(QuietThreadingUDPServer, args.bind, p, UDPHandler)))
    for p in tcp_ports:
        servers.append(("tcp", p, make_server(QuietThreadingTCPServer, args.bind, p, TCPHostnameHandler)))

    for kind, port, srv in servers:
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.5},
                         name="%s-%d" % (kind, port), daemon=True).start()
        log.info("started %s server on port %d (%s)", kind.upper(), port,
                 "dual-stack" if srv.address_family == socket.AF_INET6 else "ipv4")
    READY.set()
    log.info("hostname=%s ready", HOSTNAME)
    while True:  # signals are handled in the main thread
        signal.pause()


if __name__ == "__main__":
    main()
