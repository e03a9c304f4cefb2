/**
 * The resident Python process behind one interpreter context, run as `python3 -c WORKER_SOURCE` inside the sandbox.
 * It speaks the chunk protocol of Daytona's interpreter (stdout / stderr / error / control chunks, one JSON object a
 * line) on a private copy of its original stdout. File descriptors 1 and 2 become pipes it reads itself, so output
 * from print(), from child processes (os.system, subprocess) and from C code all arrive, in order, as chunks, and
 * nothing a program writes can corrupt the protocol. Commands come on stdin: {"type":"exec",...} runs code in the
 * context's globals (state carries over between calls); {"type":"interrupt"} raises KeyboardInterrupt in it.
 */
export const WORKER_SOURCE = String.raw`
import codecs, json, linecache, os, queue, signal, sys, threading, traceback

PROTOCOL = os.fdopen(os.dup(1), "w", encoding="utf-8")
LOCK = threading.Lock()
SOURCE_NAME = "<stdin>"


def emit(chunk):
    line = json.dumps(chunk)
    with LOCK:
        PROTOCOL.write(line + "\n")
        PROTOCOL.flush()


class Forwarder:
    """Turns what is written to file descriptor fd into chunks of one kind."""

    def __init__(self, fd, kind):
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        self.fd, self.kind, self.read_end = fd, kind, read_end
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.marker = None
        self.synced = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def forward(self, data):
        text = self.decoder.decode(data)
        if text:
            emit({"type": self.kind, "text": text})

    def run(self):
        pending = b""
        while True:
            data = os.read(self.read_end, 65536)
            if not data:
                return
            pending += data
            marker = self.marker
            if marker and marker in pending:
                before, pending = pending.split(marker, 1)
                self.forward(before)
                self.marker = None
                self.synced.set()
            keep = 0
            marker = self.marker
            if marker:
                # Hold back a tail that may be the start of the marker.
                for size in range(min(len(marker) - 1, len(pending)), 0, -1):
                    if pending.endswith(marker[:size]):
                        keep = size
                        break
            self.forward(pending[: len(pending) - keep])
            pending = pending[len(pending) - keep :]

    def sync(self):
        """Returns once everything written to fd so far has been sent as chunks (or after 2 s)."""
        self.synced.clear()
        self.marker = b"\x00daytona-sync-" + os.urandom(8).hex().encode() + b"\x00"
        os.write(self.fd, self.marker)
        self.synced.wait(2)


OUT = Forwarder(1, "stdout")
ERR = Forwarder(2, "stderr")
sys.stdout = open(1, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)
sys.stderr = open(2, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)
USER_GLOBALS = {"__name__": "__main__", "__doc__": None, "__package__": None, "__builtins__": __builtins__}
COMMANDS = queue.Queue()


def read_commands():
    for line in sys.stdin:
        try:
            command = json.loads(line)
        except ValueError:
            continue
        if command.get("type") == "interrupt":
            os.kill(os.getpid(), signal.SIGINT)
        else:
            COMMANDS.put(command)
    COMMANDS.put(None)


def user_traceback(error):
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == SOURCE_NAME]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    for frame in frames:
        lines.append('  File "%s", line %s, in %s\n' % (SOURCE_NAME, frame.lineno, frame.name))
        if frame.line:
            lines.append("    %s\n" % frame.line.strip())
    lines.extend(traceback.format_exception_only(type(error), error))
    return "".join(lines)


def execute(code, envs):
    saved = {}
    for name, value in (envs or {}).items():
        saved[name] = os.environ.get(name)
        os.environ[name] = str(value)
    control, error = "completed", None
    try:
        linecache.cache[SOURCE_NAME] = (len(code), None, code.splitlines(True), SOURCE_NAME)
        exec(compile(code, SOURCE_NAME, "exec"), USER_GLOBALS)
    except KeyboardInterrupt:
        control = "interrupted"
    except SystemExit:
        pass
    except BaseException as caught:
        error = {"type": "error", "name": type(caught).__name__, "value": str(caught), "traceback": user_traceback(caught)}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    OUT.sync()
    ERR.sync()
    if error:
        emit(error)
    emit({"type": "control", "text": control})


def main():
    threading.Thread(target=read_commands, daemon=True).start()
    emit({"type": "control", "text": "ready"})
    while True:
        try:
            command = COMMANDS.get()
        except KeyboardInterrupt:
            continue
        if command is None:
            return
        try:
            execute(str(command.get("code", "")), command.get("envs"))
        except KeyboardInterrupt:
            emit({"type": "control", "text": "interrupted"})


main()
`;
