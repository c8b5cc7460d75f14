import Foundation

/// The folder a training run writes to: checkpoints, sample grids and `metrics.jsonl`.
///
///     <out>/checkpoint.safetensors      the newest checkpoint (atomically replaced)
///     <out>/samples/step-001000.png     sample grid at each milestone, and step-final.png
///     <out>/metrics.jsonl               one JSON object per logged step
public struct RunFolder: Sendable {
    public let path: String

    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path + "/samples", withIntermediateDirectories: true)
        } catch {
            throw EngineError(about: \RunFolder.path, named: "folder") {
                "run folder \(path): cannot create it (\(error.localizedDescription)); pick another \($0)"
            }
        }
    }

    public var checkpointPath: String { path + "/checkpoint.safetensors" }
    public var metricsPath: String { path + "/metrics.jsonl" }
    public func samplePath(step: Int) -> String { path + String(format: "/samples/step-%06d.png", step) }
    public var finalSamplePath: String { path + "/samples/step-final.png" }
}

/// Appends one JSON object per line to `metrics.jsonl`; each line is flushed as it is written so a
/// killed run keeps everything up to its last line.
public final class MetricsLog {
    private let handle: FileHandle?
    public let path: String

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw EngineError("metrics log \(path): cannot create it; check the run folder is writable")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw EngineError("metrics log \(path): cannot open it for writing")
        }
        h.seekToEndOfFile()
        self.handle = h
    }

    deinit { try? handle?.close() }

    /// Writes one record. Keys are sorted so lines diff cleanly.
    public func append(_ record: [String: Any]) {
        let clean = record.mapValues(Self.jsonSafe)
        guard let data = try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys]) else { return }
        handle?.write(data)
        handle?.write(Data([0x0A]))
    }

    /// JSON has no NaN or infinity: such values (a diverged loss) are written as null.
    static func jsonSafe(_ v: Any) -> Any {
        switch v {
        case let f as Float: return f.isFinite ? Double(f) : NSNull()
        case let d as Double: return d.isFinite ? d : NSNull()
        case let a as [Float]: return a.map { jsonSafe($0) }
        case let a as [Double]: return a.map { jsonSafe($0) }
        case let a as [Any]: return a.map(jsonSafe)
        case let m as [String: Any]: return m.mapValues(jsonSafe)
        default: return v
        }
    }
}
