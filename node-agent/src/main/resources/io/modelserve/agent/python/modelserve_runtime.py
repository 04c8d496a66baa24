"""The Python side of a modelserve replica (runtime = python).

A node starts one interpreter per replica with ``python modelserve_runtime.py <port>``; this module
connects back to the node over loopback and answers its calls one at a time, in frames of a 4-byte
big-endian length followed by UTF-8 JSON (the same protocol as a child JVM). It depends on nothing but
the standard library, so it runs in any package's environment.

Two backend shapes are served, chosen by what the class defines:

* the original Python model server's: ``__init__(self, model_path)``, ``reconfigure(self, config)``,
  ``[async] def __call__(self, request)`` with a Starlette-like request, answering a dict such as
  ``{"status": 1, "result": ..., "info": ...}`` that becomes the HTTP body as it is;
* the SDK's, as Java plugins: ``init(self, context)``, ``inference(self, request)`` (a generator
  streams), ``inference_batch(self, requests)``, ``healthy(self)``, ``reconfigure``, ``close``;
  results are wrapped in the route's envelope like a Java plugin's.

``modelserve check`` imports this module too (``--check``): one offline request, no node needed.
"""

import asyncio
import base64
import importlib
import inspect
import json
import os
import socket
import struct
import sys
import threading
import traceback
from urllib.parse import parse_qsl

MAX_FRAME = 512 * 1024 * 1024
# Printed before exiting on MemoryError: the node reads it as "ran out of memory (memory_limit = ...)".
OUT_OF_MEMORY = "modelserve: MemoryError, the replica exceeds memory_limit"


class InvalidRequest(Exception):
    """Raise from a backend to answer 4xx (default 400) with the message, as InvalidRequestException in Java."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class Headers(dict):
    """Request headers by lower-case name, read case-insensitively as Starlette's (a repeated header's
    values joined with ", "); ``dict(request.headers)`` is a plain dict of them."""

    def __init__(self, pairs=()):
        super().__init__((k.lower(), v) for k, v in dict(pairs).items())

    def __setitem__(self, key, value):
        super().__setitem__(key.lower(), value)

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __contains__(self, key):
        return super().__contains__(key.lower())


class Request:
    """What an SDK-shaped backend gets: params (JSON body merged with query), body, content_type, sub_path, headers.

    ``headers`` are the client's request headers as the node selected them for plugins (hop-by-hop and
    X-Modelserve-* headers left out), by lower-case name; ``content-type`` is there whenever the request
    has a content type, even in a call that carried no headers (``modelserve check``).
    """

    def __init__(self, call):
        self.params = call.get("params") or {}
        body = call.get("body")
        self.body = base64.b64decode(body) if body else b""
        self.content_type = call.get("contentType") or ""
        self.sub_path = call.get("subPath") or ""
        headers = Headers(call.get("headers") or {})
        if self.content_type and "content-type" not in headers:
            headers["content-type"] = self.content_type
        self.headers = headers


class StarletteRequest:
    """The subset of starlette.requests.Request that backends of the original model server use."""

    method = "POST"

    def __init__(self, call):
        self._request = Request(call)
        self.headers = self._request.headers
        self.path_params = {"path": self._request.sub_path} if self._request.sub_path else {}
        self.query_params = self._query()

    def _query(self):
        # The node merges the query into the JSON body's fields; what the body does not hold came from the URL.
        body = self._parsed()
        params = self._request.params
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()
                if not (isinstance(body, dict) and k in body)}

    def _parsed(self):
        if not self._request.body:
            return None
        try:
            return json.loads(self._request.body)
        except ValueError:
            return None

    async def body(self):
        return self._request.body

    async def json(self):
        if not self._request.body:
            # A GET with a query string: its parameters are the JSON the backend asks for.
            return dict(self._request.params)
        return json.loads(self._request.body)

    async def form(self):
        return dict(parse_qsl(self._request.body.decode("utf-8", "replace")))


class Context:
    """What init(context) of an SDK-shaped backend gets."""

    def __init__(self, init):
        self.deployment = init.get("deployment", "")
        self.replica_id = init.get("replicaId", "")
        self.model_paths = list(init.get("models") or [])
        self.model_path = init.get("model_path", "")
        self.config = dict(init.get("config") or {})


def to_json(value):
    """numpy values become lists and numbers; anything else JSON cannot hold is an error."""
    def default(o):
        if hasattr(o, "tolist"):
            return o.tolist()
        if hasattr(o, "item"):
            return o.item()
        if isinstance(o, (bytes, bytearray)):
            return o.decode("utf-8", "replace")
        raise TypeError("the result is not JSON-serialisable: %s" % type(o).__name__)
    return json.loads(json.dumps(value, default=default))


def describe(error):
    text = str(error)
    return "%s: %s" % (type(error).__name__, text) if text else type(error).__name__


def failed(error):
    answer = {"ok": False, "error": describe(error)}
    if isinstance(error, InvalidRequest):
        answer["invalid"] = error.status
        answer["error"] = str(error)
    return answer


def ok(value=None):
    return {"ok": True} if value is None else {"ok": True, "value": value}


class Backend:
    """The user's class, constructed and called in whichever shape it has."""

    def __init__(self, init, loop):
        self.loop = loop
        self.instance, self.original = construct(init)
        self.streams = not self.original and (inspect.isgeneratorfunction(self.instance.inference)
                                              or inspect.isasyncgenfunction(self.instance.inference))

    def run(self, value):
        return self.loop.run_until_complete(value) if inspect.isawaitable(value) else value

    def infer(self, call):
        if self.original:
            result = self.run(self.instance(StarletteRequest(call)))
            # The dict is the answer as the original server sent it: raw JSON, never enveloped.
            body = json.dumps(to_json(result)).encode("utf-8")
            return {"ok": True, "value": base64.b64encode(body).decode("ascii"),
                    "response": {"status": 200, "json": False, "contentType": "application/json", "headers": []}}
        result = self.run(self.instance.inference(Request(call)))
        if inspect.isgenerator(result) or inspect.isasyncgen(result):
            return ok(to_json(list(self.chunks(result))))
        return ok(to_json(result))

    def batch(self, calls):
        if self.original or not hasattr(self.instance, "inference_batch"):
            answers = []
            for call in calls:
                try:
                    answers.append(self.infer(call))
                except MemoryError:
                    raise
                except Exception as e:
                    answers.append(failed(e))
            return ok(answers)
        results = self.run(self.instance.inference_batch([Request(c) for c in calls]))
        if len(results) != len(calls):
            raise ValueError("inference_batch returned %d results for %d requests" % (len(results), len(calls)))
        return ok([failed(r) if isinstance(r, Exception) else ok(to_json(r)) for r in results])

    def chunks(self, result):
        if inspect.isasyncgen(result):
            while True:
                try:
                    yield self.loop.run_until_complete(result.__anext__())
                except StopAsyncIteration:
                    return
        else:
            yield from result

    def stream(self, call, send):
        for chunk in self.chunks(self.run(self.instance.inference(Request(call)))):
            send({"chunk": to_json(chunk)})
        return ok()

    def reconfigure(self, config):
        if hasattr(self.instance, "reconfigure"):
            self.run(self.instance.reconfigure(dict(config)))

    def healthy(self):
        check = getattr(self.instance, "healthy", None) or getattr(self.instance, "check_health", None)
        if check is None:
            return True
        answer = self.run(check())
        # Ray Serve's check_health raises when unhealthy and returns None otherwise.
        return True if answer is None else bool(answer)

    def close(self):
        if hasattr(self.instance, "close"):
            self.run(self.instance.close())


