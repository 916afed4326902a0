#!/usr/bin/env python3
"""HTTPS client that sends its first request in the same TCP write as its TLS Finished.

The handshake runs over memory BIOs, so the bytes the client sends are under our control:
once the handshake completes, the request is encrypted behind the Finished message and both
leave in one sendall(). Each connection reads the whole response and the server's
close_notify. Prints one JSON summary line.

usage: same_flight_client.py PORT COUNT [CIPHER_SUITE]
With CLIENT_CERT and CLIENT_KEY in the environment, it authenticates with that certificate.
"""
import json
import os
import socket
import ssl
import sys

HOST = "127.0.0.1"
REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def context(suite):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["http/1.1"])
    if suite and hasattr(ctx, "set_ciphersuites"):
        ctx.set_ciphersuites(suite)
    if os.environ.get("CLIENT_CERT"):
        ctx.load_cert_chain(os.environ["CLIENT_CERT"], os.environ["CLIENT_KEY"])
    return ctx


def records(data):
    """Count the TLS records in a byte string (5-byte headers)."""
    count, offset = 0, 0
    while offset + 5 <= len(data):
        offset += 5 + int.from_bytes(data[offset + 3:offset + 5], "big")
        count += 1
    return count


def one_connection(ctx):
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with socket.create_connection((HOST, PORT), timeout=30) as sock:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    sock.sendall(outgoing.read())
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("EOF during handshake")
                incoming.write(data)
        tls.write(REQUEST)
        flight = outgoing.read()
        sock.sendall(flight)
        response = b""
        clean_close = False
        while True:
            try:
                chunk = tls.read(65536)
                if not chunk:
                    clean_close = True
                    break
                response += chunk
                continue
            except ssl.SSLZeroReturnError:
                clean_close = True
                break
            except ssl.SSLWantReadError:
                pass
            data = sock.recv(65536)
            if not data:
                break
            incoming.write(data)
    return flight, response, clean_close, tls.cipher()[0]


def main():
    count = int(sys.argv[2])
    suite = sys.argv[3] if len(sys.argv) > 3 else None
    ctx = context(suite)
    summary = {"connections": count, "ok": 0, "sameFlight": 0, "closeNotify": 0, "offloaded": 0,
               "peerCertificate": 0, "ciphers": [], "failures": []}
    for i in range(count):
        try:
            flight, response, clean_close, cipher = one_connection(ctx)
        except Exception as error:  # reported in the summary, the run goes on
            summary["failures"].append("connection %d: %r" % (i, error))
            continue
        if cipher not in summary["ciphers"]:
            summary["ciphers"].append(cipher)
        # Finished and the request: at least two encrypted records in one write
        if records(flight) >= 2 and len(flight) > len(REQUEST):
            summary["sameFlight"] += 1
        if clean_close:
            summary["closeNotify"] += 1
        if response.startswith(b"HTTP/1.1 200"):
            summary["ok"] += 1
            if b"transmit: kernel" in response:
                summary["offloaded"] += 1
            if b"peer: CN=" in response:
                summary["peerCertificate"] += 1
        elif len(summary["failures"]) < 10:
            summary["failures"].append("connection %d: %r" % (i, response[:200]))
    print(json.dumps(summary))


if __name__ == "__main__":
    PORT = int(sys.argv[1])
    main()
