import Recur
import Tensors
import Testing

@Suite struct CSVSequencesTests {
  static func configuration(
    _ task: TaskKind, features: [String] = [], label: String = "label"
  ) -> CSVSequences.Configuration {
    CSVSequences.Configuration(
      sequenceColumn: "id", featureColumns: features, labelColumn: label, task: task)
  }

  /// Two sequences: a (2 steps) and b (1 step); features x, y; labels per row.
  static let framewise = "id,x,label,y\na,1,10,2\na,3,2,4\nb,5,10,6\n"

  @Test func framewiseClassesSortNumerically() throws {
    let files = try FixtureFiles()
    let path = try files.write("train.csv", Self.framewise)
    let data = try CSVSequences(
      train: path, dev: nil, test: nil, configuration: Self.configuration(.framewise))
    // Labels 10 and 2 sort as integers: 2 → class 0, 10 → class 1.
    #expect(data.info.labels == ["2", "10"])
    #expect(data.info.inputSize == 2 && data.info.outputSize == 2)
    #expect(
      data.examples(.train) == [
        SequenceExample(inputs: .dense(values: [1, 2, 3, 4], width: 2), targets: [1, 0]),
        SequenceExample(inputs: .dense(values: [5, 6], width: 2), targets: [1]),
      ])
    #expect(data.dataFiles == [path])
  }

  @Test func sequenceRegressionAndFeatureSelection() throws {
    let files = try FixtureFiles()
    let path = try files.write("train.csv", "id,x,y,label\na,1,2,0.5\na,3,4,0.5\nb,5,6,-1\n")
    let data = try CSVSequences(
      train: path, dev: nil, test: nil,
      configuration: Self.configuration(.sequenceRegression, features: ["y"]))
    #expect(data.info.inputSize == 1 && data.info.outputSize == 1)
    #expect(
      data.examples(.train) == [
        SequenceExample(inputs: .dense(values: [2, 4], width: 1), values: [0.5], framewise: false),
        SequenceExample(inputs: .dense(values: [6], width: 1), values: [-1], framewise: false),
      ])
  }

  /// Features are held in single precision: a decimal is rounded to the nearest Float once, on
  /// reading; the largest Float passes as it is.
  @Test func featuresAreReadAsFloat32() throws {
    let files = try FixtureFiles()
    let path = try files.write(
      "train.csv", "id,x,label\na,0.1,0\na,3.4028234e38,1\n")
    let data = try CSVSequences(
      train: path, dev: nil, test: nil, configuration: Self.configuration(.framewise))
    guard case .dense(let values, 1) = data.examples(.train).first?.inputs else {
      Issue.record("CSV inputs are dense")
      return
    }
    #expect(values == [Float(0.1), .greatestFiniteMagnitude])
    #expect(Double(values[0]) != 0.1)
  }

  /// The same rows with CRLF line ends and a byte order mark, and written through the CSV
  /// writer with every field quoted, read as the plain LF file does.
  @Test func crlfByteOrderMarkAndQuotesReadAsPlainCSV() throws {
    let files = try FixtureFiles()
    let plain = try CSVSequences(
      train: try files.write("lf.csv", Self.framewise), dev: nil, test: nil,
      configuration: Self.configuration(.framewise))
    let crlf = "\u{FEFF}" + Self.framewise.replacingOccurrences(of: "\n", with: "\r\n")
    let quoted =
      Self.framewise.split(separator: "\n").map {
        $0.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ",")
      }.joined(separator: "\r\n") + "\r\n"
    for (name, text) in [("crlf.csv", crlf), ("quoted.csv", quoted)] {
      let data = try CSVSequences(
        train: try files.write(name, text), dev: nil, test: nil,
        configuration: Self.configuration(.framewise))
      #expect(data.info == plain.info, "\(name)")
      #expect(data.examples(.train) == plain.examples(.train), "\(name)")
    }
  }

  /// Ids and labels with commas, quotes and line breaks in them, as a spreadsheet writes them:
  /// "x, y" is one sequence of two rows; the label "say ""no""" reads as say "no".
  @Test func quotedIdsAndLabels() throws {
    let files = try FixtureFiles()
    let text =
      "id,x,label\r\n\"x, y\",1,\"say \"\"no\"\"\"\r\n\"x, y\",2,\"two\r\nlines\"\r\nz,3,plain\r\n"
    let data = try CSVSequences(
      train: try files.write("q.csv", text), dev: nil, test: nil,
      configuration: Self.configuration(.framewise))
    #expect(data.info.labels == ["plain", "say \"no\"", "two\r\nlines"])
    #expect(
      data.examples(.train) == [
        SequenceExample(inputs: .dense(values: [1, 2], width: 1), targets: [1, 2]),
        SequenceExample(inputs: .dense(values: [3], width: 1), targets: [0]),
      ])
  }

  @Test func unseenDevLabelIsAWarning() throws {
    let files = try FixtureFiles()
    let train = try files.write("train.csv", Self.framewise)
    let dev = try files.write("dev.csv", "id,x,label,y\nc,1,7,1\nc,1,2,1\n")
    let data = try CSVSequences(
      train: train, dev: dev, test: nil, configuration: Self.configuration(.framewise))
    #expect(data.examples(.dev).first?.targets == [-1, 0])
    #expect(data.warnings == ["dev: 1 label(s) never seen in train; they are not scored"])
    #expect(data.info.facts.first?.value == 0.5)
  }

  /// Every malformed case with its line (or, for a missing column, the option at fault).
  static let malformedCases: [(String, TaskKind, Int?, String?, String)] = [
    (
      "id,x,label\na,1,0\na,2\n", .framewise, 3, nil,
      "expected 3 comma-separated fields as in the header, found 2"
    ),
    ("id,x,label\na,1,0\na,oops,1\n", .framewise, 3, nil, "'oops' in column 'x' is not a number"),
    (
      "id,x,label\na,1,0\na,-4e38,1\n", .framewise, 3, nil,
      "'-4e38' in column 'x' is outside the Float32 range"
    ),
    (
      "id,x,label\na,1,0\na,2,1\n", .sequence, 3, nil,
      "label '1' differs from '0' on line 2 of sequence 'a'"
    ),
    (
      "id,x,label\na,1,0\nb,2,1\na,3,0\n", .framewise, 4, nil,
      "sequence 'a' continues after other sequences"
    ),
    ("id,x,label\na,1,big\n", .framewiseRegression, 2, "train", "label 'big' is not a number"),
    ("id,x,tag\na,1,0\n", .framewise, 1, "label_column", "no column 'label' in the header"),
    ("id,x,label\n", .framewise, nil, nil, "holds no rows after the header"),
    (
      "id,x,label\na,1,0\na,nan,1\n", .framewise, 3, nil,
      "'nan' in column 'x' is not a finite number"
    ),
    ("id,x,label\na,inf,0\n", .framewise, 2, nil, "'inf' in column 'x' is not a finite number"),
    (
      "id,x,label\na,1,0\n\"a\",-Infinity,0\n", .framewise, 3, nil,
      "'-Infinity' in column 'x' is not a finite number"
    ),
    (
      "id,x,label\na,1,0.5\na,2,NaN\n", .framewiseRegression, 3, "train",
      "label 'NaN' is not a finite number"
    ),
    (
      "\n\nid,x,label,x\na,1,0,2\n", .framewise, 3, nil,
      "column 'x' is named twice in the header (columns 2 and 4)"
    ),
    (
      "id,x,label\n\"a\nb\",1,0\n\"a\nb\",2\n", .framewise, 4, nil,
      "expected 3 comma-separated fields as in the header, found 2"
    ),
    (
      "id,x,label\n\"multi\nline id\",1,0\nb,\"2\",\"1\n\"\nc,oops,0\n", .framewise, 6, nil,
      "'oops' in column 'x' is not a number"
    ),
    (
      "id,x,label\na,1,\"0\nb,2,1\n", .framewise, 2, nil,
      "the quoted field 3 is not closed by the end of the file"
    ),
  ]

  @Test(arguments: malformedCases)
  func malformed(
    _ text: String, _ task: TaskKind, _ line: Int?, _ option: String?, _ message: String
  ) throws {
    let files = try FixtureFiles()
    let path = try files.write("bad.csv", text)
    let error = #expect(throws: DataFileError.self) {
      try CSVSequences(train: path, dev: nil, test: nil, configuration: Self.configuration(task))
    }
    #expect(error?.file == path)
    #expect(error?.line == line)
    #expect(error?.message == message)
    #expect(error?.option == option ?? "train")
  }
}

