import Foundation
import Testing

/// The steps of a run's TensorBoard event file, in file order, read from the TFRecord frames
/// and each `Event`'s field 2 (ExperimentsTests' reader checks the CRCs and the values).
enum EventFileSteps {
  static func steps(inRun run: URL) throws -> [Int64] {
    let names = try FileManager.default.contentsOfDirectory(atPath: run.path)
      .filter { $0.hasPrefix("events.out.tfevents.") }
    try #require(names.count == 1, "event files: \(names)")
    let bytes = [UInt8](try Data(contentsOf: run.appendingPathComponent(names[0])))
    func littleEndian(_ range: Range<Int>) -> Int {
      bytes[range].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
    var steps: [Int64] = []
    var offset = 0
    while offset < bytes.count {
      let length = littleEndian(offset..<offset + 8)
      var index = offset + 12
      let end = index + length
      try #require(end + 4 <= bytes.count, "a truncated record at byte \(offset)")
      var step: Int64 = 0
      while index < end {
        let key = bytes[index]
        index += 1
        switch key & 7 {
        case 0:
          var value: UInt64 = 0
          var shift: UInt64 = 0
          repeat {
            value |= UInt64(bytes[index] & 0x7f) << shift
            shift += 7
            index += 1
          } while bytes[index - 1] & 0x80 != 0
          if key >> 3 == 2 { step = Int64(bitPattern: value) }
        case 1: index += 8
        case 2:
          var length = 0
          var shift = 0
          repeat {
            length |= Int(bytes[index] & 0x7f) << shift
            shift += 7
            index += 1
          } while bytes[index - 1] & 0x80 != 0
          index += length
        default:
          Issue.record("unexpected wire type in an Event")
          return steps
        }
      }
      steps.append(step)
      offset = end + 4
    }
    return steps
  }
}
