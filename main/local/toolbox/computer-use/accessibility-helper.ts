/**
 * The Python program that reads and drives a sandbox's AT-SPI tree. It runs inside the sandbox (as its user,
 * in its namespaces, so it reaches only that sandbox's accessibility bus), reads one JSON request on stdin
 * and writes one JSON answer on stdout.
 *
 * It speaks AT-SPI's D-Bus interfaces (org.a11y.atspi.*, at-spi2-core's xml/*.xml) with python3-dbus, the
 * way Daytona's daemon does with godbus (libs/computer-use/pkg/computeruse/accessibility.go in
 * github.com/daytonaio/daytona): the same node ids (`<bus-name>:<object-path>`), role names (GetRoleName),
 * state names (the StateType enum in order, lower case), walk budget (20000 nodes), find limits (500 by
 * default, at most 5000), scopes (focused, pid, all) and action rules (the first action when none is named;
 * a value goes to EditableText, or to Value when it is a number).
 *
 * Why python3-dbus in the sandbox rather than a D-Bus client in the provider's Node process: the bus
 * belongs to the sandbox's user namespace (uid 1000 inside), and a client from outside authenticates with
 * its own uid (@homebridge/dbus-native sends process.getuid() with EXTERNAL), which the bus refuses; a
 * helper inside the sandbox is the sandbox's own user, sees only what the sandbox sees, and the provider
 * needs no socket path into it. python3-dbus is one small Debian package (libdbus underneath); pyatspi
 * would add python3-gi and the GObject introspection data for the same calls.
 */
