import Foundation
import Recur
import Tensors
import Testing

/// An independent cross-check: a NumPy script, written sequence by sequence with plain loops
/// (no batching, no padding, no masks), computes the BRNN framewise loss and gradients for the
/// same weights and data, which the test writes to a temporary JSON file.
@Suite struct RecurrentNetworkNumPyTests {
  /// docs/MATH.md, "BRNN", for one sequence at a time; gradients of the mean over scored steps.
  static let script = #"""
    import json, sys
    import numpy as np

    spec = json.load(open(sys.argv[1]))
    P = {k: np.array(v["values"], dtype=np.float64).reshape(v["rows"], v["columns"])
         for k, v in spec["parameters"].items()}
    G = {k: np.zeros_like(v) for k, v in P.items()}
    H = P["forward.W"].shape[0]
    Vf, Vb = P["output.V"][:H], P["output.V"][H:]
    total, scored = 0.0, 0
    for seq in spec["sequences"]:
        X = np.array(seq["inputs"], dtype=np.float64)
        y = seq["targets"]
        T = len(y)
        fb = np.zeros((T, H)); bb = np.zeros((T, H))
        for t in range(T):                      # forward layer, t = 1 ... T
            prev = fb[t - 1] if t > 0 else np.zeros(H)
            fb[t] = np.tanh(X[t] @ P["forward.U"] + prev @ P["forward.W"] + P["forward.c"][0])
        for t in reversed(range(T)):            # backward layer, t = T ... 1
            nxt = bb[t + 1] if t + 1 < T else np.zeros(H)
            bb[t] = np.tanh(X[t] @ P["backward.U"] + nxt @ P["backward.W"] + P["backward.c"][0])
        logits = fb @ Vf + bb @ Vb + P["output.d"][0]
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        dk = np.zeros_like(prob)
        for t in range(T):
            if y[t] >= 0:
                total -= np.log(prob[t, y[t]])
                scored += 1
                dk[t] = prob[t]
                dk[t, y[t]] -= 1
        G["output.V"][:H] += fb.T @ dk
        G["output.V"][H:] += bb.T @ dk
        G["output.d"][0] += dk.sum(axis=0)
        after = np.zeros(H)
        for t in reversed(range(T)):            # forward layer BPTT, t = T ... 1
            dh = (dk[t] @ Vf.T + after @ P["forward.W"].T) * (1 - fb[t] ** 2)
            G["forward.U"] += np.outer(X[t], dh)
            if t > 0:
                G["forward.W"] += np.outer(fb[t - 1], dh)
            G["forward.c"][0] += dh
            after = dh
        before = np.zeros(H)
        for t in range(T):                      # backward layer BPTT, t = 1 ... T
            dh = (dk[t] @ Vb.T + before @ P["backward.W"].T) * (1 - bb[t] ** 2)
            G["backward.U"] += np.outer(X[t], dh)
            if t + 1 < T:
                G["backward.W"] += np.outer(bb[t + 1], dh)
            G["backward.c"][0] += dh
            before = dh
    out = {"loss": total / scored,
           "gradients": {k: (v / scored).ravel().tolist() for k, v in G.items()}}
    json.dump(out, sys.stdout)
    """#

  static let isAvailable: Bool = run(["-c", "import numpy"]) != nil

  /// Runs python3 with `arguments`; nil when it cannot be started or fails.
  static func run(_ arguments: [String]) -> Data? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? data : nil
  }

  struct Reference: Decodable {
    var loss: Double
    var gradients: [String: [Double]]
  }

  @Test(.enabled(if: isAvailable, "python3 with numpy is not available; cross-check skipped"))
  func brnnFramewiseMatchesNumPy() throws {
    let shape = Fixtures.shape(
      bidirectional: true, bias: true, task: .framewise,
      inputSize: 3, hiddenSize: 4, outputSize: 3)
    let parameters = Fixtures.parameters(for: shape, seed: 99)
    let examples = Fixtures.examples(
      lengths: [3, 5, 2], inputSize: 3, outputSize: 3,
      task: .framewise, sparse: false, seed: 12)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters)
    var gradients = ParameterSet<Double>()
    let loss = network.lossAndGradients(
      for: SequenceBatch(examples: examples, task: .framewise, inputSize: 3), into: &gradients)

    var sequences: [[String: Any]] = []
    for example in examples {
      guard case .dense(let values, let width) = example.inputs else {
        Issue.record("dense fixture expected")
        return
      }
      // As Double: JSON would print a Float by its own shortest digits, which Python would
      // read as a different Double.
      let rows = (0..<example.length).map {
        values[($0 * width)..<(($0 + 1) * width)].map(Double.init)
      }
      sequences.append(["inputs": rows, "targets": example.targets.map(Int.init)])
    }
    var parameterObject: [String: Any] = [:]
    for (key, value) in zip(parameters.keys, parameters.values) {
      parameterObject[key] = [
        "rows": value.rows, "columns": value.columns,
        "values": value.elements,
      ]
    }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-numpy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let scriptURL = directory.appendingPathComponent("brnn.py")
    let dataURL = directory.appendingPathComponent("case.json")
    try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
    try JSONSerialization.data(
      withJSONObject: ["parameters": parameterObject, "sequences": sequences]
    ).write(to: dataURL)

    let output = try #require(Self.run([scriptURL.path, dataURL.path]), "the script failed")
    let reference = try JSONDecoder().decode(Reference.self, from: output)
    #expect(abs(reference.loss - loss.mean) < 1e-9)
    #expect(Set(reference.gradients.keys) == Set(gradients.keys))
    for (key, value) in zip(gradients.keys, gradients.values) {
      let expected = try #require(reference.gradients[key])
      #expect(expected.count == value.count)
      let worst = zip(expected, value.elements).map { abs($0 - $1) }.max() ?? .infinity
      #expect(worst < 1e-9, "\(key): \(worst)")
    }
  }
}
