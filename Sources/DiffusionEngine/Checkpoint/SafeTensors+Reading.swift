import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `read(2)`, named apart from `SafeTensors.read(path:)`, which would otherwise shadow it.
private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }

extension SafeTensors {
    /// Headers longer than this are rejected before any allocation (the official reader uses
    /// the same bound): a corrupt length field must not make us allocate gigabytes.
    public static let maxHeaderBytes = 100_000_000

    /// Reads and validates a safetensors file.
    /// - Throws: `EngineError` naming `path` and the problem (unreadable, truncated, bad header, ...).
    public static func read(path: String) throws -> SafeTensors {
        try parse(readBytes(path: path), source: path)
    }

    /// Parses and validates the bytes of a safetensors file.
    /// - Parameter source: how messages name the data (the file path when there is one).
    /// - Throws: `EngineError` ("<source>: <problem>") for every malformed input.
    public static func parse(_ bytes: [UInt8], source: String = "safetensors data") throws -> SafeTensors {
        func fail(_ problem: String) -> EngineError { EngineError("\(source): \(problem)") }

        guard bytes.count >= 8 else {
            throw fail("file too short (\(bytes.count) bytes; a safetensors file starts with an 8-byte header length)")
        }
        var n64: UInt64 = 0
        for i in 0..<8 { n64 |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n64 <= UInt64(maxHeaderBytes) else {
            throw fail("header length \(n64) is absurd (limit \(maxHeaderBytes) bytes): not a safetensors file or corrupt")
        }
        let n = Int(n64)
        guard 8 + n <= bytes.count else {
            throw fail("header length \(n) is larger than the file (\(bytes.count) bytes): truncated or corrupt")
        }
        guard n >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw fail("header is not a JSON object (it must start with '{')")
        }

        let header: HeaderIn
        do {
            header = try JSONDecoder().decode(HeaderIn.self, from: Data(bytes[8..<8 + n]))
        } catch let error as DecodingError {
            throw fail("header is not valid safetensors JSON: \(describe(error))")
        } catch {
            throw fail("header is not valid JSON: \(error)")
        }

        // Validate every entry before touching the data, so sizes are bounded by the file.
        let dataStart = 8 + n
        let dataSize = bytes.count - dataStart
        struct Checked { let name: String; let dtype: DType; let shape: [Int]; let begin: Int; let end: Int }
        var checked: [Checked] = []
        for (name, e) in header.entries {
            guard let dtype = DType(rawValue: e.dtype) else {
                throw fail("tensor '\(name)' has dtype \(e.dtype), which this engine cannot read (F32, F64, F16, BF16)")
            }
            guard e.shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)' has a negative extent in shape \(e.shape)") }
            var count = 1
            for d in e.shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor '\(name)' shape \(e.shape) is too large") }
                count = p
            }
            guard e.data_offsets.count == 2 else {
                throw fail("tensor '\(name)' data_offsets must be [begin, end], got \(e.data_offsets)")
            }
            let (begin, end) = (e.data_offsets[0], e.data_offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor '\(name)' data_offsets [\(begin), \(end)] are out of range (data region is \(dataSize) bytes)")
            }
            let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, end - begin == bytesNeeded else {
                throw fail("tensor '\(name)' spans \(end - begin) bytes but shape \(e.shape) of \(e.dtype) needs \(overflow ? "too many" : String(bytesNeeded))")
            }
            checked.append(Checked(name: name, dtype: dtype, shape: e.shape, begin: begin, end: end))
        }
        checked.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for c in checked {
            guard c.begin >= covered else { throw fail("tensor '\(c.name)' overlaps the tensor before it") }
            guard c.begin == covered else { throw fail("gap of \(c.begin - covered) bytes in the data before tensor '\(c.name)'") }
            covered = c.end
        }
        guard covered == dataSize else {
            throw fail("data region size mismatch: the header describes \(covered) bytes, the file holds \(dataSize)")
        }

        var result = SafeTensors(metadata: header.metadata)
        bytes.withUnsafeBytes { raw in
            for c in checked {
                let region = UnsafeRawBufferPointer(rebasing: raw[(dataStart + c.begin)..<(dataStart + c.end)])
                result.set(c.name, Tensor(shape: c.shape, data: c.dtype.decode(region)))
            }
        }
        return result
    }

    /// The whole file as bytes.
    static func readBytes(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFile.failure("cannot open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw AtomicFile.failure("cannot stat \(path)") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw EngineError("\(path): not a regular file") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        try bytes.withUnsafeMutableBytes { buf in
            while got < buf.count {
                let r = posixRead(fd, buf.baseAddress! + got, buf.count - got)
                if r < 0, errno == EINTR { continue }
                guard r >= 0 else { throw AtomicFile.failure("cannot read \(path)") }
                if r == 0 { break }  // the file shrank while we read; parse what is there
                got += r
            }
        }
        return got == bytes.count ? bytes : Array(bytes[..<got])
    }

    /// One line from a `DecodingError`: where in the header, and what.
    private static func describe(_ error: DecodingError) -> String {
        let (path, what): ([CodingKey], String)
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): (path, what) = (c.codingPath, c.debugDescription)
        case .keyNotFound(let key, let c): (path, what) = (c.codingPath, "missing field '\(key.stringValue)'")
        @unknown default: (path, what) = ([], "\(error)")
        }
        let at = path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        let line = (at.isEmpty ? "" : "at \(at): ") + what
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Element types the reader understands; all become `Float`.
enum DType: String {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"

    var size: Int {
        switch self {
        case .f32: 4
        case .f64: 8
        case .f16, .bf16: 2
        }
    }

    /// Little-endian elements -> Float.
    func decode(_ raw: UnsafeRawBufferPointer) -> [Float] {
        let count = raw.count / size
        switch self {
        case .f32:
            #if _endian(little)
            return [Float](unsafeUninitializedCapacity: count) { buf, n in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: raw)
                n = count
            }
            #else
            return (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            #endif
        case .f64:
            return (0..<count).map {
                Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))))
            }
        case .bf16:
            // bfloat16 is the top half of a float32.
            return (0..<count).map {
                Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16)
            }
        case .f16:
            return (0..<count).map { halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        }
    }

    /// IEEE binary16 -> Float, exact (bit manipulation, so it needs no `Float16` support).
    func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = (h & 0x8000) != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24  // subnormal (or zero)
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}

/// The header as read: tensor entries (in the JSON's order as the decoder reports it) and metadata.
private struct HeaderIn: Decodable {
    var entries: [(String, Entry)] = []
    var metadata: [String: String] = [:]

    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: DynamicKey.self)
        for key in c.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try c.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try c.decode(Entry.self, forKey: key)))
            }
        }
    }
}
