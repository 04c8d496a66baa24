"""SDK-shaped: a generator streams its chunks, like a Java StreamingBackend."""


class Tokens:
    def init(self, context):
        self.prefix = context.config.get("prefix", "")

    def inference(self, request):
        for word in request.params.get("text", "").split():
            yield self.prefix + word
