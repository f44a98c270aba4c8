import Foundation
import Testing

/// Elman runs stay bit-identical through the redesign into cells: the shipped specs, shortened,
/// give the very final losses and metrics they gave before cells existed (recorded with the
/// runner of commit 5c72244, debug build, on the development machine). Bits depend on the
/// kernels that ran, so a machine whose OpenBLAS core or recurrent-product kernel differs from
/// the recorded one skips with a note.
@Suite struct ElmanBitsTests {
  struct Pin: CustomTestStringConvertible, Sendable {
    var spec: String
    var overrides: [String]
    /// The last epoch's dev row: loss and the metric after it.
    var loss: Double
    var metric: (name: String, value: Double)
    /// The recurrent-product kernel the recorded run used (BLAS for an RNN on two cores).
    var kernel: String
    var testDescription: String { ([spec] + overrides).joined(separator: " ") }
  }

  static let recordedBLASCore = "Haswell"

  static let pins: [Pin] = [
    Pin(
      spec: "brnn-tagging", overrides: ["training.epochs=3"], loss: 0.01385594998328808,
      metric: ("accuracy", 1), kernel: "avx512"),
    Pin(
      spec: "rnn-tagging", overrides: ["training.epochs=3", "model.activation=sigmoid"],
      loss: 0.5873838516538251, metric: ("accuracy", 0.812906538856556), kernel: "blas"),
    Pin(
      spec: "adding", overrides: ["training.epochs=3"], loss: 0.0981865311964577,
      metric: ("mse", 0.1963730623929154), kernel: "blas"),
    Pin(
      spec: "brnn-tagging",
      overrides: [
        "training.epochs=2", "training.output_dropout=0.3", "training.input_dropout=0.1",
        "training.weight_noise=0.01",
      ], loss: 0.07535742420462162, metric: ("accuracy", 0.999828825744608), kernel: "avx512"),
  ]

  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test(arguments: pins)
  func finalMetricsKeepTheirBits(_ pin: Pin) throws {
    let workspace = try RunnerProcess.scratchDirectory()
    let spec = Self.packageRoot.appendingPathComponent("experiments/\(pin.spec).yaml").path
    let result = try RunnerProcess.run(
      [spec] + pin.overrides + ["--quiet", "--run-directory", "run"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let run = workspace.appendingPathComponent("run")
    let manifest = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    let execution = try #require(manifest["execution"] as? [String: Any])
    guard execution["blas_core"] as? String == Self.recordedBLASCore,
      execution["recurrent_product"] as? String == pin.kernel
    else {
      print(
        "note: skipping the bit comparison: this machine runs \(execution), the pin was "
          + "recorded with OpenBLAS \(Self.recordedBLASCore) and the \(pin.kernel) kernel")
      return
    }
    // metrics.csv writes each number in its shortest exact form; read the last dev row.
    let rows = try RunnerTests.csvRows(run)
    let header = rows[0]
    let dev = try #require(rows.last { $0.count == header.count && $0[1] == "dev" })
    let loss = try #require(header.firstIndex(of: "loss"))
    let metric = try #require(header.firstIndex(of: pin.metric.name))
    #expect(Double(dev[loss]) == pin.loss)
    #expect(Double(dev[metric]) == pin.metric.value)
  }
}
