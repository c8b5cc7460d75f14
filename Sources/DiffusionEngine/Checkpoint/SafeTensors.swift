import Foundation

/// A set of named tensors in the safetensors format (the checkpoint and fixture format).
///
/// Layout of a file:
///
///     bytes 0..<8        N, the header length, UInt64 little-endian
///     bytes 8..<8+N      UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
///                                     ..., "__metadata__": {"key": "string value"}}
///                        padded with spaces so the data starts 8-byte aligned
///     bytes 8+N..<end    the data region; a tensor's bytes are [b, e) relative to its start,
///                        row-major, little-endian; tensors tile the region without gaps
///
/// Python's `safetensors` package and PyTorch read what `write` produces. Reading accepts F32 and
/// converts F64, F16 and BF16 to `Float`; writing always produces F32. Every malformed input is
/// an `EngineError` naming the file and the problem, never a crash.
public struct SafeTensors: Sendable {
    /// The tensors by name.
    public var tensors: [String: Tensor]
    /// Tensor names in file order (read) or in the order to write them. Names missing here
    /// are written after these, sorted; names here without a tensor are skipped.
    public var order: [String]
    /// Free-form string metadata (`__metadata__`), e.g. the model config as JSON.
    public var metadata: [String: String]

    /// A file's contents; `order` defaults to the names sorted.
    public init(tensors: [String: Tensor] = [:], order: [String]? = nil, metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.order = order ?? tensors.keys.sorted()
        self.metadata = metadata
    }

    /// Adds or replaces one tensor; a new name goes to the end of `order`.
    public mutating func set(_ name: String, _ tensor: Tensor) {
        if tensors.updateValue(tensor, forKey: name) == nil { order.append(name) }
    }

    /// The tensor with this name.
    /// - Throws: `EngineError` when it is missing.
    public func tensor(_ name: String) throws -> Tensor {
        guard let t = tensors[name] else {
            throw EngineError("safetensors: no tensor named '\(name)' (the file has \(tensors.count) tensors)")
        }
        return t
    }

    /// The names to write, in order: `order` (existing, first occurrence) then the rest sorted.
    var resolvedOrder: [String] {
        var seen = Set<String>()
        var names = order.filter { tensors[$0] != nil && seen.insert($0).inserted }
        names += tensors.keys.filter { !seen.contains($0) }.sorted()
        return names
    }

    // MARK: writing

    /// The complete file as bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + 4 * tensors.values.reduce(0) { $0 + $1.count })
        emit { out.append(contentsOf: $0) }
        return out
    }

    /// Writes the file atomically (see `AtomicFile`), streaming the tensors without a full copy.
    /// - Throws: `EngineError` naming the path when the file cannot be written.
    public func write(path: String) throws {
        try AtomicFile.write(path: path) { out in try emit { try out.write($0) } }
    }

    /// Produces the file as a sequence of byte chunks: length, header, then each tensor's data.
    func emit(_ sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let names = resolvedOrder
        var entries: [HeaderEntry] = []
        var offset = 0
        for name in names {
            precondition(name != "__metadata__", "safetensors: '__metadata__' is reserved and cannot name a tensor")
            let t = tensors[name]!
            entries.append(HeaderEntry(name: name, shape: t.shape, begin: offset, end: offset + 4 * t.count))
            offset += 4 * t.count
        }
        var header = Self.headerJSON(entries: entries, metadata: metadata)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)  // align the data region
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try sink($0) }
        try header.withUnsafeBytes { try sink($0) }
        for name in names {
            let data = tensors[name]!.data
            #if _endian(little)
            try data.withUnsafeBytes { try sink($0) }
            #else
            let le = data.map { $0.bitPattern.littleEndian }
            try le.withUnsafeBytes { try sink($0) }
            #endif
        }
    }

    struct HeaderEntry {
        let name: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// The JSON header (keys sorted, so equal contents give equal bytes).
    static func headerJSON(entries: [HeaderEntry], metadata: [String: String]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only strings and integers: encoding cannot fail.
        guard let data = try? encoder.encode(HeaderOut(entries: entries, metadata: metadata)) else {
            preconditionFailure("safetensors: the JSON encoder rejected a header of strings and integers")
        }
        return [UInt8](data)
    }
}

/// A JSON object key known only at run time (tensor names).
struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The header as written: one F32 entry per tensor plus `__metadata__` when not empty.
private struct HeaderOut: Encodable {
    let entries: [SafeTensors.HeaderEntry]
    let metadata: [String: String]

    struct Entry: Encodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: DynamicKey.self)
        if !metadata.isEmpty { try c.encode(metadata, forKey: DynamicKey("__metadata__")) }
        for e in entries {
            try c.encode(Entry(dtype: "F32", shape: e.shape, data_offsets: [e.begin, e.end]), forKey: DynamicKey(e.name))
        }
    }
}
