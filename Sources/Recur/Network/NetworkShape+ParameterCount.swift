extension NetworkShape {
  /// The number of weights of a recurrent network of these sizes, or nil when it does not fit in
  /// an `Int`; never traps, whatever the sizes.
  ///
  /// Each direction of each layer has, per gate, input weights (I·H on the first layer, the
  /// layer below's H·directions after it), recurrent weights H·H and, with `bias`, H biases;
  /// `extraPerUnit` adds weights per hidden unit on top (3 for an LSTM's peepholes). The output
  /// layer has (H·directions)·K weights and, with `bias`, K biases. Elman cells have 1 gate, GRU
  /// 3, LSTM 4.
  public static func parameterCount(
    input: Int, hidden: Int, output: Int, directions: Int, bias: Bool, gates: Int = 1,
    layers: Int = 1, extraPerUnit: Int = 0
  ) -> Int? {
    var total = Checked(0)
    let width = Checked(hidden) * directions
    for layer in 0..<layers {
      let below = layer == 0 ? Checked(input) : width
      var perGate = below * hidden + Checked(hidden) * hidden
      if bias { perGate = perGate + hidden }
      let perDirection = perGate * gates + Checked(hidden) * extraPerUnit
      total = total + perDirection * directions
    }
    total = total + width * output
    if bias { total = total + output }
    return total.value
  }
}

/// An `Int` that becomes nil instead of trapping when arithmetic on it overflows.
package struct Checked {
  package var value: Int?

  package init(_ value: Int?) {
    self.value = value
  }

  package static func * (lhs: Checked, rhs: Int) -> Checked {
    guard let value = lhs.value else { return lhs }
    let (product, overflow) = value.multipliedReportingOverflow(by: rhs)
    return Checked(overflow ? nil : product)
  }

  package static func * (lhs: Checked, rhs: Checked) -> Checked {
    guard let right = rhs.value else { return rhs }
    return lhs * right
  }

  package static func + (lhs: Checked, rhs: Int) -> Checked {
    guard let value = lhs.value else { return lhs }
    let (sum, overflow) = value.addingReportingOverflow(rhs)
    return Checked(overflow ? nil : sum)
  }

  package static func + (lhs: Checked, rhs: Checked) -> Checked {
    guard let right = rhs.value else { return rhs }
    return lhs + right
  }
}
