"""A softmax classifier of iris flowers whose weights live in Model_ZOO as .npy (numpy, nothing else).

POST {"features": [5.1, 3.5, 1.4, 0.2]} -> {"status": 1, "result": {"label": "setosa", ...}}
"""
import os

import numpy as np

LABELS = ["setosa", "versicolor", "virginica"]


class IrisClassifier:
    def __init__(self, model_path):
        zoo, *files = model_path.split(",")
        self.weights = np.load(os.path.join(zoo, next(f for f in files if f.endswith("_W.npy"))))
        self.bias = np.load(os.path.join(zoo, next(f for f in files if f.endswith("_b.npy"))))
        self.temperature = 1.0

    def reconfigure(self, config):
        self.temperature = float(config.get("temperature", "1.0"))

    async def __call__(self, request):
        data = await request.json()
        features = np.asarray(data.get("features", []), dtype=np.float64)
        if features.shape != (4,):
            return {"status": 0, "result": None, "info": "send {\"features\": [4 numbers]}"}
        logits = (features @ self.weights + self.bias) / self.temperature
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return {"status": 1, "result": {"label": LABELS[int(p.argmax())], "probabilities": p.round(4)},
                "info": "numpy " + np.__version__}