export const ACCESSIBILITY_HELPER = String.raw`
import json, os, re, sys
try:
    import dbus
except ImportError:
    print(json.dumps({"error": {"kind": "unavailable", "message": "python3-dbus is not installed"}}))
    sys.exit(0)

ACC = "org.a11y.atspi.Accessible"
COMPONENT = "org.a11y.atspi.Component"
ACTION = "org.a11y.atspi.Action"
EDITABLE = "org.a11y.atspi.EditableText"
VALUE = "org.a11y.atspi.Value"
APPLICATION = "org.a11y.atspi.Application"
REGISTRY = "org.a11y.atspi.Registry"
ROOT = "/org/a11y/atspi/accessible/root"
STATES = ["invalid", "active", "armed", "busy", "checked", "collapsed", "defunct", "editable", "enabled",
          "expandable", "expanded", "focusable", "focused", "has_tooltip", "horizontal", "iconified", "modal",
          "multi_line", "multiselectable", "opaque", "pressed", "resizable", "selectable", "selected", "sensitive",
          "showing", "single_line", "stale", "transient", "vertical", "visible", "manages_descendants",
          "indeterminate", "required", "truncated", "animated", "invalid_entry", "supports_autocompletion",
          "selectable_text", "is_default", "visited", "checkable", "has_popup", "read_only"]
WALK_BUDGET = 20000
TIMEOUT = 5


class Failure(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


def classify(error):
    name = error.get_dbus_name() if isinstance(error, dbus.exceptions.DBusException) else ""
    if name in ("org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.DBus.Error.UnknownInterface",
                "org.freedesktop.DBus.Error.UnknownProperty", "org.freedesktop.DBus.Error.NotSupported"):
        return Failure("not_supported", "action not supported by node")
    if name in ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
                "org.freedesktop.DBus.Error.UnknownObject"):
        return Failure("node_not_found", "accessibility node not found")
    return error


def connect():
    try:
        session = dbus.bus.BusConnection(os.environ["DBUS_SESSION_BUS_ADDRESS"])
        address = session.get_object("org.a11y.Bus", "/org/a11y/bus", introspect=False).GetAddress(
            dbus_interface="org.a11y.Bus", timeout=TIMEOUT)
        return dbus.bus.BusConnection(address)
    except (KeyError, dbus.exceptions.DBusException) as error:
        raise Failure("unavailable", "accessibility bus not reachable: %s" % error)


def parse_id(node_id):
    slash = node_id.find("/") if isinstance(node_id, str) else -1
    if slash <= 1 or node_id[slash - 1] != ":":
        raise Failure("invalid_request", "invalid node id %r: expected <bus-name>:<object-path>" % node_id)
    return node_id[:slash - 1], node_id[slash:]


class Tree:
    def __init__(self, bus):
        self.bus = bus

    def obj(self, sender, path):
        return self.bus.get_object(sender, path, introspect=False)

    def call(self, sender, path, iface, method, *args):
        try:
            return getattr(self.obj(sender, path), method)(*args, dbus_interface=iface, timeout=TIMEOUT)
        except dbus.exceptions.DBusException as error:
            raise classify(error)

    def optional(self, sender, path, iface, method, *args):
        try:
            return getattr(self.obj(sender, path), method)(*args, dbus_interface=iface, timeout=TIMEOUT)
        except dbus.exceptions.DBusException:
            return None

    def prop(self, sender, path, iface, name):
        return self.optional(sender, path, "org.freedesktop.DBus.Properties", "Get", iface, name)

    def children(self, sender, path):
        return [(str(s), str(p)) for (s, p) in self.call(sender, path, ACC, "GetChildren")]

    def states(self, sender, path):
        bits = self.call(sender, path, ACC, "GetState")
        return [name for i, name in enumerate(STATES) if i // 32 < len(bits) and bits[i // 32] & (1 << (i % 32))]

    def node(self, sender, path):
        role = str(self.call(sender, path, ACC, "GetRoleName"))
        interfaces = [str(i) for i in (self.optional(sender, path, ACC, "GetInterfaces") or [])]
        node = {"id": sender + ":" + path, "role": role, "name": str(self.prop(sender, path, ACC, "Name") or ""),
                "bounds": {"x": 0, "y": 0, "width": 0, "height": 0}, "states": []}
        description = str(self.prop(sender, path, ACC, "Description") or "")
        if description:
            node["description"] = description
        try:
            node["states"] = self.states(sender, path)
        except Failure:
            pass
        if COMPONENT in interfaces:
            extents = self.optional(sender, path, COMPONENT, "GetExtents", dbus.UInt32(0))
            if extents is not None:
                node["bounds"] = {"x": int(extents[0]), "y": int(extents[1]), "width": int(extents[2]), "height": int(extents[3])}
        if ACTION in interfaces:
            actions = self.optional(sender, path, ACTION, "GetActions") or []
            if actions:
                node["actions"] = [str(a[0]) for a in actions]
        return node

    def scope_root(self, scope, pid):
        if scope == "all":
            return REGISTRY, ROOT
        apps = self.children(REGISTRY, ROOT)
        if scope == "pid":
            if not pid or pid <= 0:
                raise Failure("invalid_request", "invalid accessibility request: pid must be positive")
            for sender, path in apps:
                if self.prop(sender, path, APPLICATION, "Id") == pid:
                    return sender, path
            raise Failure("no_root", "no accessible root for process %d" % pid)
        if not apps:
            raise Failure("no_root", "no accessible root for focused window")
        for sender, path in apps:
            for window in self.optional(sender, path, ACC, "GetChildren") or []:
                try:
                    if "active" in self.states(str(window[0]), str(window[1])):
                        return sender, path
                except Failure:
                    pass
        return apps[0]

    def walk(self, sender, path, depth, budget):
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        node = self.node(sender, path)
        if depth == 0:
            return node
        try:
            refs = self.children(sender, path)
        except Failure:
            return node
        kids = []
        for child_sender, child_path in refs:
            if budget[0] <= 0:
                break
            try:
                child = self.walk(child_sender, child_path, depth - 1 if depth > 0 else depth, budget)
            except Failure as failure:
                if failure.kind == "node_not_found":
                    continue
                raise
            if child is not None:
                kids.append(child)
        if kids:
            node["children"] = kids
        return node

    def find(self, sender, path, match, out, limit, budget, ignore_missing):
        if budget[0] <= 0:
            return True
        budget[0] -= 1
        try:
            node = self.node(sender, path)
            if match(node):
                out.append(node)
                if len(out) >= limit:
                    return True
            refs = self.children(sender, path)
        except Failure as failure:
            if ignore_missing and failure.kind == "node_not_found":
                return False
            raise
        for child_sender, child_path in refs:
            if budget[0] <= 0:
                return True
            if self.find(child_sender, child_path, match, out, limit, budget, True):
                return True
        return budget[0] <= 0


def scope_of(request):
    scope = str(request.get("scope") or "focused").strip().lower()
    if scope not in ("focused", "pid", "all"):
        raise Failure("invalid_scope", "invalid accessibility scope: got %r, expected focused|pid|all" % scope)
    return scope


def matcher(request):
    name = request.get("name") or ""
    mode = request.get("nameMatch") or "substring"
    if mode not in ("exact", "substring", "regex"):
        raise Failure("invalid_request", "unknown nameMatch mode %r, want exact|substring|regex" % mode)
    pattern = None
    if name and mode == "regex":
        try:
            pattern = re.compile(name)
        except re.error as error:
            raise Failure("invalid_request", "invalid regex for name filter: %s" % error)
    role = (request.get("role") or "").lower()
    states = request.get("states") or []

    def match(node):
        if role and node["role"].lower() != role:
            return False
        if name:
            if mode == "exact" and node["name"] != name:
                return False
            if mode == "substring" and name not in node["name"]:
                return False
            if mode == "regex" and not pattern.search(node["name"]):
                return False
        return all(state in node["states"] for state in states)
    return match


def run(request):
    op = request.get("op")
    if op == "find":
        match = matcher(request)
    tree = Tree(connect())
    if op == "tree":
        root = tree.scope_root(scope_of(request), request.get("pid"))
        budget = [WALK_BUDGET]
        node = tree.walk(root[0], root[1], request.get("maxDepth", -1), budget)
        return {"root": node, "truncated": budget[0] <= 0}
    if op == "find":
        root = tree.scope_root(scope_of(request), request.get("pid"))
        limit = request.get("limit") or 500
        limit = 500 if limit <= 0 else min(limit, 5000)
        out = []
        truncated = tree.find(root[0], root[1], match, out, limit, [WALK_BUDGET], False)
        return {"matches": out, "truncated": truncated}
    sender, path = parse_id(request.get("id"))
    if op == "focus":
        if not tree.call(sender, path, COMPONENT, "GrabFocus"):
            raise Failure("not_supported", "action not supported by node: it did not take the focus")
        return {}
    if op == "invoke":
        actions = [str(a[0]) for a in tree.call(sender, path, ACTION, "GetActions")]
        wanted = request.get("action") or ""
        index = 0 if not wanted and actions else next((i for i, a in enumerate(actions) if a.lower() == wanted.lower()), -1)
        if index < 0:
            raise Failure("not_supported", "action not supported by node: it has %s" % (", ".join(actions) or "no actions"))
        if not tree.call(sender, path, ACTION, "DoAction", dbus.Int32(index)):
            raise Failure("not_supported", "action not supported by node: DoAction(%d) returned false" % index)
        return {}
    if op == "value":
        value = request.get("value") or ""
        try:
            tree.call(sender, path, EDITABLE, "SetTextContents", value)
            return {}
        except Failure as failure:
            if failure.kind != "not_supported":
                raise
        try:
            number = float(value)
        except ValueError:
            raise Failure("not_supported", "action not supported by node: it has no editable text and %r is not a number" % value)
        tree.call(sender, path, "org.freedesktop.DBus.Properties", "Set", VALUE, "CurrentValue", dbus.Double(number, variant_level=1))
        return {}
    raise Failure("invalid_request", "unknown operation %r" % op)


try:
    answer = {"result": run(json.loads(sys.stdin.read()))}
except Failure as failure:
    answer = {"error": {"kind": failure.kind, "message": str(failure)}}
except dbus.exceptions.DBusException as error:
    answer = {"error": {"kind": "internal", "message": str(error)}}
print(json.dumps(answer))
`;
