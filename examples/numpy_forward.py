"""The forward pass of a model exported by `runner export`, in NumPy.

    python3 numpy_forward.py EXPORT_DIR INPUTS.json

INPUTS.json holds {"sequences": [...]}: each sequence a list of steps, each step either the
indices of its active input features (word inputs) or a list of I numbers (dense inputs).
Prints {"probabilities": [...]}: per sequence, T rows of K class probabilities for a tagging
model, or one row of K for a sequence classifier.
"""
import json
import struct
import sys

import numpy as np

ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "relu": lambda a: np.maximum(a, 0),
}


def load(folder):
    meta = json.load(open(f"{folder}/model.json"))
    raw = open(f"{folder}/model.safetensors", "rb").read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    weights = {}
    for key, spec in header.items():
        if key == "__metadata__":
            continue
        begin, end = spec["data_offsets"]
        data = raw[8 + length + begin:8 + length + end]
        weights[key] = np.frombuffer(data, dtype="<f4").reshape(spec["shape"]).astype(np.float64)
    return meta, weights


def inputs(meta, steps):
    x = np.zeros((len(steps), meta["input_size"]))
    for t, step in enumerate(steps):
        if len(step) == meta["input_size"] and any(isinstance(v, float) for v in step):
            x[t] = step
        else:
            x[t, step] = 1.0
    return x


def forward(meta, weights, x):
    f = ACTIVATIONS[meta["activation"]]
    steps, hidden = x.shape[0], meta["hidden_size"]
    layers = []
    for direction in meta["directions"]:
        U, W = weights[direction + ".U"], weights[direction + ".W"]
        c = weights.get(direction + ".c", np.zeros((1, hidden)))[0]
        b, out = np.zeros(hidden), np.zeros((steps, hidden))
        order = range(steps) if direction == "forward" else reversed(range(steps))
        for t in order:
            b = f(x[t] @ U + b @ W + c)
            out[t] = b
        layers.append(out)
    if meta["task"] == "sequence":
        # The forward layer's last state and the backward layer's first.
        features = np.concatenate(
            [out[-1] if d == "forward" else out[0] for out, d in zip(layers, meta["directions"])])
    else:
        features = np.concatenate(layers, axis=1)
    logits = features @ weights["output.V"]
    logits = logits + weights.get("output.d", np.zeros((1, meta["output_size"])))[0]
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


if __name__ == "__main__":
    meta, weights = load(sys.argv[1])
    sequences = json.load(open(sys.argv[2]))["sequences"]
    print(json.dumps({"probabilities": [
        forward(meta, weights, inputs(meta, steps)).tolist() for steps in sequences]}))
