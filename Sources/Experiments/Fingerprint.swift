import Crypto
import Foundation

/// SHA-256 fingerprints as lowercase hexadecimal.
public enum Fingerprint {
  /// The SHA-256 of `data`.
  public static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// The SHA-256 of UTF-8 `text`.
  public static func sha256(_ text: String) -> String {
    sha256(Data(text.utf8))
  }

  /// The SHA-256 of the file at `path`, read in 1 MiB chunks; nil when it cannot be read.
  public static func sha256(file path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    var hasher = SHA256()
    do {
      // `read(upToCount:)` returns nil at the end of the file.
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
      }
    } catch {
      return nil
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }
}
