import Foundation
import Recur
import Tensors

/// The safetensors file format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian tensor data. NumPy and PyTorch
/// users read it with the `safetensors` package, or by hand in a few lines.
public enum SafeTensors {
  /// Encodes `parameters` as F32 tensors (2-D, `rows × columns`) in key order.
  public static func encode(
    _ parameters: ParameterSet<Float>, metadata: [String: String] = [:]
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
        "shape": .array([.integer(matrix.rows), .integer(matrix.columns)]),
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