def import_backend(package_root, package, class_name):
    """Imports algopkg/<package>/backend.py as the original server did, both as algopkg.<package> and <package>."""
    for path in (os.path.join(package_root, "algopkg"), package_root):
        if path not in sys.path:
            sys.path.insert(0, path)
    module = importlib.import_module("algopkg.%s.backend" % package)
    if class_name is None:
        return None
    cls = getattr(module, class_name, None)
    if cls is None or not inspect.isclass(cls):
        classes = defined_classes(module)
        serving = [n for n in classes if serves(vars(module)[n])]
        if serving:
            raise BackendNotFound("class %s not found in algopkg/%s/backend.py; its backend classes (with __call__ or "
                                  "inference): %s; name one in backend =" % (class_name, package, ", ".join(serving)))
        raise BackendNotFound("class %s not found in algopkg/%s/backend.py, which defines no backend class (one with "
                              "__call__ or inference); its classes: %s" % (class_name, package, ", ".join(classes) or "none"))
    return cls


class BackendNotFound(LookupError):
    """backend = names no class of backend.py: the operator's mistake, told as one line without a traceback."""


def defined_classes(module):
    """The names of the classes a module defines itself (not those it imports), sorted."""
    return sorted(n for n, v in vars(module).items() if inspect.isclass(v) and v.__module__ == module.__name__)


def serves(cls):
    """Whether a class can serve: a __call__ (the original shape) or an inference (the SDK's)."""
    return "__call__" in dir(cls) or hasattr(cls, "inference")


def construct(init):
    cls = import_backend(init["package_root"], init["package"], init["backend"])
    if hasattr(cls, "inference"):
        instance = cls()
        if hasattr(instance, "init"):
            result = instance.init(Context(init))
            if inspect.isawaitable(result):
                asyncio.get_event_loop().run_until_complete(result)
        return instance, False
    if not callable(getattr(cls, "__call__", None)) or "__call__" not in dir(cls):
        raise TypeError("class %s defines neither __call__(self, request) nor inference(self, request)" % cls.__name__)
    instance = cls(init.get("model_path", ""))
    if hasattr(instance, "reconfigure"):
        result = instance.reconfigure(dict(init.get("config") or {}))
        if inspect.isawaitable(result):
            asyncio.get_event_loop().run_until_complete(result)
    return instance, True


