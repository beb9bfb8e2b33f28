#!/usr/bin/env bash
# Runs the OCI runtime conformance suite (opencontainers/runtime-tools
# validation/) against a runtime binary and prints one line per test program.
#
#   scripts/conformance.sh [RUNTIME_BINARY]   default: ward-runtime built from this tree
#   scripts/conformance.sh --compare          ward-runtime and runc side by side
#
# The suite comes through the Go module proxy only (pinned pseudo-version: the
# tagged v0.9.0 predates modules) and is copied, patched and built under
# ${WARD_CACHE:-$HOME/.cache/ward}/runtime-tools; none of it is kept in this
# repository. Its busybox rootfs is built from Debian's busybox-static.
#
# Environment:
#   CONFORMANCE_MIN      exit 1 when ward-runtime (or RUNTIME_BINARY) passes
#                        fewer programs than this (default 0)
#   CONFORMANCE_TIMEOUT  seconds allowed to each program (default 60)
#   CONFORMANCE_ONLY     space-separated program names to run instead of all
#   CONFORMANCE_OPTIONAL_FIXES=1  also apply scripts/conformance/optional/*.patch
#                        (suite checks that no runtime can pass as written)
#   WARD_CACHE           cache directory (default $HOME/.cache/ward)
#
# Each runtime gets its own --root state directory and TMPDIR, so the run can
# find and remove everything it left (containers, mounts, cgroups, processes)
# without touching containers or cgroups that belong to anyone else.
set -euo pipefail

SUITE_MODULE=github.com/opencontainers/runtime-tools
SUITE_VERSION=v0.9.1-0.20251205004911-5e639034dcdc
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATCH_DIR=$REPO/scripts/conformance
CACHE=${WARD_CACHE:-$HOME/.cache/ward}/runtime-tools
TIMEOUT=${CONFORMANCE_TIMEOUT:-60}
MIN=${CONFORMANCE_MIN:-0}
RUNC=${RUNC:-/usr/sbin/runc}

say() { printf 'conformance: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 2
}

