import Foundation
import Testing

/// The built `runner` on data files as other systems write them: CRLF line ends, a UTF-8 byte
/// order mark, quoted CSV, and files it must refuse at their line.
@Suite struct DataFormatRunnerTests {
  static let bom = "\u{FEFF}"

  /// A workspace with `spec.yaml` and the given files (written byte for byte) under `data/`.
  static func workspace(spec: String, files: [String: [UInt8]]) throws -> URL {
    let directory = try RunnerProcess.scratchDirectory()
    let data = directory.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    for (name, bytes) in files {
      try Data(bytes).write(to: data.appendingPathComponent(name))
    }
    try spec.write(
      to: directory.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    return directory
  }

  /// The one run directory under `out/<name>`.
  static func run(_ workspace: URL, _ name: String) throws -> URL {
    let parent = workspace.appendingPathComponent("out/\(name)")
    return try #require(
      try FileManager.default.contentsOfDirectory(atPath: parent.path).first.map {
        parent.appendingPathComponent($0)
      })
  }

  /// The file's text as it is, a byte order mark included.
  static func read(_ url: URL) throws -> String {
    String(decoding: try Data(contentsOf: url), as: UTF8.self)
  }

  static let conllSpec = """
    name: crlf
    seed: 1
    dataset:
      type: conll
      train: data/train.conll
      feature_buckets: 8
    model:
      type: rnn
      hidden: 3
    optimizer:
      type: sgd
    training:
      epochs: 1
      batch_size: 2
    output:
      dir: out

    """

  /// The CRLF column file of the issue trains on two sentences of two tokens tagged DT and NN
  /// (it used to train on one token tagged "DT\r\ndog"); predict writes CRLF back, for a column
  /// file and for plain text, and evaluate reads a CRLF file with a byte order mark.
  @Test func crlfColumnFileTrainsPredictsAndEvaluates() throws {
    let train = "The DT\r\ndog NN\r\n\r\nA DT\r\ncat NN\r\n"
    let workspace = try Self.workspace(
      spec: Self.conllSpec,
      files: [
        "train.conll": Array(train.utf8),
        "eval.conll": Array((Self.bom + "A DT\r\ndog NN\r\n").utf8),
        "input.conll": Array((Self.bom + "the\r\ncat\r\n\r\na\r\n").utf8),
        "plain.txt": Array("the dog\r\n\r\na cat\r\n".utf8),
      ])
    let result = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let run = try Self.run(workspace, "crlf")

    struct Vocabulary: Decodable {
      var words: [String]
      var tags: [String]
    }
    let vocabulary = try JSONDecoder().decode(
      Vocabulary.self, from: Data(contentsOf: run.appendingPathComponent("vocabulary.json")))
    #expect(vocabulary.tags == ["DT", "NN"])
    #expect(Set(vocabulary.words) == ["<unk>", "the", "dog", "a", "cat"])
    // The train confusion matrix counts the 4 tokens: 2 DT and 2 NN.
    let confusion = try Self.read(run.appendingPathComponent("confusion-train.csv"))
      .split(separator: "\n").dropFirst().map { $0.split(separator: ",").dropFirst() }
    #expect(confusion.map { $0.compactMap { Int($0) }.reduce(0, +) } == [2, 2])

    let tagged = try RunnerProcess.run(
      ["predict", run.path, "data/input.conll", "--output", "tagged.conll"], in: workspace)
    #expect(tagged.status == 0, "\(tagged.errors)")
    let output = try Self.read(workspace.appendingPathComponent("tagged.conll"))
    #expect(output.hasPrefix(Self.bom))
    let lines = output.dropFirst().components(separatedBy: "\r\n")
    #expect(lines.count == 5 && lines[2].isEmpty && lines[4].isEmpty, "\(lines)")
    for (index, word) in [(0, "the"), (1, "cat"), (3, "a")] {
      let fields = lines[index].split(separator: "\t")
      #expect(fields.count == 2 && fields[0] == word && ["DT", "NN"].contains(fields[1]))
    }

    let plain = try RunnerProcess.run(
      ["predict", run.path, "data/plain.txt", "--text"], in: workspace)
    #expect(plain.status == 0, "\(plain.errors)")
    let sentences = plain.output.components(separatedBy: "\r\n")
    #expect(sentences.count == 4 && sentences[1].isEmpty && sentences[3].isEmpty)
    #expect(
      sentences[0].split(separator: " ").map { $0.split(separator: "/")[0] } == ["the", "dog"])
    #expect(sentences[2].split(separator: " ").map { $0.split(separator: "/")[0] } == ["a", "cat"])
    #expect(!plain.output.replacingOccurrences(of: "\r\n", with: "").contains("\r"))

