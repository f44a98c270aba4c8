import Foundation
import Recur

/// A run's metrics as a TensorBoard event file, `events.out.tfevents.<unix time>.<host>` in the
/// run directory: a `file_version` event, the resolved spec as a text summary (tag `spec`, step
/// 0), then one event per epoch (step = the epoch) holding a scalar per split and column of
/// `metrics.csv` (`train/loss`, `dev/accuracy`, `train/tokens_per_second`, …) and
/// `learning_rate`.
///
/// The file is TFRecord framing around `Event` protocol buffers (tensorflow/core/util/event.proto,
/// summary.proto, tensor.proto), written by the small encoder below: the few fields used are all
/// a writer needs, and a generated swift-protobuf module would be far larger than they are.
public struct TensorBoardEvents: Sendable {
  /// The event file.
  public let url: URL

  /// Starts the event file of a run: the file the run directory already has (a resumed run), or
  /// a new one named after `now`, rewritten atomically to hold the header and exactly `records`.
  /// A resumed run passes the checkpoint's records, so epochs written after the checkpoint (by a
  /// run killed before it could checkpoint them) are dropped and never appear twice; epochs the
  /// old file holds keep their wall times.
  public static func start(
    in directory: RunDirectory, spec: String, records: [EpochRecord], now: Date = Date()
  ) throws(RunFileError) -> TensorBoardEvents {
    let existing = existingFiles(in: directory)
    let name = existing.first ?? "events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host)"
    let url = directory.path(name)
    let old = FileManager.default.contents(atPath: url.path).map { Self.wallTimes(in: $0) } ?? [:]
    let wallTime = now.timeIntervalSince1970
    var bytes = Self.header(spec: spec, wallTime: old[0] ?? wallTime)
    for epoch in Self.epochs(of: records) {
      bytes += Self.epochEvent(epoch, wallTime: old[Int64(epoch[0].epoch)] ?? wallTime)
    }
    try directory.write(Data(bytes), to: name)
    for stale in existing.dropFirst() {
      try? FileManager.default.removeItem(at: directory.path(stale))
    }
    return TensorBoardEvents(url: url)
  }

  /// Appends the events of one epoch's records and flushes them to disk, so that TensorBoard
  /// shows the epoch while the run goes on.
  public func append(_ records: [EpochRecord], now: Date = Date()) throws(RunFileError) {
    guard !records.isEmpty else { return }
    let bytes = Self.epochEvent(records, wallTime: now.timeIntervalSince1970)
    let descriptor = open(url.path, O_WRONLY | O_APPEND)
    guard descriptor >= 0 else {
      throw RunFileError(path: url.path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count, fsync(descriptor) == 0 else {
      throw RunFileError(path: url.path, reason: String(cString: strerror(errno)))
    }
  }

  /// The names of the event files in `directory`, sorted.
  static func existingFiles(in directory: RunDirectory) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.url.path)) ?? []
    return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted()
  }

  /// The host name as TensorFlow puts it in event file names, without any path separator.
  static var host: String {
    ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
  }

  /// Records grouped by epoch, in order.
  static func epochs(of records: [EpochRecord]) -> [[EpochRecord]] {
    var groups: [[EpochRecord]] = []
    for record in records {
      if let last = groups.last?.last, last.epoch == record.epoch {
        groups[groups.count - 1].append(record)
      } else {
        groups.append([record])
      }
    }
    return groups
  }

  // MARK: - Events

  /// The first records of a file: the `file_version` event and the spec as a text summary.
  static func header(spec: String, wallTime: Double) -> [UInt8] {
    var version = ProtocolBuffer()
    version.double(1, wallTime)
    version.string(3, "brain.Event:2")
    let text = "```yaml\n" + spec + (spec.hasSuffix("\n") ? "" : "\n") + "```"
    return record(version.bytes)
      + record(event(wallTime: wallTime, step: 0, values: [textValue(tag: "spec", text: text)]))
  }

  /// One epoch's event: a scalar per split and metrics column, and the learning rate.
  static func epochEvent(_ records: [EpochRecord], wallTime: Double) -> [UInt8] {
    var values: [[UInt8]] = []
    for record in records {
      let split = record.split.rawValue
      values.append(scalarValue(tag: "\(split)/loss", record.loss))
      for metric in record.metrics {
        guard let value = metric.value else { continue }
        values.append(scalarValue(tag: "\(split)/\(metric.name)", value))
      }
      values.append(scalarValue(tag: "\(split)/seconds", record.seconds))
      values.append(scalarValue(tag: "\(split)/tokens_per_second", record.tokensPerSecond))
    }
    values.append(scalarValue(tag: "learning_rate", records[0].learningRate))
    return record(event(wallTime: wallTime, step: Int64(records[0].epoch), values: values))
  }

  /// `Event{wall_time = 1, step = 2, summary = 5: Summary{value = 1 (repeated)}}`.
  static func event(wallTime: Double, step: Int64, values: [[UInt8]]) -> [UInt8] {
    var summary = ProtocolBuffer()
    for value in values { summary.bytes(1, value) }
    var event = ProtocolBuffer()
    event.double(1, wallTime)
    event.varint(2, UInt64(bitPattern: step))
    event.bytes(5, summary.bytes)
    return event.bytes
  }

  /// `Summary.Value{tag = 1, simple_value = 2 (float)}`.
  static func scalarValue(tag: String, _ value: Double) -> [UInt8] {
    var message = ProtocolBuffer()
    message.string(1, tag)
    message.float(2, Float(value))
    return message.bytes
  }

  /// `Summary.Value{tag = 1, metadata = 9: SummaryMetadata{plugin_data = 1:
  /// PluginData{plugin_name = 1: "text"}}, tensor = 8: TensorProto{dtype = 1: DT_STRING (7),
  /// tensor_shape = 2: {} (a scalar), string_val = 8}}`, as TensorBoard's text plugin reads it.
  static func textValue(tag: String, text: String) -> [UInt8] {
    var plugin = ProtocolBuffer()
    plugin.string(1, "text")
    var metadata = ProtocolBuffer()
    metadata.bytes(1, plugin.bytes)
    var tensor = ProtocolBuffer()
    tensor.varint(1, 7)
    tensor.bytes(2, [])
    tensor.bytes(8, Array(text.utf8))
    var message = ProtocolBuffer()
    message.string(1, tag)
    message.bytes(9, metadata.bytes)
    message.bytes(8, tensor.bytes)
    return message.bytes
  }

  // MARK: - TFRecord framing

  /// `data` framed as a TFRecord: its length (UInt64, little-endian), the masked CRC-32C of
  /// those 8 bytes, the data, the masked CRC-32C of the data (both CRCs UInt32, little-endian).
  static func record(_ data: [UInt8]) -> [UInt8] {
    var length: [UInt8] = []
    appendLittleEndian(UInt64(data.count), to: &length)
    var framed = length
    appendLittleEndian(maskedCRC(length), to: &framed)
    framed += data
    appendLittleEndian(maskedCRC(data), to: &framed)
    return framed
  }

  /// TFRecord's masked CRC: the CRC rotated right by 15 bits plus a constant, so that a CRC of
  /// data that holds CRCs stays well distributed.
  static func maskedCRC(_ bytes: [UInt8]) -> UInt32 {
    let crc = CRC32C.checksum(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
  }

  static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }

  /// The wall time of each step in an event file, up to its first damaged or truncated record
  /// (a run killed mid-write leaves one).
  static func wallTimes(in data: Data) -> [Int64: Double] {
    let bytes = [UInt8](data)
    var times: [Int64: Double] = [:]
    var offset = 0
    while offset + 12 <= bytes.count {
      let header = Array(bytes[offset..<offset + 8])
      let length = Int(clamping: header.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
      let storedHeaderCRC = readUInt32(bytes, at: offset + 8)
      let start = offset + 12
      guard storedHeaderCRC == maskedCRC(header), length <= bytes.count - start - 4 else { break }
      let payload = Array(bytes[start..<start + length])
      guard readUInt32(bytes, at: start + length) == maskedCRC(payload) else { break }
      if let (step, wallTime) = ProtocolBuffer.stepAndWallTime(of: payload) {
        times[step] = times[step] ?? wallTime
      }
      offset = start + length + 4
    }
    return times
  }

  static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
  }
}

