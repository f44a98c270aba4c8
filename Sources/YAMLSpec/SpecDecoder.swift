/// A `Decoder` over a `SpecNode`: decodes `Decodable` option structs from a (resolved) tree.
///
/// Type mismatches, missing keys and invalid values are `SpecError`s with the offending node's
/// location and its dotted key path (`path` first, array indices as numbers), never a
/// `DecodingError` dump. Scalars: `Bool` from `true`/`false` (YAML 1.1 `yes`/`no`/`on`/`off`
/// too), the integer types from plain decimal text, `Double` and `Float` from YAML 1.2 core
/// numbers (`.inf`, `.nan`), `String` from any scalar but null, and enums through their `String`
/// raw values (`CaseIterable` ones report the valid names and the closest). Optionals are nil for
/// a missing key or a null value; `[String: T]` decodes from a mapping. An `SpecOptions`'s
/// properties are read at their keys in snake case (`batchSize` at `batch_size`), an `@Include`d
/// group's from the same mapping, and an `OptionSource` is the node being decoded.
public struct SpecDecoder: Sendable {
  /// A decoder.
  public init() {}

  /// Decodes a `T` from `node`, whose key path is `path` (`""` for the root).
  public func decode<T: Decodable>(
    _ type: T.Type, from node: SpecNode, path: String = ""
  )
    throws(SpecError) -> T
  {
    let context = DecodingContext(root: node, basePath: path)
    do {
      return try NodeDecoder(node: node, codingPath: [], context: context, optionKeys: false)
        .decodeValue(type)
    } catch let error as SpecError {
      throw error
    } catch {
      throw context.specError(from: error)
    }
  }
}

/// What every decoder of one `decode` call shares: the root (to locate `DecodingError`s thrown
/// by `init(from:)` implementations) and the key path the root sits at.
private struct DecodingContext {
  let root: SpecNode
  let basePath: String

  func keyPath(_ codingPath: [any CodingKey]) -> String {
    let components = codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
    return ([basePath] + components).filter { !$0.isEmpty }.joined(separator: ".")
  }

  /// The deepest node along `codingPath`.
  func node(at codingPath: [any CodingKey]) -> SpecNode {
    var node = root
    for key in codingPath {
      if let child = node[key.stringValue] {
        node = child
      } else if let items = node.items, let index = key.intValue, items.indices.contains(index) {
        node = items[index]
      } else {
        break
      }
    }
    return node
  }

  /// An error thrown by an `init(from:)` as a located `SpecError`.
  func specError(from error: any Error) -> SpecError {
    switch error as? DecodingError {
    case .keyNotFound(let key, let context)?:
      return SpecError(
        "missing required option '\(key.stringValue)'", at: node(at: context.codingPath).location,
        keyPath: keyPath(context.codingPath + [key]))
    case .dataCorrupted(let context)?, .typeMismatch(_, let context)?,
      .valueNotFound(_, let context)?:
      let node = node(at: context.codingPath)
      return SpecError(
        "invalid value \(node.kindDescription): \(context.debugDescription)",
        at: node.location, keyPath: keyPath(context.codingPath))
    default:
      return SpecError("\(error)", at: root.location, keyPath: basePath)
    }
  }
}

/// A coding key for sequence indices and for `super`.
private struct SpecCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int?

  init(stringValue: String) {
    self.stringValue = stringValue
    intValue = nil
  }

  init(intValue: Int) {
    stringValue = String(intValue)
    self.intValue = intValue
  }
}

private struct NodeDecoder: Decoder {
  let node: SpecNode
  let codingPath: [any CodingKey]
  let context: DecodingContext
  /// Whether the mapping holds an `SpecOptions`, whose property names are read in snake case.
  let optionKeys: Bool
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  var keyPath: String { context.keyPath(codingPath) }

  func mismatch(expected: String) -> SpecError {
    SpecError(
      "expected \(expected), found \(node.kindDescription)", at: node.location, keyPath: keyPath)
  }

  func child(_ node: SpecNode, key: any CodingKey) -> NodeDecoder {
    NodeDecoder(node: node, codingPath: codingPath + [key], context: context, optionKeys: false)
  }

  /// Decodes a `T`, checking a `CaseIterable` string enum's raw value first so an unknown name
  /// is reported with the valid ones.
  func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
    if T.self == OptionSource.self {
      return OptionSource(node: node, keyPath: keyPath) as! T
    }
    if T.self is any SpecOptions.Type {
      return try T(
        from: NodeDecoder(node: node, codingPath: codingPath, context: context, optionKeys: true))
    }
    if let names = caseNames(of: type) {
      guard case .scalar(let text, _) = node.content, !node.isNull else {
        throw mismatch(expected: "one of: " + names.joined(separator: ", "))
      }
      guard names.contains(text) else {
        throw SpecError(
          "unknown value '\(text)'", at: node.location, keyPath: keyPath,
          expected: "one of: " + names.joined(separator: ", "),
          suggestion: closestMatch(to: text, in: names))
      }
    }
    return try T(from: self)
  }

  func container<Key: CodingKey>(
    keyedBy type: Key.Type
  ) throws
    -> KeyedDecodingContainer<Key>
  {
    guard let entries = node.entries else { throw mismatch(expected: "a mapping") }
    return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, entries: entries))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard let items = node.items else { throw mismatch(expected: "a sequence") }
    return UnkeyedContainer(decoder: self, items: items)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    SingleValueContainer(decoder: self)
  }
}

/// The raw values of a `CaseIterable` enum with `String` raw values, or nil for other types.
private func caseNames<T>(of type: T.Type) -> [String]? {
  guard let enumType = type as? any (CaseIterable & RawRepresentable).Type else { return nil }
  return rawNames(of: enumType)
}

