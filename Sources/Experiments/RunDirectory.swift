import Foundation

/// A failure to create or write a run's files.
public struct RunFileError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var reason: String

  public var description: String { "\(path): \(reason)" }

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  /// The failure of a file operation on `path`, described by the system's message for its
  /// error number where Foundation kept one (`Permission denied`, `Directory not empty`).
  public init(path: String, error: any Error) {
    let error = error as NSError
    // The underlying error is a Swift `POSIXError`, which does not cast to NSError on Linux.
    let underlying = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map { $0 as NSError }
    if let posix = [error, underlying].compactMap({ $0 }).first(where: {
      $0.domain == NSPOSIXErrorDomain
    }) {
      self.init(path: path, reason: String(cString: strerror(Int32(posix.code))))
    } else {
      self.init(path: path, reason: error.localizedFailureReason ?? error.localizedDescription)
    }
  }

  /// The failure of a system call on `path`, from `errno`.
  static func system(_ path: String) -> RunFileError {
    RunFileError(path: path, reason: String(cString: strerror(errno)))
  }
}

/// The folder `<root>/<name>/<run-id>/` that holds everything one run leaves behind. Every file is
/// written to a temporary name beside its target and renamed over it, so a reader never sees a
/// half-written file and a crash never corrupts one already there. A run owns its folder through
/// a `FolderLock` for as long as it lives.
public struct RunDirectory: Sendable {
  public let url: URL
  /// Sorts by start time: UTC `yyyyMMdd-HHmmss-SSS`, then `-2`, `-3` … for runs started in the
  /// same millisecond.
  public let id: String
  /// This process's ownership of the folder; nil for a folder opened only to be read.
  public let lock: FolderLock?

  /// Creates a new, empty run directory under `root/name` and takes its lock. The id is claimed
  /// by creating the folder, which fails if it exists, so two runs never share one.
  public static func create(
    root: URL, name: String, now: Date = Date()
  ) throws -> RunDirectory {
    let parent = root.appendingPathComponent(name, isDirectory: true)
    do {
      try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    } catch {
      throw RunFileError(path: parent.path, error: error)
    }
    let stamp = timestamp(now)
    for attempt in 1...1000 {
      let id = attempt == 1 ? stamp : "\(stamp)-\(attempt)"
      let url = parent.appendingPathComponent(id, isDirectory: true)
      if mkdir(url.path, 0o755) == 0 {
        return RunDirectory(url: url, id: id, lock: try FolderLock.acquire(url))
      }
      guard errno == EEXIST else { throw RunFileError.system(url.path) }
    }
    throw RunFileError(path: parent.path, reason: "no free run id for \(stamp)")
  }

