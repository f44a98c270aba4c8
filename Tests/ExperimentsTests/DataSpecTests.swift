import Experiments
import Foundation
import Recur
import Testing
import YAMLSpec

/// Data files named by a spec: their errors are located at the option that named the file, with
/// the file's own line in the message.
@Suite struct DataSpecTests {
  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-data-spec-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func spec(train: String, dev: String) -> String {
    """
    name: data
    dataset:
      type: conllu
      train: \(train)
      dev: \(dev)
    model:
      type: rnn
      hidden: 4
    optimizer:
      type: sgd

    """
  }

  static let good =
    "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n2\t!\t!\tPUNCT\t.\t_\t1\tpunct\t_\t_\n\n"

  @Test func malformedDevFileIsLocatedAtTheDevOption() throws {
    let folder = try Self.folder()
    let train = folder.appendingPathComponent("train.conllu").path
    let dev = folder.appendingPathComponent("dev.conllu").path
    try Self.good.write(toFile: train, atomically: true, encoding: .utf8)
    try ("# comment\n" + "1\tHi\tINTJ\n").write(toFile: dev, atomically: true, encoding: .utf8)
    let text = Self.spec(train: train, dev: dev)
    let error = #expect(throws: SpecError.self) {
      try Experiment(spec: SpecNode.parse(text, sourceName: "data.yaml"))
    }
    #expect(error?.keyPath == "dataset.dev")
    #expect(error?.location?.line == 5)
    #expect(error?.location?.column == 8)
    #expect(error?.message == "\(dev):2: expected 10 tab-separated columns, found 3")
    #expect(error?.expected?.contains("ID FORM LEMMA UPOS") == true)
  }

  @Test func assemblesWithInferredSizes() throws {
    let folder = try Self.folder()
    let train = folder.appendingPathComponent("train.conllu").path
    try Self.good.write(toFile: train, atomically: true, encoding: .utf8)
    let text = Self.spec(train: train, dev: train) + "training:\n  metrics: [accuracy, mse]\n"
    let experiment = try Experiment(spec: SpecNode.parse(text, sourceName: "data.yaml"))
    // Vocabulary <unk>, hi, ! (3) + 2048 feature buckets; tags INTJ, PUNCT.
    #expect(experiment.model.shape.inputSize == 3 + 2048)
    #expect(experiment.model.shape.outputSize == 2)
    #expect(experiment.dataset.dataFiles == [train, train])
    #expect(experiment.spec["dataset"]?["suffix_length"]?.scalar == "3")
  }
}
