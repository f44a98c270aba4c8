import RecurCLI
import SineSignPlugin

RecurCLI.main { registry in try registry.registerSineSign() }
