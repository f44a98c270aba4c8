import Foundation

/// Labelled sequences written as JSON Lines, one object per sequence, as the `process` dataset
/// reads them from its command's standard output:
///
///     {"split": "train", "inputs": [[0.5, 1.0], [0.25, -1.0]], "labels": ["a", "b"]}
///     {"split": "dev", "tokens": [3, 0, 7], "label": "long"}
///
/// - `split`: `train`, `dev` or `test`; the sequences of a split keep their order in the output.
/// - `inputs`, a dense row of numbers per step (the same width on every step of every line), or
///   `tokens`, one id in 0 ..< I per step (one-hot inputs); every line uses the same one.
/// - `labels`, one per step (framewise tasks), or `label` (sequence tasks): a class name (a
///   string, or an integer) for classification, a number for regression (K = 1).
///
/// No other key is accepted. Blank lines are skipped; a line may end in CRLF. Every problem is a
/// `DataFileError` at its line. Classes are the train labels, sorted as `csv-sequences` sorts
/// them; a dev or test class that train lacks is not scored and reported in `warnings`. Dense
/// values are held as Float32.
///
/// Each line is parsed with Foundation's `JSONSerialization`: the lines are small, flat objects
/// of numbers, strings and arrays, and it reports malformed JSON with the character at fault,
/// so no JSON library is needed.
public struct JSONLinesSequences: Dataset {
  public let info: DatasetInfo
  public let warnings: [String]
  private let splits: [Split: [SequenceExample]]

  /// A parsed line: its inputs and its labels (class names, or numbers for regression).
  private struct Line {
    var split: Split
    var inputs: ExampleInputs
    var classes: [String] = []
    var values: [Double] = []
  }

  /// The keys a line may have.
  static let keys = ["split", "inputs", "tokens", "labels", "label"]

  /// What every line should look like, for error messages.
  static func expectedLine(_ task: TaskKind) -> String {
    let label =
      task.isFramewise
      ? "\"labels\": [one per step]" : "\"label\": one for the sequence"
    let kind = task.isRegression ? "numbers" : "class names or integers"
    return "one JSON object per line: {\"split\": \"train\", \"dev\" or \"test\", \"inputs\": "
      + "[[numbers] per step] or \"tokens\": [an id per step], \(label)} (\(kind) for a "
      + "\(task.rawValue) task)"
  }

  /// Parses `data` (UTF-8 JSON Lines), naming it `source` in errors (e.g. `stdout`). `inputSize`
  /// is I when stated: the width of every dense row, or the bound of every token id; nil infers
  /// it (the dense width, or the largest id + 1).
  public init(
    _ data: Data, source: String, task: TaskKind, inputSize: Int?
  ) throws(DataFileError) {
    var lines: [Line] = []
    var shape: Shape?
    var number = 0
    for text in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
      number += 1
      let body = text.last == 0x0D ? text.dropLast() : text
      guard body.contains(where: { ![0x20, 0x09].contains($0) }) else { continue }
      do throws(DataFileError) {
        lines.append(try Self.parse(Data(body), number: number, task: task, shape: &shape))
      } catch {
        var located = error
        located.file = source
        located.line = number
        throw located
      }
    }
    guard lines.contains(where: { $0.split == .train }) else {
      throw DataFileError(
        file: source,
        lines.isEmpty ? "holds no sequences" : "holds no train sequence",
        expected: "at least one line with \"split\": \"train\"")
    }
    let width: Int
    switch shape {
    case .dense(let dense, _): width = dense
    case .tokens(let largest, let line):
      width = inputSize ?? (largest + 1)
      if largest >= width {
        throw DataFileError(
          file: source, line: line, "token id \(largest) is not below input_size \(width)",
          expected: "ids in 0 ..< \(width), or a larger input_size")
      }
    case nil: width = 0
    }
    if case .dense(let dense, let line) = shape, let inputSize, inputSize != dense {
      throw DataFileError(
        file: source, line: line, "the rows hold \(dense) values but input_size is \(inputSize)",
        expected: "\(inputSize) values per row, or input_size \(dense)")
    }

