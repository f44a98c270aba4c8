import Foundation
import Recur
import Testing

/// The repository's copy of UD English EWT, beside the package in `../shared/data`.
enum EWT {
  static let folder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/data/ud-english-ewt").standardized

  static func path(_ split: String) -> String {
    folder.appendingPathComponent("en_ewt-ud-\(split).conllu").path
  }

  static var available: Bool { FileManager.default.fileExists(atPath: path("dev")) }
}

@Suite struct EWTTests {
  /// The dev file against its STATS.md: 2,001 sentences, 25,147 words (multiword ranges and
  /// empty nodes skipped), 17 UPOS tags, NOUN 4,210 and PUNCT 3,075 of them.
  @Test(
    .enabled(
      if: EWT.available,
      "UD English EWT is not in ../shared/data/ud-english-ewt; see README, Datasets and metrics"))
  func devFileMatchesItsStatistics() throws {
    let sentences = try CorpusReader.readCoNLLU(EWT.path("dev"), tagColumn: .upos)
    #expect(sentences.count == 2001)
    let tags = sentences.flatMap(\.tags)
    #expect(tags.count == 25147)
    #expect(Set(tags).count == 17)
    #expect(tags.filter { $0 == "NOUN" }.count == 4210)
    #expect(tags.filter { $0 == "PUNCT" }.count == 3075)
    #expect(sentences.map(\.words.count).max() == 75)
  }
}
