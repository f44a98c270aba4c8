import Experiments

extension Registry {
  /// Adds the plugin's dataset, cell, optimizer, schedule and metric.
  public mutating func registerSineSign() throws(DuplicateComponent) {
    try datasets.register(SineSign.component)
    try cells.register(LeakyCell.component)
    try optimizers.register(Lion.component)
    try schedules.register(TriangularSchedule.component)
    try metrics.register(BalancedAccuracy.component)
  }
}
