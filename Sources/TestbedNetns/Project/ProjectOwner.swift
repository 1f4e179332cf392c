import Foundation

/// The deployment's owner (`TESTBED_OWNER_UID`): whatever runs on the project's
/// behalf (guest commands, setup scripts, every file operation in the project
/// folder) runs as this user, with no capabilities and no way to gain any.
public struct ProjectOwner: Sendable, Equatable {
    public var uid: uid_t
    public var gid: gid_t
    /// The user's name, if the system knows it (its supplementary groups then apply).
    public var userName: String?

    public init(uid: uid_t) {
        self.uid = uid
        if let entry = getpwuid(uid) {
            gid = entry.pointee.pw_gid
            userName = String(cString: entry.pointee.pw_name)
        } else {
            // A uid without an account gets the group that owns nothing.
            gid = 65534
            userName = nil
        }
    }

    /// `setpriv` arguments that become this user for the rest of the command line:
    /// real, effective and saved ids, its groups, no capabilities in any set, and
    /// no_new_privs so no set-uid program can give any back.
    public func dropArguments() throws(OrchestratorError) -> [String] {
        [
            try Tool.path("setpriv"), "--reuid=\(uid)", "--regid=\(gid)",
            userName == nil ? "--clear-groups" : "--init-groups",
            "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--",
        ]
    }

    /// Runs `script` with /bin/sh as the owner in `folder`, with `arguments` as
    /// $1, $2, …: the way every file in the project folder is read or written, so
    /// a symlink the owner plants leads only where the owner could go anyway.
    /// Root starts in `/`; the shell enters `folder` itself, with the owner's rights.
    public func run(
        _ script: String, _ arguments: [String] = [], in folder: String, input: [UInt8]? = nil, capture: Bool = false
    ) throws(OrchestratorError) -> Command.Result {
        let argv = try dropArguments() + [Tool.shell, "-c", "cd -- \"$TESTBED_WORK_DIR\" || exit 1\n" + script, "sh"] + arguments
        var environment = minimalEnvironment
        environment["TESTBED_WORK_DIR"] = folder
        return try Command(argv[0], Array(argv.dropFirst()), environment: environment, folder: "/", input: input)
            .run(capture: capture)
    }

    /// `run`, failing with `OrchestratorError(.failed, "<what> failed: …")` unless the script succeeds.
    @discardableResult
    public func shell(
        _ script: String, _ arguments: [String] = [], in folder: String, input: [UInt8]? = nil,
        capture: Bool = false, what: String
    ) throws(OrchestratorError) -> Command.Result {
        try run(script, arguments, in: folder, input: input, capture: capture).required(what, tool: "sh")
    }

    /// The environment of everything run as the owner, before its own additions.
    /// Only these fixed variables reach the programs that run as root before the
    /// drop (nsenter, setpriv): nothing from the project's file, which could
    /// otherwise name a library for root to load (`LD_PRELOAD`).
    public var minimalEnvironment: [String: String] {
        var environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"]
        if let userName {
            environment["USER"] = userName
            environment["LOGNAME"] = userName
        }
        return environment
    }
}
