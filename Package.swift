// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Recur",
  platforms: [.macOS(.v13)],
  // MARK: - Public products
  products: [
    .library(name: "Recur", targets: ["YAMLSpec", "Tensors", "Recur", "Experiments"]),
    /// Every `runner` command, for a plugin's own runner: `RecurCLI.main(registry:)`.
    .library(name: "RecurCLI", targets: ["RecurCLI"]),
    .executable(name: "runner", targets: ["runner"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    // MARK: - System libraries
    .systemLibrary(
      name: "CLibYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),

    // MARK: - Implementation
    .target(name: "YAMLSpec", dependencies: ["CLibYAML"]),
    .target(name: "CKernels"),
    .target(name: "CProcess"),
    .target(name: "Tensors", dependencies: ["COpenBLAS", "CKernels"]),
    .target(name: "Recur", dependencies: ["Tensors"]),
    .target(
      name: "Experiments",
      dependencies: [
        "YAMLSpec", "Tensors", "Recur",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(
      name: "RecurCLI",
      dependencies: [
        "Experiments", "YAMLSpec", "Recur", "Tensors", "CProcess",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "runner", dependencies: ["RecurCLI", "Experiments"]),

    // MARK: - Tests
    .target(name: "TestSupport", dependencies: ["Recur", "Tensors"], path: "Tests/TestSupport"),
    .testTarget(name: "YAMLSpecTests", dependencies: ["YAMLSpec"]),
    .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
    .testTarget(name: "RecurTests", dependencies: ["Recur", "Tensors", "TestSupport"]),
    .testTarget(
      name: "ExperimentsTests", dependencies: ["Experiments", "YAMLSpec", "Recur", "Tensors"]),
    .testTarget(
      name: "RunnerTests",
      dependencies: ["runner", .product(name: "Crypto", package: "swift-crypto")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
