import Experiments
import Foundation
import Recur
import Testing
import YAMLSpec

/// An event file read back independently of the writer: every TFRecord frame with both CRCs
/// checked by a bitwise CRC-32C, and the protocol buffer fields decoded generically.
enum EventFileReader {
  struct Field {
    var number: Int
    var varint: UInt64 = 0
    var fixed: UInt64 = 0
    var bytes: [UInt8] = []
  }

  struct Value {
    var tag = ""
    var simpleValue: Float?
    var pluginName: String?
    var dtype: UInt64?
    var hasShape = false
    var strings: [String] = []
  }

  struct Event {
    var wallTime = 0.0
    var step: Int64 = 0
    var fileVersion: String?
    var values: [Value] = []
  }

  /// CRC-32C bit by bit, from the reflected Castagnoli polynomial, with no table.
  static func crc32c(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0x82f6_3b78) }
    }
    return ~crc
  }

  static func masked(_ bytes: [UInt8]) -> UInt32 {
    let crc = crc32c(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
  }

  static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// The payload of every record; a bad CRC or a frame that runs past the end is an error.
  static func records(_ data: Data) throws -> [[UInt8]] {
    let bytes = [UInt8](data)
    var records: [[UInt8]] = []
    var offset = 0
    while offset < bytes.count {
      try #require(offset + 12 <= bytes.count, "a truncated frame at byte \(offset)")
      let lengthBytes = Array(bytes[offset..<offset + 8])
      let length = Int(littleEndian(lengthBytes[...]))
      try #require(
        UInt32(littleEndian(bytes[offset + 8..<offset + 12])) == masked(lengthBytes),
        "the length CRC of the record at byte \(offset)")
      let start = offset + 12
      try #require(start + length + 4 <= bytes.count, "a truncated record at byte \(offset)")
      let payload = Array(bytes[start..<start + length])
      try #require(
        UInt32(littleEndian(bytes[start + length..<start + length + 4])) == masked(payload),
        "the data CRC of the record at byte \(offset)")
      records.append(payload)
      offset = start + length + 4
    }
    return records
  }

  /// The fields of a protocol buffer message, in order.
  static func fields(_ message: [UInt8]) throws -> [Field] {
    var offset = 0
    func varint() throws -> UInt64 {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        try #require(offset < message.count && shift < 64, "a truncated varint")
        let byte = message[offset]
        offset += 1
        value |= UInt64(byte & 0x7f) << shift
        if byte & 0x80 == 0 { return value }
        shift += 7
      }
    }
    var fields: [Field] = []
    while offset < message.count {
      let key = try varint()
      var field = Field(number: Int(key >> 3))
      switch key & 7 {
      case 0: field.varint = try varint()
      case 1:
        try #require(offset + 8 <= message.count)
        field.fixed = littleEndian(message[offset..<offset + 8])
        offset += 8
      case 2:
        let length = Int(try varint())
        try #require(offset + length <= message.count)
        field.bytes = Array(message[offset..<offset + length])
        offset += length
      case 5:
        try #require(offset + 4 <= message.count)
        field.fixed = littleEndian(message[offset..<offset + 4])
        offset += 4
      default:
        Issue.record("unexpected wire type \(key & 7)")
        return fields
      }
      fields.append(field)
    }
    return fields
  }

  /// Event (wall_time 1, step 2, file_version 3, summary 5), Summary (value 1), Value (tag 1,
  /// simple_value 2, tensor 8, metadata 9), SummaryMetadata (plugin_data 1), PluginData
  /// (plugin_name 1), TensorProto (dtype 1, tensor_shape 2, string_val 8).
  static func events(_ data: Data) throws -> [Event] {
    try records(data).map { payload in
      var event = Event()
      for field in try fields(payload) {
        switch field.number {
        case 1: event.wallTime = Double(bitPattern: field.fixed)
        case 2: event.step = Int64(bitPattern: field.varint)
        case 3: event.fileVersion = String(decoding: field.bytes, as: UTF8.self)
        case 5:
          for summaryField in try fields(field.bytes) where summaryField.number == 1 {
            event.values.append(try value(summaryField.bytes))
          }
        default: Issue.record("unexpected Event field \(field.number)")
        }
      }
      return event
    }
  }

  static func value(_ bytes: [UInt8]) throws -> Value {
    var value = Value()
    for field in try fields(bytes) {
      switch field.number {
      case 1: value.tag = String(decoding: field.bytes, as: UTF8.self)
      case 2: value.simpleValue = Float(bitPattern: UInt32(field.fixed))
      case 8:
        for tensorField in try fields(field.bytes) {
          switch tensorField.number {
          case 1: value.dtype = tensorField.varint
          case 2: value.hasShape = tensorField.bytes.isEmpty
          case 8: value.strings.append(String(decoding: tensorField.bytes, as: UTF8.self))
          default: Issue.record("unexpected TensorProto field \(tensorField.number)")
          }
        }
      case 9:
        for metadataField in try fields(field.bytes) where metadataField.number == 1 {
          for pluginField in try fields(metadataField.bytes) where pluginField.number == 1 {
            value.pluginName = String(decoding: pluginField.bytes, as: UTF8.self)
          }
        }
      default: Issue.record("unexpected Summary.Value field \(field.number)")
      }
    }
    return value
  }
}

