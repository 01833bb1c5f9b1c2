# The nodes of the local Kafka: one by default, RELAIS_BROKERS=3 for a 3-node KRaft cluster
# (every node broker+controller, the same jars). Sourced by deploy/kafka.sh, not run.
#
# Node 1 is the single broker's layout ($LOCAL/kafka, RELAIS_KAFKA_PORT and
# RELAIS_KAFKA_CONTROLLER_PORT); node n lives in $LOCAL/kafka/node-n and listens 10*(n-1)
# ports higher (default: 19092, 19102, 19112; controllers 19093, 19103, 19113). With three
# nodes, topics are replicated three times and a write needs two in-sync replicas
# (min.insync.replicas=2, producers acks=all): one node may be lost without losing an
# acknowledged record or refusing a write. shared/settings.py derives the same ports.

BROKERS="${RELAIS_BROKERS:-1}"
[[ "$BROKERS" =~ ^[13]$ ]] || die "RELAIS_BROKERS is 1 or 3 (a quorum of controllers), not '$BROKERS'"
NODE_STEP=10
BASE_KDIR="$LOCAL/kafka"
BASE_KAFKA_PORT="$KAFKA_PORT"
BASE_CONTROLLER_PORT="$KAFKA_CONTROLLER_PORT"
# Three JVMs on a 2-core machine with PostgreSQL and the services: a smaller heap each.
if [[ "$BROKERS" -gt 1 && -z "${RELAIS_KAFKA_HEAP:-}" ]]; then
  KAFKA_HEAP="-Xms128m -Xmx384m"
fi

select_node() {
  # select_node <n>: the paths and ports the functions of deploy/kafka.sh use, for node n.
  local n="$1" offset=$(((${1} - 1) * NODE_STEP))
  NODE="$n"
  KDIR="$BASE_KDIR"
  [[ "$n" -gt 1 ]] && KDIR="$BASE_KDIR/node-$n"
  PIDFILE="$KDIR/broker.pid"
  LOG="$KDIR/broker.log"
  KAFKA_PORT=$((BASE_KAFKA_PORT + offset))
  KAFKA_CONTROLLER_PORT=$((BASE_CONTROLLER_PORT + offset))
  # kafkaauth's internal listener, if any, sits beside each node's client port.
  if [[ -n "${KAFKA_INTERNAL_PORT:-}" ]]; then
    KAFKA_INTERNAL_PORT="${RELAIS_KAFKA_INTERNAL_PORT:-$((BASE_KAFKA_PORT + 2))}"
    KAFKA_INTERNAL_PORT=$((KAFKA_INTERNAL_PORT + offset))
  fi
}

cluster_id() {
  # The cluster's id, made once and kept: a cluster's nodes are formatted with the same one.
  # Kafka's own format: 22 chars of URL-safe base64, never starting with '-'.
  local file="$BASE_KDIR/cluster.id"
  if [[ ! -s "$file" ]]; then
    mkdir -p "$BASE_KDIR"
    python3 -c 'import base64,uuid
while True:
    c = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
    if not c.startswith("-"): print(c); break' >"$file"
  fi
  cat "$file"
}

voters() {
  local n out=""
  for n in $(seq 1 "$BROKERS"); do
    out+="${out:+,}$n@127.0.0.1:$((BASE_CONTROLLER_PORT + (n - 1) * NODE_STEP))"
  done
  echo "$out"
}

cluster_config() {
  # Turns the single node's server.properties into node $NODE's of the cluster (a no-op with
  # one broker). Later lines of a properties file win, so the cluster's settings are appended.
  [[ "$BROKERS" -gt 1 ]] || return 0
  sed -i -e "s#^node.id=.*#node.id=$NODE#" -e "s#^controller.quorum.voters=.*#controller.quorum.voters=$(voters)#" \
    "$KDIR/server.properties"
  cat >>"$KDIR/server.properties" <<EOF
# A cluster of $BROKERS (deploy/kafka_nodes.sh): every topic on 3 nodes, 2 must have a write.
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
EOF
}

node_status() {
  local what="kafka"
  [[ "$NODE" -gt 1 || -d "$BASE_KDIR/node-2" ]] && what="kafka node $NODE"
  if running; then echo "$what: running (pid $(cat "$PIDFILE"))"; else echo "$what: stopped"; fi
}

nodes_present() {
  # Node 1, and every other node this stack has a directory for (down and status find a
  # cluster's nodes even without RELAIS_BROKERS).
  local n
  echo 1
  for n in $(seq 2 9); do [[ -d "$BASE_KDIR/node-$n" ]] && echo "$n"; done
  return 0
}

on_each_node() {
  # on_each_node up|down|status. The nodes of a cluster start together: none finishes starting
  # before a quorum of controllers answers.
  local action="$1" n failed=0
  case "$action" in
    # In parallel: a node stopping alone waits for a quorum its stopped peers no longer make.
    down)
      for n in $(nodes_present); do (select_node "$n" && down) & done
      wait
      return
      ;;
    status) for n in $(nodes_present); do select_node "$n"; node_status; done; return ;;
  esac
  # A log made by one node cannot become a cluster's, nor the reverse: say so before starting.
  if [[ -f "$BASE_KDIR/data/meta.properties" ]]; then
    if [[ "$BROKERS" -gt 1 && ! -d "$BASE_KDIR/node-2/data" ]]; then
      die "this stack's Kafka is a single node: for RELAIS_BROKERS=$BROKERS use another RELAIS_LOCAL (or make clean first)"
    fi
    if [[ "$BROKERS" -eq 1 && -d "$BASE_KDIR/node-2/data" ]]; then
      die "this stack's Kafka is a cluster of nodes: start it with RELAIS_BROKERS=3"
    fi
  fi
  if [[ "$BROKERS" -eq 1 ]]; then
    select_node 1
    up
    return
  fi
  case "$action" in
    up)
      need java "apt-get install -y openjdk-17-jre-headless (Kafka 4.x brokers need Java 17+)"
      fetch_jars
      cluster_id >/dev/null
      local pids=()
      for n in $(seq 1 "$BROKERS"); do
        (select_node "$n" && up) &
        pids+=($!)
      done
      for n in "${pids[@]}"; do wait "$n" || failed=1; done
      ((failed == 0)) || die "a Kafka node did not start"
      say "Kafka cluster of $BROKERS nodes on 127.0.0.1:$(seq -s, "$BASE_KAFKA_PORT" "$NODE_STEP" $((BASE_KAFKA_PORT + (BROKERS - 1) * NODE_STEP)))"
      ;;
  esac
}
