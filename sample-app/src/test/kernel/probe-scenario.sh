#!/bin/sh
# Runs inside a test kernel that offers less (5.10: no ChaCha20-Poly1305; 6.12: no rekey): one
# sample app with receive offload, one request per TLS 1.3 suite, and what the app and the
# kernel report, saved under OUT. Asserts nothing itself.
#
# usage: probe-scenario.sh OUT      (JAVA_HOME from the environment)
set -u
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/guest-lib.sh"
PORT=8443

uname -r >"$OUT/kernel.txt"
start_app $PORT true
if wait_ready $PORT; then
	cat /proc/net/tls_stat >"$OUT/tls_stat.before"
	for suite in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
		curl -sk --http1.1 --tlsv1.3 --tls13-ciphers "$suite" "https://localhost:$PORT/" >"$OUT/curl.$suite.page"
		curl -sk --http1.1 --tlsv1.3 --tls13-ciphers "$suite" "https://localhost:$PORT/bytes/524288" \
			| sha256sum | cut -d' ' -f1 >"$OUT/curl.$suite.download"
	done
	curl -sk "https://localhost:$PORT/actuator/health/ktls" >"$OUT/health.json"
	cat /proc/net/tls_stat >"$OUT/tls_stat.after"
fi
stop_apps
echo done >"$OUT/done.txt"
