"""Runs the backend offline, as the original project's algopkg_test.py did: python3 test_backend.py"""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from algopkg.PyAlgoExample.backend import algo_backend  # noqa: E402


class FakeRequest:
    def __init__(self, body):
        self._body = json.dumps(body).encode()

    async def json(self):
        return json.loads(self._body)


if __name__ == "__main__":
    backend = algo_backend("")
    backend.reconfigure({"greeting": "hi"})
    answer = asyncio.run(backend(FakeRequest({"text": "a good day"})))
    assert answer["status"] == 1, answer
    print(json.dumps(answer))
