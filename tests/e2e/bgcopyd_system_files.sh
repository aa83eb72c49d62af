# bgcopyd --system writes a user's files as that user: nobody downloads
# into a directory only nobody may write and gets a file of nobody's; a
# destination nobody may not write is refused when it is added, naming
# the path and why; links nobody plants (at the temporary file, at the
# destination, in place of its directory) never get root to write a file
# of root's; cancel removes nobody's temporary file, and so does the next
# start when its job left the store; root's own jobs are still written as
# root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
needs_root_and_nobody

use_system_socket

id_of() { prop "$1" Id | sed 's/^s "\(.*\)"$/\1/'; }
# temp_of DEST JOB: where the engine keeps file 0 of JOB until it is complete.
temp_of() { echo "$(dirname "$1")/.$(basename "$1").$(id_of "$2" | cut -c1-8)-0.bgcopy-tmp"; }
owner_of() { stat -c '%U:%G' "$1"; }
NOBODY_OWNER=nobody:$(id -gn nobody)

start_server
make_file payload.bin 100000
make_file big.bin 1000000
URL=http://127.0.0.1:$PORT
chmod 0711 "$WORK"
install -d -o nobody -g "$(id -g nobody)" -m 0700 "$WORK/n"	# nobody's alone
install -d -m 0755 "$WORK/shared"	# root's, others may read
install -d -m 0700 "$WORK/vault" "$WORK/vault/sub"	# root's alone
echo "root's own file" > "$WORK/root-file"
cp "$WORK/root-file" "$WORK/root-file.orig"

start_system_daemon

# A download of nobody's lands as nobody's file, the same bytes.
J=$(nmanager CreateJob s mine | path_of)
njob "$J" AddFile ss "$URL/payload.bin" "$WORK/n/payload.bin" ||
	die "nobody's AddFile into its own directory: $(cat "$WORK/daemon.err")"
njob "$J" Resume || die "Resume"
wait_state "$J" TRANSFERRED
njob "$J" Complete || die "Complete"
cmp "$WORK/www/payload.bin" "$WORK/n/payload.bin" || die "nobody's file differs"
[ "$(owner_of "$WORK/n/payload.bin")" = "$NOBODY_OWNER" ] ||
	die "nobody's file belongs to $(owner_of "$WORK/n/payload.bin")"

# Where nobody may not write, the file is refused when it is added: the
# error names the directory and why, and nothing is created or added.
J=$(nmanager CreateJob s refused | path_of)
refused_add() {	# PATH WHY
	local out
	out=$(njob "$J" AddFile ss "$URL/payload.bin" "$1" 2>&1) && die "nobody added $1"
	grep -qF "$2" <<<"$out" || die "AddFile $1: '$out' does not say: $2"
	expect_error org.bgcopy1.Error.InvalidArgument njob "$J" AddFile ss "$URL/payload.bin" "$1"
}
refused_add "$WORK/shared/x.bin" "destination directory '$WORK/shared' is not writable: Permission denied"
refused_add /root/x.bin "destination directory '/root' is not writable: Permission denied"
refused_add "$WORK/vault/sub/x.bin" \
	"destination directory '$WORK/vault/sub' cannot be reached: Permission denied"
out=$(nbus call org.bgcopy1 "$J" org.bgcopy1.Job AddFiles 'a(ss)' 2 \
	"$URL/payload.bin" "$WORK/n/a.bin" "$URL/payload.bin" "$WORK/shared/b.bin" 2>&1) &&
	die "nobody's AddFiles into $WORK/shared"
grep -qF "file 2 of 2: destination directory '$WORK/shared' is not writable" <<<"$out" ||
	die "AddFiles: '$out' does not name the file and why"
[ "$(prop "$J" FilesTotal)" = "u 0" ] || die "a refused file was added: $(prop "$J" FilesTotal)"
[ -z "$(ls -A "$WORK/shared"; ls -A "$WORK/vault/sub")" ] ||
	die "a refused add created: $(ls -A "$WORK/shared" "$WORK/vault/sub")"
nbus call org.bgcopy1 "$J" org.bgcopy1.Job AddFiles 'a(ss)' 2 \
	"$URL/payload.bin" "$WORK/n/a.bin" "$URL/payload.bin" "$WORK/n/b.bin" ||
	die "nobody's AddFiles into its own directory"
njob "$J" Cancel || die "Cancel"

# A link nobody planted at the temporary file's name is not written
# through: the job fails, root's file is untouched.
J=$(nmanager CreateJob s temp-link | path_of)
njob "$J" AddFile ss "$URL/payload.bin" "$WORK/n/t.bin" || die "AddFile t.bin"
as_nobody ln -s "$WORK/root-file" "$(temp_of "$WORK/n/t.bin" "$J")"
njob "$J" Resume || die "Resume"
wait_state "$J" ERROR
prop "$J" Error | grep -q "is not a regular file of ours" || die "Error: $(prop "$J" Error)"
njob "$J" Cancel || die "Cancel"
cmp "$WORK/root-file.orig" "$WORK/root-file" || die "root's file was written through the link"

