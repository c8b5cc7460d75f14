import DiffusionEngine
import Foundation

/// `ddpm bench --ab SPEC`: what a lockstep A/B pair costs each of its runs.
///
/// Method: a solo `Trainer` (A's options) and a `TrainerPair` (A, and B = A with SPEC) train on
/// the same random images; after `warmup` untimed steps of each, `steps` rounds alternate one
/// timed solo step and one timed pair step (so both see the same machine load), and the medians
/// are compared. Each run of the pair advances one step per pair step, so its share of its solo
/// throughput is solo step / pair step (0.5 is an even split of the cores).
public struct PairBenchmarkReport: Codable, Sendable {
    public var preset: String
    public var batch: Int
    public var label: String
    public var soloStepSeconds: Double
    public var pairStepSeconds: Double
    /// Median seconds of the pair step's shared draw (batch, timesteps, noise), made once for both.
    public var drawSeconds: Double
    public var threads: Int

    /// Each run's images/s in the pair as a fraction of its solo images/s.
    public var share: Double { soloStepSeconds / pairStepSeconds }

    public var text: String {
        """
        preset \(preset)  batch \(batch)  threads \(threads)  B: A with \(label)
          solo training step (median)   \(String(format: "%9.2f ms  %7.1f img/s", soloStepSeconds * 1e3, Double(batch) / soloStepSeconds))
          A+B pair step (median)        \(String(format: "%9.2f ms  %7.1f img/s each", pairStepSeconds * 1e3, Double(batch) / pairStepSeconds))
          shared draw in the pair step  \(String(format: "%9.2f ms", drawSeconds * 1e3))
          each run keeps                \(String(format: "%8.1f %%", share * 100)) of its solo throughput
        """
    }
}

extension Benchmark {
    /// Times solo steps against A/B pair steps, alternating (see `PairBenchmarkReport`).
    public static func pair(
        preset: String, config: UNetConfig, batch: Int, spec: String, warmup: Int = 3, steps: Int = 10,
        progress: (String) -> Void = { _ in }
    ) throws -> PairBenchmarkReport {
        var a = TrainingOptions()
        (a.preset, a.model, a.batchSize, a.accumulate, a.augment) = (preset, config, batch, 1, .off)
        let b = try FlagValues.abOptions(spec, base: a)
        var rng = RandomGenerator(seed: 1)
        let side = config.imageSize + config.imageSize / 8
        let data = try TrainingSet(images: rng.uniformTensor([max(batch, 8), config.channels, side, side], lo: -1, hi: 1),
                                   size: config.imageSize, names: [])
        let solo = try Trainer(options: a, dataset: data)
        let pair = try TrainerPair(a: a, b: b, dataset: data)
        progress("warming up (\(warmup) steps of each)")
        for _ in 0..<warmup {
            try solo.trainStep()
            try pair.trainStep()
        }
        var soloTimes: [Double] = [], pairTimes: [Double] = [], drawTimes: [Double] = []
        for i in 0..<steps {
            progress("round \(i + 1)/\(steps): a solo step, then a pair step")
            let t0 = monotonicSeconds()
            try solo.trainStep()
            soloTimes.append(monotonicSeconds() - t0)
            let r = try pair.trainStep()
            pairTimes.append(r.drawSeconds + r.aSeconds + r.bSeconds)
            drawTimes.append(r.drawSeconds)
        }
        return PairBenchmarkReport(
            preset: preset, batch: batch, label: TrainerPair.label(a: a, b: b), soloStepSeconds: median(soloTimes),
            pairStepSeconds: median(pairTimes), drawSeconds: median(drawTimes), threads: ComputePool.shared.width)
    }
}
