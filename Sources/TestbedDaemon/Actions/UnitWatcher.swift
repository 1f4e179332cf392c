import CSystemd
import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Waits for the main processes of actions' transient units to end, for every
/// action at once: one thread and one long-lived system-bus connection,
/// subscribed to systemd's signals. A unit is looked at when its
/// `PropertiesChanged` or a `JobRemoved` for it arrives (and every few seconds
/// in case a signal was missed), not polled on a connection of its own.
final class UnitWatcher: @unchecked Sendable {
    /// The process's watcher; its thread starts with the first unit to wait for.
    static let shared = UnitWatcher()

    /// How often every watched unit is looked at even without a signal.
    static let recheck = Duration.seconds(5)
    /// How long a unit may stay inactive with its start job queued before it counts as ended.
    static let neverStartedLimit = Duration.seconds(60)
    /// How long one question to systemd may take: one thread serves every unit.
    static let callTimeout: UInt64 = 2_000_000

    private typealias Waiter = CheckedContinuation<ProcessTermination, Never>

    /// Units to watch, handed from any thread to the watcher's.
    private let requests = Locked<[(unit: SystemdUnitLauncher.UnitProcess, waiter: Waiter)]>([])
    private let started = Locked(false)
    /// A pipe that wakes the watcher's thread when a request arrives: read end, write end.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    // The watcher thread's own: nothing else touches these.
    private struct Watch {
        let unit: SystemdUnitLauncher.UnitProcess
        var waiters: [Waiter]
        let since: ContinuousClock.Instant
        var slot: OpaquePointer?
    }

    private var bus: SystemBus?
    private var jobRemovedSlot: OpaquePointer?
    private var watches: [String: Watch] = [:]
    private var byPath: [String: String] = [:]
    /// Units a signal or a request says to look at.
    private var dirty: Set<String> = []

