#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestbedProtocol

/// The original server's layout: `<state_dir>/deployments/<name>.json`, one
/// file per deployment, with `<name>-logs.json` (the action history) beside it.
public struct FileDeploymentStore: DeploymentStore {
    public let kind = StoreKind.file
    /// The folder holding the records.
    public let folder: String

    /// Opens (creating if needed) the store under `stateDirectory`.
    public init(stateDirectory: String) throws {
        self.folder = stateDirectory + "/deployments"
        try AtomicFile.makeFolder(folder, mode: 0o750)
    }

    public func loadAll() throws -> StoreLoadResult {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw StoreError("cannot list \(folder): \(error.localizedDescription)")
        }
        var result = StoreLoadResult(deployments: [])
        let decoder = JSONCoding.sharedDecoder
        // Every name with a record file, readable or not.
        var recorded: Set<String> = []
        var histories: [String] = []
        for entry in entries.sorted() {
            let path = folder + "/" + entry
            if entry.hasPrefix(AtomicFile.temporaryPrefix) {
                // A write interrupted by a crash: the record it was replacing is intact.
                unlink(path)
                continue
            }
            guard entry.hasSuffix(".json") else { continue }
            if entry.hasSuffix(Self.historySuffix) {
                histories.append(String(entry.dropLast(Self.historySuffix.count)))
                continue
            }
            let name = String(entry.dropLast(5))
            guard DeploymentName.isValid(name) else {
                result.problems.append("\(path): skipped, \"\(name)\" is not a valid deployment name")
                continue
            }
            recorded.insert(name)
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                let deployment = try decoder.decode(Deployment.self, from: data)
                guard deployment.name == name else {
                    result.problems.append("\(path): skipped, it records a deployment named \"\(deployment.name)\"")
                    continue
                }
                result.deployments.append(deployment)
            } catch {
                result.problems.append("\(path): skipped, it cannot be read as a deployment: \(error)")
            }
        }
        let loaded = Set(result.deployments.map(\.name))
        // A history whose record is unreadable stays out of reach, untouched; one
        // whose record is missing altogether is loaded, for the registry to remove.
        for name in histories where DeploymentName.isValid(name) && (loaded.contains(name) || !recorded.contains(name)) {
            result.actions += loadActions(of: name, problems: &result.problems)
        }
        return result
    }

    public func save(_ deployment: Deployment) throws {
        let data = try JSONCoding.prettyEncoder().encode(deployment)
        try AtomicFile.write(data, to: recordPath(deployment.name))
    }

    /// The action index of one deployment: `{"logs":{"<uuid>":{...}}}`.
    struct ActionIndex: Codable {
        var logs: [String: ActionRecord]
    }

    func loadActions(of name: String, problems: inout [String]) -> [ActionRecord] {
        let path = folder + "/" + name + Self.historySuffix
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do {
            let index = try JSONCoding.sharedDecoder.decode(ActionIndex.self, from: data)
            return index.logs.map { id, record in
                var record = record
                record.id = id
                record.deployment = name
                return record
            }
        } catch {
            problems.append("\(path): action history skipped, it cannot be read: \(error)")
            return []
        }
    }

    public func saveActions(_ records: [ActionRecord], of name: String) throws {
        let index = ActionIndex(logs: Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last }))
        try AtomicFile.write(JSONCoding.prettyEncoder().encode(index), to: try logsIndexPath(name))
    }

    public func delete(name: String) throws {
        // The history first: a crash in between leaves a record without one,
        // never a history that a later deployment of the same name could find.
        try deleteActions(of: name)
        try AtomicFile.remove(recordPath(name))
    }

    public func deleteActions(of name: String) throws {
        try AtomicFile.remove(try logsIndexPath(name))
    }

    /// The record's path. Names are validated before they reach the store; this
    /// checks again because a path built from a bad name would escape the folder.
    func recordPath(_ name: String) throws -> String {
        guard DeploymentName.isValid(name) else { throw StoreError("refusing to store an invalid deployment name") }
        return folder + "/" + name + ".json"
    }

    /// The action index's path, beside the record.
    func logsIndexPath(_ name: String) throws -> String {
        _ = try recordPath(name)
        return folder + "/" + name + Self.historySuffix
    }

    /// What ends an action index's file name (a deployment's name never ends in `-logs`).
    static let historySuffix = "-logs.json"
}
