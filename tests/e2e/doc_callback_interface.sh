# org.bgcopy1.Callback as docs/org.bgcopy1.xml writes it is what both
# sides build: the methods, arguments and types of the vtable libbgcopy's
# client mode exports (client_callback.c), at the path and under the
# interface name the daemon calls (daemon.h).  The client's object lives
# on its private connection to bgcopyd, where no busctl reaches, so the
# doc is held against the sources; bgcopyd_bus.sh checks the daemon's
# own interfaces live.  python3 comes with python3-jsonschema (make deps).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

python3 - "$top/docs/org.bgcopy1.xml" "$top/tracer/client/client_callback.c" \
	"$top/tracer/client/client.h" "$top/tracer/daemon/daemon.h" <<'EOF' ||
import re
import sys
import xml.etree.ElementTree as ET

doc_path, vtable_path, client_h, daemon_h = sys.argv[1:]
iface = ET.parse(doc_path).getroot().find("interface[@name='org.bgcopy1.Callback']")
if iface is None:
    sys.exit("the doc has no org.bgcopy1.Callback")
doc = {m.get("name"): [(a.get("direction"), a.get("type"), a.get("name"))
                       for a in m.findall("arg")]
       for m in iface.findall("method")}

source = open(vtable_path).read()
vtable = re.search(r"callback_vtable\[\] = \{(.*?)SD_BUS_VTABLE_END", source, re.S)
if not vtable:
    sys.exit("no callback_vtable in " + vtable_path)


def args(text, direction):
    """SD_BUS_ARGS("s", job, "u", index) as (direction, type, name)."""
    items = [x.strip() for x in text.split(",")] if text else []
    return [(direction, items[i].strip('"'), items[i + 1]) for i in range(0, len(items), 2)]


code = {}
for m in re.finditer(r'SD_BUS_METHOD_WITH_ARGS\(\s*"(\w+)",\s*'
                     r'SD_BUS_(?:ARGS\((.*?)\)|NO_ARGS),\s*'
                     r'SD_BUS_(?:RESULT\((.*?)\)|NO_RESULT)', vtable.group(1), re.S):
    code[m.group(1)] = args(m.group(2), "in") + args(m.group(3), "out")
if code != doc:
    for name in sorted(set(code) | set(doc)):
        if code.get(name) != doc.get(name):
            print(f"{name}: doc {doc.get(name)}, code {code.get(name)}")
    sys.exit("client_callback.c's vtable differs from docs/org.bgcopy1.xml")
if 'sd_bus_add_object_vtable(c->bus, NULL, CLIENT_CALLBACK_PATH,\n' \
   '\t\t\t\t     "org.bgcopy1.Callback"' not in source:
    sys.exit("the client exports its vtable under another path or name")

# The path and name the doc gives, on both sides.
define = lambda path, name: re.search(r"#define %s\s+\"([^\"]+)\"" % name,
                                      open(path).read()).group(1)
doc_text = open(doc_path).read()
for path, name in ((client_h, "CLIENT_CALLBACK_PATH"), (daemon_h, "BGCOPYD_CALLBACK_PATH"),
                   (daemon_h, "BGCOPYD_CALLBACK_IFACE")):
    if define(path, name) not in doc_text:
        sys.exit(f"{name} ({define(path, name)}) is not what the doc names")
print("org.bgcopy1.Callback: %d methods as documented" % len(code))
EOF
	die "org.bgcopy1.Callback and its doc disagree"
echo "callback interface doc ok"
