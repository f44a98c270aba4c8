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
      Component(
        name: "parity",
        summary: "seeded bit sequences; is the number of ones odd? (sequence classes)",
        options: BenchmarkOptions(lengths: 2...10),
        make: { options, generator in
          let sizes = try options.splits()
          return GeneratedDataset(shape: SyntheticBenchmark.parityShape(sizes)) {
            SyntheticBenchmark.parity(sizes, generator: generator)
          }
        }))
    try registry.datasets.register(
      Component(
        name: "adding",
        summary: "seeded adding problem: sum the two marked values (sequence regression; "
          + "predicting 1 scores MSE 1/6)",
        options: BenchmarkOptions(lengths: 10...20),
        make: { options, generator in
          let sizes = try options.splits()
          return GeneratedDataset(shape: SyntheticBenchmark.addingShape(sizes)) {
            SyntheticBenchmark.adding(sizes, generator: generator)
          }
        }))
    try registry.datasets.register(
      Component(
        name: "reverse",
        summary: "seeded symbol sequences; output the input reversed (framewise, "
          + "needs the future)",
        options: ReverseOptions(),
        make: { options, generator in
          let sizes = try options.sizes.splits()
          let symbols = options.symbols
          return GeneratedDataset(
            shape: SyntheticBenchmark.reverseShape(sizes, symbols: symbols)
          ) {
            SyntheticBenchmark.reverse(sizes, symbols: symbols, generator: generator)
          }
        }))
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
  struct DataFiles: SpecOptions {
    @SpecOption(
      help: "train file (required); relative paths are resolved against the working directory")
    var train: String
    @SpecOption(help: "dev file, evaluated every epoch (optional; left out = no dev split)")
    var dev: String?
    @SpecOption(help: "test file, evaluated every epoch (optional; left out = no test split)")
    var test: String?
  }

  /// Vocabulary and word-feature options shared by the tagging corpora.
  struct WordOptions: SpecOptions {
    @SpecOption(
      default: 1, range: 1...,
      help: "train occurrences a word needs to enter the vocabulary (else it is unknown)")
    var minCount: Int
    @SpecOption(default: true, help: "lowercase words before the vocabulary lookup")
    var lowercase: Bool
    @SpecOption(default: "<unk>", help: "the vocabulary's entry 0, for unknown words")
    var unknownToken: String
    @SpecOption(
      default: 0, range: 0..., help: "hashed prefix features of 1 … n characters (0 = none)")
    var prefixLength: Int
    @SpecOption(
      default: 3, range: 0..., help: "hashed suffix features of 1 … n characters (0 = none)")
    var suffixLength: Int
    @SpecOption(default: true, help: "hashed capitalisation-shape feature (Xx, XX, dd, …)")
    var shape: Bool
    @SpecOption(
      default: 2048, range: 1...,
      help: "hash buckets shared by all spelling features (input columns after the vocabulary)")
    var featureBuckets: Int

    var corpusOptions: TaggedCorpus.Options {
      TaggedCorpus.Options(
        minCount: minCount, lowercase: lowercase, unknownToken: unknownToken,
        features: WordFeatures(
          prefixLength: prefixLength, suffixLength: suffixLength, shape: shape,
          buckets: featureBuckets))
    }
  }

  /// Runs a reading factory, locating a data file's error at the option that named the file.
  static func reading<T, Options: SpecOptions>(
    _ options: Options, files: DataFiles, _ body: () throws(DataFileError) -> T
  ) throws(SpecError) -> T {
    do {
      return try body()
    } catch {
      let source = error.option.flatMap { options.source(of: $0) } ?? files.$train
      throw source.error(error.description, expected: error.expected)
    }
  }

  static let conllu = Component<DatasetFactory>(
    name: "conllu",
    summary: "Universal Dependencies CoNLL-U files: a tag per word (UPOS or XPOS)",
    options: CoNLLUOptions(),
    make: { options, _ in
      try reading(options, files: options.files) { () throws(DataFileError) in
        try TaggedCorpus.load(
          train: options.files.train, dev: options.files.dev, test: options.files.test,
          options: options.words.corpusOptions, format: .conllu(tagColumn: options.tagColumn))
      }
    })

  struct CoNLLUOptions: SpecOptions {
    @Include var files: DataFiles
    @SpecOption(default: .upos, help: "which tag to predict: upos (column 4) or xpos (column 5)")
    var tagColumn: CorpusReader.CoNLLUTagColumn
    @Include var words: WordOptions
  }

  static let conll = Component<DatasetFactory>(
    name: "conll",
    summary: "CoNLL column files (CoNLL-2000/2003 style): word and tag columns, blank line "
      + "between sentences",
    options: CoNLLOptions(),
    make: { options, _ in
      try reading(options, files: options.files) { () throws(DataFileError) in
        try TaggedCorpus.load(
          train: options.files.train, dev: options.files.dev, test: options.files.test,
          options: options.words.corpusOptions,
          format: .columns(word: options.wordColumn, tag: options.tagColumn))
      }
    })

  struct CoNLLOptions: SpecOptions {
    @Include var files: DataFiles
    @SpecOption(default: 1, range: 1..., help: "1-based column of the word") var wordColumn: Int
    @SpecOption(default: 2, range: 1..., help: "1-based column of the tag") var tagColumn: Int
    @Include var words: WordOptions
  }

  static let csvSequences = Component<DatasetFactory>(
    name: "csv-sequences",
    summary: "numeric feature sequences from CSV with a header: id, features and label columns",
    options: CSVSequencesOptions(),
    make: { options, _ in
      let configuration = CSVSequences.Configuration(
        sequenceColumn: options.sequenceColumn, featureColumns: options.featureColumns,
        labelColumn: options.labelColumn, task: options.task)
      return try reading(options, files: options.files) { () throws(DataFileError) in
        try CSVSequences(
          train: options.files.train, dev: options.files.dev, test: options.files.test,
          configuration: configuration)
      }
    })

  struct CSVSequencesOptions: SpecOptions {
    @Include var files: DataFiles
    @SpecOption(
      default: "sequence",
      help: "column whose value names the sequence a row belongs to (rows of a sequence adjoin)")
    var sequenceColumn: String
    @SpecOption(
      default: [], help: "input columns, in order; empty = every column but the id and label")
    var featureColumns: [String]
    @SpecOption(default: "label", help: "column holding the label") var labelColumn: String
    @SpecOption(
      default: .framewise,
      help: "framewise (label per row) or sequence (one per sequence) classes, or the "
        + "-regression variants (numeric labels)")
    var task: TaskKind
  }

  static let text = Component<DatasetFactory>(
    name: "text",
    summary: "UTF-8 text (or CoNLL-U FORMs) for next-token prediction: characters or words",
    options: TextOptions(),
    make: { options, _ in
      let files = options.files
      for (fraction, file, source) in [
        (options.devFraction, files.dev, options.$devFraction),
        (options.testFraction, files.test, options.$testFraction),
      ] where fraction > 0 && file != nil {
        let key = source.key
        throw source.error(
          "\(key) splits the train file, but a \(key.prefix(while: { $0 != "_" })) file is given "
            + "too", expected: "either the file or the fraction")
      }
      guard options.devFraction + options.testFraction < 1 else {
        throw options.$testFraction.error(
          "dev_fraction + test_fraction is \(options.devFraction + options.testFraction)",
          expected: "a sum below 1, leaving lines for train")
      }
      let corpusOptions = TextCorpus.Options(
        unit: options.unit, format: options.format, minCount: options.minCount,
        unknownToken: options.unknownToken, endToken: options.endToken,
        sequenceLength: options.sequenceLength)
      return try reading(options, files: files) { () throws(DataFileError) in
        try TextCorpus(
          train: files.train, dev: files.dev, test: files.test,
          devFraction: options.devFraction, testFraction: options.testFraction,
          options: corpusOptions)
      }
    })

  struct TextOptions: SpecOptions {
    @Include var files: DataFiles
    @SpecOption(
      default: .plain, help: "plain text, or conllu (the FORM column, a sentence per line)")
    var format: TextCorpus.Format
    @SpecOption(
      default: .char,
      help: "tokens: characters (Unicode scalars, a line end is \\n) or words (whitespace-"
        + "separated, end_token after each line)")
    var unit: TextCorpus.Unit
    @SpecOption(
      default: 1, range: 1...,
      help: "train occurrences a token needs to enter the vocabulary (else it is unknown)")
    var minCount: Int
    @SpecOption(default: "<unk>", help: "the vocabulary's entry 0, for unknown tokens")
    var unknownToken: String
    @SpecOption(default: "<eos>", help: "the token ending each line (unit: word)") var endToken:
      String
    @SpecOption(
      default: 100, range: 1...,
      help: "steps per example when training without bptt_steps (the split's stream is cut "
        + "into consecutive pieces)")
    var sequenceLength: Int
    @SpecOption(
      default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "share of the train file's lines held out as dev (before the test share)")
    var devFraction: Double
    @SpecOption(
      default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "share of the train file's last lines held out as test")
    var testFraction: Double
  }

  // MARK: Benchmarks

  /// The sizes of a seeded benchmark: its splits and the lengths of its sequences.
  struct BenchmarkOptions: SpecOptions {
    @Include var sizes: SplitSizes
    @SpecOption(default: 2, range: 2..., help: "shortest sequence") var minLength: Int
    @SpecOption(default: 10, range: 2..., help: "longest sequence") var maxLength: Int

    init() {}

    /// Sequences of `lengths` steps by default.
    init(lengths: ClosedRange<Int>) {
      _minLength = _minLength.defaulting(to: lengths.lowerBound)
      _maxLength = _maxLength.defaulting(to: lengths.upperBound)
    }

    func splits() throws(SpecError) -> GeneratedSplits {
      try sizes.splits(minLength: minLength, maxLength: maxLength, at: $maxLength)
    }
  }

  struct ReverseOptions: SpecOptions {
    @Include(BenchmarkOptions(lengths: 2...8)) var sizes: BenchmarkOptions
    @SpecOption(default: 8, range: 2..., help: "alphabet size (I and K)") var symbols: Int
  }
}
