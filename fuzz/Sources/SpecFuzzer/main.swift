import CLibFuzzer
import Foundation

// libFuzzer runs each input through what `runner validate` does; crashes, traps and sanitizer
// reports are its findings, a `SpecError` the expected outcome of a bad input.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
  LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    FuzzInput(UnsafeBufferPointer(start: data, count: size)).validate()
    return 0
  })

/// AddressSanitizer's defaults, read before `main`. Swift keeps enum tags in the spare bits of
/// pointers, which LeakSanitizer does not see through: it takes the registry's static tables for
/// leaks. Leak detection is off; the checks of memory accesses stay on.
@_cdecl("__asan_default_options")
public func addressSanitizerDefaultOptions() -> UnsafePointer<CChar> {
  UnsafeRawPointer(("detect_leaks=0" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
}
