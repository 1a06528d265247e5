"""A minimal RFC 6455 WebSocket client (stdlib only), enough to test /api/v1/stream.

Handshake with a random Sec-WebSocket-Key (the answer is checked), masked client frames, server text
frames (fragments joined), pings answered with pongs, the close handshake.
"""
import base64
import hashlib
import os
import socket
import struct
import time

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeRefused(Exception):
    """The server answered the upgrade with an HTTP response other than 101."""

    def __init__(self, status, headers, body):
        super().__init__(f"upgrade refused with {status}: {body[:200]!r}")
        self.status, self.headers, self.body = status, headers, body


class Closed(Exception):
    """The server closed the connection; `code` is the close status (None without a close frame)."""

    def __init__(self, code=None):
        super().__init__(f"closed ({code})")
        self.code = code


class WebSocket:
    def __init__(self, port, target, headers=None, timeout=5.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""
        self.closed = False
        self.close_code = None
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = self._read_until(b"\r\n\r\n", time.monotonic() + timeout)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split(" ")[1])
        self.headers = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers[k.strip().lower()] = v.strip()
        if self.status != 101:
            body = self._take(int(self.headers.get("content-length", "0")), time.monotonic() + timeout)
            self.sock.close()
            raise HandshakeRefused(self.status, self.headers, body.decode("utf-8", "replace"))
        expected = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        if self.headers.get("sec-websocket-accept") != expected:
            raise AssertionError("bad Sec-WebSocket-Accept: " + str(self.headers))

    # --- reading -----------------------------------------------------------------------------------------

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError from None
        if not chunk:
            self.closed = True
            raise Closed(self.close_code)
        self.buf += chunk

    def _take(self, n, deadline):
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _read_until(self, marker, deadline):
        while marker not in self.buf:
            self._fill(deadline)
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def _parse(self):
        """(fin, opcode, payload, frame length) of the whole frame at the start of the buffer, or None."""
        b = self.buf
        if len(b) < 2:
            return None
        fin, opcode, n, at = b[0] & 0x80, b[0] & 0x0F, b[1] & 0x7F, 2
        if b[1] & 0x80:
            raise AssertionError("server frames must not be masked")
        if n == 126:
            if len(b) < 4:
                return None
            n, at = struct.unpack(">H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, at = struct.unpack(">Q", b[2:10])[0], 10
        if len(b) < at + n:
            return None
        return bool(fin), opcode, b[at:at + n], at + n

    def _frame(self, deadline):
        # A frame leaves the buffer only once whole, so a timeout part-way loses nothing.
        while (f := self._parse()) is None:
            self._fill(deadline)
        fin, opcode, payload, size = f
        self.buf = self.buf[size:]
        return fin, opcode, payload

    def recv(self, timeout=5.0):
        """The next text message, or None when none comes within `timeout` s. Raises Closed."""
        if self.closed:
            raise Closed(self.close_code)
        deadline = time.monotonic() + timeout
        parts = []
        while True:
            try:
                fin, opcode, payload = self._frame(deadline)
            except TimeoutError:
                return None
            if opcode == 0x9:
                self._send(0xA, payload)
            elif opcode == 0xA:
                pass
            elif opcode == 0x8:
                self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                if not self.closed:
                    try:
                        self._send(0x8, payload[:2])
                    except OSError:
                        pass
                self.closed = True
                self.sock.close()
                raise Closed(self.close_code)
            elif opcode in (0x1, 0x0):
                parts.append(payload)
                if fin:
                    return b"".join(parts).decode("utf-8")
            else:
                raise AssertionError(f"unexpected opcode {opcode}")

    def recv_all(self, seconds):
        """Every text message that arrives within `seconds`."""
        out = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            m = self.recv(left)
            if m is not None:
                out.append(m)

    # --- writing -----------------------------------------------------------------------------------------

    def _send(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self._send(0x1, text.encode("utf-8"))

    def ping(self, data=b""):
        self._send(0x9, data)

    def close(self, code=1000):
        if self.closed:
            return
        try:
            self._send(0x8, struct.pack(">H", code))
            deadline = time.monotonic() + 2
            while True:
                _, opcode, payload = self._frame(deadline)
                if opcode == 0x8:
                    break
        except (OSError, Closed, TimeoutError):
            pass
        self.closed = True
        self.sock.close()
