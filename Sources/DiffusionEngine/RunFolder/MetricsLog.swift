import Foundation

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
        guard let data = try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        // One write per line: a reader following the file sees a line whole or not at all
        // (docs/run-folder.md), never an object without its newline written separately.
        handle?.write(data + Data([0x0A]))
    }

    /// JSON has no NaN or infinity: such values (a diverged loss) are written as null.
    /// Bools stay bools: on Linux a JSON `true` read back is an NSNumber that also casts to
    /// Float (and an integer 1 casts to Bool), so they are told apart by their exact type first.
    static func jsonSafe(_ v: Any) -> Any {
        if type(of: v) == Bool.self { return v }
        if let n = v as? NSNumber, String(cString: n.objCType) == "c" { return n.boolValue }
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
