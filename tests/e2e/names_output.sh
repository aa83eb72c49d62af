# Names and server text in the command's output: a job whose name is not
# UTF-8 and holds terminal escapes stays in `list`, `list --json` and
# `info --json` (as U+FFFD, valid JSON), and text output shows its control
# characters escaped, never raw.
. "$(dirname "$0")/lib.sh"

bg() { "$BGCOPY" --store "$WORK/store" "$@"; }

name=$(printf '\xff\xfe bad \033[31mred\033[0m')
job=$(bg create "$name") || die "create with a non-UTF-8 name"
bg list --json > "$WORK/list.json" || die "list --json"
python3 - "$WORK/list.json" "$job" <<'PY' || die "list --json: $(cat "$WORK/list.json")"
import json, sys
jobs = json.load(open(sys.argv[1], encoding="utf-8"))
job = [j for j in jobs if j["id"] == sys.argv[2]]
assert job, "the job is missing"
assert job[0]["name"] == "\ufffd\ufffd bad \x1b[31mred\x1b[0m", repr(job[0]["name"])
PY
bg info "$job" --json > "$WORK/info.json" || die "info --json"
python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$WORK/info.json" ||
	die "info --json is not JSON"
bg info "$job" > "$WORK/info.txt" || die "info"
bg list > "$WORK/list.txt" || die "list"
for f in info.txt list.txt; do
	grep -q "$job" "$WORK/$f" || die "$f lost the job"
	if LC_ALL=C grep -q $'\033' "$WORK/$f"; then die "$f prints a raw escape"; fi
	grep -qF '\x1b[31mred' "$WORK/$f" || die "$f does not show the escape: $(cat "$WORK/$f")"
done
echo "names and output: ok"