private func rawNames<E: CaseIterable & RawRepresentable>(of type: E.Type) -> [String]? {
  let rawValues = type.allCases.map(\.rawValue)
  let names = rawValues.compactMap { $0 as? String }
  return names.count == rawValues.count ? names : nil
}

// MARK: - Containers

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let decoder: NodeDecoder
  let entries: [SpecNode.Entry]

  var codingPath: [any CodingKey] { decoder.codingPath }
  var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

  func contains(_ key: Key) -> Bool { value(for: key) != nil }

  /// The mapping's key for `key`: an option group's property name in snake case.
  private func name(of key: Key) -> String {
    decoder.optionKeys ? optionKey(forProperty: key.stringValue) : key.stringValue
  }

  private func value(for key: Key) -> SpecNode? {
    let name = name(of: key)
    return entries.first { $0.key == name }?.value
  }

  private func childDecoder(for key: Key) throws -> NodeDecoder {
    let named = SpecCodingKey(stringValue: name(of: key))
    guard let value = value(for: key) else {
      throw SpecError(
        "missing required option '\(named.stringValue)'", at: decoder.node.location,
        keyPath: decoder.context.keyPath(codingPath + [named]))
    }
    return decoder.child(value, key: named)
  }

  /// The value at `key`; an `@Include`d group reads from this mapping itself.
  private func decodeAny<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    if T.self is any IncludedOptions.Type { return try decoder.decodeValue(type) }
    return try childDecoder(for: key).decodeValue(type)
  }

  func decodeNil(forKey key: Key) throws -> Bool { value(for: key)?.isNull ?? true }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: String.Type, forKey key: Key) throws -> String {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeAny(type, forKey: key) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
    try decodeAny(type, forKey: key)
  }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
    try decodeAny(type, forKey: key)
  }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try decodeAny(type, forKey: key)
  }

  func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type, forKey key: Key
  )
    throws -> KeyedDecodingContainer<NestedKey>
  {
    try childDecoder(for: key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try childDecoder(for: key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    superDecoder(key: SpecCodingKey(stringValue: "super"))
  }

  func superDecoder(forKey key: Key) throws -> any Decoder { superDecoder(key: key) }

  /// A decoder for the value at `key`, or for a null at the mapping when the key is missing.
  private func superDecoder(key: any CodingKey) -> NodeDecoder {
    let value =
      entries.first { $0.key == key.stringValue }?.value
      ?? SpecNode(.null, location: decoder.node.location)
    return decoder.child(value, key: key)
  }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
  let decoder: NodeDecoder
  let items: [SpecNode]
  private(set) var currentIndex = 0

  init(decoder: NodeDecoder, items: [SpecNode]) {
    self.decoder = decoder
    self.items = items
  }

  var codingPath: [any CodingKey] { decoder.codingPath }
  var count: Int? { items.count }
  var isAtEnd: Bool { currentIndex >= items.count }

  private mutating func nextDecoder() throws -> NodeDecoder {
    guard !isAtEnd else {
      throw SpecError(
        "expected more than \(items.count) items", at: decoder.node.location,
        keyPath: decoder.keyPath)
    }
    let child = decoder.child(items[currentIndex], key: SpecCodingKey(intValue: currentIndex))
    currentIndex += 1
    return child
  }

  private mutating func decodeAny<T: Decodable>(_ type: T.Type) throws -> T {
    try nextDecoder().decodeValue(type)
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, items[currentIndex].isNull else { return false }
    currentIndex += 1
    return true
  }
  mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeAny(type) }
  mutating func decode(_ type: String.Type) throws -> String { try decodeAny(type) }
  mutating func decode(_ type: Double.Type) throws -> Double { try decodeAny(type) }
  mutating func decode(_ type: Float.Type) throws -> Float { try decodeAny(type) }
  mutating func decode(_ type: Int.Type) throws -> Int { try decodeAny(type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeAny(type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeAny(type) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeAny(type) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeAny(type) }
  mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeAny(type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeAny(type) }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeAny(type) }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeAny(type) }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeAny(type) }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeAny(type) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type
  ) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try nextDecoder().container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try nextDecoder().unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder { try nextDecoder() }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
  let decoder: NodeDecoder

  var codingPath: [any CodingKey] { decoder.codingPath }

  /// The text of a plain scalar that is not null.
  private func plainText(expected: String) throws -> String {
    guard case .scalar(let text, .plain) = decoder.node.content, !decoder.node.isNull else {
      throw decoder.mismatch(expected: expected)
    }
    return text
  }

  private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
    let text = try plainText(expected: "an integer")
    guard ScalarSyntax.isDecimalInteger(text) else {
      throw decoder.mismatch(expected: "an integer")
    }
    guard let value = I(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
      throw decoder.mismatch(expected: "an integer between \(I.min) and \(I.max)")
    }
    return value
  }

  func decodeNil() -> Bool { decoder.node.isNull }

  func decode(_ type: Bool.Type) throws -> Bool {
    guard let value = ScalarSyntax.boolean(try plainText(expected: "a boolean")) else {
      throw decoder.mismatch(expected: "a boolean")
    }
    return value
  }

  func decode(_ type: String.Type) throws -> String {
    guard case .scalar(let text, _) = decoder.node.content, !decoder.node.isNull else {
      throw decoder.mismatch(expected: "a string")
    }
    return text
  }

  func decode(_ type: Double.Type) throws -> Double {
    guard let value = ScalarSyntax.number(try plainText(expected: "a number")) else {
      throw decoder.mismatch(expected: "a number")
    }
    return value
  }

  func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
  func decode(_ type: Int.Type) throws -> Int { try integer(type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
  func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
