import Experiments
import Foundation
import Testing

@Suite struct FingerprintTests {
  /// A file's SHA-256: the FIPS 180-2 vector for "abc", and a file of several 1 MiB chunks
  /// against the hash of its bytes in memory; nil for a missing file.
  @Test func fileHashesMatchTheirBytes() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-fingerprint-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let abc = folder.appendingPathComponent("abc")
    try Data("abc".utf8).write(to: abc)
    #expect(
      Fingerprint.sha256(file: abc.path)
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let large = folder.appendingPathComponent("large")
    let bytes = Data((0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    try bytes.write(to: large)
    #expect(Fingerprint.sha256(file: large.path) == Fingerprint.sha256(bytes))
    #expect(Fingerprint.sha256(file: folder.appendingPathComponent("missing").path) == nil)
  }
}