    private init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
    }

    /// Waits until `unit`'s main process has ended, and says how.
    func waitForExit(of unit: SystemdUnitLauncher.UnitProcess) async -> ProcessTermination {
        await withCheckedContinuation { (waiter: Waiter) in
            requests.withLock { $0.append((unit, waiter)) }
            let first = started.withLock { started in
                defer { started = true }
                return !started
            }
            if first {
                let thread = Thread { self.run() }
                thread.name = "testbedd-units"
                thread.start()
            }
            var one: UInt8 = 1
            _ = write(wakeWrite, &one, 1)
        }
    }

    private func run() {
        var lastRecheck = ContinuousClock.now
        while true {
            if bus == nil { connect() }
            for request in requests.withLock({ requests in defer { requests.removeAll() }; return requests }) {
                add(request.unit, request.waiter)
            }
            if let bus {
                // Signals mark units dirty from inside sd_bus_process.
                while true {
                    let result = sd_bus_process(bus.bus, nil)
                    if result < 0 { disconnect(); break }
                    if result == 0 { break }
                }
            }
            if ContinuousClock.now - lastRecheck >= Self.recheck {
                dirty.formUnion(watches.keys)
                lastRecheck = .now
            }
            for unit in dirty { look(at: unit) }
            dirty.removeAll()
            wait(timeout: wakeRead >= 0 ? 5 : 0.1)
        }
    }

    /// Opens the connection and subscribes: systemd sends unit signals only once someone asked.
    private func connect() {
        guard let bus = try? SystemBus() else { return }
        _ = sd_bus_set_method_call_timeout(bus.bus, Self.callTimeout)
        _ = try? bus.call(
            SystemdUnitLauncher.manager, SystemdUnitLauncher.managerPath, SystemdUnitLauncher.managerInterface, "Subscribe",
            read: { _ in true })
        var slot: OpaquePointer?
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard sd_bus_match_signal(
            bus.bus, &slot, SystemdUnitLauncher.manager, SystemdUnitLauncher.managerPath,
            SystemdUnitLauncher.managerInterface, "JobRemoved", Self.onJobRemoved, me) >= 0
        else { return }
        self.bus = bus
        jobRemovedSlot = slot
        // Matches belonged to the old connection: make them again, and look at everything.
        for (name, watch) in watches {
            watches[name]?.slot = match(watch.unit)
            dirty.insert(name)
        }
    }

    private func disconnect() {
        for name in watches.keys {
            if let slot = watches[name]?.slot { sd_bus_slot_unref(slot) }
            watches[name]?.slot = nil
        }
        if let jobRemovedSlot { sd_bus_slot_unref(jobRemovedSlot) }
        jobRemovedSlot = nil
        bus = nil
    }

    private func add(_ unit: SystemdUnitLauncher.UnitProcess, _ waiter: Waiter) {
        if watches[unit.unit] != nil {
            watches[unit.unit]?.waiters.append(waiter)
        } else {
            watches[unit.unit] = Watch(unit: unit, waiters: [waiter], since: .now, slot: match(unit))
            byPath[unit.path] = unit.unit
        }
        dirty.insert(unit.unit)
    }

    /// A match for the unit's own `PropertiesChanged`.
    private func match(_ unit: SystemdUnitLauncher.UnitProcess) -> OpaquePointer? {
        guard let bus else { return nil }
        var slot: OpaquePointer?
        let me = Unmanaged.passUnretained(self).toOpaque()
        let result = sd_bus_match_signal(
            bus.bus, &slot, SystemdUnitLauncher.manager, unit.path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
            Self.onPropertiesChanged, me)
        return result >= 0 ? slot : nil
    }

    /// Ends the watch of `name` if its main process has ended.
    private func look(at name: String) {
        guard let bus, let watch = watches[name], let state = try? watch.unit.state(on: bus) else { return }
        let started = watch.unit.mainStarted(on: bus)
        let ended = (state.active == "active" && state.sub == "exited") || state.active == "failed"
            || !state.loaded || (state.active == "inactive" && started)
        // A start job may still be queued (inactive, never started): wait for it, a while.
        let gaveUp = state.active == "inactive" && !started && ContinuousClock.now - watch.since > Self.neverStartedLimit
        guard ended || gaveUp else { return }
        let termination = watch.unit.termination(on: bus)
        if let slot = watch.slot { sd_bus_slot_unref(slot) }
        watches[name] = nil
        byPath[watch.unit.path] = nil
        for waiter in watch.waiters { waiter.resume(returning: termination) }
    }

    /// Waits for the bus, a request, or `timeout` seconds.
    private func wait(timeout: Double) {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        var milliseconds = Int32(timeout * 1000)
        if let bus {
            fds.append(pollfd(fd: sd_bus_get_fd(bus.bus), events: Int16(truncatingIfNeeded: sd_bus_get_events(bus.bus)), revents: 0))
            var usec: UInt64 = 0
            if sd_bus_get_timeout(bus.bus, &usec) > 0, usec != UInt64.max {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let nowUsec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
                milliseconds = min(milliseconds, Int32(clamping: usec > nowUsec ? (usec - nowUsec + 999) / 1000 : 0))
            }
        } else {
            milliseconds = 1000  // no bus yet: try again soon
        }
        _ = poll(&fds, nfds_t(fds.count), milliseconds)
        var drained = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &drained, drained.count) > 0 {}
    }

    private static let onPropertiesChanged: sd_bus_message_handler_t = { message, userdata, _ in
        guard let message, let userdata, let path = sd_bus_message_get_path(message) else { return 0 }
        let watcher = Unmanaged<UnitWatcher>.fromOpaque(userdata).takeUnretainedValue()
        if let name = watcher.byPath[String(cString: path)] { watcher.dirty.insert(name) }
        return 0
    }

    private static let onJobRemoved: sd_bus_message_handler_t = { message, userdata, _ in
        guard let message, let userdata else { return 0 }
        // JobRemoved(u id, o job, s unit, s result)
        var id: UInt32 = 0
        var job: UnsafePointer<CChar>?
        var unit: UnsafePointer<CChar>?
        var result: UnsafePointer<CChar>?
        guard sd_bus_message_read_basic(message, SystemBus.code("u"), &id) >= 0,
            sd_bus_message_read_basic(message, SystemBus.code("o"), &job) >= 0,
            sd_bus_message_read_basic(message, SystemBus.code("s"), &unit) >= 0,
            sd_bus_message_read_basic(message, SystemBus.code("s"), &result) >= 0, let unit
        else { return 0 }
        let watcher = Unmanaged<UnitWatcher>.fromOpaque(userdata).takeUnretainedValue()
        let name = String(cString: unit)
        if watcher.watches[name] != nil { watcher.dirty.insert(name) }
        return 0
    }
}
