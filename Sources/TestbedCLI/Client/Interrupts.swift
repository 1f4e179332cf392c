import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Counts Ctrl-C presses while an action is followed.
final class Interrupts: @unchecked Sendable {
    private let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    private var count = 0

    init() {
        signal(SIGINT, SIG_IGN)
    }

    func onInterrupt(_ handler: @escaping @Sendable (Int) -> Void) {
        source.setEventHandler { [self] in
            count += 1
            handler(count)
        }
        source.resume()
    }

    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
