import Testing

@testable import YAMLSpec

@Suite struct ScalarSyntaxTests {
  @Test(arguments: [
    ("", ScalarSyntax.PlainType.null), ("~", .null), ("null", .null), ("NULL", .null),
    ("nULL", .string), ("true", .boolean), ("No", .boolean), ("OFF", .boolean),
    ("oN", .string), ("12", .integer), ("-3", .integer), ("+4", .integer), ("1.0", .number),
    (".5", .number), ("1e3", .number), ("-2.5E-3", .number), (".inf", .number),
    ("-.Inf", .number), (".NaN", .number), ("0x1F", .string), ("1_000", .string),
    ("1.2.3", .string), ("e3", .string), (".", .string), ("abc", .string),
  ])
  func resolvesPlainScalars(text: String, type: ScalarSyntax.PlainType) {
    #expect(ScalarSyntax.plainType(of: text) == type)
  }

  @Test func readsValues() {
    #expect(ScalarSyntax.boolean("Yes") == true)
    #expect(ScalarSyntax.boolean("off") == false)
    #expect(ScalarSyntax.integer("+17") == 17)
    #expect(ScalarSyntax.integer("99999999999999999999") == nil)
    #expect(ScalarSyntax.number("2.5e1") == 25)
    #expect(ScalarSyntax.number("-.inf") == -.infinity)
    #expect(ScalarSyntax.number(".nan")?.isNaN == true)
    #expect(ScalarSyntax.text(of: 0.001) == "0.001")
    #expect(ScalarSyntax.text(of: -.infinity) == "-.inf")
  }

  @Test func decidesWhatCanBeWrittenPlain() {
    for text in ["abc", "my run", "-3", "a:b", "a#b", "http://x.org/a", "é ü"] {
      #expect(ScalarSyntax.canWritePlain(text, inFlow: false), "\(text)")
    }
    for text in [
      "", " a", "a ", "a: b", "a:", "a #b", "#a", "- a", "[a]", "&a", "*a", "!a",
      "|", ">", "'a", "\"a", "%a", "@a", "`a", "---", "...x", "a\nb", "a\tb", "\u{7}",
    ] {
      #expect(!ScalarSyntax.canWritePlain(text, inFlow: false), "\(text)")
    }
    #expect(!ScalarSyntax.canWritePlain("a,b", inFlow: true))
    #expect(!ScalarSyntax.canWritePlain("a:b", inFlow: true))
    #expect(ScalarSyntax.canWritePlain("a,b", inFlow: false))
  }

  @Test func escapesDoubleQuotedText() {
    #expect(ScalarSyntax.doubleQuoted("a\"b\\c\nd\te\u{1}") == "\"a\\\"b\\\\c\\nd\\te\\u0001\"")
  }
}
