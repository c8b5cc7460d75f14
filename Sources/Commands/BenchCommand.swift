import ArgumentParser
import DiffusionEngine
import Foundation

/// `ddpm bench`: `Benchmark.run` for a preset and batch, printed as a table or JSON.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training and sampling steps of a model preset on this machine.",
        discussion: """
            Runs --warmup untimed training steps (forward, loss, backward, Adam), then --steps timed \
            ones, and reports the median step, images/s, achieved GFLOP/s, a sampling step at \
            batch 1 and 16, and the peak memory.
            """)

    @Option(help: ArgumentHelp("Model size: \(CommandHelp.presets).", valueName: "name"))
    public var preset: String = "tiny"

    @Option(help: ArgumentHelp("Batch size of the training steps.", valueName: "n"))
    public var batch: Int = 32

    @Option(help: ArgumentHelp("Timed training steps.", valueName: "n"))
    public var steps: Int = 10

    @Option(help: ArgumentHelp("Untimed training steps first.", valueName: "n"))
    public var warmup: Int = 3

    /// OpenBLAS threads (nil: its default).
    @Option(help: ArgumentHelp("OpenBLAS threads (default: OpenBLAS's own choice).", valueName: "n"))
    public var threads: Int?

    /// Time a lockstep A/B pair against a solo run (`Benchmark+AB.swift`).
    @Option(help: ArgumentHelp(
        "Time an A/B training pair (B = A with these changes, as in train --ab) against one run, alternating solo and pair steps.",
        valueName: "spec"))
    public var ab: String?

    @Flag(help: "Print the report as JSON.")
    public var json = false

    public init() {}

    public func validate() throws {
        _ = try FlagValues.preset(preset)
        try FlagValues.check("--batch", batch, in: 1...4096)
        try FlagValues.check("--steps", steps, in: 1...10_000)
        try FlagValues.check("--warmup", warmup, in: 0...10_000)
        if let threads { try FlagValues.check("--threads", threads, in: 1...256) }
        if let ab { _ = try FlagValues.abOptions(ab, base: TrainingOptions()) }
    }

    public func run() throws {
        if ab != nil { try runPair(console: .standard()) } else { try run(console: .standard()) }
    }

    /// Runs the solo benchmark and prints it (`run()` runs `runPair` instead when `--ab` is given).
    @discardableResult
    public func run(console: Console) throws -> BenchmarkReport {
        let config = try FlagValues.preset(preset)
        if let threads { BLASControl.setThreads(threads) }
        let report = try Benchmark.run(preset: preset.lowercased(), config: config, batch: batch, warmup: warmup, steps: steps) {
            console.progress("bench: " + $0)
        }
        try print(report, text: report.text, console: console)
        return report
    }

    /// Runs the A/B pair benchmark of `--ab` and prints it.
    @discardableResult
    public func runPair(console: Console) throws -> PairBenchmarkReport {
        let config = try FlagValues.preset(preset)
        if let threads { BLASControl.setThreads(threads) }
        let report = try Benchmark.pair(preset: preset.lowercased(), config: config, batch: batch, spec: ab ?? "input=x0",
                                        warmup: warmup, steps: steps) { console.progress("bench: " + $0) }
        try print(report, text: report.text, console: console)
        return report
    }

    func print<R: Encodable>(_ report: R, text: String, console: Console) throws {
        console.endProgress()
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            console.line(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            console.write(text + "\n")
        }
    }
}
