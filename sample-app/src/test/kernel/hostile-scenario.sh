#!/bin/sh
# Runs inside a test kernel: starts the sample app twice (receive offload on and off), aims
# HostileClient's malformed and hostile records at both, then checks that each app still serves
# a normal client and is still alive, and saves what the clients, the apps and the kernel
# report under OUT for HostilePeerIT to assert on. Asserts nothing itself.
#
# usage: hostile-scenario.sh OUT      (JAVA_HOME from the environment)
set -u
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/guest-lib.sh"
AUTOCONFIGURE=$HERE/../../../../ktls-spring-boot-autoconfigure/target/classes
RX_PORT=8443
TX_PORT=8444
CASES="tampered oversized badversion ccs unknowntype zerolength keyupdateflood fatalalert earlyalert truncated"
# The cases whose handling depends on the cipher (AEAD, and the hash of the KeyUpdate secret
# chain) run again under the suites the default choice does not cover
OTHER_SUITE_CASES="tampered keyupdateflood"
OTHER_SUITES="TLS_AES_128_GCM_SHA256 TLS_CHACHA20_POLY1305_SHA256"

# The client's classes are copied first: a build running meanwhile may recompile target/
snapshot_client() {
	mkdir -p "$OUT/client"
	cp -r "$TARGET/test-classes" "$OUT/client/test-classes" && cp -r "$TARGET/classes" "$OUT/client/classes" \
		&& cp -r "$AUTOCONFIGURE" "$OUT/client/autoconfigure" \
		|| echo "could not copy the client's classes" >>"$OUT/errors.txt"
}

hostile_client() {
	"$JAVA" -XX:TieredStopAtLevel=1 --add-opens java.base/sun.security.ssl=ALL-UNNAMED \
		--add-exports java.base/sun.nio.ch=ALL-UNNAMED \
		-cp "$OUT/client/test-classes:$OUT/client/classes:$OUT/client/autoconfigure" \
		dev.ktls.sample.kernel.HostileClient "$@"
}

hostile() {
	port=$1
	hostile_client "$port" $CASES >"$OUT/hostile.$port.txt" 2>"$OUT/hostile.$port.err"
	for suite in $OTHER_SUITES; do
		hostile_client "$port" --suite="$suite" $OTHER_SUITE_CASES >>"$OUT/hostile.$port.txt" 2>>"$OUT/hostile.$port.err"
	done
}

alive() {
	pid=$(cat "$OUT/app.$1.pid")
	if kill -0 "$pid" 2>/dev/null; then echo alive; else echo dead; fi
}

uname -r >"$OUT/kernel.txt"
snapshot_client
"$JAVA" -version 2>"$OUT/java.txt"
start_app $RX_PORT true
start_app $TX_PORT false
wait_ready $RX_PORT && wait_ready $TX_PORT
for port in $RX_PORT $TX_PORT; do
	curl -sk "https://localhost:$port/actuator/health/ktls" >"$OUT/health.$port.before.json"
done
cat /proc/net/tls_stat >"$OUT/tls_stat.before"
hostile $RX_PORT
cat /proc/net/tls_stat >"$OUT/tls_stat.rx"
hostile $TX_PORT
cat /proc/net/tls_stat >"$OUT/tls_stat.tx"
for port in $RX_PORT $TX_PORT; do
	curl -sk --http1.1 "https://localhost:$port/" >"$OUT/after.$port.page" 2>"$OUT/after.$port.err"
	curl -sk "https://localhost:$port/actuator/health/ktls" >"$OUT/health.$port.json"
	alive $port >"$OUT/alive.$port.txt"
done
# Every connection has ended by now: the kernel must hold no TLS socket of the apps any more
sleep 2
cat /proc/net/tls_stat >"$OUT/tls_stat.end"
ss -tnp >"$OUT/ss.end.txt" 2>&1
stop_apps
echo done >"$OUT/done.txt"
