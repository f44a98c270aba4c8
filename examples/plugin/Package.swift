// swift-tools-version: 6.0
import Foundation
import PackageDescription

// A path dependency's package identity is the last component of its path, lowercased: the
// folder the Recur repository is cloned into (`recur`, `main`, `Recur-fork` …), not the name in
// its manifest. This package sits at `examples/plugin` inside that folder, so the identity is
// read from this file's own path instead of being written down.
let recur = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()  // examples/plugin
  .deletingLastPathComponent()  // examples
  .deletingLastPathComponent()  // the Recur checkout
  .lastPathComponent.lowercased()

let package = Package(
  name: "SineSignPlugin",
  platforms: [.macOS(.v13)],
  // MARK: - Products
  products: [
    .executable(name: "plugin-runner", targets: ["plugin-runner"]),
    .library(name: "SineSignPlugin", targets: ["SineSignPlugin"]),
  ],
  dependencies: [.package(path: "../..")],
  targets: [
    // MARK: - The components
    .target(
      name: "SineSignPlugin",
      dependencies: [
        .product(name: "Recur", package: recur), .product(name: "RecurCLI", package: recur),
      ]
    ),

    // MARK: - Runners
    /// Every `runner` command with the plugin's components added.
    .executableTarget(
      name: "plugin-runner",
      dependencies: ["SineSignPlugin", .product(name: "RecurCLI", package: recur)]
    ),
    /// Registers a second `sgd`: shows the start-up error a name clash gives.
    .executableTarget(
      name: "clashing-runner",
      dependencies: ["SineSignPlugin", .product(name: "RecurCLI", package: recur)]
    ),
  ],
  swiftLanguageModes: [.v6]
)
