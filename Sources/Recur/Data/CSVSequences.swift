/// Numeric feature sequences from CSV files with a header line: a sequence id column, feature
/// columns and a label column. Consecutive rows with the same id form one sequence (in file
/// order); each row is one step with dense inputs (the feature columns).
///
/// The label is a class name (classification) or a number (regression, K = 1); framewise tasks
/// read it on every row, sequence tasks require every row of a sequence to carry the same label.
/// Classes are the train labels, sorted (numerically when all are integers). The files are
/// RFC 4180 CSV (`CSV.records`): quoted fields, LF or CRLF line ends, a byte order mark.
public struct CSVSequences: Dataset {
  public struct Configuration: Sendable, Equatable {
    public var sequenceColumn: String
    /// Empty: every column but the id and label columns.
    public var featureColumns: [String]
    public var labelColumn: String
    public var task: TaskKind

    public init(
      sequenceColumn: String, featureColumns: [String], labelColumn: String, task: TaskKind
    ) {
      self.sequenceColumn = sequenceColumn
      self.featureColumns = featureColumns
      self.labelColumn = labelColumn
      self.task = task
    }
  }

  public let info: DatasetInfo
  public let dataFiles: [String]
  public let warnings: [String]
  private let splits: [Split: [SequenceExample]]
  /// The configuration with the feature columns train resolved to, by name: how more files are
  /// read.
  public let encoding: Configuration
  private let classes: ClassLabels

  /// A read sequence: its id, its steps' features (row-major) and a label per step (none when
  /// the file has no label column and labels were optional).
  struct RawSequence {
    var id: String
    var features: [Float] = []
    var labels: [(line: Int, text: String)] = []
  }

