import Foundation
import Testing
import DiffusionEngine

#if canImport(Glibc)
import Glibc
#endif

/// Builds a safetensors file by hand (independent of the writer under test).
private func handMadeSafeTensors(header: String, data: [UInt8]) -> [UInt8] {
    let h = Array(header.utf8)
    let bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) }
    return bytes + h + data
}

/// Little-endian bytes of Float values.
private func leBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
}

/// A fresh empty directory under the system temporary directory.
private func makeTemporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct SafeTensorsTests {
    static let sample = SafeTensors(
        tensors: [
            "b.weight": Tensor(shape: [2, 3], data: [1, -2, 3.5, 0, .greatestFiniteMagnitude, -.leastNonzeroMagnitude]),
            "a.bias": Tensor(shape: [3], data: [0.25, 0.5, 0.75]),
            "scalar": Tensor(shape: [], data: [42]),
            "empty": Tensor(shape: [0, 4], data: []),
        ],
        order: ["b.weight", "a.bias", "scalar", "empty"],
        metadata: ["config": #"{"dim":8,"name":"quote \" and ünïcode"}"#, "step": "12"])

    @Test func roundTripKeepsTensorsOrderAndMetadata() throws {
        let bytes = Self.sample.serialized()
        let back = try SafeTensors.parse(bytes)
        #expect(back.tensors == Self.sample.tensors)
        #expect(back.order == Self.sample.order)
        #expect(back.metadata == Self.sample.metadata)
        // The data region starts 8-byte aligned and holds exactly the floats.
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + 4 * (6 + 3 + 1))
    }

    @Test func serializationIsDeterministic() {
        var other = SafeTensors(metadata: ["step": "12", "config": Self.sample.metadata["config"]!])
        for name in Self.sample.order { other.set(name, Self.sample.tensors[name]!) }
        #expect(other.serialized() == Self.sample.serialized())
    }

    @Test func orderSkipsMissingAndAppendsUnlisted() throws {
        let st = SafeTensors(
            tensors: ["x": Tensor(shape: [1], data: [1]), "z": Tensor(shape: [1], data: [2]), "y": Tensor(shape: [1], data: [3])],
            order: ["z", "gone", "z"])
        #expect(try SafeTensors.parse(st.serialized()).order == ["z", "x", "y"])
    }

    @Test func readsAHandMadeFile() throws {
        let header = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}"#
        let st = try SafeTensors.parse(handMadeSafeTensors(header: header, data: leBytes([1.5, -3])))
        #expect(try st.tensor("t") == Tensor(shape: [2], data: [1.5, -3]))
        #expect(st.metadata == ["k": "v"])
        #expect(throws: EngineError.self) { try st.tensor("missing") }
    }

    @Test func convertsF64F16AndBF16() throws {
        var data: [UInt8] = []
        for d in [0.1, -2.0] as [Double] { data += (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * UInt64($0))) } }
        // F16: 1.0 = 0x3C00, -2.5 = 0xC100, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001
        for h: UInt16 in [0x3C00, 0xC100, 0x7BFF, 0x0001] { data += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        // BF16: the top 16 bits of 3.0 (0x40400000) and -1.0 (0xBF800000)
        for h: UInt16 in [0x4040, 0xBF80] { data += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        let header = #"{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"#
            + #""h":{"dtype":"F16","shape":[2,2],"data_offsets":[16,24]},"#
            + #""b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}}"#
        let st = try SafeTensors.parse(handMadeSafeTensors(header: header, data: data))
        #expect(st.tensors["d"]!.data == [Float(0.1), -2])
        #expect(st.tensors["h"]!.data == [1, -2.5, 65504, 0x1p-24])
        #expect(st.tensors["b"]!.data == [3, -1])
        #expect(st.order == ["d", "h", "b"])  // file order = data order
    }

    /// Each case: header, data, and a phrase the one-line error must contain.
    static let corruptCases: [(String, [UInt8], String)] = [
        (#"{"t":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "dtype I32"),
        (#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [0, 0, 0, 0], "out of range"),
        (#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, leBytes([1, 2]), "needs 12"),
        (#"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, [], "negative"),
        (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4]}}"#, leBytes([1, 2]), "[begin, end]"),
        (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, leBytes([1, 2]), "out of range"),
        (#"{"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, leBytes([1]), "too large"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
         leBytes([1, 2]), "overlaps"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, leBytes([1, 2]), "gap"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, leBytes([1, 2]), "size mismatch"),
        (#"{"a":{"dtype":"F32","shape":[1]}}"#, leBytes([1]), "data_offsets"),
        (#"{"__metadata__":{"step":12}}"#, [], "__metadata__"),
        (#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, leBytes([1]), "not valid"),
        (#"{"a":"#, [], "not valid"),
        (#"[1,2]"#, [], "not a JSON object"),
        ("{\"a\":\u{0}}", [], "not valid"),
    ]

    @Test(arguments: 0..<corruptCases.count)
    func corruptHeadersAreClearErrors(_ i: Int) {
        let (header, data, phrase) = Self.corruptCases[i]
        let error = #expect(throws: EngineError.self) {
            try SafeTensors.parse(handMadeSafeTensors(header: header, data: data), source: "bad.safetensors")
        }
        #expect(error?.message.hasPrefix("bad.safetensors: ") == true)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error") lacks '\(phrase)'")
        #expect(error?.message.contains("\n") == false)
    }

    @Test func badLengthFieldsAreClearErrors() {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try SafeTensors.parse(bytes, source: "f"); return "parsed" } catch { return "\(error)" }
        }
        #expect(message([1, 2, 3]).contains("too short"))
        #expect(message([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B]).contains("absurd"))
        #expect(message([200, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]).contains("larger than the file"))
        #expect(message([0, 0, 0, 0, 0, 0, 0, 0]).contains("not a JSON object"))
    }

    /// Every truncation and many single-byte corruptions: errors, never crashes.
    @Test func truncatedAndCorruptedBytesNeverCrash() throws {
        let good = Self.sample.serialized()
        for cut in 0..<good.count {
            #expect(throws: EngineError.self) { try SafeTensors.parse(Array(good[..<cut])) }
        }
        var rejected = 0
        let headerEnd = 8 + good[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        for position in 0..<headerEnd {
            for value: UInt8 in [0x00, 0xFF, 0x22, 0x39, 0x7D, 0x2D, 0x5B] where good[position] != value {
                var bad = good
                bad[position] = value
                do { _ = try SafeTensors.parse(bad) } catch is EngineError { rejected += 1 }
            }
        }
        // Nearly every header byte matters; a few (inside strings and metadata) do not.
        #expect(rejected > headerEnd * 4)
        var extended = good
        extended.append(0)
        #expect(throws: EngineError.self) { try SafeTensors.parse(extended) }
    }
}

@Suite struct AtomicFileTests {
    @Test func writeThenReadRoundTrips() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.safetensors"
        try SafeTensorsTests.sample.write(path: path)
        try SafeTensorsTests.sample.write(path: path)  // replacing an existing file works too
        let back = try SafeTensors.read(path: path)
        #expect(back.tensors == SafeTensorsTests.sample.tensors)
        #expect(back.metadata == SafeTensorsTests.sample.metadata)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.safetensors"])
    }

    @Test func failureMidWayLeavesTheOldFileAndNoTemporary() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ckpt.safetensors"
        try AtomicFile.write(path: path, bytes: Array("old contents".utf8))
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(path: path) { out in
                try out.write(Array("new conte".utf8))
                throw Interrupted()
            }
        }
        #expect(FileManager.default.contents(atPath: path) == Data("old contents".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["ckpt.safetensors"])
    }

    @Test func targetThatIsADirectoryFailsCleanly() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: false)
        let error = #expect(throws: EngineError.self) { try AtomicFile.write(path: dir + "/taken", bytes: [1, 2, 3]) }
        #expect(error?.message.contains("/taken") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
    }

    @Test func missingDirectoryAndMissingFileNameThemselves() {
        let error = #expect(throws: EngineError.self) { try AtomicFile.write(path: "/nonexistent-dir-ddpm/x.bin", bytes: [1]) }
        #expect(error?.message.contains("/nonexistent-dir-ddpm") == true)
        let readError = #expect(throws: EngineError.self) { try SafeTensors.read(path: "/nonexistent-dir-ddpm/x.safetensors") }
        #expect(readError?.message.contains("x.safetensors") == true)
    }

    /// Root ignores directory permissions, so this runs only for ordinary users.
    @Test(.enabled(if: geteuid() != 0)) func readOnlyDirectoryKeepsTheOldFile() throws {
        let dir = try makeTemporaryDirectory()
        defer {
            chmod(dir, 0o755)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let path = dir + "/ckpt.safetensors"
        try AtomicFile.write(path: path, bytes: [1, 2, 3])
        chmod(dir, 0o555)
        #expect(throws: EngineError.self) { try AtomicFile.write(path: path, bytes: [4, 5, 6]) }
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
    }
}
