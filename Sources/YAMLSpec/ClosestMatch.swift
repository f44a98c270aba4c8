/// The candidate closest to `name` by edit distance (Levenshtein, over characters), or nil when
/// none is close enough: the distance must be at most `max(2, name.count / 3)`. Ties go to the
/// candidate that comes first.
public func closestMatch(to name: String, in candidates: [String]) -> String? {
  let limit = max(2, name.count / 3)
  var best: (candidate: String, distance: Int)?
  for candidate in candidates {
    let distance = editDistance(name, candidate)
    if distance <= limit, distance < (best?.distance ?? Int.max) {
      best = (candidate, distance)
    }
  }
  return best?.candidate
}

/// The Levenshtein distance between `a` and `b`: the fewest single-character insertions,
/// deletions and substitutions turning one into the other.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  guard !a.isEmpty else { return b.count }
  guard !b.isEmpty else { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