@Suite struct BenchmarkTests {
  static let sizes = GeneratedSplits(
    trainSequences: 50, devSequences: 5, testSequences: 0, minLength: 3, maxLength: 9)

  @Test func parityLabelsCountOnes() {
    let data = SyntheticBenchmark.parity(Self.sizes, generator: SeededGenerator(seed: 1))
    #expect(data.info.task == .sequence && data.availableSplits == [.train, .dev])
    for example in data.examples(.train) {
      guard case .sparse(let steps) = example.inputs else {
        Issue.record("parity inputs are one-hot")
        return
      }
      #expect((3...9).contains(steps.count))
      #expect(example.targets == [Int32(steps.filter { $0 == [1] }.count % 2)])
    }
  }

  @Test func addingMarksTwoStepsOnePerHalf() {
    let data = SyntheticBenchmark.adding(Self.sizes, generator: SeededGenerator(seed: 2))
    #expect(data.info.task == .sequenceRegression && data.info.outputSize == 1)
    for example in data.examples(.train) {
      guard case .dense(let values, 2) = example.inputs else {
        Issue.record("adding inputs are dense pairs")
        return
      }
      let length = values.count / 2
      let marked = (0..<length).filter { values[2 * $0 + 1] == 1 }
      #expect(marked.count == 2)
      #expect(marked[0] < length / 2 && marked[1] >= length / 2)
      // The target sums the inputs as the network reads them (Float), in Double.
      #expect(example.values == [Double(values[2 * marked[0]]) + Double(values[2 * marked[1]])])
    }
  }

  @Test func reverseTargetsAreTheInputsBackwards() {
    let data = SyntheticBenchmark.reverse(
      Self.sizes, symbols: 5, generator: SeededGenerator(seed: 3))
    #expect(data.info.inputSize == 5 && data.info.outputSize == 5)
    let again = SyntheticBenchmark.reverse(
      Self.sizes, symbols: 5, generator: SeededGenerator(seed: 3))
    #expect(data.examples(.train) == again.examples(.train))
    for example in data.examples(.train) {
      guard case .sparse(let steps) = example.inputs else {
        Issue.record("reverse inputs are one-hot")
        return
      }
      #expect(example.targets == steps.map { $0[0] }.reversed())
    }
  }
}
