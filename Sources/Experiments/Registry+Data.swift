import Recur
import Tensors
import YAMLSpec

extension Registry {
  /// The datasets and metrics of real sequence data: corpora, classic benchmarks, and the
  /// metrics of tagging, sequence classification and regression.
  static func registerDataAndMetrics(
    in registry: inout Registry
  ) throws(DuplicateComponent) {
    try registry.datasets.register(conllu)
    try registry.datasets.register(conll)
    try registry.datasets.register(csvSequences)
    try registry.datasets.register(text)
    try registry.datasets.register(
      benchmark(
        "parity", summary: "seeded bit sequences; is the number of ones odd? (sequence classes)",
        lengths: (2, 10)
      ) { sizes, _, generator in
        GeneratedDataset(shape: SyntheticBenchmark.parityShape(sizes)) {
          SyntheticBenchmark.parity(sizes, generator: generator)
        }
      })
    try registry.datasets.register(
      benchmark(
        "adding",
        summary: "seeded adding problem: sum the two marked values (sequence regression; "
          + "predicting 1 scores MSE 1/6)",
        lengths: (10, 20)
      ) { sizes, _, generator in
        GeneratedDataset(shape: SyntheticBenchmark.addingShape(sizes)) {
          SyntheticBenchmark.adding(sizes, generator: generator)
        }
      })
    try registry.datasets.register(
      benchmark(
        "reverse",
        summary: "seeded symbol sequences; output the input reversed (framewise, "
          + "needs the future)",
        lengths: (2, 8),
        extra: [.integer("symbols", default: 8, range: 2..., help: "alphabet size (I and K)")]
      ) { sizes, options, generator in
        let symbols: Int = try options.value("symbols")
        return GeneratedDataset(shape: SyntheticBenchmark.reverseShape(sizes, symbols: symbols)) {
          SyntheticBenchmark.reverse(sizes, symbols: symbols, generator: generator)
        }
      })
    try registry.datasets.register(process)
    try registry.metrics.register(
      Component(
        name: "sequence_accuracy",
        summary: "share of sequences with every scored position right (classification)",
        make: { SequenceAccuracy() }))
    try registry.metrics.register(
      Component(
        name: "known_word_accuracy",
        summary: "token accuracy on words in the train vocabulary (tagging corpora)",
        make: { WordAccuracy(known: true) }))
    try registry.metrics.register(
      Component(
        name: "unknown_word_accuracy",
        summary: "token accuracy on words outside the train vocabulary (tagging corpora)",
        make: { WordAccuracy(known: false) }))
    try registry.metrics.register(
      Component(
        name: "bits_per_token",
        summary: "cross-entropy in bits per scored token; bits per character for unit: char "
          + "(language models)",
        make: { CrossEntropyMetric(perplexity: false) }))
    try registry.metrics.register(
      Component(
        name: "perplexity", summary: "2 to the bits per token (language models)",
        make: { CrossEntropyMetric(perplexity: true) }))
    try registry.metrics.register(
      Component(
        name: "mse", summary: "mean squared error per scored value (regression)",
        make: { RegressionError(absolute: false) }))
    try registry.metrics.register(
      Component(
        name: "mae", summary: "mean absolute error per scored value (regression)",
        make: { RegressionError(absolute: true) }))
  }

  // MARK: Files

  /// `train`, `dev`, `test`: the data files of a dataset read from disk.
  static let pathOptions: [OptionDescription] = [
    .string(
      "train", default: nil,
      help: "train file (required); relative paths are resolved against the working directory"),
    OptionDescription(
      name: "dev", kind: .string, defaultValue: .null,
      help: "dev file, evaluated every epoch (optional; left out = no dev split)"),
    OptionDescription(
      name: "test", kind: .string, defaultValue: .null,
      help: "test file, evaluated every epoch (optional; left out = no test split)"),
  ]

  /// Vocabulary and word-feature options shared by the tagging corpora.
  static let wordOptions: [OptionDescription] = [
    .integer(
      "min_count", default: 1, range: 1...,
      help: "train occurrences a word needs to enter the vocabulary (else it is unknown)"),
    .boolean("lowercase", default: true, help: "lowercase words before the vocabulary lookup"),
    .string("unknown_token", default: "<unk>", help: "the vocabulary's entry 0, for unknown words"),
    .integer(
      "prefix_length", default: 0, range: 0...,
      help: "hashed prefix features of 1 … n characters (0 = none)"),
    .integer(
      "suffix_length", default: 3, range: 0...,
      help: "hashed suffix features of 1 … n characters (0 = none)"),
    .boolean("shape", default: true, help: "hashed capitalisation-shape feature (Xx, XX, dd, …)"),
    .integer(
      "feature_buckets", default: 2048, range: 1...,
      help: "hash buckets shared by all spelling features (input columns after the vocabulary)"),
  ]