@Suite struct TensorBoardEventsTests {
  static func experiment(
    epochs: Int = 3, formats: String = "[csv, json, tensorboard]"
  ) throws -> Experiment {
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-tensorboard-\(UUID().uuidString)")
    let spec = """
      name: tb
      seed: 4
      dataset:
        type: synthetic-tagging
        train_sequences: 30
        dev_sequences: 6
        test_sequences: 4
        max_length: 6
      model: {type: brnn, hidden: 4}
      optimizer: {type: sgd, learning_rate: 0.3}
      training: {epochs: \(epochs), batch_size: 8}
      output: {dir: "\(root.path)", formats: \(formats)}
      """
    return try Experiment(spec: SpecNode.parse(spec, sourceName: "tb.yaml"))
  }

  static func run(_ experiment: Experiment) throws -> RunOutcome {
    try ExperimentRun.run(experiment, commandLine: ["test"], observer: TrainedRunTests.Silent())
  }

  static func eventFile(in run: URL) throws -> URL {
    let names = try FileManager.default.contentsOfDirectory(atPath: run.path)
      .filter { $0.hasPrefix("events.out.tfevents.") }
    try #require(names.count == 1, "event files: \(names)")
    return run.appendingPathComponent(names[0])
  }

  /// metrics.csv as (epoch, tag, value) for every field TensorBoard should hold.
  static func expectedScalars(_ run: URL) throws -> [(Int64, String, Float)] {
    let lines = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    let header = lines[0].map(String.init)
    var scalars: [(Int64, String, Float)] = []
    for row in lines.dropFirst() {
      let epoch = Int64(row[0])!
      for (column, field) in zip(header, row).dropFirst(2) where !field.isEmpty {
        let value = Float(Double(field)!)
        if column == "learning_rate" {
          if row[1] == "train" { scalars.append((epoch, "learning_rate", value)) }
        } else {
          scalars.append((epoch, "\(row[1])/\(column)", value))
        }
      }
    }
    return scalars
  }

  @Test func theReadersCRCIsCastagnoli() {
    // The CRC-32C check value (RFC 3720, appendix B.4).
    #expect(EventFileReader.crc32c(Array("123456789".utf8)) == 0xe306_9283)
  }