usage() {
	sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# need_pkg installs a Debian package the run depends on when it is missing.
need_pkg() { # package
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' && return 0
	[ "$(id -u)" = 0 ] || die "$1 missing: apt-get install $1"
	say "installing $1"
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

# prepare_suite copies the module out of the read-only module cache, applies
# our patches and prints the directory. The copy is redone when the patches change.
prepare_suite() {
	local json src stamp dst
	# From / so that no go.mod or go.work around the cache is consulted or changed.
	json=$(cd / && GOFLAGS=-mod=mod GOWORK=off go mod download -json "$SUITE_MODULE@$SUITE_VERSION") ||
		die "cannot fetch $SUITE_MODULE@$SUITE_VERSION from the module proxy"
	src=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$src" ] || die "module directory missing after download: $json"
	stamp=$(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)
	dst=$CACHE/suite-$SUITE_VERSION-$stamp
	if [ ! -f "$dst/.ward-patched" ]; then
		rm -rf "$dst"
		cp -a "$src" "$dst"
		chmod -R u+w "$dst"
		local p
		for p in "${PATCHES[@]}"; do
			patch -s -d "$dst" -p1 <"$p" >&2 || die "patch $p does not apply"
		done
		echo "$stamp" >"$dst/.ward-patched"
	fi
	for p in "${PATCHES[@]}"; do
		say "suite patched: ${p#"$REPO"/}: $(head -n1 "$p")"
	done
	echo "$dst"
}

# build_suite builds runtimetest (static: it runs inside the busybox rootfs)
# and every validation program into $BIN, once per suite copy and Go version.
build_suite() { # suite-dir
	local suite=$1 key
	key=$(cat "$suite/.ward-patched")-$(go env GOVERSION)
	BIN=$CACHE/bin-$key
	if [ ! -f "$BIN/.built" ]; then
		say "building runtimetest and the validation programs (once)"
		rm -rf "$BIN"
		mkdir -p "$BIN"
		(
			cd "$suite"
			export GOWORK=off GOFLAGS=-mod=mod # the module zip has no vendored code
			CGO_ENABLED=0 go build -tags 'netgo osusergo' -o "$BIN/runtimetest" ./cmd/runtimetest
			go build -o "$BIN/" ./validation/...
		) >&2 || die "building the suite failed"
		rm -f "$BIN/util"
		touch "$BIN/.built"
	fi
}

# build_rootfs makes rootfs-amd64.tar.gz, which every program untars into its
# bundle: upstream's layout (busybox and its applets in /bin, /etc/passwd and
# /etc/group, empty /dev /proc /sys) with Debian's static busybox.
build_rootfs() { # out-tarball
	local out=$1 tree=$CACHE/rootfs bb=/bin/busybox a
	# busybox-static, not busybox: the rootfs has no libc.
	need_pkg busybox-static
	rm -rf "$tree"
	mkdir -p "$tree"/{bin,dev,etc,proc,sys}
	cp "$bb" "$tree/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -s busybox "$tree/bin/$a"
	done
	cat >"$tree/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		bin:x:2:2:bin:/bin:/bin/false
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$tree/etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		bin:x:2:
		tty:x:5:
		users:x:100:
		nogroup:x:65534:
	EOF
	tar -C "$tree" --numeric-owner --owner=0 --group=0 -czf "$out" .
	rm -rf "$tree"
}

# The programs the suite has, from the built binaries.
list_programs() {
	if [ -n "${CONFORMANCE_ONLY:-}" ]; then
		# shellcheck disable=SC2086 # a list of names, split on purpose
		printf '%s\n' $CONFORMANCE_ONLY
		return
	fi
	find "$BIN" -maxdepth 1 -type f -perm -u+x ! -name runtimetest -printf '%f\n' | sort
}

# make_wrapper writes the RUNTIME the suite calls: the real binary with a
# private --root. It logs each call, its exit code and its error output to
# $WARD_CONFORMANCE_CALLS (set per program), because the suite often reports
# only "exit status 1". The runtime's standard streams stay the ones the suite
# gave: create hands them to the container, so its error output is read back
# from the suite's stderr file instead of being captured.
make_wrapper() { # binary state-dir wrapper
	cat >"$3" <<-EOF
		#!/bin/sh
		log=\${WARD_CONFORMANCE_CALLS:-/dev/null}
		printf '%s\n' "\$*" >>"\$log"
		case \$1 in
		create | run | exec)
			'$1' --root '$2' "\$@"
			rc=\$?
			f=\$(readlink /proc/\$\$/fd/2)
			if [ "\$rc" != 0 ] && [ -f "\$f" ]; then tail -n 5 "\$f" | sed 's/^/  ! /' >>"\$log"; fi
			;;
		*)
			err=\$(mktemp)
			'$1' --root '$2' "\$@" 2>"\$err"
			rc=\$?
			cat "\$err" >&2
			sed 's/^/  ! /' "\$err" >>"\$log"
			rm -f "\$err"
			;;
		esac
		[ "\$rc" = 0 ] || echo "  -> exit \$rc" >>"\$log"
		exit "\$rc"
	EOF
	chmod +x "$3"
}