  struct PathOptions: Decodable {
    var train: String
    var dev: String?
    var test: String?
  }

  struct WordOptions: Decodable {
    var minCount: Int
    var lowercase: Bool
    var unknownToken: String
    var prefixLength: Int
    var suffixLength: Int
    var shape: Bool
    var featureBuckets: Int
    enum CodingKeys: String, CodingKey {
      case minCount = "min_count"
      case lowercase
      case unknownToken = "unknown_token"
      case prefixLength = "prefix_length"
      case suffixLength = "suffix_length"
      case shape
      case featureBuckets = "feature_buckets"
    }

    var corpusOptions: TaggedCorpus.Options {
      TaggedCorpus.Options(
        minCount: minCount, lowercase: lowercase, unknownToken: unknownToken,
        features: WordFeatures(
          prefixLength: prefixLength, suffixLength: suffixLength, shape: shape,
          buckets: featureBuckets))
    }
  }

  /// Runs a reading factory, locating a data file's error at the option that named the file.
  static func reading<T>(
    _ options: ComponentOptions, _ body: () throws(DataFileError) -> T
  ) throws(SpecError) -> T {
    do {
      return try body()
    } catch {
      throw options.error(
        at: error.option ?? "train", error.description, expected: error.expected)
    }
  }

  static let conllu = Component<DatasetFactory>(
    name: "conllu",
    summary: "Universal Dependencies CoNLL-U files: a tag per word (UPOS or XPOS)",
    options: pathOptions + [
      .choice(
        "tag_column", CorpusReader.CoNLLUTagColumn.allCases.map(\.rawValue), default: "upos",
        help: "which tag to predict: upos (column 4) or xpos (column 5)")
    ] + wordOptions,
    make: { options, _ in
      let paths = try options.decode(PathOptions.self)
      let words = try options.decode(WordOptions.self)
      let column = try options.value("tag_column", as: CorpusReader.CoNLLUTagColumn.self)
      return try reading(options) { () throws(DataFileError) in
        try TaggedCorpus.load(
          train: paths.train, dev: paths.dev, test: paths.test, options: words.corpusOptions,
          format: .conllu(tagColumn: column))
      }
    })

  static let conll = Component<DatasetFactory>(
    name: "conll",
    summary: "CoNLL column files (CoNLL-2000/2003 style): word and tag columns, blank line "
      + "between sentences",
    options: pathOptions + [
      .integer("word_column", default: 1, range: 1..., help: "1-based column of the word"),
      .integer("tag_column", default: 2, range: 1..., help: "1-based column of the tag"),
    ] + wordOptions,
    make: { options, _ in
      let paths = try options.decode(PathOptions.self)
      let words = try options.decode(WordOptions.self)
      let (word, tag) = (
        try options.value("word_column", as: Int.self),
        try options.value("tag_column", as: Int.self)
      )
      return try reading(options) { () throws(DataFileError) in
        try TaggedCorpus.load(
          train: paths.train, dev: paths.dev, test: paths.test, options: words.corpusOptions,
          format: .columns(word: word, tag: tag))
      }
    })

  static let csvSequences = Component<DatasetFactory>(
    name: "csv-sequences",
    summary: "numeric feature sequences from CSV with a header: id, features and label columns",
    options: pathOptions + [
      .string(
        "sequence_column", default: "sequence",
        help: "column whose value names the sequence a row belongs to (rows of a sequence adjoin)"),
      OptionDescription(
        name: "feature_columns", kind: .list(of: .string, allowed: nil), defaultValue: .list([]),
        help: "input columns, in order; empty = every column but the id and label"),
      .string("label_column", default: "label", help: "column holding the label"),
      .choice(
        "task", TaskKind.allCases.map(\.rawValue), default: TaskKind.framewise.rawValue,
        help: "framewise (label per row) or sequence (one per sequence) classes, or the "
          + "-regression variants (numeric labels)"),
    ],
    make: { options, _ in
      let paths = try options.decode(PathOptions.self)
      struct Options: Decodable {
        var sequenceColumn: String
        var featureColumns: [String]
        var labelColumn: String
        var task: TaskKind
        enum CodingKeys: String, CodingKey {
          case sequenceColumn = "sequence_column"
          case featureColumns = "feature_columns"
          case labelColumn = "label_column"
          case task
        }
      }
      let decoded = try options.decode(Options.self)
      let configuration = CSVSequences.Configuration(
        sequenceColumn: decoded.sequenceColumn, featureColumns: decoded.featureColumns,
        labelColumn: decoded.labelColumn, task: decoded.task)
      return try reading(options) { () throws(DataFileError) in
        try CSVSequences(
          train: paths.train, dev: paths.dev, test: paths.test, configuration: configuration)
      }
    })

