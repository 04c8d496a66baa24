"""SDK-shaped: a generator streams its chunks, like a Java StreamingBackend."""


class Tokens:
    def init(self, context):
        self.prefix = context.config.get("prefix", "")

    def inference(self, request):
        for word in request.params.get("text", "").split():
            yield self.prefix + word
        # {"header": "X-Request-Id"}: one more chunk, that header as the SDK-shaped request has it (any case).
        if "header" in request.params:
            yield "%s=%s" % (request.params["header"], request.headers.get(request.params["header"]))
