import Experiments
import Foundation
import Testing

@Suite struct FolderLockTests {
  @Test func oneOwnerAtATimeUntilItLetsGo() throws {
    let folder = try RunDirectoryTests.scratch()
    #expect(FolderLock.owner(of: folder) == nil)
    var lock: FolderLock? = try FolderLock.acquire(folder)
    #expect(lock != nil)
    // flock locks belong to an open file, so a second opening in this same process conflicts
    // exactly as another process would.
    #expect(FolderLock.owner(of: folder)?.holder == getpid())
    let started = Date()
    do {
      _ = try FolderLock.acquire(folder, patience: 0.1)
      Issue.record("a held lock was taken twice")
    } catch let error as FolderInUse {
      #expect(error.holder == getpid())
      #expect(error.path == folder.path)
      #expect(error.description.contains("is in use by runner process \(getpid())"))
    }
    #expect(Date().timeIntervalSince(started) >= 0.1)
    #expect(
      try String(contentsOf: folder.appendingPathComponent(".lock"), encoding: .utf8)
        == "\(getpid())\n")

    lock = nil
    #expect(FolderLock.owner(of: folder) == nil)
    // The lock file stays behind and means nothing: the next owner takes it at once.
    let next = try FolderLock.acquire(folder, patience: 0)
    #expect(next.folder == folder)
  }

  @Test func aFolderWithoutALockFileHasNoOwner() throws {
    let folder = try RunDirectoryTests.scratch()
    #expect(FolderLock.owner(of: folder) == nil)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".lock").path))
  }

  @Test func anUncreatableLockFileIsAFileError() throws {
    let folder = try RunDirectoryTests.scratch().appendingPathComponent("missing")
    #expect {
      try FolderLock.acquire(folder)
    } throws: { error in
      let error = try #require(error as? RunFileError)
      return error.path == folder.appendingPathComponent(".lock").path
        && error.reason == "No such file or directory"
    }
  }
}
