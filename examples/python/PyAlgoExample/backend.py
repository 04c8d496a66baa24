"""AlgoExample as a package of the original Python model server: a sentiment lexicon from Model_ZOO.

POST {"text": "a good day"} -> {"status": 1, "result": {"score": 1.0, ...}, "info": "..."}
"""
import os


class algo_backend:
    def __init__(self, model_path):
        # "<Model_ZOO dir>,<model1>,<model2>", or empty when the section names no model.
        parts = [p for p in model_path.split(",") if p] if model_path else []
        self.zoo, self.models = (parts[0], parts[1:]) if parts else ("", [])
        self.lexicon = {}
        for name in self.models:
            if name.endswith(".txt"):
                with open(os.path.join(self.zoo, name), encoding="utf-8") as f:
                    for line in f:
                        if line.strip() and not line.startswith("#"):
                            word, weight = line.split("\t")
                            self.lexicon[word.strip().lower()] = float(weight)
        self.greeting = "hello"
        self.constructed = os.getpid()

    def reconfigure(self, config):
        self.greeting = config.get("greeting", "hello")

    async def __call__(self, request):
        try:
            data = await request.json()
        except ValueError as e:
            return {"status": 0, "result": None, "info": "the body is not JSON: %s" % e}
        text = data.get("text")
        if not isinstance(text, str):
            return {"status": 0, "result": None, "info": "send {\"text\": \"...\"}"}
        score = sum(self.lexicon.get(w, 0.0) for w in text.lower().split())
        return {"status": 1,
                "result": {"greeting": self.greeting, "score": score, "models": self.models,
                           "constructed_in": self.constructed},
                "info": "scored %d words" % len(text.split())}
