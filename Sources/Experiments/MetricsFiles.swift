import Foundation
import Recur

/// Renders the per-epoch records of a run as `metrics.csv` and `metrics.json`.
public struct MetricsFiles: Sendable {
  /// Metric names (after `loss`) and whether larger is better, in column order.
  public var metrics: [(name: String, goal: MetricGoal)]
  public var facts: [DatasetFact]
  /// Class names, for the per-class scores of the confusion matrices.
  public var labels: [String]

  public init(metrics: [any Metric], facts: [DatasetFact], labels: [String] = []) {
    self.metrics = metrics.map { ($0.name, $0.goal) }
    self.facts = facts
    self.labels = labels
  }

  public var columns: [String] {
    ["epoch", "split", "loss"] + metrics.map(\.name)
      + ["learning_rate", "seconds", "tokens_per_second"]
  }

  /// One header line, then a row per record. Numbers print in the shortest form that reads back
  /// to the same Double; a metric with nothing scored is an empty field.
  public func csv(_ records: [EpochRecord]) -> String {
    var rows = [columns]
    for record in records {
      var fields = [String(record.epoch), record.split.rawValue, String(record.loss)]
      fields += record.metrics.map { $0.value.map { String($0) } ?? "" }
      fields += [
        String(record.learningRate), String(record.seconds), String(record.tokensPerSecond),
      ]
      rows.append(fields)
    }
    return CSV.text(rows)
  }

  /// The rows, a summary (final value and best value with its epoch, per split and metric), the
  /// dataset's facts and, when given (at the end of a classification run), per split the
  /// per-class precision, recall, F1 and support and the macro-F1 of `confusions`.
  public func json(
    _ records: [EpochRecord], confusions: [Split: ConfusionMatrix] = [:]
  ) throws -> Data {
    let rows: [JSONValue] = records.map { record in
      var row: [String: JSONValue] = [
        "epoch": .integer(record.epoch), "split": .string(record.split.rawValue),
        "loss": .number(record.loss), "learning_rate": .number(record.learningRate),
        "seconds": .number(record.seconds), "tokens_per_second": .number(record.tokensPerSecond),
      ]
      for metric in record.metrics {
        row[metric.name] = metric.value.map(JSONValue.number) ?? .null
      }
      return .object(row)
    }
    var document: [String: JSONValue] = [
      "columns": .array(columns.map(JSONValue.string)),
      "rows": .array(rows),
      "summary": summary(records),
      "dataset": .object(
        Dictionary(grouping: facts, by: \.name).mapValues { group in
          .object(
            Dictionary(
              uniqueKeysWithValues: group.map { ($0.split?.rawValue ?? "all", .number($0.value)) }))
        }),
    ]
    if !confusions.isEmpty {
      document["classes"] = .object(
        Dictionary(
          uniqueKeysWithValues: confusions.map { split, matrix in
            (split.rawValue, classScores(matrix))
          }))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(JSONValue.object(document)) + Data("\n".utf8)
  }

  /// Macro-F1 and, per class, precision, recall, F1 and support.
  func classScores(_ matrix: ConfusionMatrix) -> JSONValue {
    var perClass: [String: JSONValue] = [:]
    for k in 0..<matrix.classes {
      let name = k < labels.count ? labels[k] : String(k)
      perClass[name] = .object([
        "precision": .number(matrix.precision(k)), "recall": .number(matrix.recall(k)),
        "f1": .number(matrix.f1(k)), "support": .integer(matrix.support(k)),
      ])
    }
    return .object([
      "macro_f1": matrix.macroF1.map(JSONValue.number) ?? .null, "per_class": .object(perClass),
    ])
  }

  /// `final`: the last epoch's values per split; `best`: per split and metric, the best value and
  /// the first epoch that reached it.
  func summary(_ records: [EpochRecord]) -> JSONValue {
    guard let lastEpoch = records.map(\.epoch).max() else { return .object([:]) }
    let goals = [("loss", MetricGoal.min)] + metrics.map { ($0.name, $0.goal) }
    var final: [String: JSONValue] = ["epoch": .integer(lastEpoch)]
    var best: [String: JSONValue] = [:]
    for split in Split.allCases {
      let rows = records.filter { $0.split == split }
      guard let last = rows.last, last.epoch == lastEpoch else { continue }
      var finalValues: [String: JSONValue] = ["loss": .number(last.loss)]
      for metric in last.metrics {
        finalValues[metric.name] = metric.value.map(JSONValue.number) ?? .null
      }
      final[split.rawValue] = .object(finalValues)

      var bestValues: [String: JSONValue] = [:]
      for (name, goal) in goals {
        var winner: (value: Double, epoch: Int)?
        for row in rows {
          guard let value = row.value(of: name) else { continue }
          if let current = winner, goal == .max ? value <= current.value : value >= current.value {
            continue
          }
          winner = (value, row.epoch)
        }
        if let winner {
          bestValues[name] = .object([
            "value": .number(winner.value), "epoch": .integer(winner.epoch),
          ])
        }
      }
      best[split.rawValue] = .object(bestValues)
    }
    return .object(["final": .object(final), "best": .object(best)])
  }
}

/// A JSON document built in code and written with `JSONEncoder`.
enum JSONValue: Encodable, Sendable {
  case null
  case bool(Bool)
  case integer(Int)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .integer(let value): try container.encode(value)
    case .number(let value):
      if value.isFinite { try container.encode(value) } else { try container.encodeNil() }
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }
}
