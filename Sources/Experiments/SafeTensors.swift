import Foundation
import Recur
import Tensors

/// The safetensors file format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian tensor data. NumPy and PyTorch
/// users read it with the `safetensors` package, or by hand in a few lines.
public enum SafeTensors {
  /// Encodes `parameters` as F32 tensors (2-D, `rows × columns`) in key order.
  public static func encode(
    _ parameters: ParameterSet<Float>, metadata: [String: String] = [:],
    vectors: Set<String> = []
  )
    throws -> Data
  {
    var header: [String: JSONValue] = [:]
    if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues(JSONValue.string)) }
    var body = Data()
    for (key, matrix) in zip(parameters.keys, parameters.values) {
      let begin = body.count
      for value in matrix.elements {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
      }
      header[key] = .object([
        "dtype": .string("F32"),
        "shape": vectors.contains(key)
          ? .array([.integer(matrix.count)])
          : .array([.integer(matrix.rows), .integer(matrix.columns)]),
        "data_offsets": .array([.integer(begin), .integer(body.count)]),
      ])
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var json = try encoder.encode(JSONValue.object(header))
    // The format asks for the data to start 8-byte aligned; the header is padded with spaces.
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
    var file = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
    return file + json + body
  }
}

extension SafeTensors {
  /// A file that is not a well-formed safetensors file of F32 matrices.
  public struct FormatError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "not a valid safetensors file: \(reason)" }
  }

  /// Decodes F32 tensors of one or two dimensions (a vector of n as 1 × n) in the order of their
  /// data, and the `__metadata__` strings. Every length, offset and shape is checked against the
  /// data, so a truncated or corrupt file is an error, never a crash.
  public static func decode(
    _ data: Data
  ) throws(FormatError) -> (
    tensors: ParameterSet<Float>, metadata: [String: String]
  ) {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else {
      throw FormatError(reason: "\(bytes.count) bytes is shorter than the 8-byte header length")
    }
    let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * UInt64($1.offset))
    }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw FormatError(
        reason: "the header claims \(headerLength) bytes but the file has \(bytes.count - 8) after "
          + "its length (truncated?)")
    }
    let bodyStart = 8 + Int(headerLength)
    guard
      let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<bodyStart]))
        as? [String: Any]
    else { throw FormatError(reason: "the header is not a JSON object") }

    var metadata: [String: String] = [:]
    var entries: [(key: String, begin: Int, matrix: Matrix<Float>)] = []
    for (key, value) in header {
      if key == "__metadata__" {
        guard let strings = value as? [String: String] else {
          throw FormatError(reason: "__metadata__ is not a map of strings")
        }
        metadata = strings
        continue
      }
      guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
        let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int],
        offsets.count == 2
      else { throw FormatError(reason: "tensor '\(key)' lacks dtype, shape or data_offsets") }
      guard dtype == "F32" else {
        throw FormatError(reason: "tensor '\(key)' is \(dtype); only F32 is read")
      }
      guard (1...2).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
        throw FormatError(reason: "tensor '\(key)' has shape \(shape); expected 1 or 2 dimensions")
      }
      let (rows, columns) = shape.count == 2 ? (shape[0], shape[1]) : (1, shape[0])
      let (begin, end) = (offsets[0], offsets[1])
      guard begin >= 0, end >= begin, bodyStart + end <= bytes.count else {
        throw FormatError(reason: "tensor '\(key)' lies outside the file (truncated?)")
      }
      guard end - begin == rows * columns * 4 else {
        throw FormatError(
          reason: "tensor '\(key)' has \(end - begin) bytes for shape \(shape) of F32")
      }
      var elements = [Float](repeating: 0, count: rows * columns)
      for index in elements.indices {
        let at = bodyStart + begin + 4 * index
        let bits =
          UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
          | UInt32(bytes[at + 3]) << 24
        elements[index] = Float(bitPattern: bits)
      }
      entries.append((key, begin, Matrix(rows: rows, columns: columns, elements: elements)))
    }
    var tensors = ParameterSet<Float>()
    for entry in entries.sorted(by: { ($0.begin, $0.key) < ($1.begin, $1.key) }) {
      tensors.append(entry.key, entry.matrix)
    }
    return (tensors, metadata)
  }
}
