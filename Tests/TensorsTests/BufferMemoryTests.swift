import Foundation
import Tensors
import Testing

/// The blocks `BufferMemory` hands out: their sizes, alignment, and, where the kernel has
/// transparent huge pages, the advice recorded on a large block's mapping.
@Suite struct BufferMemoryTests {
  static let hugePage = 2 << 20

  @Test func largeBlocksCoverWholeHugePages() {
    #expect(BufferMemory.capacity(forByteCount: 100) == 100)
    #expect(BufferMemory.capacity(forByteCount: Self.hugePage - 1) == Self.hugePage - 1)
    #expect(BufferMemory.capacity(forByteCount: Self.hugePage) == Self.hugePage)
    #expect(BufferMemory.capacity(forByteCount: Self.hugePage + 1) == 2 * Self.hugePage)
    #expect(BufferMemory.capacity(forByteCount: 5 << 20) == 6 << 20)
  }

  @Test(arguments: [1, 100, 4096, (2 << 20) - 1, 2 << 20, (5 << 20) + 3])
  func blocksAreAlignedAndWritableToTheirEnd(_ byteCount: Int) {
    let block = BufferMemory.allocate(byteCount: byteCount)
    defer { block.deallocate() }
    let alignment = byteCount >= Self.hugePage ? Self.hugePage : 64
    #expect(Int(bitPattern: block) % alignment == 0)
    let capacity = BufferMemory.capacity(forByteCount: byteCount)
    let bytes = block.bindMemory(to: UInt8.self, capacity: capacity)
    for index in [0, capacity / 2, capacity - 1] { bytes[index] = UInt8(truncatingIfNeeded: index) }
    for index in [0, capacity / 2, capacity - 1] {
      #expect(bytes[index] == UInt8(truncatingIfNeeded: index))
    }
  }

  static var kernelHasHugePages: Bool {
    FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled")
  }

  /// The `VmFlags` of the mapping holding `address`, from `/proc/self/smaps`.
  static func mappingFlags(of address: UnsafeMutableRawPointer) throws -> [Substring] {
    let target = UInt(bitPattern: address)
    let file = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
    let smaps = String(decoding: try #require(try file.readToEnd()), as: UTF8.self)
    var inside = false
    for line in smaps.split(separator: "\n") {
      let fields = line.split(separator: " ")
      if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
        let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
        inside = bounds.count == 2 && bounds[0] <= target && target < bounds[1]
      } else if inside, fields.first == "VmFlags:" {
        return Array(fields.dropFirst())
      }
    }
    Issue.record("no mapping holds \(address)")
    return []
  }

  @Test(.enabled(if: kernelHasHugePages))
  func largeBlocksAreAdvisedHugePagesAndSmallOnesAreNot() throws {
    let large = BufferMemory.allocate(byteCount: 3 << 20)
    defer { large.deallocate() }
    #expect(try Self.mappingFlags(of: large).contains("hg"))
    let small = BufferMemory.allocate(byteCount: 3 << 10)
    defer { small.deallocate() }
    #expect(try !Self.mappingFlags(of: small).contains("hg"))
  }
}
