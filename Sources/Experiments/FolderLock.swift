import Foundation

/// A run or sweep folder that another live process owns; nothing in it was changed.
public struct FolderInUse: Error, Sendable, CustomStringConvertible {
  public var path: String
  /// The owner's process id, as it wrote it into the lock file; nil when unreadable.
  public var holder: Int32?

  public var description: String {
    "\(path) is in use by runner process \(holder.map(String.init) ?? "(pid unknown)"), which "
      + "owns it until it exits; it was left as it is"
  }
}

/// Ownership of a run or sweep folder by one live process: an exclusive `flock` on the folder's
/// `.lock` file, which holds the owner's process id. The kernel drops the lock when its owner
/// exits, however it exits (SIGKILL included), so a lock never outlives its holder and a `.lock`
/// file left behind means nothing. Held until the value is released.
public final class FolderLock: Sendable {
  /// The lock file's name inside the folder.
  public static let fileName = ".lock"

  public let folder: URL
  private let descriptor: Int32

  private init(folder: URL, descriptor: Int32) {
    self.folder = folder
    self.descriptor = descriptor
  }

  deinit {
    close(descriptor)
  }

  /// Takes the lock of `folder`, which must exist, and writes this process's id into it. A
  /// lock another process holds is retried for `patience` seconds (another runner that only
  /// looks at the folder holds it for microseconds), then is `FolderInUse`.
  public static func acquire(_ folder: URL, patience: Double = 0.25) throws -> FolderLock {
    let path = folder.appendingPathComponent(fileName).path
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw RunFileError(path: path, reason: String(cString: strerror(errno)))
    }
    let deadline = Date().addingTimeInterval(patience)
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      guard code == EWOULDBLOCK || code == EINTR else {
        close(descriptor)
        throw RunFileError(path: path, reason: String(cString: strerror(code)))
      }
      if code == EWOULDBLOCK, Date() >= deadline {
        let holder = Self.recordedHolder(descriptor)
        close(descriptor)
        throw FolderInUse(path: folder.path, holder: holder)
      }
      usleep(10_000)
    }
    let text = Array("\(getpid())\n".utf8)
    guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, text, text.count, 0) == text.count
    else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw RunFileError(path: path, reason: reason)
    }
    return FolderLock(folder: folder, descriptor: descriptor)
  }

  /// Who holds the lock of `folder` now, or nil when no process does (or there is no lock
  /// file). Looks without waiting and changes nothing.
  public static func owner(of folder: URL) -> FolderInUse? {
    let descriptor = open(folder.appendingPathComponent(fileName).path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
      flock(descriptor, LOCK_UN)
      return nil
    }
    return FolderInUse(path: folder.path, holder: recordedHolder(descriptor))
  }

  /// The process id written in the lock file.
  private static func recordedHolder(_ descriptor: Int32) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = pread(descriptor, &buffer, buffer.count, 0)
    guard count > 0 else { return nil }
    let text = String(decoding: buffer[..<count], as: UTF8.self)
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
