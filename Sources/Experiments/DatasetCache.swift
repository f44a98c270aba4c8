import Recur
import YAMLSpec

/// Datasets read from files, kept by their resolved section so that specs naming the same
/// dataset (a sweep's trials that differ in model, optimizer or seed) share one copy instead of
/// reading the files again. A file dataset does not depend on the seed, so the key is the type and
/// the options alone.
public final class DatasetCache {
  private var datasets: [String: any Dataset] = [:]

  public init() {}

  /// The key of a dataset section: its type and its resolved options as YAML.
  public static func key(type: String, options: SpecNode) -> String {
    type + "\n" + options.yamlText()
  }

  /// The dataset stored under `key`, if any.
  public func dataset(for key: String) -> (any Dataset)? {
    datasets[key]
  }

  /// Keeps `dataset` under `key`; a `process` dataset is not kept, since its command draws from
  /// the seed.
  public func store(_ dataset: any Dataset, for key: String) {
    guard !(dataset is ProcessDataset) else { return }
    datasets[key] = dataset
  }

  /// Forgets every dataset, so that their memory can be returned.
  public func removeAll() {
    datasets.removeAll()
  }
}