    let evaluated = try RunnerProcess.run(
      ["evaluate", run.path, "--data", "data/eval.conll"], in: workspace)
    #expect(evaluated.status == 0, "\(evaluated.errors)")
    #expect(evaluated.output.hasPrefix("data/eval.conll loss"))
  }

  static let csvSpec = """
    name: table
    seed: 1
    dataset:
      type: csv-sequences
      train: data/train.csv
      sequence_column: id
    model:
      type: rnn
      hidden: 3
    optimizer:
      type: sgd
    training:
      epochs: 1
      batch_size: 2
    output:
      dir: out

    """

  /// A spreadsheet's export: byte order mark, CRLF, a quoted id with a comma and a quoted
  /// label with doubled quotes and a line break. The labels are the classes, as written.
  @Test func spreadsheetCSVTrains() throws {
    let train =
      Self.bom + "id,\"x 1\",label\r\n\"s, 1\",0.5,\"say \"\"a\"\"\"\r\n\"s, 1\",1.5,b\r\n"
      + "s2,-1,\"two\r\nlines\"\r\n"
    let workspace = try Self.workspace(spec: Self.csvSpec, files: ["train.csv": Array(train.utf8)])
    let result = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let run = try Self.run(workspace, "table")
    let header = try Self.read(run.appendingPathComponent("confusion-train.csv"))
      .prefix { !$0.isNewline }
    #expect(header == "gold\\predicted,b,\"say \"\"a\"\"\",\"two")
  }

  /// `predict` and `evaluate --data` on new CSV files of a framewise run: predictions without a
  /// label column, a class train lacks counted in a warning, a missing feature column an error
  /// (exit 2) at the header line.
  @Test func aCSVModelPredictsAndEvaluatesNewFiles() throws {
    let workspace = try Self.workspace(
      spec: Self.csvSpec,
      files: [
        "train.csv": Array("id,x,label\ns1,0.5,a\ns1,1.5,b\ns2,-1,a\n".utf8),
        "input.csv": Array("x,id\r\n2,\"q, 1\"\r\n-2,\"q, 1\"\r\n0,r\r\n".utf8),
        "eval.csv": Array("id,x,label\nt,1,a\nt,2,z\nu,0,b\n".utf8),
        "bad.csv": Array("id,y,label\nt,1,a\n".utf8),
      ])
    let trained = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(trained.status == 0, "\(trained.errors)")
    let run = try Self.run(workspace, "table")

    let predicted = try RunnerProcess.run(["predict", run.path, "data/input.csv"], in: workspace)
    #expect(predicted.status == 0, "\(predicted.errors)")
    let lines = predicted.output.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 5 && lines[4].isEmpty, "\(lines)")
    #expect(lines[0] == "id,step,label,p_a,p_b")
    for (line, prefix) in zip(lines[1...3], ["\"q, 1\",0,", "\"q, 1\",1,", "r,0,"]) {
      #expect(line.hasPrefix(prefix), "\(line)")
      let fields = line.dropFirst(prefix.count).split(separator: ",")
      let (a, b) = (try #require(Double(fields[1])), try #require(Double(fields[2])))
      #expect(fields[0] == (a >= b ? "a" : "b") && abs(a + b - 1) < 1e-9)
    }

    let evaluated = try RunnerProcess.run(
      ["evaluate", run.path, "--data", "data/eval.csv"], in: workspace)
    #expect(evaluated.status == 0, "\(evaluated.errors)")
    #expect(evaluated.output.hasPrefix("data/eval.csv loss"))
    #expect(
      evaluated.errors.contains(
        "warning: data/eval.csv: 1 label(s) never seen in train; they are not scored"))

    let bad = "data/bad.csv"
    for command in [["evaluate", run.path, "--data", bad], ["predict", run.path, bad]] {
      let bad = try RunnerProcess.run(command, in: workspace)
      #expect(bad.status == 2)
      #expect(bad.errors.hasPrefix("error: data/bad.csv:1: no column 'x' in the header"))
    }
  }

  /// Bad data in a CSV file is a spec error (exit 2) at the option that named it, with the file
  /// and the line: NaN and infinite features, a duplicated column, a quote never closed (at the
  /// line it opens on, after a record that spans two lines).
  @Test(arguments: [
    ("id,x,label\r\na,1,0\r\na,NaN,1\r\n", "bad.csv:3: 'NaN' in column 'x' is not a finite number"),
    ("id,x,label\na,-inf,0\n", "bad.csv:2: '-inf' in column 'x' is not a finite number"),
    ("\u{FEFF}id,x,x,label\r\na,1,2,0\r\n", "bad.csv:1: column 'x' is named twice in the header"),
    (
      "id,x,label\n\"a\nb\",1,0\na,2,\"1\n",
      "bad.csv:4: the quoted field 3 is not closed by "
        + "the end of the file"
    ),
  ])
  func badCSVIsABadSpec(_ text: String, _ message: String) throws {
    let workspace = try Self.workspace(spec: Self.csvSpec, files: ["bad.csv": Array(text.utf8)])
    let result = try RunnerProcess.run(
      ["validate", "spec.yaml", "dataset.train=data/bad.csv"], in: workspace)
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix("<override 1>:1:15: error: data/\(message)"), "\(result.errors)")
    #expect(result.errors.contains("at dataset.train"))
  }

  /// A Latin-1 byte in a CoNLL file: the error names the line and the byte.
  @Test func invalidUTF8IsABadSpec() throws {
    let bytes = Array("The DT\r\ncaf".utf8) + [0xE9] + Array(" NN\r\n".utf8)
    let workspace = try Self.workspace(spec: Self.conllSpec, files: ["train.conll": bytes])
    let result = try RunnerProcess.run(["validate", "spec.yaml"], in: workspace)
    #expect(result.status == 2)
    #expect(
      result.errors.contains(
        "data/train.conll:2: invalid UTF-8: byte 0xE9 at byte 4 of the line (offset 11 in the "
          + "file) at dataset.train"), "\(result.errors)")
  }
}
