import Foundation

/// A failure to create or write a run's files.
public struct RunFileError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var reason: String

  public var description: String { "\(path): \(reason)" }
}

/// The folder `<root>/<name>/<run-id>/` that holds everything one run leaves behind. Every file is
/// written to a temporary name beside its target and renamed over it, so a reader never sees a
/// half-written file and a crash never corrupts one already there.
public struct RunDirectory: Sendable {
  public let url: URL
  /// Sorts by start time: UTC `yyyyMMdd-HHmmss-SSS`, then `-2`, `-3` … for runs started in the
  /// same millisecond.
  public let id: String

  /// Creates a new, empty run directory under `root/name`. The id is claimed by creating the
  /// folder, which fails if it exists, so two runs never share one.
  public static func create(
    root: URL, name: String, now: Date = Date()
  ) throws(RunFileError)
    -> RunDirectory
  {
    let parent = root.appendingPathComponent(name, isDirectory: true)
    do {
      try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    } catch {
      throw RunFileError(
        path: parent.path, reason: "cannot create folder (\(error.localizedDescription))")
    }
    let stamp = timestamp(now)
    for attempt in 1...1000 {
      let id = attempt == 1 ? stamp : "\(stamp)-\(attempt)"
      let url = parent.appendingPathComponent(id, isDirectory: true)
      if mkdir(url.path, 0o755) == 0 { return RunDirectory(url: url, id: id) }
      let code = errno
      guard code == EEXIST else {
        throw RunFileError(path: url.path, reason: String(cString: strerror(code)))
      }
    }
    throw RunFileError(path: parent.path, reason: "no free run id for \(stamp)")
  }

  /// Opens the folder `url`, creating it (and its parents) when missing.
  static func claimFolder(_ url: URL) throws(RunFileError) -> RunDirectory {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw RunFileError(
        path: url.path, reason: "cannot create folder (\(error.localizedDescription))")
    }
    return RunDirectory(url: url, id: url.lastPathComponent)
  }

  /// Claims the folder `url` for one run, creating it (and its parents) when missing: a run
  /// placed by its caller (a sweep's trial) instead of under a timestamp. The folder may already
  /// hold files, such as the spec the run reads, but not a run: a `manifest.json` there is an
  /// error. The id is the folder's name.
  public static func claim(_ url: URL) throws(RunFileError) -> RunDirectory {
    let directory = try claimFolder(url)
    let manifest = url.appendingPathComponent("manifest.json")
    guard !FileManager.default.fileExists(atPath: manifest.path) else {
      throw RunFileError(path: url.path, reason: "already holds a run (manifest.json)")
    }
    return directory
  }

  /// Opens an existing run directory.
  public init(url: URL, id: String) {
    self.url = url
    self.id = id
  }

  static func timestamp(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents(
      [.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
    func pad(_ value: Int?, _ width: Int) -> String {
      let text = String(value ?? 0)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "-" + pad(c.hour, 2)
      + pad(c.minute, 2) + pad(c.second, 2) + "-" + pad((c.nanosecond ?? 0) / 1_000_000, 3)
  }

  /// The URL of `file` inside the run directory.
  public func path(_ file: String) -> URL {
    url.appendingPathComponent(file)
  }

  /// Writes `data` to `file` atomically: a temporary file in the same folder, then a rename.
  public func write(_ data: Data, to file: String) throws(RunFileError) {
    let target = path(file)
    let temporary = url.appendingPathComponent(".\(file).tmp-\(getpid())")
    do {
      try data.write(to: temporary)
    } catch {
      throw RunFileError(path: temporary.path, reason: error.localizedDescription)
    }
    guard rename(temporary.path, target.path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary.path)
      throw RunFileError(path: target.path, reason: reason)
    }
  }

  /// Writes UTF-8 `text` to `file` atomically.
  public func write(_ text: String, to file: String) throws(RunFileError) {
    try write(Data(text.utf8), to: file)
  }
}
