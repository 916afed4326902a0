# Shell functions for the scenarios that run inside a test kernel. Sourced with OUT set to the
# folder the results go to; JAVA_HOME and PYTHON come from the environment.
TARGET=$HERE/../../../target
JAVA=$JAVA_HOME/bin/java
PYTHON=${PYTHON:-python3}

# usage: start_app PORT RX [JVM-OPTION] [APPLICATION-ARGUMENT...]
start_app() {
	port=$1 rx=$2 jvm=${3:--Dktls.sample}
	shift 2
	[ $# -gt 0 ] && shift
	"$JAVA" -XX:TieredStopAtLevel=1 "$jvm" -jar "$TARGET/sample-app.jar" --server.port="$port" \
		--server.ktls.rx="$rx" --logging.level.dev.ktls=DEBUG "$@" >"$OUT/app.$port.log" 2>&1 &
	echo $! >"$OUT/app.$port.pid"
}

start_refusing_app() {
	"$JAVA" -XX:TieredStopAtLevel=1 --add-opens java.base/sun.security.ssl=ALL-UNNAMED \
		--add-exports java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
		-Dloader.path="$TARGET/test-classes" -Dloader.main=dev.ktls.sample.kernel.ReceiveKeyRefusingSample \
		-cp "$TARGET/sample-app.jar" org.springframework.boot.loader.launch.PropertiesLauncher \
		--server.port="$1" --server.ktls.rx=true >"$OUT/app.$1.log" 2>&1 &
	echo $! >"$OUT/app.$1.pid"
}

wait_ready() {
	i=0
	while [ $i -lt 600 ]; do
		curl -sk -o /dev/null "https://localhost:$1/actuator/health" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	echo "app on port $1 did not start" >>"$OUT/errors.txt"
	return 1
}

stop_apps() {
	for pid in "$OUT"/app.*.pid; do
		kill "$(cat "$pid")" 2>/dev/null
	done
	wait
}
