import Foundation
import Synchronization

/// A second thread that runs the second half of two-way work while the caller runs the first.
///
/// Built for the per-batch rhythm of a BRNN: two hand-overs per batch of a few tens of
/// microseconds each, where waking a pooled thread (`DispatchQueue.concurrentPerform`) costs as
/// much as the work and moves a direction's buffers between cores. The caller always runs index
/// 0 and this thread always index 1, so each direction stays on one core. Between requests the
/// thread spins for a while and then sleeps on a semaphore.
@available(macOS 15, *)
final class PairedThread: @unchecked Sendable {
  // idle (spinning) → posted → done → idle; idle → sleeping → posted; any → stopped.
  private static let idle = 0
  private static let sleeping = 1
  private static let posted = 2
  private static let done = 3
  private static let stopped = 4
  /// Spins of the idle thread before it sleeps (a few hundred microseconds).
  private static let spinLimit = 200_000

  private let state = Atomic<Int>(PairedThread.idle)
  private let wake = DispatchSemaphore(value: 0)
  /// The posted work; written before `posted` is released, cleared after `done` is acquired.
  private var job: ((Int) -> Void)?

  init() {
    Thread.detachNewThread { [self] in serve() }
  }

  /// Runs `body(0)` here and `body(1)` on the paired thread; returns when both have finished.
  func run(_ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
      job = body
      if state.exchange(Self.posted, ordering: .acquiringAndReleasing) == Self.sleeping {
        wake.signal()
      }
      body(0)
      var spins = 0
      while state.load(ordering: .acquiring) != Self.done {
        spins += 1
        if spins > 50_000 { sched_yield() }
      }
      job = nil
      state.store(Self.idle, ordering: .releasing)
    }
  }

  /// Ends the thread. Call when no `run` is in progress.
  func stop() {
    if state.exchange(Self.stopped, ordering: .acquiringAndReleasing) == Self.sleeping {
      wake.signal()
    }
  }

  private func serve() {
    while true {
      var spins = 0
      var current = state.load(ordering: .acquiring)
      while current == Self.idle || current == Self.done || current == Self.sleeping {
        spins += 1
        if spins > Self.spinLimit && current == Self.idle {
          if state.compareExchange(
            expected: Self.idle, desired: Self.sleeping, ordering: .acquiringAndReleasing
          ).exchanged {
            wake.wait()
          }
          spins = 0
        }
        current = state.load(ordering: .acquiring)
      }
      if current == Self.stopped { return }
      job?(1)
      state.store(Self.done, ordering: .releasing)
    }
  }
}
