# A private single-node SLURM in a scratch directory (sourced, not run): munged, slurmctld and
# slurmd as root with their own config, key, sockets, state, logs and free ports, so they clash
# neither with a system SLURM nor with another instance (recipe: environment.md §7).
#   private_slurm_up DIR     start; exports SLURM_CONF (what sbatch, squeue, scontrol need)
#   private_slurm_down DIR   stop exactly the daemons started from DIR, by their pid files
#   private_slurm_missing    prints why this machine cannot run it (empty if it can)

private_slurm_missing() {
  local tool
  for tool in munged slurmctld slurmd sbatch squeue scontrol scancel; do
    command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null 2>&1 ||
      { echo "$tool not installed (Debian: munge slurmctld slurmd slurm-client; scripts/install-deps.sh)"; return; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "slurmd and munged need root"; return; }
  id munge >/dev/null 2>&1 || echo "no munge user (install the munge package)"
}

# Two TCP ports nobody listens on (the kernel's choice of free ephemeral ports).
_private_slurm_free_ports() {
  /usr/bin/python3 -c '
import socket
held = [socket.socket() for _ in range(2)]
for s in held: s.bind(("", 0))
print(*[s.getsockname()[1] for s in held])'
}

private_slurm_up() {
  local dir=$1 ports node
  export PATH="$PATH:/usr/sbin"
  mkdir -p "$dir"/{state,spool,log,munge}
  chmod 0755 "$dir"  # munged runs as the munge user and must reach its socket directory
  read -r -a ports <<<"$(_private_slurm_free_ports)"
  # The node exactly as slurmd sees it (CPUs, sockets, cores, memory), without the uptime; both
  # daemons talk over the loopback, whatever the host name resolves to.
  node=$(slurmd -C | head -n 1)
  cat >"$dir/slurm.conf" <<EOF
ClusterName=l2otest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=5
CryptoType=crypto/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
# Requeued jobs wait cred_expire + 1 s (default 120 s) and then for the next scheduling pass.
SchedulerParameters=sched_interval=2,bf_interval=2
MinJobAge=3600
KillWait=10
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  export SLURM_CONF="$dir/slurm.conf"

  # munged with its own key; it insists the key and its directory belong to the munge user.
  head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  chown -R munge:munge "$dir/munge"
  chmod 0711 "$dir/munge"
  chmod 0400 "$dir/munge/munge.key"
  runuser -u munge -- munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" || return 1
  slurmctld -f "$SLURM_CONF" || return 1  # both daemonize and write their pid files
  slurmd -f "$SLURM_CONF" || return 1
  local waited=0
  until [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; do
    sleep 0.2
    waited=$((waited + 1))
    if [ $waited -ge 150 ]; then
      echo "private_slurm: the node did not become idle in 30 s; logs in $dir/log" >&2
      return 1
    fi
  done
}

# Waits up to ~5 s for each pid to exit, then kills it.
_private_slurm_reap() {
  local pid
  for pid in "$@"; do
    for _ in $(seq 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  return 0
}

private_slurm_down() {
  local dir=$1 pids=() file
  for file in "$dir/slurmctld.pid" "$dir/slurmd.pid"; do
    [ -s "$file" ] && pids+=("$(cat "$file")")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    SLURM_CONF="$dir/slurm.conf" scontrol shutdown >/dev/null 2>&1 || kill "${pids[@]}" 2>/dev/null
    _private_slurm_reap "${pids[@]}"
  fi
  if [ -s "$dir/munge/munged.pid" ]; then
    local munged
    munged=$(cat "$dir/munge/munged.pid")
    kill "$munged" 2>/dev/null
    _private_slurm_reap "$munged"
  fi
  return 0
}
