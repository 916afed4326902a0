#!/usr/bin/env python3
"""Sends a request body that stops in the middle: the TCP connection is half-closed (FIN)
without a TLS close_notify after 64 KiB of a declared 1 MiB. The application must see an error,
not a clean end of the body: the response must not be the SHA-256 of what arrived.
Prints one JSON line.

usage: truncated_upload.py PORT
"""
import hashlib
import json
import socket
import ssl
import sys

PORT = int(sys.argv[1])
SENT = 64 * 1024
DECLARED = 1024 * 1024


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["http/1.1"])
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    body = bytes(i % 256 for i in range(SENT))
    response = b""
    with socket.create_connection(("127.0.0.1", PORT), timeout=30) as sock:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(sock.recv(65536))
        tls.write(b"POST /sha256 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                  b"Content-Length: %d\r\n\r\n" % DECLARED + body)
        sock.sendall(outgoing.read())
        # FIN without close_notify
        sock.shutdown(socket.SHUT_WR)
        while True:
            try:
                chunk = tls.read(65536)
                if not chunk:
                    break
                response += chunk
                continue
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLError):
                break
            data = sock.recv(65536)
            if not data:
                break
            incoming.write(data)
    partial = hashlib.sha256(body).hexdigest().encode()
    print(json.dumps({"status": response.split(b"\r\n", 1)[0].decode(errors="replace"),
                      "hashOfPartialBody": partial in response}))


main()
