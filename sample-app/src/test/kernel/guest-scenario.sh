#!/bin/sh
# Runs inside a test kernel: starts the sample app twice (receive offload on and off), drives
# real clients against both, and saves what they and the kernel report under OUT for the
# kernel tests to assert on. Asserts nothing itself.
#
# usage: guest-scenario.sh OUT      (JAVA_HOME and PYTHON from the environment)
set -u
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/guest-lib.sh"
RX_PORT=8443
TX_PORT=8444
# Client certificates wanted, and a transmit key usage limit lowered to 100 records
MTLS_PORT=8445
# The kernel refuses every receive key (fault injection): transmit in the kernel, receive in the engine
REFUSING_PORT=8446
SUITES="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
TLS12_SUITES="ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305"
REQUEST='GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
KEEP_ALIVE='GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'

# usage: curl_suite PORT SUITE CURL-OPTIONS...: a page, 512 KiB down and 512 KiB up
curl_suite() {
	port=$1 suite=$2
	shift 2
	curl -sk --http1.1 "$@" "https://localhost:$port/" >"$OUT/curl.$port.$suite.page"
	curl -sk --http1.1 "$@" "https://localhost:$port/bytes/524288" \
		| sha256sum | cut -d' ' -f1 >"$OUT/curl.$port.$suite.download"
	curl -sk --http1.1 "$@" --data-binary "@$OUT/upload.bin" \
		"https://localhost:$port/sha256" >"$OUT/curl.$port.$suite.upload"
}

# Eight uploads and eight downloads at once, multiplexed by curl on one HTTP/2 connection
parallel_h2() {
	port=$1
	set --
	for i in 1 2 3 4 5 6 7 8; do
		set -- "$@" --next -sk --http2 --data-binary "@$OUT/upload.bin" "https://localhost:$port/sha256" \
			-o "$OUT/h2parallel.$port.up.$i"
		set -- "$@" --next -sk --http2 "https://localhost:$port/bytes/524288" -o "$OUT/h2parallel.$port.down.$i"
	done
	curl --parallel --parallel-max 16 "$@" 2>"$OUT/h2parallel.$port.err"
}

clients() {
	port=$1 sameFlight=$2
	for suite in $SUITES; do
		curl_suite "$port" "$suite" --tlsv1.3 --tls13-ciphers "$suite"
	done
	for suite in $TLS12_SUITES; do
		curl_suite "$port" "$suite" --tlsv1.2 --tls-max 1.2 --ciphers "$suite"
	done
	curl -sk "https://localhost:$port/" >"$OUT/curl.$port.h2.page"
	curl -sk --data-binary "@$OUT/upload.bin" "https://localhost:$port/sha256" >"$OUT/curl.$port.h2.upload"
	printf "$REQUEST" | openssl s_client -connect "127.0.0.1:$port" -tls1_3 -quiet -ign_eof \
		>"$OUT/openssl.$port.page" 2>"$OUT/openssl.$port.err"
	"$PYTHON" "$HERE/same_flight_client.py" "$port" "$sameFlight" >"$OUT/python.$port.json" 2>"$OUT/python.$port.err"
	"$PYTHON" "$HERE/truncated_upload.py" "$port" >"$OUT/truncated.$port.json" 2>"$OUT/truncated.$port.err"
	parallel_h2 "$port"
	"$JAVA" -cp "$TARGET/test-classes:$TARGET/classes" dev.ktls.sample.kernel.JdkHttpClientCheck "$port" \
		>"$OUT/jdk.$port.txt" 2>"$OUT/jdk.$port.err"
	# ss shows the kernel's view of a connection held open by a client that has not finished
	(sleep 4; printf "$REQUEST") | openssl s_client -connect "127.0.0.1:$port" -tls1_3 -quiet -ign_eof \
		>/dev/null 2>&1 &
	held=$!
	sleep 2.5
	ss -tie "( sport = :$port )" >"$OUT/ss.$port.txt"
	wait $held
}

# A request, then a KeyUpdate from the client (k: update_not_requested, K: update_requested),
# then another request on the same connection. s_client reads k and K as commands only at the
# start of a fresh read of its input, hence the pauses.
key_update() {
	port=$1 letter=$2
	(printf "$KEEP_ALIVE"; sleep 2; echo "$letter"; sleep 2; printf "$KEEP_ALIVE"; sleep 3) \
		| openssl s_client -connect "127.0.0.1:$port" -tls1_3 >"$OUT/keyupdate.$port.$letter.txt" 2>&1
}

uname -r >"$OUT/kernel.txt"
"$JAVA" -version 2>"$OUT/java.txt"
start_app $RX_PORT true
start_app $TX_PORT false
start_app $MTLS_PORT true -Dktls.test.record-limit=100 --server.ssl.client-auth=want \
	--spring.ssl.bundle.pem.development.truststore.certificate="file:$HERE/client-certificate.pem"
start_refusing_app $REFUSING_PORT
wait_ready $RX_PORT && wait_ready $TX_PORT && wait_ready $MTLS_PORT && wait_ready $REFUSING_PORT
cat /proc/net/tls_stat >"$OUT/tls_stat.before"
clients $RX_PORT 200
clients $TX_PORT 20
cat /proc/net/tls_stat >"$OUT/tls_stat.after"
# A TLS 1.2 client that asks for a renegotiation (R) between two requests
renegotiate() {
	port=$1
	(printf "$KEEP_ALIVE"; sleep 2; echo R; sleep 2; printf "$KEEP_ALIVE"; sleep 3) \
		| openssl s_client -connect "127.0.0.1:$port" -tls1_2 >"$OUT/renegotiate.$port.txt" 2>&1
}

for port in $RX_PORT $TX_PORT; do
	key_update $port k
	key_update $port K
	renegotiate $port
	curl -sk "https://localhost:$port/actuator/health/ktls" >"$OUT/health.$port.json"
done
cat /proc/net/tls_stat >"$OUT/tls_stat.keyupdates"

# Client certificates: offloaded, and the request sees the certificate
CERT="--cert $HERE/client-certificate.pem --key $HERE/client-key.pem"
curl -sk $CERT "https://localhost:$MTLS_PORT/" >"$OUT/mtls.cert.page"
curl -sk "https://localhost:$MTLS_PORT/" >"$OUT/mtls.nocert.page"
CLIENT_CERT=$HERE/client-certificate.pem CLIENT_KEY=$HERE/client-key.pem \
	"$PYTHON" "$HERE/same_flight_client.py" "$MTLS_PORT" 50 >"$OUT/python.$MTLS_PORT.json" 2>"$OUT/python.$MTLS_PORT.err"
# Key usage limit: 2 MiB is over 128 records, beyond the lowered limit of 100
curl -sk --http1.1 "https://localhost:$MTLS_PORT/bytes/2097152" -o "$OUT/limit.download"
echo $? >"$OUT/limit.curl-exit"
curl -sk "https://localhost:$MTLS_PORT/actuator/health/ktls" >"$OUT/health.$MTLS_PORT.json"
curl_suite $REFUSING_PORT refused --tlsv1.3
curl -sk "https://localhost:$REFUSING_PORT/actuator/health/ktls" >"$OUT/health.$REFUSING_PORT.json"
cat /proc/net/tls_stat >"$OUT/tls_stat.end"
stop_apps
echo done >"$OUT/done.txt"