    let classes = ClassLabels(
      train: lines.filter { $0.split == .train }.flatMap(\.classes))
    var splits: [Split: [SequenceExample]] = [:]
    var warnings: [String] = []
    var facts: [DatasetFact] = []
    for split in Split.allCases {
      var unseen = 0
      var scored = 0
      for line in lines where line.split == split {
        if task.isRegression {
          splits[split, default: []].append(
            SequenceExample(inputs: line.inputs, values: line.values, framewise: task.isFramewise))
        } else {
          let targets = classes.targets(line.classes)
          unseen += targets.filter { $0 < 0 }.count
          scored += targets.count
          splits[split, default: []].append(SequenceExample(inputs: line.inputs, targets: targets))
        }
      }
      if let (warning, fact) = ClassLabels.unseen(unseen, of: scored, in: split) {
        warnings.append(warning)
        facts.append(fact)
      }
    }
    self.splits = splits
    self.warnings = warnings
    info = DatasetInfo(
      inputSize: width, outputSize: task.isRegression ? 1 : classes.classes.count, task: task,
      labels: task.isRegression ? ["label"] : classes.classes, facts: facts)
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// What the first line with inputs fixed for every other: a dense width, or token ids (with
  /// the largest id so far); each with the line that set it.
  private enum Shape {
    case dense(Int, line: Int)
    case tokens(largest: Int, line: Int)
  }

