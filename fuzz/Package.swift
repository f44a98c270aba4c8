// swift-tools-version: 6.0
import PackageDescription

// The spec fuzzer, kept out of the root package so that `swift build` and `swift test` never
// build it. scripts/fuzz-spec builds it with `-sanitize=fuzzer,address`.
//
// The root package is a path dependency, whose identity is the name of its folder; a clone may
// have any name, so the manifest reads it from where it sits.
let rootFolder = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "")

let package = Package(
  name: "RecurFuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .systemLibrary(name: "CLibFuzzer"),
    .executableTarget(
      name: "SpecFuzzer",
      dependencies: ["CLibFuzzer", .product(name: "Recur", package: rootFolder)]
    ),
  ],
  swiftLanguageModes: [.v6]
)
