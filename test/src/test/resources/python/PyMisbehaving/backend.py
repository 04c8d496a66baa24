"""A package of the original format that misbehaves on request: {"action": "exit" | "crash" | "hang" | "oom" | "throw"}."""
import os
import signal
import time


class algo_backend:
    def __init__(self, model_path):
        self.model_path = model_path

    def __call__(self, request):  # a sync __call__ works as well as an async one
        return self.act(request)

    def act(self, request):
        action = request.query_params.get("action", "ok")
        if action == "exit":
            raise SystemExit(3)
        if action == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if action == "hang":
            while True:
                time.sleep(1)
        if action == "oom":
            hoard = []
            while True:
                hoard.append(bytearray(8 * 1024 * 1024))
        if action == "throw":
            raise ValueError("the model exploded")
        return {"status": 1, "result": {"pid": os.getpid(), "headers": dict(request.headers),
                                         "model_path": self.model_path}, "info": "ok"}