  public init(
    train: String, dev: String?, test: String?, configuration c: Configuration
  ) throws(DataFileError) {
    var raw: [Split: [RawSequence]] = [:]
    var width = 0
    var files: [String] = []
    var featureNames: [String] = []
    var paths: [Split: String] = [:]
    for (split, path) in [(Split.train, train), (.dev, dev), (.test, test)] {
      guard let path else { continue }
      paths[split] = path
      do throws(DataFileError) {
        let (sequences, names) = try Self.read(path, c)
        guard split == .train || names == featureNames else {
          throw DataFileError(
            file: path, line: 1,
            "feature columns \(names.joined(separator: ", ")) differ from train's",
            expected: featureNames.joined(separator: ", "))
        }
        raw[split] = sequences
        featureNames = names
        width = names.count
      } catch {
        var located = error
        located.option = located.option ?? split.rawValue
        throw located
      }
      files.append(path)
    }

    let classes = ClassLabels(
      train: c.task.isRegression ? [] : (raw[.train] ?? []).flatMap { $0.labels.map(\.text) })
    var splits: [Split: [SequenceExample]] = [:]
    var warnings: [String] = []
    var facts: [DatasetFact] = []
    for split in Split.allCases {
      guard let sequences = raw[split] else { continue }
      let (examples, unseen, scored) = try Self.encode(
        sequences, width: width, classes: classes, c, file: paths[split] ?? "",
        option: split.rawValue)
      if let (warning, fact) = ClassLabels.unseen(unseen, of: scored, in: split) {
        warnings.append(warning)
        facts.append(fact)
      }
      splits[split] = examples
    }
    self.splits = splits
    self.warnings = warnings
    self.dataFiles = files
    self.classes = classes
    var encoding = c
    encoding.featureColumns = featureNames
    self.encoding = encoding
    info = DatasetInfo(
      inputSize: width, outputSize: c.task.isRegression ? 1 : classes.classes.count, task: c.task,
      labels: c.task.isRegression ? [c.labelColumn] : classes.classes,
      facts: facts)
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// The sequences of a CSV file with train's feature columns (by name, in any order) and
  /// label column, labelled with the train classes (a label train never had is not scored).
  public func examples(readingFile path: String) throws -> [SequenceExample] {
    let (sequences, _) = try Self.read(path, encoding)
    return try Self.encode(
      sequences, width: info.inputSize, classes: classes, encoding, file: path, option: nil
    ).examples
  }

  /// The sequences of a CSV file to predict: each sequence's id and its steps, read with
  /// train's feature columns; the label column may be absent, and labels are not read.
  public func unlabelledSequences(
    readingFile path: String
  ) throws(DataFileError) -> [(id: String, example: SequenceExample)] {
    let (sequences, _) = try Self.read(path, encoding, labelsRequired: false)
    return sequences.map { sequence in
      let inputs = ExampleInputs.dense(values: sequence.features, width: info.inputSize)
      let steps = sequence.features.count / info.inputSize
      let rows = encoding.task.isFramewise ? steps : 1
      let example =
        encoding.task.isRegression
        ? SequenceExample(
          inputs: inputs, values: [Double](repeating: 0, count: rows),
          framewise: encoding.task.isFramewise)
        : SequenceExample(inputs: inputs, targets: [Int32](repeating: -1, count: rows))
      return (sequence.id, example)
    }
  }

  /// The examples of read sequences, how many of their labels train never had, and how many
  /// labels they score; `file` and `option` locate a bad label.
  private static func encode(
    _ sequences: [RawSequence], width: Int, classes: ClassLabels, _ c: Configuration,
    file: String, option: String?
  ) throws(DataFileError) -> (examples: [SequenceExample], unseen: Int, scored: Int) {
    var unseen = 0
    var scored = 0
    var examples: [SequenceExample] = []
    for sequence in sequences {
      let inputs = ExampleInputs.dense(values: sequence.features, width: width)
      let labels = c.task.isFramewise ? sequence.labels : [sequence.labels[0]]
      if c.task.isRegression {
        var values: [Double] = []
        for label in labels {
          guard let value = Double(label.text) else {
            throw DataFileError(
              option: option, file: file, line: label.line,
              "label '\(label.text)' is not a number",
              expected: "a number in column '\(c.labelColumn)' for a regression task")
          }
          guard value.isFinite else {
            throw DataFileError(
              option: option, file: file, line: label.line,
              "label '\(label.text)' is not a finite number",
              expected: "a finite target (a NaN or infinite target makes the loss NaN)")
          }
          values.append(value)
        }
        examples.append(
          SequenceExample(inputs: inputs, values: values, framewise: c.task.isFramewise))
      } else {
        let targets = classes.targets(labels.map(\.text))
        unseen += targets.filter { $0 < 0 }.count
        scored += targets.count
        examples.append(SequenceExample(inputs: inputs, targets: targets))
      }
    }
    return (examples, unseen, scored)
  }

  /// The sequences of one file and the names of its feature columns. Without
  /// `labelsRequired`, labels are not read and the label column may be absent.
  static func read(
    _ path: String, _ c: Configuration, labelsRequired: Bool = true
  ) throws(DataFileError) -> ([RawSequence], [String]) {
    let records = try CSV.records(in: TextFile(contentsOf: path))
    guard let header = records.first else {
      throw DataFileError(file: path, "is empty", expected: "a header line naming the columns")
    }
    let names = header.fields
    for (index, name) in names.enumerated() {
      if let earlier = names[..<index].firstIndex(of: name) {
        throw DataFileError(
          file: path, line: header.line,
          "column '\(name)' is named twice in the header (columns \(earlier + 1) and \(index + 1))",
          expected: "a distinct name for every column")
      }
    }
    func column(_ name: String, option: String) throws(DataFileError) -> Int {
      guard let index = names.firstIndex(of: name) else {
        throw DataFileError(
          option: option, file: path, line: header.line, "no column '\(name)' in the header",
          expected: "one of: \(names.joined(separator: ", "))")
      }
      return index
    }
    let idColumn = try column(c.sequenceColumn, option: "sequence_column")
    let labelColumn =
      labelsRequired ? try column(c.labelColumn, option: "label_column") : nil
    var featureColumns: [Int] = []
    if c.featureColumns.isEmpty {
      featureColumns = names.indices.filter { $0 != idColumn && $0 != labelColumn }
    } else {
      for name in c.featureColumns {
        featureColumns.append(try column(name, option: "feature_columns"))
      }
    }
    guard !featureColumns.isEmpty else {
      throw DataFileError(
        option: "feature_columns", file: path, line: header.line, "no feature columns",
        expected: "columns besides '\(c.sequenceColumn)' and '\(c.labelColumn)'")
    }

    var sequences: [RawSequence] = []
    var seen: Set<String> = []
    var currentID: String?
    for record in records.dropFirst() {
      let fields = record.fields
      guard fields.count == names.count else {
        throw DataFileError(
          file: path, line: record.line,
          "expected \(names.count) comma-separated fields as in the header, found \(fields.count)",
          expected: CSV.record(names))
      }
      let id = fields[idColumn]
      if id != currentID {
        guard !seen.contains(id) else {
          throw DataFileError(
            file: path, line: record.fieldLines[idColumn],
            "sequence '\(id)' continues after other sequences",
            expected: "the rows of a sequence next to each other")
        }
        seen.insert(id)
        currentID = id
        sequences.append(RawSequence(id: id))
      }
      for index in featureColumns {
        let line = record.fieldLines[index]
        guard let value = Double(fields[index]) else {
          throw DataFileError(
            file: path, line: line,
            "'\(fields[index])' in column '\(names[index])' is not a number",
            expected: "a number in every feature column")
        }
        guard value.isFinite else {
          throw DataFileError(
            file: path, line: line,
            "'\(fields[index])' in column '\(names[index])' is not a finite number",
            expected: "a finite feature (NaN and infinities make the network's outputs NaN)")
        }
        let single = Float(value)
        guard single.isFinite else {
          throw DataFileError(
            file: path, line: line,
            "'\(fields[index])' in column '\(names[index])' is outside the Float32 range",
            expected: "a feature of magnitude below 3.4e38 (features are read as Float32)")
        }
        sequences[sequences.count - 1].features.append(single)
      }
      guard let labelColumn else { continue }
      let label = fields[labelColumn]
      let labelLine = record.fieldLines[labelColumn]
      if !c.task.isFramewise, let first = sequences[sequences.count - 1].labels.first,
        first.text != label
      {
        throw DataFileError(
          file: path, line: labelLine,
          "label '\(label)' differs from '\(first.text)' on line \(first.line) of sequence '\(id)'",
          expected: "one label per sequence for a \(c.task.rawValue) task")
      }
      sequences[sequences.count - 1].labels.append((labelLine, label))
    }
    guard !sequences.isEmpty else {
      throw DataFileError(file: path, "holds no rows after the header", expected: "data rows")
    }
    return (sequences, featureColumns.map { names[$0] })
  }
}