class Channel:
    def __init__(self, sock):
        self.reader = sock.makefile("rb")
        self.sock = sock

    def read(self):
        header = self.reader.read(4)
        if len(header) < 4:
            return None
        (length,) = struct.unpack(">i", header)
        if length < 0 or length > MAX_FRAME:
            raise ValueError("bad frame length %d" % length)
        return json.loads(self.reader.read(length))

    def write(self, message):
        data = json.dumps(message).encode("utf-8")
        self.sock.sendall(struct.pack(">i", len(data)) + data)


def limit_memory(megabytes):
    if not megabytes:
        return
    try:
        import resource
        limit = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError) as e:
        sys.stderr.write("modelserve: memory_limit not applied: %s\n" % e)


def follow_parent():
    """Ends this process when its node is gone, even while a call is stuck: no orphans."""
    parent = os.getppid()
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        pass

    def watch():
        while True:
            threading.Event().wait(1.0)
            if os.getppid() != parent:
                os._exit(2)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(port):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    channel = Channel(sock)
    init = channel.read()
    limit_memory(init.get("memory_limit_mb"))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        backend = Backend(init, loop)
    except MemoryError:
        raise
    except Exception as e:
        traceback.print_exc()
        channel.write(failed(e))
        return
    channel.write(ok({"streams": backend.streams, "original": backend.original}))
    while True:
        call = channel.read()
        if call is None:
            return
        op = call.get("op")
        if op == "close":
            try:
                backend.close()
            except Exception:
                traceback.print_exc()
            channel.write(ok())
            return
        try:
            if op == "infer":
                answer = backend.infer(call)
            elif op == "batch":
                answer = backend.batch(call.get("requests") or [])
            elif op == "stream":
                answer = backend.stream(call, channel.write)
            elif op == "reconfigure":
                backend.reconfigure(call.get("config") or {})
                answer = ok()
            elif op == "healthy":
                answer = ok(backend.healthy())
            else:
                answer = {"ok": False, "error": "unknown call %s" % op}
        except MemoryError:
            raise
        except Exception as e:
            traceback.print_exc()
            answer = failed(e)
        channel.write(answer)


def backend_classes(package_root, package):
    """The classes backend.py defines that can serve: a __call__ (the original shape) or an inference (the SDK's)."""
    import_backend(package_root, package, None)
    module = sys.modules["algopkg.%s.backend" % package]
    return [n for n in defined_classes(module) if serves(vars(module)[n])]


def check(package_root, package, class_name, model_path, body, config):
    """modelserve check: construct the class and answer one request, offline; prints the outcome as one JSON line."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if not class_name:
        found = backend_classes(package_root, package)
        if len(found) != 1:
            raise BackendNotFound("backend.py defines %s classes with __call__ or inference: %s; pass --backend with the one "
                              "conf.ini names" % ("no" if not found else "several", ", ".join(found) or "none"))
        class_name = found[0]
    init = {"package_root": package_root, "package": package, "backend": class_name, "model_path": model_path,
            "models": [os.path.join(model_path.split(",")[0], p) for p in model_path.split(",")[1:] if p],
            "config": json.loads(config or "{}")}
    backend = Backend(init, loop)
    call = {"params": json.loads(body) if body else {}, "contentType": "application/json",
            "body": base64.b64encode(body.encode("utf-8")).decode("ascii") if body else None}
    if backend.streams:
        chunks = []
        backend.stream(call, lambda message: chunks.append(message["chunk"]))
        answer = {"status": 1, "result": chunks}
    else:
        raw = backend.infer(call)
        answer = json.loads(base64.b64decode(raw["value"])) if backend.original else {"status": 1, "result": raw.get("value")}
    print(json.dumps({"backend": class_name, "original": backend.original, "streams": backend.streams, "answer": answer}))


def main(argv):
    if len(argv) > 1 and argv[1] == "--check":
        try:
            check(*argv[2:8])
        except BackendNotFound as e:
            sys.stderr.write("%s\n" % e)
            return 1
        return 0
    follow_parent()
    try:
        serve(int(argv[1]))
    except MemoryError:
        sys.stderr.write(OUT_OF_MEMORY + "\n")
        return 3
    except SystemExit as e:
        # The node reads the last line as the cause: this exit's, not an earlier call's traceback.
        code = e.code if isinstance(e.code, int) else 1
        sys.stderr.write("modelserve: the backend called sys.exit(%r)\n" % (e.code,))
        return code
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # A backend's leftover non-daemon threads must not keep a finished replica alive.
    os._exit(code)
