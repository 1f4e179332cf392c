import Foundation

/// `up` and `down` of one project: creates what its plan lists, recording it
/// first, and removes exactly what carries the project's names.
public struct Deployer: Sendable {
    public var project: Project
    public var guests: any GuestSupervisor

    public init(project: Project, guests: any GuestSupervisor) {
        self.project = project
        self.guests = guests
    }

    var identity: ProjectIdentity { project.identity }
    var stateFile: StateFile { project.stateFile }
    func say(_ line: String) { project.say(line) }

    // MARK: up

    /// Deploys the project. A second `up` of an unchanged project changes nothing
    /// that is right (it restarts a guest command that stopped); `provision`
    /// rebuilds everything; `rerunScripts` runs the setup scripts again.
    public func up(provision: Bool, rerunScripts: Bool, reapplyACL: Bool) throws(OrchestratorError) {
        let topology = try project.topology()
        if reapplyACL { say("no ACLs in testbed-netns: nothing to reapply") }
        if let state = try stateFile.load() {
            if state.phase == .up, !provision {
                guard state.topology == topology else {
                    throw OrchestratorError(.wrongState, "kvm-compose.yaml changed since \(identity.deployment) was deployed; run `testbedctl up \(identity.deployment) --provision` to rebuild it")
                }
                try ensureRunning(state, rerunScripts: rerunScripts)
                return
            }
            say(state.phase == .up ? "rebuilding: removing the deployed testbed first" : "removing what an interrupted \(state.phase == .creating ? "up" : "down") left")
            try teardown(state)
        }
        let strays = NetworkNamespace.all(withPrefix: identity.namespacePrefix)
        guard strays.isEmpty else {
            throw OrchestratorError(.conflict, "network namespace \(strays[0].name) carries this project's name but its state does not record it; run `testbedctl down \(identity.deployment)` to remove it")
        }
        let plan = DeploymentPlan(topology: topology, identity: identity)
        var state = NetnsState(plan: plan, ownerUID: project.owner.uid)
        try stateFile.save(state)
        do {
            try create(plan, state: &state)
        } catch {
            say(error.code == .cancelled ? "cancelled: removing what was created" : "\(error.message); removing what was created")
            _ = try? teardown(state)
            throw error
        }
    }

    private func create(_ plan: DeploymentPlan, state: inout NetnsState) throws(OrchestratorError) {
        let topology = plan.topology
        let started = Date()
        try Cancellation.check()
        say("creating \(plan.namespaces.count) network namespaces (fabric, \(topology.routers.count) routers, \(topology.guests.count) guests)")
        try plan.namespaceBatch.run("creating the namespaces")
        try Cancellation.check()
        for (namespace, values) in plan.sysctls {
            try NetworkNamespace(namespace).setSysctls(values)
        }
        try Cancellation.check()
        say("creating \(topology.switches.count) switches and \(plan.links.count) links")
        try plan.fabricBatch.run("creating the switches and links")
        for batch in plan.memberBatches {
            try Cancellation.check()
            try batch.run("configuring \(batch.namespace ?? "")")
        }
        try Cancellation.check()
        try project.prepareGuestFolders(topology.guests)
        for guest in topology.guests where guest.setupScript != nil {
            try Cancellation.check()
            try runSetupScript(guest)
        }
        state.guests = topology.guests.filter { $0.command != nil }.map {
            GuestRecord(name: $0.name, namespace: identity.guestNamespace($0.name), unit: identity.guestUnit($0.name), pids: [])
        }
        try stateFile.save(state)
        for guest in topology.guests where guest.command != nil {
            try Cancellation.check()
            let record = try guests.start(launch(for: guest))
            if let index = state.guests.firstIndex(where: { $0.name == guest.name }) { state.guests[index] = record }
        }
        try Cancellation.check()
        recordProcesses(&state)
        state.phase = .up
        try stateFile.save(state)
        project.writeOwnerCopy(state)
        say(String(format: "%@ is up: %d guests, %d routers, %d switches in %.2f s", identity.deployment, topology.guests.count, topology.routers.count, topology.switches.count, Date().timeIntervalSince(started)))
        for guest in topology.guests {
            let addresses = guest.interfaces.map { "\($0.address) on \($0.switchName)" }.joined(separator: ", ")
            say("  \(guest.name): \(addresses.isEmpty ? "no interfaces" : addresses) (ip netns exec \(identity.guestNamespace(guest.name)) …)")
        }
    }

    /// The already-deployed project: each namespace must exist; a guest whose
    /// command no longer runs is started again.
    private func ensureRunning(_ state: NetnsState, rerunScripts: Bool) throws(OrchestratorError) {
        var state = state
        for namespace in state.namespaces where !NetworkNamespace(namespace.name).exists {
            throw OrchestratorError(.wrongState, "\(identity.deployment) is recorded as up but namespace \(namespace.name) is gone; run `testbedctl up \(identity.deployment) --provision` to rebuild it")
        }
        if rerunScripts {
            for guest in state.topology.guests where guest.setupScript != nil { try runSetupScript(guest) }
        }
        var restarted: [String] = []
        let inodes = Dictionary(uniqueKeysWithValues: state.topology.guests.compactMap { guest in
            NetworkNamespace(identity.guestNamespace(guest.name)).inode.map { (guest.name, $0) }
        })
        // One pass over /proc for every guest.
        let running = NamespaceProcesses.byNamespace(Set(inodes.values))
        for guest in state.topology.guests where guest.command != nil {
            guard let inode = inodes[guest.name], running[inode] == nil else { continue }
            guests.stopGuest(guest.name, unit: identity.guestUnit(guest.name))
            let record = try guests.start(launch(for: guest))
            if let index = state.guests.firstIndex(where: { $0.name == guest.name }) { state.guests[index] = record }
            restarted.append(guest.name)
        }
        if restarted.isEmpty {
            say("\(identity.deployment) is already up and unchanged: nothing to do")
        } else {
            try stateFile.save(state)
            say("\(identity.deployment) is already up; started again the command of \(restarted.joined(separator: ", "))")
        }
    }

