# The architecture holds on this build: layers point one way, no call
# cycles, only the public API exported, sources sized and headed, docs'
# references alive (tests/lint/all.sh, also `make lint`).
. "$(dirname "$0")/lib.sh"
"$(dirname "$0")/../lint/all.sh" "$B" || die "an architecture check failed (above)"
