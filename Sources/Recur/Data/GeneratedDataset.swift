import Foundation

/// A dataset drawn from a generator the first time its data is read. Its shape comes from its
/// options, so a spec can be checked (`runner validate`, a sweep's plan) without drawing the
/// data; the data, once drawn, is exactly what the generator would have drawn at once.
public final class GeneratedDataset: Dataset, @unchecked Sendable {
  public let shape: DatasetShape
  private let generate: @Sendable () -> any Dataset
  // Guards `drawn`: a dataset may be read from several threads.
  private let lock = NSLock()
  private var drawn: (any Dataset)?

  /// A dataset of `shape` that `generate` draws when first read. `generate` must not fail: the
  /// options are checked before this is made.
  public init(shape: DatasetShape, generate: @escaping @Sendable () -> any Dataset) {
    self.shape = shape
    self.generate = generate
  }

  /// The drawn data, drawing it on the first call.
  public var data: any Dataset {
    lock.withLock {
      if let drawn { return drawn }
      let data = generate()
      drawn = data
      return data
    }
  }

  /// Whether the data has been drawn.
  public var isDrawn: Bool { lock.withLock { drawn != nil } }

  public var info: DatasetInfo { data.info }
  public func examples(_ split: Split) -> [SequenceExample] { data.examples(split) }
  public var artifacts: [DatasetArtifact] { data.artifacts }
  /// Generated data has nothing to warn about: its options were checked when it was made.
  public var warnings: [String] { [] }
}