# A link at the destination is replaced by nobody's file, not followed.
J=$(nmanager CreateJob s dest-link | path_of)
njob "$J" AddFile ss "$URL/payload.bin" "$WORK/n/d.bin" || die "AddFile d.bin"
as_nobody ln -s "$WORK/root-file" "$WORK/n/d.bin"
njob "$J" Resume || die "Resume"
wait_state "$J" TRANSFERRED
njob "$J" Complete || die "Complete"
[ ! -L "$WORK/n/d.bin" ] && cmp "$WORK/www/payload.bin" "$WORK/n/d.bin" ||
	die "the link at the destination is still there or the file differs"
[ "$(owner_of "$WORK/n/d.bin")" = "$NOBODY_OWNER" ] || die "d.bin belongs to $(owner_of "$WORK/n/d.bin")"
cmp "$WORK/root-file.orig" "$WORK/root-file" || die "root's file was written through the link"

# Nobody's directory swapped, after the add, for a link to root's: the
# temporary file cannot be made there, since nobody may not write it.
J=$(nmanager CreateJob s dir-link | path_of)
as_nobody mkdir "$WORK/n/dir"
njob "$J" AddFile ss "$URL/payload.bin" "$WORK/n/dir/s.bin" || die "AddFile dir/s.bin"
as_nobody mv "$WORK/n/dir" "$WORK/n/dir.old"
as_nobody ln -s "$WORK/vault" "$WORK/n/dir"
njob "$J" Resume || die "Resume"
wait_state "$J" ERROR
prop "$J" Error | grep -q "Permission denied" || die "Error: $(prop "$J" Error)"
[ "$(ls -A "$WORK/vault")" = sub ] || die "root's directory got: $(ls -A "$WORK/vault")"
njob "$J" Cancel || die "Cancel"

# Cancel removes nobody's temporary file, which is nobody's too.
J=$(nmanager CreateJob s cancelled | path_of)
njob "$J" AddFile ss "$URL/fault/slow:20000/big.bin" "$WORK/n/big.bin" || die "AddFile big.bin"
njob "$J" Resume || die "Resume"
TEMP=$(temp_of "$WORK/n/big.bin" "$J")
for _ in $(seq 600); do [ -s "$TEMP" ] && break; sleep 0.05; done
[ -s "$TEMP" ] || die "no bytes in $TEMP"
[ "$(owner_of "$TEMP")" = "$NOBODY_OWNER" ] || die "the temporary file belongs to $(owner_of "$TEMP")"
njob "$J" Cancel || die "Cancel"
[ -e "$TEMP" ] && die "Cancel left $TEMP"
[ -e "$WORK/n/big.bin" ] && die "Cancel committed big.bin"

# Root's own job writes as root, where only root may.
J=$(manager CreateJob s root-job | path_of)
on_job "$J" AddFile ss "$URL/payload.bin" "$WORK/vault/r.bin" || die "root's AddFile"
on_job "$J" Resume || die "root's Resume"
wait_state "$J" TRANSFERRED
on_job "$J" Complete || die "root's Complete"
cmp "$WORK/www/payload.bin" "$WORK/vault/r.bin" || die "root's file differs"
[ "$(owner_of "$WORK/vault/r.bin")" = root:root ] || die "root's file belongs to $(owner_of "$WORK/vault/r.bin")"

# Nobody's temporary file whose job left the store (a crash between the
# two) is removed at the next start, as nobody.
J=$(nmanager CreateJob s departed | path_of)
njob "$J" AddFile ss "$URL/fault/slow:20000/big.bin" "$WORK/n/gone.bin" || die "AddFile gone.bin"
njob "$J" Resume || die "Resume"
TEMP=$(temp_of "$WORK/n/gone.bin" "$J")
for _ in $(seq 600); do [ -s "$TEMP" ] && break; sleep 0.05; done
[ -s "$TEMP" ] || die "no bytes in $TEMP"
GONE_ID=$(id_of "$J")
stop_system_daemon
# Each owner's jobs are in a store of their own (the per-owner layout).
/usr/bin/python3 - "$WORK/store/users/$(id -u nobody)/jobs.db" "$GONE_ID" <<'PY' || die "cannot take the job out of the store"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM jobs WHERE id = ?", (sys.argv[2],))
db.execute("DELETE FROM files WHERE job_id = ?", (sys.argv[2],))
db.commit()
db.close()
PY
[ -e "$TEMP" ] || die "the temporary file went with the daemon"
start_system_daemon
[ -e "$TEMP" ] && die "the departed job's temporary file $TEMP was left"

stop_system_daemon
[ -s "$WORK/daemon.err" ] && die "bgcopyd complained: $(cat "$WORK/daemon.err")"
echo "bgcopyd_system_files: ok"
