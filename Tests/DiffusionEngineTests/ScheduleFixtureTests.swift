import Foundation
import Testing
import DiffusionEngine

/// Compares the schedules with the PyTorch twin's float64 buffers
/// (`Fixtures/schedule_fixture.safetensors`, names `linear.<snake_name>`, `cosine.<snake_name>`,
/// written by `reference/make_fixtures.py`). Skipped while the fixture is not in the tree.
@Suite struct ScheduleFixtureTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schedule_fixture.safetensors")
    static var fixturePresent: Bool { FileManager.default.fileExists(atPath: fixtureURL.path) }

    @Test(.enabled(if: ScheduleFixtureTests.fixturePresent))
    func matchesTheTwin() throws {
        let tensors = try readSafetensors(Data(contentsOf: Self.fixtureURL))
        var compared = 0
        for kind in [ScheduleKind.linear, .cosine] {
            let entries = tensors.filter { $0.key.hasPrefix(kind.rawValue + ".") }
            #expect(!entries.isEmpty, "fixture has no \(kind.rawValue).* tensors")
            guard let T = entries.first?.value.count else { continue }
            let s = try NoiseSchedule(kind, timesteps: T)
            for (key, reference) in entries.sorted(by: { $0.key < $1.key }) {
                let name = String(key.dropFirst(kind.rawValue.count + 1))
                guard let ours = s.buffer(named: name) else {
                    Issue.record("fixture buffer \(key) has no counterpart in NoiseSchedule")
                    continue
                }
                #expect(ours.count == reference.count, "\(key)")
                var worst = 0.0
                for t in 0..<min(ours.count, reference.count) {
                    let r = reference[t]
                    // Both are float64 formulas stored as Float: agree to Float rounding (relative).
                    worst = max(worst, abs(Double(ours[t]) - r) / max(abs(r), 1e-30))
                }
                #expect(worst < 1e-6, "\(key): worst relative difference \(worst)")
                compared += 1
            }
        }
        #expect(compared >= 24)
    }
}

/// A minimal safetensors reader for fixtures: name -> values as Double (F32 and F64 only).
fileprivate func readSafetensors(_ data: Data) throws -> [String: [Double]] {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw EngineError("safetensors: file shorter than its 8-byte header length") }
    var headerLength = 0
    for i in 0..<8 { headerLength |= Int(bytes[i]) << (8 * i) }
    guard 8 + headerLength <= bytes.count else { throw EngineError("safetensors: header length \(headerLength) past the end") }
    let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any] ?? [:]
    var out: [String: [Double]] = [:]
    let base = 8 + headerLength
    for (name, value) in header where name != "__metadata__" {
        guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
              let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else { continue }
        let raw = Array(bytes[(base + offsets[0])..<(base + offsets[1])])
        switch dtype {
        case "F64":
            out[name] = stride(from: 0, to: raw.count, by: 8).map { i in
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(raw[i + k]) << (8 * UInt64(k)) }
                return Double(bitPattern: bits)
            }
        case "F32":
            out[name] = stride(from: 0, to: raw.count, by: 4).map { i in
                var bits: UInt32 = 0
                for k in 0..<4 { bits |= UInt32(raw[i + k]) << (8 * UInt32(k)) }
                return Double(Float(bitPattern: bits))
            }
        default:
            throw EngineError("safetensors: \(name) has dtype \(dtype); this reader knows F32 and F64")
        }
    }
    return out
}