# cleanup removes what one program may have left: containers in the private
# root, processes carrying this run's token, processes whose root is in the
# run's TMPDIR, mounts there, and the cgroups the suite names or that carry a
# container ID from the call log.
cleanup() { # binary state-dir tmp-dir log token
	local bin=$1 state=$2 tmp=$3 log=$4 token=$5 id p r cg ids
	if [ -d "$state" ]; then
		for id in $("$bin" --root "$state" list -q 2>/dev/null); do
			"$bin" --root "$state" kill "$id" KILL >/dev/null 2>&1 || true
			"$bin" --root "$state" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		if grep -qsz "^WARD_CONFORMANCE_TOKEN=$token\$" "/proc/$p/environ"; then
			kill -9 "$p" 2>/dev/null || true
			continue
		fi
		r=$(readlink "/proc/$p/root" 2>/dev/null) || continue
		case $r in "$tmp"/*) kill -9 "$p" 2>/dev/null || true ;; esac
	done
	awk -v t="$tmp/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	ids=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$log" 2>/dev/null | sort -u | tr '\n' '|' || true)
	ids=${ids%|}
	for cg in $(find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -type d 2>/dev/null |
		grep -E "/(cgrouptest|testdir${ids:+|$ids})\$" | sort -r); do
		find "$cg" -depth -type d 2>/dev/null | while read -r d; do
			while read -r p; do kill -9 "$p" 2>/dev/null || true; done 2>/dev/null <"$d/cgroup.procs" || true
			rmdir "$d" 2>/dev/null || { sleep 0.2 && rmdir "$d" 2>/dev/null; } || true
		done
	done
	rm -rf "${tmp:?}"/* 2>/dev/null || true
}

# sweep_stale removes what a run killed outright (SIGKILL runs no trap) left:
# containers in this runtime's private root and the /tmp directories of runs
# whose script is gone.
sweep_stale() { # binary state-dir
	local d owner
	for d in /tmp/ward-conformance.*; do
		[ -d "$d" ] || continue
		owner=$(cat "$d/.owner" 2>/dev/null || true)
		if [ -n "$owner" ] && [ "$owner" != $$ ] && kill -0 "$owner" 2>/dev/null; then
			continue # another run, still going
		fi
		say "removing what an earlier run left in $d"
		cleanup "$1" "$2" "$d" /dev/null no-token
		rm -rf "$d"
	done
}

# classify prints "RESULT<TAB>DETAIL" for one program from its exit code and
# output. A program passes when it exits 0 with no "not ok" line. The *_fail
# programs print nothing at all when the runtime rightly refuses the config,
# and the hook programs plan no test and report a failure only as an "error"
# in a diagnostic block, so a run without any "ok" line must have no such error.
classify() { # rc log-prefix
	local rc=$1 out=$2.out err=$2.err calls=$2.calls oks notoks detail diag rterr
	oks=$(grep -cE '^ok [0-9]+' "$out" || true)
	notoks=$(grep -E '^not ok [0-9]+' "$out" | grep -cvi '# TODO' || true)
	detail=$(grep -m1 -E '^not ok [0-9]+' "$out" || true)
	diag=$(grep -m1 -E '^\s+"error": "[^"]' "$out" | sed 's/^[[:space:]]*"error": "//; s/\\n.*//; s/",\{0,1\}$//' || true)
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		printf 'timeout\tno exit after %ss\n' "$TIMEOUT"
	elif grep -qE '^(panic: |fatal error: )' "$err" || [ "$rc" -gt 128 ]; then
		printf 'crash\t%s\n' "$(grep -m1 -E '^(panic: |fatal error: )' "$err" || echo "exit $rc")"
	elif [ "$rc" = 0 ] && [ "$notoks" = 0 ] && { [ "$oks" -gt 0 ] || [ -z "$diag" ]; }; then
		printf 'pass\t%s ok\n' "$oks"
	else
		[ -n "$detail" ] || detail=$diag
		if [ -z "$detail" ]; then
			detail=$(grep -m1 -v '^\s*$' "$err" || true)
		fi
		[ -n "$detail" ] || detail="exit $rc"
		# Name the runtime's own error when the suite only says it failed.
		rterr=$(grep '^  ! ' "$calls" 2>/dev/null | tail -n1 | cut -c5- || true)
		if [ -n "$rterr" ] && printf '%s' "$detail" | grep -qE '(exit status [0-9]+|failed to (create|start) the container)$'; then
			detail="$detail: $rterr"
		fi
		printf 'fail\t%s\n' "$(printf '%s' "$detail" | sed 's/^[[:space:]]*//' | tr '\t' ' ')"
	fi
}