    /// Notes the processes now in each guest's namespace, for people reading the state.
    func recordProcesses(_ state: inout NetnsState) {
        let inodes = state.guests.map { NetworkNamespace($0.namespace).inode }
        let found = NamespaceProcesses.byNamespace(Set(inodes.compactMap { $0 }))
        for index in state.guests.indices {
            state.guests[index].pids = inodes[index].flatMap { found[$0] }?.map { Int32($0) }.sorted() ?? []
        }
    }

    func launch(for guest: Guest) -> GuestLaunch {
        GuestLaunch(
            guest: guest.name, namespace: identity.guestNamespace(guest.name), unit: identity.guestUnit(guest.name),
            owner: project.owner, environment: project.guestEnvironment(guest, extra: ["TESTBED_GUEST_COMMAND": guest.command ?? ""]),
            script: """
            exec 2>&1 </dev/null
            cd "$TESTBED_GUEST_DIR" || exit 1
            TESTBED_CONSOLE="$TESTBED_GUEST_DIR/../console.log"
            \(Project.exportEnvironment)
            { eval "$TESTBED_GUEST_COMMAND"; } 2>&1 | tee -a "$TESTBED_CONSOLE"
            """
        )
    }

    /// Runs a guest's setup script in its namespace as the owner, in the
    /// action's process group (a cancellation stops it); its output is the log's.
    func runSetupScript(_ guest: Guest) throws(OrchestratorError) {
        say("\(guest.name): running its setup script")
        let namespace = NetworkNamespace(identity.guestNamespace(guest.name))
        let argv = try guests.tracking([try Tool.path("nsenter"), "--net=\(namespace.path)", "--"] + (try project.owner.dropArguments())
            + [Tool.shell, "-c", "cd \"$TESTBED_GUEST_DIR\" || exit 1\n\(Project.exportEnvironment)\neval \"$TESTBED_SETUP_SCRIPT\"", "sh"],
            scope: "setup-" + guest.name)
        let environment = project.guestEnvironment(guest, extra: ["TESTBED_SETUP_SCRIPT": guest.setupScript ?? ""])
        let result = try Command(argv[0], Array(argv.dropFirst()), environment: environment, folder: "/").run(ownGroup: true)
        // Whatever it left running goes too, even out of its group: it kept the action's log open.
        _ = guests.stopTracked(scope: "setup-" + guest.name)
        try Cancellation.check()
        guard result.succeeded else {
            throw OrchestratorError(.failed, "\(guest.name): its setup script \(result.ending)")
        }
    }

    // MARK: down

    /// Removes the project's guests, namespaces and state. Succeeds when nothing is deployed.
    public func down() throws(OrchestratorError) {
        let state: NetnsState?
        do {
            state = try stateFile.load()
        } catch where error.code == .failed {
            say("\(error.message); removing by name instead")
            state = nil
        }
        let removed = try teardown(state)
        if removed.namespaces == 0, removed.processes == 0, removed.units == 0 {
            say("nothing of \(identity.deployment) is deployed")
        } else {
            let units = removed.units > 0 ? "\(removed.units) units and " : ""
            say("\(identity.deployment) is down: removed \(removed.namespaces) namespaces, stopped \(units)\(removed.processes) processes")
        }
    }

    /// Removes what `state` lists and whatever else carries this project's names,
    /// and nothing else; then the state.
    @discardableResult
    func teardown(_ state: NetnsState?) throws(OrchestratorError) -> (namespaces: Int, processes: Int, units: Int) {
        if var state {
            state.phase = .removing
            try? stateFile.save(state)
        }
        let prefix = identity.namespacePrefix
        var units = Set(guests.units(withPrefix: identity.unitPrefix))
        for guest in state?.guests ?? [] {
            if let unit = guest.unit, unit.hasPrefix(identity.unitPrefix) { units.insert(unit) }
        }
        guests.stop(units: units.sorted())
        let tracked = guests.stopTracked(scope: nil)
        var names = Set(NetworkNamespace.all(withPrefix: prefix).map(\.name))
        for namespace in state?.namespaces ?? [] where namespace.name.hasPrefix(prefix) {
            names.insert(namespace.name)
        }
        let present = names.sorted().map(NetworkNamespace.init).filter(\.exists)
        let processes = tracked + NamespaceProcesses.stop(inNamespaces: Set(present.compactMap(\.inode)), grace: 3)
        var batch = IPBatch(in: nil)
        for namespace in names.sorted() where FileManager.default.fileExists(atPath: NetworkNamespace(namespace).path) {
            batch.add("netns delete \(namespace)")
        }
        try batch.run("removing the namespaces")
        let left = NetworkNamespace.all(withPrefix: prefix)
        guard left.isEmpty else {
            throw OrchestratorError(.failed, "namespace \(left[0].name) could not be removed")
        }
        stateFile.remove()
        project.removeOwnerCopy()
        return (present.count, processes, units.count)
    }
}
