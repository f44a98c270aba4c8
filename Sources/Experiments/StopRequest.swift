import Foundation

/// Set by SIGTERM or SIGINT while a run trains (Slurm sends SIGTERM before it preempts, requeues
/// or ends a job at its time limit); the trainer asks it after every batch.
nonisolated(unsafe) private var stopSignal: sig_atomic_t = 0

/// A request, by signal, that a run stop after its current batch, write a checkpoint, mark
/// itself `interrupted` and exit with `128 + signal` (`exitCode`).
public enum StopRequest {
  /// Makes SIGTERM and SIGINT request a stop instead of killing the process.
  /// Unblocks them too: a process inherits its parent's blocked signals, and a blocked SIGTERM
  /// would wait unseen until the run ends. Call it before threads start, which inherit the mask.
  public static func install() {
    stopSignal = 0
    signal(SIGTERM) { stopSignal = $0 }
    signal(SIGINT) { stopSignal = $0 }
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    sigprocmask(SIG_UNBLOCK, &signals, nil)
  }

  /// The signal that asked to stop, or nil.
  public static var received: Int32? { stopSignal == 0 ? nil : stopSignal }

  /// The exit code of a run stopped by the signal: 128 + its number (143 for SIGTERM, 130 for
  /// SIGINT), as a shell reports a process killed by it.
  public static func exitCode(for signal: Int32) -> Int32 { 128 + signal }
}