  @Test func aRunWritesOneEventPerEpochWithMetricsCSVsValues() throws {
    let outcome = try Self.run(Self.experiment())
    #expect(outcome.status == .completed)
    let run = outcome.directory.url
    let file = try Self.eventFile(in: run)
    #expect(file.lastPathComponent.hasSuffix("." + ProcessInfo.processInfo.hostName))
    let events = try EventFileReader.events(Data(contentsOf: file))
    try #require(events.count == 2 + 3)
    #expect(events[0].fileVersion == "brain.Event:2")
    #expect(events[0].values.isEmpty)

    let text = try #require(events[1].values.first)
    #expect(events[1].step == 0)
    #expect(text.tag == "spec")
    #expect(text.pluginName == "text")
    #expect(text.dtype == 7)
    #expect(text.hasShape)
    let spec = try String(contentsOf: run.appendingPathComponent("spec.yaml"), encoding: .utf8)
    #expect(text.strings == ["```yaml\n" + spec + "```"])

    #expect(events[2...].map(\.step) == [1, 2, 3])
    let written = events[2...].flatMap { event in
      event.values.map { ("\(event.step) \($0.tag)", $0.simpleValue) }
    }
    let expected = try Self.expectedScalars(run)
    #expect(written.count == expected.count)
    #expect(
      Dictionary(written, uniquingKeysWith: { a, _ in a })
        == Dictionary(uniqueKeysWithValues: expected.map { ("\($0.0) \($0.1)", Float?($0.2)) }))
    #expect(expected.contains { $0.1 == "dev/accuracy" })
    #expect(expected.contains { $0.1 == "train/tokens_per_second" })
    // Wall times are Unix seconds of now, in epoch order.
    let times = events.map(\.wallTime)
    #expect(times == times.sorted())
    #expect(abs(times.last! - Date().timeIntervalSince1970) < 600)
  }

  @Test func formatsWithoutTensorBoardWriteNoEventFile() throws {
    let outcome = try Self.run(Self.experiment(formats: "[csv, json]"))
    let names = try FileManager.default.contentsOfDirectory(atPath: outcome.directory.url.path)
    #expect(!names.contains { $0.hasPrefix("events.") })
    let only = try Self.run(Self.experiment(formats: "[tensorboard]"))
    let onlyNames = try FileManager.default.contentsOfDirectory(atPath: only.directory.url.path)
    #expect(onlyNames.filter { $0.hasPrefix("events.") }.count == 1)
    #expect(!onlyNames.contains("metrics.csv"))
  }

  /// Starting the file again (as a resume does) keeps exactly the given epochs, in the same
  /// file, with the wall times the old file recorded; a truncated last record (a run killed
  /// mid-write) is dropped and its epoch written anew.
  @Test func startingAgainKeepsExactlyTheGivenEpochs() throws {
    let outcome = try Self.run(Self.experiment())
    let file = try Self.eventFile(in: outcome.directory.url)
    let original = try EventFileReader.events(Data(contentsOf: file))
    let spec = outcome.manifest.name
    let later = Date().addingTimeInterval(1000)

    let bytes = try Data(contentsOf: file)
    try bytes.dropLast(5).write(to: file)
    let events = try TensorBoardEvents.start(
      in: outcome.directory, spec: spec, records: outcome.records, now: later)
    #expect(events.url == file)
    let rewritten = try EventFileReader.events(Data(contentsOf: file))
    #expect(rewritten.map(\.step) == [0, 0, 1, 2, 3])
    #expect(rewritten.prefix(4).map(\.wallTime) == original.prefix(4).map(\.wallTime))
    #expect(rewritten[4].wallTime == later.timeIntervalSince1970)
    #expect(rewritten[4].values.map(\.simpleValue) == original[4].values.map(\.simpleValue))
    #expect(rewritten[1].values[0].strings == ["```yaml\ntb\n```"])

    let firstTwo = outcome.records.filter { $0.epoch <= 2 }
    _ = try TensorBoardEvents.start(
      in: outcome.directory, spec: spec, records: firstTwo, now: later)
    let kept = try EventFileReader.events(
      Data(contentsOf: try Self.eventFile(in: outcome.directory.url)))
    #expect(kept.map(\.step) == [0, 0, 1, 2])
    #expect(kept.map(\.wallTime) == original.prefix(4).map(\.wallTime))
    #expect(kept[3].values.map(\.simpleValue) == original[3].values.map(\.simpleValue))
  }

  /// A run killed after writing an epoch's events but before its checkpoint resumes from the
  /// checkpoint: the events file then holds every epoch once.
  @Test func aResumeDropsEventsWrittenAfterTheCheckpoint() throws {
    // The finished run's outcome holds its folder's lock: keep only what the test reads, so
    // that the resume below can take the folder.
    let (url, records) = try {
      let outcome = try Self.run(Self.experiment(epochs: 2))
      return (outcome.directory.url, outcome.records)
    }()
    let directory = RunDirectory(url: url, id: url.lastPathComponent)
    var extra = records.filter { $0.epoch == 2 }
    for index in extra.indices { extra[index].epoch = 3 }
    let spec = try String(contentsOf: directory.path("spec.yaml"), encoding: .utf8)
    _ = try TensorBoardEvents.start(in: directory, spec: spec, records: records + extra)
    let file = try Self.eventFile(in: directory.url)
    #expect(try EventFileReader.events(Data(contentsOf: file)).map(\.step) == [0, 0, 1, 2, 3])
    let manifestURL = directory.path("manifest.json")
    try String(contentsOf: manifestURL, encoding: .utf8)
      .replacingOccurrences(of: "\"completed\"", with: "\"running\"")
      .write(to: manifestURL, atomically: true, encoding: .utf8)

    let (_, resumed) = try ExperimentRun.resume(
      directory.url, commandLine: ["test"], observer: TrainedRunTests.Silent())
    #expect(resumed.status == .completed)
    let events = try EventFileReader.events(
      Data(contentsOf: try Self.eventFile(in: directory.url)))
    #expect(events.map(\.step) == [0, 0, 1, 2])
    let values = events[2...].flatMap { event in
      event.values.map { "\(event.step) \($0.tag)" }
    }
    let expected = try Self.expectedScalars(directory.url).map { "\($0.0) \($0.1)" }
    #expect(values.sorted() == expected.sorted())
  }

  /// TensorBoard's own reader, where it is installed, reads the scalars and the text back.
  @Test func tensorBoardReadsTheFile() throws {
    let outcome = try Self.run(Self.experiment())
    let run = outcome.directory.url
    let script = """
      import json, sys
      from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
      accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "tensors": 0})
      accumulator.Reload()
      tags = accumulator.Tags()
      scalars = {
          tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in tags["scalars"]
      }
      spec = accumulator.Tensors("spec")[0].tensor_proto.string_val[0].decode()
      print(json.dumps({"scalars": scalars, "spec": spec}))
      """
    guard
      let output = try Python.run(
        ["-c", script, run.path], needing: "tensorboard",
        missing: "tensorboard (pip install tensorboard)", quiet: true)
    else { return }
    let document = try #require(
      JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    let scalars = try #require(document["scalars"] as? [String: [[Double]]])
    let expected = try Self.expectedScalars(run)
    #expect(Set(scalars.keys) == Set(expected.map(\.1)))
    for (epoch, tag, value) in expected {
      let point = scalars[tag]?.first { Int64($0[0]) == epoch }
      #expect(point.map { Float($0[1]) } == value, "\(tag) at epoch \(epoch)")
    }
    #expect(scalars["dev/loss"]?.map { Int($0[0]) } == [1, 2, 3])
    let spec = try String(contentsOf: run.appendingPathComponent("spec.yaml"), encoding: .utf8)
    #expect(document["spec"] as? String == "```yaml\n" + spec + "```")
  }

}
