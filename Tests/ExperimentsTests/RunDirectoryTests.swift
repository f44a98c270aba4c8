import Experiments
import Foundation
import Testing

@Suite struct RunDirectoryTests {
  static func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-rundir-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func idsSortByTimeAndStayUniqueWithinOneMillisecond() throws {
    let root = try Self.scratch()
    // 2026-11-27 03:04:05.678 UTC
    let instant = Date(timeIntervalSince1970: 1_795_748_645.678_4)
    let first = try RunDirectory.create(root: root, name: "exp", now: instant)
    let second = try RunDirectory.create(root: root, name: "exp", now: instant)
    let third = try RunDirectory.create(root: root, name: "exp", now: instant)
    let later = try RunDirectory.create(root: root, name: "exp", now: instant + 1)
    #expect(first.id == "20261127-030405-678")
    #expect(second.id == "20261127-030405-678-2")
    #expect(third.id == "20261127-030405-678-3")
    #expect(later.id == "20261127-030406-678")
    let ids = [first.id, second.id, third.id, later.id]
    #expect(ids.sorted() == ids)
    #expect(first.url.path == root.appendingPathComponent("exp/20261127-030405-678").path)
  }

  @Test func writesReplaceWholeFilesAndLeaveNoTemporaries() throws {
    let directory = try RunDirectory.create(root: try Self.scratch(), name: "exp")
    try directory.write("first\n", to: "notes.txt")
    try directory.write("second, longer\n", to: "notes.txt")
    #expect(
      try String(contentsOf: directory.path("notes.txt"), encoding: .utf8) == "second, longer\n")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["notes.txt"])
  }

  @Test func anUnwritableRootIsAnError() throws {
    let root = try Self.scratch()
    let blocker = root.appendingPathComponent("file")
    try "x".write(to: blocker, atomically: true, encoding: .utf8)
    #expect(throws: RunFileError.self) {
      try RunDirectory.create(root: blocker, name: "exp")
    }
  }
}
