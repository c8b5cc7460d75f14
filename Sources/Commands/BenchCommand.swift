import DiffusionEngine
import Foundation

/// `ddpm bench`: `Benchmark.run` for a preset and batch, printed as a table or JSON.
public struct BenchCommand: Sendable {
    public var preset: String = "tiny"
    public var batch: Int = 32
    public var steps: Int = 10
    public var warmup: Int = 3
    /// OpenBLAS threads (nil: its default).
    public var threads: Int?
    public var json = false

    public init() {}

    @discardableResult
    public func run(console: Console) throws -> BenchmarkReport {
        let config = try FlagValues.preset(preset)
        try FlagValues.check("--batch", batch, in: 1...4096)
        try FlagValues.check("--steps", steps, in: 1...10_000)
        try FlagValues.check("--warmup", warmup, in: 0...10_000)
        if let threads {
            try FlagValues.check("--threads", threads, in: 1...256)
            BLASControl.setThreads(threads)
        }
        let report = try Benchmark.run(preset: preset.lowercased(), config: config, batch: batch, warmup: warmup, steps: steps) {
            console.progress("bench: " + $0)
        }
        console.endProgress()
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            console.line(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            console.write(report.text + "\n")
        }
        return report
    }
}
