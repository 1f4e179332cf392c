import ArgumentParser
import Dispatch
import FoundationEssentials
import TestbedProtocol

/// Shell completions that ask the daemon: deployment names and action ids.
///
/// The completion scripts (`testbedctl --generate-completion-script bash|zsh|fish`)
/// run `testbedctl ---completion …` when the user presses Tab on such an
/// argument. `TestbedCtl.start()` parses on the main thread before the
/// concurrency runtime runs anything, so a completion blocks that thread while
/// a detached task asks the daemon, for at most `timeout`. Completion must
/// never get in the way: when the daemon cannot be reached, refuses, or is
/// slow, it offers nothing and prints nothing, and the exit status stays 0.
enum Completions {
    /// How long a Tab may wait for the daemon.
    static let timeout: Duration = .seconds(1)

    /// The names of the deployments that start with `prefix`, asked a page at
    /// a time (names come sorted, so paging stops past the prefix's range).
    static let deploymentNames = CompletionKind.custom { words, _, prefix in
        ask(socket: socketPath(in: words)) { session in
            var names: [String] = []
            var params = DeploymentListParams(limit: DeploymentListParams.maximumLimit)
            while true {
                let page: TestbedProtocol.DeploymentList = try await session.call(RPCMethod.deploymentList, params: params)
                names += page.deployments.map(\.name).filter { $0.hasPrefix(prefix) }
                guard let next = page.next, next.hasPrefix(prefix) || next < prefix else { return names }
                params.after = next
            }
        }
    }

    /// The ids of the actions of the deployment named just before the word
    /// being completed (`testbedctl logs NAME ACTION_ID`).
    static let actionIDs = CompletionKind.custom { words, index, prefix in
        guard let name = positionalWords(in: words, before: index).last, DeploymentName.problem(with: name) == nil
        else { return [] }
        return ask(socket: socketPath(in: words)) { session in
            let list: ActionList = try await session.call(RPCMethod.actionList, params: NameParams(name: name))
            return list.actions.map(\.id).filter { $0.hasPrefix(prefix.lowercased()) }
        }
    }

    /// Runs `body` with a session to the daemon at `socket` on a detached
    /// task, and waits for it on the calling thread for at most `timeout`.
    /// Any failure, or running out of time, gives no candidates.
    static func ask(
        socket: String, timeout: Duration = Completions.timeout,
        _ body: @escaping @Sendable (DaemonSession) async throws -> [String]
    ) -> [String] {
        let answer = Locked<[String]>([])
        let finished = DispatchSemaphore(value: 0)
        let task = Task.detached {
            defer { finished.signal() }
            guard let session = try? await DaemonSession.open(socketPath: socket) else { return }
            let candidates = try? await body(session)
            await session.close()
            answer.withLock { $0 = candidates ?? [] }
        }
        let milliseconds = Int(timeout / .milliseconds(1))
        guard finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else {
            task.cancel()
            return []
        }
        return answer.withLock { $0 }
    }

    /// The socket the command line names with `--socket PATH` or
    /// `--socket=PATH`, else `TESTBED_SOCKET`, else the system socket, as for
    /// the command itself.
    static func socketPath(in words: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var flag: String?
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            if word == "--" { break }
            if word == "--socket", index + 1 < words.endIndex {
                flag = shellWord(words[index + 1], environment: environment)
                index += 1
            } else if word.hasPrefix("--socket=") {
                flag = shellWord(String(word.dropFirst("--socket=".count)), environment: environment)
            }
            index += 1
        }
        return SocketLocation.resolve(flag: flag.flatMap { $0.isEmpty ? nil : $0 }, environment: environment)
    }

    /// The words before `index` that are neither the command's name, an
    /// option, nor an option's value: the subcommands, then the positional
    /// arguments given so far.
    static func positionalWords(in words: [String], before index: Int) -> [String] {
        var positional: [String] = []
        var afterTerminator = false
        var skipValue = false
        for word in words.prefix(max(0, min(index, words.count))).dropFirst() {
            if skipValue {
                skipValue = false
            } else if afterTerminator || !word.hasPrefix("-") || word == "-" {
                positional.append(shellWord(word))
            } else if word == "--" {
                afterTerminator = true
            } else if optionsWithValues.contains(word) {
                skipValue = true
            }
        }
        return positional
    }

    /// The options of the commands that complete action ids which take a
    /// value in the next word (`logs`: `--socket`, `-n/--tail`, `--since`).
    private static let optionsWithValues: Set<String> = ["--socket", "-n", "--tail", "--since"]

    /// A shell word as the shell would pass it on: one pair of surrounding
    /// quotes removed, and a leading `~/` expanded.
    static func shellWord(_ word: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var text = Substring(word)
        if text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
            text = text.dropFirst().dropLast()
        }
        if text.hasPrefix("~/"), let home = environment["HOME"] {
            return home + text.dropFirst()
        }
        return String(text)
    }
}
