import Experiments
import Foundation
import Recur
import Tensors
import Testing

@Suite struct SafeTensorsTests {
  static let parameters = ParameterSet<Float>([
    ("forward.U", Matrix(rows: 2, columns: 3, elements: [1, -2, 0.5, 3, 0, -0.25])),
    ("output.d", Matrix(rows: 1, columns: 2, elements: [7, 8])),
  ])

  @Test func layoutFollowsTheFormat() throws {
    let data = try SafeTensors.encode(Self.parameters)
    let headerLength = data.prefix(8).enumerated().reduce(0) {
      $0 | Int($1.element) << (8 * $1.offset)
    }
    #expect(headerLength % 8 == 0)
    let header = try #require(
      try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength)))
        as? [String: [String: Any]])
    #expect(header["forward.U"]?["dtype"] as? String == "F32")
    #expect(header["forward.U"]?["shape"] as? [Int] == [2, 3])
    #expect(header["forward.U"]?["data_offsets"] as? [Int] == [0, 24])
    #expect(header["output.d"]?["data_offsets"] as? [Int] == [24, 32])
    #expect(data.count == 8 + headerLength + 32)
    // Little-endian 0.5 (0x3F000000) is the third float of forward.U.
    let start = 8 + headerLength + 8
    #expect(Array(data[start..<(start + 4)]) == [0x00, 0x00, 0x00, 0x3F])
  }

  /// NumPy, as a reader independent of this code, reads the tensors back.
  @Test func numpyReadsItBack() throws {
    let script = """
      import json, struct, sys
      import numpy as np
      raw = open(sys.argv[1], "rb").read()
      (n,) = struct.unpack("<Q", raw[:8])
      header = json.loads(raw[8:8 + n])
      out = {}
      for key, spec in header.items():
          begin, end = spec["data_offsets"]
          array = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<f4").reshape(spec["shape"])
          out[key] = array.tolist()
      print(json.dumps(out, sort_keys=True))
      """
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-safetensors-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("model.safetensors")
    try SafeTensors.encode(Self.parameters).write(to: file)
    let scriptURL = folder.appendingPathComponent("read.py")
    try script.write(to: scriptURL, atomically: true, encoding: .utf8)
    guard let output = try Python.run([scriptURL.path, file.path]) else { return }
    #expect(
      output.trimmingCharacters(in: .whitespacesAndNewlines)
        == #"{"forward.U": [[1.0, -2.0, 0.5], [3.0, 0.0, -0.25]], "output.d": [[7.0, 8.0]]}"#)
  }
}

/// Runs python3 with a module the script needs, or says why it cannot.
enum Python {
  /// The script's standard output, or `nil` (with a note) when python3 or `module` is missing;
  /// `missing` says how the module is named and installed. `quiet` discards what the script
  /// writes to standard error (a library's warnings).
  static func run(
    _ arguments: [String], needing module: String = "numpy", missing: String = "NumPy",
    quiet: Bool = false
  ) throws -> String? {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import \(module)"]
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else {
      print("skipped: python3 is not available")
      return nil
    }
    probe.waitUntilExit()
    guard probe.terminationStatus == 0 else {
      print("skipped: \(missing) is not installed for python3")
      return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    if quiet { process.standardError = FileHandle.nullDevice }
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self)
  }
}

@Suite struct SafeTensorsDecodingTests {
  @Test func roundTrip() throws {
    let data = try SafeTensors.encode(SafeTensorsTests.parameters)
    let decoded = try SafeTensors.decode(data)
    #expect(decoded.tensors == SafeTensorsTests.parameters)
  }

  /// A file as another writer lays it out: keys in another order, a 1-D tensor, metadata, no
  /// padding, data in an order unlike the header's.
  @Test func readsAFileWrittenByHand() throws {
    let header =
      #"{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
      + #""__metadata__":{"format":"pt"},"#
      + #""a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}"#
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    for value: Float in [1.5, -2, 4] {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
    let decoded = try SafeTensors.decode(data)
    #expect(decoded.metadata == ["format": "pt"])
    #expect(decoded.tensors.keys == ["b", "a"])
    #expect(decoded.tensors["b"] == Matrix(rows: 1, columns: 2, elements: [1.5, -2]))
    #expect(decoded.tensors["a"] == Matrix(rows: 1, columns: 1, elements: [4]))
  }

  @Test func truncatedAndCorruptFilesAreErrors() throws {
    let data = try SafeTensors.encode(SafeTensorsTests.parameters)
    let cases: [(Data, String)] = [
      (data.prefix(5), "shorter than the 8-byte header"),
      (data.prefix(30), "truncated"),
      (data.prefix(data.count - 3), "outside the file"),
      (Data(repeating: 0, count: 8) + Data("x".utf8), "not a JSON object"),
    ]
    for (bytes, words) in cases {
      do {
        _ = try SafeTensors.decode(Data(bytes))
        Issue.record("\(bytes.count) bytes were accepted")
      } catch {
        #expect(error.description.contains(words), "\(error)")
      }
    }
  }
}
