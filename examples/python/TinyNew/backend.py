"""Pinned to tinylib 2.0, written against the SDK's interface (init / inference / healthy), like a Java plugin."""
import tinylib


class Backend:
    def init(self, context):
        self.config = dict(context.config)

    def reconfigure(self, config):
        self.config = dict(config)

    def inference(self, request):
        return {"tinylib": tinylib.__version__, "greeting": tinylib.greet(request.params.get("name", "you")),
                "config": self.config}

    def healthy(self):
        return True