  /// One line's sequence; errors leave the file and line to the caller.
  private static func parse(
    _ data: Data, number: Int, task: TaskKind, shape: inout Shape?
  ) throws(DataFileError) -> Line {
    let parsed: Any
    do {
      parsed = try JSONSerialization.jsonObject(with: data)
    } catch {
      let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
      throw DataFileError(
        file: "", "is not valid JSON" + (reason.map { " (\($0))" } ?? ""),
        expected: expectedLine(task))
    }
    guard let object = parsed as? [String: Any] else {
      throw DataFileError(file: "", "is not a JSON object", expected: expectedLine(task))
    }
    for key in object.keys.sorted() where !keys.contains(key) {
      throw DataFileError(
        file: "", "unknown key \"\(key)\"",
        expected: "only the keys \(keys.map { "\"\($0)\"" }.joined(separator: ", "))")
    }
    guard let splitName = object["split"] else {
      throw DataFileError(
        file: "", "no \"split\"", expected: "\"split\": \"train\", \"dev\" or \"test\"")
    }
    guard let name = splitName as? String, let split = Split(rawValue: name) else {
      throw DataFileError(
        file: "", "split \(render(splitName)) is not train, dev or test",
        expected: "\"split\": \"train\", \"dev\" or \"test\"")
    }
    let inputs = try parseInputs(object, task: task, shape: &shape, number: number)
    var line = Line(split: split, inputs: inputs)
    let steps = SequenceExample(inputs: inputs, targets: []).length
    let (key, other) = task.isFramewise ? ("labels", "label") : ("label", "labels")
    let wanted =
      task.isFramewise
      ? "\"labels\": a list of one label per step" : "\"label\": one label for the sequence"
    guard object[other] == nil else {
      throw DataFileError(
        file: "", "\"\(other)\" given, but a \(task.rawValue) task takes \"\(key)\"",
        expected: wanted + " (or the dataset's task option set to match)")
    }
    guard let labels = object[key] else {
      throw DataFileError(file: "", "no \"\(key)\"", expected: wanted)
    }
    let items: [Any]
    if task.isFramewise {
      guard let list = labels as? [Any], list.count == steps else {
        throw DataFileError(
          file: "",
          (labels as? [Any]).map { "\($0.count) labels for \(steps) steps" }
            ?? "\"labels\" is not a list",
          expected: "one label per step (\(steps))")
      }
      items = list
    } else {
      items = [labels]
    }
    for (index, item) in items.enumerated() {
      let place = task.isFramewise ? "labels[\(index)]" : "label"
      if task.isRegression {
        guard let value = Self.number(item), value.isFinite else {
          throw DataFileError(
            file: "", "\(place) \(render(item)) is not a number",
            expected: "numbers as labels for a \(task.rawValue) task")
        }
        line.values.append(value)
      } else if let text = item as? String {
        line.classes.append(text)
      } else if let value = Self.number(item), let integer = Int(exactly: value) {
        line.classes.append(String(integer))
      } else {
        throw DataFileError(
          file: "", "\(place) \(render(item)) is not a class name or an integer",
          expected: "a string or an integer (a -regression task for numbers)")
      }
    }
    return line
  }

  /// The `inputs` or `tokens` of a line, checked against the shape of the lines before it.
  private static func parseInputs(
    _ object: [String: Any], task: TaskKind, shape: inout Shape?, number: Int
  ) throws(DataFileError) -> ExampleInputs {
    switch (object["inputs"], object["tokens"]) {
    case (nil, nil):
      throw DataFileError(
        file: "", "neither \"inputs\" nor \"tokens\"",
        expected: "\"inputs\": a row of numbers per step, or \"tokens\": an id per step")
    case (.some, .some):
      throw DataFileError(
        file: "", "both \"inputs\" and \"tokens\"", expected: "one of them on each line")
    case (let rows?, nil):
      if case .tokens(_, let first) = shape {
        throw DataFileError(
          file: "", "\"inputs\" after \"tokens\" on line \(first)",
          expected: "the same kind of input on every line")
      }
      guard let rows = rows as? [Any], !rows.isEmpty else {
        throw DataFileError(
          file: "", "\"inputs\" is not a list of steps",
          expected: "\"inputs\": [[numbers], …], at least one step")
      }
      var values: [Float] = []
      var width: Int?
      if case .dense(let stated, _) = shape { width = stated }
      for (step, row) in rows.enumerated() {
        guard let row = row as? [Any], !row.isEmpty else {
          throw DataFileError(
            file: "", "inputs[\(step)] is not a list of numbers",
            expected: "a row of numbers per step")
        }
        if let width, row.count != width {
          let origin: String
          if case .dense(_, let line) = shape, line != number {
            origin = "line \(line)"
          } else {
            origin = "inputs[0]"
          }
          throw DataFileError(
            file: "", "inputs[\(step)] has \(row.count) values, but \(origin) has \(width)",
            expected: "\(width) values on every step of every line")
        }
        width = row.count
        for (column, item) in row.enumerated() {
          guard let value = Self.number(item) else {
            throw DataFileError(
              file: "", "inputs[\(step)][\(column)] \(render(item)) is not a number",
              expected: "numbers as inputs")
          }
          let single = Float(value)
          guard single.isFinite else {
            throw DataFileError(
              file: "", "inputs[\(step)][\(column)] \(render(item)) is outside the Float32 range",
              expected: "inputs of magnitude below 3.4e38 (inputs are held as Float32)")
          }
          values.append(single)
        }
      }
      if shape == nil, let width { shape = .dense(width, line: number) }
      return .dense(values: values, width: width ?? 0)
    case (nil, let ids?):
      if case .dense(_, let first) = shape {
        throw DataFileError(
          file: "", "\"tokens\" after \"inputs\" on line \(first)",
          expected: "the same kind of input on every line")
      }
      guard let ids = ids as? [Any], !ids.isEmpty else {
        throw DataFileError(
          file: "", "\"tokens\" is not a list of ids",
          expected: "\"tokens\": [ids], at least one step")
      }
      var rows: [[Int32]] = []
      for (step, item) in ids.enumerated() {
        guard let value = Self.number(item), let id = Int32(exactly: value), id >= 0 else {
          throw DataFileError(
            file: "", "tokens[\(step)] \(render(item)) is not a token id",
            expected: "integers from 0 to \(Int32.max)")
        }
        rows.append([id])
        if case .tokens(let largest, _) = shape, largest >= Int(id) { continue }
        shape = .tokens(largest: Int(id), line: number)
      }
      return .sparse(rows)
    }
  }

  /// A JSON number's value; nil for anything else, `true` and `false` included (which
  /// `JSONSerialization` also returns as `NSNumber`, of the `char` type no JSON number has).
  private static func number(_ item: Any) -> Double? {
    guard let number = item as? NSNumber, String(cString: number.objCType) != "c" else {
      return nil
    }
    return number.doubleValue
  }

  /// A JSON value as it would be written, shortened, for messages.
  private static func render(_ item: Any) -> String {
    let text: String
    if let string = item as? String {
      text = "\"\(string)\""
    } else if item is NSNull {
      text = "null"
    } else if let number = item as? NSNumber, String(cString: number.objCType) == "c" {
      text = number.boolValue ? "true" : "false"
    } else if let data = try? JSONSerialization.data(
      withJSONObject: item, options: [.fragmentsAllowed, .sortedKeys])
    {
      text = String(decoding: data, as: UTF8.self)
    } else {
      text = "\(item)"
    }
    return text.count > 40 ? text.prefix(40) + "…" : text
  }
}