# run_suite runs every program against one runtime and writes
# $RESULTS/LABEL.tsv (program, result, detail).
run_suite() { # label binary
	local label=$1 bin=$2 dir prog rc start token wrapper tmp
	dir=$RUNDIR/$label
	sweep_stale "$bin" "$dir/state"
	rm -rf "$dir"
	mkdir -p "$dir/state" "$dir/logs"
	# Bundles go under /tmp, not the cache: a container whose root is
	# mapped to another user (linux_uid_mappings, linux_ns_nopath) must be
	# able to reach its rootfs, and /root is 0700.
	tmp=$(mktemp -d /tmp/ward-conformance.XXXXXX)
	chmod 755 "$tmp"
	echo $$ >"$tmp/.owner"
	wrapper=$dir/runtime
	make_wrapper "$bin" "$dir/state" "$wrapper"
	CURRENT_CLEANUP=("$bin" "$dir/state" "$tmp" /dev/null)
	: >"$RESULTS/$label.tsv"
	say "running $(list_programs | wc -l) programs against $label ($bin), ${TIMEOUT}s each"
	start=$SECONDS
	for prog in $(list_programs); do
		token=$label-$prog-$$-$RANDOM
		CURRENT_CLEANUP[3]=$dir/logs/$prog.calls
		CURRENT_CLEANUP[4]=$token
		: >"$dir/logs/$prog.calls"
		rc=0
		# In the background so that an interrupt runs the trap at once;
		# timeout leads its own process group and takes it down with it.
		(
			exec 9>&-
			cd "$RUNDIR/work"
			exec env WARD_CONFORMANCE_TOKEN="$token" WARD_CONFORMANCE_CALLS="$dir/logs/$prog.calls" \
				RUNTIME="$wrapper" TMPDIR="$tmp" \
				timeout -k 5 "$TIMEOUT" "$BIN/$prog"
		) >"$dir/logs/$prog.out" 2>"$dir/logs/$prog.err" </dev/null &
		CHILD=$!
		wait "$CHILD" || rc=$?
		CHILD=
		echo "$rc" >"$dir/logs/$prog.rc"
		cleanup "${CURRENT_CLEANUP[@]}"
		printf '%s\t%s\n' "$prog" "$(classify "$rc" "$dir/logs/$prog")" >>"$RESULTS/$label.tsv"
	done
	CURRENT_CLEANUP=()
	rm -rf "$dir/state" "$tmp"
	say "$label done in $((SECONDS - start))s; logs in $dir/logs"
}

passed() { awk -F'\t' '$2 == "pass"' "$RESULTS/$1.tsv" | wc -l; }
total() { wc -l <"$RESULTS/$1.tsv"; }

# The expected-failure list: program, why, reason; read first by the awk
# programs below (file number n == 1), comments skipped.
KNOWN=$PATCH_DIR/expected-failures.tsv

