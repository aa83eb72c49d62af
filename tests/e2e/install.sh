# make install honours PREFIX and DESTDIR and puts the plugin where
# babeltrace2 looks for its own, so no --plugin-path is needed.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
case $B in
*/asan|*/tsan) echo "install is checked on the plain build"; exit 77 ;;
esac
make -s -C "$top" install DESTDIR="$WORK/root" PREFIX=/opt/bgc >/dev/null ||
	die "make install failed"
for f in bin/bgcopy bin/bgcopy-record bin/bgcopy-analyze lib/libbgcopy.so \
	 lib/libbgcopy.so.1 lib/libbgcopy-tp.so include/bgcopy.h \
	 lib/pkgconfig/bgcopy.pc; do
	[ -f "$WORK/root/opt/bgc/$f" ] || die "$f not installed under PREFIX"
done
system_plugins=$(babeltrace2 list-plugins 2>/dev/null |
	sed -n 's|^ *Path: \(.*\)/babeltrace-plugin-ctf\.so$|\1|p')
[ -n "$system_plugins" ] || die "cannot tell where babeltrace2's own plugins are"

[ -f "$WORK/root$system_plugins/babeltrace-plugin-bgcopy.so" ] ||
	die "plugin not installed in babeltrace2's plugin directory ($system_plugins)"
# The installed programs find their libraries relative to themselves.
"$WORK/root/opt/bgc/bin/bgcopy" --help >/dev/null || die "installed bgcopy does not run"
# And babeltrace2 loads the plugin from that directory by itself.
BABELTRACE_PLUGIN_PATH= LD_PRELOAD=$BT_PRELOAD babeltrace2 \
	--omit-home-plugin-path --plugin-path="$WORK/root$system_plugins" \
	list-plugins 2>/dev/null | grep -q 'bgcopy' || die "babeltrace2 does not see the plugin"
grep -qx 'libdir=/opt/bgc/lib' "$WORK/root/opt/bgc/lib/pkgconfig/bgcopy.pc" ||
	die "bgcopy.pc does not point at PREFIX"
# bgcopyd's policy for the system bus: root alone owns and calls org.bgcopy1.
grep -q '<allow own="org.bgcopy1"/>' "$WORK/root/opt/bgc/share/dbus-1/system.d/org.bgcopy1.conf" ||
	die "the D-Bus policy is not installed"
# And uninstall takes every file back.
make -s -C "$top" uninstall DESTDIR="$WORK/root" PREFIX=/opt/bgc >/dev/null ||
	die "make uninstall failed"
left=$(find "$WORK/root" ! -type d)
[ -z "$left" ] || die "make uninstall left: $left"
echo "install ok"