  static let text = Component<DatasetFactory>(
    name: "text",
    summary: "UTF-8 text (or CoNLL-U FORMs) for next-token prediction: characters or words",
    options: pathOptions + [
      .choice(
        "format", TextCorpus.Format.allCases.map(\.rawValue), default: "plain",
        help: "plain text, or conllu (the FORM column, a sentence per line)"),
      .choice(
        "unit", TextCorpus.Unit.allCases.map(\.rawValue), default: "char",
        help: "tokens: characters (Unicode scalars, a line end is \\n) or words (whitespace-"
          + "separated, end_token after each line)"),
      .integer(
        "min_count", default: 1, range: 1...,
        help: "train occurrences a token needs to enter the vocabulary (else it is unknown)"),
      .string(
        "unknown_token", default: "<unk>", help: "the vocabulary's entry 0, for unknown tokens"),
      .string("end_token", default: "<eos>", help: "the token ending each line (unit: word)"),
      .integer(
        "sequence_length", default: 100, range: 1...,
        help: "steps per example when training without bptt_steps (the split's stream is cut "
          + "into consecutive pieces)"),
      .number(
        "dev_fraction", default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
        help: "share of the train file's lines held out as dev (before the test share)"),
      .number(
        "test_fraction", default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
        help: "share of the train file's last lines held out as test"),
    ],
    make: { options, _ in
      let paths = try options.decode(PathOptions.self)
      struct Options: Decodable {
        var format: TextCorpus.Format
        var unit: TextCorpus.Unit
        var minCount: Int
        var unknownToken: String
        var endToken: String
        var sequenceLength: Int
        var devFraction: Double
        var testFraction: Double
        enum CodingKeys: String, CodingKey {
          case format, unit
          case minCount = "min_count"
          case unknownToken = "unknown_token"
          case endToken = "end_token"
          case sequenceLength = "sequence_length"
          case devFraction = "dev_fraction"
          case testFraction = "test_fraction"
        }
      }
      let o = try options.decode(Options.self)
      for (fraction, file, key) in [
        (o.devFraction, paths.dev, "dev_fraction"), (o.testFraction, paths.test, "test_fraction"),
      ] where fraction > 0 && file != nil {
        throw options.error(
          at: key, "\(key) splits the train file, but a \(key.prefix(while: { $0 != "_" })) "
            + "file is given too", expected: "either the file or the fraction")
      }
      guard o.devFraction + o.testFraction < 1 else {
        throw options.error(
          at: "test_fraction", "dev_fraction + test_fraction is \(o.devFraction + o.testFraction)",
          expected: "a sum below 1, leaving lines for train")
      }
      let corpusOptions = TextCorpus.Options(
        unit: o.unit, format: o.format, minCount: o.minCount, unknownToken: o.unknownToken,
        endToken: o.endToken, sequenceLength: o.sequenceLength)
      return try reading(options) { () throws(DataFileError) in
        try TextCorpus(
          train: paths.train, dev: paths.dev, test: paths.test, devFraction: o.devFraction,
          testFraction: o.testFraction, options: corpusOptions)
      }
    })

  // MARK: Benchmarks

  /// A seeded benchmark with the shared size options (and `extra` ones); `make` returns it
  /// undrawn.
  static func benchmark(
    _ name: String, summary: String, lengths: (Int, Int), extra: [OptionDescription] = [],
    make:
      @escaping @Sendable (GeneratedSplits, ComponentOptions, SeededGenerator) throws ->
      GeneratedDataset
  ) -> Component<DatasetFactory> {
    Component(
      name: name, summary: summary,
      options: splitOptions(train: 1000, dev: 200, test: 200) + [
        .integer("min_length", default: lengths.0, range: 2..., help: "shortest sequence"),
        .integer("max_length", default: lengths.1, range: 2..., help: "longest sequence"),
      ] + extra,
      make: { options, generator in
        let sizes = try options.decode(GeneratedSplits.self)
        guard sizes.maxLength >= sizes.minLength else {
          throw options.error(
            at: "max_length",
            "max_length (\(sizes.maxLength)) is below min_length (\(sizes.minLength))",
            expected: "an integer ≥ \(sizes.minLength)")
        }
        return try make(sizes, options, generator)
      })
  }
}
