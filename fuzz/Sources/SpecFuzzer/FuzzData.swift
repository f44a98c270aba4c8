import Experiments
import Foundation
import YAMLSpec

/// What keeps assembly to the spec: data files replaced by small fixtures, generated datasets
/// bounded.
final class FuzzData: Sendable {
  static let shared = FuzzData()

  /// The standard registry with every generated dataset behind `GeneratedBudget` and no
  /// `process` dataset.
  let registry: Registry
  /// The fixture file that stands in for every data file of a dataset type that reads files.
  let fixtures: [String: String]
  private let directory: URL

  private init() {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-spec-fuzzer-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var fixtures: [String: String] = [:]
    for (type, name, contents) in Self.fixtureFiles {
      let url = directory.appendingPathComponent(name)
      guard FileManager.default.createFile(atPath: url.path, contents: Data(contents.utf8)) else {
        fatalError("cannot write the fixture \(url.path)")
      }
      fixtures[type] = url.path
    }
    self.fixtures = fixtures
    do {
      registry = try Self.fuzzedRegistry()
    } catch {
      fatalError("the fuzzer's registry: \(error)")
    }
    atexit { FuzzData.shared.removeFixtures() }
  }

  /// The standard components, generated datasets behind `GeneratedBudget`, without `process`:
  /// a fuzzed spec must not run commands.
  private static func fuzzedRegistry() throws(DuplicateComponent) -> Registry {
    var registry = Registry.standard
    registry.datasets = ComponentTable(kind: .dataset)
    for component in Registry.standard.datasets.components where component.name != "process" {
      if readsFiles(component) {
        try registry.datasets.register(component)
      } else {
        try registry.datasets.register(
          component.wrapping { make in
            { options, generator in
              try GeneratedBudget(options).check()
              return try make(options, generator)
            }
          })
      }
    }
    return registry
  }

  private func removeFixtures() {
    try? FileManager.default.removeItem(at: directory)
  }

  static let fixtureFiles = [
    (
      "conllu", "fixture.conllu",
      "# text = The dog barks\n1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n"
        + "2\tdog\tdog\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n"
        + "3\tbarks\tbark\tVERB\tVBZ\t_\t0\troot\t_\t_\n\n"
        + "1\tA\ta\tDET\tDT\t_\t2\tdet\t_\t_\n2\tcat\tcat\tNOUN\tNN\t_\t0\troot\t_\t_\n\n"
    ),
    ("conll", "fixture.conll", "The DT B-NP\ndog NN I-NP\n\nA DT B-NP\ncat NN I-NP\n"),
    (
      "csv-sequences", "fixture.csv",
      "sequence,x,y,label\na,0.5,1,0\na,0.25,2,1\nb,1,0,1\nb,2,0.5,0\nb,3,1,1\n"
    ),
  ]

  /// Whether a dataset type reads its data from files named by a `train` option.
  static func readsFiles(_ component: Component<DatasetFactory>) -> Bool {
    component.options.contains { $0.name == "train" }
  }

  /// `node` with every data file its dataset section names replaced by that type's fixture (a
  /// path that does not exist for a type without one), so no input makes assembly read a file
  /// it names, however large or endless.
  func redirectingFiles(of node: SpecNode) -> SpecNode {
    guard case .mapping = node.content, let dataset = node["dataset"],
      case .mapping = dataset.content, let type = dataset["type"]?.scalar,
      let component = registry.datasets[type], Self.readsFiles(component)
    else { return node }
    let fixture = fixtures[type] ?? directory.appendingPathComponent("absent").path
    var redirected = dataset
    for key in ["train", "dev", "test"] {
      if let file = dataset[key], case .scalar = file.content, !file.isNull {
        redirected = redirected.replacing(key, with: .string(fixture))
      }
    }
    return node.replacing("dataset", with: redirected.content)
  }
}

/// The size bound on generated datasets: a dataset larger than this is valid but slow to build,
/// so the fuzzer skips it rather than spend its time drawing random numbers.
struct GeneratedBudget {
  /// Most values (sequences × steps × input features) drawn.
  static let maximumCells = 1 << 22
  /// Largest vocabulary, tag set or alphabet.
  static let maximumTypes = 1 << 20

  struct Skipped: Error, CustomStringConvertible {
    var description: String { "larger than the fuzzer's budget for generated datasets" }
  }

  let cells: Int
  let types: Int

  init(_ options: ComponentOptions) {
    func value(_ key: String) -> Int? { options.node[key]?.scalar.flatMap { Int($0) } }
    let sequences = ["train_sequences", "dev_sequences", "test_sequences"].reduce(0) {
      let (sum, overflow) = $0.addingReportingOverflow(max(0, value($1) ?? 0))
      return overflow ? Int.max : sum
    }
    let factors = [sequences, value("max_length") ?? value("steps") ?? 1, value("input") ?? 1]
    cells = factors.reduce(1) {
      let (product, overflow) = $0.multipliedReportingOverflow(by: max(0, $1))
      return overflow ? Int.max : product
    }
    types = ["vocabulary", "tags", "symbols", "classes"].compactMap(value).max() ?? 0
  }

  func check() throws(Skipped) {
    guard cells <= Self.maximumCells, types <= Self.maximumTypes else { throw Skipped() }
  }
}
