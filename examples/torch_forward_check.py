"""PyTorch's documented equations, in NumPy, on a model exported by `runner export --format torch`.

    python3 torch_forward_check.py EXPORT_DIR INPUTS.json

Reads the state dict (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, the
_reverse ones of a bidirectional model, one set per layer, output.weight, output.bias) and
evaluates nn.RNN, nn.LSTM or nn.GRU as PyTorch documents them, in its column-vector layout:
gates W_ih x + b_ih + W_hh h + b_hh in blocks of H rows, GRU n = tanh(W_in x + b_in + r *
(W_hn h + b_hn)), a layer above the first reading [forward, backward] of the one below, then
nn.Linear. INPUTS.json and the printed JSON are numpy_forward.py's. When torch is installed it
also loads the file into nn.RNN/nn.LSTM/nn.GRU named rnn and nn.Linear named output with
load_state_dict, runs them, and exits 1 unless they agree with the NumPy result.
"""
import json
import sys

import numpy as np

from numpy_forward import ACTIVATIONS, inputs, load, sigmoid


def step(meta, w, suffix, x, h, c):
    """One step of PyTorch's cell for the weights ending in `suffix` (`_l0`, `_l0_reverse`)."""
    H = meta["hidden_size"]
    bias = {name: w.get(f"rnn.{name}{suffix}", 0) for name in ("bias_ih", "bias_hh")}
    gi = w[f"rnn.weight_ih{suffix}"] @ x + bias["bias_ih"]
    gh = w[f"rnn.weight_hh{suffix}"] @ h + bias["bias_hh"]
    if meta["cell"] == "elman":  # nn.RNN: h = tanh or relu of (W_ih x + b_ih + W_hh h + b_hh)
        return ACTIVATIONS[meta["activation"]](gi + gh), c
    if meta["cell"] == "lstm":  # nn.LSTM: chunks i, f, g, o
        g = gi + gh
        i, f, o = sigmoid(g[:H]), sigmoid(g[H:2 * H]), sigmoid(g[3 * H:])
        c = f * c + i * np.tanh(g[2 * H:3 * H])
        return o * np.tanh(c), c
    r = sigmoid(gi[:H] + gh[:H])  # nn.GRU: chunks r, z, n
    z = sigmoid(gi[H:2 * H] + gh[H:2 * H])
    n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
    return (1 - z) * n + z * h, c


def forward(meta, w, x):
    """nn.RNN/LSTM/GRU(x) of one sequence (T × D·H), then output.weight and output.bias."""
    H, steps = meta["hidden_size"], x.shape[0]
    for layer in range(meta["layers"]):
        outs = []
        for d in meta["directions"]:
            suffix = f"_l{layer}" + ("_reverse" if d == "backward" else "")
            h, c, out = np.zeros(H), np.zeros(H), np.zeros((steps, H))
            for t in range(steps) if d == "forward" else reversed(range(steps)):
                h, c = step(meta, w, suffix, x[t], h, c)
                out[t] = h
            outs.append(out)
        x = np.concatenate(outs, axis=1)
    return head(meta, w, x)


def head(meta, w, x):
    """The output layer on the rnn's T × D·H output: every row, or for a sequence model the
    forward direction's last step beside the backward direction's first."""
    H = meta["hidden_size"]
    if meta["task"].startswith("sequence"):
        x = np.concatenate([x[-1, :H], x[0, H:]])[None]
    y = x @ w["output.weight"].T + w.get("output.bias", 0)
    if meta["task"].endswith("regression"):
        return y
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def torch_forward(meta, w, xs):
    """The same through PyTorch's own modules, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    kinds = {"elman": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    options = {"nonlinearity": meta["activation"]} if meta["cell"] == "elman" else {}
    D, H = len(meta["directions"]), meta["hidden_size"]
    model = torch.nn.Module()
    model.rnn = kinds[meta["cell"]](
        input_size=meta["input_size"], hidden_size=H, num_layers=meta["layers"],
        bias=meta["bias"], bidirectional=D == 2, batch_first=False, **options)
    model.output = torch.nn.Linear(D * H, meta["output_size"], bias=meta["bias"])
    model.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    model.double()
    results = []
    with torch.no_grad():
        for x in xs:
            out, _ = model.rnn(torch.from_numpy(x)[:, None, :])
            out = out[:, 0, :]
            if meta["task"].startswith("sequence"):
                out = torch.cat([out[-1, :H], out[0, H:]])[None]
            y = model.output(out)
            results.append((y if meta["task"].endswith("regression") else y.softmax(1)).numpy())
    return results


if __name__ == "__main__":
    meta, weights = load(sys.argv[1])
    if meta["format"] != "recur-rnn-torch":
        sys.exit(f"{sys.argv[1]}: a {meta['format']} export; this script reads --format torch")
    request = json.load(open(sys.argv[2]))
    xs = [inputs(meta, steps, request.get("dense", False)) for steps in request["sequences"]]
    rows = [forward(meta, weights, x) for x in xs]
    modules = torch_forward(meta, weights, xs)
    if modules is None:
        print("torch is not installed: PyTorch's modules not compared", file=sys.stderr)
    else:
        worst = max(float(np.abs(a - b).max()) for a, b in zip(rows, modules))
        if worst > 1e-9:
            sys.exit(f"PyTorch's modules differ from its equations by {worst:g}")
    kind = "outputs" if meta["task"].endswith("regression") else "probabilities"
    print(json.dumps({kind: [r.tolist() for r in rows]}))
