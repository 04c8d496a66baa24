"""Pinned to tinylib 1.0 (greet returns a string); TinyNew beside it runs 2.0 (greet returns a dict)."""
import tinylib


class algo_backend:
    def __init__(self, model_path):
        self.model_path = model_path

    async def __call__(self, request):
        data = await request.json()
        return {"status": 1, "result": {"tinylib": tinylib.__version__, "greeting": tinylib.greet(data.get("name", "you"))},
                "info": "TinyOld"}
