import Testing
import YAMLSpec

@Suite struct SourceLocationTests {
  @Test func describesItselfAsPathLineColumn() {
    let source = SourceFile(name: "x/a.yaml", text: "")
    let location = SourceLocation(source: source, line: 7, column: 14)
    #expect(location.description == "x/a.yaml:7:14")
  }

  @Test func comparesSourcesByName() {
    let a = SourceLocation(source: SourceFile(name: "a", text: "1"), line: 1, column: 2)
    let sameName = SourceLocation(source: SourceFile(name: "a", text: "2"), line: 1, column: 2)
    let otherName = SourceLocation(source: SourceFile(name: "b", text: "1"), line: 1, column: 2)
    let otherColumn = SourceLocation(source: a.source, line: 1, column: 3)
    #expect(a == sameName)
    #expect(a != otherName)
    #expect(a != otherColumn)
  }
}
