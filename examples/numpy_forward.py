"""The forward pass of a model exported by `runner export`, in NumPy.

    python3 numpy_forward.py EXPORT_DIR INPUTS.json

INPUTS.json holds {"sequences": [...]}: each sequence a list of steps, each step the indices of
its active input features (word and symbol inputs), or, with "dense": true beside "sequences",
a list of I numbers. Prints {"probabilities": [...]} for a classifier, {"outputs": [...]} for
regression: per sequence, T rows of K for a framewise model, one row of K for a sequence model.
The equations are docs/MATH.md's, in its row-vector layout (a = x U + h_prev W + c).
"""
import json
import struct
import sys

import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


ACTIVATIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": lambda a: np.maximum(a, 0)}


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


def inputs(meta, steps, dense):
    if dense:
        return np.array(steps, dtype=np.float64).reshape(len(steps), meta["input_size"])
    x = np.zeros((len(steps), meta["input_size"]))
    for t, active in enumerate(steps):
        np.add.at(x[t], active, 1.0)
    return x


def step(meta, p, a, h, c):
    """One step of the cell from a = x U + c; returns h and (for the LSTM) the state c."""
    H, r = meta["hidden_size"], h @ p["W"]
    if meta["cell"] == "elman":
        return ACTIVATIONS[meta["activation"]](a + r), c
    if meta["cell"] == "lstm":  # gates i f g o; peepholes P = [p_i p_f p_o] when present
        a, P = a + r, p.get("P", np.zeros((1, 3 * H)))[0]
        i = sigmoid(a[:H] + P[:H] * c)
        f = sigmoid(a[H:2 * H] + P[H:2 * H] * c)
        c = f * c + i * np.tanh(a[2 * H:3 * H])
        o = sigmoid(a[3 * H:] + P[2 * H:] * c)
        return o * np.tanh(c), c
    # gru: gates r z n; the reset gate scales the recurrent product and its bias b_hn (c_hn)
    b_hn = p.get("c_hn", np.zeros((1, H)))[0]
    reset, z = sigmoid(a[:H] + r[:H]), sigmoid(a[H:2 * H] + r[H:2 * H])
    n = np.tanh(a[2 * H:] + reset * (r[2 * H:] + b_hn))
    return (1 - z) * n + z * h, c


def run(meta, p, x, direction):
    """One direction of one layer over a sequence: its T × H outputs."""
    a = x @ p["U"] + p.get("c", np.zeros((1, p["U"].shape[1])))[0]
    h, c = np.zeros(meta["hidden_size"]), np.zeros(meta["hidden_size"])
    out = np.zeros((x.shape[0], meta["hidden_size"]))
    for t in range(x.shape[0]) if direction == "forward" else reversed(range(x.shape[0])):
        h, c = step(meta, p, a[t], h, c)
        out[t] = h
    return out


def forward(meta, weights, x):
    directions = meta["directions"]
    for layer in range(meta["layers"]):
        outs = []
        for d in directions:
            prefix = (f"layers.{layer}." if meta["layers"] > 1 else "") + d + "."
            p = {k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)}
            outs.append(run(meta, p, x, d))
        x = np.concatenate(outs, axis=1)  # layer k + 1 reads [forward, backward] of layer k
    if meta["task"].startswith("sequence"):
        # The forward direction's last step and the backward direction's first.
        x = np.concatenate([o[-1] if d == "forward" else o[0] for o, d in zip(outs, directions)])
        x = x[None]
    y = x @ weights["output.V"] + weights.get("output.d", np.zeros((1, meta["output_size"])))[0]
    if meta["task"].endswith("regression"):
        return y
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    meta, weights = load(sys.argv[1])
    if meta["format"] != "recur-rnn":
        sys.exit(f"{sys.argv[1]}: a {meta['format']} export; this script reads --format recur")
    request = json.load(open(sys.argv[2]))
    rows = [forward(meta, weights, inputs(meta, steps, request.get("dense", False))).tolist()
            for steps in request["sequences"]]
    kind = "outputs" if meta["task"].endswith("regression") else "probabilities"
    print(json.dumps({kind: rows}))
