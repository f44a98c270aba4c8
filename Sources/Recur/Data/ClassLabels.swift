/// The classes of a classification dataset read as text (`csv-sequences`, `process`): the train
/// labels, sorted (numerically when every one is an integer), and the class index of a label.
struct ClassLabels {
  /// The class names in class order.
  let classes: [String]
  private let index: [String: Int32]

  /// The classes of `train`, the labels of every train step or sequence.
  init(train: some Sequence<String>) {
    let labels = Set(train)
    let integers = labels.compactMap { Int($0) }
    classes =
      integers.count == labels.count ? integers.sorted().map(String.init) : labels.sorted()
    index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int32($0)) })
  }

  /// The class of each label; -1 (not scored) for a label train never had.
  func targets(_ labels: [String]) -> [Int32] {
    labels.map { index[$0] ?? -1 }
  }

  /// The warning and fact for `unseen` of the `scored` labels of `split` that train never had;
  /// nil when there are none.
  static func unseen(
    _ unseen: Int, of scored: Int, in split: Split
  ) -> (warning: String, fact: DatasetFact)? {
    guard unseen > 0 else { return nil }
    return (
      "\(split.rawValue): \(unseen) label(s) never seen in train; they are not scored",
      DatasetFact(
        name: "unseen_label_share", split: split, value: Double(unseen) / Double(scored),
        help: "share of labels that never occur in train (not scored)")
    )
  }
}
