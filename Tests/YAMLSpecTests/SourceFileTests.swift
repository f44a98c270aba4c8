import Testing
import YAMLSpec

@Suite struct SourceFileTests {
  @Test func splitsLinesOnEveryKindOfBreak() {
    let source = SourceFile(name: "a.yaml", text: "one\ntwo\r\nthree\rfour")
    #expect(source.name == "a.yaml")
    #expect(source.lines == ["one", "two", "three", "four"])
  }

  @Test func keepsAnEmptyLastLineAfterATrailingBreak() {
    #expect(SourceFile(name: "a", text: "x\n").lines == ["x", ""])
    #expect(SourceFile(name: "a", text: "").lines == [""])
  }

  @Test func looksUpLinesByOneBasedNumber() {
    let source = SourceFile(name: "a", text: "first\nsecond")
    #expect(source.line(1) == "first")
    #expect(source.line(2) == "second")
    #expect(source.line(0) == nil)
    #expect(source.line(3) == nil)
  }
}