  /// Takes the folder `url` for this process, creating it (and its parents) when missing: its
  /// lock, which `FolderInUse` reports another live process holding. The id is the folder's
  /// name.
  public static func own(_ url: URL) throws -> RunDirectory {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw RunFileError(path: url.path, error: error)
    }
    return RunDirectory(url: url, id: url.lastPathComponent, lock: try FolderLock.acquire(url))
  }

  /// Claims the folder `url` for one run, creating it (and its parents) when missing: a run
  /// placed by its caller (a sweep's trial) instead of under a timestamp. The folder may already
  /// hold files, such as the spec the run reads, but not a run: a `manifest.json` there is an
  /// error, and so is another live process owning it (`FolderInUse`). Temporaries left by killed
  /// processes are removed.
  public static func claim(_ url: URL) throws -> RunDirectory {
    let directory = try own(url)
    let manifest = url.appendingPathComponent("manifest.json")
    guard !FileManager.default.fileExists(atPath: manifest.path) else {
      throw RunFileError(path: url.path, reason: "already holds a run (manifest.json)")
    }
    try directory.removeStaleTemporaries()
    return directory
  }

  /// Opens an existing run directory to read it, without owning it.
  public init(url: URL, id: String) {
    self.init(url: url, id: id, lock: nil)
  }

  init(url: URL, id: String, lock: FolderLock?) {
    self.url = url
    self.id = id
    self.lock = lock
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

  /// Writes `data` to `file` atomically: a temporary file in the same folder
  /// (`.<file>.tmp-<pid>`), then a rename.
  public func write(_ data: Data, to file: String) throws(RunFileError) {
    let target = path(file)
    let temporary = url.appendingPathComponent(".\(file).tmp-\(getpid())")
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw RunFileError.system(temporary.path) }
    // The error number of the first failure, 0 when every byte went out and the file closed.
    var failure = data.withUnsafeBytes { bytes -> Int32 in
      var offset = 0
      while offset < bytes.count {
        let count = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return count < 0 ? errno : EIO }
        offset += count
      }
      return 0
    }
    if close(descriptor) != 0, failure == 0 { failure = errno }
    guard failure == 0 else {
      unlink(temporary.path)
      throw RunFileError(path: temporary.path, reason: String(cString: strerror(failure)))
    }
    guard rename(temporary.path, target.path) == 0 else {
      let failure = RunFileError.system(target.path)
      unlink(temporary.path)
      throw failure
    }
  }

  /// Writes UTF-8 `text` to `file` atomically.
  public func write(_ text: String, to file: String) throws(RunFileError) {
    try write(Data(text.utf8), to: file)
  }

  /// Whether `name` is a temporary of `write` or of a checkpoint (`.<name>.tmp-<pid>`), and the
  /// process id that made it.
  static func temporaryOwner(_ name: String) -> Int32? {
    guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards) else {
      return nil
    }
    return Int32(name[range.upperBound...])
  }

  /// Removes the temporary files and checkpoint folders (`.<name>.tmp-<pid>`) that processes
  /// killed while writing left behind. Only the folder's owner may call it: holding the lock,
  /// it knows that no other live process writes here.
  public func removeStaleTemporaries() throws(RunFileError) {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    } catch {
      throw RunFileError(path: url.path, error: error)
    }
    for name in names {
      guard let owner = Self.temporaryOwner(name), owner != getpid() else { continue }
      try remove(name)
    }
  }

  /// Removes everything in the folder but its lock file, `manifest.json` first, so that a
  /// folder caught half-emptied never holds a manifest. For the folder's owner only.
  public func removeContents() throws(RunFileError) {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    } catch {
      throw RunFileError(path: url.path, error: error)
    }
    let manifest = "manifest.json"
    if names.contains(manifest) { try remove(manifest) }
    for name in names.sorted() where name != manifest && name != FolderLock.fileName {
      try remove(name)
    }
  }

  private func remove(_ name: String) throws(RunFileError) {
    do {
      try FileManager.default.removeItem(at: path(name))
    } catch {
      throw RunFileError(path: path(name).path, error: error)
    }
  }

  /// The names at the top of a run directory that are not the run's outputs: the manifest, the
  /// checkpoint, the lock and temporaries (hidden names), a sweep trial's `runner.log`.
  static let bookkeeping: Set<String> = [
    "manifest.json", "runner.log", Checkpoint.folder, Checkpoint.previousFolder,
  ]

  /// Forces every output file of the run (everything but `bookkeeping` and hidden names, in
  /// subfolders too) and the folders holding them to disk, and returns their paths relative to
  /// the folder, sorted. Called before the manifest says `completed`, so that what it lists is
  /// on disk before the word that promises it.
  public func flushOutputs() throws(RunFileError) -> [String] {
    try flushTree(url, prefix: "").sorted()
  }

  private func flushTree(_ folder: URL, prefix: String) throws(RunFileError) -> [String] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    } catch {
      throw RunFileError(path: folder.path, error: error)
    }
    var files: [String] = []
    for name in names.sorted() where !name.hasPrefix(".") {
      if prefix.isEmpty, Self.bookkeeping.contains(name) { continue }
      let item = folder.appendingPathComponent(name)
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: item.path, isDirectory: &isFolder) else {
        continue
      }
      if isFolder.boolValue {
        files += try flushTree(item, prefix: prefix + name + "/")
      } else {
        try Self.synchronize(item)
        files.append(prefix + name)
      }
    }
    try Self.synchronize(folder)
    return files
  }

  /// Forces the folder's entries (its renames) to disk.
  public func flushFolder() throws(RunFileError) {
    try Self.synchronize(url)
  }

  /// fsync of a file or folder.
  static func synchronize(_ item: URL) throws(RunFileError) {
    let descriptor = open(item.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw RunFileError.system(item.path) }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw RunFileError.system(item.path) }
  }

  /// The files a completed run promises that are not in the folder: `spec.yaml`,
  /// `model.safetensors`, the metrics file of each of `formats`, and every file the manifest
  /// lists (`files`, recorded when the run completed).
  public func missingFiles(promisedBy manifest: Manifest, formats: [MetricsFormat]) -> [String] {
    var promised = ["spec.yaml", "model.safetensors"]
    if formats.contains(.csv) { promised.append("metrics.csv") }
    if formats.contains(.json) { promised.append("metrics.json") }
    for file in manifest.files ?? [] where !promised.contains(file) { promised.append(file) }
    return promised.filter { !FileManager.default.fileExists(atPath: path($0).path) }
  }
}
