#!/usr/bin/env python3
"""Smoke test of the running kernel's TLS offload (kTLS), on loopback only.

For each cipher: a connected 127.0.0.1 TCP pair; the client sets TCP_ULP "tls"
and TLS_TX (TLS 1.3); it sends one message; the server first peeks at the raw
bytes (must be an encrypted TLS 1.3 record, not the plaintext), then sets
TCP_ULP "tls" and TLS_RX with the same key and must read the plaintext back.
/proc/net/tls_stat must count every TX and RX socket (TlsTxSw, TlsRxSw).

The first TLS_TX per cipher makes the kernel load its crypto modules on demand
(through /proc/sys/kernel/modprobe), so this also proves that works.

Usage: ktls-smoke.py [CIPHER...]   CIPHER: aes128gcm aes256gcm chacha20
       (default: aes128gcm chacha20; 5.10 kernels have no chacha20 in kTLS)
Exit status: 0 all passed, 1 a check failed, 2 this kernel has no kTLS.
"""

import errno
import os
import platform
import socket
import struct
import sys
import time

TCP_ULP = 31
SOL_TLS = 282
TLS_TX = 1
TLS_RX = 2
TLS_1_3 = 0x0304
TAG_LEN = 16

# name: (cipher_type, iv length, key length, salt length); layout is
# u16 version, u16 cipher_type (native order), iv, key, salt, rec_seq[8].
CIPHERS = {
    "aes128gcm": (51, 8, 16, 4),
    "aes256gcm": (52, 8, 32, 4),
    "chacha20": (54, 12, 32, 0),
}
DEFAULT = ["aes128gcm", "chacha20"]
MESSAGE = b"hello from kTLS smoke test " * 4


def crypto_info(name):
    cipher_type, iv_len, key_len, salt_len = CIPHERS[name]
    return (struct.pack("=HH", TLS_1_3, cipher_type) + os.urandom(iv_len)
            + os.urandom(key_len) + os.urandom(salt_len) + bytes(8))


def tls_stat():
    try:
        with open("/proc/net/tls_stat") as f:
            return {k: int(v) for k, v in (line.split() for line in f)}
    except FileNotFoundError:
        return None


def loopback_pair():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=5)
        server, _ = listener.accept()
        server.settimeout(5)
        return client, server


def recv_exactly(sock, n, flags=0):
    data = b""
    deadline = time.monotonic() + 5
    while len(data) < n and time.monotonic() < deadline:
        if flags & socket.MSG_PEEK:
            data = sock.recv(n, flags)
            if len(data) < n:
                time.sleep(0.01)
        else:
            chunk = sock.recv(n - len(data), flags)
            if not chunk:
                break
            data += chunk
    return data


def check(name):
    """Returns a one-line result; raises on failure."""
    info = crypto_info(name)
    client, server = loopback_pair()
    with client, server:
        client.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b"tls")
        start = time.monotonic()
        client.setsockopt(SOL_TLS, TLS_TX, info)
        tx_time = time.monotonic() - start
        client.sendall(MESSAGE)

        # TLS 1.3 record: type 23, legacy version 3.3, inner type byte + tag.
        record_len = len(MESSAGE) + 1 + TAG_LEN
        raw = recv_exactly(server, 5 + record_len, socket.MSG_PEEK)
        header = struct.pack("!BHH", 23, 0x0303, record_len)
        if raw[:5] != header:
            raise AssertionError(f"unexpected record header {raw[:5].hex()}")
        if MESSAGE[:16] in raw:
            raise AssertionError("plaintext visible on the wire")

        server.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b"tls")
        server.setsockopt(SOL_TLS, TLS_RX, info)
        plain = recv_exactly(server, len(MESSAGE))
        if plain != MESSAGE:
            raise AssertionError(f"decrypted {len(plain)} bytes that differ from what was sent")
    return f"TLS_TX ok ({tx_time:.3f} s), record on the wire ok, TLS_RX decrypt ok"


def main(argv):
    names = argv or DEFAULT
    unknown = [n for n in names if n not in CIPHERS]
    if unknown:
        print(f"unknown cipher(s): {' '.join(unknown)}; known: {' '.join(CIPHERS)}", file=sys.stderr)
        return 1
    before = tls_stat()
    if before is None:
        print(f"kernel {platform.release()}: no /proc/net/tls_stat (tls module not loaded)")
        return 2
    print(f"kernel {platform.release()}")
    failed = 0
    for name in names:
        try:
            print(f"{name}: {check(name)}")
        except OSError as e:
            hint = " (no tls ULP, or a crypto module could not be loaded)" if e.errno == errno.ENOENT else ""
            print(f"{name}: FAILED: {e}{hint}")
            failed += 1
        except AssertionError as e:
            print(f"{name}: FAILED: {e}")
            failed += 1
    after = tls_stat()
    ok = len(names) - failed
    for key in ("TlsTxSw", "TlsRxSw"):
        delta = after.get(key, 0) - before.get(key, 0)
        print(f"{key}: {before.get(key, 0)} -> {after.get(key, 0)} (+{delta})")
        if delta < ok:
            print(f"FAILED: {key} grew by {delta}, expected at least {ok}")
            failed += 1
    print("PASS" if failed == 0 else "FAIL")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