/// A protocol buffer message built field by field (proto3 wire format).
struct ProtocolBuffer {
  private(set) var bytes: [UInt8] = []

  private mutating func key(_ field: Int, wireType: UInt64) {
    appendVarint(UInt64(field) << 3 | wireType)
  }

  private mutating func appendVarint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(rest & 0x7f) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  /// A varint field (int64, enum): wire type 0.
  mutating func varint(_ field: Int, _ value: UInt64) {
    key(field, wireType: 0)
    appendVarint(value)
  }

  /// A double field: wire type 1, 8 bytes little-endian.
  mutating func double(_ field: Int, _ value: Double) {
    key(field, wireType: 1)
    TensorBoardEvents.appendLittleEndian(value.bitPattern, to: &bytes)
  }

  /// A float field: wire type 5, 4 bytes little-endian.
  mutating func float(_ field: Int, _ value: Float) {
    key(field, wireType: 5)
    TensorBoardEvents.appendLittleEndian(value.bitPattern, to: &bytes)
  }

  /// A length-delimited field (bytes, an embedded message): wire type 2.
  mutating func bytes(_ field: Int, _ value: [UInt8]) {
    key(field, wireType: 2)
    appendVarint(UInt64(value.count))
    bytes += value
  }

  /// A string field: its UTF-8 bytes, length-delimited.
  mutating func string(_ field: Int, _ value: String) {
    bytes(field, Array(value.utf8))
  }

  /// `Event.step` (field 2) and `Event.wall_time` (field 1) of an encoded event; nil when the
  /// bytes are not a well-formed message. Fields this writer does not write are skipped.
  static func stepAndWallTime(of message: [UInt8]) -> (Int64, Double)? {
    var step: Int64 = 0
    var wallTime = 0.0
    var offset = 0
    func varint() -> UInt64? {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while offset < message.count, shift < 64 {
        let byte = message[offset]
        offset += 1
        value |= UInt64(byte & 0x7f) << shift
        if byte < 0x80 { return value }
        shift += 7
      }
      return nil
    }
    while offset < message.count {
      guard let key = varint() else { return nil }
      switch key & 7 {
      case 0:
        guard let value = varint() else { return nil }
        if key >> 3 == 2 { step = Int64(bitPattern: value) }
      case 1:
        guard offset + 8 <= message.count else { return nil }
        let raw = message[offset..<offset + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if key >> 3 == 1 { wallTime = Double(bitPattern: raw) }
        offset += 8
      case 2:
        guard let length = varint(), length <= UInt64(message.count - offset) else { return nil }
        offset += Int(length)
      case 5:
        guard offset + 4 <= message.count else { return nil }
        offset += 4
      default: return nil
      }
    }
    return (step, wallTime)
  }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven, as TFRecord uses it.
/// Written here because no package the project may depend on provides it: swift-crypto has
/// hashes but no CRCs, and the CRC-32C inside swift-protobuf belongs to its protoc build, not to
/// its Swift API.
enum CRC32C {
  static let table: [UInt32] = (0..<256).map { index in
    var crc = UInt32(index)
    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82f6_3b78 : crc >> 1 }
    return crc
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
    return crc ^ 0xffff_ffff
  }
}
