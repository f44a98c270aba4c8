#!/usr/bin/env python3
"""PyTorch peer of `runner bench --compare-torch`: the benchmark workload's model in PyTorch.

nn.RNN (tanh), nn.LSTM or nn.GRU, one layer, bidirectional for brnn, then nn.Linear(D*H, K);
mean cross-entropy over the B*T tokens of a batch, plain SGD (lr 0.1), batches in order, on
random data of the workload's sizes (standard normal inputs, uniform labels). One untimed warm-up
epoch, then the timed ones. Prints one JSON line: tokens_per_s, seconds, final_loss and the
kernels torch ran (its version, CPU capability and BLAS).
"""
import argparse
import json
import re
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", choices=["rnn", "brnn"], default="brnn")
    p.add_argument("--cell", choices=["elman", "lstm", "gru"], default="elman")
    p.add_argument("--input", type=int, default=64)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--classes", type=int, default=17)
    p.add_argument("--seq-len", type=int, default=32)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--sequences", type=int, default=2048)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=0.1)
    return p.parse_args()


def kernels(torch):
    """Torch's version, the CPU capability its kernels were picked for, and its BLAS."""
    capability = torch.backends.cpu.get_cpu_capability()
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=([^,\s]+)", config)
    blas = found.group(1) if found else "unknown"
    return f"torch {torch.__version__}, CPU capability {capability}, BLAS {blas}"


def main():
    args = parse_args()
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    layer = {"elman": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[args.cell]
    bidirectional = args.model == "brnn"
    directions = 2 if bidirectional else 1
    recurrent = layer(args.input, args.hidden, bidirectional=bidirectional)
    output = nn.Linear(directions * args.hidden, args.classes)
    parameters = list(recurrent.parameters()) + list(output.parameters())
    optimizer = torch.optim.SGD(parameters, lr=args.lr)
    loss_function = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)
    inputs = torch.randn(args.seq_len, args.sequences, args.input, generator=generator)
    labels = torch.randint(0, args.classes, (args.seq_len, args.sequences), generator=generator)

    def epoch():
        total, batches = 0.0, 0
        for start in range(0, args.sequences, args.batch):
            x = inputs[:, start:start + args.batch]
            y = labels[:, start:start + args.batch]
            optimizer.zero_grad(set_to_none=False)
            states, _ = recurrent(x)
            logits = output(states)
            loss = loss_function(logits.reshape(-1, args.classes), y.reshape(-1))
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        return total / batches

    epoch()
    start = time.perf_counter()
    loss = 0.0
    for _ in range(args.epochs):
        loss = epoch()
    seconds = time.perf_counter() - start
    tokens = args.epochs * args.sequences * args.seq_len
    print(json.dumps({
        "tokens_per_s": tokens / seconds, "seconds": seconds, "final_loss": loss,
        "kernel": kernels(torch),
    }))


if __name__ == "__main__":
    main()
