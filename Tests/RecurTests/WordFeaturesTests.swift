import Recur
import Testing

@Suite struct WordFeaturesTests {
  /// The published FNV-1a 64-bit test vectors (offset basis, "a", "foobar").
  @Test func fnv1aMatchesReferenceVectors() {
    #expect(fnv1a("") == 0xcbf2_9ce4_8422_2325)
    #expect(fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
    #expect(fnv1a("foobar") == 0x8594_4171_f739_67e8)
  }

  @Test func shapesCollapseRuns() {
    #expect(WordFeatures.shape(of: "McDonald's") == "XxXx'x")
    #expect(WordFeatures.shape(of: "1990s") == "dx")
    #expect(WordFeatures.shape(of: "USA") == "X")
    #expect(WordFeatures.shape(of: "e-mail") == "x-x")
  }

  /// Bucket indices computed with Python from the FNV-1a definition:
  /// fnv1a("shape:Xx") = 0x99ab28a020279eb4 ≡ 28, fnv1a("p1:w") ≡ 9, fnv1a("s2:ng") ≡ 61 (mod 100).
  @Test func namesAndBuckets() {
    let features = WordFeatures(prefixLength: 2, suffixLength: 3, shape: true, buckets: 100)
    #expect(
      features.names(of: "Walking") == ["shape:Xx", "p1:w", "p2:wa", "s1:g", "s2:ng", "s3:ing"])
    // Lengths beyond the word are left out.
    #expect(features.names(of: "I") == ["shape:X", "p1:i", "s1:i"])
    let indices = features.indices(of: "Walking", offset: 1000)
    #expect(indices.contains(1028) && indices.contains(1009) && indices.contains(1061))
    #expect(indices.allSatisfy { (1000..<1100).contains($0) })
    #expect(indices == indices.sorted() && Set(indices).count == indices.count)

    let none = WordFeatures(prefixLength: 0, suffixLength: 0, shape: false, buckets: 100)
    #expect(!none.isEnabled && none.width == 0 && none.indices(of: "Walking", offset: 5).isEmpty)
  }

  /// Train "the The cat sat the" lowercased: the ×3, cat ×1, sat ×1. min_count 2 keeps only
  /// "the" (index 1); everything else is unknown (index 0 is the unknown token).
  @Test func vocabularyFromTrainOnly() {
    let vocabulary = Vocabulary(
      sentences: [["the", "The", "cat"], ["sat", "the"]], minCount: 2, lowercase: true,
      unknownToken: "<unk>")
    #expect(vocabulary.words == ["<unk>", "the"])
    #expect(vocabulary.index(of: "THE") == 1)
    #expect(vocabulary.index(of: "cat") == nil)
    #expect(vocabulary.index(of: "<unk>") == nil)

    let cased = Vocabulary(
      sentences: [["the", "The", "cat"]], minCount: 1, lowercase: false, unknownToken: "<unk>")
    #expect(cased.words == ["<unk>", "the", "The", "cat"])
    #expect(cased.index(of: "THE") == nil)
  }
}
