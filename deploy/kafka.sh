#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, broker+controller) on loopback; RELAIS_BROKERS=3 makes it
# a cluster of three such nodes (deploy/kafka_nodes.sh): same jars, one log directory each.
# usage: deploy/kafka.sh up|down|status
source "$(dirname "$0")/lib.sh"
source "$ROOT/deploy/kafka_nodes.sh"

KDIR="$LOCAL/kafka"
LIB="$CACHE/kafka-lib-$(sha256sum "$ROOT/deploy/kafka/pom.xml" | cut -c1-12)"
PIDFILE="$KDIR/broker.pid"
LOG="$KDIR/broker.log"

fetch_jars() {
  [[ -f "$LIB/.complete" ]] && return 0
  need mvn "apt-get install -y maven (the broker's jars come from Maven Central)"
  say "fetching the Kafka broker jars through Maven (first run only) into $LIB"
  rm -rf "$LIB.tmp" && mkdir -p "$LIB.tmp"
  (cd "$ROOT/deploy/kafka" && mvn -B -q \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIB.tmp") || die "maven could not fetch the Kafka jars"
  ls "$LIB.tmp"/slf4j-api-1.7.*.jar "$LIB.tmp"/log4j-slf4j-impl-*.jar >/dev/null \
    || die "the Kafka classpath lacks slf4j 1.7 or its log4j binding"
  rm -rf "$LIB" && mv "$LIB.tmp" "$LIB" && touch "$LIB/.complete"
}

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

java_opts() {
  echo "$KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true" \
       "-Dlog4j2.configurationFile=$ROOT/deploy/kafka/log4j2.properties -Dkafka.logs.dir=$KDIR"
}

write_config() {
  sed -e "s#@DATA@#$KDIR/data#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CPORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$ROOT/deploy/kafka/server.properties.in" >"$KDIR/server.properties"
}

format_storage() {
  [[ -f "$KDIR/data/meta.properties" ]] && return 0
  local cid
  cid=$(cluster_id)
  # shellcheck disable=SC2046
  java $(java_opts) -cp "$LIB/*" kafka.tools.StorageTool format -t "$cid" -c "$KDIR/server.properties" >/dev/null \
    || die "formatting the Kafka log directory failed"
}

up() {
  if running; then say "Kafka already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  need java "apt-get install -y openjdk-17-jre-headless (Kafka 4.x brokers need Java 17+)"
  fetch_jars
  mkdir -p "$KDIR"
  write_config
  cluster_config
  format_storage
  say "starting Kafka on 127.0.0.1:$KAFKA_PORT"
  # Empty the log first: the background job's own redirection may truncate it only after
  # wait_for has already found the previous run's "started" line.
  : >"$LOG"
  # shellcheck disable=SC2046
  nohup java $(java_opts) -cp "$LIB/*" kafka.Kafka "$KDIR/server.properties" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  # The port opens before the broker serves: wait for its own "started" line.
  wait_for 90 "Kafka" grep -q "Kafka Server started" "$LOG" || { tail -30 "$LOG"; die "Kafka did not start (log: $LOG)"; }
}

down() {
  running || { say "Kafka is not running"; rm -f "$PIDFILE"; return 0; }
  local pid; pid=$(cat "$PIDFILE")
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$PIDFILE"
  say "Kafka stopped"
}

case "${1:-}" in
  up) on_each_node up ;;
  down) on_each_node down ;;
  status) on_each_node status ;;
  *) die "usage: $0 up|down|status" ;;
esac
