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
      try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        == [".lock", "notes.txt"])
  }

  @Test func aNewRunDirectoryIsOwnedByItsCreator() throws {
    let root = try Self.scratch()
    let directory = try RunDirectory.create(root: root, name: "exp")
    #expect(FolderLock.owner(of: directory.url)?.holder == getpid())
    #expect(throws: FolderInUse.self) { try RunDirectory.own(directory.url) }
    #expect(throws: FolderInUse.self) { try RunDirectory.claim(directory.url) }
  }

  @Test func staleTemporariesGoAndEverythingElseStays() throws {
    let directory = try RunDirectory.own(try Self.scratch().appendingPathComponent("run"))
    let manager = FileManager.default
    // Left by a killed process 999999: a truncated file and a half-written checkpoint folder.
    try Data("epoch,spl".utf8).write(to: directory.path(".metrics.csv.tmp-999999"))
    try manager.createDirectory(
      at: directory.path(".checkpoint.tmp-999999"), withIntermediateDirectories: false)
    try Data([1, 2]).write(to: directory.path(".checkpoint.tmp-999999/model.safetensors"))
    // This process's own temporary, and files that only look alike.
    try Data().write(to: directory.path(".notes.txt.tmp-\(getpid())"))
    try Data().write(to: directory.path("notes.tmp-123"))
    try Data().write(to: directory.path(".hidden.tmp-x"))
    try directory.write("a: 1\n", to: "spec.yaml")
    try directory.removeStaleTemporaries()
    #expect(
      try manager.contentsOfDirectory(atPath: directory.url.path).sorted() == [
        ".hidden.tmp-x", ".lock", ".notes.txt.tmp-\(getpid())", "notes.tmp-123", "spec.yaml",
      ])
  }

  @Test func emptyingAFolderKeepsOnlyItsLock() throws {
    let directory = try RunDirectory.own(try Self.scratch().appendingPathComponent("run"))
    try directory.write("{}\n", to: "manifest.json")
    try directory.write("x\n", to: "metrics.csv")
    try FileManager.default.createDirectory(
      at: directory.path("checkpoint"), withIntermediateDirectories: false)
    try Data("y\n".utf8).write(to: directory.path("checkpoint/trainer.json"))
    try directory.removeContents()
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == [".lock"])
    #expect(FolderLock.owner(of: directory.url)?.holder == getpid())
  }

  @Test func flushedOutputsAreTheRunsFilesWithoutItsBookkeeping() throws {
    let directory = try RunDirectory.own(try Self.scratch().appendingPathComponent("run"))
    for file in ["spec.yaml", "manifest.json", "runner.log", "model.safetensors", ".x.tmp-1"] {
      try Data("z".utf8).write(to: directory.path(file))
    }
    for folder in ["checkpoint", "plots"] {
      try FileManager.default.createDirectory(
        at: directory.path(folder), withIntermediateDirectories: false)
      try Data("z".utf8).write(to: directory.path("\(folder)/a.bin"))
    }
    #expect(try directory.flushOutputs() == ["model.safetensors", "plots/a.bin", "spec.yaml"])
  }

  @Test func anUnwritableRootIsAnError() throws {
    let root = try Self.scratch()
    let blocker = root.appendingPathComponent("file")
    try "x".write(to: blocker, atomically: true, encoding: .utf8)
    // The system's message, not a Foundation error dump.
    #expect {
      try RunDirectory.create(root: blocker, name: "exp")
    } throws: { error in
      (error as? RunFileError)?.description == "\(blocker.path)/exp: Not a directory"
    }
    #expect {
      try RunDirectory.own(blocker.appendingPathComponent("run"))
    } throws: { error in
      (error as? RunFileError)?.description == "\(blocker.path)/run: Not a directory"
    }
  }
}