summary() { # label
	local p t
	p=$(passed "$1")
	t=$(total "$1")
	awk -F'\t' -v l="$1" -v fixed="${CONFORMANCE_OPTIONAL_FIXES:-0}" 'FNR == 1 { n++ }
		n == 1 { if (!/^#/ && !(fixed == 1 && $2 == "suite")) k[$1] = $2; next }
		$2 == "crash" { c++ } $2 == "timeout" { o++ }
		$2 != "pass" && ($1 in k) { e++ }
		$2 == "pass" && ($1 in k) && k[$1] ~ /^(host|kernel)$/ { h = h " " $1 }
		END {
			if (c + o) printf "%s: %d crashed, %d timed out\n", l, c, o
			printf "%s: %d of the failures are listed in scripts/conformance/expected-failures.tsv\n", l, e
			if (h != "") printf "%s: passes programs listed as unable to pass here (check they are not hollow):%s\n", l, h
		}' "$KNOWN" "$RESULTS/$1.tsv"
	echo "$1: $p passed, $((t - p)) failed"
}

# note_known tags a detail with the expected-failure category of its program.
NOTE_KNOWN='function note(prog, res, det) {
		if (!(prog in why)) return res == "pass" ? "" : det
		if (res == "pass") return "(listed as " why[prog] ": " reason[prog] ")"
		return "[" why[prog] "] " det
	}'

print_one() { # label
	printf '%-36s %-8s %s\n' PROGRAM RESULT "FIRST FAILURE ([host], [kernel], [suite], [upstream], [racy]: see scripts/conformance/expected-failures.tsv)"
	awk -F'\t' -v fixed="${CONFORMANCE_OPTIONAL_FIXES:-0}" "$NOTE_KNOWN"'
		FNR == 1 { n++ }
		n == 1 { if (!/^#/ && !(fixed == 1 && $2 == "suite")) { why[$1] = $2; reason[$1] = $3 }; next }
		{ printf "%-36s %-8s %.160s\n", $1, $2, note($1, $2, $3) }' "$KNOWN" "$RESULTS/$1.tsv"
}

print_compare() { # label-a label-b
	printf '%-36s %-13s %-8s %s\n' PROGRAM "$1" "$2" "FIRST FAILURE ($1, else $2)"
	awk -F'\t' -v b="$2" -v fixed="${CONFORMANCE_OPTIONAL_FIXES:-0}" "$NOTE_KNOWN"'
		FNR == 1 { n++ }
		n == 1 { if (!/^#/ && !(fixed == 1 && $2 == "suite")) { why[$1] = $2; reason[$1] = $3 }; next }
		n == 2 { r[$1] = $2; d[$1] = $3; next }
		{ det = note($1, $2, $3)
		  if ($2 == "pass" && r[$1] != "pass" && !($1 in why)) det = b ": " d[$1]
		  printf "%-36s %-13s %-8s %.150s\n", $1, $2, r[$1], det }' \
		"$KNOWN" "$RESULTS/$2.tsv" "$RESULTS/$1.tsv"
}

build_ward() {
	local out=$CACHE/ward-runtime
	say "building ward-runtime from $REPO"
	(cd "$REPO" && go build -o "$out" ./cmd/ward-runtime 9>&-) >&2 || die "go build ./cmd/ward-runtime failed"
	echo "$out"
}

on_exit() {
	if [ -n "${CHILD:-}" ]; then
		kill -TERM "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
	fi
	if [ "${#CURRENT_CLEANUP[@]}" -ge 5 ]; then
		say "interrupted: cleaning up"
		cleanup "${CURRENT_CLEANUP[@]}"
		rm -rf "${CURRENT_CLEANUP[1]}" "${CURRENT_CLEANUP[2]}"
	fi
}

main() {
	local mode=single subject="" label
	case "${1:-}" in
	-h | --help) usage ;;
	--compare) mode=compare ;;
	"") ;;
	-*) usage ;;
	*)
		subject=$1
		[ -x "$subject" ] || subject=$(command -v "$subject") || die "no runtime binary $1"
		subject=$(cd "$(dirname "$subject")" && pwd)/$(basename "$subject")
		;;
	esac
	[ "$(id -u)" = 0 ] || die "the suite creates containers and cgroups: run as root"
	need_pkg patch
	mkdir -p "$CACHE"
	CACHE=$(cd "$CACHE" && pwd)
	# One run at a time: runs share the cache's work and results directories
	# and the suite's fixed cgroup paths (/cgrouptest). Children close fd 9.
	exec 9>"$CACHE/.lock"
	if ! flock -n 9; then
		say "waiting for another conformance run to finish"
		flock 9
	fi
	RUNDIR=$CACHE/run
	RESULTS=$RUNDIR/results
	CURRENT_CLEANUP=()
	trap on_exit EXIT
	trap 'exit 130' INT TERM

	PATCHES=("$PATCH_DIR"/*.patch)
	if [ "${CONFORMANCE_OPTIONAL_FIXES:-0}" = 1 ]; then
		PATCHES+=("$PATCH_DIR"/optional/*.patch)
	fi
	local suite
	suite=$(prepare_suite)
	build_suite "$suite"
	rm -rf "$RUNDIR/work" "$RESULTS"
	mkdir -p "$RUNDIR/work" "$RESULTS"
	cp "$BIN/runtimetest" "$RUNDIR/work/runtimetest"
	build_rootfs "$RUNDIR/work/rootfs-amd64.tar.gz"
	printf 'suite: %s@%s, patched with' "$SUITE_MODULE" "$SUITE_VERSION"
	printf ' %s' "${PATCHES[@]#"$REPO"/}"
	echo

	if [ "$mode" = compare ]; then
		[ -x "$RUNC" ] || need_pkg runc
		local ward
		ward=$(build_ward)
		run_suite ward-runtime "$ward"
		run_suite runc "$RUNC"
		print_compare ward-runtime runc
		summary runc
		label="ward-runtime"
	else
		if [ -z "$subject" ]; then
			subject=$(build_ward)
			label="ward-runtime"
		else
			label=$(basename "$subject")
		fi
		run_suite "$label" "$subject"
		print_one "$label"
	fi
	summary "$label"
	if [ "$(passed "$label")" -lt "$MIN" ]; then
		say "$label passes $(passed "$label") programs, below CONFORMANCE_MIN=$MIN"
		exit 1
	fi
}

main "$@"
